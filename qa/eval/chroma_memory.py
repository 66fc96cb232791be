"""Native memory that Chroma keeps, and what a reader following commits holds because of it.

    python -m qa.eval.chroma_memory [--collections 200] [--commits 120] [--json OUT]

Two measurements, each in a fresh process (RSS from /proc/self/status, after `gc.collect()`):

- `collections`: while one embedded `PersistentClient` stays open (as a reader's does), another client
  creates a collection, adds 16 vectors of 384 dimensions, queries it, deletes the one before (as a
  commit does) and is closed, N times; RSS growth per collection. chromadb 1.5.9 keeps memory for
  every collection its shared `System` ever held until the last client of that folder in the process
  is closed (chroma issues #3336, #5843): this is why a segment of up to `exact_search_chunks`
  vectors gets no collection (`ingest.corpus.wants_hnsw`).
- `commits`: the demo articles indexed, then N one-file commits, each followed by one `ask()` of a
  `Pipeline` in the same process (the page's situation); RSS and open files at commit 20 and N, with
  `exact_search_chunks` at its default and at 0 (every segment with a collection, as before).

The embedder is a deterministic bag of words (64 dimensions, no model), so the numbers are the
index's and Chroma's, not a model's. Linux only (reads /proc).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = """
import gc, os, sys
sys.path.insert(0, {root!r})
def rss():
    gc.collect()
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
def files():
    return len(os.listdir("/proc/self/fd"))
"""

_COLLECTIONS = _PRELUDE + """
import json, tempfile
import numpy as np
import chromadb
from chromadb.config import Settings
path, n = tempfile.mkdtemp(), int(sys.argv[1])
rng = np.random.default_rng(0)
first = None
holder = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))  # a reader's client
for i in range(n):
    client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
    c = client.create_collection(f"collection-{{i}}", metadata={{"hnsw:space": "cosine"}})
    c.add(ids=[str(j) for j in range(16)], embeddings=rng.random((16, 384)).tolist())
    c.query(query_embeddings=rng.random((1, 384)).tolist(), n_results=3)
    if i:
        client.delete_collection(f"collection-{{i - 1}}")  # as a commit does: the one before goes
    client.close()
    if i == 9:
        first = rss()
print(json.dumps({{"collections": n, "rss_mb_at_10": first, "rss_mb_at_n": rss()}}))
"""

_COMMITS = _PRELUDE + """
import hashlib, json, shutil, tempfile
from pathlib import Path
import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from ingest import ingest
from qa.pipeline import Pipeline
from qa.settings import Settings
from reading.text import terms

class Bag(BaseEmbedding):
    def _vec(self, text):
        v = np.zeros(64, dtype=np.float32)
        for t in terms(text) or ["<empty>"]:
            v[int(hashlib.md5(t.encode()).hexdigest(), 16) % 64] += 1.0
        return (v / np.linalg.norm(v)).tolist()
    def _get_text_embedding(self, text): return self._vec(text)
    def _get_query_embedding(self, query): return self._vec(query)
    async def _aget_query_embedding(self, query): return self._vec(query)

n, exact = int(sys.argv[1]), int(sys.argv[2])
tmp = Path(tempfile.mkdtemp())
shutil.copytree(Path({root!r}) / "data" / "articles", tmp / "articles")
settings = Settings(data_dir=tmp / "articles", index_dir=tmp / "index", embed_model="bag-64", embed_runtime="torch",
                    scorer="lexical", exact_search_chunks=exact)
embedder = Bag()
ingest(settings=settings, embedder=embedder, progress=False)
pipeline = Pipeline(settings.replace(refresh_seconds=0, min_confidence=0.0), embedder=embedder, build_if_missing=False)
samples = {{}}
for i in range(n):
    (tmp / "articles" / f"x{{i % 3}}.txt").write_text(f"The harbour {{i}} reopened on Friday after the storm.\\n")
    ingest(settings=settings, embedder=embedder, progress=False)
    pipeline.ask("Who brokered the grain-export deal?")
    if i + 1 in (20, n):
        samples[i + 1] = (files(), rss())
shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps({{"exact_search_chunks": exact, "commits": n, "samples": samples}}))
"""


def _run(script: str, *args: object) -> dict:
    done = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT)), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--collections", type=int, default=200)
    parser.add_argument("--commits", type=int, default=120)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.collections < 20 or args.commits < 40:
        parser.error("--collections needs at least 20 and --commits at least 40 (growth is measured from 10 / 20)")
    out = {"collections": _run(_COLLECTIONS, args.collections),
           "commits": [_run(_COMMITS, args.commits, exact) for exact in (4096, 0)]}
    c = out["collections"]
    per = (c["rss_mb_at_n"] - c["rss_mb_at_10"]) / (c["collections"] - 10)
    print(f"Chroma, a client held open; one collection created and queried, the one before deleted: +{per:.2f} MB RSS each "
          f"(collections 10 -> {c['collections']})")
    print("| exact_search_chunks | commits | open files at 20 -> N | RSS MB at 20 -> N | MB per commit |")
    print("|---|---|---|---|---|")
    for run in out["commits"]:
        (f20, r20), (fn, rn) = run["samples"]["20"], run["samples"][str(run["commits"])]
        print(f"| {run['exact_search_chunks']} | {run['commits']} | {f20} -> {fn} | {r20:.1f} -> {rn:.1f} | "
              f"{(rn - r20) / (run['commits'] - 20):+.3f} |")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
