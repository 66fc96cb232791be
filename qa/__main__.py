"""`python -m qa "question"`: answer from the terminal, with sources to check."""
from __future__ import annotations

import argparse
import json
import logging
import re
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
        # json.dumps escapes C0 controls itself; DEL and C1 (0x9b is CSI) become \u escapes, still valid JSON
        print(_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(answer.to_dict(), ensure_ascii=False,
                                                                                 indent=2)))
    else:
        print(printable(answer.text))
        if answer.citations:
            print(("\nSource to check (may answer):\n" if answer.tier == "tentative" else "\nSources:\n")
                  + printable(answer.sources_text()))
        label = {"answered": "answered", "tentative": "may answer", "refused": "not found"}[answer.tier]
        if answer.answer_type == "timeline":
            undated = [e for e in answer.timeline if e.date is None]
            print(printable("".join(f"\nundated: {e.text} [{e.citation}]" for e in undated)))
            print("\n(timeline: dated quotes in event order)")
        else:
            print(f"\n({label}; confidence {answer.confidence:.2f})")
        if answer.notes or answer.backend != "extractive":
            print(printable(f"\n(answered by {answer.backend})" + "".join(f"\n  note: {n}" for n in answer.notes)))
    return 0


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` safe for a terminal: every C0 control but newline and tab, DEL and every C1 control (ESC and
    CSI start escape sequences that move the cursor, erase lines or set the window title) shown as a
    visible `\\xNN` escape, so an article cannot rewrite the lines the CLI prints (issue 28)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


if __name__ == "__main__":
    sys.exit(main())
