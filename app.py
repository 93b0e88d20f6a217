"""Start the chat UI: `python app.py` (the same as `rag serve`)."""

from rag.ui import build_app, launch  # noqa: F401  (build_app: for tests and embedding)

if __name__ == "__main__":
    launch()
