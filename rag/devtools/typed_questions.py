"""Typed questions generated from articles' own mentions: a question set no tuning can fit (issue 40).

    python -m rag.devtools.typed_questions ARTICLES_DIR [--per-article 3] [--seed 7] > questions.jsonl

For each article (a headline, a dateline, paragraphs: the seeds' .txt format), every figure and date its
sentences state is typed by the tables (figures.mentions). A few are drawn per article, spread over the
kinds, and the model writes one question per mention, alternately in Arabic and English, asking for that
kind and, when the mention's clause carries a time ("في العام الماضي", "in 2024"), that time. The mention
as written is the answer key, its sentence the evidence. A question that writes a digit of its answer, that
the model wrote in the other language, or an Arabic one that shares fewer than two content words with its
sentence (a fragment), is dropped; a relative date ("العام الجاري") is never asked for.

Near-miss unanswerable questions ask, about the article's own headline, for a kind the article states
nowhere (a cost where it gives only counts; a duration where it gives only a cost), and, when the
article gives a figure for one year only, for that figure a year earlier.

What the model writes is not read by the answerer's tables: the kind is the mention's, the question
its own words, so the answerer's reading of the kind is tested, not assumed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from .. import templates
from ..answering import figures
from ..lang import content_terms, detect_language, split_sentences

KIND_WORDS = {
    "money": ("an amount of money (a cost, budget, price, value, revenue or funding)", "مبلغ مالي (تكلفة أو ميزانية أو سعر أو قيمة أو إيرادات أو تمويل)"),
    "duration": ("a length of time (how long)", "مدة زمنية (كم من الوقت)"),
    "percent": ("a percentage", "نسبة مئوية"),
    "measure": ("a measure with its unit (area, capacity, weight, length, energy)", "قياس بوحدته (مساحة أو سعة أو وزن أو طول أو طاقة)"),
    "count": ("a number of things (how many)", "عدد من الأشياء (كم)"),
    "date": ("a date (when)", "تاريخ (متى)"),
    "year": ("a year (which year)", "سنة (في أي عام)"),
}
ASKED_ABSENT = {  # a kind the article may not state, asked about its headline
    "money": ("how much it cost", "كم بلغت تكلفته"),
    "duration": ("how long it took", "كم استغرق من الوقت"),
    "percent": ("by what percentage it changed", "بأي نسبة مئوية تغير"),
}
LANGUAGES = {"en": "English", "ar": "Arabic"}


def read_article(path: Path) -> tuple[str, list[str]]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0], lines[2:]


def ask_model(llm, prompt: str) -> str:
    reply = "".join(llm.stream_chat([{"role": "user", "content": prompt}], max_tokens=60, temperature=0.0))
    line = reply.strip().splitlines()[0].strip(" \"'“”«»") if reply.strip() else ""
    return line


def _scope(mention: figures.Mention, language: str) -> str:
    years = sorted(set(re.findall(r"(?:19|20)\d\d", mention.clause)))
    if re.search(r"(?:العام|السنه)\s+(?:الماضي|السابق|المنصرم)", mention.clause):
        return ", for last year" if language == "en" else "، للعام الماضي"
    if len(years) == 1:
        return f", for {years[0]}" if language == "en" else f"، لعام {years[0]}"
    return ""


def generate(articles: Path, llm, per_article: int = 3, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for path in sorted(articles.glob("*.txt")):
        headline, paragraphs = read_article(path)
        sentences = [s for p in paragraphs for s in split_sentences(p)]
        typed = [(s, m) for s in sentences for m in figures.mentions(s)
                 if m.kind in KIND_WORDS and (m.kind != "count" or m.amount is not None)
                 and (m.kind != "date" or re.search(r"\d", m.text))]  # "العام الجاري" is no date to ask for
        by_kind: dict[str, list] = {}
        for s, m in typed:
            by_kind.setdefault(m.kind, []).append((s, m))
        kinds = list(by_kind)
        rng.shuffle(kinds)
        for k, kind in enumerate(kinds[:per_article]):
            sentence, mention = rng.choice(by_kind[kind])
            language = "ar" if (len(rows) + k) % 2 == 0 else "en"
            i = 0 if language == "en" else 1
            prompt = templates.render("typed_question_user", sentence=sentence, language=LANGUAGES[language],
                                      figure=mention.text, kind=KIND_WORDS[kind][i], scope=_scope(mention, language))
            question = ask_model(llm, prompt)
            digits = set(re.findall(r"\d{2,}", mention.text))
            if not question or detect_language(question) != language or any(d in question for d in digits):
                continue
            # An Arabic question must name its subject with the sentence's own words (the 1.5B model's Arabic
            # questions were often fragments: "ما هو العام الحالي؟"); an English one shares no words with it.
            if language == "ar" and (len(question.split()) < 4 or len(set(content_terms(question)) & set(content_terms(sentence))) < 2):
                continue
            rows.append({"id": f"gen-{path.stem}-{kind}", "question": question, "lang": language, "kind": kind,
                         "answers": [mention.text], "evidence": [mention.text]})
        stated = {m.kind for _, m in typed}
        for kind, (english, arabic) in ASKED_ABSENT.items():
            if kind in stated:
                continue
            language = "ar" if len(rows) % 2 == 0 else "en"
            prompt = templates.render("typed_unanswerable_user", headline=headline, language=LANGUAGES[language],
                                      kind=english if language == "en" else arabic)
            question = ask_model(llm, prompt)
            if question and detect_language(question) == language:
                rows.append({"id": f"gen-{path.stem}-no-{kind}", "question": question, "lang": language, "kind": kind,
                             "answers": [], "evidence": []})
            break  # one absent kind an article
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("--per-article", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    from ..assistant import Assistant

    for row in generate(args.articles, Assistant().llm, args.per_article, args.seed):
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
