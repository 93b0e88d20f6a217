"""`rag bench --scale`: how the store, the keyword index and start-up grow with the collection.

Collections of news-like passages (default 1,000, 10,000 and 100,000), each in the local
index and on a Chroma server, measured through the product's own code: `ArticleIndex.update`
(Chroma, the keyword index, the manifest), `retrieve()` with its per-stage timings, and a
fresh process for start-up and peak memory.

The passages are not embedded by the model: 100,000 would take about 3.5 hours at the 7-8
chunks/s the bundled embedder reaches on 2 cores (docs/performance.md), and the targets
exclude embedding anyway. Each passage is 2-5 seed sentences recombined, its vector the
normalized mean of those sentences' real embeddings, so the vectors cluster like real
ones; articles have 6-12 passages, a date in one year and one of 12 sources.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..answering.retrieve import retrieve
from ..answering.scope import Scope
from ..assistant import Assistant
from ..indexing.chunking import Chunk
from ..indexing.copies import PERMUTATIONS
from ..indexing.keyword import KeywordIndex
from ..indexing.pipeline import Indexer
from ..indexing.store import ArticleIndex, keyword_passage
from ..settings import Settings
from .bench import BENCH_QUESTIONS, check_target, percentile, seed_sentences

SIZES = (1_000, 10_000, 100_000)
SOURCES = ("Reuters", "AFP", "BBC", "Al Jazeera", "CNN Arabic", "DW", "AP", "Anadolu", "TASS", "APA", "Trend", "Assabah")
TARGETS_AT_LARGEST = {  # issue 18, at 100,000 passages
    "retrieval_p50_ms": ("<=", 25.0),
    "add_article_s": ("<=", 2.0),
    "peak_rss_gib": ("<=", 4.0),
    "start_s": ("<=", 10.0),  # the warm-start target (8 s) + 2 s
}

START_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from rag import Assistant
assistant = Assistant.load(index_dir=sys.argv[1])
ready = time.perf_counter() - started
t = time.perf_counter()
assistant.retrieve(sys.argv[2])
first = time.perf_counter() - t
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"ready": ready, "first_retrieval_s": first, "peak_rss_gib": int(hwm.split()[1]) / 2**20}))
"""


