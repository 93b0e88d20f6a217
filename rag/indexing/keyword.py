"""BM25 keyword index over the stored passages, the partner of dense retrieval.

Dense embeddings find paraphrases but blur exact names and numbers ("4 شاحنات", "يفلاخ");
keyword search finds those exactly. Terms are normalized, light-stemmed Arabic (and
English) words (lang.terms), so الأذربيجانية and أذربيجان meet. The index lives in memory:
a news collection of tens of thousands of passages fits easily, and it is rebuilt from
the vector store whenever the store changes.
"""

from __future__ import annotations

import math
from collections import Counter

from ..lang import terms

K1 = 1.2  # term-frequency saturation, the usual BM25 default
B = 0.75  # length normalization, the usual BM25 default


class BM25:
    def __init__(self, ids: list[str], texts: list[str]):
        self.ids = list(ids)
        self._tf = [Counter(terms(t)) for t in texts]
        self._len = [sum(tf.values()) for tf in self._tf]
        self._avg = (sum(self._len) / len(self._len)) if self._len else 0.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(self._tf)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(id, score) of the k best-matching passages with a positive score, best first.

        `allowed`: rank only these ids (a date or source filter), None for all.
        """
        q = [t for t in dict.fromkeys(terms(query)) if t in self._idf]
        if not q:
            return []
        scored = []
        for i, tf in enumerate(self._tf):
            if allowed is not None and self.ids[i] not in allowed:
                continue
            score = 0.0
            norm = K1 * (1 - B + B * self._len[i] / self._avg) if self._avg else K1
            for t in q:
                f = tf.get(t)
                if f:
                    score += self._idf[t] * f * (K1 + 1) / (f + norm)
            if score > 0:
                scored.append((self.ids[i], score))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:k]
