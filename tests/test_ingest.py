import json
import os
import sqlite3
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import ingest
from ingest.segment import SegmentFolder, segment_dir
from ingest.snapshot import read_paragraphs
from ingest.store import PENDING, IndexStore
from qa.errors import IndexCorruptError, IndexMismatchError, IndexOutdatedError, NoArticlesError
from qa.pipeline import Pipeline
from tests.conftest import ROOT
from tests.test_paragraphs import A000, A001, A002, A003, A004


def run(settings, embedder):
    return ingest(settings=settings, embedder=embedder, progress=False)


def stored_ids(settings):
    """Ids in the live segments' collections, less those only tombstoned paragraphs hold; every other
    collection of the index must be a segment of the previous commit."""
    store = IndexStore(settings)
    manifest = store.read_manifest()
    client = store.client(manifest["vector_dir"])
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    live = {store.collection_name(s.id) for s in manifest.segments}
    assert names <= live | {store.collection_name(s) for s in manifest.previous.segments}
    dead = {c[0] for s in manifest.segments for f in s.tombstones
            for p in dict(SegmentFolder(store.dir / segment_dir(s.id)).read_files({f}))[f] for c in p.get("chunks", [])}
    return {cid for name in live for cid in store.open_collection(manifest["vector_dir"], name).get(include=[])["ids"]
            } - (dead - named_ids(settings))


def named_ids(settings):
    """Chunk ids of every live file."""
    store = IndexStore(settings)
    manifest = store.read_manifest()
    files = manifest.segment_files()
    return {c[0] for s in manifest.segments for _, paragraphs in SegmentFolder(store.dir / segment_dir(s.id)).read_files(
            set(files[s.id])) for p in paragraphs for c in p.get("chunks", [])}


def test_first_build_then_noop(fake_settings, fake_embedder):
    first = run(fake_settings, fake_embedder)
    assert first.added == [A000, A001, A002, A003, A004] and first.paragraphs == 85
    # 000 and 001 share eight paragraphs: their chunks share content-addressed vectors
    assert first.chunks_embedded == len(named_ids(fake_settings)) == len(stored_ids(fake_settings))
    before = fake_embedder.texts_embedded
    second = run(fake_settings, fake_embedder)
    assert (second.unchanged, second.chunks_embedded, second.changed) == (5, 0, False)
    assert fake_embedder.texts_embedded == before


