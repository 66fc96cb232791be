"""Segment merges: a tiered merge policy, and `merge` that rewrites several segments as one.

Each commit adds a segment, so without merges a reader would search more and more of them. The
policy (`TieredMergePolicy`, after Lucene's) puts each segment in a size tier by its live paragraphs
(tier 0 up to `floor_paragraphs`, each further tier `segments_per_tier` times larger) and merges
all the segments of a tier once more than `segments_per_tier` share it; a segment whose tombstoned
share exceeds `max_deleted_share` is rewritten alone. So the number of live segments stays under
about `segments_per_tier` times the number of tiers (a few at 1,000,000 paragraphs), and a paragraph
is rewritten about once per tier it climbs.

A merge copies the live paragraphs of its segments, file by file in name order (their stored
annotations, chunks and terms: nothing is read, parsed or embedded again), into a new segment, and
their vectors from the segments' `vectors.npy` into the new segment's collection; tombstoned rows are
dropped. It holds the ingest lock only to plan and to commit, so readers never wait and a new commit
waits at most for the manifest swap: files a commit replaced or removed meanwhile become
tombstones of the merged segment. A merge killed midway leaves the last commit answering; its
unfinished segment is removed by a later ingest. The merged segments' folders and collections are
deleted by a later commit once no commit a reader may hold names them (the two-commit rule).

Not handled: merging on a schedule of its own (merges run after a commit, in the committing
process) and two merges at once (a second one waits for the next commit).
"""
from __future__ import annotations

import contextlib
import heapq
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.errors import IndexCorruptError
from ingest.manifest import Manifest, SegmentRef
from ingest.segment import SegmentFolder, SegmentWriter, segment_dir
from ingest.snapshot import vocabulary_fingerprint
from ingest.store import IndexStore

log = logging.getLogger("articles_qa.merge")


@dataclass(frozen=True)
class TieredMergePolicy:
    """Which segments to merge next. `segments_per_tier` 0 turns merging off."""
    segments_per_tier: int = 10
    floor_paragraphs: int = 1_000
    max_deleted_share: float = 0.5

    def tier(self, live_paragraphs: int) -> int:
        """0 for segments up to `floor_paragraphs` live paragraphs, then one more per factor of
        `segments_per_tier`."""
        tier, size = 0, self.floor_paragraphs
        while live_paragraphs > size:
            tier, size = tier + 1, size * max(2, self.segments_per_tier)
        return tier

    def select(self, segments: Sequence[SegmentRef]) -> tuple[str, ...]:
        """Ids of the segments to merge into one, or () when none need it: the smallest tier holding
        more than `segments_per_tier` segments, else one segment with too many tombstones."""
        if self.segments_per_tier <= 0:
            return ()
        tiers: dict[int, list[SegmentRef]] = {}
        for segment in segments:
            tiers.setdefault(self.tier(segment.live), []).append(segment)
        for tier in sorted(tiers):
            if len(tiers[tier]) > self.segments_per_tier:
                return tuple(s.id for s in tiers[tier])
        for segment in segments:
            if segment.paragraphs and segment.deleted / segment.paragraphs > self.max_deleted_share:
                return (segment.id,)
        return ()


@dataclass(frozen=True)
class MergeReport:
    merged: tuple[str, ...]  # the segments rewritten
    into: str  # the new segment
    paragraphs: int  # live paragraphs copied
    dropped: int  # tombstoned paragraphs left out
    seconds: float


def merge_segments(store: IndexStore, policy: TieredMergePolicy, *, limit: int = 8) -> list[MergeReport]:
    """Merge what `policy` selects, again until it selects nothing (a merge may fill the next tier), at
    most `limit` merges. Returns what was merged; [] when nothing was, or another process merges."""
    done: list[MergeReport] = []
    while len(done) < limit:
        report = merge_once(store, policy)
        if report is None:
            break
        done.append(report)
    return done


def merge_once(store: IndexStore, policy: TieredMergePolicy) -> MergeReport | None:
    """One merge (see the module's docstring); None when there is nothing to merge or a merge is running.
    Raises what writing raises (`OSError`, `sqlite3.Error`, Chroma's errors); the last commit still
    answers then."""
    with contextlib.ExitStack() as stack:
        with store.lock():
            manifest = store.read_manifest()
            plan = policy.select(manifest.segments) if manifest.current else ()
            if not plan:
                return None
            new_id = store.new_commit()
            if not stack.enter_context(store.merge_lock(new_id)):
                return None  # another process merges: the next commit looks again
            store.mark_pending()  # if this process dies, the next ingest removes what it wrote
        started = time.perf_counter()
        writer = SegmentWriter(store.dir / segment_dir(new_id))
        try:
            dropped, hnsw = _copy(store, manifest, plan, writer, new_id)
        except BaseException:
            writer.abort()
            _discard(store, manifest.vector_dir, new_id)
            raise
        with store.lock():
            committed = _commit(store, manifest, plan, writer, new_id, hnsw)
        if not committed:
            _discard(store, manifest.vector_dir, new_id)
            return None
        seconds = time.perf_counter() - started
        log.info("merged %d segments into %s (%d paragraphs, %d tombstoned dropped) in %.1fs",
                 len(plan), new_id, writer.paragraphs, dropped, seconds)
        return MergeReport(plan, new_id, writer.paragraphs, dropped, seconds)


