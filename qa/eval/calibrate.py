"""Fit the confidence model (`qa/confidence.json`) and report how well it is calibrated.

    python -m qa.eval.calibrate --scorer normans=DIR --scorer super_bowl_50=DIR [--news-scorer DIR]
                                [--out qa/confidence.json] [--json OUT]

Honest inputs: every SQuAD source is answered by a scorer trained without it (`python -m qa.eval.train
--holdout SOURCE --out DIR`, given here as `--scorer SOURCE=DIR`), so the answer scorer's logits are
what it gives on questions it never saw. Every question is asked with every tier turned on
(min_confidence 0), and its answer is labelled right when it contains a gold answer (never, for an
unanswerable one). Sets per source: the article whole, and the article without each question's gold
paragraph (5 folds of paragraphs, each fold's questions asked of the article without that fold: an
answer is right only if another paragraph holds it). Our own questions (`data/questions.jsonl`) are
asked with `--news-scorer` (the shipped scorer, which saw the "dev" lines: those rows are reported,
never fitted on); the "heldout" lines are reported apart.

Questions with no candidate sentence are refused whatever the model says: they are left out of
fitting and of AUROC and calibration, and count as refused. Reported numbers are cross-validated:
5 folds grouped by paragraph, each scored by a model fitted on the other four. The weights written are
then fitted on all SQuAD rows: scikit-learn's LogisticRegression over standardised
`qa.confidence.FEATURES` (Platt scaling of the scorer's logit with a few more signals).

Not handled: refitting per corpus (the weights are fitted once, on encyclopaedic and news prose).
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

ROOT = Path(__file__).resolve().parents[2]

FOLDS = 5
THRESHOLDS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
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
                     "unanswerable": case.unanswerable,
                     "right": right, "features": [answer.signals.get(f, 0.0) for f in FEATURES]})
    return rows


def _paragraph_of(squad: Path) -> dict[str, str]:
    """Question id -> its paragraph, answerable or not (the folds are grouped by paragraph)."""
    data = json.loads(Path(squad).read_text(encoding="utf-8"))
    return {qa["id"]: f"{squad.stem}:{i}" for a in data["data"] for i, p in enumerate(a["paragraphs"])
            for qa in p["qas"]}


def gather(scorers: dict[str, Path], news_scorer: Path | None, workdir: Path, settings) -> list[dict]:
    from ingest import ingest
    from ingest.embedding import load_embedder
    from qa.eval.evaluate import load_questions, remove_gold_folds, squad_corpus
    from qa.eval.train import SOURCES
    from qa.pipeline import Pipeline
    from qa.score import CrossEncoderScorer

    settings = settings.replace(min_confidence=0.0, min_tentative=0.0)
    embedder = load_embedder(settings)
    rows: list[dict] = []
    for source, scorer_dir in scorers.items():
        squad, scorer = SOURCES[source], CrossEncoderScorer(scorer_dir)
        paragraph_of = _paragraph_of(squad)

        def asked(data: Path, index: Path, cases, subset: str) -> list[dict]:
            s = settings.replace(data_dir=data, index_dir=index)
            ingest(settings=s, embedder=embedder, progress=False)
            return collect(Pipeline(s, embedder=embedder, scorer=scorer), cases,
                           group_of=lambda c: paragraph_of[c.id], subset=subset)

        rows += asked(workdir / source, workdir / f"{source}-index", squad_corpus(squad, workdir / source),
                      f"{source} whole")
        for k, (fold_data, fold_cases) in enumerate(remove_gold_folds(squad, workdir / f"{source}-folds", folds=FOLDS)):
            rows += asked(fold_data, workdir / f"{source}-fold-index-{k}", fold_cases, f"{source} gold removed")
    if news_scorer:
        cases, errors = load_questions(ROOT / "data" / "questions.jsonl")
        for e in errors:
            print(f"skipped {e}", file=sys.stderr)
        pipeline = Pipeline(settings.replace(index_dir=workdir / "questions-index"), embedder=embedder,
                            scorer=CrossEncoderScorer(news_scorer))
        for split in ("dev", "heldout"):
            rows += collect(pipeline, [c for c in cases if c.split == split], subset=f"news {split}",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scorer", action="append", default=[], metavar="SOURCE=DIR",
                        help="a SQuAD source and the scorer trained without it (normans, super_bowl_50)")
    parser.add_argument("--news-scorer", help="the scorer for our own questions (default: the shipped one)")
    parser.add_argument("--out", default=str(MODEL_FILE), help="where the fitted weights go (default qa/confidence.json)")
    parser.add_argument("--json", dest="json_out", help="also write the cross-validated report and rows here")
    args = parser.parse_args(argv)
    from qa.eval.train import SOURCES
    from qa.score import MODEL_DIR

    scorers = {}
    for item in args.scorer:
        source, _, folder = item.partition("=")
        if source not in SOURCES or source == "news" or not folder:
            parser.error(f"--scorer {item!r}: expected normans=DIR or super_bowl_50=DIR")
        scorers[source] = Path(folder)
    if not scorers:
        parser.error("give at least one --scorer SOURCE=DIR (a scorer trained with --holdout SOURCE)")

    def command() -> int:
        from qa.settings import Settings

        with tempfile.TemporaryDirectory(prefix="articles-qa-calibrate-") as tmp:
            rows = gather(scorers, Path(args.news_scorer or MODEL_DIR), Path(tmp), Settings.from_env())
        fitted_on = [r for r in rows if not r["subset"].startswith("news")]
        fitted = [r for r in fitted_on if r["answered"]]
        model = fit(np.asarray([r["features"] for r in fitted], dtype=float), np.asarray([r["right"] for r in fitted]))
        news = [r for r in rows if r["subset"].startswith("news")]
        p = np.zeros(len(fitted_on) + len(news))
        p[[i for i, r in enumerate(fitted_on) if r["answered"]]] = cross_validated(fitted)
        scored = [i for i, r in enumerate(news, len(fitted_on)) if r["answered"]]
        if scored:
            p[scored] = predict(model, np.asarray([news[i - len(fitted_on)]["features"] for i in scored], dtype=float))
        result = report(fitted_on + news, p)
        Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=1))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"report": result, "model": model, "rows": [
                {**r, "p": float(pr)} for r, pr in zip(fitted_on + news, p)]}, indent=1))
        return 0

    return run(command)


if __name__ == "__main__":
    sys.exit(main())
