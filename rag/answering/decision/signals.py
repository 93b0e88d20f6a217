"""The signals the two decisions read, each one meaning the same on any collection a user indexes.

Two questions are asked of every candidate (see `decision/__init__.py`): do the shown
sentences hold an answer at all (answerability), and is this candidate it (correctness).
The signals here are computed from the question, the shown sentences, the candidate and
what the model said while writing it. None of them rewards a candidate for repeating the
question's words: the old single model gave that overlap a weight of +0.51, and several
confidently wrong Arabic answers on the maintainers' sets did exactly that.

- *Answer type* (`asked_type`, `candidate_type`): a question asking when, how many or who
  expects a date, a number or a name. Asked when a man was born, the old pipeline answered
  with his city of birth at confidence 0.86; `type_match` is 0 for that, and `type_present`
  says whether any shown sentence holds something of the asked type at all.
- *Coverage*: the share of the question's content words a sentence holds (after Arabic
  normalization and light stemming). Unlike the fused retrieval score, it is a share of the
  question, not a similarity whose range depends on the collection. Across languages it is
  near zero by construction, which is why each path has its own calibration.
- *Grounding*: the candidate found verbatim (after normalization) in its sentence.
- *Self-check* (P(True)): the model's own P("yes") when asked whether the sentence answers
  the question with the candidate, read from the cached prompt (a one-token turn).
- *Agreement*: a few samples drawn at a raised temperature from the prompt the model has
  just read (in process, llama.cpp keeps its state, so each costs only its own tokens): how
  much of the candidate each of them says too.
"""

from __future__ import annotations

import math
import re

from ...lang import content_terms, normalize_arabic, same_word, terms, words

NUMBER, DATE, PERSON, PLACE, ORG, OTHER = "number", "date", "person", "place", "org", "other"

# Question words per asked type, matched on the normalized question (ا for أ/إ/آ, ه for ة, ي for ى).
_ASKED = (
    (DATE, r"\b(?:when|what (?:date|day|year|month|time)|which (?:date|day|year|month)|on what day|in what year)\b"
           r"|(?<!\w)(?:متي|في اي (?:يوم|عام|سنه|شهر|تاريخ)|ما (?:هو |هي )?(?:تاريخ|موعد)|اي يوم|منذ متي)(?!\w)"),
    (NUMBER, r"\b(?:how (?:many|much|long|far|old)|what (?:number|amount|quantity|percentage|share))\b"
             r"|(?<!\w)(?:كم|ما (?:هو |هي )?(?:عدد|كميه|مقدار|نسبه|حجم)|بكم)(?!\w)"),
    (PLACE, r"\b(?:where|which (?:city|town|village|country|region|place|capital)|in what (?:city|town|country))\b"
            r"|(?<!\w)(?:اين|في اي (?:مدينه|بلد|دوله|منطقه|قريه)|اي (?:مدينه|دوله|بلد|منطقه)|ما اسم (?:المدينه|القريه|البلد|الدوله|العاصمه))(?!\w)"),
    (ORG, r"\b(?:which (?:agency|organi[sz]ation|body|ministry|party|company|news agency|outlet|group))\b"
          r"|(?<!\w)(?:اي (?:وكاله|جهه|منظمه|وزاره|حزب|شركه|هيئه)|ما (?:هي )?(?:الجهه|الوكاله|المنظمه|الوزاره))(?!\w)"),
    (PERSON, r"\b(?:who|whom|whose)\b|^\W*من(?!\w)|(?<!\w)(?:من هو|من هي|من هم|من الذي|من التي|اي مسؤول|اي شخص"
             r"|ما اسم (?:الرئيس|الوزير|المسؤول|المتحدث|رئيس|وزير|مستشار))(?!\w)"),
)
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    r"كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|اب|ايلول|تشرين"
)
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|الاحد"
_DATE_WORDS = re.compile(
    rf"(?<!\w)(?:(?:{_MONTHS})|(?:{_WEEKDAYS})|امس|اليوم|غدا|yesterday|today|tomorrow|"
    r"(?:1[5-9]|20)\d\d|الثمانينيات|التسعينيات|السبعينيات|الستينيات|\d{1,2}s|(?:ال)?(?:قرن|عام|سنه)|century|decade)(?!\w)"
)
_NUMBER_WORDS = re.compile(
    r"\d|(?<!\w)(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|dozens?|"
    r"واحد|اثن|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع|عشر|مئ|مائ|الف|الاف|مليون|ملايين|عشرات|مئات|نصف|ربع)\w*"
)


