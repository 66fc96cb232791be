"""Calibrated confidence: the probability that an answer is right, from a small logistic model.

Abstention is designed, not hoped for: the reader's score alone does not tell a plausible sentence
from an answering one (SQuAD 2.0's unanswerable questions are written so that one exists), so the
model combines it with checks of the question's constraints. Its inputs (`FEATURES`, described in
`signals`): the reader's logit for the best sentence against its "no answer" option and its margin
over the next sentence and over other paragraphs; whether the sentence holds the kind of thing
asked for (a name, a time, a number) and whether the names, numbers and years the question gives
are in the sentence's surroundings; lexical support, topic focus and retrieval. The weights live in
`qa/confidence.json`, fitted by `python -m qa.eval.train_confidence` on answers to questions the
reader never read; the features kept are chosen there by backward elimination.

Not handled: questions whose answer needs two sentences read together (the model scores the
best single sentence), and corpora far from news prose, where the fitted weights may not hold.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

from qa.select import UNSCORED, Sentence

FEATURES = ("reader", "margin", "lead", "holds", "missing", "support", "focus", "paragraph")
MODEL_FILE = Path(__file__).with_name("confidence.json")
_SHIPPED = MODEL_FILE
# The shipped fit, pinned as tiktoken pins its data files: an edited, truncated or mixed-up file is an error
# naming the fix, never silently other weights. `python -m qa.eval.train_confidence` prints the new pin.
MODEL_SHA256 = "19d4bdb4d1a62a848edcae9754fb0f8706743bbbcf2427a239ce735425c0dce5"
LEAD_CAP = 10.0  # logits: a lead with no rival paragraph counts as this much
LOGIT_CAP = 12.0  # the reader's logits are clipped to +-this (beyond it the odds say nothing more)


def signals(evidence, chosen: list[Sentence], pool: list[Sentence]) -> dict[str, float]:
    """The model's inputs for the answer made of `chosen` (empty: no candidate at all):
    reader    the scorer's logit for the best sentence (qa.score); for the reader, against its null
              option ("none of these answers"), clipped to +-LOGIT_CAP; 0 (even odds), and margin and
              lead 0 too, for a sentence a rule found that the scorer did not read
    margin    that logit minus the best logit of any other sentence the scorer read (capped at LEAD_CAP)
    lead      that logit minus the best logit of a sentence in another paragraph (capped at LEAD_CAP)
    holds     1 when the best sentence holds the kind of thing asked for (qa.analyze.holds_answer)
    missing   share of the names, numbers and years the question gives that the sentence, its
              paragraph, the one before and the headline lack (qa.select)
    support   its lexical support: half IDF coverage of the question, half chunk similarity
    focus     IDF share of the question's topic words in the sentence, paragraph (and the one
              before), headline and date
    paragraph the fused retrieval score of its paragraph (a sentence found outside retrieval, the header
              line that dates the article or the one after a quote, carries its own score)"""
    out = dict.fromkeys(FEATURES, 0.0)
    if chosen:
        best = chosen[0]
        hit = next((h for h in evidence.retrieval.hits if h.para == best.para), None)
        scored = [s for s in evidence.sentences if s.answer > UNSCORED and s.text != best.text]
        rival = max((s.answer for s in pool if s.para != best.para), default=None)
        other = max((s.answer for s in scored), default=None)
        read = best.answer > UNSCORED  # else found by a rule outside the scorer (the header that dates the article)
        out.update(reader=max(-LOGIT_CAP, min(LOGIT_CAP, best.answer)) if read else 0.0,
                   margin=(min(LEAD_CAP, best.answer - other) if other is not None else LEAD_CAP) if read else 0.0,
                   lead=(min(LEAD_CAP, best.answer - rival) if rival is not None else LEAD_CAP) if read else 0.0,
                   holds=float(best.holds), missing=best.missing, support=best.support, focus=best.focus,
                   paragraph=hit.score if hit else best.score)  # a header line or the next sentence: its own
    return {k: round(v, 4) for k, v in out.items()}


def confidence(features: dict[str, float]) -> float:
    """P(right) under the fitted model; 0..1."""
    from qa.score import logits

    model = load_model()
    z = float(logits(model, [[features.get(name, 0.0) for name in model["features"]]])[0])
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)


@functools.lru_cache(maxsize=1)
def load_model() -> dict:
    """The fitted weights (`qa/confidence.json`, some of `FEATURES`), loaded as the learned scorer's are
    (`qa.score.load_logistic`): a missing, unreadable or mismatched file is `ModelFileError` naming the fit
    (`python -m qa.eval.train_confidence`); there is no hand-set prior to fall back to. The shipped file must
    also match `MODEL_SHA256`."""
    from qa.errors import ModelFileError
    from qa.score import load_logistic

    fix = "python -m qa.eval.train_confidence"
    model = load_logistic(MODEL_FILE, FEATURES, exact=False, what="the confidence model", fix=fix)
    if Path(MODEL_FILE) == _SHIPPED and (digest := file_sha256(MODEL_FILE)) != MODEL_SHA256:
        raise ModelFileError(
            f"the confidence model at {MODEL_FILE} is not the shipped fit (sha256 {digest[:12]}…, expected "
            f"{MODEL_SHA256[:12]}…); restore it with `git checkout {MODEL_FILE.name}`, or after `{fix}` set "
            f"qa.confidence.MODEL_SHA256 to the sha256 it prints")
    return model


def file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
