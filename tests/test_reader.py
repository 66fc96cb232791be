"""IndexReader: one immutable snapshot per commit, cheap checks, switching for new questions only."""
import os
import time

import pytest

from ingest import ingest
from ingest.reader import IndexReader
from ingest.store import IndexStore
from qa.pipeline import Pipeline

QUESTION = "What did the zebra committee decide?"


def run(settings, embedder):
    return ingest(settings=settings, embedder=embedder, progress=False)


def add_zebra(articles):
    (articles / "zebra.txt").write_text("The zebra committee decided to open the new bridge in May.\n", encoding="utf-8")


def test_the_manifest_is_checked_at_most_every_refresh_seconds(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    reader = IndexReader(fake_settings.replace(refresh_seconds=60))
    first = reader.current()
    add_zebra(articles)
    run(fake_settings, fake_embedder)
    assert reader.current() is first  # within refresh_seconds: not even a stat()
    newer = reader.refresh()
    assert newer.commit == IndexStore(fake_settings).read_manifest()["commit"] != first.commit
    assert reader.current() is newer and first.closed  # nobody was using the old one


def test_a_touch_that_only_moves_file_times_keeps_the_same_snapshot(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    reader = IndexReader(fake_settings.replace(refresh_seconds=0))
    first = reader.current()
    os.utime(articles / "003_829c71e3b12d7115.txt", (time.time() + 5, time.time() + 5))
    run(fake_settings, fake_embedder)  # rewrites the manifest with the new mtime, same commit
    assert reader.current() is first and not first.closed


def test_a_snapshot_in_use_stays_open_until_its_question_ends(fake_settings, fake_embedder, articles):
    run(fake_settings, fake_embedder)
    reader = IndexReader(fake_settings.replace(refresh_seconds=0))
    with reader.use() as old:
        add_zebra(articles)
        run(fake_settings, fake_embedder)
        with reader.use() as new:  # a question that starts now reads the new commit
            assert new.commit != old.commit and "zebra.txt" in new.corpus.files
        assert not old.closed and old.collection is not None  # the running question keeps its commit
        assert "zebra.txt" not in old.corpus.files
    assert old.closed and not new.closed


def test_a_question_on_a_removed_commit_is_asked_again_on_the_newest(fake_settings, fake_embedder, articles,
                                                                     monkeypatch):
    fake_settings = fake_settings.replace(segments_per_tier=1)  # every commit merges its segment into the last
    run(fake_settings, fake_embedder)
    pipeline = Pipeline(fake_settings.replace(refresh_seconds=3600), embedder=fake_embedder)
    assert not pipeline.ask(QUESTION).answered
    old = pipeline.reader.current()
    add_zebra(articles)
    run(fake_settings, fake_embedder)
    (articles / "other.txt").write_text("The harbour reopened on Friday.\n", encoding="utf-8")
    run(fake_settings, fake_embedder)  # merged twice since: the old commit's segment is deleted
    store = IndexStore(fake_settings)
    names = {c.name for c in store.client(old.vector_dir).list_collections()}
    assert store.collection_name(old.manifest.segments[0].id) not in names
    assert pipeline.reader.current() is old  # the pipeline has not looked yet (refresh_seconds)
    answer = pipeline.ask(QUESTION)  # Chroma says NotFoundError: typed, then asked on the newest
    assert answer.answered and answer.citations[0].file == "zebra.txt"
    assert pipeline.reader.current().commit == store.read_manifest()["commit"]


def test_a_deleted_collection_is_a_typed_error_when_asking_again_cannot_help(fake_settings, fake_embedder,
                                                                            monkeypatch):
    from qa.errors import IndexChangedError

    run(fake_settings, fake_embedder)
    pipeline = Pipeline(fake_settings, embedder=fake_embedder)
    snapshot = pipeline.reader.current()
    store = IndexStore(fake_settings)
    store.client(snapshot.vector_dir).delete_collection(store.collection_name(snapshot.manifest.segments[0].id))
    with pytest.raises(IndexChangedError, match="ask again"):
        pipeline.ask("Who brokered the grain-export deal?")


def test_brute_force_search_finds_what_chroma_finds(fake_settings, fake_embedder, monkeypatch):
    import numpy as np

    run(fake_settings, fake_embedder)
    reader = IndexReader(fake_settings)
    snapshot = reader.current()
    query = np.asarray(fake_embedder.get_query_embedding("grain export deal brokered by Turkey"), dtype=np.float32)
    chroma = snapshot.nearest(query, 10)
    snapshot.collection = None  # as on a read-only index
    exact = snapshot.nearest(query, 10)
    sims = snapshot.similarities(query, exact)
    assert exact[:5] == chroma[:5] and set(sims) == set(exact)
    assert all(sims[a] >= sims[b] for a, b in zip(exact, exact[1:]))
