"""`rag eval`: run a question set through the public Assistant and score it.

`--oracle` hands the model the sentences that hold each answerable question's evidence
instead of what retrieval and sentence selection chose: the difference between the two
runs is what retrieval and selection cost, and the oracle run is the ceiling the model's
own reading sets.

One JSONL line a question:
    {"id", "question", "lang": "ar"|"en", "answers": [key facts, any one counts], "evidence": [verbatim spans]}
A question with no evidence is one the articles cannot answer: the right response is a refusal.
Optional `"answerable": true` marks one the articles do answer though no evidence is given (a
user's feedback: `rag feedback export`); it is scored on its answer keys, or without keys on not
refusing, and left out of the retrieval and citation figures, which need evidence.

Matching is done on normalized text (lang.normalize_arabic): an answer key counts when it
appears in the answer; a key made only of digits must stand alone as a number, so "4"
does not match "40". A passage supports the evidence when it contains an evidence span
or at least 80% of that span's words; retrieval ranks and citations are judged that way.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..answering.cite import strip_markers
from ..errors import RagError
from ..lang import detect_language, normalize_arabic, split_sentences, words
from ..types import Answer

if TYPE_CHECKING:  # for the annotation only: --oracle imports it when used
    from ..answering.select import Evidence

WORD_OVERLAP = 0.80
RETRIEVAL_DEPTH = 5
METRIC_KEYS = (
    "recall_at_1", "recall_at_3", "recall_at_5", "mrr", "useful", "answer_acc", "answered_correct", "confident_wrong",
    "unsure", "unsure_with_evidence", "false_refusal", "refusal_acc", "unanswerable_unsure", "unanswerable_answered",
    "citation_acc", "citation_precision", "lang_match", "auroc", "auroc_same", "auroc_cross", "p50_s", "p95_s", "ttft_p50_s", "n",
)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    marked_answerable: bool | None = None  # the file's "answerable", when it says

    @property
    def answerable(self) -> bool:
        return self.marked_answerable if self.marked_answerable is not None else bool(self.evidence)


def load_questions(path: Path) -> list[Question]:
    """Parse and check a question file; a bad line is an error naming the line."""
    questions: list[Question] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = Question(
                id=str(raw["id"]), question=str(raw["question"]), lang=str(raw["lang"]),
                answers=tuple(raw.get("answers", [])), evidence=tuple(raw.get("evidence", [])),
                marked_answerable=None if raw.get("answerable") is None else bool(raw["answerable"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RagError(f"{path}:{lineno}: not a question line ({exc}).") from exc
        if q.evidence and not q.answerable:
            raise RagError(f"{path}:{lineno}: a question with evidence cannot be marked unanswerable.")
        if q.lang not in ("ar", "en"):
            raise RagError(f"{path}:{lineno}: lang must be 'ar' or 'en', not {q.lang!r}.")
        if q.evidence and not q.answers:
            raise RagError(f"{path}:{lineno}: a question with evidence needs at least one answer key.")
        questions.append(q)
    if not questions:
        raise RagError(f"{path} holds no questions.")
    return questions


# --- matching ------------------------------------------------------------------------

def contains_answer(text: str, keys: tuple[str, ...] | list[str]) -> bool:
    norm = normalize_arabic(strip_markers(text))
    for key in keys:
        k = normalize_arabic(key).strip()
        if not k:
            continue
        if k.isdigit():
            if re.search(rf"(?<!\d){re.escape(k)}(?!\d)", norm):
                return True
        elif k in norm:
            return True
    return False


def supports(passage: str, evidence: tuple[str, ...] | list[str]) -> bool:
    """True when the passage holds an evidence span, verbatim or by 80% of its words."""
    norm = normalize_arabic(passage)
    passage_words = set(words(passage))
    for span in evidence:
        if normalize_arabic(span) in norm:
            return True
        span_words = set(words(span))
        if span_words and len(span_words & passage_words) / len(span_words) >= WORD_OVERLAP:
            return True
    return False


def first_relevant_rank(passages: list[str], evidence) -> int | None:
    for rank, text in enumerate(passages, start=1):
        if supports(text, evidence):
            return rank
    return None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) without numpy."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# --- running -------------------------------------------------------------------------

@dataclass
class Record:
    question: Question
    answer: Answer
    retrieved: list[str]  # passage texts, best first, RETRIEVAL_DEPTH of them
    latency_s: float
    ttft_s: float
    rank: int | None = field(init=False)
    correct: bool = field(init=False)

    def __post_init__(self):
        q, a = self.question, self.answer
        self.rank = first_relevant_rank(self.retrieved, q.evidence) if q.evidence else None
        # Right = the likely answer holds a key (answered or unsure); for an unanswerable question, a refusal;
        # for one marked answerable without keys, not refusing.
        if not q.answerable:
            self.correct = a.refused
        elif q.answers:
            self.correct = not a.refused and contains_answer(a.likely_answer, q.answers)
        else:
            self.correct = not a.refused

    @property
    def supported_citations(self) -> int:
        return sum(supports(c.text, self.question.evidence) for c in self.answer.citations)

    @property
    def lang_ok(self) -> bool:
        """The answer is in the question's language; the verbatim quote is in the passage's by design."""
        a = self.answer
        own = a.likely_answer
        if a.quote and detect_language(a.quote) != self.question.lang:
            own = own.replace(a.quote, " ")
        return detect_language(strip_markers(own)) == self.question.lang

    @property
    def candidate_correct(self) -> bool | None:
        """Is the candidate the confidence was computed for right? None when there was no candidate.

        A low-confidence refusal keeps its declined span in `quote`, so its confidence is
        judged too; an unanswerable question's candidate is always wrong.
        """
        a = self.answer
        if a.confidence is None or "span_words" not in a.signals:
            return None  # no candidate: refused before one was written, or a guard rejected it
        if not self.question.answerable:
            return False
        if not self.question.answers:
            return None  # marked answerable, no key: the candidate cannot be judged
        return contains_answer(a.quote if a.refused else a.likely_answer, self.question.answers)

    @property
    def sentence_holds_evidence(self) -> bool:
        """A sentence the answer shows (or rests on) holds the gold evidence."""
        shown = [s for s in (self.answer.sentence, *self.answer.sentences) if s]
        return bool(self.question.evidence) and any(supports(s, self.question.evidence) for s in shown)

    @property
    def unsure_with_evidence(self) -> bool:
        return self.answer.status == "unsure" and self.sentence_holds_evidence

    @property
    def useful(self) -> bool:
        """Answered right, or unsure with a shown sentence that holds the gold evidence (an answerable question)."""
        a = self.answer
        return (a.status == "answered" and self.correct) or self.unsure_with_evidence

    @property
    def path(self) -> str:
        return "cross" if self.answer.signals.get("cross") else "same"


def oracle_evidence(assistant, q: Question) -> list[Evidence]:
    """What perfect retrieval and sentence selection would show the model for `q`.

    The sentences of the first indexed passage that holds the evidence (the whole passage
    when a span crosses sentences). A question whose evidence no indexed passage holds is
    an error: the oracle would otherwise turn a wrong question file into a low score.
    """
    from ..answering.retrieve import passage_from_store
    from ..answering.select import Evidence, cosine

    for meta, text in assistant.indexer.index.passages().values():
        if supports(text, q.evidence):
            sentences = [s for s in split_sentences(text) if supports(s, q.evidence)] or [text]
            # Given, not retrieved: the score is not a similarity and gates nothing here. The sentences'
            # cosine to the question is real: the cross path's answerability reads it (dense_sentence).
            vector = assistant.embeddings.embed_query(q.question)
            closest = max(cosine(vector, v) for v in assistant.answerer.sentence_vectors(sentences))
            return [Evidence(passage_from_store(meta, text, 1.0), " ".join(sentences), closest)]
    raise RagError(f"question {q.id}: no indexed passage holds its evidence, so --oracle cannot show it.")


def run_question(assistant, q: Question, oracle: bool = False) -> Record:
    """Ask through the public streaming API (what `ask` uses), timing first text and total.

    With `oracle`, an answerable question is answered from `oracle_evidence` instead of the
    retrieved sentences; everything after (generation, checks, citations) is the same code.
    """
    retrieved = [p.text for p in assistant.retrieve(q.question, k=RETRIEVAL_DEPTH)]
    if oracle and q.evidence:
        from ..answering.question import clean_question

        question = clean_question(q.question, assistant.settings.max_question_chars)  # as `stream` would
        stream = assistant.answerer.answer_from(question, detect_language(question), oracle_evidence(assistant, q))
    else:
        stream = assistant.stream(q.question)
    started = time.perf_counter()
    ttft, answer = None, None
    for item in stream:
        if ttft is None:
            ttft = time.perf_counter() - started
        if isinstance(item, Answer):
            answer = item
    latency = time.perf_counter() - started
    return Record(q, answer, retrieved, latency, ttft if ttft is not None else latency)


def run(assistant, questions: list[Question], progress: bool = True, oracle: bool = False) -> list[Record]:
    from tqdm import tqdm

    assistant.ensure_index()
    records = []
    for q in tqdm(questions, desc="eval", unit="q", disable=not progress):
        records.append(run_question(assistant, q, oracle=oracle))
    return records


def _ratio(num: float, den: float) -> float | None:
    """None when there is nothing to measure (e.g. a slice with no unanswerable questions)."""
    return round(num / den, 4) if den else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def auroc(scored: list[tuple[float, bool]]) -> float | None:
    """Area under the ROC curve of a score for right (True) against wrong: P(a right one scores higher).

    Computed by pairwise comparison (ties count half); None without both kinds.
    """
    right = [s for s, ok in scored if ok]
    wrong = [s for s, ok in scored if not ok]
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 4)


def confidence_pairs(records: list[Record]) -> list[tuple[float, bool]]:
    """(confidence, candidate right) for every record with a candidate: what calibration is judged on."""
    return [(r.answer.confidence, ok) for r in records if (ok := r.candidate_correct) is not None]


def metrics(records: list[Record]) -> dict:
    answerable = [r for r in records if r.question.answerable]
    unanswerable = [r for r in records if not r.question.answerable]
    judged = [r for r in answerable if r.question.evidence or r.question.answers]
    unsure = [r for r in records if r.answer.status == "unsure"]
    with_evidence = [r for r in answerable if r.question.evidence]  # retrieval and citations are judged on these
    ranks = [r.rank for r in with_evidence]
    citations = [c for r in with_evidence for c in r.answer.citations]
    return {
        "recall_at_1": _ratio(sum(1 for k in ranks if k and k <= 1), len(with_evidence)),
        "recall_at_3": _ratio(sum(1 for k in ranks if k and k <= 3), len(with_evidence)),
        "recall_at_5": _ratio(sum(1 for k in ranks if k and k <= 5), len(with_evidence)),
        "mrr": _ratio(sum(1 / k for k in ranks if k), len(with_evidence)),
        # Useful: answered right, or unsure showing a sentence that holds the gold evidence.
        "useful": _ratio(sum(r.useful for r in judged), len(judged)),
        "answer_acc": _ratio(sum(r.correct for r in answerable), len(answerable)),
        # The trust figures: an answer stated as fact is either right or the worst outcome there is.
        # Only "answered" counts: an unsure answer is not stated as fact.
        "answered_correct": _ratio(sum(r.correct and r.answer.status == "answered" for r in answerable), len(answerable)),
        "confident_wrong": _ratio(sum(r.answer.status == "answered" and not r.correct for r in records), len(records)),
        "unsure": _ratio(len(unsure), len(records)),
        # Of the unsure answers, those whose shown sentence holds the gold evidence.
        "unsure_with_evidence": _ratio(sum(r.unsure_with_evidence for r in unsure), len(unsure)),
        "false_refusal": _ratio(sum(r.answer.refused for r in answerable), len(answerable)),
        "refusal_acc": _ratio(sum(r.answer.refused for r in unanswerable), len(unanswerable)),
        "unanswerable_unsure": _ratio(sum(r.answer.status == "unsure" for r in unanswerable), len(unanswerable)),
        "unanswerable_answered": _ratio(sum(r.answer.status == "answered" for r in unanswerable), len(unanswerable)),
        "citation_acc": _ratio(sum(r.supported_citations > 0 for r in with_evidence), len(with_evidence)),
        "citation_precision": _ratio(sum(r.supported_citations for r in with_evidence), len(citations)),
        "lang_match": _ratio(sum(r.lang_ok for r in records), len(records)),
        "auroc": auroc(confidence_pairs(records)),
        "auroc_same": auroc(confidence_pairs([r for r in records if r.path == "same"])),
        "auroc_cross": auroc(confidence_pairs([r for r in records if r.path == "cross"])),
        "p50_s": _round(percentile([r.latency_s for r in records], 50)),
        "p95_s": _round(percentile([r.latency_s for r in records], 95)),
        "ttft_p50_s": _round(percentile([r.ttft_s for r in records], 50)),
        "n": len(records),
    }


def by_language(records: list[Record]) -> dict[str, dict]:
    return {lang: metrics([r for r in records if r.question.lang == lang]) for lang in ("ar", "en")
            if any(r.question.lang == lang for r in records)}
