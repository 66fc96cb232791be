"""The flags the commands share, and the settings they make; one definition for every CLI."""
from __future__ import annotations

import argparse

from qa.llm import BACKENDS
from qa.settings import Settings


def add_common_arguments(parser: argparse.ArgumentParser, *, backend: bool = True) -> None:
    """--data, --index, --chroma-url; and, for commands that answer, the backend flags."""
    parser.add_argument("--data", help="articles folder (default data/articles, or ARTICLES_QA_DATA_DIR)")
    parser.add_argument("--index", help="index folder (default .index in the project, or ARTICLES_QA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="a Chroma server holding the vectors (e.g. http://127.0.0.1:8000)")
    if backend:
        group = parser.add_argument_group("answering backend")
        group.add_argument("--backend", choices=BACKENDS, help="who writes answers (default extractive)")
        group.add_argument("--model", help="GGUF path (llamacpp) or model name (ollama, openai)")
        group.add_argument("--api-base", help="server URL for ollama or an OpenAI-compatible API")
        group.add_argument("--api-key", help="API key for an OpenAI-compatible server")


def settings_from(args: argparse.Namespace) -> Settings:
    """Defaults, then ARTICLES_QA_* variables, then the flags given."""
    names = ("data", "index", "chroma_url", "backend", "model", "api_base", "api_key")
    given = {name: getattr(args, name, None) for name in names}
    given["data_dir"], given["index_dir"] = given.pop("data"), given.pop("index")
    return Settings.from_env(**given)
