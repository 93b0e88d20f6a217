"""Build a calibration collection from ARCD's *training* split (never its test split).

Usage: python docs/experiments/arcd_tuning.py ARCD_TRAIN_JSON OUT_DIR
  ARCD_TRAIN_JSON: data/arcd-train.json of husseinmozannar/SOQAL (through the search tool's fetch)
  OUT_DIR gets seeds/ (one .txt article per indexed Wikipedia article) and questions.jsonl.

Articles are split by position: three in four are indexed; questions about them are answerable
(evidence: the answer with up to 60 characters of its context either side, cut at words);
questions about the fourth that is not indexed are unanswerable near the collection's topics.
Two answerable questions per indexed article and two unanswerable ones per held-back article
keep the run to ~150 questions (about 10 minutes here).
"""

import json
import re
import sys
from pathlib import Path


def window(context: str, start: int, answer: str, pad: int = 60) -> str:
    lo, hi = max(0, start - pad), min(len(context), start + len(answer) + pad)
    while lo > 0 and not context[lo - 1].isspace():
        lo += 1
        if lo >= start:
            lo = start
            break
    while hi < len(context) and not context[hi].isspace():
        hi -= 1
        if hi <= start + len(answer):
            hi = start + len(answer)
            break
    return context[lo:hi].strip()


def main(src: str, out: str) -> None:
    data = json.loads(Path(src).read_text(encoding="utf-8"))["data"]
    out_dir = Path(out)
    (out_dir / "seeds").mkdir(parents=True, exist_ok=True)
    lines = []
    for i, article in enumerate(data):
        indexed = i % 4 != 3
        title = article["title"].strip()
        if indexed:
            body = "\n\n".join(p["context"].strip() for p in article["paragraphs"])
            (out_dir / "seeds" / f"arcd_{i:03d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        qas = [(p, qa) for p in article["paragraphs"] for qa in p["qas"]]
        for p, qa in qas[:2]:
            question = re.sub(r"^\s*-\s*", "", qa["question"]).strip()
            ans = qa["answers"][0]
            text = ans["text"].strip()
            if indexed:
                context = p["context"]
                at = context.find(text) if context[ans["answer_start"]:].find(text) != 0 else ans["answer_start"]
                evidence = window(context, at, text) if at >= 0 else text
                lines.append({"id": f"arcd-{qa['id']}", "question": question, "lang": "ar", "answers": [text],
                              "evidence": [evidence]})
            else:
                lines.append({"id": f"arcd-un-{qa['id']}", "question": question, "lang": "ar", "answers": [],
                              "evidence": []})
    (out_dir / "questions.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                             encoding="utf-8")
    print(len(lines), "questions;", sum(1 for x in lines if x["evidence"]), "answerable")


if __name__ == "__main__":
    main(*sys.argv[1:3])
