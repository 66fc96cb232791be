"""Format 3's corpus snapshot (one folder per commit), kept to re-index such an index reusing its
vectors, and the BM25 vocabulary's fingerprint (which every format uses). Since format 4 an index
is made of segments (`ingest.segment`): what follows describes the older layout.

The corpus of one commit, laid out for answering: a paragraph table and a BM25 index.

Why: parsing a manifest of every paragraph and building BM25 at start-up made the first
answer of a cold process grow with the corpus (18 s at 100,000 paragraphs). Ingest writes
both once, into a folder of their own (`corpus-<id>/`, named in the manifest); a reader
opens SQLite and memory-maps the BM25 arrays, and fetches only the paragraphs it cites.

- `paragraphs.sqlite`: every paragraph (boilerplate too, so articles show whole) with its
  sentences, chunks and `annotations` (JSON, `reading.dump`: units, mentions, speakers,
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
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ingest.segment import paragraph_record


DATABASE = "paragraphs.sqlite"
BM25_DIR = "bm25"
ANSWERABLE = "answerable.npy"  # BM25 row -> paragraph index
VECTORS = "vectors.npy"  # chunk vectors, float32, unit length; row -> id in table `vectors`

_VOCABULARY_PROBE = "Running runners ran; the talks' 4.5 hours in Riyadh, Café naïve résumé — 2025, US$1.2bn"


def vocabulary_fingerprint() -> str:
    """Names the BM25 vocabulary, duplicate grouping and reading: token pattern, stopwords, what the stemmer
    makes of a probe and the duplicate key of it (a snapshot grouped by another key is outdated), the
    reading's version and who read speakers (`ingest.settings.speaker_reader`)."""
    from ingest.settings import speaker_reader

    return _fingerprint(speaker_reader())


@functools.lru_cache(maxsize=4)
def _fingerprint(speakers: str) -> str:
    from reading import VERSION, text

    parts = [text._TOKEN.pattern, " ".join(sorted(text.STOPWORDS)), " ".join(text.terms(_VOCABULARY_PROBE)),
             text.norm_key(_VOCABULARY_PROBE + " Plan A can't"),
             f"reading {VERSION}",  # a snapshot read by an older `reading` is re-read too
             f"speakers {speakers}"]  # and one whose speakers were read by the rules, when spaCy is asked
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def read_paragraphs(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Paragraph records per file of a format-3 snapshot (or a segment: same columns), to re-index it."""
    db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
    try:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, n, line, text, boilerplate, sentences, chunks, terms, annotations in db.execute(
                "SELECT file, n, line, text, boilerplate, sentences, chunks, terms, annotations FROM paras ORDER BY idx"):
            out[name].append(paragraph_record(n, line, text, boilerplate, sentences, chunks, terms, annotations))
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
