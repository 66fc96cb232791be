"""Fakes registered through the real interfaces (llama-index's BaseEmbedding)."""
from __future__ import annotations

import hashlib
import time

import numpy as np
from llama_index.core.embeddings import BaseEmbedding

from reading.text import terms

DIM = 64


def _vector(text: str) -> list[float]:
    """Bag of stemmed words hashed into 64 dimensions: similar words, similar vectors."""
    v = np.zeros(DIM, dtype=np.float32)
    for t in terms(text) or ["<empty>"]:
        v[int(hashlib.md5(t.encode()).hexdigest(), 16) % DIM] += 1.0
    return (v / np.linalg.norm(v)).tolist()


class FakeEmbedding(BaseEmbedding):
    """Deterministic, instant, and counts what it embeds."""

    calls: int = 0
    texts_embedded: int = 0
    delay: float = 0.0

    def _get_text_embedding(self, text: str) -> list[float]:
        self.calls += 1
        self.texts_embedded += 1
        if self.delay:
            time.sleep(self.delay)
        return _vector(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [self._get_text_embedding(t) for t in texts]

    def _get_query_embedding(self, query: str) -> list[float]:
        return _vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return _vector(query)


from typing import Any, Callable  # noqa: E402

from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata  # noqa: E402
from llama_index.core.llms.callbacks import llm_completion_callback  # noqa: E402


class ScriptedLLM(CustomLLM):
    """An LLM whose reply is computed from the prompt by a script; it records every prompt."""

    script: Callable[[str], str]
    prompts: list = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=2048, num_output=256, model_name="scripted")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        reply = self.script(prompt)
        if isinstance(reply, BaseException):
            raise reply
        return CompletionResponse(text=reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        """The scripted reply, a word at a time, as a streaming backend sends it."""
        reply = self.complete(prompt).text
        text = ""
        for word in reply.split(" "):
            delta = word if not text else " " + word
            text += delta
            yield CompletionResponse(text=text, delta=delta)
