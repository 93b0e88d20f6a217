"""Our Arabic normalization and light stemming against pyarabic's and tashaphyne's (issue 18).

Keyword search indexes `rag.lang.terms(text)`: normalized (diacritics, tatweel, alef and
ta-marbuta/alef-maqsura folded, digits to ASCII), stopwords dropped, then light-stemmed
(article and clitics in front, plural/feminine/possessive endings behind). This script
swaps either half for the libraries' and measures, on every question set in tests/data:

- keyword-only recall@1/3/5 (the keyword index alone, k = 5), and
- hybrid recall@1/3/5 (the product's `retrieve`, dense + keyword fused),

with the terms function replaced in the keyword index (`rag.indexing.keyword.terms`, used
for both passages and questions), plus the speed of each terms function.

Not product code: the libraries are installed beside it for the run only.

    pip install --target /tmp/arpkgs pyarabic==0.6.15 tashaphyne==0.3.6 snowballstemmer==3.1.1
    PYTHONPATH=/tmp/arpkgs .venv/bin/python docs/experiments/arabic_terms.py > docs/experiments/arabic_terms.log
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import snowballstemmer
from pyarabic import araby
from tashaphyne.stemming import ArabicLightStemmer

import rag.indexing.keyword as keyword_module
from rag import Assistant
from rag.devtools.evaluate import RETRIEVAL_DEPTH, first_relevant_rank, load_questions
from rag.lang import (
    _WORD,
    ARABIC_LETTER,
    STOPWORDS,
    light_stem,
    normalize_arabic,
    terms,
)

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
_tashaphyne = ArabicLightStemmer()
_snowball = snowballstemmer.stemmer("arabic")


def pyarabic_normalize(text: str) -> str:
    """pyarabic's own folding: tashkeel, tatweel, hamza forms, ligatures; Latin case-folded."""
    text = araby.strip_tashkeel(araby.strip_tatweel(text))
    text = araby.normalize_hamza(araby.normalize_ligature(text), method="tasheel")
    return text.casefold()


def tashaphyne_stem(word: str) -> str:
    if not ARABIC_LETTER.match(word):
        return word
    _tashaphyne.light_stem(word)
    return _tashaphyne.get_stem() or word


def snowball_stem(word: str) -> str:
    return _snowball.stemWord(word) if ARABIC_LETTER.match(word) else word


def make_terms(normalize, stem):
    def variant(text: str) -> list[str]:
        return [stem(w) for w in _WORD.findall(normalize(text)) if normalize_arabic(w) not in STOPWORDS]

    return variant


VARIANTS = {
    "ours (normalize_arabic + light_stem)": terms,
    "ours, no stemming": make_terms(normalize_arabic, lambda w: w),
    "pyarabic normalize + our light_stem": make_terms(pyarabic_normalize, light_stem),
    "our normalize + tashaphyne light_stem": make_terms(normalize_arabic, tashaphyne_stem),
    "pyarabic normalize + tashaphyne light_stem": make_terms(pyarabic_normalize, tashaphyne_stem),
    "our normalize + snowball arabic": make_terms(normalize_arabic, snowball_stem),
}


def main() -> None:
    sets = {f.stem: [q for q in load_questions(f) if q.answerable] for f in sorted(DATA.glob("questions*.jsonl"))}
    sample = " ".join(p.read_text(encoding="utf-8") for p in sorted((DATA.parents[1] / "seeds").glob("*.txt")))
    for name, fn in VARIANTS.items():
        keyword_module.terms = fn  # passages and questions alike
        started = time.perf_counter()
        for _ in range(20):
            fn(sample)
        words_per_s = 20 * len(sample.split()) / (time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            assistant = Assistant(index_dir=Path(tmp) / "vs")
            assistant.ensure_index()
            row = {"variant": name, "words_per_s": round(words_per_s)}
            for set_name, questions in sets.items():
                kw, hy = [], []
                for q in questions:
                    hits = assistant.indexer.index.keyword_search(q.question, RETRIEVAL_DEPTH)
                    kw.append(first_relevant_rank([text for _, text, _ in hits], q.evidence))
                    hy.append(first_relevant_rank([p.text for p in assistant.retrieve(q.question, k=RETRIEVAL_DEPTH)], q.evidence))
                row[set_name] = {
                    "n": len(questions),
                    "keyword_r1/3/5": [sum(1 for r in kw if r and r <= k) for k in (1, 3, 5)],
                    "hybrid_r1/3/5": [sum(1 for r in hy if r and r <= k) for k in (1, 3, 5)],
                }
            assistant.close()
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
