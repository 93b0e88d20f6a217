"""Does a local Chroma collection survive kill -9 in the middle of writes? (issue 18: in-place updates)

A writer process adds batches of 256 random 768-d vectors (and deletes a document now and
then) into one persistent collection; it is killed at a random moment 2-6 s in; a fresh
process then opens the collection, counts, queries and filters by metadata. Repeated N times
on the same folder (default 10).

    .venv/bin/python docs/experiments/chroma_kill.py 10 > docs/experiments/chroma_kill.log
"""
import json, os, random, signal, subprocess, sys, tempfile, time
WRITER = r'''
import sys, numpy as np, chromadb
from chromadb.config import Settings
c = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = c.get_or_create_collection("articles", metadata={"hnsw:space": "cosine"})
rng = np.random.default_rng(int(sys.argv[2]))
n = col.count()
while True:
    v = rng.standard_normal((256, 768)).astype("float32")
    ids = [f"d{n+i}" for i in range(256)]
    col.add(ids=ids, embeddings=v, documents=[f"text {n+i}" for i in range(256)], metadatas=[{"doc_id": f"doc{(n+i)//10}"} for i in range(256)])
    if n % 2048 == 0:
        col.delete(where={"doc_id": f"doc{n//20}"})
    n += 256
'''
CHECK = r'''
import sys, json, numpy as np, chromadb
from chromadb.config import Settings
c = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = c.get_collection("articles")
n = col.count()
q = col.query(query_embeddings=np.ones((1, 768), dtype="float32"), n_results=10)
g = col.get(where={"doc_id": "doc3"}, include=["metadatas"])
print(json.dumps({"count": n, "hits": len(q["ids"][0]), "doc3": len(g["ids"])}))
'''
path = tempfile.mkdtemp()
py = sys.executable
results = []
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 10):
    w = subprocess.Popen([py, "-c", WRITER, path, str(i)], stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(2.0, 6.0))
    w.send_signal(signal.SIGKILL); w.wait()
    chk = subprocess.run([py, "-c", CHECK, path], capture_output=True, text=True, timeout=300)
    ok = chk.returncode == 0
    results.append(ok)
    print(i, "ok" if ok else "FAILED", chk.stdout.strip() or chk.stderr.strip()[-500:], flush=True)
print(f"{sum(results)}/{len(results)} kills left a readable, searchable collection")
