"""`Manifest`: the committed state of an index, the one class that reads, validates and writes
`manifest.json` (`IndexStore.read_manifest` / `write_manifest` call it).

Fields (format 4): `commit` (id), `embed_model` (the embedder id its vectors were made with),
`chunking` ([tokens, overlap]), `vocabulary` (BM25 fingerprint), `vector_dir` (Chroma folder),
`segments` (the live segments, oldest first: `SegmentRef`, each with its tombstones: the files it
holds that were deleted or replaced since), `previous` (the commit before: what it names is kept on
disk for readers still on it), `built_at`, and `files`: file name -> record {"sha256", "size",
"mtime_ns", "indexed_at", "headline", "published", "paragraphs", "segment" (the segment holding
its live version), ...}. Older formats (1-3) are read too (their other keys are kept, e.g. format
1's paragraphs; format 3's one `collection` and `corpus_dir`), so that ingest can re-index them
reusing their vectors.

Written atomically: a temporary file, fsync, rename, fsync of the folder. A manifest that does
not parse or validate raises `ValueError` with the reason (the store turns it into
`IndexCorruptError`). Read-only mapping access (`manifest["files"]`, `.get`) is kept for older
callers and tests; new code uses the attributes.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _folder_name(value: str | None) -> str | None:
    """A manifest names sub-folders of the index (and collections) by a plain name: never a path, absolute
    or with `..`, so that nothing outside the index folder is ever opened, moved or deleted (issue 28)."""
    if value is not None and (not isinstance(value, str) or not _NAME.fullmatch(value) or ".." in value):
        raise ValueError(f"{value!r} is not the name of a folder inside the index")
    return value


FORMAT = 4  # 1: paragraphs in the manifest; 2: in a snapshot, one collection changed in place; 3: a snapshot
#            and a collection per commit; 4: segments with tombstones
READABLE = (1, 2, 3, FORMAT)
_ID = r"^[0-9a-f]{12}$"


class SegmentRef(BaseModel):
    """One live segment: its id (folder `segment-<id>`, collection `aqa-<id>` when `hnsw`), its counts, and its
    tombstones (files it holds whose live version is elsewhere or gone; `deleted` paragraphs)."""
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(pattern=_ID)
    paragraphs: int = Field(ge=0)
    docs: int = Field(ge=0)
    chunks: int = Field(ge=0)
    tombstones: tuple[str, ...] = ()
    deleted: int = Field(0, ge=0)
    hnsw: bool = True  # its vectors also in a Chroma collection (HNSW); small segments have none and are
    # searched exactly over their vectors.npy (`ingest.corpus.wants_hnsw`). True when absent: until then every
    # segment had one

    @property
    def live(self) -> int:
        """Paragraphs not tombstoned."""
        return self.paragraphs - self.deleted


class CommitRef(BaseModel):
    """What a commit keeps on disk: its collection and folders."""
    model_config = ConfigDict(frozen=True, extra="ignore")

    commit: str | None = None
    vector_dir: str | None = None
    collection: str | None = None
    corpus_dir: str | None = None
    segments: tuple[str, ...] = ()

    _names = field_validator("vector_dir", "collection", "corpus_dir")(_folder_name)


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    format: int = FORMAT
    embed_model: str
    files: dict[str, dict[str, Any]]
    commit: str | None = None
    chunking: list[int] | None = None
    vocabulary: str | None = None
    vector_dir: str = "chroma"
    collection: str | None = None
    corpus_dir: str | None = None
    segments: tuple[SegmentRef, ...] = ()
    previous: CommitRef = Field(default_factory=CommitRef)
    built_at: str | None = None

    _names = field_validator("vector_dir", "collection", "corpus_dir")(_folder_name)

    @model_validator(mode="after")
    def _files_name_live_segments(self) -> Manifest:
        if not self.segments:
            return self
        ids = [s.id for s in self.segments]
        if len(set(ids)) != len(ids):
            raise ValueError("segments: a segment is listed twice")
        live = set(ids)
        for name, record in self.files.items():
            if record.get("segment") not in live:
                raise ValueError(f"files: {name!r} names segment {record.get('segment')!r}, which is not live")
        return self

    # -- reading and writing -----------------------------------------------------
    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at `path`; OSError if unreadable, ValueError (the reason) if not a manifest."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"not JSON: {e.msg} at character {e.pos}") from None
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") not in READABLE:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        if not data.get("previous"):
            data["previous"] = {}
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None

    def write(self, path: Path) -> None:
        """Replace `path` atomically with this manifest (format 4)."""
        path = Path(path)
        tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
        data = self.model_dump(mode="json", exclude_none=False)
        data["format"] = FORMAT
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def leftovers(folder: Path) -> list[Path]:
        """Temporary manifests a killed writer left in `folder` (removed by the next ingest)."""
        return sorted(Path(folder).glob(".manifest.json.*.tmp"))

    # -- what it says --------------------------------------------------------------
    @property
    def current(self) -> bool:
        """Written by this version's layout (segments with tombstones)."""
        return self.format == FORMAT and bool(self.segments)

    def names(self) -> CommitRef:
        return CommitRef(commit=self.commit, vector_dir=self.vector_dir, collection=self.collection,
                         corpus_dir=self.corpus_dir, segments=tuple(s.id for s in self.segments))

    def segment_files(self) -> dict[str, list[str]]:
        """segment id -> the live files it holds (in name order)."""
        out: dict[str, list[str]] = {s.id: [] for s in self.segments}
        for name in sorted(self.files):
            segment = self.files[name].get("segment")
            if segment in out:
                out[segment].append(name)
        return out

    def with_files(self, files: dict[str, dict[str, Any]]) -> Manifest:
        """The same commit with other file records (only their times moved)."""
        return self.model_copy(update={"files": files})

    # -- read-only mapping view (older callers, tests) ------------------------------
    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if key == "previous":
            return self.previous.model_dump(exclude_none=True)
        if key in type(self).model_fields:
            value = getattr(self, key)
            return default if value is None else value
        return (self.model_extra or {}).get(key, default)

    def __contains__(self, key: str) -> bool:
        return self.get(key, _MISSING) is not _MISSING


_MISSING = object()
