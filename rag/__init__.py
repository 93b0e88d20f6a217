"""Offline question answering over Arabic and English news articles, with cited passages.

    from rag import Assistant
    answer = Assistant().ask("من هو وزير خارجية أذربيجان؟")
    print(answer.text, [c.doc_id for c in answer.citations])

Importing this package is cheap: torch, llama.cpp, Chroma and Gradio load only when an
Assistant first needs them (tests/unit/test_public_api.py holds us to that).
"""

from importlib.metadata import PackageNotFoundError, version

from .assistant import Assistant
from .errors import RagError
from .settings import Settings
from .types import Answer, Citation, Quote, Stage

try:
    __version__ = version("rag-news")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Answer", "Assistant", "Citation", "Quote", "RagError", "Settings", "Stage", "__version__"]