def test_changed_file_reembeds_only_its_new_text(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    path = articles / A002
    path.write_text(path.read_text(encoding="utf-8") + "\nA brand new closing paragraph about grain.\n", encoding="utf-8")
    report = run(fake_settings, fake_embedder)
    assert report.updated == [A002] and report.unchanged == 4
    assert report.chunks_embedded == 1  # only the new paragraph; unchanged ones keep their vectors
    (articles / A004).unlink()
    report = run(fake_settings, fake_embedder)
    assert report.removed == [A004]
    assert stored_ids(fake_settings) == named_ids(fake_settings)  # the removed file's vectors are gone


def test_touch_without_change_is_not_reindexed(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    os.utime(articles / A003, None)
    report = run(fake_settings, fake_embedder)
    assert report.unchanged == 5 and report.chunks_embedded == 0


def test_unreadable_files_are_skipped_and_nothing_is_lost(fake_settings, fake_embedder, articles):
    (articles / "latin1.txt").write_bytes("Caf\xe9 talks in Riyadh.".encode("latin-1"))
    (articles / "image.txt").write_bytes(b"\x89PNG\x00\x00\x01\x02")
    (articles / "empty.txt").write_text("  \n\u00a0\n")
    report = run(fake_settings, fake_embedder)
    assert report.files == 6  # the latin-1 article is read, and the report says how
    assert report.encodings == {"latin1.txt": "latin-1"} and "latin-1: latin1.txt" in report.summary()
    assert "latin1.txt" not in report.skipped and "binary" in report.skipped["image.txt"]
    assert "empty" in report.skipped["empty.txt"]
    # a file that was indexed and then becomes unreadable keeps its last good version
    (articles / A002).write_bytes(b"\xff\xfe broken now")
    report = run(fake_settings, fake_embedder)
    assert A002 in IndexStore(fake_settings).read_manifest()["files"]
    assert "kept the version indexed before" in report.skipped[A002]


def test_empty_or_missing_folder_is_a_clear_error_and_leaves_the_index(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    manifest = IndexStore(fake_settings).manifest_path.read_bytes()
    for f in articles.glob("*.txt"):
        f.unlink()
    with pytest.raises(NoArticlesError, match="no .txt articles"):
        run(fake_settings, fake_embedder)
    assert IndexStore(fake_settings).manifest_path.read_bytes() == manifest
    with pytest.raises(NoArticlesError, match="does not exist"):
        ingest(articles / "nope", fake_settings.index_dir, settings=fake_settings, embedder=fake_embedder)


def test_corrupt_index_gives_a_clear_error_then_is_rebuilt_and_kept_aside(fake_settings, fake_embedder):
    run(fake_settings, fake_embedder)
    store = IndexStore(fake_settings)
    store.manifest_path.write_text('{"format": 1, "files": {"x.txt": ')  # half-written
    pipeline = Pipeline(fake_settings, embedder=fake_embedder)
    with pytest.raises(IndexCorruptError, match="python -m ingest"):
        pipeline.ask("Where was Lavrov on Tuesday?")
    report = run(fake_settings, fake_embedder)
    assert report.rebuilt_from and (Path(report.rebuilt_from) / "manifest.json").exists()
    assert any(p.name.startswith("chroma-") for p in Path(report.rebuilt_from).iterdir())  # kept aside, not deleted
    rebuilt = Pipeline(fake_settings.replace(min_confidence=0.0), embedder=fake_embedder)  # the index, not the tier
    assert rebuilt.ask("Where was Lavrov on Tuesday?").answered


def test_vector_folder_deleted_is_reported(fake_settings, fake_embedder):
    import shutil

    run(fake_settings, fake_embedder)
    shutil.rmtree(fake_settings.index_dir / IndexStore(fake_settings).read_manifest()["vector_dir"])
    with pytest.raises(IndexCorruptError):
        Pipeline(fake_settings, embedder=fake_embedder).ask("Where was Lavrov on Tuesday?")



def test_lost_paragraph_table_is_reported_then_rebuilt_without_re_embedding(fake_settings, fake_embedder):
    import shutil

    run(fake_settings, fake_embedder)
    question = "Who brokered the grain-export deal?"
    before = Pipeline(fake_settings, embedder=fake_embedder).ask(question)
    store = IndexStore(fake_settings)
    shutil.rmtree(store.dir / segment_dir(store.read_manifest().segments[0].id))
    with pytest.raises(IndexCorruptError, match="python -m ingest"):
        Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False).ask(question)
    report = run(fake_settings, fake_embedder)
    assert (report.files, report.chunks_embedded) == (5, 0)  # the articles are read again; vectors are kept
    after = Pipeline(fake_settings, embedder=fake_embedder).ask(question)
    assert (after.text, after.citations) == (before.text, before.citations)


def as_older_format(store: IndexStore, version: int) -> str:
    """Rewrite a fresh index (one segment) as version 1, 2 or 3 wrote it: 3, a snapshot folder and a
    collection per commit; 2, one collection changed in place, no vectors in the snapshot; 1 also kept
    every paragraph in the manifest. Returns the old collection's name."""
    import numpy as np

    manifest = json.loads(store.manifest_path.read_text(encoding="utf-8"))  # as stored, to rewrite it
    segment = manifest.pop("segments")[0]["id"]
    manifest["corpus_dir"], manifest["collection"] = segment_dir(segment), store.collection_name(segment)
    for record in manifest["files"].values():
        record.pop("segment")
    if version == 3:
        store.manifest_path.write_text(json.dumps({**manifest, "format": 3, "previous": {}}))
        return manifest["collection"]
    folder = store.dir / manifest["corpus_dir"]
    ids = [cid for cid, in sqlite3.connect(folder / "paragraphs.sqlite").execute("SELECT id FROM vectors ORDER BY row")]
    legacy = store.legacy_collection_name(manifest["embed_model"], manifest["vector_dir"])
    client = store.client(manifest["vector_dir"])
    client.create_collection(legacy, metadata={"hnsw:space": "cosine"}).add(ids=ids, embeddings=np.load(folder / "vectors.npy"))
    client.delete_collection(manifest["collection"])
    (folder / "vectors.npy").unlink()
    for key in ("commit", "collection", "previous", "vocabulary"):
        manifest.pop(key)
    if version == 1:
        paragraphs = read_paragraphs(store.dir / manifest.pop("corpus_dir"))
        manifest["files"] = {name: {**r, "paragraphs": paragraphs[name]} for name, r in manifest["files"].items()}
    store.manifest_path.write_text(json.dumps({**manifest, "format": version}))
    return legacy


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_index_of_an_older_format_is_re_indexed_reusing_its_vectors(fake_settings, fake_embedder, version):
    run(fake_settings, fake_embedder)
    store = IndexStore(fake_settings)
    legacy = as_older_format(store, version)
    with pytest.raises(IndexOutdatedError, match="older articles-qa"):
        Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False).ask("Who brokered it?")
    embedded = fake_embedder.texts_embedded
    assert Pipeline(fake_settings, embedder=fake_embedder).ask("Who brokered the grain-export deal?").answered
    assert fake_embedder.texts_embedded == embedded  # no article text was embedded again
    manifest = store.read_manifest()
    assert manifest["format"] == 4 and len(manifest.segments) == 1
    names = {c.name for c in store.client(manifest["vector_dir"]).list_collections()}
    new = store.collection_name(manifest.segments[0].id)
    if version == 3:  # a reader may still hold the format-3 commit: it goes with the next commit
        assert names == {new, legacy} and len(store.build_dirs()) == 3
        (Path(fake_settings.data_dir) / A004).unlink()
        run(fake_settings, fake_embedder)
        names = {c.name for c in store.client(manifest["vector_dir"]).list_collections()}
        assert legacy not in names
    else:
        assert names == {new} and legacy not in names and len(store.build_dirs()) == 2  # the changed-in-place one is gone


def test_another_bm25_vocabulary_makes_the_snapshot_outdated_and_reuses_vectors(fake_settings, fake_embedder,
                                                                                 monkeypatch):
    from ingest import snapshot

    run(fake_settings, fake_embedder)
    before = IndexStore(fake_settings).read_manifest()
    monkeypatch.setattr(snapshot, "vocabulary_fingerprint", lambda: "another-stemmer")
    monkeypatch.setattr("ingest.corpus.vocabulary_fingerprint", lambda: "another-stemmer")
    monkeypatch.setattr("ingest.build.vocabulary_fingerprint", lambda: "another-stemmer")
    with pytest.raises(IndexOutdatedError, match="another BM25 vocabulary"):
        Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False).ask("Who brokered it?")
    embedded = fake_embedder.texts_embedded
    assert Pipeline(fake_settings, embedder=fake_embedder).ask("Who brokered the grain-export deal?").answered
    after = IndexStore(fake_settings).read_manifest()
    assert after["vocabulary"] == "another-stemmer" and after["commit"] != before["commit"]
    assert fake_embedder.texts_embedded == embedded


