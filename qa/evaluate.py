"""Score answers and citations against a file of test questions.

    python -m qa.evaluate [QUESTIONS.jsonl] [--squad FILE] [--data DIR --index DIR] [--compare]
                          [--json OUT] [--report OUT.md] [--plot OUT.png] [--min NAME=VALUE ...]

A question line: {"id", "question", "history"?: [messages], "answers"?: [str],
"sources"?: [{"file", "paragraph"}], "unanswerable"?: true, "type"?: str}.
A gold source that is wrong shows as a miss, so the script can fail (`--min`).

Not handled: partial credit for a neighbouring paragraph (a miss is a miss), and
answers in languages other than English (normalisation is SQuAD's English one).
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import string
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.cli import add_common_arguments, settings_from
from qa.errors import ArticlesQAError

K_MAX = 10


@dataclass
class Case:
    id: str
    question: str
    history: list = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    unanswerable: bool = False
    type: str = ""


def load_questions(path: str | Path) -> tuple[list[Case], list[str]]:
    """Cases, and one error line per malformed line (the rest still run)."""
    cases, errors = [], []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("a line must be a JSON object")
            if not isinstance(row.get("question"), str) or not row["question"].strip():
                raise ValueError('"question" must be a non-empty string')
            sources = [(s["file"], int(s["paragraph"])) for s in row.get("sources", [])]
            answers = row.get("answers", [])
            if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
                raise ValueError('"answers" must be a list of strings')
            unanswerable = bool(row.get("unanswerable", False))
            if unanswerable and (answers or sources):
                raise ValueError('an "unanswerable" question cannot have "answers" or "sources"')
            cases.append(Case(str(row.get("id", f"line{n}")), row["question"], row.get("history") or [],
                              answers, sources, unanswerable, row.get("type", "")))
        except (ValueError, KeyError, TypeError) as e:
            errors.append(f"{path}:{n}: {e}")
    return cases, errors


def squad_corpus(squad_file: str | Path, data_dir: Path) -> list[Case]:
    """Write each SQuAD article as one file (contexts as paragraphs) and return its questions."""
    data = json.loads(Path(squad_file).read_text(encoding="utf-8"))
    data_dir.mkdir(parents=True, exist_ok=True)
    cases = []
    for article in data["data"]:
        name = re.sub(r"[^\w.-]+", "_", article["title"]) + ".txt"
        contexts = [" ".join(p["context"].split()) for p in article["paragraphs"]]
        (data_dir / name).write_text("\n\n".join(contexts) + "\n", encoding="utf-8")
        for number, p in enumerate(article["paragraphs"], 1):
            for qa in p["qas"]:
                cases.append(Case(qa["id"], qa["question"], [], [a["text"] for a in qa["answers"]],
                                  [(name, number)], False, "single fact"))
    return cases


# -- SQuAD answer normalisation (Rajpurkar et al., 2016) -------------------------
def normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = "".join(ch for ch in text if ch not in set(string.punctuation) | {"“", "”", "—", "–"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def f1(prediction: str, gold: str) -> float:
    p, g = normalize(prediction).split(), normalize(gold).split()
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


_MARKER = re.compile(r"\s*\[\d+\]")


def case_type(case: Case) -> str:
    if case.type:
        return case.type
    if case.unanswerable:
        return "unanswerable"
    if case.history:
        return "follow-up"
    if len({f for f, _ in case.sources}) > 1:
        return "multi-article"
    return "single fact"


def score(case: Case, answer, latency_ms: float) -> dict:
    gold = set(case.sources)
    ranked = [(r.file, r.paragraph) for r in answer.retrieved]
    cited = [(c.file, c.paragraph) for c in answer.citations]
    first_gold = next((i for i, loc in enumerate(ranked) if loc in gold), None)
    sentences = [s for s in re.split(r"\s*\[\d+\]\s*", answer.text) if s.strip()]
    plain = _MARKER.sub("", answer.text)
    row = {
        "id": case.id, "type": case_type(case), "question": case.question,
        "answer": answer.text, "answered": answer.answered,
        "cited": [f"{f} ¶{p}" for f, p in cited], "expected_sources": [f"{f} ¶{p}" for f, p in case.sources],
        "expected_answers": case.answers, "unanswerable": case.unanswerable,
        "latency_ms": round(latency_ms, 2), "words": len(plain.split()) if answer.answered else 0,
        "rank_of_gold": None if first_gold is None else first_gold + 1,
    }
    if case.unanswerable:
        row["hit"] = not answer.answered
        return row
    if gold:
        row["hit@k"] = [first_gold is not None and first_gold < k for k in range(1, K_MAX + 1)]
        row["mrr"] = 0.0 if first_gold is None else 1.0 / (first_gold + 1)
        row["first_citation_correct"] = bool(cited) and cited[0] in gold
        row["gold_cited"] = any(c in gold for c in cited)
        if answer.answered:
            row["citation_precision"] = sum(c in gold for c in cited) / len(cited) if cited else 0.0
    if case.answers:
        row["answer_contains"] = answer.answered and any(normalize(a) in normalize(plain) for a in case.answers)
        row["f1"] = max((f1(s, a) for s in sentences for a in case.answers), default=0.0) if answer.answered else 0.0
        row["exact_match"] = answer.answered and any(normalize(s) == normalize(a) for s in sentences for a in case.answers)
    row["hit"] = row.get("first_citation_correct", True) and row.get("answer_contains", True) and answer.answered
    return row


def metrics(rows: list[dict]) -> dict:
    def mean(key, subset=rows):
        values = [float(r[key]) for r in subset if key in r]
        return round(float(np.mean(values)), 4) if values else None

    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    with_gold = [r for r in answerable if "hit@k" in r]
    latencies = [r["latency_ms"] for r in rows]
    out = {
        "questions": len(rows),
        "hit@1": round(float(np.mean([r["hit@k"][0] for r in with_gold])), 4) if with_gold else None,
        "hit@5": round(float(np.mean([r["hit@k"][4] for r in with_gold])), 4) if with_gold else None,
        "mrr": mean("mrr"),
        "first_citation_correct": mean("first_citation_correct"),
        "citation_precision": mean("citation_precision"),
        "citation_recall": mean("gold_cited"),
        "answer_contains": mean("answer_contains"),
        "exact_match": mean("exact_match"),
        "f1": mean("f1"),
        "refusal_accuracy": round(float(np.mean([not r["answered"] for r in unanswerable])), 4) if unanswerable else None,
        "false_refusal_rate": round(float(np.mean([not r["answered"] for r in answerable])), 4) if answerable else None,
        "mean_answer_words": round(float(np.mean([r["words"] for r in answerable if r["answered"]] or [0])), 1),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
    }
    out["hit@k_curve"] = [round(float(np.mean([r["hit@k"][k] for r in with_gold])), 4) for k in range(K_MAX)] if with_gold else []
    return out


def evaluate(cases: list[Case], pipeline, *, progress: bool = True) -> tuple[dict, list[dict]]:
    from tqdm import tqdm

    pipeline.load()  # time the questions, not the first load
    rows = []
    for case in tqdm(cases, desc="evaluating", unit="q", disable=not progress, file=sys.stderr):
        started = time.perf_counter()
        try:
            answer = pipeline.ask(case.question, case.history)
        except ArticlesQAError as e:
            from qa.answer import Answer

            answer = Answer(text=f"error: {e}", citations=[], answered=False)
        rows.append(score(case, answer, (time.perf_counter() - started) * 1000))
    result = {"overall": metrics(rows)}
    for kind in sorted({r["type"] for r in rows}):
        result[kind] = metrics([r for r in rows if r["type"] == kind])
    return result, rows


TABLE_KEYS = ["questions", "hit@1", "hit@5", "mrr", "first_citation_correct", "citation_precision",
              "citation_recall", "answer_contains", "exact_match", "f1", "refusal_accuracy",
              "false_refusal_rate", "mean_answer_words", "latency_p50_ms", "latency_p95_ms"]


def table(result: dict) -> str:
    groups = list(result)
    lines = ["| metric | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for key in TABLE_KEYS:
        cells = [result[g].get(key) for g in groups]
        lines.append(f"| {key} | " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def report(result: dict, rows: list[dict]) -> str:
    out = ["# Evaluation report", "", table(result), "", "## Failures", ""]
    for r in rows:
        if r["hit"]:
            continue
        out += [f"### {r['id']} ({r['type']})", f"- asked: {r['question']}", f"- answered: {r['answer']}",
                f"- cited: {', '.join(r['cited']) or '–'}",
                f"- expected: {'not in the articles' if r['unanswerable'] else ', '.join(r['expected_sources'])}"
                + (f" · answers {r['expected_answers']}" if r["expected_answers"] else ""), ""]
    return "\n".join(out)


def plot(result: dict, rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    ks = list(range(1, K_MAX + 1))
    for name, m in (("articles-qa", result["overall"]), ("llama-index baseline", result.get("baseline"))):
        if m and m.get("hit@k_curve"):
            left.plot(ks, m["hit@k_curve"], marker="o", label=name)
    left.set(xlabel="k", ylabel="gold paragraph in top k", title="hit@k", ylim=(0, 1.02), xticks=ks)
    left.grid(alpha=0.3)
    left.legend(loc="lower right")
    right.hist([r["latency_ms"] for r in rows], bins=30, color="#4c72b0")
    right.set(xlabel="ms", ylabel="questions", title="ask() latency (warm)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="?", help="JSONL file of test questions (default data/questions.jsonl)")
    parser.add_argument("--squad", help="a SQuAD v1.1 JSON file: its articles become the corpus")
    add_common_arguments(parser)
    parser.add_argument("--json", dest="json_out", help="write metrics and one row per question here")
    parser.add_argument("--report", help="write a Markdown report (table and every failure) here")
    parser.add_argument("--plot", help="write the hit@k curve (k=1..10) and the latency histogram here (PNG)")
    parser.add_argument("--compare", action="store_true",
                        help="also run a plain llama-index pipeline (dense top-5, first paragraph cited) and print it beside ours")
    parser.add_argument("--min", action="append", default=[], metavar="NAME=VALUE",
                        help="exit non-zero when overall metric NAME falls below VALUE (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from qa.pipeline import Pipeline

    floors = {}
    for item in args.min:
        name, _, value = item.partition("=")
        try:
            floors[name] = float(value)
        except ValueError:
            parser.error(f"--min {item!r}: expected NAME=NUMBER, e.g. --min hit@5=0.9")
    try:
        settings = settings_from(args)
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="articles-qa-eval-") as tmp:
        if args.squad:
            settings = settings.replace(data_dir=Path(tmp) / "articles",
                                        index_dir=Path(args.index) if args.index else Path(tmp) / "index")
            cases = squad_corpus(args.squad, Path(settings.data_dir))
            from ingest import ingest

            ingest(settings=settings, progress=not args.quiet)
        else:
            path = args.questions or str(Path(__file__).resolve().parents[1] / "data" / "questions.jsonl")
            try:
                cases, errors = load_questions(path)
            except OSError as e:
                print(f"error: cannot read {path}: {e.strerror}", file=sys.stderr)
                return 2
        for e in errors:
            print(f"skipped {e}", file=sys.stderr)
        try:
            result, rows = evaluate(cases, Pipeline(settings), progress=not args.quiet)
            baseline = None
            if args.compare:
                from qa.baseline import PlainPipeline

                baseline, _ = evaluate(cases, PlainPipeline(settings), progress=not args.quiet)
        except ArticlesQAError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
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
    failed = [f"{k}={result['overall'].get(k)} < {v}" for k, v in floors.items()
              if result["overall"].get(k) is None or result["overall"][k] < v]
    for f in failed:
        print(f"below floor: {f}", file=sys.stderr)
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
