"""The question as the pipeline should see it, or an error that says what is wrong with it."""

from __future__ import annotations

import re
import unicodedata

from ..errors import EmptyQuestionError, InvalidQuestionError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(question: str, max_chars: int) -> str:
    """Control characters and lone surrogates dropped, NFC-normalized, stripped; empty or too long is an error."""
    if not isinstance(question, str):
        raise InvalidQuestionError(f"the question must be text, not {type(question).__name__}.")
    # Lone surrogates (from broken clipboards or JSON) cannot be encoded: drop them.
    question = question.encode("utf-8", "ignore").decode("utf-8")
    question = unicodedata.normalize("NFC", _CONTROL.sub(" ", question)).strip()
    if not question:
        raise EmptyQuestionError("the question is empty: type a question about the articles.")
    if len(question) > max_chars:
        raise InvalidQuestionError(
            f"the question is {len(question)} characters long; the limit is {max_chars}. Please shorten it."
        )
    return question