class VectorTable:
    """An embedder that returns the vectors made for the synthetic passages, and embeds the rest for real.

    `embed_s` adds up the time spent embedding for real, so that a measured update can leave it out.
    """

    def __init__(self, embeddings, table: dict[str, list[float]]):
        self.inner = embeddings
        self.table = table
        self.dimension = len(next(iter(table.values())))
        self.embed_s = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        unknown = [t for t in texts if t not in self.table]
        if unknown:
            started = time.perf_counter()
            self.table.update(zip(unknown, self.inner.embed_documents(unknown)))
            self.embed_s += time.perf_counter() - started
        return [self.table[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def sentence_vectors(settings: Settings, embeddings):
    """The seed sentences and their vectors, which every synthetic passage is made of: embedded once a run
    (3.4 s each time; embedded for each of a run's collections they were most of `make test`'s scale test)."""
    import numpy as np

    sentences = seed_sentences(settings)
    return sentences, np.asarray(embeddings.embed_documents(sentences), dtype=np.float32)


def news_collection(base: tuple, size: int, seed: int = 0):
    """({doc_id: [Chunk]}, {doc_id: manifest entry}, {text: vector}) for `size` passages made of `base`
    (`sentence_vectors`)."""
    import numpy as np

    rng = random.Random(seed)
    sentences, vectors = base
    chunks_by_doc: dict[str, list[Chunk]] = {}
    documents: dict[str, dict] = {}
    table: dict[str, list[float]] = {}
    made, n = 0, 0
    while made < size:
        doc_id = f"news-{seed}-{n:06d}"
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        source = rng.choice(SOURCES)
        title = rng.choice(sentences)[:80]
        chunks = []
        for p in range(min(rng.randint(6, 12), size - made)):
            picks = rng.sample(range(len(sentences)), rng.randint(2, 5))
            text = f"{' '.join(sentences[j] for j in picks)} ({doc_id}/{p})"  # distinct texts: one vector each
            v = vectors[picks].mean(axis=0)
            table[text] = (v / np.linalg.norm(v)).tolist()
            chunks.append(Chunk(f"{doc_id}:{p}:0", doc_id, title, p, text, date=day, source=source))
        chunks_by_doc[doc_id] = chunks
        # A copy signature like a real article's (random values: the cost of matching is the same).
        signature = base64.b64encode(rng.randbytes(4 * PERMUTATIONS)).decode()
        documents[doc_id] = {"title": title, "path": f"/synthetic/{doc_id}.txt", "sha256": f"{seed}-{n}",
                             "chunks": len(chunks), "ingested_at": "", "date": day, "source": source,
                             "minhash": signature}
        made += len(chunks)
        n += 1
    return chunks_by_doc, documents, table


def _article_file(folder: Path, settings: Settings) -> Path:
    """A new news article as a text file: front matter and 10 paragraphs of seed sentences."""
    rng = random.Random(7)
    sentences = seed_sentences(settings)
    paragraphs = [" ".join(rng.sample(sentences, 3)) for _ in range(10)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "new-article.txt"
    path.write_text("---\ndate: 2026-11-20\nsource: Reuters\n---\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def _start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    import urllib.request

    from .loadtest import free_port

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def measure(settings: Settings, assistant: Assistant, size: int, mode: str, workdir: Path, rounds: int,
            base: tuple | None = None) -> dict:
    """One collection of `size` passages in `mode` ("local" or "server"); `base`: `sentence_vectors`."""
    expected = assistant.indexer.expected_manifest()
    base = base or sentence_vectors(settings, assistant.embeddings)
    chunks_by_doc, documents, table = news_collection(base, size)
    embedder = VectorTable(assistant.embeddings, table)
    server, url = (None, None)
    index_dir = workdir / f"{mode}-{size}" / "vectorstore"
    home = workdir / f"{mode}-{size}" / "home"
    if mode == "server":
        server, url = _start_chroma(workdir / f"{mode}-{size}" / "chroma-data")
    try:
        # The product's own places: a fresh process finds this host's keyword index where it looks for it.
        indexer = Indexer(settings.model_copy(update={"index_dir": index_dir, "chroma_url": url, "home": home}),
                          lambda: embedder)
        keyword_dir = indexer.keyword_dir
        index = ArticleIndex(index_dir, embedder, url, keyword_dir)
        started = time.perf_counter()
        index.update(chunks_by_doc, [], documents, expected, rebuild=True)
        ingest_s = time.perf_counter() - started
        out = {"passages": size, "articles": len(documents), "ingest_passages_per_s": round(size / ingest_s, 1)}
        out["disk_mb"] = round(_du(workdir / f"{mode}-{size}" / ("chroma-data" if url else "vectorstore")) / 2**20, 1)
        if url:
            started = time.perf_counter()
            index.keyword()  # a host's first use: its keyword index is built from the server
            out["keyword_first_sync_s"] = round(time.perf_counter() - started, 2)
            out["keyword_disk_mb"] = round(_du(keyword_dir) / 2**20, 1)

        questions = [*BENCH_QUESTIONS, "Who mediated the 2020 ceasefire?", "ماذا قال بوتين؟"]
        vectors = []
        embed_s = []
        for q in questions:
            t = time.perf_counter()
            vectors.append(assistant.embeddings.embed_query(q))
            embed_s.append(time.perf_counter() - t)
        parts: dict[str, list[float]] = {"dense": [], "keyword": [], "fusion": [], "total": []}
        for r in range(rounds + 1):
            for q, v in zip(questions, vectors):
                clock: dict = {}
                t = time.perf_counter()
                retrieve(index, q, settings.top_k, vector=v, timings=clock)
                if r:  # the first round warms caches
                    parts["total"].append(time.perf_counter() - t)
                    for key in ("dense", "keyword", "fusion"):
                        parts[key].append(clock[key])
        out["embed_p50_ms"] = round(1000 * percentile(embed_s, 50), 1)
        for key, values in parts.items():
            name = "retrieval" if key == "total" else key
            out[f"{name}_p50_ms"] = round(1000 * percentile(values, 50), 2)
            out[f"{name}_p95_ms"] = round(1000 * percentile(values, 95), 2)

        # Retrieval limited to one month and two sources, the filters pushed down to both searches.
        scope = Scope.of("2026-03-01", "2026-03-31", SOURCES[:2])
        filtered = []
        for r in range(rounds + 1):
            for q, v in zip(questions, vectors):
                t = time.perf_counter()
                retrieve(index, q, settings.top_k, vector=v, scope=scope)
                if r:
                    filtered.append(time.perf_counter() - t)
        out["filtered_retrieval_p50_ms"] = round(1000 * percentile(filtered, 50), 2)
        out["filtered_retrieval_p95_ms"] = round(1000 * percentile(filtered, 95), 2)

        # One new article, as a user adds it: a file read, chunked, matched against every held
        # article for copies, embedded, stored, keyword-indexed, and the manifest written. The
        # time spent embedding it is measured apart and left out (the target excludes it).
        article = _article_file(workdir / f"{mode}-{size}" / "new", settings)
        import datasketch  # noqa: F401 - imported by a served app once it is ready (web/app.py), not per upload

        embedder.embed_s = 0.0
        started = time.perf_counter()
        report = indexer.ingest([article], progress=False)
        total = time.perf_counter() - started
        if report.added != 1:
            raise RuntimeError(f"the new article was not added: {report.summary()}")
        out["add_article_passages"] = report.chunks - sum(d["chunks"] for d in documents.values())
        out["add_article_embed_s"] = round(embedder.embed_s, 3)
        out["add_article_s"] = round(total - embedder.embed_s, 3)
        indexer.close()
        # The keyword index alone, for one more article.
        more_chunks, more_docs, _ = news_collection(base, 10, seed=2)
        keyword = KeywordIndex(index.keyword_dir)
        passages = [keyword_passage(c.metadata, c.text) for cs in more_chunks.values() for c in cs]
        started = time.perf_counter()
        keyword.update(passages, [], {d: i["sha256"] for d, i in more_docs.items()})
        out["keyword_update_s"] = round(time.perf_counter() - started, 3)
        index.close()

        env = {**os.environ, "RAG_HOME": str(home)}
        if url:
            env["RAG_CHROMA_URL"] = url
        proc = subprocess.run([sys.executable, "-c", START_SCRIPT, str(index_dir), questions[0]],
                              capture_output=True, text=True, env=env, timeout=900, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"start-up run failed: {proc.stderr[-2000:]}")
        start = json.loads(proc.stdout.strip().splitlines()[-1])
        out["start_s"] = round(start["ready"], 2)
        out["first_retrieval_s"] = round(start["first_retrieval_s"], 2)
        out["peak_rss_gib"] = round(start["peak_rss_gib"], 3)
        return out
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def run(settings: Settings | None = None, sizes=SIZES, modes=("local", "server"), rounds: int = 5,
        report: Path | None = None, progress=print) -> dict:
    settings = settings or Settings()
    workdir = Path(tempfile.mkdtemp(prefix="rag-scale-"))
    try:
        assistant = Assistant(settings)
        results: dict = {"sizes": list(sizes), "modes": list(modes)}
        base = sentence_vectors(assistant.settings, assistant.embeddings)
        for mode in modes:
            results[mode] = {}
            for size in sizes:
                progress(f"scale: {size:,} passages, {mode} …")
                results[mode][str(size)] = measure(assistant.settings, assistant, size, mode, workdir, rounds, base)
                shutil.rmtree(workdir / f"{mode}-{size}", ignore_errors=True)
        largest = str(max(sizes))
        results["targets"] = {
            f"{mode}.{key}": check_target(results[mode][largest].get(key), *rule)
            for mode in modes for key, rule in TARGETS_AT_LARGEST.items()
        }
        if report:
            write_report(results, Path(report))
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


GROWTH_KEYS = ("ingest_passages_per_s", "disk_mb", "retrieval_p50_ms", "retrieval_p95_ms", "dense_p50_ms",
               "keyword_p50_ms", "fusion_p50_ms", "filtered_retrieval_p50_ms", "filtered_retrieval_p95_ms",
               "add_article_s", "add_article_embed_s", "keyword_update_s", "start_s", "first_retrieval_s",
               "peak_rss_gib")


def write_report(results: dict, folder: Path) -> None:
    """report.md (the growth table) and growth.png (each figure against size, log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scale.json").write_text(json.dumps(results, indent=2))
    sizes = [str(s) for s in results["sizes"]]
    lines = ["# rag bench --scale", "", "| mode | figure | " + " | ".join(f"{int(s):,}" for s in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for mode in results["modes"]:
        for key in GROWTH_KEYS:
            row = [str(results[mode][s].get(key, "–")) for s in sizes]
            lines.append(f"| {mode} | {key} | " + " | ".join(row) + " |")
    lines += ["", "Targets at the largest size:", ""] + [f"- {k}: {v}" for k, v in results["targets"].items()]
    lines += ["", "![growth](growth.png)", ""]
    (folder / "report.md").write_text("\n".join(lines))
    shown = ("retrieval_p50_ms", "keyword_p50_ms", "dense_p50_ms", "add_article_s", "start_s", "peak_rss_gib")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    x = [int(s) for s in sizes]
    for ax, key in zip(axes.flat, shown):
        for mode in results["modes"]:
            ax.plot(x, [results[mode][s].get(key) for s in sizes], marker="o", label=mode)
        ax.set_xscale("log")
        ax.set_title(key)
        ax.set_xlabel("passages")
        ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "growth.png", dpi=90)
    plt.close(fig)
