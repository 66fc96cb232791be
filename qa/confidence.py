"""Calibrated confidence: the probability that an answer is right, from a small logistic model.

Its inputs (`FEATURES`, described in `signals`) are how far the answer scorer's logit for the best
sentence (`qa.score`) leads the best sentence of any other paragraph (the scorer ranks a question's
candidates; the level of its logit across questions carries no signal), whether it holds the kind
of thing asked for (a name, a time, a number), its lexical support and topic focus, and its
paragraph's retrieval score. The weights live in `qa/confidence.json`, fitted by
`python -m qa.eval.train` on answers whose scorer never saw the question (each source scored by
a scorer trained without it); the numbers it reports are cross-validated by paragraph.

Not handled: questions whose answer needs two sentences read together (the model scores the
best single sentence), and corpora far from news prose, where the fitted weights may not hold.
"""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from qa.select import Sentence

FEATURES = ("lead", "holds", "support", "focus", "paragraph")
MODEL_FILE = Path(__file__).with_name("confidence.json")
LEAD_CAP = 10.0  # logits: a lead with no rival paragraph counts as this much


def signals(evidence, chosen: list[Sentence], pool: list[Sentence]) -> dict[str, float]:
    """The model's inputs for the answer made of `chosen` (empty: no candidate at all):
    lead      the scorer's logit for the best sentence (qa.score) minus the best logit of a sentence in another paragraph (capped at LEAD_CAP)
    holds     1 when the best sentence holds the kind of thing asked for (qa.analyze.holds_answer)
    support   its lexical support: half IDF coverage of the question, half chunk similarity
    focus     IDF share of the question's topic words in the sentence, paragraph (and the one
              before), headline and date
    paragraph the fused retrieval score of its paragraph (a sentence found outside retrieval, the header
              line that dates the article or the one after a quote, carries its own score)"""
    out = dict.fromkeys(FEATURES, 0.0)
    if chosen:
        best = chosen[0]
        hit = next((h for h in evidence.retrieval.hits if h.para == best.para), None)
        rival = max((s.answer for s in pool if s.para != best.para), default=None)
        out.update(lead=min(LEAD_CAP, best.answer - rival) if rival is not None else LEAD_CAP,
                   holds=float(best.holds), support=best.support, focus=best.focus,
                   paragraph=hit.score if hit else best.score)  # a header line or the next sentence: its own
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
    """The fitted weights; before the first fit (or for another feature set), a prior on support alone."""
    if MODEL_FILE.is_file():
        model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        if set(model["features"]) <= set(FEATURES):
            return model
    return {"features": ["support"], "coef": [6.0], "mean": [0.3], "scale": [1.0], "intercept": 0.0}
