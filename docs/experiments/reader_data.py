"""Issue 43's data recipe: the Arabic reading-comprehension questions this project may train on, checked and joined.

Usage:
  python docs/experiments/reader_data.py OUT_DIR [--sample 30]

Sources, each read from a repository snapshot (`fetch`), never from a model hub or a website:

| source | repository : path | what it is |
|---|---|---|
| ARCD train | zeyadahmed10/Arabic-MRC : Data/arcd-train.json | 693 questions on 77 Arabic Wikipedia articles |
| Arabic-SQuAD, a 10% slice | zergawi/Extractive-Ai : dev-v2.0-ar.json | 4,426 questions, 24 articles of SQuAD *train* machine-translated (its file name notwithstanding: its articles are checked below against SQuAD's development articles) |
| AAQAD dev | zeyadahmed10/Arabic-MRC : Data/AAQAD-dev.json | 1,926 questions, 29 articles, 733 without an answer |
| AAQAD test | zeyadahmed10/Arabic-MRC : Data/AAQAD-test.json | 3,262 questions, 60 articles, 1,085 without an answer |

Never read: ARCD test (its file sits beside ARCD train's in the same snapshot), TyDi QA, XQuAD, MLQA, and
SQuAD's development articles. The recipe:

1. AAQAD's articles تبديل الرزم, جامعة هارفارد and جهاز مناعي are dropped: they translate SQuAD development articles
   (Packet_switching, Harvard_University, Immune_system), from which a set the product is scored on was built.
   Every article of every source is also checked against the titles of SQuAD's development articles, in English
   and in Arabic (SQUAD_DEV): any match is dropped and counted.
2. An answer is kept only when its text is at its offset (context[start:start+len] == text). One found elsewhere
   in the paragraph is dropped, not moved: which occurrence the writer meant is not known.
3. ARCD train is split as issue 34's pilot split it: article i is held back when i % 7 == 0, to choose and judge,
   and every other source's article of the same title (ARCD and AAQAD share some: سل, إيران, تقويم ميلادي) goes
   with it, so no held-back paragraph is trained on under another source's name.
4. A question without an answer (AAQAD's is_impossible) is kept as a no-answer example: the reader's no-answer
   score learns from real Arabic questions that their paragraph does not answer.
5. AAQAD's *answered* questions are left out unless `--aaqad-answers`. The hand check (2026-12-06, 25 drawn at
   random from each source with seed 43, read against their paragraph): the answer at its offset is the answer
   to the question for ARCD train as the pilot found, for 21 of 25 of the Arabic-SQuAD slice (4 wrong: "وف",
   "في", "على", "الخمس التي"), but for only 10 of 25 in AAQAD dev and about 10 of 25 in AAQAD test ("على",
   "الذي", "لكن", "بذاته", a year for a count): AAQAD's answers were projected onto Arabic Wikipedia's own
   articles, and the projection often lands on a neighbouring word. Its no-answer questions read right: of 8
   read, 7 are not answered by their paragraph (one is: "more than 300 states in about 1796").

Writes OUT_DIR/train.json and OUT_DIR/held_back.json (SQuAD 2.0's layout, each question tagged with its source),
OUT_DIR/recipe.json (every count), and OUT_DIR/sample.md: `--sample` aligned answers drawn at random from each
source, each with its question and the sentence around it, for the hand check the issue asks for. The run of
2026-12-06 (`--sample 25`): reader_data.recipe.json and reader_data.sample.md beside this script.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

MIRRORS = Path("/work/.mirror")
SOURCES = {  # name: (repository, path inside it)
    "arcd_train": ("zeyadahmed10/Arabic-MRC", "Data/arcd-train.json"),
    "arabic_squad_slice": ("zergawi/Extractive-Ai", "dev-v2.0-ar.json"),
    "aaqad_dev": ("zeyadahmed10/Arabic-MRC", "Data/AAQAD-dev.json"),
    "aaqad_test": ("zeyadahmed10/Arabic-MRC", "Data/AAQAD-test.json"),
}
NEVER = ("tydi", "xquad", "mlqa")  # a path naming one of these is refused outright, as is ARCD's test file
AAQAD_DROPPED = {"تبديل الرزم", "جامعة هارفارد", "جهاز مناعي"}
# SQuAD 1.1's 48 development articles (v2.0's 35 are among them), and the Arabic titles their translations carry.
SQUAD_DEV = {
    "Super_Bowl_50", "Warsaw", "Normans", "Nikola_Tesla", "Computational_complexity_theory", "Teacher",
    "Martin_Luther", "Southern_California", "Sky_(United_Kingdom)", "Victoria_(Australia)", "Huguenot",
    "Steam_engine", "Oxygen", "1973_oil_crisis", "Apollo_program", "European_Union_law", "Amazon_rainforest",
    "Ctenophora", "Fresno,_California", "Packet_switching", "Black_Death", "Geology", "Newcastle_upon_Tyne",
    "Victoria_and_Albert_Museum", "American_Broadcasting_Company", "Genghis_Khan", "Pharmacy", "Immune_system",
    "Civil_disobedience", "Construction", "Private_school", "Harvard_University", "Jacksonville,_Florida",
    "Economic_inequality", "Doctor_Who", "University_of_Chicago", "Yuan_dynasty", "Kenya",
    "Intergovernmental_Panel_on_Climate_Change", "Chloroplast", "Prime_number", "Rhine", "Scottish_Parliament",
    "Islamism", "Imperialism", "United_Methodist_Church", "French_and_Indian_War", "Force",
    # Arabic titles of the same articles
    "سوبر بول 50", "وارسو", "نورمان", "النورمان", "نيكولا تسلا", "نظرية التعقيد الحسابي", "معلم", "مارتن لوثر",
    "جنوب كاليفورنيا", "سكاي (المملكة المتحدة)", "فيكتوريا (أستراليا)", "هوغونوتيون", "محرك بخاري", "أكسجين",
    "أزمة النفط 1973", "برنامج أبولو", "قانون الاتحاد الأوروبي", "غابات الأمازون المطيرة", "مشطيات", "فريسنو",
    "تبديل الرزم", "الموت الأسود", "جيولوجيا", "نيوكاسل أبون تاين", "متحف فيكتوريا وألبرت", "إيه بي سي",
    "جنكيز خان", "صيدلة", "جهاز مناعي", "عصيان مدني", "تشييد", "مدرسة خاصة", "جامعة هارفارد", "جاكسونفيل",
    "عدم المساواة الاقتصادية", "دكتور هو", "جامعة شيكاغو", "أسرة يوان", "كينيا",
    "الهيئة الحكومية الدولية المعنية بتغير المناخ", "بلاستيدات خضراء", "عدد أولي", "الراين", "البرلمان الاسكتلندي",
    "إسلاموية", "إمبريالية", "الكنيسة الميثودية المتحدة", "الحرب الفرنسية والهندية", "قوة",
}
HELD_BACK_EVERY = 7  # issue 34's pilot: ARCD train's article i is held back when i % 7 == 0


def read_source(name: str) -> list[dict]:
    """The articles of one source, from its repository snapshot's last commit (git show: no work tree needed)."""
    repo, path = SOURCES[name]
    low = path.lower()
    if any(word in low for word in NEVER) or ("arcd" in low and "test" in low):
        raise SystemExit(f"refused: {path} is data the product is scored on")
    git_dir = MIRRORS / repo.replace("/", "+") / "repo"  # where `fetch` leaves a snapshot's git directory
    if not git_dir.exists():
        raise SystemExit(f"{repo} is not fetched: fetch github:{repo} first")
    text = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout
    return json.loads(text)["data"]