def _copy(store: IndexStore, manifest: Manifest, plan: tuple[str, ...], writer: SegmentWriter,
          new_id: str) -> tuple[int, bool]:
    """Stream the live files of `plan`'s segments, in name order, into `writer`; copy their vectors into
    the new segment's collection (when it wants one). Returns the tombstoned paragraphs left out, and
    whether a collection was made."""
    from ingest.build import _fill_collection

    live = manifest.segment_files()
    folders = [SegmentFolder(store.dir / segment_dir(s)) for s in plan]
    streams = [folder.read_files(set(live[s])) for folder, s in zip(folders, plan)]
    for name, records in heapq.merge(*streams, key=lambda item: item[0]):
        writer.add_file(name, records)
    ids = list(writer.chunk_texts)
    vectors = np.empty((len(ids), 1), dtype=np.float32)
    rest, position = list(ids), {cid: i for i, cid in enumerate(ids)}
    for folder in folders:
        if not rest:
            break
        found, rows = folder.find_vectors(rest)
        if found:
            if vectors.shape[1] != rows.shape[1]:
                vectors = np.empty((len(ids), rows.shape[1]), dtype=np.float32)
            vectors[[position[cid] for cid in found]] = rows
            taken = set(found)
            rest = [cid for cid in rest if cid not in taken]
    if rest:
        raise IndexCorruptError(f"segments {', '.join(plan)} of {store.dir} lack the vectors of {len(rest)} chunks; "
                                f"rebuild the index with `python -m ingest --index {store.dir}`")
    writer.finish(vectors if ids else None, meta={"vocabulary": vocabulary_fingerprint()})
    hnsw = _fill_collection(store, manifest.vector_dir, new_id, ids, vectors)
    merged = {s.id: s for s in manifest.segments}
    return sum(merged[s].paragraphs for s in plan) - writer.paragraphs, hnsw


def _commit(store: IndexStore, planned: Manifest, plan: tuple[str, ...], writer: SegmentWriter, new_id: str,
            hnsw: bool) -> bool:
    """Under the ingest lock: name the merged segment instead of `plan`'s in a new commit. Files that a
    commit since the plan replaced or removed become its tombstones (a planned segment all of whose
    files went is already gone). False (nothing written) when the plan no longer fits: the index was
    rebuilt (another vector folder, embedder or vocabulary)."""
    from ingest.build import _drop_superseded, _now

    now = store.read_manifest()
    if (not now.current or now.vector_dir != planned.vector_dir or now.embed_model != planned.embed_model
            or now.vocabulary != planned.vocabulary):
        log.info("the segments planned for a merge changed meanwhile; merge dropped")
        return False
    planned_set = set(plan)
    files = dict(now.files)
    tombstones, deleted = [], 0
    counts = dict(_file_counts(writer))
    for name in writer.files:
        record = now.files.get(name)
        if record is not None and record.get("segment") in planned_set:
            files[name] = {**record, "segment": new_id}
        else:
            tombstones.append(name)
            deleted += counts[name]
    merged = SegmentRef(id=new_id, paragraphs=writer.paragraphs, docs=writer.docs, chunks=len(writer.chunk_texts),
                        tombstones=tuple(tombstones), deleted=deleted, hnsw=hnsw)
    segments = [s for s in now.segments if s.id not in planned_set]
    if merged.live:  # else every file of it was replaced or removed during the merge
        at = next((i for i, s in enumerate(now.segments) if s.id in planned_set), len(now.segments))
        segments.insert(sum(1 for s in now.segments[:at] if s.id not in planned_set), merged)
    manifest = Manifest(commit=store.new_commit(), embed_model=now.embed_model, chunking=now.chunking,
                        vocabulary=now.vocabulary, vector_dir=now.vector_dir, segments=tuple(segments),
                        previous=now.names(), built_at=_now(), files=files)
    store.write_manifest(manifest)
    _drop_superseded(store, manifest)
    store.clear_pending()
    return True


def _file_counts(writer: SegmentWriter) -> list[tuple[str, int]]:
    import sqlite3

    db = sqlite3.connect(f"file:{writer.path / 'paragraphs.sqlite'}?mode=ro", uri=True)
    try:
        return list(db.execute("SELECT file, count FROM files"))
    finally:
        db.close()


def _discard(store: IndexStore, vector_dir: str, segment_id: str) -> None:
    """Remove an unfinished or dropped merge's folder and collection (what stays, a later ingest removes)."""
    shutil.rmtree(store.dir / segment_dir(segment_id), ignore_errors=True)
    try:
        store.drop_collections(vector_dir, keep=set(), only={store.collection_name(segment_id)})
    except Exception as e:  # the store may be what failed
        log.warning("could not remove the unfinished collection of segment %s (%s)", segment_id, e)
