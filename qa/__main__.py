"""`python -m qa "question"`: answer from the terminal, with sources to check."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from qa.errors import ArticlesQAError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Answer a question from the articles, with citations.")
    parser.add_argument("question", help="the question, in English")
    parser.add_argument("--json", action="store_true", help="print the Answer as JSON")
    parser.add_argument("--index", help="index folder (default .index in the project, or ARTICLES_QA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="a Chroma server holding the vectors (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--data", help="articles folder used when the index must be built first")
    from qa.llm import add_backend_arguments, backend_overrides

    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    from qa.pipeline import Pipeline
    from qa.settings import Settings

    try:
        answer = Pipeline(Settings.from_env(data_dir=args.data, index_dir=args.index, chroma_url=args.chroma_url,
                                 **backend_overrides(args))).ask(args.question)
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.text)
        if answer.citations:
            print("\nSources:\n" + answer.sources_text())
        if answer.notes or answer.backend != "extractive":
            print(f"\n(answered by {answer.backend})" + "".join(f"\n  note: {n}" for n in answer.notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
