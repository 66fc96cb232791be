"""`python -m ui`: the chat page over the articles, on loopback by default."""
from __future__ import annotations

import argparse
import logging
import sys

from qa.cli import add_common_arguments, run, settings_from


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Start the articles-qa chat page.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback only)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860 or the next free one)")
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    def command() -> int:
        from qa.pipeline import Pipeline
        from ui.ports import check_port

        if args.port is not None:
            check_port(args.host, args.port)  # before gradio is imported or the index loaded
        from ui.app import launch

        launch(host=args.host, port=args.port, pipeline=Pipeline(settings_from(args)))
        return 0

    return run(command)


if __name__ == "__main__":
    sys.exit(main())