def build(sample: int = 30, seed: int = 43, aaqad_answers: bool = False) -> tuple[dict, dict, dict, dict[str, list]]:
    """(train, held_back, recipe counts, samples per source); AAQAD's answered questions only with `aaqad_answers`."""
    counts: dict[str, Counter] = {}
    arcd = read_source("arcd_train")
    held_titles = {a["title"].strip() for i, a in enumerate(arcd) if i % HELD_BACK_EVERY == 0}
    train, held = [], []
    samples: dict[str, list] = {}
    rng = random.Random(seed)
    for name in SOURCES:
        c = counts.setdefault(name, Counter())
        articles = arcd if name == "arcd_train" else read_source(name)
        aligned_rows = []
        for i, article in enumerate(articles):
            title = article["title"].strip()
            c["articles"] += 1
            questions = sum(len(p["qas"]) for p in article["paragraphs"])
            c["questions"] += questions
            if name.startswith("aaqad") and title in AAQAD_DROPPED:
                c["dropped_article_squad_dev_named"] += 1
                c["dropped_questions_squad_dev"] += questions
                continue
            if title in SQUAD_DEV or title.replace(" ", "_") in SQUAD_DEV:
                c["dropped_article_squad_dev_matched"] += 1
                c["dropped_questions_squad_dev"] += questions
                continue
            held_back = (name == "arcd_train" and i % HELD_BACK_EVERY == 0) or (name != "arcd_train" and title in held_titles)
            paragraphs = []
            for p in article["paragraphs"]:
                context = p["context"]
                kept = []
                for qa in p["qas"]:
                    impossible = bool(qa.get("is_impossible")) or not qa.get("answers")
                    if impossible:
                        c["no_answer"] += 1
                        kept.append({"id": f"{name}:{qa['id']}", "question": qa["question"].strip(), "answers": [],
                                     "is_impossible": True, "source": name})
                        continue
                    first = qa["answers"][0]
                    text, start = first["text"], int(first["answer_start"])
                    if context[start:start + len(text)] != text:
                        c["dropped_not_at_offset" if text in context else "dropped_not_in_paragraph"] += 1
                        continue
                    if not text.strip():
                        c["dropped_empty_answer"] += 1
                        continue
                    c["answer_aligned"] += 1
                    aligned_rows.append((qa["question"].strip(), text, context, start))
                    if name.startswith("aaqad") and not aaqad_answers:
                        c["left_out_answered_aaqad"] += 1
                        continue
                    kept.append({"id": f"{name}:{qa['id']}", "question": qa["question"].strip(),
                                 "answers": [{"text": text, "answer_start": start}], "is_impossible": False,
                                 "source": name})
                if kept:
                    paragraphs.append({"context": context, "qas": kept})
            if paragraphs:
                (held if held_back else train).append({"title": title, "source": name, "paragraphs": paragraphs})
                c["held_back_articles" if held_back else "train_articles"] += 1
        samples[name] = rng.sample(aligned_rows, min(sample, len(aligned_rows)))

    def total(data: list[dict], key: str) -> int:
        return sum(1 for a in data for p in a["paragraphs"] for q in p["qas"] if key == "all" or q["is_impossible"])

    recipe = {
        "sources": {name: {"repository": r, "path": p} for name, (r, p) in SOURCES.items()},
        "counts": {name: dict(c) for name, c in counts.items()},
        "train": {"articles": len(train), "questions": total(train, "all"), "no_answer": total(train, "no")},
        "held_back": {"articles": len(held), "questions": total(held, "all"), "no_answer": total(held, "no"),
                      "titles": sorted(held_titles)},
    }
    return {"version": "v2.0", "data": train}, {"version": "v2.0", "data": held}, recipe, samples


