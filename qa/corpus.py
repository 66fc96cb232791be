"""The committed index loaded for answering: paragraphs, duplicate groups and a BM25 index.

Built once per manifest; `Corpus.is_stale()` tells when a new ingest committed.
"""
from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.store import IndexStore
from qa.settings import Settings
from qa.text import norm_key, terms


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


class Corpus:
    def __init__(self, store: IndexStore):
        self.store = store
        self.manifest_mtime = store.manifest_path.stat().st_mtime_ns
        manifest = store.read_manifest()
        self.model = manifest["embed_model"]
        self.vector_dir = manifest.get("vector_dir", "chroma")
        self.files = manifest["files"]
        self.paras: list[Para] = []
        for name in sorted(self.files):
            record = self.files[name]
            for p in record["paragraphs"]:
                self.paras.append(Para(
                    idx=len(self.paras), file=name, number=p["n"], text=p["text"], boilerplate=p["boilerplate"],
                    sentences=tuple(map(tuple, p.get("sentences", ()))),
                    chunks=tuple(map(tuple, p.get("chunks", ()))),
                    headline=record.get("headline"), published=record.get("published"),
                ))
        self.by_location = {(p.file, p.number): p for p in self.paras}
        # Duplicates: the first copy (file order) stands for the group; the others are listed with it.
        groups: dict[str, list[int]] = defaultdict(list)
        for p in self.paras:
            if p.boilerplate is None:
                groups[norm_key(p.text)].append(p.idx)
        self.canonical = {i: g[0] for g in groups.values() for i in g}
        self.copies = {g[0]: tuple(g[1:]) for g in groups.values()}
        self.answerable = [g[0] for g in groups.values()]
        self.chunk_paras: dict[str, list[int]] = defaultdict(list)
        for p in self.paras:
            for cid, _, _ in p.chunks:
                self.chunk_paras[cid].append(self.canonical[p.idx])
        self._bm25 = None
        self._df: dict[str, int] | None = None

    def is_stale(self) -> bool:
        try:
            return self.store.manifest_path.stat().st_mtime_ns != self.manifest_mtime
        except FileNotFoundError:
            return True

    @property
    def bm25(self):
        if self._bm25 is None:
            import bm25s

            logging.getLogger("bm25s").setLevel(logging.WARNING)
            retriever = bm25s.BM25()
            retriever.index([t or [""] for t in self.paragraph_terms], show_progress=False)
            self._bm25 = retriever
        return self._bm25

    @functools.cached_property
    def paragraph_terms(self) -> list[list[str]]:
        """The terms of each answerable paragraph, computed once for BM25 and document frequencies."""
        return [terms(self.paras[i].text) for i in self.answerable]

    @property
    def doc_freq(self) -> dict[str, int]:
        """In how many answerable paragraphs each term occurs."""
        if self._df is None:
            df: dict[str, int] = defaultdict(int)
            for paragraph in self.paragraph_terms:
                for t in set(paragraph):
                    df[t] += 1
            self._df = dict(df)
        return self._df

    def idf(self, term: str) -> float:
        """Inverse document frequency over answerable paragraphs (BM25's form, floored at 0.1)."""
        n, df = len(self.answerable), self.doc_freq.get(term, 0)
        return max(0.1, float(np.log((n - df + 0.5) / (df + 0.5) + 1.0)))

    def knows(self, term: str) -> bool:
        return term in self.doc_freq

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised words after the first) that no paragraph mentions."""
        out = []
        for m in _NAME.finditer(question):
            word = m.group()
            stems = terms(word)
            if stems and not any(self.knows(t) for t in stems):
                out.append(word)
        return out

    def copies_of(self, idx: int) -> list[Para]:
        return [self.paras[i] for i in self.copies.get(idx, ())]


def load_corpus(settings: Settings, index_dir: Path | None = None) -> Corpus:
    return Corpus(IndexStore(settings, index_dir))
