"""Offline question answering over Arabic news articles, with cited passages.

    from rag import Assistant
    answer = Assistant().ask("من هو وزير خارجية أذربيجان؟")
    print(answer.text, [c.doc_id for c in answer.citations])

Importing this package is cheap: torch, llama.cpp, Chroma and Gradio load only when an
Assistant first needs them (tests/unit/test_public_api.py holds us to that).
"""

from .assistant import Assistant
from .errors import RagError
from .settings import Settings
from .types import Answer, Citation

__all__ = ["Answer", "Assistant", "Citation", "RagError", "Settings"]
