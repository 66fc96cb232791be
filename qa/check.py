"""Check every sentence of a generated answer against the sources it cites.

A sentence is kept only when its cited source supports it, lexically (most of its
content words, and every number in it, occur in the source) and in meaning (its
MiniLM vector is close to one of the source's sentences). A sentence supported by
another source than the one it cites is re-cited; one supported by none, or citing
a source that does not exist, is removed, and the removal is recorded. The quote of
each citation is the source sentence closest to the generated one, verbatim.

Not handled: negation and hedging ("did not" vs "did" score alike) and facts split
across two sources within one sentence (the sentence must be supported by one).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingest.chunking import sentence_spans
from ingest.corpus import Para
from ingest.text import terms

LEXICAL_MIN = 0.6
SEMANTIC_MIN = 0.55
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Checked:
    text: str  # the sentence without its markers
    source: int  # 0-based index into the prompt's sources
    quote_span: tuple[int, int]  # the supporting sentence inside that source
    lexical: float
    semantic: float


@dataclass(frozen=True)
class CheckResult:
    kept: list[Checked]
    removed: list[str]  # one line per removed or changed sentence, for Answer.notes


def split_generated(text: str) -> list[tuple[str, list[int]]]:
    """Generated text -> (sentence without markers, cited numbers) pairs."""
    out: list[tuple[str, list[int]]] = []
    flat = " ".join(text.split())
    for a, b in sentence_spans(flat):
        piece = flat[a:b]
        lead = _LEADING.match(piece)
        if lead and out:  # "... talks. [2] Next sentence": the [2] closes the sentence before
            out[-1][1].extend(int(n) for n in lead.group(1).split(","))
            piece = piece[lead.end():]
        cited = [int(n) for group in _MARKERS.findall(piece) for n in group.split(",")]
        sentence = _MARKERS.sub("", piece).strip()
        if sentence:
            out.append((sentence, cited))
    # a marker standing alone after the full stop ("... talks. [2]") belongs to the sentence before it
    merged: list[tuple[str, list[int]]] = []
    for sentence, cited in out:
        if merged and not terms(sentence) and cited:
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        else:
            merged.append((sentence, cited))
    return [(s, c) for s, c in merged if terms(s)]


def check(text: str, sources: list[Para], embedder) -> CheckResult:
    pairs = split_generated(text)
    if not pairs:
        return CheckResult([], [])
    spans = [sentence_spans(p.text) or [(0, len(p.text))] for p in sources]
    flat = [(i, span) for i, ss in enumerate(spans) for span in ss]
    vectors = _embed(embedder, [sources[i].text[a:b] for i, (a, b) in flat] + [s for s, _ in pairs])
    source_vecs, sentence_vecs = vectors[: len(flat)], vectors[len(flat):]
    source_terms = [set(terms(p.text)) for p in sources]
    kept, removed = [], []
    for (sentence, cited), vec in zip(pairs, sentence_vecs):
        valid = [n - 1 for n in cited if 1 <= n <= len(sources)]
        bogus = [n for n in cited if not 1 <= n <= len(sources)]
        if bogus:
            removed.append(f"citation {', '.join(f'[{n}]' for n in bogus)} points to no source: dropped")
        candidates = valid + [i for i in range(len(sources)) if i not in valid]
        best = None
        for i in candidates:
            lexical = _lexical(sentence, source_terms[i], sources[i].text)
            sims = [(float(source_vecs[j] @ vec), flat[j][1]) for j in range(len(flat)) if flat[j][0] == i]
            semantic, span = max(sims, default=(0.0, (0, 0)))
            if lexical >= LEXICAL_MIN and semantic >= SEMANTIC_MIN:
                best = Checked(sentence, i, span, lexical, semantic)
                break
        if best is None:
            removed.append(f"removed, not supported by the sources: “{sentence}”")
            continue
        if best.source not in valid:
            where = f"{sources[best.source].file} ¶{sources[best.source].number}"
            removed.append(f"re-cited to {where}, which supports it (the model cited another source): “{sentence}”")
        kept.append(best)
    return CheckResult(kept, removed)


def _lexical(sentence: str, source_terms: set[str], source_text: str) -> float:
    words = set(terms(sentence))
    if not words:
        return 0.0
    numbers = _NUMBER.findall(sentence)
    if any(n not in source_text for n in numbers):
        return 0.0  # an invented number is never supported
    return len(words & source_terms) / len(words)


def _embed(embedder, texts: list[str]) -> np.ndarray:
    vectors = np.asarray(embedder.get_text_embedding_batch(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
