"""Extractive answers: the model copies a span of the shown sentences, and only then translates it.

The prompt (prompts/extract_*) asks for the shortest phrase of the passages that answers
the question, and `CopySpans` makes the reply a verbatim span whatever the model would
rather write. The span is located in its sentence (`locate`), which gives the citation,
the quote the page highlights, and the sentence an unsure answer shows.

A question in another language than the passages (English over Arabic articles) gets the
span translated in one more turn of the same chat (prompts/translate_user.txt): only the few
words of the span, never the passage, so the model has little to get wrong, and the
verbatim span is shown beside the translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import templates
from . import figures
from ..lang import ARABIC_LETTER, LATIN_LETTER, STOPWORDS, content_terms, normalize_arabic, same_word, split_sentences
from .cite import numbers, strip_markers
from .prompt import NO_ANSWER, format_passages
from .select import Evidence

EXTRACT_INSTRUCTION = "Copy the answer from the passages."


def _user(passages, question: str) -> dict[str, str]:
    content = templates.render(
        "answer_user", passages=format_passages(passages), question=question, instruction=EXTRACT_INSTRUCTION
    )
    return {"role": "user", "content": content}


@lru_cache(maxsize=1)
def fixed_prefix() -> tuple[dict[str, str], ...]:
    """System rules, then worked examples as earlier turns (fixed, so llama.cpp caches them)."""
    turns = [{"role": "system", "content": templates.render("extract_system", no_answer=NO_ANSWER)}]
    for ex in templates.examples("extract_examples"):
        turns += [_user(ex["passages"], ex["question"]), {"role": "assistant", "content": ex["answer"]}]
    return tuple(turns)


def extract_messages(question: str, evidence: list[Evidence]) -> list[dict[str, str]]:
    return [*(dict(turn) for turn in fixed_prefix()), _user(evidence, question)]


def needs_translation(span: str, language: str) -> bool:
    """True when the span has letters of another script than the question's (digits alone need none)."""
    other = LATIN_LETTER if language == "ar" else ARABIC_LETTER
    return bool(other.search(span))


@dataclass(frozen=True)
class Located:
    """Where a copied span sits: which shown passage (0-based), which of its sentences, where in it."""

    index: int
    sentence: str
    start: int  # character offset of the span in the sentence
    end: int


def clean_span(text: str) -> str:
    """The span without the edge punctuation and whitespace a copy may carry."""
    return re.sub(r"^[\s\"'«“(،,.:;؛]+|[\s\"'»”)،,.:;؛]+$", "", text)


def locate(span: str, evidence: list[Evidence]) -> Located | None:
    """The first shown sentence that holds `span` verbatim (else after Arabic normalization)."""
    if not span:
        return None
    for exact in (True, False):
        needle = span if exact else normalize_arabic(span)
        for i, e in enumerate(evidence):
            for sentence in split_sentences(e.text) or [e.text]:
                hay = sentence if exact else normalize_arabic(sentence)
                at = hay.find(needle)
                if at >= 0:
                    # normalize_arabic keeps lengths for Arabic letters, so offsets carry over
                    return Located(i, sentence, at, at + len(span))
    return None


def quote_for(answer: str, question: str, evidence: list[Evidence]) -> tuple[str, Located | None]:
    """The longest run of the answer's words that a shown sentence holds verbatim and that adds
    something to the question (a composed answer's quote), else the sentence sharing most of
    its new words (an empty quote).

    A composed answer ("وزير الصحة الأردني هو فراس الهواري [1]") rests on a span of a
    sentence ("فراس الهواري"): that span is what the page highlights and the reader checks.
    """
    text = strip_markers(answer)
    tokens = re.findall(r"[^\s()]+", text)
    asked = content_terms(question)
    asked_numbers = numbers(question)
    best = ("", None)
    for size in range(min(len(tokens), 12), 0, -1):
        for start in range(len(tokens) - size + 1):
            span = clean_span(" ".join(tokens[start:start + size]))
            adds = numbers(span) - asked_numbers or any(
                not any(same_word(w, q) for q in asked) for w in content_terms(span)
            )
            if not span or not adds:
                continue
            where = locate(span, evidence)
            if where is not None:
                return span, where
    novel = set(new_words(text, question))
    score = 0
    for i, e in enumerate(evidence):
        for sentence in split_sentences(e.text) or [e.text]:
            shared = len(novel & content_terms(sentence))
            if shared > score:
                score, best = shared, ("", Located(i, sentence, 0, 0))
    return best


# "Which city / town / village" asks for the place's own name; "where" for the place with its city.
_ASKS_SETTLEMENT = re.compile(r"\b(?:which|what|in what)\s+(?:city|town|village)\b|(?<!\w)(?:اي|ما)\s+(?:مدينه|بلده|قريه)(?!\w)"
                              r"|(?<!\w)ما اسم (?:المدينه|البلده|القريه)(?!\w)", re.IGNORECASE)