def asked_type(question: str) -> str:
    """The kind of answer the question asks for (number, date, person, place, org), else "other"."""
    norm = normalize_arabic(question.lower())
    for kind, pattern in _ASKED:
        if re.search(pattern, norm):
            return kind
    return OTHER


def holds_type(text: str, kind: str) -> bool | None:
    """Does `text` hold something of `kind`? None when a surface test cannot tell (names, places)."""
    norm = normalize_arabic(text.lower())
    if kind == DATE:
        return bool(_DATE_WORDS.search(norm))
    if kind == NUMBER:
        return bool(_NUMBER_WORDS.search(norm))
    if kind in (PERSON, PLACE, ORG):
        # A name is not a bare number or date: the one mismatch a surface test can see.
        letters = [w for w in words(text) if not w.isdigit() and not _DATE_WORDS.fullmatch(normalize_arabic(w.lower()))]
        return None if letters else False
    return None


def type_match(question: str, candidate: str) -> float:
    """1 when the candidate is of the asked type, 0 when it is plainly not, 0.5 when that cannot be told."""
    found = holds_type(candidate, asked_type(question))
    return 0.5 if found is None else float(found)


def type_present(question: str, sentences: list[str]) -> float:
    """1 when some shown sentence holds something of the asked type, 0 when none does, 0.5 when unknown."""
    kind = asked_type(question)
    found = [holds_type(s, kind) for s in sentences]
    if any(f is True for f in found):
        return 1.0
    return 0.0 if found and all(f is False for f in found) else 0.5


def share_held(wanted, held) -> float:
    """Share of the `wanted` words found among the `held` ones (inflections count as the same word)."""
    wanted = list(wanted)
    if not wanted:
        return 0.0
    return sum(any(same_word(w, t) for t in held) for w in wanted) / len(wanted)


def coverage(question: str, sentence: str) -> float:
    """Share of the question's content words that `sentence` holds (inflections count as the same word)."""
    return share_held(content_terms(question), content_terms(sentence))


def grounded(candidate: str, sentence: str) -> float:
    """1 when the candidate stands in the sentence after normalization, else the share of its words that do."""
    c, s = normalize_arabic(candidate).strip(), normalize_arabic(sentence)
    if c and c in s:
        return 1.0
    return share_held(content_terms(candidate), content_terms(sentence))


def agreement(candidate: str, samples: list[str]) -> float:
    """Mean share of the candidate's words that each sample says too (inflections count as one word).

    Words, not whole strings: a composed answer wraps its span in a sentence ("the bridge is 980
    metres long"), and a sample that wraps the same span differently still agrees with it.
    A sample that declines (NO_ANSWER) or says something else shares nothing.
    """
    want = terms(candidate)
    if not want or not samples:
        return 0.0
    return sum(share_held(want, terms(sample)) for sample in samples) / len(samples)


def logprob_summary(token_logprobs: list[float]) -> tuple[float, float]:
    """(mean, min) of the chosen tokens' log-probabilities; -20 when none were seen."""
    finite = [lp for lp in token_logprobs if math.isfinite(lp)] or [-20.0]
    return sum(finite) / len(finite), min(finite)


def with_derived(values: dict[str, float]) -> dict[str, float]:
    """The signals with their log-odds forms added: `log_p_no_answer` and `self_check_logit`.

    Both probabilities sit near 0 or 1 for most questions, where a logistic model over the raw
    value cannot tell 0.001 from 0.05. On the log scale the same signals separate far better
    (5-fold cross-validated AUROC on the tuning sets, same-language path: answerability 0.74 with
    the raw probabilities, 0.89 with their logs; correctness 0.67 -> 0.77).
    """
    out = dict(values)
    if "p_no_answer" in out:
        out["log_p_no_answer"] = math.log(out["p_no_answer"] + 1e-4)
    if "self_check" in out:
        p = min(max(out["self_check"], 1e-4), 1 - 1e-4)
        out["self_check_logit"] = math.log(p / (1 - p))
    return out
