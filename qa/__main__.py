"""`python -m qa "question"`: answer from the terminal, with sources to check."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from qa.cli import add_common_arguments, run, settings_from


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Answer a question from the articles, with citations.")
    parser.add_argument("question", help="the question, in English")
    parser.add_argument("--json", action="store_true", help="print the Answer as JSON")
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    return run(lambda: _answer(args))


def _answer(args: argparse.Namespace) -> int:
    from qa.pipeline import Pipeline

    answer = Pipeline(settings_from(args)).ask(args.question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.text)
        if answer.citations:
            print(("\nSource to check (may answer):\n" if answer.tier == "tentative" else "\nSources:\n")
                  + answer.sources_text())
        label = {"answered": "answered", "tentative": "may answer", "refused": "not found"}[answer.tier]
        print(f"\n({label}; confidence {answer.confidence:.2f})")
        if answer.notes or answer.backend != "extractive":
            print(f"\n(answered by {answer.backend})" + "".join(f"\n  note: {n}" for n in answer.notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
