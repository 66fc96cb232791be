"""The committed index opened for answering: paragraphs, duplicate groups and BM25 over every live
segment of one commit (`ingest.segment`).

Opened once per commit from the segments ingest wrote: nothing is parsed or built here (a few
arrays per segment are joined: which documents are live, which copy answers for a text found in
several segments), so a cold start barely grows with the corpus. `ingest.reader.IndexReader`
decides when a newer commit replaces it.
"""
from __future__ import annotations

import bisect
import functools
import json
import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import reading
from reading import Unit
from ingest.segment import Postings, SegmentFolder, segment_dir
from ingest.snapshot import vocabulary_fingerprint
from ingest.manifest import Manifest, SegmentRef
from ingest.store import IndexStore
from ingest.errors import IndexCorruptError, IndexOutdatedError
from ingest.settings import IndexSettings
from reading.text import terms




@dataclass(frozen=True)
class Para:
    idx: int
    file: str
    number: int
    text: str
    boilerplate: str | None
    sentences: tuple[tuple[int, int], ...]
    chunks: tuple[tuple[str, int, int], ...]
    headline: str | None
    published: str | None
    doc: int | None  # its BM25 row; None for boilerplate and for later copies of a duplicate
    copies: tuple[int, ...]  # later copies of the same text, when this is the first
    units: tuple[Unit, ...] = ()  # what ingest read (reading.Unit): sentences, items, rows; same spans
    #                               as `sentences` for article text
    page: int | None = None  # a PDF's: the 1-based page the paragraph is on
    page_paragraph: int | None = None  # and its number on that page ("report.pdf p. 3 ¶2")

    @property
    def label(self) -> str:
        """Where a reader finds it: "story.html ¶4", or for a PDF "report.pdf p. 3 ¶2"."""
        return location_label(self.file, self.number, self.page, self.page_paragraph)

    def unit_at(self, start: int, end: int) -> Unit | None:
        """The stored unit whose span is (start, end), or None: how a stage that holds a sentence's span
        reads its reading text, mentions and speaker instead of parsing the string again."""
        return next((u for u in self.units if u.start == start and u.end == end), None)

    def reading(self, start: int, end: int) -> str:
        """The span as a reader reads it: a unit's reading (wrapped lines joined, a table row with its
        header), else the verbatim text. Quote `text[start:end]`; match and score on this."""
        unit = self.unit_at(start, end)
        return unit.reading if unit else self.text[start:end]


def location_label(file: str, number: int, page: int | None = None, page_paragraph: int | None = None) -> str:
    """"file ¶n", or "file p. P ¶k" where the paragraph has a page (k counts on that page)."""
    if page is not None and page_paragraph is not None:
        return f"{file} p. {page} ¶{page_paragraph}"
    return f"{file} ¶{number}"


def page_of(record: dict, number: int) -> tuple[int | None, int | None]:
    """(page, paragraph on that page) of paragraph `number` of a file whose manifest record has
    `page_starts` (ingest.build.page_starts); (None, None) for a file without pages."""
    starts = record.get("page_starts")
    if not starts:
        return None, None
    page = bisect.bisect_right(starts, number)
    if page == 0:
        return None, None
    return page, number - starts[page - 1] + 1


