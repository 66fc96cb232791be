"""`python -m ingest [--data DIR] [--index DIR]`: build or update the index."""
from __future__ import annotations

import argparse
import logging
import sys

from ingest.cli import add_index_arguments, run, settings_from


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index the articles folder (incremental).")
    add_index_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    def command() -> int:
        from ingest.build import ingest

        report = ingest(settings=settings_from(args), progress=False if args.quiet else None)
        for message in report.skipped.values():
            print(f"skipped {message}", file=sys.stderr)
        if report.rebuilt_from:
            print(f"the old index was unreadable; it was moved to {report.rebuilt_from}", file=sys.stderr)
        print(report.summary())
        return 0

    return run(command)


if __name__ == "__main__":
    sys.exit(main())
