"""The index under real conditions: a kill -9 mid-ingest, and a Chroma server that restarts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag import Assistant
from rag.devtools.loadtest import free_port

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _rag(*args, env_extra):
    return [sys.executable, "-m", "rag.cli", *args], {**os.environ, **env_extra}


def test_kill_9_mid_ingest_leaves_the_old_index_usable(index_dir, tmp_path):
    index = tmp_path / "vectorstore"
    shutil.copytree(index_dir, index)  # the seeds' index, as `rag ingest seeds/` leaves it
    before = json.loads((index / "manifest.json").read_text())

    # Enough new articles that embedding them takes a while (6 of ~17 passages: about 8 s, killed at 2 s).
    # Each drops a different quarter of the words, so none is a repost of another (those would be listed as
    # copies, not embedded).
    news = tmp_path / "news"
    news.mkdir()
    for i in range(3):
        for src in SEEDS.glob("*.txt"):
            lines = src.read_text(encoding="utf-8").splitlines()
            thinned = [" ".join(w for j, w in enumerate(ln.split()) if (j * 2654435761 + i * 40503) % 11 % 4) for ln in lines]
            (news / f"n{i}_{src.name}").write_text("\n".join(thinned), encoding="utf-8")
    cmd, env = _rag("ingest", str(SEEDS), str(news), env_extra={"RAG_INDEX_DIR": str(index)})
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (index / "pending.json").exists():  # an update in place has begun
        assert proc.poll() is None, "ingest ended before it could be interrupted"
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(2)  # well into embedding
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    # The previous index is intact and answers retrieval; whatever the killed update had
    # written is gone before anything is served (the store holds exactly the manifest's passages).
    assert json.loads((index / "manifest.json").read_text()) == before
    a = Assistant(index_dir=index)
    hits = a.retrieve("من هو وزير خارجية أذربيجان؟")
    assert any("بيراموف" in p.text for p in hits)
    assert a.indexer.index.count() == before["chunks"]
    assert not (index / "pending.json").exists()
    a.close()

    # The next run completes the update and cleans up the leftovers.
    cmd, env = _rag("ingest", str(SEEDS), str(news), env_extra={"RAG_INDEX_DIR": str(index)})
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "6 added" in done.stdout
    after = json.loads((index / "manifest.json").read_text())
    assert len(after["documents"]) == 8
    assert not list(tmp_path.glob(".vectorstore.building-*")) and not (index / "pending.json").exists()



def _start_chroma(path: Path, port: int) -> subprocess.Popen:
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return proc
        except OSError:
            assert proc.poll() is None, "chroma run exited"
            time.sleep(0.3)
    proc.kill()
    pytest.fail("chroma run did not start")


def test_chroma_server_mode_persists_across_restarts(tmp_path, assistant):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_chroma(tmp_path / "chroma-data", port)
    try:
        remote = Assistant(chroma_url=url, index_dir=tmp_path / "unused", home=tmp_path / "home",
                           embeddings=assistant.embeddings, llm=assistant.llm)
        report = remote.ingest([SEEDS])
        assert (report.added, report.chunks) == (2, 35)
        answer = remote.ask("من هو وزير خارجية أذربيجان؟")
        assert not answer.refused and "بيراموف" in answer.text
        remote.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (tmp_path / "unused").exists()  # nothing was written locally

    server = _start_chroma(tmp_path / "chroma-data", port)
    try:
        again = Assistant(chroma_url=url, index_dir=tmp_path / "unused", home=tmp_path / "home",
                          embeddings=assistant.embeddings, llm=assistant.llm)
        assert not again.ingest([SEEDS]).changed  # the manifest persisted on the server
        answer = again.ask("من هو وزير خارجية أذربيجان؟")
        assert not answer.refused and any("بيراموف" in c.text for c in answer.citations)
        again.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


APP_PROCESS = r"""
import json, sys, time
from pathlib import Path
from rag import Assistant
name, url, folder, flags = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
app = Assistant(chroma_url=url)
report = app.ingest([folder], progress=False)
(flags / name).touch()
deadline = time.time() + 300
while len(list(flags.iterdir())) < 2:  # both ingests done
    if time.time() > deadline:
        sys.exit("the other process never finished its ingest")
    time.sleep(0.2)
time.sleep(2.5)  # longer than a server's keyword sync interval
found = {}
for code in sys.argv[5:]:
    hits = app.retrieve(code, k=3)  # a word of one article only: found by the keyword index
    found[code] = [h.doc_id for h in hits]
print(json.dumps({"added": report.added, "found": found, "documents": sorted(app.documents())}))
app.close()
"""


def test_two_app_processes_share_one_chroma_server(tmp_path):
    """Two processes ingest into one server at once, then each finds the other's articles."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_chroma(tmp_path / "chroma-data", port)
    seed_lines = [ln for src in sorted(SEEDS.glob("*.txt")) for ln in src.read_text(encoding="utf-8").splitlines()]
    codes = {}
    for who in ("a", "b"):
        folder = tmp_path / f"news-{who}"
        folder.mkdir()
        for n in range(3):
            doc = f"{who}{n}"
            codes[f"zq{doc}x"] = doc
            k = 3 * (who == "b") + n  # a different quarter of the words dropped in each article
            lines = [" ".join(w for j, w in enumerate(ln.split()) if (j * 2654435761 + k * 40503) % 11 % 4)
                     for ln in seed_lines[n * 6 : n * 6 + 6]]
            (folder / f"{doc}.txt").write_text("\n".join([*lines, f"The code word of this article is zq{doc}x."]),
                                               encoding="utf-8")
    flags = tmp_path / "flags"
    flags.mkdir()
    env = {**os.environ, "RAG_HOME": str(tmp_path / "home"), "RAG_SEEDS_DIR": str(SEEDS), "RAG_CHROMA_URL": url}
    try:
        # The server already holds the seeds, as a shared store would when its app processes start.
        subprocess.run([sys.executable, "-m", "rag.cli", "ingest"], env=env, check=True, capture_output=True, timeout=600)
        procs = [subprocess.Popen([sys.executable, "-c", APP_PROCESS, who, url, str(tmp_path / f"news-{who}"), str(flags),
                                   *codes], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for who in ("a", "b")]
        outs = [p.communicate(timeout=600) for p in procs]
    finally:
        server.terminate()
        server.wait(timeout=30)
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert [r["added"] for r in results] == [3, 3]
    everything = sorted([*codes.values(), *(p.stem for p in SEEDS.glob("*.txt"))])
    for r in results:
        assert r["documents"] == everything  # neither ingest erased the other's manifest entries
        assert all(doc in r["found"][code] for code, doc in codes.items()), r["found"]  # its own and the other's
