"""Constrained decoding that can only copy: the reply is a verbatim span of the shown sentences.

Why: handed the very sentence that holds the answer, the bundled 1.5B model still got a
third of the answers wrong (`rag eval --oracle`, tuning set): it garbled a copied Arabic
name, dropped a digit or paraphrased a term. A reply that may only continue some span of
the sentences it was shown cannot garble what it copies; what is left to the model is
*where* the span starts and ends, which it judges far better than it spells.

`CopySpans` is the backend-neutral state machine, on bytes (a token may end inside an
Arabic letter's UTF-8 sequence). A backend asks it, before each token, which token ids
may come next (`allowed`), and tells it which one came (`advance`). At the first token
it also allows the first token of each `escape` (the NO_ANSWER sentinel); after an
escape decoding is free. An end-of-reply token is allowed only at a word boundary of the
source, so a span never ends inside a word. The in-process backend applies it as a
llama.cpp logits processor; `gbnf()` gives the same language as a grammar for servers
that take one (llama_cpp.server's `grammar` field).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_WORD_START = re.compile(r"(?:^|(?<=[\s\"'(«“]))[^\s\"'(«“]")
_PROCLITIC = re.compile(r"^(?:وال|بال|فال|كال|لل|ال|و|ب|ل|ف|ك)")
COMMITTED = 3  # letters of a word copied before a guided copy must finish it (measured: after "ال" alone
# the constraint forced nonsense, "ال كلمة ل Birاموف")
LOOKAHEAD_BYTES = 64  # enough for any one token (the longest Arabic word is ~30 bytes)


def _boundary(text: bytes, pos: int) -> bool:
    """True at the end of `text` or before a character that is not a letter or digit."""
    if pos >= len(text):
        return True
    char = text[pos:pos + 4].decode("utf-8", "ignore")[:1]
    return not char or not (char.isalnum() or unicodedata.category(char).startswith("M"))


class CopySpans:
    """Which tokens may come next so that the reply stays a verbatim span of `sources`.

    `tokenize(b) -> list[int]` and the end-of-reply ids come from the backend, so the
    logic here is tested without a model (tests/unit/test_copy.py) and shared by backends.
    """

    def __init__(self, sources: list[str], escapes: tuple[str, ...] = (), *, guided: bool = False):
        self.guided = guided
        texts = [s for s in sources if s.strip()]
        self.sources = [s.encode("utf-8") for s in texts]
        self.escapes = tuple(e.encode("utf-8") for e in escapes)
        self.starts = [(i, len(s[:m.start()].encode("utf-8"))) for i, s in enumerate(texts) for m in _WORD_START.finditer(s)]
        self.emitted = b""
        self.active: list[tuple[int, int]] | None = None  # None: nothing copied yet
        self.escaped = False

    # --- what may come next -----------------------------------------------------------
    def allowed(self, tokenize: Callable[[bytes], list[int]], ends: set[int]) -> set[int] | None:
        """Token ids that keep the reply a span (or start an escape); None means anything.

        Guided: the reply is free, except inside a word it is copying from a source, where
        it must finish the word as the source spells it or break off (the backend adds the
        tokens that start with a space or punctuation to the ids returned here).
        """
        if self.escaped:
            return None
        if self.guided:
            if not self.active or any(_boundary(self.sources[i], p) for i, p in self.active):
                return None
            if not any(self._committed(self.sources[i], p) for i, p in self.active):
                return None  # "ال" or "Ba" starts many words: not yet a word the model is copying
            ids = set()
            for i, p in self.active:
                ids |= self._continuations(tokenize, self.sources[i], p)
            ids.discard(None)
            return ids | ends
        if self.active is None:
            ids = {self._first(tokenize, self.sources[i][p:p + LOOKAHEAD_BYTES]) for i, p in self.starts}
            ids |= {self._first(tokenize, e) for e in self.escapes}
        else:
            ids = set()
            for i, p in self.active:
                ids |= self._continuations(tokenize, self.sources[i], p)
            if self.can_end() or not ids:
                ids |= ends
        ids.discard(None)
        return ids

    def can_end(self) -> bool:
        """A span has been copied and ends at a word boundary of its source."""
        return bool(self.active) and bool(re.search(r"\w", self.emitted.decode("utf-8", "ignore"))) and any(
            _boundary(self.sources[i], p) for i, p in self.active
        )

    @staticmethod
    def _committed(source: bytes, pos: int) -> bool:
        """At least COMMITTED letters of the current word are copied, not counting Arabic proclitics."""
        start = pos
        while start > 0 and not _boundary(source, start - 1):
            start -= 1
        word = source[start:pos].decode("utf-8", "ignore")
        return len(_PROCLITIC.sub("", word)) >= COMMITTED

    @staticmethod
    def _first(tokenize, text: bytes) -> int | None:
        ids = tokenize(text)
        return ids[0] if ids else None

    def _continuations(self, tokenize, source: bytes, pos: int) -> set[int]:
        """The canonical next token of the rest of the source, and every single token that
        spells a shorter prefix of its next word (the model may split a word differently)."""
        rest = source[pos:pos + LOOKAHEAD_BYTES]
        if not rest:
            return set()
        ids = {self._first(tokenize, rest)}
        word = re.match(rb"\s*[^\s]*", rest).group(0)
        text = word.decode("utf-8", "ignore")
        for n in range(1, len(text) + 1):
            piece = tokenize(text[:n].encode("utf-8"))
            if len(piece) == 1:
                ids.add(piece[0])
        return ids

    # --- what came -------------------------------------------------------------------
    def advance(self, piece: bytes) -> None:
        """Record the bytes of the token that was chosen."""
        if self.escaped:
            return
        if self.guided:
            self.emitted += piece
            kept = [(i, p + len(piece)) for i, p in self.active or [] if self.sources[i].startswith(piece, p)]
            if not kept:  # not (or no longer) copying: does this token start a source word?
                core = piece.lstrip()
                kept = [(i, p + len(core)) for i, p in self.starts
                        if core and re.search(r"\w", core.decode("utf-8", "ignore")) and self.sources[i].startswith(core, p)]
            self.active = kept or None
            return
        if self.active is None:
            if any(e.startswith(piece) and piece for e in self.escapes):
                self.escaped = True
                return
            self.active = [(i, p) for i, p in self.starts]
        self.emitted += piece
        self.active = [(i, p + len(piece)) for i, p in self.active if self.sources[i].startswith(piece, p)]

    # --- the same language as a grammar ------------------------------------------------
    def gbnf(self) -> str:
        """A GBNF grammar for the same replies: any run of whole words of one source, or an escape.

        Linear in the sources' length: rule w{i}-{k} is word k of source i, then optionally
        the rest of that source from word k+1 on.
        """
        rules, alternatives = [], []
        for i, source in enumerate(self.sources):
            text = source.decode("utf-8")
            tokens = re.findall(r"\S+\s*", text)
            for k in range(len(tokens) - 1, -1, -1):
                word = tokens[k]
                literal = _gbnf_literal(word.rstrip())
                gap = _gbnf_literal(word[len(word.rstrip()):] or " ")
                rest = f" ({gap} w{i}-{k + 1})?" if k + 1 < len(tokens) else ""
                rules.append(f"w{i}-{k} ::= {literal}{rest}")
                alternatives.append(f"w{i}-{k}")
        alternatives += [_gbnf_literal(e.decode("utf-8")) for e in self.escapes]
        root = " | ".join(alternatives) or '""'
        return "\n".join([f"root ::= {root}", *rules]) + "\n"


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
