"""Score answers and citations against a file of test questions, conversations or a RAG dataset.

    python -m qa.eval.evaluate [FILE] [--squad FILE [--remove-gold [only|both]]] [--split dev|heldout|all]
                          [--data DIR --index DIR] [--compare] [--json OUT] [--report OUT.md]
                          [--plot OUT.png] [--min NAME=VALUE ...] [--max NAME=VALUE ...]

FILE is read by its content:
- questions (JSONL, the default data/questions.jsonl), one per line: {"id", "question",
  "history"?: [{"role", "content"}], "answers"?: [str], "answers_all"?: bool,
  "sources"?: [{"file", "paragraph"}], "unanswerable"?: bool, "type"?: str, "split"?: "dev"|"heldout"};
- conversations (JSONL lines with "turns"): {"id", "split"?, "turns": [{"question", "answers"?,
  "answers_all"?, "sources"?, "unanswerable"?, "type"?, "about"?: the person a follow-up is about}]}; each turn is asked with the chat so far,
  the system's own earlier answers included ({"role": "assistant", "content": answer.text}), as the
  chat page does, and metrics are reported overall and by turn position (turn 1, 2, 3, 4+);
- a LlamaIndex LabelledRagDataset (JSON with "examples": [{"query", "reference_answer",
  "reference_contexts"}]): retrieval is scored against the reference contexts by text overlap
  (a retrieved paragraph matches a context when the context's normalised tokens are at least 80%
  contained in it, or their token F1 is at least 0.8), answers against the reference answer.

Every line is checked strictly; a malformed line (a gold source naming a file or paragraph that
is not in the index, a wrong type such as "unanswerable": "false" or paragraph 2.9, a history
that is not a list of messages, a duplicate id, an unknown split or field) is reported as
FILE:LINE with what to change, the rest still runs, and the exit code is 1.

`--squad FILE` makes SQuAD's articles the corpus. `--remove-gold` splits each article's
paragraphs into 5 folds by index (paragraph i goes to fold i mod 5) and asks each fold's
questions against an index of the article without that fold's paragraphs (order kept); an answer
there is right only if it contains a gold answer (from another paragraph). `--remove-gold both`
also runs the whole article and reports the two groups side by side.

Metric definitions ("answerable" = questions with gold answers or sources):
- right: the answer contains a gold answer as whole words (every item for "answers_all"; after
  SQuAD's normalisation, or with punctuation read as a space: "Manning" is in "Manning's", "gold"
  is not in "golden"); questions with sources but no answers: the first citation is a gold paragraph;
  conversation turns: contains an accepted phrase AND cites a gold paragraph. An answer to an
  unanswerable question is never right. For a refusal, `right` says whether its candidate (the
  first closest passage's quote) would have been right: the label the confidence is about.
- right_answer_rate / wrong_answer_rate / refused_rate: over answerable questions, the shares
  answered and right / answered and not right / refused (they sum to 1).
- answered_unanswerable_rate: over unanswerable questions, the share answered (1 - refusal_accuracy).
- confidence_auroc: AUROC of Answer.confidence separating right from wrong, over the answered
  questions and the refusals that had a candidate (a closest passage and confidence signals),
  unanswerable ones included (their label is wrong); None when either class is missing.
- expected_calibration_error: the same rows in 10 equal-width confidence bins; the mean over bins,
  weighted by their share of rows, of |share right - mean confidence|.
- risk-coverage (--plot): as the threshold moves down those rows' confidences, coverage = share at
  or above it, risk = share of them that are wrong. The reliability diagram shows the same bins.
- unanswerable_refused (conversations): the share of unanswerable follow-ups (turn 2 on) refused.
- follow_up_names_person (conversations): over follow-ups (turn 2 on) labelled with the person they
  are about (a turn's "about": "Yuri Ushakov"), the share whose standalone question (Answer.query)
  names that person by surname: how often the chat was followed to the right person.
- generated_kept / _recited / _removed: from Answer.checked, the shares of all generated sentences
  kept as written, re-cited to another source, removed.

Not handled: partial credit for a neighbouring paragraph (a miss is a miss); answers in languages
other than English (normalisation is SQuAD's English one); reference contexts that span several
paragraphs (no single paragraph matches them); the candidate of a refusal is its best passage,
not the full answer it would have composed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from qa.cli import add_common_arguments, settings_from
from qa.errors import ArticlesQAError, read_input
# The parts of the evaluation (issue 24): reading inputs, scoring, asking, reporting. The names other modules
# and the tests use are imported here too, so `qa.eval.evaluate.<name>` stays the one entry point.
from qa.eval.loaders import (SPLITS, TURN_GROUPS, Case, load_file, load_questions, load_rag_dataset,  # noqa: F401
                             remove_gold_folds, squad_corpus)
from qa.eval.metrics import (METRICS, auroc, contains_gold, expected_calibration_error, f1, metrics,  # noqa: F401
                             overlap, reliability, risk_coverage, score, tier_risk_coverage)
from qa.eval.reports import plot, report, table  # noqa: F401
from qa.eval.runners import _grouped, evaluate, evaluate_conversations, evaluate_rag  # noqa: F401


def _bounds(parser: argparse.ArgumentParser, items: list[str], flag: str) -> dict[str, float]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            parser.error(f"{flag} {item!r}: expected NAME=NUMBER, e.g. {flag} wrong_answer_rate=0.1")
        if name not in METRICS:
            parser.error(f"{flag} {item!r}: no metric {name!r}; the metrics are {', '.join(METRICS)}")
    return out


def _out_of_bounds(overall: dict, floors: dict[str, float], ceilings: dict[str, float]) -> list[str]:
    out = []
    for bounds, bad, sign in ((floors, lambda x, v: x < v, "<"), (ceilings, lambda x, v: x > v, ">")):
        for name, v in bounds.items():
            x = overall.get(name)
            if x is None:
                out.append(f"{name} was not measured (no questions it applies to), bound {v}")
            elif bad(x, v):
                out.append(f"{name}={x} {sign} {v}")
    return out


def main(argv: list[str] | None = None, *, make_pipeline=None) -> int:
    """`make_pipeline(settings)` builds the pipeline to score (default: qa.pipeline.Pipeline)."""
    parser = argparse.ArgumentParser(prog="python -m qa.eval.evaluate", description=__doc__.split("\n\n")[0],
                                     epilog="metrics: " + ", ".join(METRICS))
    parser.add_argument("questions", nargs="?", help="questions or conversations (JSONL), or a LabelledRagDataset "
                                                     "(JSON); default data/questions.jsonl")
    parser.add_argument("--squad", help="a SQuAD v1.1 JSON file: its articles become the corpus")
    parser.add_argument("--remove-gold", nargs="?", const="only", choices=("only", "both"),
                        help="with --squad: ask each fold's questions without their gold paragraphs (5 folds); "
                             "'both' also runs the whole articles, side by side")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all",
                        help="only the questions or conversations of this split (lines without one are dev); default all")
    add_common_arguments(parser)
    parser.add_argument("--json", dest="json_out", help="write metrics and one row per question here")
    parser.add_argument("--report", help="write a Markdown report (table and every failure) here")
    parser.add_argument("--plot", help="write hit@k, latency, the reliability diagram and the risk-coverage "
                                       "curve here (PNG)")
    parser.add_argument("--compare", action="store_true",
                        help="also run a plain llama-index pipeline (dense top-5, first paragraph cited) and print it beside ours")
    parser.add_argument("--min", action="append", default=[], metavar="NAME=VALUE",
                        help="exit non-zero when overall metric NAME falls below VALUE (repeatable)")
    parser.add_argument("--max", action="append", default=[], metavar="NAME=VALUE",
                        help="exit non-zero when overall metric NAME rises above VALUE (repeatable), "
                             "for metrics where lower is better, e.g. wrong_answer_rate")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    floors, ceilings = _bounds(parser, args.min, "--min"), _bounds(parser, args.max, "--max")
    if args.remove_gold and not args.squad:
        parser.error("--remove-gold works on a SQuAD file: add --squad FILE")
    if args.compare and args.remove_gold:
        parser.error("--compare does not run with --remove-gold; run the whole articles with --compare")
    if make_pipeline is None:
        from qa.pipeline import Pipeline as make_pipeline
    try:
        settings = settings_from(args)
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    progress = not args.quiet
    errors: list[str] = []
    result, rows, baseline = {}, [], None
    with tempfile.TemporaryDirectory(prefix="articles-qa-eval-") as tmp:
        try:
            if args.squad:
                runs = []
                if args.remove_gold != "only":
                    whole = settings.replace(data_dir=Path(tmp) / "articles",
                                             index_dir=Path(args.index) if args.index else Path(tmp) / "index")
                    runs.append(("whole article", whole, squad_corpus(args.squad, Path(whole.data_dir))))
                if args.remove_gold:
                    for n, (data_dir, cases) in enumerate(remove_gold_folds(args.squad, Path(tmp) / "folds"), 1):
                        runs.append(("gold removed", settings.replace(data_dir=data_dir, index_dir=data_dir.parent / "index"),
                                     cases))
                groups: dict[str, list[dict]] = {}
                for group, run_settings, cases in runs:
                    pipeline = make_pipeline(run_settings)
                    _, run_rows = evaluate(cases, pipeline, progress=progress)
                    groups.setdefault(group, []).extend(run_rows)
                    if args.compare:
                        from qa.eval.baseline import PlainPipeline

                        baseline, _ = evaluate(cases, PlainPipeline(run_settings), progress=progress)
                rows = [r for group_rows in groups.values() for r in group_rows]
                result = _grouped(rows) if len(groups) == 1 else {"overall": metrics(rows), **{
                    g: metrics(r) for g, r in groups.items()}}
            else:
                path = args.questions or str(Path(__file__).resolve().parents[2] / "data" / "questions.jsonl")
                pipeline = make_pipeline(settings)
                text = read_input(path)  # InputFileError: one line, exit 2
                rag = text.lstrip().startswith("{") and _is_rag(text)
                if args.compare and (rag or '"turns"' in text):
                    parser.error("--compare runs on single questions (a question file or --squad), "
                                 "not on conversations or a LabelledRagDataset")
                if rag:
                    examples, errors = load_rag_dataset(path)
                    result, rows = evaluate_rag(examples, pipeline, progress=progress)
                else:
                    pipeline.load()
                    loaded = load_file(path, pipeline.articles())
                    errors = loaded.errors
                    keep = (lambda x: True) if args.split == "all" else (lambda x: x.split == args.split)
                    if loaded.conversations:
                        result, rows = evaluate_conversations([c for c in loaded.conversations if keep(c)],
                                                              pipeline, progress=progress)
                    else:
                        cases = [c for c in loaded.cases if keep(c)]
                        result, rows = evaluate(cases, pipeline, progress=progress)
                        if args.compare:
                            from qa.eval.baseline import PlainPipeline

                            baseline, _ = evaluate(cases, PlainPipeline(settings), progress=progress)
        except ArticlesQAError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    for e in errors:
        print(f"skipped {e}", file=sys.stderr)
    print(table(result))
    if baseline:
        print("\nSide by side (overall):\n")
        print(table({"articles-qa": result["overall"], "llama-index baseline": baseline["overall"]}))
        result["baseline"] = baseline["overall"]
    if args.plot:
        plot(result, rows, args.plot)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"metrics": result, "rows": rows, "errors": errors}, indent=1,
                                                  ensure_ascii=False), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(report(result, rows), encoding="utf-8")
    failed = _out_of_bounds(result["overall"], floors, ceilings)
    for f in failed:
        print(f"out of bounds: {f}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} malformed entr{'y was' if len(errors) == 1 else 'ies were'} skipped; "
              "fix them (messages above) for a full run", file=sys.stderr)
    return 1 if failed or errors else 0


def _is_rag(text: str) -> bool:
    """A LabelledRagDataset: one JSON object with "examples" (not a JSONL file of questions)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "examples" in data


if __name__ == "__main__":
    sys.exit(main())
