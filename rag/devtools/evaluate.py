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

A non-factoid question (why, what did X say, terms, what happened, summary, timeline,
comparison; issue 39) has no one key fact: its answer quotes 2-6 article sentences under a
lead line, and a key list would judge the lead's wording, not whether the right sentences were
quoted. Such a row gives `"points": [{"point": short statement, "sentence": verbatim span}]`
instead of answers (optional `"kind"`; `"points": [], "answerable": false` for one the articles
cannot answer), and is scored on them: point recall (the share of points whose sentence a shown
sentence holds), quote precision (the share of shown sentences that hold, or are held by, some
point's sentence) and unsupported leads (a number, an Arabic content word or an English
capitalized name in the lead that no quote, rendering or the question carries; checked here
independently of the answerer's own lead check, so that check is measured, not trusted). The
points' sentences stand in as evidence, so retrieval and citation figures are computed for
these rows as for the others; `by_kind` splits every figure by the question's kind.

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

from ..answering.cite import numbers, strip_markers
from ..answering.guards import garbled_words, uncopied_words
from ..errors import RagError
from ..lang import content_terms, detect_language, normalize_arabic, same_word, split_sentences, words
from ..types import KINDS, Answer

if TYPE_CHECKING:  # for the annotation only: --oracle imports it when used
    from ..answering.select import Evidence

# A factoid row may name the kind its answer is (issue 40's typed questions): reported per kind like the others.
ASKED_KINDS = ("money", "duration", "count", "percent", "measure", "date", "weekday", "month", "year", "person",
               "place", "organisation", "title")
WORD_OVERLAP = 0.80
RETRIEVAL_DEPTH = 5
METRIC_KEYS = (
    "recall_at_1", "recall_at_3", "recall_at_5", "mrr", "useful", "answer_acc", "answered_correct", "confident_wrong",
    "unsure", "unsure_with_evidence", "false_refusal", "refusal_acc", "unanswerable_unsure", "unanswerable_answered",
    "citation_acc", "citation_precision", "lang_match", "auroc", "auroc_same", "auroc_cross",
    # Rows scored by points (non-factoid questions, issue 39); None on a set without them.
    "point_recall", "quote_precision", "leads", "unsupported_leads", "nonfactoid_false_refusal",
    "nonfactoid_unanswerable_answered", "nonfactoid_unanswerable_not_refused",
    "uncopied_answers", "guess_other_kind",
    "p50_s", "p95_s", "ttft_p50_s", "n",
)
POINT_RECALL_CORRECT = 0.5  # a points row is answered right when its answer quotes at least this share of the points
LEAD_WORD_LETTERS = 4  # an Arabic lead word this long or longer must be found in the quotes or the question


@dataclass(frozen=True)
class Point:
    """One key point of a non-factoid question: what it says, and the verbatim article span that says it."""

    point: str
    sentence: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    answers: tuple[str, ...]
    evidence: tuple[str, ...]
    marked_answerable: bool | None = None  # the file's "answerable", when it says
    points: tuple[Point, ...] = ()  # a non-factoid question's key points (scored by points, not answer keys)
    kind: str = ""  # what the question asks for (rag.types.KINDS, or an ASKED_KINDS figure kind), when the file says
    points_given: bool = False  # the row gave "points", even none (an unanswerable non-factoid question)

    @property
    def answerable(self) -> bool:
        return self.marked_answerable if self.marked_answerable is not None else bool(self.evidence)

    @property
    def by_points(self) -> bool:
        """Scored by points (point recall, quote precision, leads) rather than by answer keys."""
        return bool(self.points) or self.points_given


def _points(raw) -> tuple[Point, ...]:
    if not isinstance(raw, list):
        raise TypeError(f"points must be a list, not {type(raw).__name__}")
    points = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise TypeError(f"point {i} must be an object with 'point' and 'sentence'")
        point, sentence = item.get("point"), item.get("sentence")
        if not isinstance(point, str) or not isinstance(sentence, str) or not point.strip() or not sentence.strip():
            raise TypeError(f"point {i} needs a non-empty 'point' and 'sentence'")
        points.append(Point(point.strip(), sentence.strip()))
    return tuple(points)


def load_questions(path: Path) -> list[Question]:
    """Parse and check a question file; a bad line is an error naming the line."""
    questions: list[Question] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            given = "points" in raw
            points = _points(raw["points"]) if given else ()
            # A points row's evidence is its points' sentences unless the file gives its own.
            evidence = raw["evidence"] if "evidence" in raw else [p.sentence for p in points]
            q = Question(
                id=str(raw["id"]), question=str(raw["question"]), lang=str(raw["lang"]),
                answers=tuple(raw.get("answers", [])), evidence=tuple(evidence),
                marked_answerable=None if raw.get("answerable") is None else bool(raw["answerable"]),
                points=points, kind=str(raw.get("kind") or ""), points_given=given,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RagError(f"{path}:{lineno}: not a question line ({exc}).") from exc
        if q.evidence and not q.answerable:
            raise RagError(f"{path}:{lineno}: a question with evidence cannot be marked unanswerable.")
        if q.lang not in ("ar", "en"):
            raise RagError(f"{path}:{lineno}: lang must be 'ar' or 'en', not {q.lang!r}.")
        if q.kind and q.kind not in (*KINDS, *ASKED_KINDS):
            raise RagError(f"{path}:{lineno}: kind must be one of {', '.join((*KINDS, *ASKED_KINDS))}, not {q.kind!r}.")
        if q.evidence and not q.answers and not q.by_points:
            raise RagError(f"{path}:{lineno}: a question with evidence needs at least one answer key.")
        if q.by_points and q.answerable and not q.points:
            raise RagError(f"{path}:{lineno}: an answerable question scored by points needs at least one point.")
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


def shown_sentences(answer: Answer) -> list[str]:
    """The article sentences an answer shows: its quotes (`sentences`) and the one `sentence`, once each."""
    return [s for s in dict.fromkeys((*answer.sentences, answer.sentence)) if s.strip()]


def quote_matches_point(shown: str, points: tuple[Point, ...] | list[Point]) -> bool:
    """The shown sentence holds some point's sentence, or is held by one (a point may span more than it)."""
    return any(supports(shown, [p.sentence]) or supports(p.sentence, [shown]) for p in points)


_LATIN_WORD = re.compile(r"[^\W\d_]+")
# Arabic connectives a lead may use that state nothing (normalized, as content_terms gives them):
# lang.STOPWORDS leaves them in because they can matter to retrieval.
_LEAD_CONNECTIVES = frozenset("بحسب وفقا بينما ايضا خلال عندما بعدما كذلك لذلك فيما اثناء".split())


def _held(term: str, held: set[str]) -> bool:
    """`term` is one of `held` (lang.same_word), also without a leading conjunction و/ف that
    light_stem keeps on a four-letter word (وعجز, فقال)."""
    forms = [term] + ([term[1:]] if term[0] in "وف" and len(term) >= 4 else [])
    return any(same_word(f, h) for f in forms for h in held)


def unsupported_lead(answer: Answer, question: str = "") -> list[str]:
    """What the answer's lead states that neither its quotes, their renderings nor the question carry.

    Independent of the answerer's own lead check, so that one is measured, not trusted:
    - a number (cite.numbers: digits folded, thousands separators dropped) none of them states;
    - an Arabic lead: a content word (light-stemmed, not a number, not a connective) of
      LEAD_WORD_LETTERS or more letters that none of them holds as the same word (lang.same_word);
    - an English lead: a capitalized word after the lead's first (a name, place, month, weekday)
      that none of them holds as the same word, case aside.
    Empty when there is no lead or nothing is unsupported.
    """
    lead = strip_markers(answer.lead or "").strip()
    if not lead:
        return []
    support = " ".join([question, *shown_sentences(answer), *(q.sentence for q in answer.quotes),
                        *(q.rendering for q in answer.quotes)])
    missing = sorted(numbers(lead) - numbers(support))
    if detect_language(lead) == "ar":
        held = content_terms(support)
        for term in sorted(content_terms(lead) - _LEAD_CONNECTIVES):
            if len(term) >= LEAD_WORD_LETTERS and not term.isdigit() and not _held(term, held):
                missing.append(term)
    else:
        held = set(words(support))
        for i, match in enumerate(_LATIN_WORD.finditer(lead)):
            word = match.group(0)
            # The first word is checked too (a lead's subject is often a name), unless it is a function word.
            if (i == 0 and word in _OPENING_WORDS) or len(word) < 2 or not word[0].isupper():
                continue
            folded = normalize_arabic(word)
            if not any(same_word(folded, h) for h in held) and word not in missing:
                missing.append(word)
    return missing


_OPENING_WORDS = frozenset("The A An In On At For From By With During Since After Before According This That These Those "
                           "It Its He She They His Her Their Both While When As Despite Following".split())


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
        # for one scored by points, quoting at least half of them; for one marked answerable without keys, not refusing.
        if not q.answerable:
            self.correct = a.refused
        elif q.points:
            self.correct = not a.refused and self.point_recall >= POINT_RECALL_CORRECT
        elif q.answers:
            self.correct = not a.refused and contains_answer(a.likely_answer, q.answers)
        else:
            self.correct = not a.refused

    @property
    def shown(self) -> list[str]:
        return shown_sentences(self.answer)

    @property
    def points_quoted(self) -> int:
        """How many of the question's points a shown sentence holds; none for a refusal."""
        if self.answer.refused:
            return 0
        shown = self.shown
        return sum(any(supports(s, [p.sentence]) for s in shown) for p in self.question.points)

    @property
    def point_recall(self) -> float | None:
        """Share of the question's points the answer quotes; None for a question without points."""
        points = self.question.points
        return self.points_quoted / len(points) if points else None

    @property
    def quotes_on_point(self) -> int:
        """How many shown sentences hold (or are held by) some point's sentence."""
        return sum(quote_matches_point(s, self.question.points) for s in self.shown)

    @property
    def uncopied(self) -> list[str]:
        """The Arabic words of an unsure answer's guess that neither its sentence(s) nor the question write, clitics
        aside (guards.uncopied_words), or an answered text's garbled copies (guards.garbled_words): issue 40's
        "a copy is a copy", checked on every run."""
        a = self.answer
        if a.refused or self.question.by_points:
            return []
        source = " ".join((self.question.question, a.sentence, *a.sentences))
        # A guess must be the sentence's words; an answered text may add words of its own, not garble a copied one.
        check = uncopied_words if a.status == "unsure" else garbled_words
        return check(claimed_copy(a), source)

    @property
    def lead_unsupported(self) -> list[str]:
        """What the lead states that its quotes and the question do not (unsupported_lead)."""
        return unsupported_lead(self.answer, self.question.question)

    @property
    def supported_citations(self) -> int:
        return sum(supports(c.text, self.question.evidence) for c in self.answer.citations)

    @property
    def lang_ok(self) -> bool:
        """The answer is in the question's language; the verbatim quote is in the passage's by design."""
        a = self.answer
        own = a.likely_answer
        # A quoted answer's sentences are verbatim too: one in another language is no fault.
        for verbatim in dict.fromkeys((a.quote, *(q.sentence for q in a.quotes))):
            if verbatim and detect_language(verbatim) != self.question.lang:
                own = own.replace(verbatim, " ")
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
        """Answered right, or unsure with a shown sentence that holds the gold evidence (an answerable question).

        Scored by points: not refused, quoting at least half of the points.
        """
        a = self.answer
        if self.question.points:
            return not a.refused and self.point_recall >= POINT_RECALL_CORRECT
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
        stream = assistant.answerer.span.answer_from(question, detect_language(question), oracle_evidence(assistant, q))
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


_GUESS = re.compile(r"(?:ربما|Possibly):\s*(.*?)\s*\[\d+\]", re.S)


def claimed_copy(answer: Answer) -> str:
    """What an answer states as the articles' own words: an answered text without its markers, an unsure
    answer's guess ("Possibly: …"), nothing for an unsure answer that offers only a sentence."""
    if answer.status == "unsure":
        m = _GUESS.search(answer.text)
        return m.group(1) if m else ""
    return strip_markers(answer.text)


def guess_of_other_kind(r: Record) -> bool:
    """An unsure answer whose guess states no mention of the kind the question file says it asks for
    (money, duration, date, count, percent, measure; issue 40): a wrong answer offered, even if marked unsure."""
    from ..answering import figures

    kind = r.question.kind
    guess = claimed_copy(r.answer) if r.answer.status == "unsure" else ""
    if not guess or kind not in figures.typed_kinds():
        return False
    return not figures.holds(figures.Wanted(kind), guess)


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
        **point_metrics(records),
        # Issue 40: Arabic words an answer or guess writes that its sentence does not; guesses of another kind.
        "uncopied_answers": sum(bool(r.uncopied) for r in records),
        "guess_other_kind": sum(guess_of_other_kind(r) for r in records),
        "p50_s": _round(percentile([r.latency_s for r in records], 50)),
        "p95_s": _round(percentile([r.latency_s for r in records], 95)),
        "ttft_p50_s": _round(percentile([r.ttft_s for r in records], 50)),
        "n": len(records),
    }


def point_metrics(records: list[Record]) -> dict:
    """The figures of the rows scored by points (non-factoid questions); None each on a set without them.

    point_recall: mean share of an answerable row's points its answer quotes (a refusal quotes none).
    quote_precision: of the sentences shown by the answers (answered or unsure) to answerable rows, the
    share that hold or are held by one of the row's point sentences (micro). leads / unsupported_leads:
    answers with a lead, and those whose lead states what its quotes do not (unsupported_lead).
    """
    pointed = [r for r in records if r.question.by_points]
    answerable = [r for r in pointed if r.question.answerable and r.question.points]
    unanswerable = [r for r in pointed if not r.question.answerable]
    quoting = [r for r in answerable if not r.answer.refused]
    shown = sum(len(r.shown) for r in quoting)
    leads = [r for r in pointed if (r.answer.lead or "").strip()]
    none = not pointed
    return {
        "point_recall": _ratio(sum(r.point_recall for r in answerable), len(answerable)),
        "quote_precision": _ratio(sum(r.quotes_on_point for r in quoting), shown),
        "leads": None if none else len(leads),
        "unsupported_leads": None if none else sum(bool(r.lead_unsupported) for r in leads),
        "nonfactoid_false_refusal": _ratio(sum(r.answer.refused for r in answerable), len(answerable)),
        "nonfactoid_unanswerable_answered": _ratio(sum(r.answer.status == "answered" for r in unanswerable),
                                                   len(unanswerable)),
        "nonfactoid_unanswerable_not_refused": _ratio(sum(not r.answer.refused for r in unanswerable),
                                                      len(unanswerable)),
    }


def by_language(records: list[Record]) -> dict[str, dict]:
    return {lang: metrics([r for r in records if r.question.lang == lang]) for lang in ("ar", "en")
            if any(r.question.lang == lang for r in records)}


def record_kind(r: Record) -> str:
    """The question file's kind when it gives one, else the answer's; an answer from code older
    than issue 39 has none and went the factoid way."""
    return r.question.kind or r.answer.kind or "factoid"


def _kinds(records: list[Record]) -> list[str]:
    seen = {record_kind(r) for r in records}
    return [k for k in (*KINDS, *ASKED_KINDS) if k in seen] + sorted(seen - set(KINDS) - set(ASKED_KINDS))


def by_kind(records: list[Record]) -> dict[str, dict]:
    """`metrics` per kind of question (record_kind), in rag.types.KINDS order."""
    return {kind: metrics([r for r in records if record_kind(r) == kind]) for kind in _kinds(records)}


def by_language_kind(records: list[Record]) -> dict[str, dict[str, dict]]:
    """{lang: {kind: metrics}}: by_kind within each language."""
    return {lang: by_kind([r for r in records if r.question.lang == lang]) for lang in ("ar", "en")
            if any(r.question.lang == lang for r in records)}
