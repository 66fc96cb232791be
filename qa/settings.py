"""One settings object for the user: the index's settings (`ingest.settings`) plus answering's.

Every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g. `ARTICLES_QA_TOP_K=8`). Values are
validated when the object is built; the API key never appears in its `repr`.
Paths default to the project folder, so `ask()` works from any working directory.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.settings import DEFAULT_EMBED_MODEL, ENV_PREFIX, PROJECT_ROOT, IndexSettings, _require

__all__ = ["Settings", "BACKENDS", "DEFAULT_EMBED_MODEL", "ENV_PREFIX", "PROJECT_ROOT"]

BACKENDS = ("extractive", "llamacpp", "ollama", "openai")


@dataclass(frozen=True)
class Settings(IndexSettings):
    top_k: int = 5  # paragraphs handed from retrieval to sentence selection
    max_answer_sentences: int = 3
    max_answer_words: int = 80
    max_question_chars: int = 2000
    # Answerer: "extractive" (default, no LLM), "llamacpp" (model = a GGUF path),
    # "ollama" (model = a model name, api_base = its URL), "openai" (any OpenAI-compatible server).
    backend: str = "extractive"
    model: str = ""
    api_base: str = ""
    api_key: str = field(default="", repr=False)
    llm_timeout: float = 120.0  # seconds before an LLM backend counts as unreachable
    llm_context_tokens: int = 2048  # the model's context window; the prompt is cut to fit
    llm_max_new_tokens: int = 256
    # The answer scorer (qa.score): "learned" (the shipped model), "cross-encoder" (a model trained
    # with `python -m qa.eval.train --kind cross-encoder`; not shipped), or "lexical" (no model).
    scorer: str = "learned"
    # Three tiers by calibrated confidence (docs/quality.md: the risk-coverage trade-off of each):
    # at or above min_confidence the answer is given; at or above min_tentative the best quote is
    # shown as one that may answer ("check the source"); below, the articles do not seem to answer.
    # With min_tentative >= min_confidence there is no tentative tier.
    min_confidence: float = 0.5
    min_tentative: float = 0.25

    def _check(self) -> None:
        super()._check()
        _require(self.backend in BACKENDS, "backend", self.backend, f"one of {', '.join(BACKENDS)}")
        _require(1 <= self.top_k <= 50, "top_k", self.top_k, "between 1 and 50")
        _require(self.max_answer_sentences >= 1, "max_answer_sentences", self.max_answer_sentences, "at least 1")
        _require(self.max_answer_words >= 5, "max_answer_words", self.max_answer_words, "at least 5")
        _require(self.max_question_chars >= 10, "max_question_chars", self.max_question_chars, "at least 10")
        _require(self.llm_timeout > 0, "llm_timeout", self.llm_timeout, "a positive number of seconds")
        _require(self.llm_context_tokens >= 256, "llm_context_tokens", self.llm_context_tokens, "at least 256")
        _require(0 < self.llm_max_new_tokens < self.llm_context_tokens, "llm_max_new_tokens",
                 self.llm_max_new_tokens, f"positive and under llm_context_tokens ({self.llm_context_tokens})")
        from qa.score import SCORERS

        _require(self.scorer in SCORERS, "scorer", self.scorer, f"one of {', '.join(SCORERS)}")
        for name in ("min_tentative", "min_confidence"):
            _require(0.0 <= getattr(self, name) <= 1.0, name, getattr(self, name), "between 0 and 1")

