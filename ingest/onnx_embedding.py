"""MiniLM through ONNX Runtime, optionally int8-quantized: the same model, faster on a CPU, no torch at query time.

`OnnxEncoder` embeds texts and imports nothing of llama-index, so that `python -m ingest` does not pay
its import (1.3 s of a one-file commit); `ingest.llama_embedding.OnnxEmbedding` is the same encoder behind
llama-index's `BaseEmbedding`, for retrieval. The ONNX file is exported from the local sentence-transformers folder on first use
(torch is needed for that step only) and cached under ~/.cache/articles-qa/onnx/;
nothing is downloaded. Pooling (mean over tokens) and normalisation match
sentence-transformers', and texts are truncated at the model's 256 tokens as it does.

Not handled: models other than BERT-style encoders with mean pooling.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import warnings
from pathlib import Path

import numpy as np

MAX_TOKENS = 256
log = logging.getLogger("articles_qa.embedding")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "articles-qa" / "onnx"


def onnx_file(model_dir: str, *, quantized: bool) -> Path:
    """The exported (and quantized) model for `model_dir`, made on first use and cached."""
    weights = next((p for p in (Path(model_dir) / "model.safetensors", Path(model_dir) / "pytorch_model.bin") if p.exists()), None)
    key = hashlib.sha256(f"{Path(model_dir).resolve()}\0{weights and weights.stat().st_size}".encode()).hexdigest()[:16]
    folder = cache_dir() / key
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    if fp32.exists() and (int8.exists() or not quantized):
        return int8 if quantized else fp32
    log.warning("Preparing MiniLM for this machine, once: exporting it to ONNX%s (about a minute); later starts "
                "load it from %s.", " and quantizing it to int8" if quantized else "", folder)
    with _expected_noise():
        if not fp32.exists():
            _export(model_dir, fp32)
        if quantized and not int8.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = int8.with_suffix(f".{os.getpid()}.tmp")
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
            os.replace(tmp, int8)
    return int8 if quantized else fp32


# What the one-time export and quantization always print, and what it means here (issue 28: alarming on a first
# start, and expected): torch's TracerWarnings (Python-level branches traced as constants: the graph is made for
# BERT's fixed code path, checked against sentence-transformers' vectors in tests/test_embedding.py), aten::index's
# "negative indices" warning (MiniLM indexes with none) and onnxruntime's advice to pre-process (shape inference
# for static quantization; dynamic int8 quantization does not need it).
_EXPECTED_WARNINGS = ("exported graph will produce incorrect results",)
_EXPECTED_LOGS = ("Please consider to run pre-processing before quantization",)


class _DropExpected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(text in record.getMessage() for text in _EXPECTED_LOGS)


@contextlib.contextmanager
def _expected_noise():
    """Silence the warnings listed above during the export; any other warning is shown as usual."""
    drop = _DropExpected()
    logging.getLogger().addFilter(drop)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        logging.getLogger().removeFilter(drop)
    for w in caught:
        if type(w.message).__name__ != "TracerWarning" and not any(t in str(w.message) for t in _EXPECTED_WARNINGS):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _export(model_dir: str, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(model_dir).eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    with torch.no_grad():
        torch.onnx.export(Encoder(model), (dummy, dummy, torch.zeros_like(dummy)), str(tmp),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes},
                          opset_version=17, dynamo=False)
    os.replace(tmp, target)
    (target.parent / "source.json").write_text(json.dumps({"model_dir": str(model_dir)}), encoding="utf-8")


class OnnxEncoder:
    """An ONNX Runtime session and MiniLM's tokenizer: texts -> unit-length vectors (mean-pooled, as
    sentence-transformers pools). `model_name` names it as llama-index's embedders are named."""

    def __init__(self, model_dir: str, *, quantized: bool = True, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_name = f"onnx:{model_dir}"
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 2
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_file(model_dir, quantized=quantized)), options,
                                             providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row of unit length."""
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vectors = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors.astype(np.float32)

    def get_text_embedding_batch(self, texts: list[str], **_: object) -> np.ndarray:
        """What ingest asks of an embedder (`ingest.embedding.TextEncoder`), in llama-index's name."""
        return self.encode(texts)
