"""Calibrated confidence: the probability that an answer is right, from a small logistic model.

The signals are the ones the pipeline already has (`FEATURES`): how well the best sentence is
supported (lexical coverage, chunk similarity, paragraph score), whether it holds what the
question asks for (a name, a time, a number), how much of the question its paragraph and
headline address, the rarest question word they miss, how far the best paragraph leads the
next one, and whether other articles carry candidates too. The weights live in
`qa/confidence.json`, fitted by `python -m qa.calibrate` on the SQuAD slice (with and without
each question's gold paragraph) and on our own questions; the numbers it reports are
cross-validated by paragraph, never measured on the data the weights were fitted on.

Not handled: questions whose answer needs two sentences read together (the model scores the
best single sentence), and corpora far from news prose, where the fitted weights may not hold.
"""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from qa.select import Sentence, context_terms

FEATURES = ("support", "coverage", "focus", "dense", "paragraph", "lexical", "margin", "sentence_margin", "runner_up",
            "top", "holds", "constrains", "missing_rare", "missing_in_sentence", "files", "candidates", "terms",
            "sentences")
MODEL_FILE = Path(__file__).with_name("confidence.json")


def signals(evidence, chosen: list[Sentence], pool: list[Sentence]) -> dict[str, float]:
    """The model's inputs for the answer made of `chosen` (empty: no candidate at all)."""
    best = chosen[0] if chosen else None
    analysis = evidence.question_analysis
    hits = evidence.retrieval.hits
    margin = (hits[0].score - hits[1].score) if len(hits) > 1 else (hits[0].score if hits else 0.0)
    out = dict.fromkeys(FEATURES, 0.0)
    out.update(margin=margin, constrains=float(analysis.constrains), candidates=min(len(pool), 10) / 10,
               terms=min(len(analysis.focus), 10) / 10)
    if best is None:
        out["missing_rare"] = 1.0
        return {k: round(v, 4) for k, v in out.items()}
    corpus = evidence.corpus
    para = corpus.paras[best.para]
    context = context_terms(corpus, para)
    idf = {t: corpus.idf(t) for t in analysis.focus}
    top = max(idf.values(), default=1.0) or 1.0
    missing = [v for t, v in idf.items() if t not in context]
    in_sentence = set(_terms(best.text))
    missing_here = [v for t, v in idf.items() if t not in in_sentence]
    near = [s for s in pool if s.score >= 0.85 * best.score]
    files = {corpus.paras[s.para].file for s in near}
    other = next((s.score for s in pool if s.para != best.para), 0.0)
    second = next((s.score for s in pool if s is not best), 0.0)
    hit = next((h for h in hits if h.para == best.para), None)
    out.update(
        support=0.5 * best.coverage + 0.5 * best.dense, coverage=best.coverage, focus=best.focus,
        dense=best.dense, paragraph=hit.score if hit else 0.0, lexical=hit.lexical if hit else 0.0,
        sentence_margin=best.score - other, runner_up=best.score - second, top=float(best.rank == 0),
        sentences=len(chosen) / 3,
        holds=float(best.holds), missing_rare=max(missing, default=0.0) / top,
        missing_in_sentence=max(missing_here, default=0.0) / top, files=min(len(files), 3) / 3,
    )
    return {k: round(v, 4) for k, v in out.items()}


def confidence(features: dict[str, float]) -> float:
    """P(right) under the fitted model; 0..1."""
    model = load_model()
    z = model["intercept"]
    for name, w, mean, scale in zip(model["features"], model["coef"], model["mean"], model["scale"]):
        z += w * (features.get(name, 0.0) - mean) / (scale or 1.0)
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)


@functools.lru_cache(maxsize=1)
def load_model() -> dict:
    """The fitted weights; before the first fit, a prior that leans on support alone."""
    if MODEL_FILE.is_file():
        return json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return {"features": ["support"], "coef": [6.0], "mean": [0.3], "scale": [1.0], "intercept": 0.0}


def _terms(text: str) -> frozenset[str]:
    from ingest.text import term_set

    return term_set(text)
