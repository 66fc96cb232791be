"""The index on disk: a manifest (the committed state) naming a Chroma collection of chunk vectors
and a corpus snapshot (paragraph table and BM25, see `ingest.snapshot`).

Why a manifest: Chroma holds vectors keyed by a hash of (model, chunk text), so
re-embedding unchanged text is a no-op and the same text in two files shares one
vector. The manifest says which files, paragraphs and chunks are *committed*. It is
replaced atomically (write, fsync, rename) only after every vector it names is
stored, so a run killed at any point leaves the previous manifest, and with it the
previous index, answering. Vectors no manifest names are garbage, removed by the
next run. Each fresh build gets a vector folder of its own name (`chroma-<id>`, recorded
in the manifest), so a rebuild never reuses files that a broken index left behind; each
commit writes a new `corpus-<id>` snapshot folder, and the manifest names the one that counts.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from ingest.errors import IndexCorruptError, IndexLockedError, IndexNotFoundError
from ingest.settings import IndexSettings

FORMAT = 2  # 1 kept every paragraph in the manifest; 2 keeps them in the corpus snapshot
MANIFEST = "manifest.json"
PENDING = "ingest.pending"  # present while vectors may exist that no manifest names
LOCK = "ingest.lock"
CHROMA_PREFIX = "chroma"
CORPUS_PREFIX = "corpus"


def chunk_id(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class IndexStore:
    def __init__(self, settings: IndexSettings, index_dir: Path | None = None):
        self.settings = settings
        self.dir = Path(index_dir or settings.index_dir)
        self._collection = None

    # -- manifest --------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any]:
        """The committed manifest; IndexNotFoundError if none, IndexCorruptError if unreadable."""
        path = self.manifest_path
        if not path.is_file():
            raise IndexNotFoundError(
                f"no index at {self.dir}; build it with `python -m ingest --index {self.dir}`"
            )
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if manifest.get("format") not in (1, FORMAT) or not isinstance(manifest.get("files"), dict):
                raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT}")
        except (OSError, ValueError, AttributeError) as e:
            raise IndexCorruptError(
                f"the index at {self.dir} is unreadable ({e}); rebuild it with "
                f"`python -m ingest --index {self.dir}` (the broken copy is kept aside)"
            ) from None
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "format": FORMAT}
        tmp = self.dir / f".{MANIFEST}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)
        _fsync_dir(self.dir)

    def quarantine(self, reason: str) -> Path:
        """Move a broken index's contents aside (never delete them) so a rebuild can start clean."""
        target = self.dir / "broken" / time.strftime("%Y%m%d-%H%M%S")
        target.mkdir(parents=True, exist_ok=True)
        for path in [self.dir / MANIFEST, self.dir / PENDING, *self.build_dirs()]:
            if path.exists():
                shutil.move(str(path), str(target / path.name))
        (target / "REASON.txt").write_text(reason + "\n", encoding="utf-8")
        self._collection = None
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
        """Serialize writers: a second ingest waits for the first, it never interleaves."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / LOCK, "a+") as f:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexLockedError(
                            f"another ingest holds {self.dir / LOCK} for over {wait:.0f}s; wait for it or stop it"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # -- build folders ---------------------------------------------------------
    @staticmethod
    def new_dir(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def vector_dirs(self) -> list[Path]:
        return sorted(p for p in self.dir.glob(f"{CHROMA_PREFIX}*") if p.is_dir())

    def build_dirs(self) -> list[Path]:
        return self.vector_dirs() + sorted(p for p in self.dir.glob(f"{CORPUS_PREFIX}*") if p.is_dir())

    def drop_build_dirs(self, *, keep: set[str]) -> None:
        """Remove vector and snapshot folders the committed manifest does not name."""
        for path in self.build_dirs():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def collection_name(self, model: str, vector_dir: str) -> str:
        key = f"{self.dir.resolve()}\0{vector_dir}\0{model}" if self.settings.chroma_url else model
        return "aqa-" + hashlib.sha256(key.encode()).hexdigest()[:20]

    def collection(self, model: str, vector_dir: str, *, create: bool = True):
        if self._collection is not None:
            return self._collection
        path = self.dir / vector_dir
        if not create and not self.settings.chroma_url and not path.is_dir():
            raise IndexCorruptError(
                f"the vector folder {path} is missing; rebuild it with `python -m ingest --index {self.dir}`"
            )
        client = self._client(path)
        name = self.collection_name(model, vector_dir)
        try:
            if create:
                self._collection = client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
            else:
                self._collection = client.get_collection(name)
        except Exception as e:  # chromadb raises several unrelated types for a broken store
            raise IndexCorruptError(
                f"the vector store of {self.dir} cannot be opened ({type(e).__name__}: {e}); "
                f"rebuild it with `python -m ingest --index {self.dir}`"
            ) from None
        return self._collection

    def _client(self, path: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        url = self.settings.chroma_url
        if url:
            from urllib.parse import urlparse

            parsed = urlparse(url if "://" in url else f"http://{url}")
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        try:
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as e:
            raise IndexCorruptError(
                f"the vector store in {path} cannot be opened ({type(e).__name__}: {e}); "
                f"rebuild it with `python -m ingest --index {self.dir}`"
            ) from None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