class Corpus:
    """Every live segment of one commit, read as one corpus.

    Paragraphs are numbered globally (`paras[idx]`: segment after segment, each segment's rows in its
    order); a paragraph of a tombstoned file keeps its number but no search returns it. BM25 is scored
    with the statistics of all live documents together (document count, document frequencies, average
    length: `get_scores`), so scores equal one BM25 over the whole corpus. A text held by several
    paragraphs is one document, answered by its first live copy in (file, paragraph) order whichever
    segment holds it; `copies_of` lists the others, in any segment.

    Errors: `IndexOutdatedError` for an index of an older layout or BM25 vocabulary, `IndexCorruptError`
    when a segment's files cannot be read. Not handled: segments changed on disk after the manifest
    named them (they are immutable by construction)."""

    def __init__(self, store: IndexStore, manifest: Manifest | None = None):
        self.store = store
        manifest = store.read_manifest() if manifest is None else manifest
        self.manifest = manifest
        self.model = manifest.embed_model
        self.vector_dir = manifest.vector_dir
        self.files = manifest.files
        if not manifest.current:
            raise IndexOutdatedError(f"the index at {store.dir} was written by an older articles-qa; "
                                     f"re-index it with `python -m ingest --index {store.dir}`")
        if manifest.vocabulary != vocabulary_fingerprint():
            raise IndexOutdatedError(f"the index at {store.dir} was written with another BM25 vocabulary "
                                     f"(stopwords or stemmer); re-index it with `python -m ingest --index {store.dir}`")
        self._lock = threading.Lock()
        self.segments: list[_Segment] = []
        para_base = doc_base = 0
        try:
            for ref in manifest.segments:
                self.segments.append(_Segment(store, ref, para_base, doc_base))
                para_base += ref.paragraphs
                doc_base += ref.docs
            self._para_bases = np.asarray([s.para_base for s in self.segments], dtype=np.int64)
            self._doc_bases = np.asarray([s.doc_base for s in self.segments], dtype=np.int64)
            self._index_documents()
            self._acronyms: dict[str, str] = self._read_acronyms()
        except (sqlite3.Error, OSError, ValueError, KeyError) as e:
            self.close()
            raise IndexCorruptError(f"the paragraph table of {store.dir} cannot be read ({e}); "
                                    f"rebuild it with `python -m ingest --index {store.dir}`") from None
        self._long_forms: dict[str, str] | None = None
        self.paras = _Paragraphs(self, para_base)
        self.chunk_count = sum(s.ref.chunks for s in self.segments)  # an upper bound: a chunk may be in two

    # -- opening ---------------------------------------------------------------
    def _index_documents(self) -> None:
        """Which BM25 documents are live, which paragraph answers each, and the corpus statistics."""
        canon, keys, lengths = [], [], []
        for s in self.segments:
            canon.append(s.live_first_copies())
            keys.append(np.asarray(s.postings.doc_key))
            lengths.append(np.asarray(s.postings.doc_len, dtype=np.float64))
        canon_all = np.concatenate(canon) if canon else np.zeros(0, np.int64)
        keys_all = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        self._doc_len = np.concatenate(lengths) if lengths else np.zeros(0)
        target = np.where(canon_all >= 0, np.arange(len(canon_all)), -1)
        self._shadowed: dict[int, list[int]] = {}  # answering document -> same text's documents in other segments
        live = np.flatnonzero(canon_all >= 0)
        values, counts = np.unique(keys_all[live], return_counts=True)
        for key in values[counts > 1]:  # the same text in several segments: its first copy answers
            docs = live[keys_all[live] == key]
            where = {int(d): self._location(int(canon_all[d])) for d in docs}
            first = min(where, key=where.get)
            target[docs] = first
            self._shadowed[first] = [int(d) for d in docs if d != first]
        self._target = target  # document -> the document answering for its text (-1: no live copy)
        self._doc_live = target == np.arange(len(target))
        self._doc_para = np.where(self._doc_live, canon_all, -1)
        self.docs = int(self._doc_live.sum())
        self._avgdl = float(self._doc_len[self._doc_live].mean()) if self.docs else 1.0

    def _read_acronyms(self) -> dict[str, str]:
        """{short: long} over the live files in name order (the first long form found wins)."""
        found = []
        for s in self.segments:
            for file, acronyms in s.query("SELECT file, acronyms FROM files WHERE acronyms IS NOT NULL"):
                if self.files.get(file, {}).get("segment") == s.ref.id:
                    found.append((file, acronyms))
        out: dict[str, str] = {}
        for _, acronyms in sorted(found):
            for short, long in json.loads(acronyms).items():
                out.setdefault(short, long)
        return out

    def close(self) -> None:
        """Close the paragraph tables and drop the postings' memory maps (each holds a file descriptor):
        a retired commit's. Used again after (an old `Pipeline.load()` retriever), they reopen."""
        for s in self.segments:
            s.close()

    # -- where a paragraph lives ------------------------------------------------
    def _segment_of(self, idx: int) -> _Segment:
        return self.segments[int(np.searchsorted(self._para_bases, idx, side="right")) - 1]

    def _location(self, idx: int) -> tuple[str, int]:
        """(file, paragraph number) of paragraph `idx`: the order of a single index's rows."""
        s = self._segment_of(idx)
        return tuple(s.query("SELECT file, n FROM paras WHERE idx=?", (idx - s.para_base,))[0])

    def is_live(self, idx: int) -> bool:
        s = self._segment_of(idx)
        return not s.dead[idx - s.para_base]

    # -- BM25 over every live segment --------------------------------------------
    @property
    def bm25(self) -> Corpus:
        """What scores BM25 (`get_scores`): this corpus (kept for callers of the single-index API)."""
        return self

    @property
    def answerable(self) -> np.ndarray:
        """BM25 document -> the paragraph answering for it; -1 for a document with no live copy or whose
        text another segment's copy answers for (its score is always 0)."""
        return self._doc_para

    def _postings(self, term: str) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
        """([(live documents, their term frequencies)] per segment, document frequency) of `term`."""
        out, df = [], 0
        for s in self.segments:
            docs, tf = s.postings.of(term)
            if len(docs):
                docs = docs.astype(np.int64) + s.doc_base
                live = self._doc_live[docs]
                out.append((docs[live], tf[live]))
                df += int(live.sum())
        return out, df

    def get_scores(self, query_terms: list[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
        """BM25 (Lucene's idf, `bm25s`'s default method and parameters) of every document for these
        terms, with global statistics; float32, one per document (0 for documents not live)."""
        scores = np.zeros(len(self._doc_live), dtype=np.float64)
        for term in query_terms:
            postings, df = self._postings(term)
            if not df:
                continue
            idf = np.log(1.0 + (self.docs - df + 0.5) / (df + 0.5))
            for docs, tf in postings:
                tf = tf.astype(np.float64)
                scores[docs] += idf * tf / (tf + k1 * (1 - b + b * self._doc_len[docs] / self._avgdl))
        return scores.astype(np.float32)

    def doc_freq(self, term: str) -> int:
        """In how many answerable paragraphs `term` occurs (each duplicated text once)."""
        return self._postings(term)[1]

    def idf(self, term: str) -> float:
        """Inverse document frequency over answerable paragraphs (BM25's form, floored at 0.1)."""
        n, df = self.docs, self.doc_freq(term)
        return max(0.1, float(np.log((n - df + 0.5) / (df + 0.5) + 1.0)))

    def knows(self, term: str) -> bool:
        return self.doc_freq(term) > 0

    # -- dense search support ------------------------------------------------------
    def vector_rows(self, ids: list[str]) -> list[tuple[_Segment, str, int]]:
        """(segment, id, row in its vectors.npy) for each chunk id some live segment holds (one each)."""
        out, rest = [], list(dict.fromkeys(ids))
        for s in sorted(self.segments, key=lambda s: not s.small):  # held in memory first, then SQLite
            if not rest:
                break
            found = s.rows_of(rest)
            out += [(s, cid, row) for cid, row in found]
            taken = {cid for cid, _ in found}
            rest = [cid for cid in rest if cid not in taken]
        return out

    def paras_of_chunks(self, ids: list[str]) -> dict[str, list[int]]:
        """The answering paragraphs (first live copies) each chunk id occurs in, in (file, paragraph)
        order; ids that no live paragraph holds are absent."""
        found: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        for s in self.segments:
            for cid, para, grp in s.query(f"SELECT c.id, c.para, p.grp FROM chunks c JOIN paras p ON p.idx = c.para "
                                          f"WHERE c.id IN ({marks})", tuple(ids)):
                if s.dead[para] or grp is None:
                    continue
                doc = int(self._target[s.doc_base + grp])
                if doc >= 0:
                    answering = int(self._doc_para[doc])
                    found[cid][answering] = None
        out: dict[str, list[int]] = defaultdict(list)
        for cid, paras in found.items():
            out[cid] = sorted(paras, key=self._location) if len(paras) > 1 else list(paras)
        return out

    # -- paragraphs --------------------------------------------------------------------
    def _para(self, s: _Segment, row: tuple) -> Para:
        idx, file, n, text, boilerplate, sentences, chunks, grp, annotations = row
        record = self.files.get(file, {})
        gidx = s.para_base + idx
        doc, copies = None, ()
        if grp is not None and not s.dead[idx]:
            g = s.doc_base + grp
            if self._doc_live[g] and int(self._doc_para[g]) == gidx:
                doc, copies = g, tuple(self._copies(g, gidx))
        return Para(gidx, file, n, text, boilerplate,
                    tuple(map(tuple, json.loads(sentences or "[]"))), tuple(map(tuple, json.loads(chunks or "[]"))),
                    record.get("headline"), record.get("published"), doc, copies,
                    reading.load(annotations)["units"], *page_of(record, n))

    def _copies(self, doc: int, first: int) -> list[int]:
        """The live paragraphs other than `first` holding document `doc`'s text, in (file, n) order."""
        docs = [doc, *self._shadowed.get(doc, ())]
        members = []
        for d in docs:
            s = self.segments[int(np.searchsorted(self._doc_bases, d, side="right")) - 1]
            grp = d - s.doc_base
            if int(s.postings.doc_size[grp]) == 1 and d == doc:
                continue
            for idx, file, n in s.query("SELECT idx, file, n FROM paras WHERE grp=?", (grp,)):
                if not s.dead[idx] and s.para_base + idx != first:
                    members.append(((file, n), s.para_base + idx))
        return [idx for _, idx in sorted(members)]

    def _holder(self, file: str) -> _Segment | None:
        segment = self.files.get(file, {}).get("segment")
        return next((s for s in self.segments if s.ref.id == segment), None)

    def paragraph(self, file: str, number: int) -> Para | None:
        s = self._holder(file)
        rows = s.query(f"SELECT {_COLUMNS} FROM paras WHERE file=? AND n=?", (file, number)) if s else []
        return self._para(s, rows[0]) if rows else None

    def beside(self, para: Para, offset: int) -> Para | None:
        """The paragraph `offset` places after (or, negative, before) `para` in its article, read
        through the cache: a segment stores each article's paragraphs as consecutive rows."""
        idx = para.idx + offset
        if not 0 <= idx < len(self.paras) or self._segment_of(idx) is not self._segment_of(para.idx):
            return None
        other = self.paras[idx]
        return other if other.file == para.file and other.number == para.number + offset else None

    def article(self, file: str) -> list[Para]:
        s = self._holder(file)
        if s is None:
            return []
        return [self._para(s, r) for r in s.query(f"SELECT {_COLUMNS} FROM paras WHERE file=? ORDER BY n", (file,))]

    def _live_rows(self, where: str, args: tuple, limit: int) -> list[tuple[_Segment, tuple]]:
        """Up to `limit` live rows matching `where`, in (file, paragraph) order across segments."""
        found = []
        for s in self.segments:
            for row in s.query(f"SELECT {_COLUMNS} FROM paras WHERE {where} ORDER BY idx", args, limit=limit,
                               live_only=True):
                found.append(((row[1], row[2]), s, row))
        found.sort(key=lambda x: x[0])
        return [(s, row) for _, s, row in found[:limit]]

    def mentions(self, word: str) -> bool:
        """Whether any live paragraph, boilerplate included, holds `word`: as a term, or as text in any
        case, glued to another word ("PublishedMarch") or with a possessive ("Lavrov’s").
        The cheap BM25 statistics answer most words; the rest cost one scan of each segment's table."""
        stems = terms(word)
        if stems and all(self.knows(t) for t in stems):
            return True
        return bool(self._live_rows("text LIKE ? ESCAPE '\\'", (_like(word),), 1))

    def acronyms(self) -> dict[str, str]:
        """Short form -> long form of every acronym the articles of this commit link (reading.acronyms)."""
        return dict(self._acronyms)

    def other_form(self, name: str) -> str | None:
        """The other form of an acronym or of its long form, as the articles write it ("IAEA" <->
        "International Atomic Energy Agency"), or None."""
        if name in self._acronyms:
            return self._acronyms[name]
        if self._long_forms is None:
            self._long_forms = {long.casefold(): short for short, long in self._acronyms.items()}
        return self._long_forms.get(name.casefold())

    def expand_acronyms(self, question: str) -> str:
        """The question with the other form of each acronym (or long form) it holds appended in
        brackets, for retrieval and matching: "What did the IAEA say?" -> "... [International Atomic
        Energy Agency]". Unchanged when it holds none. Costs a look-up per word, not per acronym."""
        from reading.acronyms import initials_of_runs

        extra = [self._acronyms[w] for w in re.findall(r"\b[A-Z][A-Za-z0-9&]{1,9}\b", question) if w in self._acronyms]
        extra += [short for run, _ in initials_of_runs(question) if (short := self.other_form(run))]
        return f"{question} [{'; '.join(dict.fromkeys(extra))}]" if extra else question

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised words after the first) that no paragraph mentions, in
        either form of an acronym: "IAEA" is known when the articles spell out its long form, and the
        words of a long form are known when the articles write its acronym."""
        from reading.acronyms import initials_of_runs

        known: set[str] = set()
        for run, initials in initials_of_runs(question):
            if any(self.mentions(a) for a in initials) or self.other_form(run):
                known |= set(run.split())
        from reading.mentions import name_words
        from reading.text import STOPWORDS  # "When", "Will" opening a clause are function words, never names (issue 28)

        return [w for w in name_words(question) if w not in known and w not in self._acronyms
                and w.lower() not in STOPWORDS and not self.mentions(w)]

    def naming(self, word: str, *, boilerplate: bool, limit: int = 5) -> list[Para]:
        """Paragraphs whose text holds `word` (any case, glued or not): answerable ones, or boilerplate
        other than instructions to an AI (an author bio or an appeal answers questions that name
        its subject, and nothing else)."""
        where = "boilerplate IS NOT NULL AND boilerplate != 'instruction'" if boilerplate else "boilerplate IS NULL"
        return [self._para(s, r) for s, r in self._live_rows(f"{where} AND text LIKE ? ESCAPE '\\'", (_like(word),),
                                                             limit)]

    def copies_of(self, idx: int) -> list[Para]:
        return [self.paras[i] for i in self.paras[idx].copies]


def _like(word: str) -> str:
    """A LIKE pattern matching `word` anywhere (SQLite's LIKE ignores ASCII case)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_COLUMNS = "idx, file, n, text, boilerplate, sentences, chunks, grp, annotations"


def wants_hnsw(chunks: int, settings: IndexSettings) -> bool:
    """Whether a segment of `chunks` chunk vectors gets a Chroma collection (an HNSW index) when written:
    more than `settings.exact_search_chunks`. A smaller one is searched exactly (a product with a few thousand
    vectors costs less than a Chroma query: about 0.1 ms against 0.4 ms), and each collection created costs
    native memory that chromadb 1.5.9 keeps, even once the collection is deleted, until the last client of
    its folder in the process is closed (a page's reader holds one: `python -m qa.eval.chroma_memory`;
    chroma issues #3336, #5843), plus starting Chroma in the writer (about a second)."""
    return chunks > settings.exact_search_chunks


class _Segment:
    """One live segment as a reader holds it: its paragraph table (one read-only connection, shared
    by threads under a lock), its postings (memory-mapped) and which of its rows are tombstoned."""

    def __init__(self, store: IndexStore, ref: SegmentRef, para_base: int, doc_base: int):
        self.ref = ref
        self.settings = store.settings
        self.folder = SegmentFolder(store.dir / segment_dir(ref.id))
        if not self.folder.exists():
            raise OSError(f"segment {ref.id} is missing")
        self.para_base, self.doc_base = para_base, doc_base
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = self.folder.connect()
        self._postings: Postings | None = self.folder.postings()
        self.dead = np.zeros(ref.paragraphs, dtype=bool)  # tombstoned rows
        if ref.tombstones:
            marks = ",".join("?" * len(ref.tombstones))
            for first, count in self.query(f"SELECT first, count FROM files WHERE file IN ({marks})", ref.tombstones):
                self.dead[first:first + count] = True
        self._dead_chunks: tuple[frozenset[str], np.ndarray] | None = None
        self._ids: list[str] | None = None
        self._rows: dict[str, int] | None = None

    @property
    def small(self) -> bool:
        """Searched exactly, its chunk ids held in memory: written without a collection (`wants_hnsw`), or
        small enough by this reader's `exact_search_chunks`."""
        return not self.ref.hnsw or not wants_hnsw(self.ref.chunks, self.settings)

    def chunk_ids(self) -> list[str]:
        """Row -> chunk id of vectors.npy (read once; for small segments)."""
        if self._ids is None:
            self._ids = [cid for (cid,) in self.query("SELECT id FROM vectors ORDER BY row")]
            self._rows = {cid: row for row, cid in enumerate(self._ids)}
        return self._ids

    def rows_of(self, ids: list[str]) -> list[tuple[str, int]]:
        """(id, row) of those chunk ids this segment holds."""
        if self.small:
            self.chunk_ids()
            return [(cid, self._rows[cid]) for cid in ids if cid in self._rows]
        return self.query(f"SELECT id, row FROM vectors WHERE id IN ({','.join('?' * len(ids))})", tuple(ids))

    @property
    def postings(self) -> Postings:
        if self._postings is None:
            self._postings = self.folder.postings()
        return self._postings

    def query(self, sql: str, args: tuple = (), *, limit: int | None = None, live_only: bool = False) -> list[tuple]:
        """Rows of `sql`; with `live_only`, rows whose first column (a paragraph row) is not tombstoned,
        at most `limit` of them (the cursor is read only as far as needed)."""
        with self._lock:
            if self._db is None:
                self._db = self.folder.connect()
            cursor = self._db.execute(sql, args)
            if not live_only:
                return cursor.fetchall()
            out = []
            for row in cursor:
                if not self.dead[row[0]]:
                    out.append(row)
                    if limit is not None and len(out) >= limit:
                        break
            return out

    def live_first_copies(self) -> np.ndarray:
        """Per document of this segment: the global number of its first copy not tombstoned, or -1."""
        postings = self.postings
        first = np.asarray(postings.doc_para, dtype=np.int64)
        out = first + self.para_base
        dead = np.flatnonzero(self.dead[first]) if len(first) else first
        if len(dead):
            out[dead] = -1
            several = [int(d) for d in dead if postings.doc_size[d] > 1]
            for i in range(0, len(several), 500):  # a tombstoned first copy: a later live copy answers
                batch = several[i:i + 500]
                for idx, grp in self.query(f"SELECT idx, grp FROM paras WHERE grp IN ({','.join('?' * len(batch))}) "
                                           f"ORDER BY idx", tuple(batch)):
                    if not self.dead[idx] and out[grp] < 0:
                        out[grp] = self.para_base + idx
        return out

    def dead_chunks(self) -> tuple[frozenset[str], np.ndarray]:
        """(chunk ids no live paragraph of this segment holds, their rows in vectors.npy)."""
        if self._dead_chunks is None:
            ids: set[str] = set()
            if self.dead.any():
                rows = np.flatnonzero(self.dead)
                for i in range(0, len(rows), 500):
                    batch = tuple(int(r) for r in rows[i:i + 500])
                    ids |= {cid for (cid,) in self.query(
                        f"SELECT id FROM chunks WHERE para IN ({','.join('?' * len(batch))})", batch)}
                alive = set()
                listed = list(ids)
                for i in range(0, len(listed), 500):
                    batch = tuple(listed[i:i + 500])
                    alive |= {cid for cid, para in self.query(
                        f"SELECT id, para FROM chunks WHERE id IN ({','.join('?' * len(batch))})", batch)
                        if not self.dead[para]}
                ids -= alive
            listed = list(ids)
            rows = [r for i in range(0, len(listed), 500) for (r,) in self.query(
                f"SELECT row FROM vectors WHERE id IN ({','.join('?' * len(listed[i:i + 500]))})",
                tuple(listed[i:i + 500]))]
            self._dead_chunks = frozenset(ids), np.asarray(sorted(rows), dtype=np.int64)
        return self._dead_chunks

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._postings = None
            self._ids = self._rows = None


class _Paragraphs(Sequence):
    """`corpus.paras[i]`, read from SQLite on demand and cached (answers touch a few dozen)."""

    def __init__(self, corpus: Corpus, count: int):
        self._corpus, self._count = corpus, count
        self._get = functools.lru_cache(maxsize=16384)(self._fetch)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return [self[i] for i in range(*idx.indices(self._count))]
        idx = int(idx)
        if not 0 <= idx < self._count:
            raise IndexError(idx)
        return self._get(idx)

    def _fetch(self, idx: int) -> Para:
        s = self._corpus._segment_of(idx)
        return self._corpus._para(s, s.query(f"SELECT {_COLUMNS} FROM paras WHERE idx=?", (idx - s.para_base,))[0])



def load_corpus(settings: IndexSettings, index_dir: Path | None = None) -> Corpus:
    return Corpus(IndexStore(settings, index_dir))