_ASKS_WHERE = re.compile(r"\bwhere\b|(?<!\w)اين(?!\w)", re.IGNORECASE)
# "بمدينة يفلاخ", "في بلدة …", "بالعاصمة …": the settlement named right after a span, in the same sentence.
# A preposition is required: "في القاهرة، عاصمة مصر" is an apposition, not the place the span happened in.
# A name's first word that needs a second ("شرم الشيخ", "سيدي بوزيد", "عين بوسيف") takes it.
_NAME_HEAD = r"(?:شرم|سان|سانت|عين|بني|ام|ابو|راس|سيدي|بئر|دير|كفر|تل|جبل|وادي|بيت|مرسي|حمام|قصر|برج|خان)\s+\w+|(?!ال)\w+"
_SETTLEMENT_AFTER = re.compile(rf"^\s*(?:[بف]|في\s+)(?:ال)?(?:مدينه|بلده|قريه|عاصمه)(?:\s+ال\w+)?\s+({_NAME_HEAD})")
_SETTLEMENT_IN = re.compile(r"(?<!\w)(?:[بف]|في\s+)?(?:ال)?(?:مدينه|بلده|قريه|عاصمه)\s+\w+")


def place_span(question: str, span: str, sentence: str) -> str:
    """The span of a place question widened (or narrowed) to the settlement the sentence names.

    Measured: asked "In which city did … meet?", the copy stopped at "مبنى الولاية" (the province building)
    where the sentence goes on "بمدينة يفلاخ"; the reader got "Building" for a city. A "which city" question
    gets the city's name; a "where" question gets the span with the city after it.
    """
    settlement = _ASKS_SETTLEMENT.search(normalize_arabic(question))
    if not (settlement or _ASKS_WHERE.search(normalize_arabic(question))):
        return span
    norm_span, norm_sentence = normalize_arabic(span), normalize_arabic(sentence)
    if settlement and _SETTLEMENT_IN.search(norm_span):
        return span  # the span already names the settlement
    at = norm_sentence.find(norm_span)
    if at < 0 or len(norm_sentence) != len(sentence):
        return span  # offsets would not carry over (diacritics): leave the copy as it is
    after = _SETTLEMENT_AFTER.match(norm_sentence[at + len(span):])
    if not after:
        return span
    end = at + len(span) + after.end()
    if settlement:
        return sentence[at + len(span) + after.start(1):end]
    return sentence[at:end]


_ASKS_PERSON = re.compile(r"^\W*(?:who|whom)\b|\bwhich (?:minister|official|leader|president)\b|^\W*(?:من|ومن)(?!\w)",
                          re.IGNORECASE)
_NAME_WORD = re.compile(r"\s*([^\s،,.؛:()\"«»“”]+)")
NAME_WORDS = 3  # a name after a title: "وانغ يي", "جيهون بيراموف", "نيكول باشينيان"
# Words that follow a title and are no name: time words, and the verbs and prepositions news puts there.
_NOT_A_NAME = frozenset("يوم امس غدا اليوم خلال لبحث لبحثه يرافقه برفقه ضمن عقب اثناء حيث بعد قبل عند امام لدي ان انه "
                        "قد لقد سوف كما وقال وقالت واكد واضاف الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت الاحد".split())


def person_span(question: str, span: str, sentence: str) -> str:
    """A "who" question's span that is only a title, widened to the name the sentence gives after it.

    Measured: "Who did Putin meet on Wednesday?" got "وزير الخارجية الصيني" (the Chinese foreign
    minister) where the sentence goes on "وانغ يي": a title, and no name (issue 32).
    """
    words_of_span = normalize_arabic(span).split()
    if not _ASKS_PERSON.search(normalize_arabic(question)) or not figures.titles_in(span) or not all(
            w.startswith(("ال", "وال")) or figures.titles_in(w) for w in words_of_span):
        return span  # not a bare title: it names someone already ("الرئيس الروسي فلاديمير بوتين")
    at = sentence.find(span)
    if at < 0:
        return span
    end = at + len(span)
    taken = 0
    while taken < NAME_WORDS:
        m = _NAME_WORD.match(sentence, end)
        if not m:
            break
        word = normalize_arabic(m.group(1))
        if (word.startswith("ال") or word in STOPWORDS or word in _NOT_A_NAME or not ARABIC_LETTER.match(word)
                or figures.titles_in(word) or sentence[m.start():m.start(1)].strip()):
            break
        end, taken = m.end(), taken + 1
    return sentence[at:end] if taken else span


def new_words(text: str, question: str) -> list[str]:
    """The content words of `text` that the question does not already hold (inflections count as the same)."""
    asked = content_terms(question)
    return [w for w in content_terms(strip_markers(text)) if not any(same_word(w, q) for q in asked)]
