"""Format 3's corpus snapshot (one folder per commit), kept to re-index such an index reusing its
vectors, and the BM25 vocabulary's fingerprint (which every format uses). Since format 4 an index
is made of segments (`ingest.segment`): what follows describes the older layout.

The corpus of one commit, laid out for answering: a paragraph table and a BM25 index.

Why: parsing a manifest of every paragraph and building BM25 at start-up made the first
answer of a cold process grow with the corpus (18 s at 100,000 paragraphs). Ingest writes
both once, into a folder of their own (`corpus-<id>/`, named in the manifest); a reader
opens SQLite and memory-maps the BM25 arrays, and fetches only the paragraphs it cites.

- `paragraphs.sqlite`: every paragraph (boilerplate too, so articles show whole) with its
  sentences, chunks and `annotations` (JSON, `ingest.reading.dump`: units, mentions, speakers,
  acronyms; the meta key `acronyms` joins the acronyms of the commit); duplicates grouped by `norm_key`, the first copy in file order
  standing for its group (`doc` is its BM25 row, `copies` lists the others).
- `bm25/`: `bm25s` over the stemmed terms of those first copies.
- `vectors.npy`: every chunk's vector (float32, unit length), row `row` of table `vectors`.
  Answering memory-maps it to rescore candidates exactly, and searches it by brute force when
  Chroma cannot open the index (a read-only copy); the next ingest copies unchanged vectors
  from it instead of asking Chroma.

The BM25 vocabulary (token pattern, stopwords, stemmer) has a fingerprint, stored in the
manifest: a snapshot written under another vocabulary is outdated, rebuilt reusing its vectors.

Not handled: changing a snapshot in place. Each commit writes a new folder; the old one is
removed once the manifest names the new one.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ingest.text import norm_key

DATABASE = "paragraphs.sqlite"
BM25_DIR = "bm25"
ANSWERABLE = "answerable.npy"  # BM25 row -> paragraph index
VECTORS = "vectors.npy"  # chunk vectors, float32, unit length; row -> id in table `vectors`

_SCHEMA = """
CREATE TABLE paras (idx INTEGER PRIMARY KEY, file TEXT NOT NULL, n INTEGER NOT NULL, line INTEGER,
                    text TEXT NOT NULL, boilerplate TEXT, sentences TEXT, chunks TEXT, terms TEXT,
                    doc INTEGER, copies TEXT, annotations TEXT);
CREATE UNIQUE INDEX paras_location ON paras (file, n);
CREATE TABLE chunks (id TEXT NOT NULL, para INTEGER NOT NULL, PRIMARY KEY (id, para)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE vectors (row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
"""
_VOCABULARY_PROBE = "Running runners ran; the talks' 4.5 hours in Riyadh, Café naïve résumé — 2025"


@functools.lru_cache(maxsize=1)
def vocabulary_fingerprint() -> str:
    """Names the BM25 vocabulary and duplicate grouping: token pattern, stopwords, what the stemmer
    makes of a probe and the duplicate key of it (a snapshot grouped by another key is outdated)."""
    from ingest import text

    from ingest.reading import VERSION

    parts = [text._TOKEN.pattern, " ".join(sorted(text.STOPWORDS)), " ".join(text.terms(_VOCABULARY_PROBE)),
             text.norm_key(_VOCABULARY_PROBE + " Plan A can't"),
             f"reading {VERSION}"]  # a snapshot read by an older `ingest.reading` is re-read too
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def write_snapshot(folder: Path, paragraphs: dict[str, list[dict[str, Any]]], ids: list[str] | None = None,
                   vectors: np.ndarray | None = None) -> None:
    """Write the snapshot of `paragraphs` (file -> paragraph records, as `parse_article` makes them)
    and of the chunk vectors (`vectors[i]` is chunk `ids[i]`'s, normalised here)."""
    import bm25s

    folder.mkdir(parents=True)
    rows = [(name, p) for name in sorted(paragraphs) for p in paragraphs[name]]
    groups: dict[str, list[int]] = defaultdict(list)
    for idx, (_, p) in enumerate(rows):
        if p["boilerplate"] is None:
            groups[norm_key(p["text"])].append(idx)
    canonical = {i: g[0] for g in groups.values() for i in g}
    answerable = [g[0] for g in groups.values()]
    doc = {idx: j for j, idx in enumerate(answerable)}
    copies = {g[0]: g[1:] for g in groups.values()}

    db = sqlite3.connect(folder / DATABASE)
    try:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO paras VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
            (idx, name, p["n"], p.get("line"), p["text"], p["boilerplate"],
             _dump(p.get("sentences")), _dump(p.get("chunks")), " ".join(p.get("terms", ())) or None,
             doc.get(idx), _dump(copies.get(idx)), p.get("annotations"))
            for idx, (name, p) in enumerate(rows)
        ))
        db.executemany("INSERT OR IGNORE INTO chunks VALUES (?,?)", (
            (cid, canonical[idx]) for idx, (_, p) in enumerate(rows) for cid, _, _ in p.get("chunks", ())
        ))
        chunk_count = db.execute("SELECT COUNT(DISTINCT id) FROM chunks").fetchone()[0]
        db.executemany("INSERT INTO meta VALUES (?,?)", [("paragraphs", str(len(rows))), ("chunks", str(chunk_count)),
                                                         ("acronyms", _acronyms(p for _, p in rows))])
        db.executemany("INSERT INTO vectors VALUES (?,?)", enumerate(ids or ()))
        db.commit()
    finally:
        db.close()

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    bm25 = bm25s.BM25()
    bm25.index([rows[i][1].get("terms") or [""] for i in answerable] or [[""]], show_progress=False)
    bm25.save(str(folder / BM25_DIR), show_progress=False)
    np.save(folder / ANSWERABLE, np.asarray(answerable, dtype=np.int64))
    if vectors is not None:
        vectors = np.asarray(vectors, dtype=np.float32)
        # no chunk at all (a headline alone, or only boilerplate): an empty (0, 1) table, as reshape cannot size it
        vectors = vectors.reshape(len(ids), -1) if ids else np.zeros((0, 1), np.float32)
        np.save(folder / VECTORS, vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))
    _fsync_tree(folder)


