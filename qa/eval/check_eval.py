"""The support check (`qa.check`) measured as a classifier of "supported" on labelled sentences.

    python -m qa.eval.check_eval [data/support.jsonl] [--data DIR] [--index DIR] [--errors]

A line: {"id", "sentence", "file", "paragraph", "label", "supported": bool, "split"?: "dev"|"heldout"}.
Each sentence is judged against the paragraph it names, with the real MiniLM embedder, as a
generated sentence citing that paragraph would be. Positives are the supported sentences
(labels "supported" and "paraphrase"); precision is the share of sentences the check keeps that
are supported, recall the share of supported ones it keeps. Reported on all lines and on the
held-out split alone, and per label. The held-out third is not blind: every line was read while
the rules were written (no rule names a word of a labelled sentence).
Without --index the index is built in a temporary folder (about half a minute on 2 cores).

Not handled: re-citing (each sentence meets only the paragraph its label names).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa.check import SupportChecker, previous_paragraph
from qa.errors import ArticlesQAError, InputFileError, read_input

POSITIVE_LABELS = ("supported", "paraphrase")


@dataclass(frozen=True)
class Judged:
    id: str
    label: str
    split: str
    gold: bool
    kept: bool
    why: str


@dataclass(frozen=True)
class Scores:
    n: int
    precision: float
    recall: float
    kept_by_label: dict[str, tuple[int, int]]  # label -> (kept, total)


_TYPES = {"sentence": (str, "text"), "file": (str, "a file name"), "paragraph": (int, "a paragraph number"),
          "supported": (bool, "true or false")}


def load(path: str | Path) -> list[dict]:
    """The labelled lines; InputFileError naming the first bad line (its number and what is wrong)."""
    rows = []
    for n, line in enumerate(read_input(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("a line must be a JSON object {...}")
            for key, (kind, what) in _TYPES.items():
                if key not in row:
                    raise ValueError(f'missing "{key}"')
                if not isinstance(row[key], kind) or (kind is int and (isinstance(row[key], bool) or row[key] < 1)):
                    raise ValueError(f'"{key}" must be {what}, not {json.dumps(row[key])[:40]}')
        except ValueError as e:
            raise InputFileError(f"{path}:{n}: not a labelled sentence ({e}); see `python -m qa.eval.check_eval -h`") from None
        rows.append(row)
    return rows


def judge_all(rows: list[dict], corpus, embedder) -> list[Judged]:
    before = previous_paragraph(corpus)
    out = []
    for row in rows:
        para = corpus.paragraph(row["file"], int(row["paragraph"]))
        if para is None:
            raise ArticlesQAError(f"{row['file']} ¶{row['paragraph']} (line {row.get('id')}) is not in the index; "
                                  f"check --data")
        verdict = SupportChecker([para], embedder, before).judge(row["sentence"], 0)
        out.append(Judged(str(row.get("id", "")), row.get("label", ""), row.get("split", ""),
                          bool(row["supported"]), verdict.supported, verdict.why))
    return out


def scores(judged: list[Judged]) -> Scores:
    kept = [j for j in judged if j.kept]
    positives = [j for j in judged if j.gold]
    by_label: dict[str, list[int]] = {}
    for j in judged:
        pair = by_label.setdefault(j.label, [0, 0])
        pair[0] += j.kept
        pair[1] += 1
    return Scores(
        n=len(judged),
        precision=round(sum(j.gold for j in kept) / len(kept), 3) if kept else 0.0,
        recall=round(sum(j.kept for j in positives) / len(positives), 3) if positives else 0.0,
        kept_by_label={k: (v[0], v[1]) for k, v in sorted(by_label.items())},
    )


def report(judged: list[Judged]) -> str:
    lines = ["| lines | n | precision | recall | " + " | ".join(
        f"{label} kept" for label in scores(judged).kept_by_label) + " |"]
    labels = list(scores(judged).kept_by_label)
    lines.append("|" + "---|" * (4 + len(labels)))
    for name, part in (("all", judged), ("held-out", [j for j in judged if j.split == "heldout"])):
        s = scores(part)
        cells = [f"{s.kept_by_label.get(label, (0, 0))[0]}/{s.kept_by_label.get(label, (0, 0))[1]}" for label in labels]
        lines.append(f"| {name} | {s.n} | {s.precision:.3f} | {s.recall:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.check_eval", description=__doc__.split("\n")[0])
    parser.add_argument("labels", nargs="?", default="data/support.jsonl")
    parser.add_argument("--data", help="articles folder (default data/articles)")
    parser.add_argument("--index", help="an index folder to build or reuse (default: a temporary one)")
    parser.add_argument("--errors", action="store_true", help="list every sentence judged wrongly, with why")
    parser.add_argument("--min", action="append", default=[], metavar="NAME=VALUE",
                        help="exit 1 when precision or recall (on all lines) falls below VALUE")
    args = parser.parse_args(argv)
    floors = {}
    for item in args.min:
        name, _, value = item.partition("=")
        if name not in ("precision", "recall"):
            parser.error(f"--min {item!r}: NAME is precision or recall")
        try:
            floors[name] = float(value)
        except ValueError:
            parser.error(f"--min {item!r}: VALUE must be a number")

    def body() -> int:
        from qa.pipeline import Pipeline
        from qa.settings import Settings

        rows = load(args.labels)
        with tempfile.TemporaryDirectory(prefix="articles-qa-check-") as tmp:
            settings = Settings.from_env(data_dir=args.data, index_dir=args.index or tmp)
            pipeline = Pipeline(settings)
            corpus = pipeline.load().corpus
            judged = judge_all(rows, corpus, pipeline.embedder)
        print(report(judged))
        if args.errors:
            for j in judged:
                if j.kept != j.gold:
                    print(f"{j.id} {j.label} ({j.split}): {'kept' if j.kept else 'rejected'} {j.why}")
        overall = scores(judged)
        below = [f"{name}={getattr(overall, name):.3f} < {floor}" for name, floor in floors.items()
                 if getattr(overall, name) < floor]
        for line in below:
            print(f"below floor: {line}", file=sys.stderr)
        return 1 if below else 0

    from qa.cli import run

    return run(body)


if __name__ == "__main__":
    sys.exit(main())
