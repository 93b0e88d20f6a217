"""Turn the model's [n] markers into `Citation`s, and keep them honest.

The answer is checked sentence by sentence. A marker survives only when its passage
supports the sentence it ends: shared content words or numbers (after Arabic
normalization), or, across languages where words cannot match, a dense similarity close
to the best passage's. A sentence left without a valid marker (the model forgot, or
pointed at the wrong passage) is attributed to its best supporting passage, if one
supports it clearly. Markers pointing at no passage are removed, never shown as dead
references, and only passages the final text points at become citations.

`ungrounded_numbers` serves the refusal decision: a number no passage states is the
commonest way a small model invents an answer. One kind is repaired instead: a year the
model appends to a passage's day and month (`drop_invented_years`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lang import ARABIC_LETTER, LATIN_LETTER, detect_language, normalize_arabic, split_sentences, terms
from .retrieve import Passage
from .types import Citation

# [1], [1, 2], [1،2], [1][2]; also the fullwidth and Arabic-Indic digits models sometimes emit.
MARKER = re.compile(r"\[\s*([0-9٠-٩]+(?:\s*[,،]\s*[0-9٠-٩]+)*)\s*\]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
MIN_SHARED_WORDS = 2  # fewer shared words than this is coincidence, not support
_SHORT_WORD = 2  # words this short (و، في، of, a) say nothing about support
_NUMBER = re.compile(r"\d+(?:[.,،٬]\d+)*")
MIN_DENSE = 0.2  # below this an answer sentence and a passage are about different things (measured:
# correct one-name English answers score 0.24-0.4 against their Arabic passage)
DENSE_MARGIN = 0.05  # a cited passage this close to the best-supporting one is a fair citation


def _numbers(group: str) -> list[int]:
    return [int(n.translate(_ARABIC_DIGITS)) for n in re.split(r"\s*[,،]\s*", group.strip())]


def _content_words(text: str) -> set[str]:
    """Light-stemmed words that can carry evidence (الخارجية and خارجية are one)."""
    return {w for w in terms(text) if len(w) > _SHORT_WORD}


def best_supporting(text: str, passages: list[Passage]) -> int | None:
    """1-based number of the passage sharing the most content words with `text`, if clear."""
    answer_words = _content_words(text)
    best, best_shared = None, MIN_SHARED_WORDS - 1
    for i, passage in enumerate(passages, start=1):
        shared = len(answer_words & _content_words(passage.text))
        if shared > best_shared:
            best, best_shared = i, shared
    return best


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers (for matching and language checks)."""
    return MARKER.sub(" ", text)


def has_content(text: str) -> bool:
    """False for an 'answer' that is only markers and punctuation, e.g. '[1]'."""
    return bool(re.search(r"\w", strip_markers(text)))


def numbers(text: str) -> set[str]:
    """The numbers a text states (Arabic-Indic digits folded, thousands separators dropped)."""
    norm = normalize_arabic(strip_markers(text))
    return {re.sub(r"(?<=\d)[,،٬](?=\d{3}\b)", "", n) for n in _NUMBER.findall(norm)}


def stated_numbers(sources: list[str]) -> set[str]:
    """Every number any of the sources (passages, question) states."""
    return set().union(*(numbers(source) for source in sources))


