"""Calibration: the confidence model (`qa/confidence.json`) fitted and reported, for `qa.eval.train`.

`python -m qa.eval.train` answers every training question with the extractive answerer over its
candidates ranked by a scorer that never saw its source, every tier on, and labels the answer right
when it contains a gold answer (never, for an unanswerable question). `fit` is scikit-learn's
LogisticRegression over standardised `qa.confidence.FEATURES` (Platt scaling with a few signals);
`cross_validated` scores each row by a model fitted on the other folds (5 folds grouped by paragraph,
so a paragraph's questions are never split between fitting and scoring); `report` gives per subset
the AUROC, the calibration error, and the shares right, wrong and refused at each threshold.

Questions with no candidate sentence are refused whatever the model says: they are left out of
fitting and of AUROC and calibration, and count as refused.
Not handled: refitting per corpus (the weights are fitted once, on encyclopaedic and news prose).
"""
from __future__ import annotations

import numpy as np

from qa.confidence import FEATURES

FOLDS = 5
# Kept by backward elimination on cross-validated AUROC (docs/quality.md): the scorer's lead over other
# paragraphs and the lexical support added nothing once these were in (their weights came out ~0 or
# below 0, which would make confidence fall as support rises).
KEPT = ("holds", "focus", "paragraph")
THRESHOLDS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def fit(x: np.ndarray, y: np.ndarray, kept: tuple[str, ...] = KEPT):
    """The model over `kept` of the signals (`x` holds all `FEATURES`, in order)."""
    from sklearn.linear_model import LogisticRegression

    x = x[:, [FEATURES.index(f) for f in kept]]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    return {"features": list(kept), "coef": model.coef_[0].round(5).tolist(),
            "intercept": round(float(model.intercept_[0]), 5), "mean": mean.round(5).tolist(),
            "scale": scale.round(5).tolist()}


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    """P(right) for rows of all `FEATURES`."""
    from qa.score import logits

    z = logits(model, x[:, [FEATURES.index(f) for f in model["features"]]])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def cross_validated(rows: list[dict], kept: tuple[str, ...] = KEPT) -> np.ndarray:
    """Out-of-fold P(right) for every row: folds grouped by paragraph."""
    from sklearn.model_selection import GroupKFold

    x = np.asarray([r["features"] for r in rows], dtype=float)
    y = np.asarray([r["right"] for r in rows], dtype=int)
    groups = [r["group"] for r in rows]
    out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        out[test] = predict(fit(x[train], y[train], kept), x[test])
    return out


def cv_auroc(rows: list[dict], kept: tuple[str, ...]) -> float:
    """AUROC (right vs not) of the out-of-fold P(right) of a model over `kept`."""
    from qa.eval.evaluate import auroc

    return auroc(cross_validated(rows, kept).tolist(), [bool(r["right"]) for r in rows]) or 0.0


def rates(p: np.ndarray, rows: list[dict], threshold: float) -> dict:
    """At a threshold: of the answerable questions, the shares right, wrong (answered, not right) and
    refused; of the unanswerable ones (and gold-removed questions no other paragraph answers), the
    share refused."""
    answered = np.asarray([r["answered"] for r in rows], dtype=bool) & (p >= threshold)
    right = answered & np.asarray([r["right"] for r in rows], dtype=bool)
    answerable = ~np.asarray([r["unanswerable"] for r in rows], dtype=bool)

    def share(mask, within):
        return round(float((mask & within).sum() / within.sum()), 4) if within.sum() else None

    return {"right": share(right, answerable), "wrong": share(answered & ~right, answerable),
            "refused": share(~answered, answerable), "unanswerable refused": share(~answered, ~answerable)}


def report(rows: list[dict], p: np.ndarray) -> dict:
    """Per subset: AUROC and calibration error over the questions that had a candidate answer, and
    right/wrong/refused shares over all questions at each threshold."""
    from qa.eval.evaluate import auroc, expected_calibration_error

    out = {}
    for subset in ["all", *dict.fromkeys(r["subset"] for r in rows)]:
        idx = [i for i, r in enumerate(rows) if subset == "all" or r["subset"] == subset]
        if not idx:
            continue
        sub = [rows[i] for i in idx]
        scored = [i for i in idx if rows[i]["answered"]]
        ps, ys = p[scored].tolist(), [rows[i]["right"] for i in scored]
        auc, error = auroc(ps, ys), expected_calibration_error(ps, ys)
        has = auroc(p[idx].tolist(), [not rows[i]["unanswerable"] for i in idx])
        out[subset] = {"questions": len(idx), "auroc": auc and round(auc, 4), "ece": error and round(error, 4),
                       "answerable_vs_unanswerable_auroc": has and round(has, 4),
                       "at": {str(t): rates(p[idx], sub, t) for t in THRESHOLDS}}
    return out
