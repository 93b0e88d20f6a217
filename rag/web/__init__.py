"""The chat page (Gradio) and its /ask API."""
