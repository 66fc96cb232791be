"""The stages of answering a question, as typed interfaces (haystack's components, spaCy's pipes): one
module, so a question's walk enters each stage once and no stage module imports another to call it.

    question, chat ─▶ Condenser ─▶ Standalone ─▶ (analysis) ─▶ Retriever ─▶ Retrieval
        ─▶ (sentence selection) ─▶ Scorer ─▶ Evidence ─▶ Answerer ─▶ Answer

`qa.pipeline.Pipeline(condenser=…, retriever=…, scorer=…, answerer=…)` takes any object with these methods;
the defaults are made from the settings: `qa.condense.RulesCondenser` (an LLM backend:
`qa.generate.LLMCondenser`), `qa.retrieve.HybridRetriever` over the newest commit, the scorer
`Settings.scorer` names (`qa.score.load_scorer`), and `qa.compose.ExtractiveAnswerer` (an LLM backend:
`qa.generate.GenerativeAnswerer`). Each protocol says what the stage reads and writes; none of them calls
another stage (the pipeline does).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from ingest.corpus import Corpus
    from qa.answer import Answer, Evidence
    from qa.condense import Standalone
    from qa.retrieve import Retrieval
    from qa.score import Candidate


@runtime_checkable
class Condenser(Protocol):
    """Reads the question and the chat so far (messages {"role", "content"}, oldest first) and, optionally,
    the corpus (to tell who is who from the articles); writes a `Standalone`: the question as it stands
    alone, what is searched (`query`), what the previous answer gave, or a question to ask back (`clarify`).
    Never searches the articles' text itself."""

    def condense(self, question: str, history: list[dict[str, str]], *, corpus: Corpus | None = None) -> Standalone:
        ...


@runtime_checkable
class Retriever(Protocol):
    """Reads a query (the standalone question, with the chat's context words) and writes the `Retrieval`:
    the `k` best paragraphs of `corpus` (fused dense and lexical scores, best first) and the similarity of
    each chunk it read. `corpus` is the committed index it searches."""

    corpus: Corpus

    def retrieve(self, query: str, *, k: int) -> Retrieval:
        ...


@runtime_checkable
class Scorer(Protocol):
    """Reads the question and N candidate sentences (`qa.score.Candidate`: the sentence, the one before, the
    headline, the lexical signals) and writes one logit per candidate (float32, shape (N,)); higher: more
    likely to answer. Errors: `ScorerUnavailableError` when its model file is missing or mismatched."""

    name: str

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        ...


@runtime_checkable
class Answerer(Protocol):
    """Reads the `Evidence` (the question, what was searched, the retrieval, the scored sentences with their
    stored units, the question's analysis) and writes the `Answer` (text, citations with spans, tier,
    confidence). `answer_stream` yields the answer as it grows; its last item is the final answer."""

    name: str

    def answer(self, evidence: Evidence) -> Answer:
        ...

    def answer_stream(self, evidence: Evidence) -> Iterator[Answer]:
        ...
