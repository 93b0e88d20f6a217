"""Answerability: do the shown sentences hold an answer to this question at all?

This alone decides a refusal. Its signals, each the same on any collection:

- `p_no_answer`: the model's first-token probability of its NO_ANSWER reply;
- `coverage_best`: the largest share of the question's content words one shown sentence
  holds (lexical, so near 0 across languages: each path has its own fit);
- `type_present`: whether some shown sentence holds something of the asked type (a date for
  "when", a number for "how many");
- `dense_best`: the embedder's cosine between the question and its best passage. This is
  the one absolute score kept; the issue measured it as the weakest signal in 20 of 59
  refusals on ARCD when fitted on the seeds alone, so it is fitted on ARCD's training split
  beside the seeds' sets, where its range differs;
- `self_check`: the model's P("yes") that the candidate's sentence answers the question.
"""

from __future__ import annotations

from .signals import coverage, type_present

FEATURES = ("p_no_answer", "coverage_best", "type_present", "dense_best", "self_check")


def signals(question: str, sentences: list[str], *, p_no_answer: float, scores: list[float]) -> dict[str, float]:
    """The answerability signals that need no candidate (`self_check` is added by the pipeline)."""
    return {
        "p_no_answer": float(p_no_answer),
        "coverage_best": max((coverage(question, s) for s in sentences), default=0.0),
        "type_present": type_present(question, sentences),
        "dense_best": max(scores, default=0.0),
    }