def sample_markdown(samples: dict[str, list]) -> str:
    lines = ["# Answers drawn at random from each source, for a hand check (reader_data.py)", ""]
    for name, rows in samples.items():
        lines += [f"## {name}", "", "| # | question | answer | around it |", "|---|---|---|---|"]
        for n, (question, text, context, start) in enumerate(rows, 1):
            around = context[max(0, start - 60): start + len(text) + 60].replace("\n", " ").replace("|", "/")
            lines.append(f"| {n} | {question.replace('|', '/')} | {text.replace('|', '/')} | …{around}… |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--aaqad-answers", action="store_true", help="keep AAQAD's answered questions (about 40%% right)")
    args = ap.parse_args(argv)
    train, held, recipe, samples = build(args.sample, aaqad_answers=args.aaqad_answers)
    recipe["aaqad_answers"] = args.aaqad_answers
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "train.json").write_text(json.dumps(train, ensure_ascii=False), encoding="utf-8")
    (args.out / "held_back.json").write_text(json.dumps(held, ensure_ascii=False), encoding="utf-8")
    (args.out / "recipe.json").write_text(json.dumps(recipe, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / "sample.md").write_text(sample_markdown(samples), encoding="utf-8")
    json.dump({k: recipe[k] for k in ("counts", "train")} | {"held_back": {k: v for k, v in recipe["held_back"].items()
                                                                          if k != "titles"}},
              sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
