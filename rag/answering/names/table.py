"""One English spelling per name for a whole collection, kept beside its index (names.json).

The 1.5B model spells a name anew each time it renders one: باشينيان came back as "Pashinyan" in one answer
and "Pashinian" or "Bashinyan" in the next, and a reader cannot tell they are one person. So a name is
transliterated once per collection and reused:

- the collection's own English text comes first: its spelling of a name (by consonant skeleton, match.py)
  is the one an English reader of those articles already knows;
- else the first spelling a checked rendering gave the Arabic word, recorded in names.json beside the index;
- the reader's own spelling of a name in the question is kept as written (callers pass it in `keep`).

A rendered name is respelled only when its skeleton equals the table's (Pashinian and Pashinyan are both
b-s-n-n): "Russian" is never made "Russia", nor one name another. Skeletons under three consonants ("Ali",
"Putin") are left as the model wrote them: too many names share them to pick one by sound.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from ...lang import detect_language, normalize_arabic
from .match import alike, names_in, skeleton_en, skeletons_ar

log = logging.getLogger(__name__)
MIN_SKELETON = 3  # consonant classes a name needs before its spelling is fixed for the collection
LEARN_WORDS = 6  # the longest quote whose rendering teaches the table (learn)
MAX_NAMES = 20_000  # learned names kept; a few hundred KB of JSON
_ARABIC_WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3]+")
_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)")


def arabic_key(word: str) -> str:
    """An Arabic word as the table keys it: normalized, without its article."""
    w = normalize_arabic(word)
    bare = _ARTICLE.sub("", w)
    return bare if len(bare) >= 3 else w


class NamesTable:
    """{Arabic word: English spelling} for one collection.

    `path`: names.json beside the index (None: kept in memory only); `passages`: a zero-argument callable
    giving the index's passages ({id: (metadata, text)}, ArticleIndex.passages, a new dict whenever the index
    changes), whose English ones are read once per index state.
    """

    def __init__(self, path: Path | None, passages: Callable[[], dict] | None = None):
        self.path = Path(path) if path else None
        self._passages = passages
        self._read: dict | None = None  # the passages the collection's spellings were read from
        self._collection: dict[str, str] | None = None  # skeleton -> the collection's own spelling
        self._learned: dict[str, str] | None = None  # arabic_key -> the first checked rendering's spelling
        self._lock = threading.Lock()

    # --- reading --------------------------------------------------------------------------------
    @property
    def collection(self) -> dict[str, str]:
        """{skeleton: the spelling the collection's English text uses most} for names of MIN_SKELETON or more."""
        passages = self.current_passages()
        if self._collection is None or passages is not self._read:
            self._read = passages
            counts: dict[str, Counter] = {}
            for _, text in passages.values():
                if detect_language(text) != "en":
                    continue
                for name in names_in(" " + text):
                    s = skeleton_en(name)
                    if len(s) >= MIN_SKELETON:
                        counts.setdefault(s, Counter())[name] += 1
            self._collection = {s: c.most_common(1)[0][0] for s, c in counts.items()}
        return self._collection

    @property
    def learned(self) -> dict[str, str]:
        if self._learned is None:
            self._learned = {}
            if self.path and self.path.exists():
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    self._learned = {str(k): str(v) for k, v in data.get("names", {}).items()}
                except (OSError, ValueError, AttributeError) as exc:  # a damaged table is rebuilt, never fatal
                    log.warning("names table %s unreadable (%s): starting a new one", self.path, exc)
        return self._learned

    def current_passages(self) -> dict:
        """The index's passages now; {} when there is no index to read (the table then holds learned names)."""
        if self._passages is None:
            return {}
        try:
            return self._passages() or {}
        except Exception as exc:  # noqa: BLE001 - names are a nicety: an unreadable index must not stop an answer
            log.warning("names table: the index's passages are unreadable (%s)", exc)
            return {}

    def spelling(self, arabic_word: str) -> str | None:
        """The collection's spelling of one Arabic word, if the table holds one."""
        collection = self.collection  # read once: each read asks the index whether it changed
        by_collection = [collection[s] for s in skeletons_ar(arabic_word) if len(s) >= MIN_SKELETON and s in collection]
        if by_collection:
            return by_collection[0]
        return self.learned.get(arabic_key(arabic_word))

    def given(self, arabic: str) -> dict[str, str]:
        """{Arabic word of `arabic`: its spelling} for the names a checked rendering already spelled: handed to
        the model. The collection's English spellings are not: they are matched by sound alone, and an ordinary
        Arabic word may share a skeleton with some English name (قالت and "Colt"); they only respell a word the
        model wrote as a name (`spelled`)."""
        found = {}
        for word in dict.fromkeys(_ARABIC_WORD.findall(arabic)):
            spelled = self.learned.get(arabic_key(word))
            if spelled:
                found[word] = spelled
        return found

    def spelled(self, arabic: str, english: str, keep: Iterable[str] = ()) -> str:
        """`english` (a rendering of `arabic`) with each name written as the table writes it.

        A name is respelled only when it stands for a word of `arabic` and its skeleton equals the table
        spelling's; names in `keep` (the reader's own) stay as written.
        """
        kept = {k.lower() for k in keep}
        words = dict.fromkeys(_ARABIC_WORD.findall(arabic))
        for name in dict.fromkeys(names_in(" " + english)):
            s = skeleton_en(name)
            if len(s) < MIN_SKELETON or name.lower() in kept:
                continue
            for word in words:
                if not any(alike(s, a) for a in skeletons_ar(word)):
                    continue
                spelled = self.spelling(word)
                if spelled and spelled != name and skeleton_en(spelled) == s:
                    english = re.sub(rf"(?<![\w'’]){re.escape(name)}(?![\w])", spelled, english)
                break
        return english

    # --- learning -------------------------------------------------------------------------------
    def learn(self, arabic: str, english: str) -> None:
        """Record the spelling a checked rendering gave each name of `arabic` it renders (first one wins).

        Only a short quote (a span answer: LEARN_WORDS Arabic words at most) teaches the table. In a rendered
        sentence a name can meet an ordinary word of the same sound: the model wrote "Anthony Guterres" for
        أنطونيو غوتيريش, and "Anthony" (n-s-n) is the sound of الإنسانية in the same sentence, not of أنطونيو
        (n-t-n); a table that learned it would have handed the model "الإنسانية = Anthony" ever after.
        """
        words = dict.fromkeys(_ARABIC_WORD.findall(arabic))
        if len(words) > LEARN_WORDS:
            return
        added = {}
        for name in dict.fromkeys(names_in(" " + english)):
            s = skeleton_en(name)
            if len(s) < MIN_SKELETON:
                continue
            word = next((w for w in words if s in skeletons_ar(w)), None)  # the same sound, not a prefix
            if word is None:
                continue
            key = arabic_key(word)
            if key not in self.learned and self.spelling(word) is None:
                added[key] = name
        if added:
            with self._lock:
                if len(self.learned) + len(added) > MAX_NAMES:
                    self.learned.clear()
                self.learned.update(added)
                self.save()

    def save(self) -> None:
        """Written whole to a temporary file, then renamed: a reader never sees half a table."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": 1, "names": self.learned}, ensure_ascii=False, indent=0),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only index still answers; the names are kept for this process
            log.warning("names table %s not saved (%s)", self.path, exc)
