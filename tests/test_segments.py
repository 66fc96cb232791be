"""Index segments: an index built by many commits (segments with tombstones, merged or not) answers
exactly as one build of the same texts: BM25 scores, dense top-k, duplicate groups, hits, answers."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest import ingest
from ingest.corpus import Corpus
from ingest.merge import TieredMergePolicy
from ingest.reader import IndexReader
from ingest.segment import SegmentFolder, segment_dir
from ingest.store import IndexStore
from reading.text import terms
from qa.pipeline import Pipeline
from qa.retrieve import HybridRetriever
from tests.test_paragraphs import A000, A001, A002, A003, A004, paras

QUESTIONS = ["Who brokered the grain-export deal?", "What did Lavrov say about the talks in Riyadh?",
             "When did the harbour of Velmora reopen?", "What did the zebra committee decide?",
             "Which officials met in Saudi Arabia?", "grain ships Black Sea Turkey", "Velmora storm harbour"]


def run(settings, embedder):
    return ingest(settings=settings, embedder=embedder, progress=False)


def single_build(settings, embedder, tmp_path: Path):
    """One build of the folder as it is now, in a fresh index."""
    one = settings.replace(index_dir=tmp_path / "single")
    run(one, embedder)
    return one


def history(settings, embedder, articles: Path) -> None:
    """Commits that add, edit, remove and duplicate articles: each leaves a segment or tombstones."""
    for name in (A003, A004):
        shutil.move(articles / name, articles.parent / name)
    run(settings, embedder)  # segment 1: three articles
    shutil.move(articles.parent / A003, articles / A003)
    run(settings, embedder)  # segment 2: one added
    path = articles / A002
    path.write_text(path.read_text(encoding="utf-8") + "\nA closing paragraph about grain ships in the Black Sea.\n",
                    encoding="utf-8")
    run(settings, embedder)  # segment 3: A002 again; its old copy in segment 1 is a tombstone
    (articles / "zz_velmora.txt").write_text(
        "The harbour of Velmora reopened on Friday after the storm, officials said.\n\n" + paras(A000)[2].text + "\n",
        encoding="utf-8")
    run(settings, embedder)  # segment 4: a new file holding a copy of a paragraph that segment 1 holds
    # a file that sorts first and copies the paragraph A000 and A001 share: its first copy moves to it
    assert paras(A000)[6].text == paras(A001)[8].text
    assert "000_a_first.txt" < A000
    (articles / "000_a_first.txt").write_text(paras(A001)[8].text + "\n", encoding="utf-8")
    shutil.move(articles.parent / A004, articles / A004)
    run(settings, embedder)  # segment 5: two files
    (articles / A003).unlink()
    path = articles / "zz_velmora.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe storm had closed it for a week.\n", encoding="utf-8")
    (articles / "zebra.txt").write_text("The zebra committee decided to open the new bridge in May.\n", encoding="utf-8")
    run(settings, embedder)  # segment 6: zebra, zz_velmora again; segments 2 and 4 go with their only files


def located(corpus: Corpus, idx: int) -> tuple[str, int]:
    para = corpus.paras[idx]
    return para.file, para.number


def bm25_by_location(corpus: Corpus, question: str) -> dict[tuple[str, int], float]:
    scores = corpus.get_scores(terms(question))
    return {located(corpus, int(corpus.answerable[j])): float(scores[j]) for j in np.flatnonzero(scores > 0)}


def ranked(corpus: Corpus, hits) -> list[tuple[float, float, set]]:
    """Hits as (score, lexical score, the paragraphs holding that score): equal scores in any order."""
    out: list[tuple[float, float, set]] = []
    for h in hits:
        key = (round(h.score, 5), round(h.lexical, 5))
        if out and out[-1][:2] == key:
            out[-1][2].add(located(corpus, h.para))
        else:
            out.append((*key, {located(corpus, h.para)}))
    return out


def assert_same_corpus(many: Corpus, one: Corpus) -> None:
    assert many.docs == one.docs and len(many.segments) > 1 and len(one.segments) == 1
    vocabulary = set(one.segments[0].postings.vocab)
    for term in sorted(vocabulary)[::7] + ["zzznothing"]:
        assert many.doc_freq(term) == one.doc_freq(term), term
        assert many.idf(term) == pytest.approx(one.idf(term))
    for question in QUESTIONS:
        a, b = bm25_by_location(many, question), bm25_by_location(one, question)
        assert a.keys() == b.keys() and all(a[k] == pytest.approx(b[k], rel=1e-6) for k in a), question
    # duplicate groups: the same first copies, each with the same other copies, wherever they live
    groups = {}
    for corpus in (many, one):
        live = [int(p) for p in corpus.answerable if p >= 0]
        groups[id(corpus)] = {located(corpus, p): sorted(located(corpus, c) for c in corpus.paras[p].copies)
                              for p in live}
    assert groups[id(many)] == groups[id(one)]
    assert any(groups[id(one)].values())  # the folder has duplicates
    for file in sorted(one.files):
        assert [(p.file, p.number, p.text, p.doc is None) for p in many.article(file)] == \
               [(p.file, p.number, p.text, p.doc is None) for p in one.article(file)]
    for word in ("Lavrov", "grain", "Velmora", "zebra", "Michelle"):
        for boilerplate in (False, True):
            assert [located(many, p.idx) for p in many.naming(word, boilerplate=boilerplate)] == \
                   [located(one, p.idx) for p in one.naming(word, boilerplate=boilerplate)]
        assert many.mentions(word) == one.mentions(word)
    assert many.acronyms() == one.acronyms()


def test_bm25_over_one_segment_equals_bm25s(fake_settings, fake_embedder):
    """The raw postings scored here give `bm25s`'s scores (Lucene's idf, k1 1.5, b 0.75)."""
    import bm25s

    run(fake_settings, fake_embedder)
    corpus = Corpus(IndexStore(fake_settings))
    docs = [corpus.paras[int(p)] for p in corpus.answerable]
    reference = bm25s.BM25()
    reference.index([terms(p.text) or [""] for p in docs], show_progress=False)
    for question in QUESTIONS + ["grain grain deal"]:
        q = terms(question)
        known = [t for t in q if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(docs))
        assert np.allclose(corpus.get_scores(q), expected, rtol=1e-5, atol=1e-6), question


@pytest.mark.parametrize("small", [0, 4096])
def test_many_commits_answer_as_one_build_of_the_same_texts(fake_settings, fake_embedder, articles, tmp_path,
                                                            small):
    # small 0: every segment searched through Chroma; 4096: these small segments exactly, over their vectors
    settings = fake_settings.replace(segments_per_tier=0, exact_search_chunks=small)  # never merge
    history(settings, fake_embedder, articles)
    manifest = IndexStore(settings).read_manifest()
    # segments 1, 3, 5, 6 are live; segment 1 holds a tombstone (A002's first version)
    assert len(manifest.segments) == 4 and [len(s.tombstones) for s in manifest.segments] == [1, 0, 0, 0]
    one = single_build(settings, fake_embedder, tmp_path)
    many_reader, one_reader = IndexReader(settings), IndexReader(one)
    many, single = many_reader.current(), one_reader.current()
    assert_same_corpus(many.corpus, single.corpus)

    for exact in (False, True):  # as opened, then exact search everywhere (a read-only index)
        if exact:
            many.collection = single.collection = None
        for question in QUESTIONS:  # dense top-k equal to one index's (ids may differ only among equal scores)
            q = np.asarray(fake_embedder.get_query_embedding(question), dtype=np.float32)
            a, b = many.nearest(q, 10), single.nearest(q, 10)
            sa, sb = many.similarities(q, a), single.similarities(q, b)
            assert [round(sa[i], 5) for i in a] == [round(sb[i], 5) for i in b], question
            tied = {round(sa[i], 5) for i in a[-1:]}
            assert {i for i in a if round(sa[i], 5) not in tied} == {i for i in b if round(sb[i], 5) not in tied}
            ha = HybridRetriever(many, fake_embedder).retrieve(question, k=8).hits
            hb = HybridRetriever(single, fake_embedder).retrieve(question, k=8).hits
            assert ranked(many.corpus, ha) == ranked(single.corpus, hb), question

    pa, pb = Pipeline(settings, embedder=fake_embedder), Pipeline(one, embedder=fake_embedder)
    for question in QUESTIONS:
        a, b = pa.ask(question), pb.ask(question)
        assert (a.text, a.answered, [(c.file, c.paragraph, c.also_in) for c in a.citations]) == \
               (b.text, b.answered, [(c.file, c.paragraph, c.also_in) for c in b.citations]), question
    assert any(c.also_in for q in QUESTIONS for c in pa.ask(q).citations)  # a duplicate was cited
    many_reader.close(), one_reader.close()


def test_merges_keep_every_answer_and_embed_nothing(fake_settings, fake_embedder, articles, tmp_path):
    settings = fake_settings.replace(segments_per_tier=2)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    manifest = store.read_manifest()
    policy = TieredMergePolicy(segments_per_tier=2)
    assert not policy.select(manifest.segments) and len(manifest.segments) <= 2
    # merged segments dropped their tombstoned rows; only live segments (and the previous commit's) stay
    folders = {p.name for p in store.build_dirs()} - {manifest.vector_dir}
    assert folders <= {segment_dir(s) for s in (*manifest.names().segments, *manifest.previous.segments)}
    one = single_build(settings, fake_embedder, tmp_path)
    reader, single = IndexReader(settings), IndexReader(one)
    assert_same_corpus_or_single(reader.current().corpus, single.current().corpus)
    pa, pb = Pipeline(settings, embedder=fake_embedder), Pipeline(one, embedder=fake_embedder)
    for question in QUESTIONS:
        a, b = pa.ask(question), pb.ask(question)
        assert (a.text, [(c.file, c.paragraph, c.also_in) for c in a.citations]) == \
               (b.text, [(c.file, c.paragraph, c.also_in) for c in b.citations]), question
    reader.close(), single.close()


def assert_same_corpus_or_single(many: Corpus, one: Corpus) -> None:
    if len(many.segments) > 1:
        assert_same_corpus(many, one)
    else:
        for question in QUESTIONS:
            assert bm25_by_location(many, question) == pytest.approx(bm25_by_location(one, question))


def test_a_merge_embeds_nothing_and_drops_tombstoned_rows(fake_settings, fake_embedder, articles):
    settings = fake_settings.replace(segments_per_tier=0)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    before = store.read_manifest()
    embedded = fake_embedder.texts_embedded
    from ingest.merge import merge_once

    report = merge_once(store, TieredMergePolicy(segments_per_tier=3))  # four segments in tier 0: all merged
    after = store.read_manifest()
    assert fake_embedder.texts_embedded == embedded and report.merged == tuple(s.id for s in before.segments)
    assert [s.id for s in after.segments] == [report.into] and not after.segments[0].tombstones
    assert after.segments[0].paragraphs == sum(r["paragraphs"] for r in after.files.values()) == report.paragraphs
    assert report.dropped == sum(s.deleted for s in before.segments) > 0
    assert {r["segment"] for r in after.files.values()} == {report.into}
    # the merged segments stay on disk for readers of the commit before; the next commit removes them
    assert all(SegmentFolder(store.dir / segment_dir(s.id)).exists() for s in before.segments)
    (articles / "late.txt").write_text("A late bulletin about the harbour.\n", encoding="utf-8")
    run(settings, fake_embedder)
    assert not any((store.dir / segment_dir(s.id)).exists() for s in before.segments)


KILLED_MERGE = """
import os, signal, sys
from tests.fakes import FakeEmbedding
from qa.settings import Settings
import ingest.build
from ingest.merge import TieredMergePolicy, merge_once
from ingest.segment import SegmentWriter
from ingest.store import IndexStore

