"""Answerability: do the shown sentences hold an answer to this question at all?

This alone decides a refusal. Its signals, each the same on any collection:

- `log_p_no_answer`: the log of the model's first-token probability of its NO_ANSWER reply
  (the single strongest signal: AUROC 0.94 on the same-language tuning questions);
- `coverage_best`: the largest share of the question's content words one shown sentence
  holds (lexical, so near 0 across languages: each path has its own fit);
- `type_present`: whether some shown sentence holds something of the asked type (a date for
  "when", a number for "how many");
- `dense_best`: the embedder's cosine between the question and its best passage. This is
  the one absolute score kept; the issue measured it as the weakest signal in 20 of 59
  refusals on ARCD when fitted on the seeds alone, so it is fitted on ARCD's training split
  beside the seeds' sets, where its range differs;
- `dense_sentence`: the embedder's best cosine between the question and one shown *sentence*.
  The embedder is multilingual, so unlike `coverage_best` it still means something when an
  English question meets Arabic sentences (measured: see PATH_FEATURES);
- `self_check_logit`: the log-odds of the model's P("yes") that the passages give the candidate.
"""

from __future__ import annotations

from .signals import coverage, type_present

FEATURES = ("log_p_no_answer", "self_check_logit", "coverage_best", "type_present", "dense_best", "dense_sentence",
            "dense_sentence_margin", "dense_sentence_z", "dense_gap")
# Per path, the signals that earned their place (5-fold cross-validated AUROC; the tuning sets and
# ARCD's training split, docs/evaluation.md). Same language: 0.93 with these three; the self-check
# (0.926), type_present (0.926) and dense_sentence (0.929) added nothing. Across languages, with 80
# English questions over ARCD's articles added (14 unanswerables before, 25 now): 0.795 with the same
# three, 0.826 with log P(NO_ANSWER) and the best sentence cosine alone. Coverage is lexical and means
# nothing across languages, and on Wikipedia the sentence cosine tells more than the passage's score
# (ARCD's English rows: 0.85 against 0.77 with the passage score). The embedder's scores mean different
# things on the seeds and on Wikipedia, so they are fitted on both collections together.
#
# Issue 32 measured what holds on a collection the fit never saw (docs/experiments/collection_transfer.py and
# transfer_simulate.py: fit on all tuning collections but one, judge the one left out; seeds, ARCD's training
# articles, the figure-dense tuning collection). Same language: the passage's absolute cosine `dense_best`
# fitted on the others ranks a left-out collection worse (AUROC mean 0.833 with it, 0.883 without); it was
# the weakest signal in 32 of 43 false refusals on the maintainers' Wikipedia collection. It is dropped.
# Across languages the sentence cosine still ranks best (0.816; with its margin over the question's background
# sentences 0.821, z-score 0.745, the margin instead 0.777): the background-relative signals are computed and
# kept in the rows, not used. What did not transfer was the threshold: refusing 0.85 of the tuning
# unanswerables refused 0.32-0.44 of a left-out collection's answerable English questions; at 0.5 (see
# devtools/calibrate.py) 0.07-0.12, with no more unanswerable questions *answered* (they are shown unsure).
PATH_FEATURES = {
    "same": ("log_p_no_answer", "coverage_best"),
    "cross": ("log_p_no_answer", "dense_sentence"),
}

def signals(question: str, sentences: list[str], *, p_no_answer: float, scores: list[float],
            similarities: list[float] = (), background: float | None = None, spread: float = 0.0) -> dict[str, float]:
    """The answerability signals that need no candidate (`self_check` is added by the pipeline).

    `scores`: the shown passages' retrieval scores; `similarities`: their sentences' best cosines;
    `background`, `spread`: the mean and standard deviation of the question's cosines with every sentence
    of the pooled passages (select.Evidence).
    """
    best_sentence = max(similarities, default=0.0)
    values = {
        "p_no_answer": float(p_no_answer),
        "coverage_best": max((coverage(question, s) for s in sentences), default=0.0),
        "type_present": type_present(question, sentences),
        "dense_best": max(scores, default=0.0),
        "dense_sentence": best_sentence,
        "dense_gap": (max(scores) - min(scores)) if len(scores) > 1 else 0.0,
    }
    if background is not None:
        values["dense_sentence_margin"] = best_sentence - background
        values["dense_sentence_z"] = (best_sentence - background) / spread if spread > 1e-6 else 0.0
    return values
