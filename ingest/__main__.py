"""`python -m ingest [--data DIR] [--index DIR]`: build or update the index."""
from __future__ import annotations

import argparse
import logging
import sys

from qa.cli import add_common_arguments, settings_from
from qa.errors import ArticlesQAError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index the articles folder (incremental).")
    add_common_arguments(parser, backend=False)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    from ingest.build import ingest

    try:
        report = ingest(settings=settings_from(args), progress=False if args.quiet else None)
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for message in report.skipped.values():
        print(f"skipped {message}", file=sys.stderr)
    if report.rebuilt_from:
        print(f"the old index was unreadable; it was moved to {report.rebuilt_from}", file=sys.stderr)
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
