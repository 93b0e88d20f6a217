"""Export a sentence-transformers embedder to one ONNX graph, once per machine and weights.

Why: the serving path should not need torch. Importing torch and sentence-transformers was
most of a 11-12 s warm start, and a ~20-token question costs PyTorch 118-161 ms against
45-75 ms in onnxruntime (docs/performance.md). The graph is the whole sentence-transformers
stack (transformer, mean pooling, both dense layers), so its vectors are the folder's
own: cosine 1.0000 against `encode_query`/`encode_document` on the bundled EmbeddingGemma.

The export itself needs torch and onnxscript (the dynamo exporter: the TorchScript one
cannot trace transformers' vmap-built attention masks) and takes ~2 minutes on 2 cores.
It runs in a child process, so the serving process never holds torch, and is written
atomically next to the weights with a stamp of what it was made from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import ModelMissingError

GRAPH = "model.onnx"
STAMP = "export.json"
TOKENS = "tokens.json"
# Texts on which a SentencePiece reading must give exactly the tokenizer.json ids.
PROBES = [
    "task: search result | query: من هو وزير خارجية أذربيجان؟",
    "title: none | text: The ministry delivered 40 tons of food, 1.5 tons of detergents.",
    "أعلنت الوزارة، يوم الثلاثاء 19 سبتمبر/أيلول 2023، إطلاق عملية «مكافحة الإرهاب» في قره باغ.",
    "  double  spaces\tand tabs\n new line", "emoji 😀, ZWJ\u200d, ligature ﻻ, digits ٣٤٥ and 12,500", "",
]


def stamp_for(folder: Path, checksum: str | None) -> dict:
    """What a graph was made from; a different stamp means export again."""
    weights = folder / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    return {
        "source": str(folder.resolve()),
        "checksum": checksum,
        "size": stat.st_size if stat else None,
        "mtime": int(stat.st_mtime) if stat else None,
        "format": 2,
    }


def graph_dir(models_dir: Path, folder: Path) -> Path:
    return models_dir / f"{folder.name}-onnx"


def current_graph(models_dir: Path, folder: Path, checksum: str | None) -> Path | None:
    """The exported graph if one exists for exactly these weights, else None."""
    out = graph_dir(models_dir, folder)
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    graph = out / GRAPH
    return graph if stamp == stamp_for(folder, checksum) and graph.is_file() else None


def ensure_graph(models_dir: Path, folder: Path, checksum: str | None, log=None) -> Path:
    """The graph for these weights, exported first (in a child process) when missing or stale."""
    graph = current_graph(models_dir, folder, checksum)
    if graph is not None:
        return graph
    out = graph_dir(models_dir, folder)
    if log:
        log(f"exporting the embedder {folder.name} to ONNX once (~2 min): {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.export-{os.getpid()}")
    done = subprocess.run(
        [sys.executable, "-m", "rag.embedder_export", str(folder), str(staging)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0 or not (staging / GRAPH).is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ModelMissingError(f"cannot export the embedder {folder} to ONNX: {' | '.join(tail)}")
    (staging / STAMP).write_text(json.dumps(stamp_for(folder, checksum)), encoding="utf-8")
    if out.exists():  # a stale or damaged earlier export: replace it whole
        shutil.rmtree(out, ignore_errors=True)
    try:
        os.replace(staging, out)
    except OSError:  # another process exported the same weights meanwhile: keep theirs
        shutil.rmtree(staging, ignore_errors=True)
        graph = current_graph(models_dir, folder, checksum)
        if graph is None:
            raise
        return graph
    return out / GRAPH


def discard(models_dir: Path, folder: Path) -> None:
    """Forget an export that onnxruntime could not load, so the next ensure_graph redoes it."""
    shutil.rmtree(graph_dir(models_dir, folder), ignore_errors=True)


def export(folder: Path, out: Path) -> None:
    """Trace the sentence-transformers model (all modules) into out/model.onnx (+ .data)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True).eval()

    class Sentence(torch.nn.Module):
        def __init__(self, st):
            super().__init__()
            self.st = st

        def forward(self, input_ids, attention_mask):
            return self.st({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    (out / TOKENS).parent.mkdir(parents=True, exist_ok=True)
    reading = {**sentencepiece_reading(folder), "max_len": model.max_seq_length}
    (out / TOKENS).write_text(json.dumps(reading), encoding="utf-8")
    sample = model.tokenizer(["a question", "a longer passage of text to embed"], padding=True, return_tensors="pt")
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
    out.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            Sentence(model),
            (sample["input_ids"], sample["attention_mask"]),
            str(out / GRAPH),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_shapes={"input_ids": {0: batch, 1: length}, "attention_mask": {0: batch, 1: length}},
            dynamo=True,
            external_data=True,
        )


def sentencepiece_reading(folder: Path) -> dict:
    """How to tokenize with the folder's SentencePiece model instead of its tokenizer.json.

    Why: tokenizer.json for EmbeddingGemma's 262k vocabulary takes 1.8-2.2 s to load and
    holds the GIL meanwhile, a quarter of a warm start; tokenizer.model loads in 0.17 s and,
    wrapped in the same special tokens, gives identical ids (checked on 374 seed lines and
    questions, and on PROBES here at every export). Any mismatch keeps tokenizer.json.
    """
    from tokenizers import Tokenizer

    model_file = folder / "tokenizer.model"
    if not model_file.is_file():
        return {"kind": "tokenizers"}
    import sentencepiece

    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    pieces = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
    full, bare = reference.encode("x").ids, pieces.encode("x")
    at = next((i for i in range(len(full)) if full[i : i + len(bare)] == bare), None)
    if at is None:
        return {"kind": "tokenizers"}
    prefix, suffix = full[:at], full[at + len(bare) :]
    if any(reference.encode(t).ids != prefix + pieces.encode(t) + suffix for t in PROBES):
        return {"kind": "tokenizers"}
    return {"kind": "sentencepiece", "prefix": prefix, "suffix": suffix, "pad_id": reference.token_to_id("<pad>") or 0}


if __name__ == "__main__":  # the child process of ensure_graph
    export(Path(sys.argv[1]), Path(sys.argv[2]))
