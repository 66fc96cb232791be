"""Answer sentence selection: how likely each candidate sentence is to answer the question.

The stage between selecting candidate sentences (`qa.select`) and answering (`qa.compose`): a
`Scorer` reads the question and each candidate sentence with its context (the sentence before it,
the article's headline) and returns one logit per candidate; higher means more likely to answer.
Calibration into a probability that an answer is right happens after (`qa.confidence`), so any
scorer fits behind the same interface, like the retriever:

- `CrossEncoderScorer` (default): all-MiniLM-L6-v2 fine-tuned as a cross-encoder on question and
  sentence pairs (`python -m qa.eval.train`), run through ONNX Runtime int8 from
  `qa/models/answer-scorer/` (about 23 MB; no torch at query time).
- `LexicalScorer`: today's lexical support (IDF coverage and chunk similarity) as a logit; no model,
  used where the model file is missing and by tests.

Shapes: `score(question, candidates)` takes N `Candidate`s and returns a float32 array of N logits.
Errors: a missing or unreadable model file is `ScorerUnavailableError` (qa.errors) naming the fix.
Not handled: questions whose answer needs two sentences read together (each sentence is scored with
only the one before it as context).
"""
from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_DIR = Path(__file__).with_name("models") / "answer-scorer"
MAX_TOKENS = 96  # question + sentence + context; the context is cut first
CONTEXT_CHARS = 240  # of the sentence before, kept from its end


@dataclass(frozen=True)
class Candidate:
    """A sentence as the scorer reads it.

    text: the sentence as a reader reads it (wrapped lines joined; a table row with its header);
    before: the sentence before it (in its paragraph, else the previous paragraph's last);
    headline: the article's headline; support: the lexical support in 0..1 (`qa.select`)."""

    text: str
    before: str = ""
    headline: str = ""
    support: float = 0.0


def pair(question: str, candidate: Candidate) -> tuple[str, str]:
    """The two texts a cross-encoder reads, the same in training and answering: the question, and
    the sentence followed by its context (headline, then the end of the sentence before)."""
    context = " ".join(filter(None, (candidate.headline, candidate.before[-CONTEXT_CHARS:])))
    second = " ".join(candidate.text.split())
    return " ".join(question.split()), f"{second} || {' '.join(context.split())}" if context else second


class Scorer(Protocol):
    name: str

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """One logit per candidate (float32, shape (N,)); higher: more likely to answer."""
        ...


class LexicalScorer:
    """The lexical support of each candidate, as a logit (no model)."""

    name = "lexical"

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        p = np.clip(np.asarray([c.support for c in candidates], dtype=np.float32), 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p)).astype(np.float32)


class CrossEncoderScorer:
    """A fine-tuned MiniLM cross-encoder through ONNX Runtime: all pairs of a question in one batch."""

    name = "cross-encoder"

    def __init__(self, model_dir: str | Path = MODEL_DIR, *, threads: int | None = None):
        from qa.errors import ScorerUnavailableError

        model_dir = Path(model_dir)
        model = model_dir / "model.onnx"
        if not model.is_file() or not (model_dir / "tokenizer.json").is_file():
            raise ScorerUnavailableError(
                f"no answer scorer at {model_dir}; rebuild it with `python -m qa.eval.train --out {model_dir}` "
                "or set ARTICLES_QA_SCORER=lexical")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 2, 4)
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as e:  # onnxruntime raises its own untyped errors on a damaged file
            raise ScorerUnavailableError(f"the answer scorer at {model_dir} cannot be read ({e}); rebuild it with "
                                         f"`python -m qa.eval.train --out {model_dir}`") from None
        tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.model_dir = model_dir

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        encodings = self._tokenizer.encode_batch([pair(question, c) for c in candidates])
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        logits = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return np.asarray(logits, dtype=np.float32).reshape(-1)


SCORERS = ("cross-encoder", "lexical")


@functools.lru_cache(maxsize=4)
def load_scorer(name: str = "cross-encoder", model_dir: str = str(MODEL_DIR)) -> Scorer:
    """The scorer a setting names, loaded once per process."""
    if name == "lexical":
        return LexicalScorer()
    return CrossEncoderScorer(model_dir)


def model_info(model_dir: str | Path = MODEL_DIR) -> dict:
    """What `scorer.json` beside the model records: how it was trained and measured."""
    path = Path(model_dir) / "scorer.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