def test_a_live_pipeline_follows_each_commit(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    pipeline = Pipeline(fake_settings.replace(refresh_seconds=0), embedder=fake_embedder)  # looks before each question
    question = "What did the zebra committee decide?"
    assert not pipeline.ask(question).answered
    (articles / "zebra.txt").write_text("The zebra committee decided to open the new bridge in May.\n", encoding="utf-8")
    run(fake_settings, fake_embedder)  # the snapshot the pipeline has open is replaced and removed
    answer = pipeline.ask(question)
    assert answer.answered and answer.citations[0].file == "zebra.txt" and answer.citations[0].paragraph == 1
    (articles / "zebra.txt").unlink()
    run(fake_settings, fake_embedder)
    assert not pipeline.ask(question).answered

KILLER = """
import sys
from tests.fakes import FakeEmbedding
from qa.settings import Settings
from ingest import ingest
s = Settings(data_dir=sys.argv[1], index_dir=sys.argv[2], embed_model="fake-bow-64", embed_runtime="torch", scorer="lexical", exact_search_chunks=0)
ingest(settings=s, embedder=FakeEmbedding(delay=0.05), progress=False)
"""


@pytest.mark.slow
def test_kill_9_during_ingest_keeps_the_previous_index_answering(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    question = "Who brokered the grain-export deal?"
    before = Pipeline(fake_settings, embedder=fake_embedder).ask(question)
    manifest_before = json.loads(IndexStore(fake_settings).manifest_path.read_text())
    for f in articles.glob("*.txt"):  # every file changes: a long re-embedding run
        f.write_text(f.read_text(encoding="utf-8").replace("the", "thee"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(articles), str(fake_settings.index_dir)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    pending = fake_settings.index_dir / PENDING
    deadline = time.monotonic() + 60
    while not pending.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the embedding loop
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert json.loads(IndexStore(fake_settings).manifest_path.read_text()) == manifest_before
    after = Pipeline(fake_settings, embedder=fake_embedder).ask(question)
    assert (after.text, after.citations) == (before.text, before.citations)
    report = run(fake_settings, fake_embedder)
    assert sorted(report.updated) == sorted(p.name for p in articles.glob("*.txt"))
    assert not pending.exists()
    assert stored_ids(fake_settings) == named_ids(fake_settings)  # leftovers of the killed run are gone


def test_two_ingests_are_serialized(fake_settings, fake_embedder):
    import threading

    store = IndexStore(fake_settings)
    order = []
    with store.lock():
        t = threading.Thread(target=lambda: (run(fake_settings, fake_embedder), order.append("ingest")))
        t.start()
        time.sleep(0.5)
        order.append("holder released")
    t.join(30)
    assert order == ["holder released", "ingest"]


def test_an_index_built_with_another_embedder_is_refused_by_asking_and_re_embedded_by_ingest(
        fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    first = IndexStore(fake_settings).read_manifest()
    other = fake_settings.replace(embed_model="fake-bow-64-v2")
    # a read command never rebuilds an index built with other settings (issue 20, defect 8)
    with pytest.raises(IndexMismatchError, match="built with 'fake-bow-64'"):
        Pipeline(other, embedder=fake_embedder).ask("Who brokered the grain-export deal?")
    assert IndexStore(other).read_manifest()["commit"] == first["commit"]
    run(other, fake_embedder)  # an ingest with the new settings re-embeds
    manifest = IndexStore(other).read_manifest()
    assert manifest["embed_model"] == "fake-bow-64-v2" and manifest["vector_dir"] != first["vector_dir"]
    assert Pipeline(other, embedder=fake_embedder).ask("Who brokered the grain-export deal?").answered
    # the previous commit's folder stays one commit, for readers still on it; the next commit drops it
    assert {p.name for p in IndexStore(other).vector_dirs()} == {first["vector_dir"], manifest["vector_dir"]}
    (articles / "new.txt").write_text("The harbour reopened on Friday.\n", encoding="utf-8")
    run(other, fake_embedder)
    assert [p.name for p in IndexStore(other).vector_dirs()] == [manifest["vector_dir"]]
    with pytest.raises(IndexOutdatedError, match="built with"):
        Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False).ask("Who brokered it?")
