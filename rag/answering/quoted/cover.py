"""Do the quotes answer the question? answered, unsure (they cover part of it) or refused (none bears on it).

Three signals, none needing the model, so the outcome is known before the first quote streams
and a streamed quote is never withdrawn (issue 41):

- `bears`: how far the best sentence's cosine stands above the question's background (the mean
  cosine to every pooled sentence), in spreads. An absolute cosine means different things per
  collection and language; its distance from the background does not (answering/select.py).
- `covered`: the share of the question's own content words (its frame, "why", "terms", "قارن",
  taken out) that the quotes hold. Across languages no word is shared, and `bears` decides alone.
- `quotes`: how many distinct sentences were chosen.

The thresholds were fitted on the tuning halves of the blind non-factoid sets
(docs/experiments/quoted_selection.py, docs/evaluation.md); the held-out halves judge them.
A question is refused only when nothing bears on it: the articles spelling out an answer must
never be refused (issue 39), so the refusal bar is low and doubt goes to unsure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...lang import content_terms, detect_language, same_word
from ..decision import ANSWERED, REFUSED, UNSURE
from ..names import unmatched_names

# The question's frame: words that say what kind of answer is wanted, not what it is about.
FRAME_WORDS = frozenset(
    "لماذا سبب اسباب الاسباب دافع دوافع هدف اهداف كيف شروط شرط بنود بند مطالب مطلب مضمون تفاصيل قال قالت ماذا حدث جري "
    "تطورات التطورات مستجدات لخص ملخص تلخيص قارن مقارنه الفرق الاختلاف موقف مواقف ابرز اهم وراء دفع ادي تسلسل يوما بيوم "
    "why how reason reasons cause causes led terms conditions demands say said tell told happened happen developments "
    "summarize summary overview compare comparison difference differ position positions stance timeline day main key "
    "points explain what".split()
)
REFUSE_BELOW = 1.0  # bears: the best sentence within one spread of the background bears on nothing asked,
REFUSE_COVERED = 0.34  # unless (same language) it holds this share of the question's own words;
REFUSE_BELOW_CROSS = 0.6  # across languages the lowest answerable question on the tuning halves bore 0.72
ANSWER_AT_COVERED = 0.8  # same language: the quotes hold (nearly) every word the question is about
ANSWER_AT_BEARS = 1.0
ANSWER_AT_BEARS_CROSS = 2.3  # across languages: well above the background, and every name the question asks about quoted
MIN_ANSWER_QUOTES = 2


@dataclass(frozen=True)
class Coverage:
    bears: float
    covered: float
    quotes: int
    cross: bool
    best: float = 0.0  # the best sentence's cosine
    names_held: bool = True  # across languages: every name of the question stands for a word of the quotes

    def status(self) -> str:
        if self.quotes == 0:
            return REFUSED
        if self.cross:
            if self.bears < REFUSE_BELOW_CROSS:
                return REFUSED
            answered = self.bears >= ANSWER_AT_BEARS_CROSS and self.names_held
        else:
            if self.bears < REFUSE_BELOW and self.covered < REFUSE_COVERED:
                return REFUSED
            answered = self.bears >= ANSWER_AT_BEARS and self.covered >= ANSWER_AT_COVERED
        return ANSWERED if answered and self.quotes >= MIN_ANSWER_QUOTES else UNSURE

    def signals(self) -> dict[str, float]:
        return {"bears": round(self.bears, 4), "covered": round(self.covered, 4), "quotes": float(self.quotes),
                "cross": float(self.cross), "best_cosine": round(self.best, 4),
                "names_held": float(self.names_held)}


def question_terms(question: str) -> set[str]:
    """The question's content words without its frame."""
    return {t for t in content_terms(question) if not any(same_word(t, f) for f in FRAME_WORDS if len(f) > 2)}


def coverage(question: str, quoted: list[str], best_cosine: float, background: float, spread: float) -> Coverage:
    wanted = question_terms(question)
    held = content_terms(" ".join(quoted))
    covered = (sum(any(same_word(w, h) for h in held) for w in wanted) / len(wanted)) if wanted else 0.0
    bears = (best_cosine - background) / spread if spread > 0 else 0.0
    cross = bool(quoted) and detect_language(question) != detect_language(" ".join(quoted))
    names_held = not unmatched_names(" ".join(quoted), question) if cross else True
    return Coverage(bears, covered, len(quoted), cross, best_cosine, names_held)
