"""Answer sentence selection: how likely each candidate sentence is to answer the question.

The stage between selecting candidate sentences (`qa.select`) and answering (`qa.compose`): a
`Scorer` reads the question and each candidate sentence with its context (the sentence before it,
the article's headline) and returns one logit per candidate; higher means more likely to answer.
Calibration into a probability that an answer is right happens after (`qa.confidence`), so any
scorer fits behind the same interface, like the retriever:

- `ReaderScorer` (default): the reader, all-MiniLM-L6-v2 fine-tuned as a cross-encoder on SQuAD's
  train questions with a "no answer" option (`python -m qa.eval.train --kind cross-encoder`), through
  ONNX Runtime int8; its logits are relative to the null option. Folder `qa/models/reader/`.
- `LearnedScorer` (the earlier default, kept as a measured baseline): a logistic model over the
  MiniLM similarity of the question to the sentence and to the sentence read with the one before
  it, and the lexical signals `qa.select` computes. Weights in `qa/models/answer-scorer.json`.
- `LexicalScorer`: the lexical support (IDF coverage and chunk similarity) as a logit; no model.

Shapes: `score(question, candidates)` takes N `Candidate`s and returns a float32 array of N logits.
Errors: a missing or unreadable model file is `ScorerUnavailableError` (qa.errors) naming the fix.
Not handled: questions whose answer needs two sentences read together (each sentence is scored with
only the one before it as context).
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.stages import Scorer  # noqa: F401  (the stage's interface; its implementations are here)

MODEL_DIR = Path(__file__).with_name("models") / "reader"  # the reader (a cross-encoder) and its card
MODEL_FILE = Path(__file__).with_name("models") / "answer-scorer.json"  # the learned scorer's weights
MAX_TOKENS = 96  # question + sentence + context; the context is cut first
CONTEXT_CHARS = 240  # of the sentence before, kept from its end
CACHE_TEXTS = 20_000  # candidate vectors kept per process (about 30 MB)


@dataclass(frozen=True)
class Candidate:
    """A sentence as the scorer reads it.

    text: the sentence as a reader reads it (wrapped lines joined; a table row with its header);
    before: the sentence before it (in its paragraph, else the previous paragraph's last);
    headline: the article's headline. The lexical signals, each 0..1, come from `qa.select`:
    coverage (IDF share of the question's terms in the sentence), dense (its chunk's cosine),
    focus (IDF share of the topic words in the sentence or its surroundings), holds (1: it holds the
    kind of thing asked for), paragraph (its paragraph's fused retrieval score), rank (its
    paragraph's retrieval rank / 10), missing (share of the names the question gives that its
    surroundings lack)."""

    text: str
    before: str = ""
    headline: str = ""
    coverage: float = 0.0
    dense: float = 0.0
    focus: float = 0.0
    holds: float = 1.0
    paragraph: float = 0.0
    rank: float = 0.0
    missing: float = 0.0

    @property
    def support(self) -> float:
        return 0.5 * self.coverage + 0.5 * self.dense


def pair(question: str, candidate: Candidate) -> tuple[str, str]:
    """The two texts a cross-encoder reads, the same in training and answering: the question, and
    the sentence followed by its context (headline, then the end of the sentence before)."""
    context = " ".join(filter(None, (candidate.headline, candidate.before[-CONTEXT_CHARS:])))
    second = " ".join(candidate.text.split())
    return " ".join(question.split()), f"{second} || {' '.join(context.split())}" if context else second


class LexicalScorer:
    """The lexical support of each candidate, as a logit (no model)."""

    name = "lexical"

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        p = np.clip(np.asarray([c.support for c in candidates], dtype=np.float32), 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p)).astype(np.float32)


class ReaderScorer:
    """The reader: all-MiniLM-L6-v2 fine-tuned as a cross-encoder for answer sentence selection with a
    "no answer" option (`python -m qa.eval.train --kind cross-encoder`, `qa.eval.train_reader`), run
    through ONNX Runtime int8. Its folder holds `model.onnx`, `tokenizer.json` and `reader.json` (the
    model card: data, steps, seeds, held-out numbers, the null logit and the model file's sha256,
    checked at load, as tiktoken checks its data files).

    `score` returns each candidate's logit minus the null logit: > 0 means the reader prefers the
    sentence to "none of these answers"; sigmoid of it is the reader's odds against the null option."""

    name = "reader"

    def __init__(self, model_dir: str | Path = MODEL_DIR, *, threads: int | None = None):
        from qa.errors import ScorerUnavailableError

        model_dir = Path(model_dir)
        retrain = f"`python -m qa.eval.train --kind cross-encoder --out {model_dir}`"
        files = [model_dir / n for n in ("model.onnx", "tokenizer.json", "reader.json")]
        if not all(f.is_file() for f in files):
            raise ScorerUnavailableError(
                f"no reader at {model_dir} (it needs model.onnx, tokenizer.json and reader.json); reinstall the "
                f"package, train it with {retrain}, or use ARTICLES_QA_SCORER=learned")
        try:
            card = json.loads(files[2].read_text(encoding="utf-8"))
            blob = files[0].read_bytes()
            if hashlib.sha256(blob).hexdigest() != card["sha256"]:
                raise ValueError(f"model.onnx does not match the sha256 in reader.json ({card['sha256'][:12]}…)")
            self.null = float(card["null_logit"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ScorerUnavailableError(f"the reader at {model_dir} cannot be used ({e}); reinstall the package "
                                         f"or train it again with {retrain}") from None
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one thread a pair, `self._workers` pairs at once (see `score`)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._workers = threads or min(os.cpu_count() or 2, 4)
        self._pool = None
        try:
            self._session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(files[1]))
        except Exception as e:  # onnxruntime raises its own untyped errors on a damaged file
            raise ScorerUnavailableError(f"the reader at {model_dir} cannot be read ({e}); reinstall the package "
                                         f"or train it again with {retrain}") from None
        tokenizer.enable_truncation(card.get("max_tokens", MAX_TOKENS), strategy="longest_first")
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.card = card
        self.model_dir = model_dir

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """Logits against the null option, shape (len(candidates),). One pair a run: int8 dynamic
        quantization scales activations over the whole input tensor, so in a batch of 8 a sentence's
        logit moved with its companions and their padding (median 0.53, at most 1.9 over 40 Normans
        questions; the best sentence changed for 3 of them). Runs are single-threaded and `threads` of
        them go at once (ONNX Runtime's `run` is thread-safe): 16 pairs took 32 ms on 2 idle cores against
        47 ms one run at a time on two threads, with the same logits to the bit."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        encodings = self._tokenizer.encode_batch([pair(question, c) for c in candidates])
        if len(encodings) == 1 or self._workers == 1:
            logits = [self._run(enc) for enc in encodings]
        else:
            if self._pool is None or self._pool[0] != os.getpid():  # a forked child has none of its threads
                from concurrent.futures import ThreadPoolExecutor

                self._pool = (os.getpid(), ThreadPoolExecutor(self._workers, thread_name_prefix="reader"))
            logits = list(self._pool[1].map(self._run, encodings))
        return np.asarray(logits, dtype=np.float32) - np.float32(self.null)

    def _run(self, enc) -> float:
        feed = {name: np.array([getattr(enc, attr)], dtype=np.int64)
                for name, attr in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                                   ("token_type_ids", "type_ids")) if name in self._inputs}
        return float(np.asarray(self._session.run(None, feed)[0]).reshape(-1)[0])


class LearnedScorer:
    """A logistic model over meaning (MiniLM similarities) and lexical signals: one embedding batch
    per question (the question, and each candidate alone and with the sentence before it)."""

    name = "learned"
    FEATURES = ("cos_sentence", "cos_context", "coverage", "dense", "focus", "holds", "paragraph", "rank",
                "missing", "cos_holds")

    def __init__(self, embedder, model_file: str | Path = MODEL_FILE):
        self.model = load_logistic(model_file, self.FEATURES, exact=True, what="the answer scorer's weights",
                                   fix="python -m qa.eval.train")
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def features(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        return learned_features(self._vectors, question, candidates)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """MiniLM vectors of candidate texts, each embedded once per process (an article's sentences
        recur from question to question): a bounded cache in front of one batch for the rest."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, v in zip(missing, self.embedder.get_text_embedding_batch(missing)):
                self._cache[text] = np.asarray(v, dtype=np.float32)
        out = np.stack([self._cache[t] for t in texts])
        for t in texts:
            self._cache.move_to_end(t)
        while len(self._cache) > CACHE_TEXTS:
            self._cache.popitem(last=False)
        return out

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        return logits(self.model, self.features(question, candidates)).astype(np.float32)


def learned_features(vectors, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """One row of `LearnedScorer.FEATURES` per candidate, shape (N, 10), float32. `vectors(texts)` gives
    MiniLM vectors (N, 384); the question's is `vectors([question])` read as a query."""
    q = np.asarray(vectors([" ".join(question.split())])[0], dtype=np.float32)
    texts = [c.text for c in candidates] + [f"{c.before} {c.text}".strip() for c in candidates]
    v = np.asarray(vectors(texts), dtype=np.float32)
    cos = v @ q / (np.linalg.norm(v, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-9)
    n = len(candidates)
    lexical = np.asarray([[c.coverage, c.dense, c.focus, c.holds, c.paragraph, c.rank, c.missing]
                          for c in candidates], dtype=np.float32).reshape(n, 7)
    return np.column_stack([cos[:n], cos[n:], lexical, cos[:n] * lexical[:, 3]]).astype(np.float32)


def load_logistic(path: str | Path, features: Sequence[str], *, exact: bool, what: str, fix: str) -> dict:
    """A fitted logistic model's JSON (`features`, `coef`, `mean`, `scale`, `intercept`), checked: the same
    number of each, its features `features` (`exact`) or some of them. The one loader of the learned scorer's
    weights and the confidence model (`qa.confidence`). `ModelFileError` names `what` and the command `fix`
    when the file is missing, unreadable, or fitted for other inputs; never a silent stand-in."""
    from qa.errors import ModelFileError

    try:
        model = json.loads(Path(path).read_text(encoding="utf-8"))
        names = list(model["features"])
        if exact and tuple(names) != tuple(features):
            raise ValueError(f"features {names} are not {list(features)}")
        if not exact and not set(names) <= set(features):
            raise ValueError(f"features {sorted(set(names) - set(features))} are not among {list(features)}")
        if not all(len(model[k]) == len(names) for k in ("coef", "mean", "scale")):
            raise ValueError("coef, mean and scale must have one value per feature")
        float(model["intercept"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelFileError(f"{what} at {path} cannot be used ({e}); fit it again with `{fix}`") from None
    return model


def logits(model: dict, x: np.ndarray) -> np.ndarray:
    """A loaded logistic model (`load_logistic`) applied: rows of `x` (N, F) hold its features in its order;
    returns N logits, intercept + standardised features @ coef (a zero scale counts as 1). The one place the
    learned scorer, the confidence model and its calibration apply such a model."""
    scale = np.asarray(model["scale"], dtype=np.float64)
    z = (np.asarray(x, dtype=np.float64) - np.asarray(model["mean"], dtype=np.float64)) / np.where(scale == 0, 1.0, scale)
    return float(model["intercept"]) + z @ np.asarray(model["coef"], dtype=np.float64)


SCORERS = ("reader", "learned", "lexical")


def load_scorer(name: str = "reader", *, embedder=None) -> Scorer:
    """The scorer a setting names; `embedder` (the retriever's MiniLM) is what the learned one reads with."""
    if name == "lexical":
        return LexicalScorer()
    if name == "learned":
        return LearnedScorer(embedder)
    return _reader(str(MODEL_DIR))


@functools.lru_cache(maxsize=2)
def _reader(model_dir: str) -> ReaderScorer:
    return ReaderScorer(model_dir)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
