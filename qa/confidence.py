"""Calibrated confidence: the probability that an answer is right, from a small logistic model.

The signals are the ones the pipeline already has (`FEATURES`, described in `signals`): how well
the best sentence is supported (lexical coverage and chunk similarity), how much of the question's
topic its surroundings address, its paragraph's fused and BM25 scores, how far that paragraph
leads the next one that could answer, how many sentences could answer, and how long the question
and the answer are. Whether a sentence holds what was asked (a name, a time, a number) is decided
before, as a filter. The weights live in `qa/confidence.json`, fitted by `python -m qa.eval.calibrate`
on the SQuAD slice (with and without each question's gold paragraph) and on our own questions;
the numbers it reports are cross-validated by paragraph, never measured on the data the weights
were fitted on.

Not handled: questions whose answer needs two sentences read together (the model scores the
best single sentence), and corpora far from news prose, where the fitted weights may not hold.
"""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from qa.select import Sentence

# Kept by backward elimination on cross-validated AUROC (docs/quality.md): answer-type match is a
# filter before this model (every answer holds its type), and agreement between articles, coverage
# of the sentence alone and the margins between sentences added nothing.
FEATURES = ("support", "focus", "paragraph", "lexical", "margin", "top", "candidates", "terms", "sentences")
MODEL_FILE = Path(__file__).with_name("confidence.json")


def signals(evidence, chosen: list[Sentence], pool: list[Sentence]) -> dict[str, float]:
    """The model's inputs for the answer made of `chosen` (empty: no candidate at all):
    support   0.5 * coverage + 0.5 * chunk similarity of the best sentence
    focus     IDF share of the question's topic words in the sentence, paragraph (and the one
              before), headline and date
    paragraph, lexical   the fused and the BM25 score of the best sentence's paragraph
    margin    how far the best sentence's paragraph leads the next paragraph that could answer
    top       the best sentence sits in the first-ranked paragraph that could answer (one holding a
              sentence of the asked-for kind)
    candidates, terms, sentences   how many sentences could answer, the question's topic words,
              and how many sentences the answer quotes (each /10, /10, /3)"""
    analysis = evidence.question_analysis
    score_of = {h.para: h for h in evidence.retrieval.hits}
    eligible = sorted({s.para for s in pool}, key=lambda p: -score_of[p].score if p in score_of else 0.0)
    out = dict.fromkeys(FEATURES, 0.0)
    out.update(candidates=min(len(pool), 10) / 10, terms=min(len(analysis.focus), 10) / 10)
    if chosen:
        best = chosen[0]
        hit = score_of.get(best.para)
        others = [score_of[p].score for p in eligible if p != best.para and p in score_of]
        out.update(support=0.5 * best.coverage + 0.5 * best.dense, focus=best.focus,
                   paragraph=hit.score if hit else 0.0, lexical=hit.lexical if hit else 0.0,
                   margin=(hit.score if hit else 0.0) - max(others, default=0.0),
                   top=float(bool(eligible) and best.para == eligible[0]), sentences=len(chosen) / 3)
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
