"""`IndexReader`: the one way to read the index, following every commit, in any process.

Each commit is opened once as an immutable `Snapshot` (manifest and every live segment: paragraph
tables, BM25 postings, chunk vectors and each large segment's Chroma collection). The reader looks for a newer commit cheaply: at
most every `settings.refresh_seconds` one `stat()` of the manifest, and only when that changed
a read of its commit id. A newer commit is opened beside the current one and swapped in for new
questions; the old snapshot is closed when the last question using it ends (`with reader.use()
as snapshot:` counts them). Ingest keeps the previous commit's collection and folder, so a
question that started on it finishes on it.

Dense search asks each large segment's Chroma collection (its HNSW index), searches the small ones
exactly (they have none: `ingest.corpus.wants_hnsw`) and merges; exact similarities of candidate chunks
come from the segments' memory-mapped `vectors.npy`. Where Chroma cannot
open the index (a read-only copy: Chroma's embedded client writes even to read, chroma issue
#1438), dense search is exact brute force over `vectors.npy`, and nothing is written.

Not handled: a commit removed while a question runs on it *and* the next one (two ingests
committed within one question): that question fails with `IndexChangedError`, and the pipeline
asks it once more on the newest commit.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ingest.corpus import Corpus
from ingest.errors import IndexChangedError, IndexCorruptError, IndexLockedError, IndexStateError, IndexWriteError
from ingest.settings import IndexSettings
from ingest.manifest import Manifest
from ingest.store import QUERY_LOCK_WAIT, IndexStore

log = logging.getLogger("articles_qa.reader")


class Snapshot:
    """One commit of the index, opened for answering: every live segment's paragraphs, postings,
    vectors and Chroma collection (`collections[i]` is segment i's, None when searched exactly);
    never changes, closed once unused."""

    def __init__(self, store: IndexStore, manifest: Manifest, *, read_only: bool | None = None):
        self.store = store
        self.manifest = manifest
        self.corpus = Corpus(store, manifest)  # IndexOutdatedError / IndexCorruptError with the fix
        self.commit: str = manifest.commit
        self.vector_dir: str = manifest.vector_dir
        self._vectors: list[np.ndarray] | None = None
        try:
            vectors = self.vectors
        except (OSError, ValueError) as e:
            self.corpus.close()
            raise IndexCorruptError(f"the vectors of {store.dir} cannot be read ({e}); "
                                    f"rebuild them with `python -m ingest --index {store.dir}`") from None
        for segment, v in zip(self.corpus.segments, vectors):
            if len(v) < segment.ref.chunks:
                self.corpus.close()
                raise IndexCorruptError(
                    f"segment {segment.ref.id} of {store.dir} holds {len(v)} of the {segment.ref.chunks} chunk "
                    f"vectors its manifest names; rebuild it with `python -m ingest --index {store.dir}`")
        self.read_only = _read_only(store, self.vector_dir) if read_only is None else read_only
        self.collections: list | None = None if self.read_only else self._open_or_search_exactly()
        self._users = 0
        self._retired = False
        self.closed = False

    @property
    def collection(self):
        """Whether dense search asks Chroma (the segments' collections) or searches exactly: kept for
        callers that set it to None to force exact search."""
        return self.collections

    @collection.setter
    def collection(self, value) -> None:
        self.collections = value

    def _open_or_search_exactly(self) -> list | None:
        """The segments' collections; or None (exact search over their `vectors.npy`, as on a read-only
        index) when Chroma cannot be opened for want of disk space or for a lock another process holds,
        while the store itself is sound: answering needs neither space nor the lock (issue 28). Damage is
        still raised."""
        try:
            return self._open_collections()
        except (IndexLockedError, IndexWriteError) as e:
            reason = str(e)
        except IndexCorruptError as e:
            if self.store.settings.chroma_url or self._store_damaged():
                raise
            reason = str(e)
        log.warning("%s; searching the vectors of commit %s exactly", reason.split(";")[0], self.commit)
        return None

    def _store_damaged(self) -> bool:
        """Whether the committed store itself is damaged (read with sqlite3, no space needed); a lock is not."""
        try:
            return any(self.store.vector_store_problem(self.vector_dir, self.store.collection_name(s.ref.id))
                       for s in self.corpus.segments if s.ref.hnsw)
        except IndexLockedError:
            return False

    def _open_collections(self) -> list:
        out = []
        for segment in self.corpus.segments:
            if not segment.ref.hnsw:
                out.append(None)  # written without a collection: searched exactly (Chroma is not started for it)
                continue
            name = self.store.collection_name(segment.ref.id)
            collection = self.store.open_collection(self.vector_dir, name)
            try:
                stored = collection.count()
            except Exception as e:
                raise IndexCorruptError(f"the vector store of {self.store.dir} cannot be read ({e}); "
                                        f"rebuild it with `python -m ingest --index {self.store.dir}`") from None
            if stored < segment.ref.chunks:
                raise IndexCorruptError(
                    f"the vector store of {self.store.dir} holds {stored} of the {segment.ref.chunks} chunks of "
                    f"segment {segment.ref.id}; rebuild it with `python -m ingest --index {self.store.dir}`")
            out.append(collection)
        return out

    # -- search ----------------------------------------------------------------
    def nearest(self, query: np.ndarray, n: int) -> list[str]:
        """Ids of the `n` chunks nearest to `query` (a unit-length or raw query vector) over every live
        segment, nearest first: each segment is asked for `n` plus its tombstoned chunks, those are
        dropped, and the candidates are ordered by their exact similarity, so the result equals one
        index's top `n` (exact search; with Chroma, as exact as its HNSW). Small segments (up to
        `SMALL_SEGMENT_CHUNKS`) are always searched exactly over their vectors: cheaper than a query."""
        found: dict[str, None] = {}
        exact = self.collections is None or (
            not all(s.small for s in self.corpus.segments)  # a lock on the store: searched exactly (issue 28)
            and self.store.vector_store_locked(self.vector_dir, write=False, wait=QUERY_LOCK_WAIT))
        for i, segment in enumerate(self.corpus.segments):
            dead, dead_rows = segment.dead_chunks()
            want = min(n + len(dead), segment.ref.chunks)
            if want <= 0:
                continue
            if exact or segment.small:  # exact: a read-only or locked store, or a small segment
                sims = np.asarray(self.vectors[i] @ query.astype(np.float32), dtype=np.float32)
                if len(dead_rows):
                    sims[dead_rows] = -np.inf
                top = np.argpartition(-sims, min(n, len(sims)) - 1)[:n]
                if segment.small:
                    names = segment.chunk_ids()
                    ids = [names[int(r)] for r in top if np.isfinite(sims[r])]
                else:
                    rows = segment.query(f"SELECT row, id FROM vectors WHERE row IN ({','.join('?' * len(top))})",
                                         tuple(int(r) for r in top))
                    ids = [cid for row, cid in rows if np.isfinite(sims[row])]
            else:
                try:
                    got = self.collections[i].query(query_embeddings=[query.tolist()], n_results=want, include=[])
                except Exception as e:
                    raise _chroma_error(e, self) from None
                ids = [cid for cid in got["ids"][0] if cid not in dead]
            found.update(dict.fromkeys(ids))
        if len(self.corpus.segments) == 1 and not exact and not self.corpus.segments[0].small:
            return list(found)[:n]  # one segment searched by Chroma: its order already is the order
        sims = self.similarities(query, list(found))
        return sorted(found, key=lambda cid: -sims.get(cid, -2.0))[:n]

    def similarities(self, query: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Exact cosine similarity of each chunk id with `query`, from the segments' vectors."""
        rows = self.corpus.vector_rows(ids)
        if not rows:
            return {}
        index = {id(s): i for i, s in enumerate(self.corpus.segments)}
        q = query.astype(np.float32) / (float(np.linalg.norm(query)) or 1.0)
        out = {}
        for cid, sim in ((cid, float(np.asarray(self.vectors[index[id(s)]][row]) @ q)) for s, cid, row in rows):
            out[cid] = sim
        return out

    # -- lifetime --------------------------------------------------------------
    @property
    def vectors(self) -> list[np.ndarray]:
        """Every live segment's chunk vectors (memory-mapped; reopened if used after `close`)."""
        if self._vectors is None:
            self._vectors = [s.folder.vectors() for s in self.corpus.segments]
        return self._vectors

    def close(self) -> None:
        """Release what this commit holds: its collections, the memory maps (each holds a file
        descriptor) and the paragraph tables' connections. Called once no question uses it; an
        object that still holds it (an old `Pipeline.load()` retriever) reopens the files it reads."""
        self.closed = True
        self.collections = None
        self._vectors = None
        self.corpus.close()


