"""LLM backends through llama-index's LLM classes; each one's package is an optional extra.

    extractive  no LLM (the default)
    llamacpp    a local GGUF file         pip install -e '.[llamacpp]'   --model PATH.gguf
    ollama      an Ollama server          pip install -e '.[ollama]'     --model NAME [--api-base URL]
    openai      any OpenAI-compatible API pip install -e '.[openai]'     --model NAME --api-base URL [--api-key KEY]
"""
from __future__ import annotations

import os
from pathlib import Path

from qa.errors import BackendError
from qa.settings import BACKENDS, Settings

__all__ = ["BACKENDS", "BackendError", "load_llm"]


def load_llm(settings: Settings):
    backend = settings.backend
    if backend not in BACKENDS:
        raise BackendError(f"Unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend == "llamacpp":
        LlamaCPP = _import("llama_index.llms.llama_cpp", "LlamaCPP", "llamacpp")
        path = Path(settings.model).expanduser() if settings.model else None
        if path is None or not path.is_file():
            raise BackendError(f"the llamacpp backend needs --model PATH to a .gguf file (got {settings.model!r})")
        return LlamaCPP(
            model_path=str(path), temperature=0.0, max_new_tokens=settings.llm_max_new_tokens,
            context_window=settings.llm_context_tokens, verbose=False,
            model_kwargs={"n_threads": os.cpu_count() or 2, "verbose": False},
            generate_kwargs={"stop": ["\nQuestion:", "</source>", "\n\n\n"]},
            messages_to_prompt=None, completion_to_prompt=lambda text: text,
        )
    if not settings.model:
        raise BackendError(f"the {backend} backend needs --model NAME")
    if backend == "ollama":
        Ollama = _import("llama_index.llms.ollama", "Ollama", "ollama")
        return Ollama(model=settings.model, base_url=settings.api_base or "http://127.0.0.1:11434",
                      request_timeout=settings.llm_timeout, temperature=0.0,
                      context_window=settings.llm_context_tokens)
    OpenAILike = _import("llama_index.llms.openai_like", "OpenAILike", "openai")
    if not settings.api_base:
        raise BackendError("the openai backend needs --api-base URL (e.g. http://127.0.0.1:8000/v1)")
    api_key = settings.api_key.get_secret_value() or "unused"
    return OpenAILike(model=settings.model, api_base=settings.api_base, api_key=api_key,
                      timeout=settings.llm_timeout, max_retries=0, is_chat_model=True, temperature=0.0,
                      context_window=settings.llm_context_tokens, max_tokens=settings.llm_max_new_tokens)


def _import(module: str, name: str, extra: str):
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError:
        raise BackendError(
            f"the {extra} backend needs its extra: pip install -e '.[{extra}]'"
        ) from None

