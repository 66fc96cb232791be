"""The flags of the commands that answer (qa, ui, evaluate): the index's, plus the backend's."""
from __future__ import annotations

import argparse

from ingest.cli import add_index_arguments, run  # noqa: F401  (run: re-exported for the qa and ui commands)
from ingest.cli import settings_from as _index_settings_from
from qa.settings import BACKENDS, Settings


def add_common_arguments(parser: argparse.ArgumentParser, *, backend: bool = True) -> None:
    """--data, --index, --chroma-url; and, for commands that answer, the backend flags."""
    add_index_arguments(parser)
    if backend:
        group = parser.add_argument_group("answering backend")
        group.add_argument("--backend", choices=BACKENDS, help="who writes answers (default extractive)")
        group.add_argument("--model", help="GGUF path (llamacpp) or model name (ollama, openai)")
        group.add_argument("--api-base", help="server URL for ollama or an OpenAI-compatible API")
        group.add_argument("--api-key", help="API key for an OpenAI-compatible server")


def settings_from(args: argparse.Namespace) -> Settings:
    """Defaults, then ARTICLES_QA_* variables, then the flags given."""
    return _index_settings_from(args, Settings, ("backend", "model", "api_base", "api_key"))
