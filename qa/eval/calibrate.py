"""Fit the confidence model (`qa/confidence.json`) and report how well it is calibrated.

    python -m qa.eval.calibrate [--squad ../shared/bench/squad-v1.1-dev-super-bowl-50.json]
                           [--questions data/questions.jsonl] [--out qa/confidence.json] [--json OUT]

Data: every question is asked with refusals by confidence turned off (min_confidence 0), and its
answer is labelled right when it contains a gold answer (all of them for "answers_all" lines;
never, for an unanswerable one). Three sets: the SQuAD slice against the whole article; the same
questions with their gold paragraph removed (5 folds of paragraphs, each fold's questions asked
of the article without that fold), where an answer is right only if another paragraph holds it;
and the "dev" lines of our question file. Lines marked "heldout" are never fitted on; they are
reported apart.

Questions for which no sentence qualifies (refused whatever the confidence) are left out of fitting
and of the AUROC and calibration numbers; the right/wrong/refused rates count them as refused.
Reported numbers are cross-validated: 5 folds grouped by paragraph (a SQuAD paragraph's questions,
whole or gold-removed, are never split between fitting and scoring; our questions grouped by
their gold paragraph), each fold scored by a model fitted on the other four. The weights written
are then fitted on all dev data. The model is scikit-learn's LogisticRegression over standardised
`qa.confidence.FEATURES`; a few numbers a reader can check stand in a JSON file.

Not handled: refitting per corpus (the weights are fitted once, on news-like prose).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from qa.cli import run
from qa.confidence import FEATURES, MODEL_FILE

DEFAULT_SQUAD = Path(__file__).resolve().parents[3] / "shared" / "bench" / "squad-v1.1-dev-super-bowl-50.json"
FOLDS = 5
THRESHOLDS = (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
_MARKER = re.compile(r"\s*\[\d+\]")


def collect(pipeline, cases, *, group_of, subset: str) -> list[dict]:
    """One row per question: features, whether the unrefused answer is right, and its group."""
    from qa.eval.evaluate import contains_gold

    rows = []
    for case in cases:
        answer = pipeline.ask(case.question, case.history)
        right = bool(answer.answered and not case.unanswerable
                     and contains_gold(_MARKER.sub("", answer.text), case.answers, case.answers_all))
        rows.append({"id": case.id, "subset": subset, "group": group_of(case), "answered": answer.answered,
                     "right": right, "features": [answer.signals.get(f, 0.0) for f in FEATURES]})
    return rows


def gather(squad: Path | None, questions: Path | None, workdir: Path, settings) -> list[dict]:
    from ingest import ingest
    from qa.eval.evaluate import load_questions, remove_gold_folds, squad_corpus
    from qa.pipeline import Pipeline

    settings = settings.replace(min_confidence=0.0)
    rows: list[dict] = []
    if squad:
        data, index = workdir / "squad", workdir / "squad-index"
        cases = squad_corpus(squad, data)
        paragraph_of = {c.id: f"squad:{c.sources[0][1]}" for c in cases}  # folds are grouped by paragraph
        s = settings.replace(data_dir=data, index_dir=index)
        ingest(settings=s, progress=False)
        rows += collect(Pipeline(s), cases, group_of=lambda c: paragraph_of[c.id], subset="squad whole")
        for k, (fold_data, fold_cases) in enumerate(remove_gold_folds(squad, workdir / "folds", folds=FOLDS)):
            s = settings.replace(data_dir=fold_data, index_dir=workdir / f"fold-index-{k}")
            ingest(settings=s, progress=False)
            rows += collect(Pipeline(s), fold_cases, group_of=lambda c: paragraph_of[c.id],
                            subset="squad gold removed")
    if questions:
        cases, errors = load_questions(questions)
        for e in errors:
            print(f"skipped {e}", file=sys.stderr)
        pipeline = Pipeline(settings.replace(index_dir=workdir / "questions-index"))
        for split in ("dev", "heldout"):
            rows += collect(pipeline, [c for c in cases if c.split == split], subset=f"questions {split}",
                            group_of=lambda c: f"q:{c.sources[0][0]}#{c.sources[0][1]}" if c.sources else f"q:{c.id}")
    return rows


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    return {"features": list(FEATURES), "coef": model.coef_[0].round(5).tolist(),
            "intercept": round(float(model.intercept_[0]), 5), "mean": mean.round(5).tolist(),
            "scale": scale.round(5).tolist()}


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    z = model["intercept"] + ((x - np.asarray(model["mean"])) / np.asarray(model["scale"])) @ np.asarray(model["coef"])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def cross_validated(rows: list[dict]) -> np.ndarray:
    """Out-of-fold P(right) for every row: folds grouped by paragraph."""
    from sklearn.model_selection import GroupKFold

    x = np.asarray([r["features"] for r in rows], dtype=float)
    y = np.asarray([r["right"] for r in rows], dtype=int)
    groups = [r["group"] for r in rows]
    out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        out[test] = predict(fit(x[train], y[train]), x[test])
    return out


def rates(p: np.ndarray, rows: list[dict], threshold: float) -> dict:
    """At a threshold: share right, wrong (answered and not right) and refused, over all questions."""
    answered = np.asarray([r["answered"] for r in rows]) & (p >= threshold)
    right = answered & np.asarray([r["right"] for r in rows])
    n = max(len(rows), 1)
    return {"right": round(right.sum() / n, 4), "wrong": round((answered & ~right).sum() / n, 4),
            "refused": round((~answered).sum() / n, 4)}


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
        out[subset] = {"questions": len(idx), "auroc": auc and round(auc, 4), "ece": error and round(error, 4),
                       "at": {str(t): rates(p[idx], sub, t) for t in THRESHOLDS}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", default=str(DEFAULT_SQUAD) if DEFAULT_SQUAD.is_file() else None,
                        help="SQuAD v1.1 file (default ../shared/bench/...)")
    parser.add_argument("--questions", default=str(Path(__file__).resolve().parents[2] / "data" / "questions.jsonl"))
    parser.add_argument("--out", default=str(MODEL_FILE), help="where the fitted weights go (default qa/confidence.json)")
    parser.add_argument("--json", dest="json_out", help="also write the cross-validated report and rows here")
    args = parser.parse_args(argv)

    def command() -> int:
        from qa.settings import Settings

        with tempfile.TemporaryDirectory(prefix="articles-qa-calibrate-") as tmp:
            rows = gather(Path(args.squad) if args.squad else None, Path(args.questions), Path(tmp),
                          Settings.from_env())
        # Questions with no candidate sentence are refused whatever the model says: not fitted on
        # (their P(right) is reported as 0, and they count as refused).
        dev = [r for r in rows if r["subset"] != "questions heldout"]
        held = [r for r in rows if r["subset"] == "questions heldout"]
        fitted = [r for r in dev if r["answered"]]
        model = fit(np.asarray([r["features"] for r in fitted], dtype=float), np.asarray([r["right"] for r in fitted]))
        p = np.zeros(len(dev) + len(held))
        p[[i for i, r in enumerate(dev) if r["answered"]]] = cross_validated(fitted)
        scored = [i for i, r in enumerate(held, len(dev)) if r["answered"]]
        if scored:
            p[scored] = predict(model, np.asarray([held[i - len(dev)]["features"] for i in scored], dtype=float))
        result = report(dev + held, p)
        Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=1))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"report": result, "model": model, "rows": [
                {**r, "p": float(pr)} for r, pr in zip(dev + held, p)]}, indent=1))
        return 0

    return run(command)


if __name__ == "__main__":
    sys.exit(main())
