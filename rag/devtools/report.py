"""The evaluation report: a Markdown page with a per-question table, refusal and unsure reasons,
the metrics per language and per kind of question, a metrics plot and the confidence's reliability plot.

Kept apart from the metrics so `rag eval --json` never imports matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from .evaluate import Record, by_kind, by_language_kind, record_kind

QUALITY_KEYS = (
    "recall_at_1", "recall_at_3", "useful", "answer_acc", "answered_correct", "confident_wrong", "unsure",
    "unsure_with_evidence", "false_refusal", "refusal_acc", "unanswerable_answered", "citation_acc", "lang_match",
    "auroc_same", "auroc_cross", "point_recall", "quote_precision",
)
# The per language x kind table: the figures that tell the kinds apart, not all of them.
KIND_KEYS = (
    "n", "useful", "answer_acc", "answered_correct", "unsure", "false_refusal", "unanswerable_answered",
    "point_recall", "quote_precision", "leads", "unsupported_leads",
)


def _cell(text: str, limit: int = 220) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def verdict(r: Record) -> str:
    status = r.answer.status
    lead = r.lead_unsupported if r.question.by_points else []
    note = f"; lead unsupported: {', '.join(lead)}" if lead else ""
    if not r.question.answerable:
        return ("refused ✓" if r.answer.refused else f"{status} ✗ (should refuse)") + note
    if r.answer.refused:
        return "refused ✗ (answerable)"
    if r.question.points:
        mark = "✓" if r.correct else "✗"
        return (f"{status}, points {r.points_quoted}/{len(r.question.points)} {mark}, "
                f"quotes on point {r.quotes_on_point}/{len(r.shown)}{note}")
    if status == "unsure":
        shown = "sentence holds evidence ✓" if r.unsure_with_evidence else "sentence misses evidence ✗"
        return f"unsure, {'right' if r.correct else 'wrong'} ({shown})"
    return "correct ✓" if r.correct else "wrong ✗"


def refusal_reasons(records: list[Record], status: str = "refused") -> dict[str, tuple[int, int]]:
    """{reason: (answerable questions, unanswerable ones)} for answers of `status`, commonest first."""
    counts: dict[str, list[int]] = {}
    for r in records:
        if r.answer.status == status:
            counts.setdefault(r.answer.reason or "unknown", [0, 0])[0 if r.question.answerable else 1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(counts.items(), key=lambda kv: -sum(kv[1]))}


def reliability_plot(records: list[Record], path: Path) -> list[tuple[float, float, float, int]]:
    """Confidence against the share of right candidates, per bin: the calibration's check."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .calibrate import reliability
    from .evaluate import confidence_pairs

    bins = reliability(confidence_pairs(records))
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    xs = [(lo + hi) / 2 for lo, hi, share, n in bins if n]
    ys = [share for lo, hi, share, n in bins if n]
    ax.plot(xs, ys, marker="o", label="share right")
    for (lo, hi, share, n) in bins:
        if n:
            ax.annotate(str(n), ((lo + hi) / 2, share), textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share of candidates that are right")
    ax.set_title("reliability (count per bin)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return bins


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def plot(overall: dict, per_lang: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    series = {"all": overall, **per_lang}
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (name, m) in enumerate(series.items()):
        xs = [k + i * width for k in range(len(QUALITY_KEYS))]
        ax.bar(xs, [m.get(key) or 0.0 for key in QUALITY_KEYS], width=width, label=name)
    ax.set_xticks([k + width * (len(series) - 1) / 2 for k in range(len(QUALITY_KEYS))])
    ax.set_xticklabels(QUALITY_KEYS, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"rag eval: {overall['n']} questions · ask p50 {overall['p50_s']} s · TTFT p50 {overall['ttft_p50_s']} s")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _table(overall: dict, columns: dict[str, dict]) -> list[str]:
    """Metric rows, a column for all and one for each of `columns`."""
    lines = ["| metric | all | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for k in overall:
        lines.append(f"| {k} | {_fmt(overall[k])} | " + " | ".join(_fmt(m.get(k)) for m in columns.values()) + " |")
    return lines


def write_report(directory: Path, overall: dict, per_lang: dict[str, dict], records: list[Record], meta: dict,
                 per_kind: dict[str, dict] | None = None) -> Path:
    """`per_kind` (evaluate.by_kind) is computed from `records` when not given."""
    per_kind = by_kind(records) if per_kind is None else per_kind
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plot(overall, per_lang, directory / "metrics.png")
    bins = reliability_plot(records, directory / "reliability.png")
    keys = list(overall)
    lines = [
        "# Evaluation report",
        "",
        " · ".join(f"{k}: {v}" for k, v in meta.items()),
        "",
        "![metrics](metrics.png)",
        "",
        "| metric | all | " + " | ".join(per_lang) + " |",
        "|---|---|" + "---|" * len(per_lang),
    ]
    for k in keys:
        lines.append(f"| {k} | {_fmt(overall[k])} | " + " | ".join(_fmt(m[k]) for m in per_lang.values()) + " |")
    # The kind is the question file's when it gives one, else the answer's (evaluate.record_kind).
    lines += ["", "## By kind of question", ""] + _table(overall, per_kind)
    lang_kind = by_language_kind(records)
    lines += ["", "## By language and kind", "", "| language | kind | " + " | ".join(KIND_KEYS) + " |",
              "|---|---|" + "---|" * len(KIND_KEYS)]
    lines += [f"| {lang} | {kind} | " + " | ".join(_fmt(m.get(k)) for k in KIND_KEYS) + " |"
              for lang, kinds in lang_kind.items() for kind, m in kinds.items()]
    lines += [
        "", "## Confidence", "",
        f"AUROC (right vs wrong candidates): {_fmt(overall.get('auroc'))}; same-language path "
        f"{_fmt(overall.get('auroc_same'))}, cross-language path {_fmt(overall.get('auroc_cross'))}.", "",
        "![reliability](reliability.png)", "",
        "| confidence | candidates | share right |", "|---|---|---|",
    ]
    lines += [f"| {lo:.1f}–{hi:.1f} | {n} | {_fmt(None if n == 0 else round(share, 3))} |" for lo, hi, share, n in bins]
    for status, title, right in (("refused", "Refusals by reason", "unanswerable (right)"),
                                 ("unsure", "Unsure answers by reason", "unanswerable")):
        reasons = refusal_reasons(records, status)
        if reasons:
            lines += ["", f"## {title}", "", f"| reason | answerable | {right} |", "|---|---|---|"]
            lines += [f"| {reason} | {counts[0]} | {counts[1]} |" for reason, counts in reasons.items()]
    lines += [
        "",
        "## Questions",
        "",
        "| id | lang | kind | question | answer | cited passages | first relevant rank | verdict | confidence | answerability | reason | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        cited = "<br>".join(f"[{c.n}] {c.doc_id} ¶{c.paragraph + 1}: {_cell(c.text, 90)}" for c in r.answer.citations)
        lines.append(
            f"| {r.question.id} | {r.question.lang} | {record_kind(r)} | {_cell(r.question.question)} | {_cell(r.answer.text)} | "
            f"{cited or '–'} | {r.rank or '–'} | {verdict(r)} | {_fmt(r.answer.confidence)} | "
            f"{_fmt(r.answer.answerability)} | {r.answer.reason or '–'} | "
            f"{r.latency_s:.1f} |"
        )
    path = directory / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_signals(records, directory / "signals.jsonl")
    return path


def write_signals(records: list[Record], path: Path) -> None:
    """Each question's signals and outcome, so any signal's worth on this set can be measured afterwards
    (AUROC per signal and path in docs/evaluation.md), without answering again."""
    import json

    rows = [{"id": r.question.id, "lang": r.question.lang, "answerable": r.question.answerable, "path": r.path,
             "status": r.answer.status, "reason": r.answer.reason, "confidence": r.answer.confidence,
             "answerability": r.answer.answerability, "candidate_correct": r.candidate_correct,
             "useful": r.useful if r.question.answerable else None, "answer": r.answer.likely_answer,
             "quote": r.answer.quote, "signals": r.answer.signals, "kind": record_kind(r),
             "point_recall": r.point_recall, "lead_unsupported": r.lead_unsupported if r.question.by_points else None,
             "sentence": r.answer.sentence, "uncopied": r.uncopied}
            for r in records]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
