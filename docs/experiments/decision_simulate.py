"""Outcomes a Decision gives on collected rows (thresholds-at-0 runs of `rag calibrate --rows`): the eval
figures without answering again. Usage: python docs/experiments/decision_simulate.py DECISION.json ROWS.jsonl [ROWS…]"""
import sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from rag.devtools import calibrate
from rag.answering.decision import Decision

def outcome(d, r, lo=None, hi=None):
    if not r["decided"]:
        return "refused"
    has = r["candidate_correct"] is not None
    v = d.decide(r["signals"], r["path"], candidate=has, answerable_at=lo, answer_at=hi)
    return v.status

def figures(d, rows, lo=None, hi=None):
    out = {}
    ans = [r for r in rows if r["answerable"]]; un = [r for r in rows if not r["answerable"]]
    st = [outcome(d, r, lo, hi) for r in rows]
    m = dict(zip(map(id, rows), st))
    useful = sum(1 for r in ans if (m[id(r)] == "answered" and r["candidate_correct"]) or (m[id(r)] == "unsure" and r.get("sentence_holds_evidence")))
    out["useful"] = round(useful / max(len(ans),1), 3)
    out["ans_right"] = round(sum(1 for r in ans if m[id(r)] == "answered" and r["candidate_correct"]) / max(len(ans),1), 3)
    out["conf_wrong"] = round(sum(1 for r in rows if m[id(r)] == "answered" and not r["candidate_correct"]) / len(rows), 3)
    out["false_ref"] = round(sum(1 for r in ans if m[id(r)] == "refused") / max(len(ans),1), 3)
    out["un_ref"] = round(sum(1 for r in un if m[id(r)] == "refused") / max(len(un),1), 3) if un else None
    out["un_ans"] = round(sum(1 for r in un if m[id(r)] == "answered") / max(len(un),1), 3) if un else None
    out["n"] = len(rows)
    return out

if __name__ == "__main__":
    d = Decision.load(sys.argv[1])
    from rag.answering.decision.signals import with_derived
    rows = []
    for p in sys.argv[2:]:
        rows += [{**r, "signals": with_derived(r["signals"])} for r in map(calibrate.relabel, calibrate.load_rows(p))]
    print("all", figures(d, rows))
    def key_of(r):
        return (r.get("collection") or "seeds", r.get("set"), r["path"])

    for key in sorted({key_of(r) for r in rows}):
        print(key, figures(d, [r for r in rows if key_of(r) == key]))
