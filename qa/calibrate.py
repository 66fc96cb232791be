"""Fit the confidence model (`qa/confidence.json`) and report how well it is calibrated.

    python -m qa.calibrate [--squad ../shared/bench/squad-v1.1-dev-super-bowl-50.json]
                           [--questions data/questions.jsonl] [--out qa/confidence.json] [--json OUT]

Data: every question is asked with refusals by confidence turned off (min_confidence 0), and its
answer is labelled right when it contains a gold answer (all of them for "answers_all" lines;
never, for an unanswerable one). Three sets: the SQuAD slice against the whole article; the same
questions with their gold paragraph removed (5 folds of paragraphs, each fold's questions asked
of the article without that fold), where an answer is right only if another paragraph holds it;
and the "dev" lines of our question file. Lines marked "heldout" are never fitted on; they are
reported apart.

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

DEFAULT_SQUAD = Path(__file__).resolve().parents[2] / "shared" / "bench" / "squad-v1.1-dev-super-bowl-50.json"
FOLDS = 5
THRESHOLDS = (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)


def answer_is_right(case, answer) -> bool:
    from qa.evaluate import normalize

    if case.unanswerable or not answer.answered:
        return False
    plain = normalize(re.sub(r"\s*\[\d+\]", "", answer.text))
    found = [normalize(a) in plain for a in case.answers]
    return all(found) if getattr(case, "answers_all", False) else any(found)


def remove_gold_folds(squad: Path, workdir: Path, *, folds: int = FOLDS):
    """The SQuAD article without each fold's paragraphs, and that fold's questions (paragraph i is in fold i % folds)."""
    from qa.evaluate import squad_corpus

    whole = workdir / "whole"
    cases = squad_corpus(squad, whole)
    out = []
    for k in range(folds):
        data = workdir / f"fold-{k}"
        data.mkdir(parents=True, exist_ok=True)
        for f in whole.glob("*.txt"):
            paragraphs = f.read_text(encoding="utf-8").split("\n\n")
            kept = [t for i, t in enumerate(paragraphs, 1) if i % folds != k]
            (data / f.name).write_text("\n\n".join(t.strip() for t in kept) + "\n", encoding="utf-8")
        out.append((data, [c for c in cases if c.sources[0][1] % folds == k]))
    return out


def collect(pipeline, cases, *, group_of, subset: str) -> list[dict]:
    """One row per question: features, whether the unrefused answer is right, and its group."""
    rows = []
    for case in cases:
        answer = pipeline.ask(case.question, case.history)
        rows.append({"id": case.id, "subset": subset, "group": group_of(case), "answered": answer.answered,
                     "right": bool(answer.answered and answer_is_right(case, answer)),
                     "features": [answer.signals.get(f, 0.0) for f in FEATURES], "signals": answer.signals})
    return rows


def gather(squad: Path | None, questions: Path | None, workdir: Path, settings) -> list[dict]:
    from ingest import ingest
    from qa.evaluate import load_questions, squad_corpus
    from qa.pipeline import Pipeline

    settings = settings.replace(min_confidence=0.0)
    rows: list[dict] = []
    if squad:
        data, index = workdir / "squad", workdir / "squad-index"
        cases = squad_corpus(squad, data)
        s = settings.replace(data_dir=data, index_dir=index)
        ingest(settings=s, progress=False)
        rows += collect(Pipeline(s), cases, group_of=lambda c: f"squad:{c.sources[0][1]}", subset="squad whole")
        for k, (fold_data, fold_cases) in enumerate(remove_gold_folds(squad, workdir / "folds", folds=FOLDS)):
            s = settings.replace(data_dir=fold_data, index_dir=workdir / f"fold-index-{k}")
            ingest(settings=s, progress=False)
            rows += collect(Pipeline(s), fold_cases, group_of=lambda c: f"squad:{c.sources[0][1]}",
                            subset="squad gold removed")
    if questions:
        cases, errors = load_questions(questions)
        for e in errors:
            print(f"skipped {e}", file=sys.stderr)
        raw = {r.get("id"): r for r in map(json.loads, filter(str.strip, questions.read_text().splitlines()))}
        for c in cases:
            c.split, c.answers_all = raw.get(c.id, {}).get("split", "dev"), raw.get(c.id, {}).get("answers_all", False)
        s = settings.replace(index_dir=workdir / "questions-index")
        pipeline = Pipeline(s)
        for split in ("dev", "heldout"):
            chosen = [c for c in cases if (getattr(c, "split", "") or "dev") == split]
            rows += collect(pipeline, chosen, subset=f"questions {split}",
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
    """Out-of-fold P(right) for every dev row: folds grouped by paragraph."""
    from sklearn.model_selection import GroupKFold

    x = np.asarray([r["features"] for r in rows], dtype=float)
    y = np.asarray([r["right"] for r in rows], dtype=int)
    groups = [r["group"] for r in rows]
    out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        out[test] = predict(fit(x[train], y[train]), x[test])
    return out


def auroc(p: np.ndarray, y: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean confidence - share right| per equal-width bin, weighted by size."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / len(p) * abs(p[mask].mean() - y[mask].mean())
    return round(float(total), 4)


def rates(p: np.ndarray, rows: list[dict], threshold: float) -> dict:
    """At a threshold: share right, wrong (answered and not right) and refused, over all questions."""
    answered = np.asarray([r["answered"] for r in rows]) & (p >= threshold)
    right = answered & np.asarray([r["right"] for r in rows])
    n = max(len(rows), 1)
    return {"right": round(right.sum() / n, 4), "wrong": round((answered & ~right).sum() / n, 4),
            "refused": round((~answered).sum() / n, 4)}


def report(rows: list[dict], p: np.ndarray) -> dict:
    out = {}
    y_all = np.asarray([r["right"] for r in rows], dtype=int)
    for subset in ["all", *dict.fromkeys(r["subset"] for r in rows)]:
        idx = [i for i, r in enumerate(rows) if subset == "all" or r["subset"] == subset]
        if not idx:
            continue
        sub, ps, ys = [rows[i] for i in idx], p[idx], y_all[idx]
        out[subset] = {"questions": len(idx), "auroc": auroc(ps, ys), "ece": ece(ps, ys),
                       "at": {str(t): rates(ps, sub, t) for t in THRESHOLDS}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", default=str(DEFAULT_SQUAD) if DEFAULT_SQUAD.is_file() else None,
                        help="SQuAD v1.1 file (default ../shared/bench/...)")
    parser.add_argument("--questions", default=str(Path(__file__).resolve().parents[1] / "data" / "questions.jsonl"))
    parser.add_argument("--out", default=str(MODEL_FILE), help="where the fitted weights go (default qa/confidence.json)")
    parser.add_argument("--json", dest="json_out", help="also write the cross-validated report and rows here")
    args = parser.parse_args(argv)

    def command() -> int:
        from qa.settings import Settings

        with tempfile.TemporaryDirectory(prefix="articles-qa-calibrate-") as tmp:
            rows = gather(Path(args.squad) if args.squad else None, Path(args.questions), Path(tmp),
                          Settings.from_env())
        dev = [r for r in rows if r["subset"] != "questions heldout"]
        held = [r for r in rows if r["subset"] == "questions heldout"]
        p_dev = cross_validated(dev)
        model = fit(np.asarray([r["features"] for r in dev], dtype=float), np.asarray([r["right"] for r in dev]))
        p_held = predict(model, np.asarray([r["features"] for r in held], dtype=float)) if held else np.zeros(0)
        result = report(dev + held, np.concatenate([p_dev, p_held]))
        Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=1))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"report": result, "model": model, "rows": [
                {**r, "p": float(p)} for r, p in zip(dev + held, np.concatenate([p_dev, p_held]))]}, indent=1))
        return 0

    return run(command)


if __name__ == "__main__":
    sys.exit(main())
