"""Start the chat UI: `python app.py` (the same as `rag serve`; RAG_HOST and RAG_PORT choose where)."""

from rag.web.app import build_app, launch, serve  # noqa: F401  (build_app, serve: for tests and embedding)

if __name__ == "__main__":
    launch()