def read_paragraphs(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Paragraph records per file, as `write_snapshot` took them (ingest reuses unchanged files')."""
    db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
    try:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, n, line, text, boilerplate, sentences, chunks, terms, annotations in db.execute(
                "SELECT file, n, line, text, boilerplate, sentences, chunks, terms, annotations FROM paras ORDER BY idx"):
            record: dict[str, Any] = {"n": n, "line": line, "text": text, "boilerplate": boilerplate}
            if annotations is not None:
                record["annotations"] = annotations
            if boilerplate is None:
                record.update(sentences=json.loads(sentences), chunks=json.loads(chunks),
                              terms=terms.split() if terms else [])
            out[name].append(record)
        return dict(out)
    finally:
        db.close()


def read_vectors(folder: Path, ids: list[str]) -> tuple[list[str], np.ndarray | None]:
    """The stored vectors of those `ids` the snapshot holds: (found ids, their rows), for reuse."""
    path = folder / VECTORS
    if not path.is_file() or not ids:
        return [], None
    vectors = np.load(path, mmap_mode="r")
    db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
    try:
        db.execute("CREATE TEMP TABLE wanted (id TEXT PRIMARY KEY)")
        db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((i,) for i in ids))
        found = db.execute("SELECT v.id, v.row FROM vectors v JOIN temp.wanted w ON v.id = w.id ORDER BY v.row")
        pairs = found.fetchall()
    finally:
        db.close()
    if not pairs:
        return [], None
    return [i for i, _ in pairs], np.asarray(vectors[[r for _, r in pairs]])


def _acronyms(records: Iterable[dict[str, Any]]) -> str:
    """{short: long} over every paragraph's annotations (the first long form found wins), as JSON."""
    out: dict[str, str] = {}
    for p in records:
        if p.get("annotations"):
            for short, long in json.loads(p["annotations"]).get("acronyms", ()):
                out.setdefault(short, long)
    return json.dumps(out, ensure_ascii=False)


def _dump(value: Iterable | None) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def _fsync_tree(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class SnapshotFolder:
    """One commit's snapshot folder (`corpus-<commit>/`): the one class that writes it and opens
    its parts. Written once (`write`), never changed; readers open what they need.

    Not handled: opening a folder another version wrote (the manifest's vocabulary and format
    say when; `ingest` rebuilds it)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def exists(self) -> bool:
        return (self.path / DATABASE).is_file()

    def write(self, paragraphs: dict[str, list[dict[str, Any]]], ids: list[str] | None = None,
              vectors: np.ndarray | None = None) -> None:
        """See `write_snapshot`; the folder must not exist yet."""
        write_snapshot(self.path, paragraphs, ids, vectors)

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the paragraph table (shareable across threads under a lock)."""
        return sqlite3.connect(f"file:{self.path / DATABASE}?mode=ro", uri=True, check_same_thread=False)

    def meta(self) -> dict[str, str]:
        """{"paragraphs": count, "chunks": count} as stored."""
        db = self.connect()
        try:
            return dict(db.execute("SELECT key, value FROM meta"))
        finally:
            db.close()

    def answerable(self) -> np.ndarray:
        """BM25 row -> paragraph index (memory-mapped)."""
        return np.load(self.path / ANSWERABLE, mmap_mode="r")

    def bm25(self):
        """The `bm25s` index of the answerable paragraphs (memory-mapped)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        return bm25s.BM25.load(str(self.path / BM25_DIR), mmap=True, show_progress=False)

    def vectors(self) -> np.ndarray:
        """Every chunk vector, float32, unit length, row `row` of table `vectors` (memory-mapped)."""
        return np.load(self.path / VECTORS, mmap_mode="r")

    def paragraphs(self) -> dict[str, list[dict[str, Any]]]:
        return read_paragraphs(self.path)

    def find_vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray | None]:
        return read_vectors(self.path, ids)
