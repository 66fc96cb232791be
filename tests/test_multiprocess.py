"""One process asks in a loop while another ingests a changing folder: real Chroma, real processes.

The asker is a separate Python process with its own Chroma client (embedded `PersistentClient`
on the same folder, or the same `chroma run` server); this test process is the ingester.
Ten rounds each add an article, rewrite the previous round's, and remove the one before that.
"""
import json
import os
import subprocess
import sys
import time

import pytest

from ingest import ingest
from ingest.segment import segment_dir
from ingest.store import IndexStore
from tests.conftest import ROOT
from tests.test_chroma_server import chroma_url  # noqa: F401  (fixture)

ROUNDS = 10
WORDS = ["Zorblat", "Quenwick", "Marrowdale", "Tessaly", "Brundle", "Oskaroo", "Velmora", "Plinketh", "Drossway",
         "Yarrowin"]

ASKER = """
import json, sys, time
from pathlib import Path
from tests.fakes import FakeEmbedding
from qa.pipeline import Pipeline
from qa.settings import Settings

data, index, url, log, stop = sys.argv[1:6]
words = json.loads(sys.argv[6])
settings = Settings(data_dir=data, index_dir=index, chroma_url=url, embed_model="fake-bow-64", embed_runtime="torch", scorer="lexical", exact_search_chunks=0)
pipeline = Pipeline(settings, embedder=FakeEmbedding(), build_if_missing=False)
with open(log, "w") as out:
    i = 0
    while not Path(stop).exists():
        word = words[i % len(words)]
        i += 1
        question = f"What did the {word} council vote to build?"
        before = pipeline.reader.current().commit
        record = {"word": word, "t": time.time()}
        try:
            answer = pipeline.ask(question)
            record.update(answered=answer.answered, files=sorted({c.file for c in answer.citations}))
        except Exception as e:
            record.update(error=f"{type(e).__module__}.{type(e).__name__}: {e}")
        after = pipeline.reader.current().commit
        record["commit"] = before if before == after else None  # None: it moved on during the ask
        out.write(json.dumps(record) + "\\n")
        out.flush()
        time.sleep(0.01)
"""


def article(word: str, version: int) -> str:
    verb = "build" if version == 1 else "build and paint"
    return (f"{word} council news\n\nThe {word} council voted on Monday to {verb} a footbridge over the "
            f"river, the mayor of {word} said.\n")


def exercise(settings, embedder, articles, tmp_path):
    """Run the asker against ten ingest rounds; return its records and what each commit held."""
    ingest(settings=settings, embedder=embedder, progress=False)
    log, stop = tmp_path / "asks.jsonl", tmp_path / "stop"
    proc = subprocess.Popen([sys.executable, "-c", ASKER, str(articles), str(settings.index_dir),
                             settings.chroma_url, str(log), str(stop), json.dumps(WORDS)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    store = IndexStore(settings)
    commits = {}  # commit -> (time of commit, files it holds)
    added = {}  # word -> commit time of the round that added it
    removed = {}  # word -> commit time of the round that removed it
    try:
        deadline = time.monotonic() + 120
        while (not log.exists() or not log.read_text()) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        for r, word in enumerate(WORDS):
            (articles / f"{word}.txt").write_text(article(word, 1), encoding="utf-8")
            if r >= 1:
                (articles / f"{WORDS[r - 1]}.txt").write_text(article(WORDS[r - 1], 2), encoding="utf-8")
            if r >= 2:
                (articles / f"{WORDS[r - 2]}.txt").unlink()
            ingest(settings=settings, embedder=embedder, progress=False)
            manifest = store.read_manifest()
            committed = store.manifest_path.stat().st_mtime
            commits[manifest["commit"]] = (committed, set(manifest["files"]))
            added[word] = committed
            if r >= 2:
                removed[WORDS[r - 2]] = committed
            time.sleep(1.0)  # questions on each commit
        time.sleep(5.5)
    finally:
        stop.touch()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return records, commits, added, removed


def check(records, commits, added, removed):
    errors = [r for r in records if "error" in r]
    assert len(records) > 200 and errors == [], errors[:3]
    delays = []
    for word, committed in added.items():
        answered = [r["t"] for r in records if r["word"] == word and r["t"] > committed
                    and f"{word}.txt" in r["files"]]
        assert answered and answered[0] - committed < 5.0, (word, answered[:1], committed)
        delays.append(answered[0] - committed)
    for r in records:
        if r["commit"] in commits:  # the whole ask read one known commit: it cites only that commit's files
            assert set(r["files"]) <= commits[r["commit"]][1], r
    for word, gone in removed.items():  # once the reader moved past its removal, never cited again
        later = [r for r in records if r["t"] > gone + 5.0 and f"{word}.txt" in r["files"]]
        assert later == []
    print(f"{len(records)} asks, 0 failed; new article first cited {min(delays):.2f}-{max(delays):.2f} s "
          f"after its commit")


@pytest.mark.slow
def test_asking_in_one_process_while_another_ingests_ten_times(fake_settings, fake_embedder, articles, tmp_path):
    settings = fake_settings.replace(segments_per_tier=2)  # segments merged while the other process asks
    records, commits, added, removed = exercise(settings, fake_embedder, articles, tmp_path)
    check(records, commits, added, removed)
    # only the segments this commit and the previous one name are left: collections and folders
    store = IndexStore(settings)
    manifest = store.read_manifest()
    segments = {s.id for s in manifest.segments} | set(manifest.previous.segments)
    names = {c.name for c in store.client(manifest["vector_dir"]).list_collections()}
    assert names == {store.collection_name(s) for s in segments} and len(manifest.segments) <= 3
    assert {p.name for p in store.build_dirs()} == {manifest["vector_dir"]} | {segment_dir(s) for s in segments}


@pytest.mark.slow
def test_the_same_against_a_chroma_server(chroma_url, fake_settings, fake_embedder, articles, tmp_path):  # noqa: F811
    settings = fake_settings.replace(chroma_url=chroma_url, segments_per_tier=2)
    records, commits, added, removed = exercise(settings, fake_embedder, articles, tmp_path)
    check(records, commits, added, removed)
    store = IndexStore(settings)
    manifest = store.read_manifest()
    names = {c.name for c in store.client(manifest["vector_dir"]).list_collections()}
    segments = {s.id for s in manifest.segments} | set(manifest.previous.segments)
    assert names == {store.collection_name(s) for s in segments}  # merged and superseded ones deleted
