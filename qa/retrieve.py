"""Hybrid paragraph retrieval: dense chunks (one commit's Chroma collection) plus BM25 over paragraphs, fused.

Dense search finds paraphrases, BM25 finds rare names and numbers; each catches
what the other misses. Candidates from both are rescored exactly (every chunk of
a candidate paragraph against the query vector) and fused as a weighted sum of
the dense similarity and the max-normalised BM25 score. Everything comes from one
`ingest.reader.Snapshot`, so a question never mixes two commits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.settings import RetrievalTuning

from ingest.reader import Snapshot
from reading.text import terms



@dataclass(frozen=True)
class Hit:
    para: int  # index into corpus.paras (canonical copy)
    score: float  # fused
    dense: float  # best cosine similarity of its chunks
    lexical: float  # BM25 / best BM25 among candidates


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    chunk_sims: dict[str, float]  # cosine similarity of every chunk of every candidate

    def top(self, k: int) -> "Retrieval":
        return Retrieval(self.hits[:k], self.chunk_sims)


class HybridRetriever:
    def __init__(self, snapshot: Snapshot, embedder, *, candidates: int = 30, dense_weight: float | None = None):
        self.snapshot = snapshot
        self.corpus = snapshot.corpus
        self.embedder = embedder
        self.candidates = candidates
        # the dense share of the fused score (qa.settings.RetrievalTuning: where it was measured)
        self.dense_weight = RetrievalTuning().dense_weight if dense_weight is None else dense_weight

    def retrieve(self, query: str, *, k: int) -> Retrieval:
        corpus = self.corpus
        qvec = np.asarray(self.embedder.get_query_embedding(query), dtype=np.float32)
        candidates: dict[int, None] = {}
        n = min(self.candidates, max(1, corpus.chunk_count))
        found = self.snapshot.nearest(qvec, n)
        owners = corpus.paras_of_chunks(found)
        for cid in found:
            for p in owners.get(cid, ()):  # ids no manifest names are leftovers: skip
                candidates.setdefault(p)
        bm25 = np.zeros(0)
        qterms = terms(query)
        if qterms:
            bm25 = corpus.bm25.get_scores(qterms)
            top = np.argpartition(-bm25, min(self.candidates, len(bm25) - 1))[: self.candidates]
            for j in top[np.argsort(-bm25[top], kind="stable")]:
                if bm25[j] > 0:
                    candidates.setdefault(int(corpus.answerable[j]))
        if not candidates:
            return Retrieval([], {})
        chunk_sims = self._chunk_sims(qvec, candidates)
        lexical = {p: float(bm25[corpus.paras[p].doc]) if len(bm25) else 0.0 for p in candidates}
        best_lexical = max(lexical.values()) or 1.0
        hits = []
        for p in candidates:
            dense = max((chunk_sims.get(cid, 0.0) for cid, _, _ in corpus.paras[p].chunks), default=0.0)
            lex = lexical[p] / best_lexical
            hits.append(Hit(p, self.dense_weight * dense + (1 - self.dense_weight) * lex, dense, lex))
        hits.sort(key=lambda h: -h.score)
        return Retrieval(hits[:k], chunk_sims)

    def _chunk_sims(self, qvec: np.ndarray, paras) -> dict[str, float]:
        ids = list(dict.fromkeys(cid for p in paras for cid, _, _ in self.corpus.paras[p].chunks))
        return self.snapshot.similarities(qvec, ids)