def _read_only(store: IndexStore, vector_dir: str) -> bool:
    """Whether Chroma's embedded client could open this store (it writes even to read)."""
    path = store.dir / vector_dir
    if store.settings.chroma_url or not path.is_dir():  # a missing folder is damage, reported on opening
        return False
    database = path / "chroma.sqlite3"
    return not (os.access(path, os.W_OK) and (not database.exists() or os.access(database, os.W_OK)))


def _chroma_error(e: Exception, snapshot: Snapshot) -> IndexStateError:
    name = type(e).__name__
    if name in ("NotFoundError", "InternalError"):  # deleted by a newer commit, or a stale cache
        return IndexChangedError(f"the commit {snapshot.commit} of {snapshot.store.dir} changed while it was read "
                                 f"({name}: {e}); ask again")
    return IndexCorruptError(f"the vector store of {snapshot.store.dir} cannot be searched ({name}: {e}); "
                             f"rebuild it with `python -m ingest --index {snapshot.store.dir}`")


class IndexReader:
    """Hands out the newest committed snapshot; swaps in a newer one when an ingest commits."""

    def __init__(self, settings: IndexSettings, index_dir: str | Path | None = None):
        self.settings = settings
        self.store = IndexStore(settings, Path(index_dir) if index_dir else None)
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._stat: tuple | None = None
        self._checked = -1e9
        self._recycle = False  # reopen the vector client once the current snapshot is idle

    def current(self) -> Snapshot:
        """The newest committed snapshot (checked at most every `refresh_seconds`)."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked < self.settings.refresh_seconds:
            return snapshot
        return self.refresh()

    def refresh(self, *, force: bool = False) -> Snapshot:
        """Look for a newer commit now and switch to it; raises the index's typed errors."""
        with self._lock:
            self._checked = time.monotonic()
            stat = self._manifest_stat()
            if self._snapshot is not None and not force and stat == self._stat:
                return self._snapshot
            try:
                manifest = self.store.read_manifest()  # IndexNotFoundError / IndexCorruptError
            except IndexCorruptError as e:
                if self._snapshot is None:
                    raise
                # a damaged manifest (truncated, edited) does not take down a page whose commit is intact
                log.warning("%s; answering from commit %s until it is repaired", e, self._snapshot.commit)
                self._stat = stat
                return self._snapshot
            if self._snapshot is not None and manifest.commit == self._snapshot.commit:
                self._snapshot.manifest = manifest  # only file times moved: same commit, same answers
                self._snapshot.corpus.files = manifest.files
                self._stat = stat
                return self._snapshot
            snapshot = Snapshot(self.store, manifest)
            old, self._snapshot, self._stat = self._snapshot, snapshot, stat
            if old is not None:
                log.info("index %s: commit %s replaces %s", self.store.dir, snapshot.commit, old.commit)
                self._retire(old)
            return snapshot

    def _manifest_stat(self) -> tuple | None:
        try:
            st = self.store.manifest_path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @contextlib.contextmanager
    def use(self) -> Iterator[Snapshot]:
        """The newest snapshot, kept open until the block ends even if a newer commit arrives."""
        with self._lock:
            snapshot = self.current()
            snapshot._users += 1
        try:
            yield snapshot
        finally:
            with self._lock:
                snapshot._users -= 1
                if snapshot._retired and snapshot._users == 0:
                    self._close(snapshot)
                self._recycle_client()

    def _retire(self, snapshot: Snapshot) -> None:
        snapshot._retired = True
        if snapshot._users == 0:
            self._close(snapshot)

    def _close(self, snapshot: Snapshot) -> None:
        snapshot.close()
        current = self._snapshot
        if current is None or current.vector_dir != snapshot.vector_dir:
            self.store.close_client(snapshot.vector_dir)  # a rebuild moved to a new vector folder
        elif {s.ref.id for s in snapshot.corpus.segments} - {s.ref.id for s in current.corpus.segments}:
            self._recycle = True  # a merge retired segments whose collections the client keeps loaded
            self._recycle_client()

    def _recycle_client(self) -> None:
        """Close the vector folder's client and reopen the current commit's collection on a new one.
        Why: Chroma's embedded client keeps every collection it ever opened loaded (the HNSW index in
        memory, 4 files open apiece, even once deleted), so a page following commits grew by that
        per commit until it ran out of file descriptors (issue 20). Only while no question uses the
        current snapshot; if reopening fails, it searches its vectors exactly (as a read-only copy does)."""
        current = self._snapshot
        if not self._recycle or current is None or current._users or current.collection is None:
            return
        self._recycle = False
        self.store.close_client(current.vector_dir)
        try:
            current.collections = current._open_collections()
        except IndexStateError as e:
            log.warning("%s; searching the vectors of commit %s exactly", e, current.commit)
            current.collections = None

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                snapshot, self._snapshot = self._snapshot, None
                self._retire(snapshot)
            self.store.close_clients()
