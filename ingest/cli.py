"""The flags every command shares (--data, --index, --chroma-url) and one way to run a command:
each user mistake (a bad flag, setting, file or index state) is one line on stderr and exit 2."""
from __future__ import annotations

import argparse
import os
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
    """Run a command's body: an `ArticlesQAError` (or an OSError such as a busy port) is one line, exit 2; a
    reader that closes the pipe (`| head -1`) ends the command quietly, exit 141 as a shell's SIGPIPE; any
    other failure is one line naming it, exit 1, its traceback only with ARTICLES_QA_TRACEBACK=1 (issue 28)."""
    try:
        code = command()
        sys.stdout.flush()  # a closed pipe fails here, inside the handler, not at the interpreter's exit
        return code
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except Exception as e:  # a bug: one line, and the way to see where
        if os.environ.get("ARTICLES_QA_TRACEBACK") == "1":
            raise
        print(f"error: unexpected {type(e).__name__}: {str(e)[:300]}; this is a bug, please report it "
              f"(ARTICLES_QA_TRACEBACK=1 shows where it happened)", file=sys.stderr)
        return 1


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
