"""The answer prompt: system rules, worked examples, the selected sentences, the instruction last.

The wording lives in prompts/ (package data, rendered strictly by `templates`); this module
only assembles the chat turns.
"""

from __future__ import annotations

from functools import lru_cache

from .. import templates
from .select import Evidence

NO_ANSWER = "NO_ANSWER"  # what the prompt asks the model to say when the passages lack the answer
LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
# The prompt's closing line, per answer language. It ends the user message because a small
# model follows the last thing it read best (measured: English answer accuracy 0.33 with
# this in the system prompt, 0.67 here), and it is in English because the model echoed an
# Arabic instruction back as its answer.
ANSWER_INSTRUCTIONS = {
    "ar": "Answer in Arabic and cite the passage number.",
    "en": "Answer in English and cite the passage number. "
    "For a name, give it in English followed by the Arabic spelling from the passage in parentheses.",
}
# Worded as "not found", not "not there": a refusal also covers an answer the articles do
# hold but that retrieval or the small model missed (measured: 9 of the 31 refusals on the
# two held-out sets), and claiming the articles lack it would then be false.
REFUSALS = {
    "ar": "لم أجد إجابة عن هذا السؤال في المقالات المتاحة.",
    "en": "I could not find the answer to this question in the articles.",
}

# An unsure answer: the likely answer, clearly marked, and the sentence that holds it,
# so the reader judges from the article's own words rather than from the model's.
UNSURE_TEXTS = {
    "ar": "لست متأكدًا من الإجابة. ربما: {answer} [{n}]. اقرأ النص: «{sentence}»",
    "en": "I am not sure of the answer. Possibly: {answer} [{n}]. Read the passage: “{sentence}”",
}
# A second sentence an unsure answer shows: the one sharing most of the question's words, when the
# candidate's own sentence is another (measured: the candidate's sentence held the gold evidence for
# 141 of 169 answerable tuning questions).
UNSURE_ALSO = {
    "ar": " وقد تحملها هذه الجملة [{n}]: «{sentence}»",
    "en": " Or this sentence may hold it [{n}]: “{sentence}”",
}
# No candidate survived the guards, yet the sentences look as if they hold the answer: say so,
# and show the sentence most likely to hold it rather than claim the articles are silent.
UNSURE_TEXTS_NO_CANDIDATE = {
    "ar": "لست متأكدًا من الإجابة، لكن هذه الجملة قد تحملها [{n}]: «{sentence}»",
    "en": "I am not sure of the answer, but this sentence may hold it [{n}]: “{sentence}”",
}


def format_passages(evidence: list[Evidence] | list[str]) -> str:
    texts = [e if isinstance(e, str) else e.text for e in evidence]
    return "\n\n".join(f"[{i}] {t}" for i, t in enumerate(texts, start=1))


def answer_user_message(passages, question: str, language: str) -> dict[str, str]:
    content = templates.render(
        "answer_user", passages=format_passages(passages), question=question, instruction=ANSWER_INSTRUCTIONS[language]
    )
    return {"role": "user", "content": content}


@lru_cache(maxsize=1)
def fixed_prefix() -> tuple[dict[str, str], ...]:
    """The system prompt, then the worked examples (prompts/answer_examples.jsonl) as earlier chat turns.

    A 1.5B model copies a shown pattern far better than it follows a described one:
    an English answer that transliterates a name and keeps its Arabic spelling, a short
    Arabic answer, a refusal. The examples are invented, not from the articles. They sit
    right after the system prompt and never change, so llama.cpp keeps them in its KV
    cache: they cost prompt time once per process, not per question.
    """
    turns = [{"role": "system", "content": templates.render("answer_system", no_answer=NO_ANSWER)}]
    for ex in templates.examples("answer_examples"):
        answer = ex["answer"].replace("NO_ANSWER", NO_ANSWER)
        turns += [answer_user_message(ex["passages"], ex["question"], ex["language"]), {"role": "assistant", "content": answer}]
    return tuple(turns)


def answer_messages(question: str, language: str, evidence: list[Evidence]) -> list[dict[str, str]]:
    """The whole chat the model reads: the fixed prefix (rules and examples), then this question."""
    return [*(dict(turn) for turn in fixed_prefix()), answer_user_message(evidence, question, language)]

# A quoted-sentences answer (answering/quoted/) whose quotes cover only part of the question: said first,
# so the reader takes the quotes as the closest the articles come, not as the whole answer.
QUOTED_UNSURE = {
    "ar": "لست متأكدًا من أن هذه الجمل تجيب عن السؤال كله؛ هذا أقرب ما تقوله المقالات:",
    "en": "I am not sure these sentences answer the whole question; this is the closest the articles come:",
}
# Beside a quote whose rendering failed its checks: the Arabic stands alone.
QUOTED_NO_RENDERING = {
    "ar": "لا ترجمة موثوقة لهذه الجملة",
    "en": "no reliable English rendering of this sentence; the Arabic is the source",
}
# A comparison's quotes that name neither side, shown after the sides under this heading.
QUOTED_OTHER_SIDE = {"ar": "جمل أخرى", "en": "Other sentences"}
