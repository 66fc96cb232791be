"""A candidate abstention signal, measured before it may join the confidence model: MiniLM cosine.

    python -m qa.eval.abstention_trial [--limit 300] [--json OUT]

SQuAD 2.0's unanswerable questions come with a plausible sentence, and the experiment that opened
issue 23 found plain MiniLM cosine (question against the best sentence of the whole article) a
better separator of answerable from unanswerable questions (AUROC 0.66) than a cross-encoder's
score (0.54). This measures whether it adds anything to the shipped answerer. Each question is
asked through the real pipeline, with every tier on, as `qa.eval.train_confidence` asks it. The
signals come from the answer: its confidence, the reader's logit, and the cosine of the question's
MiniLM vector with the first quote's vector (`cos`) and with its whole paragraph's (`cos_paragraph`).

For each signal, alone, it reports the AUROC of answerable against unanswerable questions (all
rows; an unanswered question ranks lowest) and of right against not right (answered rows).
A logistic model of the confidence's logit plus the cosines is fitted on `train_tail` and
`swapped` (`qa.eval.train_confidence`'s sources: train questions the reader never read) and
shown on Normans (held out, never fitted).

Each source is capped at `--limit` questions (Normans has 208, all of them asked at the default 300).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

SIGNALS = ("confidence", "reader", "cos", "cos_paragraph")


def gather(limit: int, log=print) -> list[dict]:
    """`qa.eval.train_confidence.gather`'s rows (Normans, the train tail and swapped questions, at most `limit`
    of each), with the answer's confidence and the two cosines added."""
    from ingest.embedding import load_embedder
    from qa.eval.train_confidence import gather as ask_all
    from qa.settings import Settings

    embedder = load_embedder(Settings())  # the one the pipeline embeds with (cached)
    unit = lambda v: np.asarray(v, dtype=np.float64) / (np.linalg.norm(v) or 1.0)  # noqa: E731

    def signals(case, answer) -> dict:
        row = {"confidence": answer.confidence, "reader": answer.signals.get("reader", 0.0),
               "cos": -1.0, "cos_paragraph": -1.0}
        if answer.answered and answer.citations:
            q = unit(embedder.get_query_embedding(case.question))
            row["cos"] = float(q @ unit(embedder.get_text_embedding(answer.citations[0].quote)))
            row["cos_paragraph"] = float(q @ unit(embedder.get_text_embedding(answer.citations[0].text)))
        return row

    with tempfile.TemporaryDirectory(prefix="articles-qa-trial-") as tmp:
        return ask_all(("normans", "train_tail", "swapped"), Path(tmp), limit=limit, log=log, extra=signals)


def report(rows: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression

    from qa.eval.evaluate import auroc

    def measures(subset: list[dict], score) -> dict:
        answered = [r for r in subset if r["answered"]]
        return {"answerable_vs_unanswerable": round(auroc([score(r) if r["answered"] else -1e9 for r in subset],
                                                          [not r["unanswerable"] for r in subset]), 3),
                "right_vs_not": round(auroc([score(r) for r in answered], [r["right"] for r in answered]), 3)}

    logit = lambda p: math.log(min(max(p, 1e-4), 1 - 1e-4) / (1 - min(max(p, 1e-4), 1 - 1e-4)))  # noqa: E731
    groups = {"normans": [r for r in rows if r["subset"] == "normans"],
              "train_tail+swapped": [r for r in rows if r["subset"] != "normans"]}
    out: dict = {"questions": {k: len(v) for k, v in groups.items()},
                 "alone": {s: {g: measures(R, lambda r, s=s: r[s]) for g, R in groups.items()} for s in SIGNALS}}
    fitted = [r for r in groups["train_tail+swapped"] if r["answered"]]
    for extra in ((), ("cos",), ("cos", "cos_paragraph")):
        features = lambda r, extra=extra: [logit(r["confidence"])] + [r[e] for e in extra]  # noqa: E731
        model = LogisticRegression().fit([features(r) for r in fitted], [r["right"] for r in fitted])
        name = " + ".join(("confidence",) + extra)
        out.setdefault("combined, fitted on train_tail+swapped, shown on Normans", {})[name] = {
            **measures(groups["normans"], lambda r: float(model.decision_function([features(r)])[0])),
            "weights": [round(w, 3) for w in model.coef_[0]]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.abstention_trial", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="questions per source, at most")
    parser.add_argument("--json", help="write the rows and the report here")
    args = parser.parse_args(argv)
    rows = gather(args.limit, log=lambda m: print(m, file=sys.stderr, flush=True))
    result = report(rows)
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({"report": result, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
