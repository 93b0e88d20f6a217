"""The lead line above the quotes: written by the model, kept only when the quotes state it.

A 1.5B model writes a fluent first line and, now and then, a wrong one: a name, a figure or
a date no quote gives. The quotes are the answer; the lead only says it in one line, so a
lead that fails the check is dropped, never repaired (issue 39: "never state what the quotes
do not say"). The check is lexical and strict, because names cannot be told from other words
in Arabic script:

- every number the lead writes is written by a quote or the question;
- Arabic: every content word of four letters or more stands (as the same word, lang.same_word)
  in a quote or the question, save a closed table of connectives and reporting verbs that
  state no fact (LEAD_CONNECTIVES);
- English: every capitalized word, the first included (names, places, months, weekdays), stands in
  a quote's English rendering or the question, every name stands for a word of the Arabic quotes
  (names.py), and every number as above.
"""

from __future__ import annotations

import re

from ... import templates
from ...lang import content_terms, detect_language, light_stem, normalize_arabic, same_word
from ..cite import MARKER, numbers
from ..prompt import LANGUAGE_NAMES
from ..names import COMMON, unmatched_names

LEAD_TOKENS = 60  # one sentence
# Words a lead may add that state no fact (normalize_arabic, light-stemmed by the check itself).
LEAD_CONNECTIVES_AR = frozenset(
    "بسبب نتيجه اثر بهدف لاجل اجل جراء نظرا وذلك حيث ايضا كذلك بينما فيما اما اضافه الي علي وفق وفقا حسب بحسب بشان حول "
    "قال قالت اكد اكدت اعلن اعلنت اوضح اوضحت اشار اشارت ذكر ذكرت صرح صرحت اضاف اضافت يري تري يتضمن تتضمن تضمن تضمنت "
    "ينص تنص نص نصت شمل شملت يشمل تشمل مثل منها منه الاتفاق اتفاق الموقف موقف السبب الاسباب سبب اسباب ابرز اهم "
    "خلال ايام يوم الايام جاء جاءت يختلف تختلف اختلف بينهما الطرفين الطرفان الجانبين كلا كل بعض عده".split()
)
_CAPITALIZED = re.compile(r"\b[A-Z][\w'’-]*")
_EN_FUNCTION = frozenset("The A An In On At This That These Those It Its They Their He She His Her According After Before "
                         "Both While When Where Why How What Who Which However Also And But Or Meanwhile".split())


def lead_messages(question: str, language: str, sentences: list[str]) -> list[dict[str, str]]:
    """The chat that asks for a lead: rules, then the numbered quotes and the question."""
    name = LANGUAGE_NAMES[language]
    numbered = "\n".join(f"[{i}] {s}" for i, s in enumerate(sentences, start=1))
    return [
        {"role": "system", "content": templates.render("lead_system", language=name)},
        {"role": "user", "content": templates.render("lead_user", sentences=numbered, question=question, language=name)},
    ]


def clean_lead(reply: str) -> str:
    """The model's first line, without markers, quotes around it or a label ("Answer:")."""
    first = next((line for line in reply.strip().splitlines() if line.strip()), "")
    first = MARKER.sub("", first)
    first = re.sub(r"^\s*(?:answer|lead|الاجابة|الإجابة|الجواب)\s*[:：]\s*", "", first, flags=re.I)
    return re.sub(r"\s{2,}", " ", first).strip(" \"'“”«»")


def unsupported(lead: str, sources: list[str], question: str) -> list[str]:
    """The lead's words that no source (quote or rendering) nor the question states; [] when it is supported."""
    if not lead:
        return []
    stated = " ".join([*sources, question])
    missing = sorted(numbers(lead) - numbers(stated))
    if detect_language(lead) == "ar":
        held = content_terms(stated)
        for word in content_terms(lead):
            if len(word) < 4 or word in LEAD_CONNECTIVES_AR or any(same_word(word, light_stem(c)) for c in LEAD_CONNECTIVES_AR):
                continue
            if not any(same_word(word, h) for h in held):
                missing.append(word)
        return missing
    held = {normalize_arabic(w) for w in re.findall(r"[\w'’-]+", stated)}
    for m in _CAPITALIZED.finditer(lead):
        word = m.group(0).rstrip("'’s").rstrip("'’")
        if word in _EN_FUNCTION or word.lower() in COMMON:  # the first word too: a lead's subject is a name
            continue
        norm = normalize_arabic(word)
        if not any(same_word(norm, h) for h in held):
            missing.append(word)
    # A name that stands in an English rendering must also stand for a word of the Arabic quotes (names.py):
    # a rendering's wrong name ("Sarkozy" for باشينيان) must not reach the lead.
    arabic = " ".join(s for s in sources if detect_language(s) == "ar")
    if arabic:
        missing += [n for n in unmatched_names(arabic + " " + question, lead) if n not in missing]
    return missing