def ungrounded_numbers(answer: str, sources: list[str]) -> set[str]:
    """Numbers in the answer that none of the sources (passages, question) states."""
    return numbers(answer) - stated_numbers(sources)


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|"
    "يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
)
# A day and month ("September 19", "19 سبتمبر/أيلول"), then a year: the year is what a small
# model adds from its own memory when the passage dates an event by weekday and month only.
_DATED_YEAR = re.compile(
    rf"((?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})"
    rf"(?:\s*/\s*(?:{_MONTHS}))?))(\s*[,،]?\s*)((?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)


def drop_invented_years(answer: str, sources: list[str]) -> str:
    """The answer without a year appended to a day-and-month date when no source states that year.

    Measured: asked for the date of the 19 September operation, which the passage gives as
    "الثلاثاء 19 سبتمبر/أيلول" with no year, the model answered "Tuesday, September 19, 2018".
    The day and month are the passage's; the year is invented. Dropping it keeps the grounded
    part, where refusing (as for any other invented number) would throw a right answer away.
    A year that any source states is left alone.
    """
    if not _DATED_YEAR.search(answer):
        return answer  # the common case: no dated year, no need to read the sources' numbers
    given = stated_numbers(sources)

    def keep_or_drop(match: re.Match) -> str:
        return match.group(0) if match.group(3) in given else match.group(1)

    return _DATED_YEAR.sub(keep_or_drop, answer)


def _same_word(a: str, b: str) -> bool:
    """One word in two inflections: plans/plan, أرمينيا/أرمينية stems; the shorter has >= 4 letters."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short[:-1] if len(short) > 4 else short)


_YES_NO = re.compile(r"(?<!\w)(yes|no|not|never|نعم|لا|كلا|لم|لن|ليس|ليست)(?!\w)", re.IGNORECASE)


def adds_nothing(answer: str, question: str) -> bool:
    """True when the answer only repeats the question ("وزير الخارجية الصيني [1]").

    A 1.5B model that cannot find the answer in the passage often echoes the question back
    with a citation. Such a reply states no fact, and the citation it carries would vouch for
    nothing, so it is treated as no answer. Inflections count as the same word (the model
    writes "plans" for "plan").
    """
    if _YES_NO.search(strip_markers(answer)):
        return False  # "No, … [1]" or "لم …" answers a yes/no question with the question's words
    asked = _content_words(question)
    added = [w for w in _content_words(strip_markers(answer)) if not any(_same_word(w, q) for q in asked)]
    return not added and not (numbers(answer) - numbers(question))


# The model saying, in its own words, that the passages lack the answer: "… is not mentioned
# in the passage", "لم تذكر عدد الجنود". Specific phrases only: a plain negation ("Armenia did
# not intervene", "لم تسع أرمينيا") is a fact from the passage and stays an answer.
_NOT_FOUND = re.compile(
    r"\b(?:not|n't|never)\s+(?:been\s+)?(?:mentioned|specified|stated|given|provided|available|reported|included)\b"
    r"|\b(?:does|do|did)\s+not\s+(?:say|mention|specify|state|give|provide|include|contain)\b"
    r"|\bno\s+(?:information|mention|details?)\b"
    r"|(?<!\w)(?:لا|لم)\s+(?:تذكر|يذكر|تتضمن|يتضمن|تحتوي|يحتوي|ترد|يرد)(?!\w)|غير\s+(?:متوفر|متوفرة|مذكور|مذكورة)(?!\w)"
    r"|لم\s+يتم\s+ذكر|لا\s+توجد\s+معلومات",
    re.IGNORECASE,
)


def says_not_found(answer: str) -> bool:
    """True when the reply states that the passages do not give the answer.

    The prompt asks for NO_ANSWER in that case, but the model sometimes says it in a sentence
    instead ("لا تذكر عدد الجنود الذين كانوا في السيارة [2]", measured on unanswerable
    questions). Shown as an answer with a citation it would look like a fact from the
    article; it is a refusal, and is treated as one.
    """
    return bool(_NOT_FOUND.search(strip_markers(answer)))


_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")


def tidy_parentheses(answer: str, language: str, shown: list[str]) -> str:
    """Drop parenthesised spellings the passages do not give, or that repeat what precedes them.

    English answers give a name's Arabic spelling in parentheses (the worked examples teach
    it); a small model sometimes invents that spelling ("(آرمينيا)"), writes another script
    ("(温家宝)"), or carries the habit into Arabic answers ("أرمينيا (أرمينيا)"). An invented
    spelling shown as if quoted from the article misleads the reader, so only Arabic whose
    words are mostly in the passages stays, and an Arabic answer keeps no parenthesis that
    repeats it.
    """
    if "(" not in answer:
        return answer  # the common case: nothing to normalize the passages for
    sources = normalize_arabic(" ".join(shown))
    source_terms = _content_words(" ".join(shown))

    def keep(match: re.Match) -> str:
        inner = match.group(1).strip()
        if not inner or LATIN_LETTER.search(inner) or re.search(r"\d", inner):
            return match.group(0)  # Latin text, numbers: an explanation, not a spelling
        if not ARABIC_LETTER.search(inner):
            return ""  # neither Latin nor Arabic: another script ("温家宝") the passages cannot hold
        norm = normalize_arabic(inner)
        before = normalize_arabic(answer[max(0, match.start() - len(inner) - 12):match.start()])
        if language == "ar" and norm in before:
            return ""  # an Arabic answer repeating itself
        inner_terms = _content_words(inner)
        found = norm in sources or len(inner_terms & source_terms) * 2 >= max(len(inner_terms), 1)
        return match.group(0) if found else ""

    return _PARENTHESIS.sub(keep, answer)


def _segments(text: str) -> list[tuple[str, list[int]]]:
    """The answer as (sentence without markers, marker numbers) pairs.

    A marker opening a sentence ("… 2023. [1] The …") belongs to the sentence before it.
    """
    segments: list[tuple[str, list[int]]] = []
    for sentence in split_sentences(text):
        lead = re.match(r"^(\s*" + MARKER.pattern + r")+", sentence)
        if lead and segments:
            body, cited = segments[-1]
            segments[-1] = (body, cited + [n for g in MARKER.findall(lead.group(0)) for n in _numbers(g)])
            sentence = sentence[lead.end():]
        cited = [n for g in MARKER.findall(sentence) for n in _numbers(g)]
        body = re.sub(r"[ \t]{2,}", " ", strip_markers(sentence))
        body = re.sub(r"\s+([.،,؟?!:؛])", r"\1", body).strip()
        if has_content(body):
            segments.append((body, cited))
        elif segments:  # a stray marker or punctuation: its markers go to the sentence before
            segments[-1] = (segments[-1][0], segments[-1][1] + cited)
    return segments


def _with_markers(sentence: str, cited: list[int]) -> str:
    if not cited:
        return sentence
    body, end = re.match(r"(.*?)([.!?؟…]*)$", sentence, re.S).groups()
    return f"{body} {''.join(f'[{n}]' for n in cited)}{end}"


def cite(
    text: str,
    passages: list[Passage],
    shown: list[str] | None = None,
    support: Callable[[list[str], list[str]], list[list[float]]] | None = None,
    question: str = "",
) -> tuple[str, list[Citation]]:
    """The answer with every [n] checked sentence by sentence, and the citations used (in order).

    `shown`: the text of each passage as the model saw it (default: the whole passage).
    `support(sentences, shown)`: dense similarity of each sentence to each shown text; it is
    what judges support across languages (an English sentence about an Arabic passage),
    where shared words cannot. Words the answer only repeats from `question` prove nothing
    ("وزير الدفاع هو …" shares وزير and الدفاع with many passages): what the answer adds
    must be in the passage. A marker stays when its passage supports the sentence
    (shared content words or numbers, or dense similarity close to the best passage's);
    a sentence left without one is attributed to its best supporting passage, if any.
    """
    shown = shown if shown is not None else [p.text for p in passages]
    segments = _segments(text)
    dense = support([body for body, _ in segments], shown) if support and segments and shown else None
    shown_terms = [_content_words(t) for t in shown]
    shown_numbers = [numbers(t) for t in shown]
    question_terms = _content_words(question)
    shown_language = detect_language(" ".join(shown))
    order: list[int] = []
    out: list[str] = []
    for j, (body, cited) in enumerate(segments):
        body_terms, body_numbers = _content_words(body), numbers(body)
        novel = body_terms - question_terms
        if novel:  # one word the answer adds, found in the passage, is support
            body_terms, enough = novel, 1
        else:  # the answer only restates the question: ask for two shared words
            enough = min(MIN_SHARED_WORDS, max(len(body_terms), 1))
        lexical = [len(body_terms & t) + 2 * len(body_numbers & n) for t, n in zip(shown_terms, shown_numbers)]
        # The embedder judges only across languages; within one, shared words are the sharper test.
        sims = dense[j] if dense and detect_language(body) != shown_language else None

        def supported(n: int) -> bool:
            i = n - 1
            if lexical[i] >= enough:
                return True
            return sims is not None and sims[i] >= MIN_DENSE and sims[i] >= max(sims) - DENSE_MARGIN

        kept = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages) and supported(n)]
        if not kept:
            best = max(range(len(shown)), key=lambda i: lexical[i], default=None)
            if best is not None and lexical[best] >= enough:
                kept = [best + 1]
            elif sims:
                best = max(range(len(sims)), key=lambda i: sims[i])
                if sims[best] >= MIN_DENSE:
                    kept = [best + 1]
        for n in kept:
            if n not in order:
                order.append(n)
        out.append(_with_markers(body, kept))
    citations = [
        Citation(n=n, doc_id=p.doc_id, title=p.title, text=p.text, score=p.score, paragraph=p.paragraph, also_in=p.also_in)
        for n, p in ((n, passages[n - 1]) for n in order)
    ]
    return " ".join(out), citations
