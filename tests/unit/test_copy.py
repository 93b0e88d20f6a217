"""CopySpans, the copy constraint's state machine, with a character-level stand-in tokenizer.

The real-model tests (a garbled name copied right; the grammar form on llama.cpp) are in
tests/integration/test_copy_decoding.py.
"""

from __future__ import annotations

from rag.llm.copy import CopySpans

END = -1  # the stand-in end-of-reply token


def tokenize(text: bytes) -> list[int]:
    """One token per character (its code point): enough to exercise spans and word boundaries."""
    return [ord(c) for c in text.decode("utf-8", "ignore")]


def decode(prefer: str, spans: CopySpans, limit: int = 80) -> str:
    """Greedy decoding of a model that wants to write `prefer`: its next character when the
    constraint allows it, else the end when allowed, else the smallest allowed character."""
    out = ""
    for _ in range(limit):
        allowed = spans.allowed(tokenize, {END})
        want = ord(prefer[len(out)]) if len(out) < len(prefer) else END
        if allowed is None:
            token = want
        elif want in allowed:
            token = want
        elif END in allowed:
            token = END
        else:
            token = min(allowed)
        if token == END:
            break
        out += chr(token)
        spans.advance(chr(token).encode())
    return out


SOURCES = ["Foreign minister Jeyhun Bayramov spoke at the council.", "وقال نيكول باشينيان إن أرمينيا لن تتدخل."]


def test_a_garbled_name_comes_out_as_the_passage_spells_it():
    assert decode("Jeyhun Bayramof", CopySpans(SOURCES)) == "Jeyhun Bayramov"


def test_an_arabic_name_is_copied_letter_for_letter():
    assert decode("نيكول باشينان", CopySpans(SOURCES, escapes=("NO_ANSWER",))) == "نيكول باشينيان"


def test_a_reply_starts_at_a_word_and_ends_only_at_a_word_boundary():
    spans = CopySpans(SOURCES)
    first = spans.allowed(tokenize, {END})
    assert {ord("J"), ord("B"), ord("F"), ord("و"), ord("ن")} <= first
    assert ord("y") not in first and END not in first  # not mid-word, and not empty
    for ch in "Bayra":
        spans.advance(ch.encode())
    assert spans.allowed(tokenize, {END}) == {ord("m")}  # mid-word: only the next letter, no end
    for ch in "mov":
        spans.advance(ch.encode())
    assert END in spans.allowed(tokenize, {END})


def test_words_the_sources_do_not_hold_cannot_be_written():
    spans = CopySpans(SOURCES)
    out = decode("The Ministry of Tourism", spans)
    assert out in SOURCES[0] or out in SOURCES[1]
    assert "Tourism" not in out


def test_the_escape_frees_the_reply():
    spans = CopySpans(SOURCES, escapes=("NO_ANSWER",))
    assert ord("N") in spans.allowed(tokenize, {END})
    spans.advance(b"N")
    assert spans.allowed(tokenize, {END}) is None


def test_a_span_that_occurs_twice_follows_both_until_they_part():
    spans = CopySpans(["the red car", "the red bus"])
    for ch in "the red ":
        spans.advance(ch.encode())
    assert spans.allowed(tokenize, {END}) == {ord("c"), ord("b")}


def test_multibyte_tokens_split_inside_a_letter_still_match():
    spans = CopySpans(["باشينيان"])
    raw = "باشينيان".encode()
    spans.advance(raw[:3])  # a byte-level token may end inside a two-byte letter
    spans.advance(raw[3:])
    assert spans.active and spans.can_end()
