"""The index on disk: a manifest (the committed state) naming the live segments (`ingest.segment`:
paragraph table, raw BM25 postings and chunk vectors each) with their tombstones, and one Chroma
collection per segment.

Why a manifest: vectors are keyed by a hash of (model, chunk text), so unchanged text is
never embedded again and the same text in two files shares one vector. The manifest says
which commit counts. It is replaced atomically (write, fsync, rename) only after every
vector it names is stored, so a run killed at any point leaves the previous manifest, and
with it the previous index, answering. Each fresh build gets a vector folder of its own
name (`chroma-<id>`), so a rebuild never reuses files a broken index left behind.

One Chroma collection per segment (`aqa-<segment>`), written before the manifest names it and
never changed after. Why that is safe across processes: each process caches a collection's
vector index the first time it opens it, and we never change a collection after publishing
it, so every reader's cached copy stays identical to what is on disk; the only change a reader
can see is a deleted collection (NotFoundError), which it handles by re-reading the manifest.
(Chroma's embedded client is not process-safe for a collection that another process writes:
its cached HNSW goes stale and queries fail with "Error finding id"; chroma issues #3769, #3792.)
An ingest deletes the collections and segment folders that neither the last commit nor the one
before names (segments merged away, or whose files all went), so a reader in the middle of a
question never loses the ones it uses; a reader two commits behind asks again on the newest.

Not handled: two writers on one Chroma server for the same index folder from two machines
(the lock is a local file lock).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from ingest.errors import (IndexChangedError, IndexCorruptError, IndexLockedError, IndexNotFoundError,
                           IndexStateError, IndexWriteError, VectorStoreUnreachableError)
from ingest.manifest import FORMAT, Manifest  # noqa: F401  (FORMAT: re-exported)
from ingest.settings import IndexSettings

MANIFEST = "manifest.json"
PENDING = "ingest.pending"  # present while vectors may exist that no manifest names
LOCK = "ingest.lock"
MERGE_LOCK = "merge.lock"  # held by the one process merging segments
MERGING = "merge.segment"  # the id of the segment a merge is writing (named by no commit yet)
CHROMA_PREFIX = "chroma"
CORPUS_PREFIX = "corpus"
COLLECTION_PREFIX = "aqa-"
VECTOR_LOCK_WAIT = 10.0  # seconds an ingest or a reader opening Chroma waits for a lock on chroma.sqlite3 (issue 28)
QUERY_LOCK_WAIT = 0.25  # seconds a question waits for it before searching the snapshot's vectors instead
LOW_SPACE = 1 << 20  # bytes free under which a store that fails to open is reported as a full disk, not damage
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
log = logging.getLogger("articles_qa.store")


def chunk_id(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class IndexStore:
    def __init__(self, settings: IndexSettings, index_dir: Path | None = None):
        self.settings = settings
        self.dir = Path(index_dir or settings.index_dir)
        if self.dir.exists() and not self.dir.is_dir():
            raise IndexStateError(f"the index path {self.dir} is a file, not a folder; pass --index with a folder "
                                  f"(a new one is created)")
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    # -- manifest --------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> Manifest:
        """The committed manifest; IndexNotFoundError if none, IndexCorruptError if unreadable."""
        path = self.manifest_path
        if not path.is_file():
            raise IndexNotFoundError(
                f"no index at {self.dir}; build it with `python -m ingest --index {self.dir}`"
            )
        try:
            manifest = Manifest.read(path)
        except (OSError, ValueError) as e:
            raise IndexCorruptError(
                f"the index at {self.dir} is unreadable ({e}); rebuild it with "
                f"`python -m ingest --index {self.dir}` (the broken copy is kept aside)"
            ) from None
        return manifest

    def write_manifest(self, manifest: Manifest) -> None:
        """Commit `manifest` (atomically: see `Manifest.write`)."""
        manifest.write(self.manifest_path)

    def remove_leftovers(self) -> list[str]:
        """Remove temporary manifests of killed writers (call holding the lock)."""
        removed = []
        for path in Manifest.leftovers(self.dir):
            path.unlink(missing_ok=True)
            removed.append(path.name)
        return removed

    def set_aside(self, name: str, reason: str) -> Path:
        """Move one broken build folder (e.g. a vector store that no longer opens) under `broken/`."""
        if Path(name).name != name or name in ("", ".", ".."):  # a plain sub-folder name only (issue 28)
            raise IndexCorruptError(f"the index at {self.dir} names {name!r}, not a folder inside it; rebuild it "
                                    f"with `python -m ingest --index {self.dir}`")
        target = self.dir / "broken" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.close_client(name)
        if (self.dir / name).exists():
            shutil.move(str(self.dir / name), str(target))
        else:
            target.mkdir()
        (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
        return target

    def quarantine(self, reason: str) -> Path:
        """Move a broken index's contents aside (never delete them) so a rebuild can start clean."""
        target = self.dir / "broken" / time.strftime("%Y%m%d-%H%M%S")
        target.mkdir(parents=True, exist_ok=True)
        for path in [self.dir / MANIFEST, self.dir / PENDING, *self.build_dirs()]:
            if path.exists():
                shutil.move(str(path), str(target / path.name))
        (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
        self.close_clients()
        return target

    # -- pending marker --------------------------------------------------------
    def mark_pending(self) -> None:
        (self.dir / PENDING).write_text(str(os.getpid()), encoding="utf-8")

    def clear_pending(self) -> None:
        (self.dir / PENDING).unlink(missing_ok=True)

    def is_pending(self) -> bool:
        return (self.dir / PENDING).exists()

    # -- lock ------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, *, wait: float = 600.0) -> Iterator[None]:
        """Serialize writers: a second ingest waits for the first, it never interleaves (`filelock`:
        an OS lock, released by the OS when a holder dies)."""
        from filelock import FileLock, Timeout

        self.dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.dir / LOCK), thread_local=False)
        try:
            lock.acquire(timeout=wait, poll_interval=0.2)
        except Timeout:
            raise IndexLockedError(
                f"another ingest holds {self.dir / LOCK} for over {wait:.0f}s; wait for it or stop it") from None
        try:
            yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def merge_lock(self, segment_id: str) -> Iterator[bool]:
        """Hold the merge lock while writing segment `segment_id` (yields False, holding nothing, when
        another process merges): ingest's clean-up then keeps that segment's folder and collection."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.dir / MERGE_LOCK), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            yield False
            return
        try:
            (self.dir / MERGING).write_text(segment_id, encoding="utf-8")
            yield True
        finally:
            (self.dir / MERGING).unlink(missing_ok=True)
            lock.release()

    def merging_segment(self) -> str | None:
        """The segment another process is merging into now, or None (then nothing unnamed is in use)."""
        from filelock import FileLock, Timeout

        if not (self.dir / MERGING).exists():
            return None
        lock = FileLock(str(self.dir / MERGE_LOCK), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            try:
                return (self.dir / MERGING).read_text(encoding="utf-8").strip() or None
            except OSError:
                return None
        lock.release()  # a killed merger's marker: nothing is being written
        return None

    # -- build folders ---------------------------------------------------------
    @staticmethod
    def new_dir(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def vector_dirs(self) -> list[Path]:
        return sorted(p for p in self.dir.glob(f"{CHROMA_PREFIX}*") if p.is_dir())

    def build_dirs(self) -> list[Path]:
        """Vector folders, then snapshot (format 3) and segment folders."""
        from ingest.segment import SEGMENT_PREFIX

        return self.vector_dirs() + sorted(p for pattern in (f"{CORPUS_PREFIX}*", f"{SEGMENT_PREFIX}-*")
                                           for p in self.dir.glob(pattern) if p.is_dir())

    def drop_build_dirs(self, *, keep: set[str]) -> None:
        """Remove vector and snapshot folders that neither of the named commits uses."""
        for path in self.build_dirs():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- collections: one per commit, never changed once a manifest names it -----
    @staticmethod
    def new_commit() -> str:
        return uuid.uuid4().hex[:12]

    def _namespace(self) -> str:
        """Collections of this index: in a shared server, prefixed by a hash of the index folder."""
        if not self.settings.chroma_url:
            return COLLECTION_PREFIX
        return f"{COLLECTION_PREFIX}{hashlib.sha256(str(self.dir.resolve()).encode()).hexdigest()[:10]}-"

    def collection_name(self, commit: str) -> str:
        return self._namespace() + commit

    def legacy_collection_name(self, model: str, vector_dir: str) -> str:
        """The one collection a format-2 index changed in place (read once, to reuse its vectors)."""
        key = f"{self.dir.resolve()}\0{vector_dir}\0{model}" if self.settings.chroma_url else model
        return COLLECTION_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20]

    def create_collection(self, vector_dir: str, name: str):
        """A new, empty collection for a commit being written (a leftover of a killed run is replaced)."""
        client = self.client(vector_dir)
        with contextlib.suppress(Exception):  # chromadb raises NotFoundError or ValueError by version
            client.delete_collection(name)
        return client.create_collection(name, metadata={"hnsw:space": "cosine"})

    def open_collection(self, vector_dir: str, name: str):
        """The committed collection `name`; IndexCorruptError if its store is missing or broken,
        IndexChangedError if the collection was deleted (a newer commit superseded it)."""
        from chromadb.errors import NotFoundError

        path = self.dir / vector_dir
        if not self.settings.chroma_url and not path.is_dir():
            raise IndexCorruptError(
                f"the vector folder {path} is missing; rebuild it with `python -m ingest --index {self.dir}`")
        client = self.client(vector_dir)
        try:
            return client.get_collection(name)
        except NotFoundError:
            raise IndexChangedError(f"the collection {name} of {self.dir} was removed by a newer commit") from None
        except Exception as e:  # chromadb raises several unrelated types for a broken store
            if self.settings.chroma_url and is_connection_error(e):
                raise self.unreachable(e) from None
            raise IndexCorruptError(
                f"the vector store of {self.dir} cannot be opened ({type(e).__name__}: {e}); "
                f"rebuild it with `python -m ingest --index {self.dir}`"
            ) from None

    def get_collection_or_none(self, vector_dir: str, name: str):
        try:
            return self.client(vector_dir).get_collection(name)
        except Exception:
            return None

    def drop_collections(self, vector_dir: str, *, keep: set[str], only: set[str] | None = None) -> list[str]:
        """Delete this index's collections other than `keep` (superseded commits, killed runs);
        with `only`, just those of them."""
        client = self.client(vector_dir)
        namespace = self._namespace()
        dropped = []
        for collection in client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if only is not None and name not in only:
                continue
            if name.startswith(namespace) and name not in keep and (
                    not self.settings.chroma_url or len(name) == len(namespace) + 12):
                with contextlib.suppress(Exception):
                    client.delete_collection(name)
                    dropped.append(name)
        return dropped

    def stored_collections(self, vector_dir: str) -> set[str] | None:
        """Names of this index's collections in the embedded store of `vector_dir`, read with sqlite3
        without starting Chroma: an empty set when it holds no store yet; None for a server, or when
        the store cannot be read (then ask Chroma)."""
        import sqlite3

        database = self.dir / vector_dir / "chroma.sqlite3"
        if self.settings.chroma_url:
            return None
        if not database.exists():
            return set()
        try:
            db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                names = {name for (name,) in db.execute("SELECT name FROM collections")}
            finally:
                db.close()
        except sqlite3.Error:
            return None
        return {name for name in names if name.startswith(self._namespace())}

    def vector_store_problem(self, vector_dir: str, collection: str) -> str | None:
        """Why the embedded store in `vector_dir` cannot serve `collection`, read from its SQLite
        file without starting Chroma: unreadable or not a database, no such collection, or its
        vector-index folder gone. None when it looks sound (not a full check of every vector)."""
        import sqlite3

        path = self.dir / vector_dir
        database = path / "chroma.sqlite3"
        if not database.is_file():
            return f"the vector store {database} is missing"
        try:
            db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT id FROM collections WHERE name = ?", (collection,)).fetchone()
                segments = [r[0] for r in db.execute(
                    "SELECT id FROM segments WHERE collection = ? AND scope = 'VECTOR'", (row[0],))] if row else []
                vectors = db.execute(
                    "SELECT COUNT(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                    "WHERE s.collection = ?", (row[0],)).fetchone()[0] if row else 0
            finally:
                db.close()
        except sqlite3.Error as e:
            if _is_locked(e):
                raise self.locked(database) from None
            return f"the vector store {database} cannot be read ({e})"
        if row is None:
            return f"the vector store {database} has no collection {collection}"
        if vectors and not any((path / s).is_dir() for s in segments):
            return f"the vector index of collection {collection} in {path} is missing"
        return None

    def drop_orphan_segments(self, vector_dir: str) -> list[str]:
        """Delete the vector-index folders (one per HNSW segment, named by its id) that Chroma's
        embedded store keeps after their collection is deleted (they were never removed: one
        folder per commit piled up). Only folders no segment of `chroma.sqlite3` names go; writers
        hold the lock, so no collection is being created meanwhile."""
        path = self.dir / vector_dir
        database = path / "chroma.sqlite3"
        if self.settings.chroma_url or not database.is_file():
            return []
        import sqlite3

        try:
            db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                live = {row[0] for row in db.execute("SELECT id FROM segments")}
            finally:
                db.close()
        except sqlite3.Error as e:
            log.warning("cannot list the segments of %s (%s); leaving its folders", path, e)
            return []
        dropped = []
        for folder in path.iterdir():
            if folder.is_dir() and _UUID.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
                dropped.append(folder.name)
        return dropped

    def vector_store_locked(self, vector_dir: str, *, write: bool, wait: float) -> bool:
        """Whether another process holds a lock on the embedded store's `chroma.sqlite3` for longer than
        `wait` seconds (a backup tool, an open sqlite3 shell with `BEGIN EXCLUSIVE`): Chroma itself would
        wait for it without bound (issue 28). `write` probes the lock a writer needs (BEGIN IMMEDIATE),
        else the one a reader needs. False for a server, a missing file, or any other error (opening
        reports those)."""
        import sqlite3

        database = self.dir / vector_dir / "chroma.sqlite3"
        if self.settings.chroma_url or not database.is_file():
            return False
        try:
            db = sqlite3.connect(f"file:{database}?mode={'rw' if write else 'ro'}", uri=True, timeout=wait,
                                 isolation_level=None)
            try:
                if write:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("ROLLBACK")
                else:
                    db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            finally:
                db.close()
        except sqlite3.Error as e:
            return _is_locked(e)
        return False

    def locked(self, database: Path) -> IndexLockedError:
        return IndexLockedError(
            f"another process holds a lock on {database} (a backup tool, an open sqlite3 shell?); close it and "
            f"run again (questions are answered from the snapshot's vectors meanwhile)")

    def disk_full(self, path: Path, e: BaseException) -> IndexWriteError | None:
        """IndexWriteError naming the fix when the disk holding `path` is (nearly) full, else None: a store
        that fails to open there is starved of space, not damaged (Chroma then raises unrelated types)."""
        try:
            free = shutil.disk_usage(path if path.exists() else self.dir).free
        except OSError:
            return None
        if free >= LOW_SPACE:
            return None
        return IndexWriteError(
            f"no space left on the device holding {self.dir} ({free:,} bytes free; {type(e).__name__}); free some "
            f"space and run again. The previous index is unchanged and still answers.")

    def unreachable(self, e: BaseException) -> VectorStoreUnreachableError:
        return VectorStoreUnreachableError(
            f"cannot reach the Chroma server at {self.settings.chroma_url} ({type(e).__name__}: "
            f"{(str(e).splitlines() or [''])[0][:200]}); start it (`chroma run --path DIR`) or fix --chroma-url "
            f"(ARTICLES_QA_CHROMA_URL)")

    def client(self, vector_dir: str):
        """One Chroma client per vector folder and process (Chroma caches one per path anyway)."""
        key = "" if self.settings.chroma_url else vector_dir
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = self._client(self.dir / vector_dir)
            return self._clients[key]

    def close_client(self, vector_dir: str) -> None:
        """Release a vector folder's client once no snapshot uses it (its folder may be deleted)."""
        if self.settings.chroma_url:
            return
        with self._clients_lock:
            client = self._clients.pop(vector_dir, None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def close_clients(self) -> None:
        for key in list(self._clients):
            self.close_client(key)

    def _client(self, path: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        url = self.settings.chroma_url
        if url:
            from urllib.parse import urlparse

            parsed = urlparse(url if "://" in url else f"http://{url}")
            try:
                return chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as e:  # chromadb raises ValueError or httpx errors when the server is down
                raise self.unreachable(e) from None
        if self.vector_store_locked(path.name, write=True, wait=VECTOR_LOCK_WAIT):
            raise self.locked(path / "chroma.sqlite3")
        try:
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as e:
            if (full := self.disk_full(path, e)) is not None:
                raise full from None
            if "readonly" in str(e).lower() or not os.access(path, os.W_OK):
                raise IndexWriteError(
                    f"the vector store in {path} is read-only ({e}); make the folder writable, or pass --index "
                    f"with a writable folder (asking works on a read-only index; writing does not)") from None
            raise IndexCorruptError(
                f"the vector store in {path} cannot be opened ({type(e).__name__}: {e}); "
                f"rebuild it with `python -m ingest --index {self.dir}`"
            ) from None


def _is_locked(e: BaseException) -> bool:
    return "locked" in str(e).lower() or "busy" in str(e).lower()


def is_connection_error(e: BaseException) -> bool:
    """Whether a Chroma client error means the server did not answer (not that the store is broken)."""
    names = {type(x).__name__ for x in (e, e.__cause__, e.__context__) if x is not None}
    return bool(names & {"ConnectError", "ConnectionError", "ConnectTimeout", "ConnectionRefusedError",
                         "ReadTimeout", "RemoteProtocolError"}) or "could not connect" in str(e).lower()
