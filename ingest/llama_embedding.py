"""`OnnxEncoder` behind llama-index's `BaseEmbedding` interface: what retrieval and the pipeline embed with."""
from __future__ import annotations

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from ingest.onnx_embedding import OnnxEncoder


class OnnxEmbedding(BaseEmbedding):
    """llama-index embedding interface over an `OnnxEncoder` (shared with ingest: one session a process)."""

    _encoder: OnnxEncoder = PrivateAttr()

    def __init__(self, encoder: OnnxEncoder, **kwargs):
        super().__init__(model_name=encoder.model_name, embed_batch_size=64, **kwargs)
        self._encoder = encoder

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.encode([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
