"""`python -m ingest [--data DIR] [--index DIR]`: build or update the index."""
from __future__ import annotations

import argparse
import logging
import sys

from qa.errors import ArticlesQAError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index the articles folder (incremental).")
    parser.add_argument("--data", help="articles folder (default data/articles, or ARTICLES_QA_DATA_DIR)")
    parser.add_argument("--index", help="index folder (default .index, or ARTICLES_QA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="use a Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    from ingest.build import ingest
    from qa.settings import Settings

    settings = Settings.from_env(data_dir=args.data, index_dir=args.index, chroma_url=args.chroma_url)
    try:
        report = ingest(settings=settings, progress=False if args.quiet else None)
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
