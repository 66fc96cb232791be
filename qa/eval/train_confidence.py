"""Abstention by design: the confidence model over the reader's answers, fitted and reported per source.

    python -m qa.eval.train_confidence [--json REPORT] [--max-questions N] [--out qa/confidence.json]

Every question is asked through the real pipeline (hybrid retrieval over an index of its articles,
the shipped reader ranking the candidates) and answered by the extractive answerer with every tier
on; the answer is right when it holds a gold answer (never, for an unanswerable question). Its
signals (`qa.confidence.FEATURES`: the reader's logit against its null option and its margin over
the next sentence, the question's constraints met or not, retrieval) are the model's inputs.

Sources:
- fitted on (numbers cross-validated, 5 folds grouped by paragraph):
  - `train_tail`: questions of `../shared/train`'s SQuAD 2.0 articles the reader never read (its
    order from position `train_reader.CALIBRATION_FROM` on; real unanswerables among them);
  - `swapped`: some of those, a name or number of the question replaced by another of the same kind
    from the same article (SQuAD 2.0's recipe), as unanswerable;
  - `super_bowl_50` (`../shared/bench`, at most `PER_PARAGRAPH` questions a paragraph) and `news`
    (the dev lines of `data/questions.jsonl`);
- held out, reported only: `normans` (`../shared/bench`, SQuAD 2.0, 112 of 208 unanswerable) and
  `news heldout` (the held-out third of `data/questions.jsonl`).

The features kept are chosen by backward elimination on cross-validated AUROC over the fitted
sources; the report gives each signal's AUROC alone and the model's, per source, and the shares
right / wrong / refused at each threshold (`qa.eval.calibrate.report`).
Not handled: refitting per corpus.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from qa.eval.train import ROOT, SEED, SOURCES, per_paragraph

FITTED = ("train_tail", "swapped", "super_bowl_50", "news")
HELD_OUT = ("normans", "news heldout")
PER_PARAGRAPH = 6
SWAPPED = 300  # train-tail questions made unanswerable by a swap


@functools.lru_cache(maxsize=1)
def _unseen() -> frozenset[str]:
    """Ids of the train questions the reader never reads (its order from `CALIBRATION_FROM` on); read once
    for both sources that use them."""
    from qa.eval.train_reader import CALIBRATION_FROM, SEED as READER_SEED, load_questions, order

    return frozenset(q.id for q in order(load_questions(), READER_SEED)[CALIBRATION_FROM:])


def _tail_file(workdir: Path, limit: int) -> tuple[Path, list]:
    """A SQuAD file of the train questions the reader never read (its SQuAD 2.0 articles only), and
    those questions (`qa.eval.train.Question`)."""
    from qa.eval.train_reader import TRAIN

    unseen = _unseen()
    path = TRAIN / "squad-v2.0-train-10-articles.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    kept = []
    for article in data["data"]:
        for p in article["paragraphs"]:
            p["qas"] = [qa for qa in p["qas"] if qa["id"] in unseen]
            kept += [qa["id"] for qa in p["qas"]]
    chosen = set(random.Random(SEED).sample(kept, min(limit, len(kept))) if limit else kept)
    for article in data["data"]:
        for p in article["paragraphs"]:
            p["qas"] = [qa for qa in p["qas"] if qa["id"] in chosen]
    out = workdir / "train-tail.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    from qa.eval.train import load_squad

    return out, [q for q in load_squad(out, "train_tail")]


def cases(source: str, workdir: Path, limit: int) -> tuple[Path, list]:
    """The articles folder and the questions (`qa.eval.evaluate.Case`) of one source."""
    from qa.eval.evaluate import load_questions, squad_corpus
    from qa.eval.train import load, swapped

    data = workdir / source.replace(" ", "-")
    if source.startswith("news"):
        shutil.copytree(ROOT / "data" / "articles", data, dirs_exist_ok=True)
        split = "heldout" if source == "news heldout" else "dev"
        return data, [c for c in load_questions(SOURCES["news"])[0] if c.split == split and not c.history]
    if source in ("train_tail", "swapped"):
        path, questions = _tail_file(workdir, limit)
        found = squad_corpus(path, data)
        if source == "train_tail":
            return data, found
        rng = random.Random(SEED)
        by_id = {c.id: c for c in found}
        out = []
        answerable = [q for q in questions if not q.unanswerable]
        for q in rng.sample(answerable, min(SWAPPED, len(answerable))):
            fake = swapped(q, rng)
            if fake and q.id in by_id:
                out.append(dataclasses.replace(by_id[q.id], id=q.id + ":swapped", question=fake, answers=[],
                                               sources=[], unanswerable=True, type="swapped"))
        return data, out
    found = squad_corpus(SOURCES[source], data)
    if source == "super_bowl_50":
        keep = {q.id for q in per_paragraph(load(source), PER_PARAGRAPH)}
        found = [c for c in found if c.id in keep]
    if limit:
        found = random.Random(SEED).sample(found, min(limit, len(found)))
    return data, found


def gather(sources: tuple[str, ...], workdir: Path, *, limit: int = 0, log=print, extra=None) -> list[dict]:
    """One row per question: its source, paragraph group, whether it was answered (a candidate
    existed), unanswerable, right, and its signals in `qa.confidence.FEATURES` order; `extra(case, answer)`,
    when given, adds its own columns (`qa.eval.abstention_trial`)."""
    from ingest import ingest
    from ingest.embedding import load_embedder
    from qa.compose import ExtractiveAnswerer
    from qa.confidence import FEATURES
    from qa.eval.evaluate import contains_gold
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    embedder = load_embedder(Settings())
    answerer = ExtractiveAnswerer(Settings(min_confidence=0.0, min_tentative=0.0))
    rows = []
    for source in sources:
        data, questions = cases(source, workdir, limit)
        settings = Settings.from_env(data_dir=data, index_dir=workdir / f"{data.name}-index")
        ingest(settings=settings, embedder=embedder, progress=False)
        pipeline = Pipeline(settings, embedder=embedder, answerer=answerer)
        for case in questions:
            answer = answerer.answer(pipeline.evidence(case.question))
            text = re.sub(r"\s*\[\d+\]", "", answer.text)
            right = bool(answer.answered and not case.unanswerable
                         and contains_gold(text, case.answers, case.answers_all))
            group = f"{source}:{case.sources[0][0]}:{case.sources[0][1]}" if case.sources else f"{source}:{case.id}"
            rows.append({"id": case.id, "subset": source, "group": group.replace(":swapped", ""),
                         "answered": answer.answered, "unanswerable": case.unanswerable, "right": right,
                         "features": [answer.signals.get(f, 0.0) for f in FEATURES],
                         **(extra(case, answer) if extra else {})})
        n = [r for r in rows if r["subset"] == source]
        log(f"{source}: {len(n)} questions, {sum(r['unanswerable'] for r in n)} unanswerable, "
            f"top answer right for {sum(r['right'] for r in n)}")
    return rows


SIGN = {"missing": -1.0}  # the direction each signal may move the confidence; the others: up


def eliminate(rows: list[dict], features: tuple[str, ...], log=print) -> tuple[str, ...]:
    """The signals kept: first those whose weight takes the wrong direction are dropped one by one (a
    confidence that falls as the topic words are found is an artefact of correlated signals, not
    something to ship; the worst first), then backward elimination on cross-validated AUROC (right vs
    not, over answered rows): a signal is dropped while dropping it lowers the AUROC by under 0.002."""
    from qa.eval import calibrate

    x = np.asarray([r["features"] for r in rows], dtype=float)
    y = np.asarray([r["right"] for r in rows])
    kept = tuple(features)
    while len(kept) > 1:
        model = calibrate.fit(x, y, kept)
        wrong = {f: w * SIGN.get(f, 1.0) for f, w in zip(model["features"], model["coef"]) if w * SIGN.get(f, 1.0) < 0}
        if not wrong:
            break
        drop = min(wrong, key=wrong.get)
        log(f"drop {drop}: its weight {model['coef'][model['features'].index(drop)]:+.3f} takes the wrong direction")
        kept = tuple(k for k in kept if k != drop)
    best = calibrate.cv_auroc(rows, kept)
    while len(kept) > 1:
        trials = {f: calibrate.cv_auroc(rows, tuple(k for k in kept if k != f)) for f in kept}
        drop, score = max(trials.items(), key=lambda kv: kv[1])
        if score < best - 0.002:
            break
        log(f"drop {drop}: cross-validated AUROC {best:.4f} -> {score:.4f}")
        kept, best = tuple(k for k in kept if k != drop), max(best, score)
    return kept


def main(argv: list[str] | None = None) -> int:
    from qa.confidence import FEATURES, MODEL_FILE
    from qa.eval import calibrate
    from qa.eval.evaluate import auroc

    parser = argparse.ArgumentParser(prog="python -m qa.eval.train_confidence", description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-questions", type=int, default=0, help="per source (a quick run; 0: all)")
    parser.add_argument("--out", default=str(MODEL_FILE), help="where the confidence model goes")
    parser.add_argument("--rows", help="reuse the rows of an earlier run (its --json) instead of asking again")
    parser.add_argument("--json", dest="json_out", help="also write the report and rows here")
    parser.add_argument("--card", default=str(ROOT / "qa" / "models" / "reader" / "reader.json"),
                        help="the reader's card, where the held-out numbers are written ('' : none)")
    args = parser.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if args.rows:
        rows = json.loads(Path(args.rows).read_text(encoding="utf-8"))["rows"]
    else:
        with tempfile.TemporaryDirectory(prefix="articles-qa-confidence-") as tmp:
            rows = gather(FITTED + HELD_OUT, Path(tmp), limit=args.max_questions, log=log)
    fitted = [r for r in rows if r["subset"] in FITTED and r["answered"]]
    report: dict = {"signals alone (AUROC of right vs not, answered rows; answerable vs unanswerable, all rows)": {}}
    for i, f in enumerate(FEATURES):
        report["signals alone (AUROC of right vs not, answered rows; answerable vs unanswerable, all rows)"][f] = {
            s: [_round(auroc([r["features"][i] for r in rows if r["subset"] == s and r["answered"]],
                             [r["right"] for r in rows if r["subset"] == s and r["answered"]])),
                _round(auroc([r["features"][i] if r["answered"] else -1e9 for r in rows if r["subset"] == s],
                             [not r["unanswerable"] for r in rows if r["subset"] == s]))]
            for s in dict.fromkeys(r["subset"] for r in rows)}
    kept = eliminate(fitted, FEATURES, log=log)
    model = calibrate.fit(np.asarray([r["features"] for r in fitted], dtype=float),
                          np.asarray([r["right"] for r in fitted]), kept)
    p = np.zeros(len(rows))
    fit_idx = [i for i, r in enumerate(rows) if r["subset"] in FITTED and r["answered"]]
    p[fit_idx] = calibrate.cross_validated([rows[i] for i in fit_idx], kept)
    held_idx = [i for i, r in enumerate(rows) if r["subset"] in HELD_OUT and r["answered"]]
    if held_idx:
        p[held_idx] = calibrate.predict(model, np.asarray([rows[i]["features"] for i in held_idx], dtype=float))
    model["fitted_on"] = {s: sum(r["subset"] == s for r in fitted) for s in FITTED}
    report["kept"] = list(kept)
    report["model"] = model
    report["end to end (fitted sources cross-validated; held-out sources never fitted)"] = calibrate.report(rows, p)
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    from qa.confidence import file_sha256

    log(f"wrote {args.out}; its pin (qa.confidence.MODEL_SHA256 when it is the shipped file): {file_sha256(args.out)}")
    if args.card:  # the reader's card carries its held-out numbers at the shipped thresholds
        from qa.settings import Settings

        card_file = Path(args.card)
        card = json.loads(card_file.read_text(encoding="utf-8"))
        at = Settings()
        ends = report["end to end (fitted sources cross-validated; held-out sources never fitted)"]
        card["held_out"] = {s: {"questions": ends[s]["questions"],
                                "answerable_vs_unanswerable_auroc": ends[s]["answerable_vs_unanswerable_auroc"],
                                "right_vs_wrong_auroc": ends[s]["auroc"],
                                f"at min_confidence {at.min_confidence}": calibrate.rates(
                                    p[[i for i, r in enumerate(rows) if r["subset"] == s]],
                                    [r for r in rows if r["subset"] == s], at.min_confidence)}
                            for s in HELD_OUT if s in ends}
        card_file.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"report": report, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    return 0


def _round(x):
    return None if x is None else round(x, 4)


if __name__ == "__main__":
    sys.exit(main())
