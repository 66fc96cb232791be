"""The committed index opened for answering: paragraphs, duplicate groups and a BM25 index.

Opened once per commit from the snapshot ingest wrote (`ingest.snapshot`): nothing is
parsed or built here, so a cold start costs the same at 85 or 100,000 paragraphs.
`ingest.reader.IndexReader` decides when a newer commit replaces it.
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

from ingest import reading
from ingest.reading import Unit
from ingest.snapshot import SnapshotFolder, vocabulary_fingerprint
from ingest.manifest import Manifest
from ingest.store import IndexStore
from ingest.errors import IndexCorruptError, IndexOutdatedError
from ingest.settings import IndexSettings
from ingest.text import terms


_NAME = re.compile(r"(?<=\S\s)[A-Z][\w’'-]*[a-z][\w’'-]*")  # capitalised, not the first word, not "US"


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
    units: tuple[Unit, ...] = ()  # what ingest read (ingest.reading.Unit): sentences, items, rows; same spans
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
        self.folder = store.dir / manifest.corpus_dir
        self.snapshot = snapshot = SnapshotFolder(self.folder)
        try:
            self._db = snapshot.connect()
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            self._acronyms: dict[str, str] = json.loads(meta.get("acronyms") or "{}")
            self._long_forms: dict[str, str] | None = None
            self._answerable = snapshot.answerable()  # BM25 row -> paragraph
            self._bm25 = snapshot.bm25()
        except (sqlite3.Error, OSError, ValueError) as e:
            raise IndexCorruptError(f"the paragraph table of {store.dir} cannot be read ({e}); "
                                    f"rebuild it with `python -m ingest --index {store.dir}`") from None
        self._lock = threading.Lock()
        self.paras = _Paragraphs(self, int(meta["paragraphs"]))
        self.chunk_count = int(meta["chunks"])
        self._indptr = self._bm25.scores["indptr"]

    def close(self) -> None:
        """Close the paragraph table and drop the BM25 memory maps (each holds a file descriptor):
        a retired commit's. Used again after (an old `Pipeline.load()` retriever), they reopen."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._bm25 = self._answerable = self._indptr = None

    @property
    def bm25(self):
        """The `bm25s` index of the answerable paragraphs (memory-mapped)."""
        if self._bm25 is None:
            with self._lock:
                self._bm25 = self._bm25 or self.snapshot.bm25()
                self._indptr = self._bm25.scores["indptr"]
        return self._bm25

    @property
    def answerable(self):
        """BM25 row -> paragraph index (memory-mapped)."""
        if self._answerable is None:
            self._answerable = self.snapshot.answerable()
        return self._answerable

    def vector_rows(self, ids: list[str]) -> list[tuple[str, int]]:
        """(id, row in vectors.npy) of those chunk ids the snapshot holds."""
        if not ids:
            return []
        return self._query(f"SELECT id, row FROM vectors WHERE id IN ({','.join('?' * len(ids))})", tuple(ids))

    def vector_ids(self, rows: list[int]) -> dict[int, str]:
        if not rows:
            return {}
        return dict(self._query(f"SELECT row, id FROM vectors WHERE row IN ({','.join('?' * len(rows))})",
                                tuple(rows)))

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:  # one connection, shared by the threads of a chat server
            if self._db is None:
                self._db = self.snapshot.connect()
            return self._db.execute(sql, args).fetchall()

    def _para(self, row: tuple) -> Para:
        idx, file, n, text, boilerplate, sentences, chunks, doc, copies, annotations = row
        record = self.files.get(file, {})
        return Para(idx, file, n, text, boilerplate,
                    tuple(map(tuple, json.loads(sentences or "[]"))), tuple(map(tuple, json.loads(chunks or "[]"))),
                    record.get("headline"), record.get("published"), doc, tuple(json.loads(copies or "[]")),
                    reading.load(annotations)["units"], *page_of(record, n))

    def paragraph(self, file: str, number: int) -> Para | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM paras WHERE file=? AND n=?", (file, number))
        return self._para(rows[0]) if rows else None

    def beside(self, para: Para, offset: int) -> Para | None:
        """The paragraph `offset` places after (or, negative, before) `para` in its article, read
        through the cache: a snapshot stores each article's paragraphs as consecutive rows."""
        idx = para.idx + offset
        if not 0 <= idx < len(self.paras):
            return None
        other = self.paras[idx]
        return other if other.file == para.file and other.number == para.number + offset else None

    def article(self, file: str) -> list[Para]:
        return [self._para(r) for r in self._query(f"SELECT {_COLUMNS} FROM paras WHERE file=? ORDER BY n", (file,))]

    def paras_of_chunks(self, ids: list[str]) -> dict[str, list[int]]:
        """The paragraphs (first copies) each chunk id occurs in; ids no manifest names are absent."""
        out: dict[str, list[int]] = defaultdict(list)
        if not ids:
            return out
        for cid, para in self._query(f"SELECT id, para FROM chunks WHERE id IN ({','.join('?' * len(ids))})",
                                     tuple(ids)):
            out[cid].append(para)
        return out

    def doc_freq(self, term: str) -> int:
        """In how many answerable paragraphs `term` occurs."""
        row = self.bm25.vocab_dict.get(term)
        return 0 if row is None else int(self._indptr[row + 1] - self._indptr[row])

    def idf(self, term: str) -> float:
        """Inverse document frequency over answerable paragraphs (BM25's form, floored at 0.1)."""
        n, df = len(self.answerable), self.doc_freq(term)
        return max(0.1, float(np.log((n - df + 0.5) / (df + 0.5) + 1.0)))

    def knows(self, term: str) -> bool:
        return self.doc_freq(term) > 0

    def mentions(self, word: str) -> bool:
        """Whether any paragraph, boilerplate included, holds `word`: as a term, or as text in any
        case, glued to another word ("PublishedMarch") or with a possessive ("Lavrov’s").
        The cheap BM25 vocabulary answers most words; the rest cost one scan of the table."""
        stems = terms(word)
        if stems and all(self.knows(t) for t in stems):
            return True
        return bool(self._query("SELECT 1 FROM paras WHERE text LIKE ? ESCAPE '\\' LIMIT 1", (_like(word),)))

    def acronyms(self) -> dict[str, str]:
        """Short form -> long form of every acronym the articles of this commit link (ingest.reading.acronyms)."""
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
        from ingest.reading.acronyms import initials_of_runs

        extra = [self._acronyms[w] for w in re.findall(r"\b[A-Z][A-Za-z0-9&]{1,9}\b", question) if w in self._acronyms]
        extra += [short for run, _ in initials_of_runs(question) if (short := self.other_form(run))]
        return f"{question} [{'; '.join(dict.fromkeys(extra))}]" if extra else question

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised words after the first) that no paragraph mentions, in
        either form of an acronym: "IAEA" is known when the articles spell out its long form, and the
        words of a long form are known when the articles write its acronym."""
        from ingest.reading.acronyms import initials_of_runs

        known: set[str] = set()
        for run, initials in initials_of_runs(question):
            if any(self.mentions(a) for a in initials) or self.other_form(run):
                known |= set(run.split())
        words = (re.sub(r"[’']s$", "", m.group()) for m in _NAME.finditer(question))
        from ingest.text import STOPWORDS  # "When", "Will" opening a clause are function words, never names (issue 28)

        return [w for w in words if w not in known and w not in self._acronyms and w.lower() not in STOPWORDS
                and not self.mentions(w)]

    def naming(self, word: str, *, boilerplate: bool, limit: int = 5) -> list[Para]:
        """Paragraphs whose text holds `word` (any case, glued or not): answerable ones, or boilerplate
        other than instructions to an AI (an author bio or an appeal answers questions that name
        its subject, and nothing else)."""
        where = "boilerplate IS NOT NULL AND boilerplate != 'instruction'" if boilerplate else "boilerplate IS NULL"
        rows = self._query(f"SELECT {_COLUMNS} FROM paras WHERE {where} AND text LIKE ? ESCAPE '\\' "
                           f"ORDER BY idx LIMIT ?", (_like(word), limit))
        return [self._para(r) for r in rows]

    def copies_of(self, idx: int) -> list[Para]:
        return [self.paras[i] for i in self.paras[idx].copies]


def _like(word: str) -> str:
    """A LIKE pattern matching `word` anywhere (SQLite's LIKE ignores ASCII case)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_COLUMNS = "idx, file, n, text, boilerplate, sentences, chunks, doc, copies, annotations"


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
        return self._corpus._para(self._corpus._query(f"SELECT {_COLUMNS} FROM paras WHERE idx=?", (idx,))[0])



def load_corpus(settings: IndexSettings, index_dir: Path | None = None) -> Corpus:
    return Corpus(IndexStore(settings, index_dir))
