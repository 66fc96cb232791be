"""Index segments (Lucene's design): each commit writes one immutable segment holding only the files
it read (new or changed articles); the manifest lists the live segments and, per segment, the files
deleted or replaced since (tombstones). A merge rewrites several segments as one (`ingest.merge`).

A segment is a folder `segment-<id>/` and a Chroma collection `aqa-<id>` (its chunk vectors):

- `paragraphs.sqlite`: every paragraph of its files (boilerplate too, so articles show whole) with its
  sentences, chunks, BM25 terms and `annotations` (JSON, `reading.dump`); table `files` gives each
  file's paragraph rows (consecutive, files in name order) and acronyms; `grp` is the paragraph's
  duplicate group (its BM25 document) within the segment, `chunks` maps chunk ids to the paragraphs
  (every copy) holding them, `vectors` maps rows of `vectors.npy` to chunk ids.
- raw BM25 postings, not scores (an idf precomputed over one segment would be wrong for the corpus):
  `vocab.json` (term -> term id), `post_ptr.npy` (int64, term id -> slice of `post_doc`/`post_tf`),
  `post_doc.npy` (int32 documents), `post_tf.npy` (int32 term frequencies), and per document:
  `doc_len.npy` (int32, terms; an empty document counts 1, as `bm25s` counts its placeholder),
  `doc_para.npy` (int64, its first paragraph), `doc_key.npy` (int64 hash of `norm_key`, to find the
  same text in other segments) and `doc_size.npy` (int32, copies in this segment).
- `vectors.npy`: its chunk vectors (float32, unit length), row `row` of table `vectors`.

Readers (`ingest.corpus.Corpus`) score BM25 with the statistics of every live segment together, so
scores equal one BM25 over the whole corpus. Written once by `SegmentWriter`, streamed file by file
(ingest memory does not grow with the corpus), never changed after; removed once no commit a reader
may hold names it.

Not handled: a segment written by another version of this layout (the manifest's format says when;
ingest rebuilds).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reading.text import norm_key

SEGMENT_PREFIX = "segment"
DATABASE = "paragraphs.sqlite"
VECTORS = "vectors.npy"
_ARRAYS = ("post_ptr", "post_doc", "post_tf", "doc_len", "doc_para", "doc_key", "doc_size")

_SCHEMA = """
CREATE TABLE paras (idx INTEGER PRIMARY KEY, file TEXT NOT NULL, n INTEGER NOT NULL, line INTEGER,
                    text TEXT NOT NULL, boilerplate TEXT, sentences TEXT, chunks TEXT, terms TEXT,
                    grp INTEGER, annotations TEXT);
