"""Start the chat UI: `python app.py` (the same as `rag serve`; RAG_HOST and RAG_PORT choose where)."""

from rag.web.app import build_app  # noqa: F401  (build_app, serve: for tests and embedding)
from rag.web.server import launch, serve  # noqa: F401

if __name__ == "__main__":
    launch()
