"""Score every sentence of the retrieved paragraphs as an answer to the question.

A sentence's score mixes three signals, each in 0..1:
- coverage: the IDF-weighted share of the question's terms it contains (names, numbers);
- dense: the cosine similarity of the chunk it sits in (paraphrases);
- paragraph: the fused retrieval score of its paragraph (context around it).
Sentences that are not prose (headings), credits, or instructions to an AI are never candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.boilerplate import is_credit, is_instruction, is_prose
from qa.corpus import Corpus
from qa.retrieve import Retrieval
from qa.text import terms

# Measured on the SQuAD slice (docs/quality.md): answer-type cues, bigrams and per-sentence
# vectors each moved first-citation accuracy by under 0.01, so they are left out.
W_COVERAGE, W_DENSE, W_PARAGRAPH = 0.30, 0.40, 0.30


@dataclass(frozen=True)
class Sentence:
    para: int
    start: int
    end: int
    text: str
    score: float
    coverage: float
    dense: float
    rank: int  # rank of its paragraph in retrieval, 0-based


def score_sentences(corpus: Corpus, retrieval: Retrieval, weights: dict[str, float]) -> list[Sentence]:
    idf = {t: corpus.idf(t) * w for t, w in weights.items()}
    total = sum(idf.values()) or 1.0
    out = []
    for rank, hit in enumerate(retrieval.hits):
        para = corpus.paras[hit.para]
        for a, b in _candidate_sentences(para, retrieval.chunk_sims):
            text = para.text[a:b]
            if not usable(text):
                continue
            present = set(terms(text))
            coverage = sum(v for t, v in idf.items() if t in present) / total
            dense = max(
                (retrieval.chunk_sims.get(cid, 0.0) for cid, ca, cb in para.chunks if ca < b and a < cb),
                default=hit.dense,
            )
            score = W_COVERAGE * coverage + W_DENSE * dense + W_PARAGRAPH * hit.score
            out.append(Sentence(hit.para, a, b, text, score, coverage, dense, rank))
    out.sort(key=lambda s: -s.score)
    return out


MAX_SENTENCES = 60  # per paragraph; a longer one (a megabyte line) is read only around its best chunks


def _candidate_sentences(para, chunk_sims: dict[str, float]):
    if len(para.sentences) <= MAX_SENTENCES:
        return para.sentences
    best = sorted(para.chunks, key=lambda c: -chunk_sims.get(c[0], 0.0))[:3]
    return [(a, b) for a, b in para.sentences if any(ca < b and a < cb for _, ca, cb in best)]


def usable(sentence: str) -> bool:
    return is_prose(sentence) and not is_credit(sentence) and not is_instruction(sentence)