CREATE UNIQUE INDEX paras_location ON paras (file, n);
CREATE INDEX paras_grp ON paras (grp);
CREATE TABLE files (file TEXT PRIMARY KEY, first INTEGER NOT NULL, count INTEGER NOT NULL, acronyms TEXT);
CREATE TABLE chunks (id TEXT NOT NULL, para INTEGER NOT NULL, PRIMARY KEY (id, para)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE vectors (row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
"""


def segment_dir(segment_id: str) -> str:
    """The folder of segment `segment_id`, relative to the index."""
    return f"{SEGMENT_PREFIX}-{segment_id}"


def text_key(text: str) -> int:
    """64-bit hash of `norm_key(text)`: the same key marks the same text (a duplicate) in any segment."""
    return int.from_bytes(hashlib.blake2b(norm_key(text).encode("utf-8"), digest_size=8).digest(), "little",
                          signed=True)


class SegmentWriter:
    """Writes one segment, a file at a time (`add_file` in file-name order), then `finish(vectors)`.

    Paragraph rows go to SQLite as each file comes; only the postings (three int32 per distinct term
    of a document), one entry per document and the chunk ids with their text stay in memory.
    `chunk_texts` (chunk id -> text, first appearance order) is what `finish` needs vectors for.
    Raises `ValueError` if files come out of name order (grouping and readers rely on it), OSError /
    sqlite3.Error when the disk refuses; the caller removes the folder of a segment it does not finish."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True)
        self._db = sqlite3.connect(self.path / DATABASE)
        self._db.executescript(_SCHEMA)
        self.paragraphs = 0
        self.files: list[str] = []
        self.chunk_texts: dict[str, str] = {}
        self._groups: dict[int, int] = {}  # text key -> document
        self._vocab: dict[str, int] = {}
        self._post_term, self._post_doc, self._post_tf = array("i"), array("i"), array("i")
        self._doc_len, self._doc_para, self._doc_size = array("i"), array("q"), array("i")
        self._doc_key = array("q")

    @property
    def docs(self) -> int:
        return len(self._doc_para)

    def add_file(self, name: str, paragraphs: list[dict[str, Any]]) -> None:
        """Append one file's paragraph records (as `ingest.build.parse_article` makes them)."""
        if self.files and name <= self.files[-1]:
            raise ValueError(f"segment files must come in name order: {name!r} after {self.files[-1]!r}")
        first = self.paragraphs
        acronyms: dict[str, str] = {}
        rows, chunk_rows = [], []
        for p in paragraphs:
            idx = self.paragraphs
            self.paragraphs += 1
            doc = None
            if p["boilerplate"] is None:
                doc = self._document(p, idx)
                for cid, a, b in p.get("chunks", ()):
                    chunk_rows.append((cid, idx))
                    self.chunk_texts.setdefault(cid, p["text"][a:b])
            if p.get("annotations"):
                for short, long in json.loads(p["annotations"]).get("acronyms", ()):
                    acronyms.setdefault(short, long)
            rows.append((idx, name, p["n"], p.get("line"), p["text"], p["boilerplate"], _dump(p.get("sentences")),
                         _dump(p.get("chunks")), " ".join(p.get("terms", ())) or None, doc, p.get("annotations")))
        self._db.executemany("INSERT INTO paras VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        self._db.executemany("INSERT OR IGNORE INTO chunks VALUES (?,?)", chunk_rows)
        self._db.execute("INSERT INTO files VALUES (?,?,?,?)", (name, first, self.paragraphs - first,
                                                                  json.dumps(acronyms, ensure_ascii=False)
                                                                  if acronyms else None))
        self.files.append(name)

    def _document(self, p: dict[str, Any], idx: int) -> int:
        key = text_key(p["text"])
        doc = self._groups.get(key)
        if doc is not None:  # a later copy of a text this segment holds: one BM25 document for the group
            self._doc_size[doc] += 1
            return doc
        doc = self._groups[key] = len(self._doc_para)
        terms = p.get("terms") or [""]  # as the single index counted an empty paragraph
        self._doc_para.append(idx)
        self._doc_key.append(key)
        self._doc_len.append(len(terms))
        self._doc_size.append(1)
        for term, tf in Counter(terms).items():
            self._post_term.append(self._vocab.setdefault(term, len(self._vocab)))
            self._post_doc.append(doc)
            self._post_tf.append(tf)
        return doc

    def finish(self, vectors: np.ndarray | None, *, meta: dict[str, str] | None = None) -> None:
        """Write the vectors (`vectors[i]` is chunk `list(chunk_texts)[i]`'s, normalised here), the
        postings and the counts; fsync. `ValueError` if the vectors do not match the chunks."""
        ids = list(self.chunk_texts)
        if vectors is None or not ids:
            vectors = np.zeros((0, 1), np.float32)
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(vectors) != len(ids):
            raise ValueError(f"{len(vectors)} vectors for {len(ids)} chunks")
        self._db.executemany("INSERT INTO vectors VALUES (?,?)", enumerate(ids))
        self._db.executemany("INSERT INTO meta VALUES (?,?)", [
            ("paragraphs", str(self.paragraphs)), ("chunks", str(len(ids))), ("docs", str(self.docs)),
            *(meta or {}).items()])
        self._db.commit()
        self._db.close()
        np.save(self.path / VECTORS, vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))
        terms = np.frombuffer(self._post_term, dtype=np.int32)
        order = np.argsort(terms, kind="stable")
        ptr = np.zeros(len(self._vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(self._vocab)), out=ptr[1:])
        arrays = {"post_ptr": ptr, "post_doc": np.frombuffer(self._post_doc, dtype=np.int32)[order],
                  "post_tf": np.frombuffer(self._post_tf, dtype=np.int32)[order],
                  "doc_len": np.frombuffer(self._doc_len, dtype=np.int32),
                  "doc_para": np.frombuffer(self._doc_para, dtype=np.int64),
                  "doc_key": np.frombuffer(self._doc_key, dtype=np.int64),
                  "doc_size": np.frombuffer(self._doc_size, dtype=np.int32)}
        for name, values in arrays.items():
            np.save(self.path / f"{name}.npy", values)
        (self.path / "vocab.json").write_text(json.dumps(self._vocab, ensure_ascii=False), encoding="utf-8")
        _fsync_tree(self.path)

    def abort(self) -> None:
        """Close the database (the caller removes the folder)."""
        try:
            self._db.close()
        except sqlite3.Error:
            pass


@dataclass(frozen=True)
class Postings:
    """A segment's raw BM25 postings, memory-mapped: term `t`'s documents are
    `doc[ptr[t]:ptr[t+1]]` with frequencies `tf[...]`; per document its length, first paragraph,
    text key and copies."""
    vocab: dict[str, int]
    ptr: np.ndarray
    doc: np.ndarray
    tf: np.ndarray
    doc_len: np.ndarray
    doc_para: np.ndarray
    doc_key: np.ndarray
    doc_size: np.ndarray

    def of(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents, term frequencies) of `term`; empty arrays if the segment lacks it."""
        t = self.vocab.get(term)
        if t is None:
            return _EMPTY, _EMPTY
        a, b = int(self.ptr[t]), int(self.ptr[t + 1])
        return self.doc[a:b], self.tf[a:b]


_EMPTY = np.zeros(0, dtype=np.int32)


class SegmentFolder:
    """One segment's folder: opens its parts (read-only); `SegmentWriter` writes it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def exists(self) -> bool:
        return (self.path / DATABASE).is_file() and (self.path / "vocab.json").is_file()

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the paragraph table (shareable across threads under a lock)."""
        return sqlite3.connect(f"file:{self.path / DATABASE}?mode=ro", uri=True, check_same_thread=False)

    def postings(self) -> Postings:
        vocab = json.loads((self.path / "vocab.json").read_text(encoding="utf-8"))
        return Postings(vocab, *(np.load(self.path / f"{name}.npy", mmap_mode="r") for name in _ARRAYS))

    def vectors(self) -> np.ndarray:
        return np.load(self.path / VECTORS, mmap_mode="r")

    def find_vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray | None]:
        """The stored vectors of those `ids` this segment holds: (found ids, their rows)."""
        from ingest.snapshot import read_vectors

        return read_vectors(self.path, ids)

    def files(self) -> dict[str, tuple[int, int]]:
        """file -> (first paragraph row, paragraph count)."""
        db = self.connect()
        try:
            return {f: (a, n) for f, a, n in db.execute("SELECT file, first, count FROM files")}
        finally:
            db.close()

    def read_files(self, keep: set[str] | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """(file, paragraph records) in file-name order, records as `SegmentWriter.add_file` took them;
        only the files in `keep` when given. Streams: one file's records in memory at a time."""
        db = self.connect()
        try:
            current, records = None, []
            for name, n, line, text, boilerplate, sentences, chunks, terms, annotations in db.execute(
                    "SELECT file, n, line, text, boilerplate, sentences, chunks, terms, annotations FROM paras "
                    "ORDER BY idx"):
                if keep is not None and name not in keep:
                    continue
                if name != current:
                    if current is not None:
                        yield current, records
                    current, records = name, []
                records.append(paragraph_record(n, line, text, boilerplate, sentences, chunks, terms, annotations))
            if current is not None:
                yield current, records
        finally:
            db.close()


def write_segment(path: Path, files: Iterable[tuple[str, list[dict[str, Any]]]],
                  vectors_of: dict[str, np.ndarray] | None = None) -> SegmentWriter:
    """A whole segment at once (tests, tools): `files` in name order; `vectors_of` chunk id -> vector."""
    writer = SegmentWriter(path)
    for name, records in files:
        writer.add_file(name, records)
    ids = list(writer.chunk_texts)
    writer.finish(np.asarray([vectors_of[i] for i in ids], dtype=np.float32) if ids and vectors_of else None)
    return writer


def _dump(value: Iterable | None) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def paragraph_record(n, line, text, boilerplate, sentences, chunks, terms, annotations) -> dict[str, Any]:
    """A stored `paras` row as the corpus reads it (the columns in the table's order; JSON decoded)."""
    record: dict[str, Any] = {"n": n, "line": line, "text": text, "boilerplate": boilerplate}
    if annotations is not None:
        record["annotations"] = annotations
    if boilerplate is None:
        record.update(sentences=json.loads(sentences), chunks=json.loads(chunks), terms=terms.split() if terms else [])
    return record