data, index, where = sys.argv[1:4]
settings = Settings(data_dir=data, index_dir=index, embed_model="fake-bow-64", embed_runtime="torch", scorer="lexical",
                    exact_search_chunks=0)
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if where == "writing":  # the merged segment half-written
    real_add = SegmentWriter.add_file
    def add_file(self, name, records):
        real_add(self, name, records)
        if len(self.files) == 3:
            die()
    SegmentWriter.add_file = add_file
else:  # written, its collection filled, the manifest not yet replaced
    real_fill = ingest.build._fill_collection
    def fill(*args, **kwargs):
        real_fill(*args, **kwargs)
        die()
    ingest.build._fill_collection = fill
merge_once(IndexStore(settings), TieredMergePolicy(segments_per_tier=3))
"""


@pytest.mark.slow  # a process killed twice
@pytest.mark.parametrize("where", ["writing", "committing"])
def test_a_merge_killed_midway_leaves_the_last_commit_answering(fake_settings, fake_embedder, articles, where):
    import subprocess
    import sys

    from tests.conftest import ROOT


    settings = fake_settings.replace(segments_per_tier=0)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    manifest_bytes = store.manifest_path.read_bytes()
    before = {q: Pipeline(settings, embedder=fake_embedder).ask(q) for q in QUESTIONS}
    proc = subprocess.run([sys.executable, "-c", KILLED_MERGE, str(articles), str(settings.index_dir), where],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert store.manifest_path.read_bytes() == manifest_bytes  # the last commit is the committed state
    manifest = store.read_manifest()
    named = {segment_dir(s) for s in (*manifest.names().segments, *manifest.previous.segments)}
    leftovers = {p.name for p in store.dir.glob("segment-*")} - named
    assert len(leftovers) == 1  # the merged segment no commit names
    pipeline = Pipeline(settings, embedder=fake_embedder, build_if_missing=False)
    for q, answer in before.items():
        after = pipeline.ask(q)
        assert (after.text, after.citations) == (answer.text, answer.citations)
    report = run(settings.replace(segments_per_tier=3), fake_embedder)  # nothing changed: cleans up, then merges
    assert not report.changed and not ({p.name for p in store.dir.glob("segment-*")} & leftovers)
    collections = {c.name for c in store.client(manifest.vector_dir).list_collections()}
    assert collections == {store.collection_name(s) for s in (*store.read_manifest().names().segments,
                                                              *store.read_manifest().previous.segments)}


def test_a_commit_during_a_merge_does_not_wait_and_its_changes_survive_the_merge(fake_settings, fake_embedder,
                                                                                  articles, tmp_path, monkeypatch):
    import threading

    from ingest.merge import merge_once
    from ingest.segment import SegmentWriter

    settings = fake_settings.replace(segments_per_tier=0)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    building, release = threading.Event(), threading.Event()
    real_add = SegmentWriter.add_file

    def add_file(self, name, records):  # the merge stops after its first file until the commit is done
        real_add(self, name, records)
        if threading.current_thread().name == "merge":
            building.set()
            assert release.wait(60)

    monkeypatch.setattr(SegmentWriter, "add_file", add_file)
    result = {}
    merge = threading.Thread(target=lambda: result.update(report=merge_once(store, TieredMergePolicy(3))),
                             name="merge")
    merge.start()
    assert building.wait(60)
    # while the merge copies: edit an article it is copying, remove another, add one
    path = articles / A000
    path.write_text(path.read_text(encoding="utf-8") + "\nA late paragraph on the Riyadh talks.\n", encoding="utf-8")
    (articles / A001).unlink()
    (articles / "new.txt").write_text("The new bridge in Velmora opens in June.\n", encoding="utf-8")
    report = run(settings, fake_embedder)  # a commit, while the merge holds its work: it does not wait
    assert report.updated == [A000] and report.removed == [A001] and report.added == ["new.txt"]
    release.set()
    merge.join(60)
    merged = result["report"]
    manifest = store.read_manifest()
    segment = next(s for s in manifest.segments if s.id == merged.into)
    assert {A000, A001} <= set(segment.tombstones)  # the commit's changes became the merged segment's tombstones
    assert manifest.files[A000]["segment"] != merged.into and A001 not in manifest.files
    one = single_build(settings, fake_embedder, tmp_path)
    reader, single = IndexReader(settings), IndexReader(one)
    assert_same_corpus(reader.current().corpus, single.current().corpus)
    pa, pb = Pipeline(settings, embedder=fake_embedder), Pipeline(one, embedder=fake_embedder)
    for question in QUESTIONS + ["When does the new bridge in Velmora open?"]:
        a, b = pa.ask(question), pb.ask(question)
        assert (a.text, [(c.file, c.paragraph, c.also_in) for c in a.citations]) == \
               (b.text, [(c.file, c.paragraph, c.also_in) for c in b.citations]), question
    reader.close(), single.close()


def test_files_in_sub_folders_are_written_in_name_order(fake_settings, fake_embedder, articles, tmp_path):
    """"a/b.txt" sorts after "a-b.txt" as a name but before it as a path: a segment takes names in name
    order, and the first copy of a text is the first by name in any segment."""
    (articles / "a").mkdir()
    (articles / "a" / "b.txt").write_text("The ferry to Velmora sails at noon.\n", encoding="utf-8")
    (articles / "a-b.txt").write_text("The ferry to Velmora sails at noon.\n", encoding="utf-8")
    run(fake_settings, fake_embedder)
    corpus = Corpus(IndexStore(fake_settings))
    first = corpus.paragraph("a-b.txt", 1)
    assert first.doc is not None and [corpus.paras[i].file for i in first.copies] == ["a/b.txt"]


def test_the_tiered_merge_policy_merges_the_smallest_overfull_tier_and_segments_mostly_deleted():
    from ingest.manifest import SegmentRef

    def seg(i: int, paragraphs: int, deleted: int = 0) -> SegmentRef:
        return SegmentRef(id=f"{i:012x}", paragraphs=paragraphs, docs=paragraphs, chunks=paragraphs, deleted=deleted)

    policy = TieredMergePolicy(segments_per_tier=3, floor_paragraphs=100)
    assert [policy.tier(n) for n in (0, 100, 101, 300, 301, 900, 901)] == [0, 0, 1, 1, 2, 2, 3]
    big = [seg(i, 250) for i in range(4)]  # tier 1, overfull
    small = [seg(10 + i, 10) for i in range(3)]  # tier 0, full but not over
    assert policy.select(big + small) == tuple(s.id for s in big)
    assert policy.select(big[:3] + small + [seg(20, 5)]) == tuple(s.id for s in small) + (f"{20:012x}",)
    assert policy.select(big[:3] + small) == ()
    mostly_deleted = seg(30, 1000, deleted=600)  # tier by its live paragraphs (400: tier 2), rewritten alone
    assert policy.select(big[:3] + [mostly_deleted]) == (mostly_deleted.id,)
    assert TieredMergePolicy(segments_per_tier=0).select(big + small) == ()


def test_a_failed_merge_leaves_the_commit_standing(fake_settings, fake_embedder, articles, monkeypatch, caplog):
    import errno

    import ingest.merge

    settings = fake_settings.replace(segments_per_tier=1)
    run(settings, fake_embedder)
    real = ingest.merge._copy

    def full_disk(store, manifest, plan, writer, new_id):
        (writer.path / "vectors.npy").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ingest.merge, "_copy", full_disk)  # the merge cannot write its segment
    (articles / "new.txt").write_text("The new bridge in Velmora opens in June.\n", encoding="utf-8")
    report = run(settings, fake_embedder)
    assert report.added == ["new.txt"] and not report.merges and "merging segments failed" in caplog.text
    store = IndexStore(settings)
    manifest = store.read_manifest()
    assert len(manifest.segments) == 2 and manifest.files["new.txt"]["segment"] == manifest.segments[1].id
    assert not [p for p in store.dir.glob("segment-*")
                if p.name not in {segment_dir(s) for s in (*manifest.names().segments, *manifest.previous.segments)}]
    assert Pipeline(settings, embedder=fake_embedder).ask("When does the new bridge in Velmora open?").answered
    monkeypatch.setattr(ingest.merge, "_copy", real)
    (articles / "later.txt").write_text("The ferry sails at noon.\n", encoding="utf-8")
    assert run(settings, fake_embedder).merges  # the next commit merges


def test_small_segments_get_no_collection_and_chroma_is_never_started(fake_settings, fake_embedder, articles):
    """The default: a segment of up to `exact_search_chunks` vectors is searched exactly, so a desk's folder
    of a few hundred articles never starts Chroma (each collection created costs native memory Chroma
    never returns; `ingest.corpus.wants_hnsw`)."""
    import chromadb.api.shared_system_client as shared

    settings = fake_settings.replace(exact_search_chunks=4096, segments_per_tier=0)
    systems = dict(shared.SharedSystemClient._identifier_to_system)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    manifest = store.read_manifest()
    assert len(manifest.segments) == 4 and not any(s.hnsw for s in manifest.segments)
    assert (store.dir / manifest.vector_dir).is_dir() and store.stored_collections(manifest.vector_dir) == set()
    pipeline = Pipeline(settings, embedder=fake_embedder, build_if_missing=False)
    answer = pipeline.ask("What did the zebra committee decide?")
    assert answer.answered and answer.citations[0].file == "zebra.txt"
    assert pipeline.reader.current().collections == [None] * 4
    assert shared.SharedSystemClient._identifier_to_system.keys() == systems.keys()  # no Chroma started here


def test_a_merge_that_outgrows_exact_search_gets_a_collection(fake_settings, fake_embedder, articles):
    settings = fake_settings.replace(exact_search_chunks=30, segments_per_tier=0)
    history(settings, fake_embedder, articles)
    store = IndexStore(settings)
    before = store.read_manifest()
    assert all(s.chunks <= 30 and not s.hnsw for s in before.segments)
    from ingest.merge import merge_once

    report = merge_once(store, TieredMergePolicy(segments_per_tier=3))
    after = store.read_manifest()
    (merged,) = [s for s in after.segments if s.id == report.into]
    assert merged.chunks > 30 and merged.hnsw
    assert store.stored_collections(after.vector_dir) == {store.collection_name(merged.id)}
    pipeline = Pipeline(settings, embedder=fake_embedder, build_if_missing=False)
    snapshot = pipeline.reader.current()
    assert [c is not None for c in snapshot.collections] == [s.hnsw for s in after.segments]
    one = single_build(settings.replace(exact_search_chunks=4096), fake_embedder, articles.parent)
    single = Pipeline(one, embedder=fake_embedder, build_if_missing=False)
    for question in QUESTIONS:  # the collection's HNSW answers as exact search over one build
        a, b = pipeline.ask(question), single.ask(question)
        assert (a.text, [c.file for c in a.citations]) == (b.text, [c.file for c in b.citations]), question
