"""The flags every command shares (--data, --index, --chroma-url) and one way to run a command:
each user mistake (a bad flag, setting, file or index state) is one line on stderr and exit 2."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ingest.errors import ArticlesQAError
from ingest.settings import IndexSettings


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="articles folder (default data/articles, or ARTICLES_QA_DATA_DIR)")
    parser.add_argument("--index", help="index folder (default .index in the project, or ARTICLES_QA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="a Chroma server holding the vectors (e.g. http://127.0.0.1:8000)")


def settings_from(args: argparse.Namespace, cls: type[IndexSettings] = IndexSettings, names: tuple = ()):
    """Defaults, then ARTICLES_QA_* variables, then the flags given (SettingsError if invalid)."""
    given = {name: getattr(args, name, None) for name in ("chroma_url", *names)}
    given["data_dir"], given["index_dir"] = getattr(args, "data", None), getattr(args, "index", None)
    return cls.from_env(**given)


def run(command: Callable[[], int]) -> int:
    """Run a command's body; an `ArticlesQAError` (or an OSError such as a busy port) is one line, exit 2."""
    try:
        return command()
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
