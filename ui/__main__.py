"""`python -m ui`: the chat page over the articles, on loopback by default."""
from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Start the articles-qa chat page.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback only)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860 or the next free one)")
    parser.add_argument("--chroma-url", help="a Chroma server holding the vectors (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--data", help="articles folder")
    parser.add_argument("--index", help="index folder")
    from qa.llm import add_backend_arguments, backend_overrides

    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from qa.errors import ArticlesQAError
    from qa.pipeline import Pipeline
    from qa.settings import Settings
    from ui.app import launch

    try:
        launch(host=args.host, port=args.port,
               pipeline=Pipeline(Settings.from_env(data_dir=args.data, index_dir=args.index, chroma_url=args.chroma_url,
                                 **backend_overrides(args))))
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
