"""One settings object for the user: the index's settings (`ingest.settings`) plus answering's.

Every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g. `ARTICLES_QA_TOP_K=8`); each has its
bounds and description (`Settings.model_json_schema()`). Values are validated when the object is
built; the API key is a `SecretStr` (`settings.api_key.get_secret_value()`), never in `repr`.
Paths default to the project folder, so `ask()` works from any working directory.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ingest.settings import DEFAULT_EMBED_MODEL, ENV_PREFIX, PROJECT_ROOT, IndexSettings, _require, setting

__all__ = ["Settings", "BACKENDS", "DEFAULT_EMBED_MODEL", "ENV_PREFIX", "PROJECT_ROOT", "RetrievalTuning",
           "SelectionTuning", "AnsweringTuning", "CondensingTuning"]

BACKENDS = ("extractive", "llamacpp", "ollama", "openai")


class _Group(BaseModel):
    """A group of tuning values: frozen (settings are dictionary keys), unknown names refused. Each field's
    description says what it does and where its value was measured or chosen. Set one with
    `ARTICLES_QA_<GROUP>__<NAME>` (e.g. `ARTICLES_QA_ANSWERING__KEEP_RATIO=0.8`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievalTuning(_Group):
    dense_weight: float = Field(0.7, ge=0.0, le=1.0, description=(
        "share of the dense (MiniLM) score in the fused retrieval score, the rest BM25; measured on the SQuAD "
        "slice (docs/quality.md): 0.0 -> hit@1 0.71, 0.7 -> 0.75, 1.0 -> 0.65"))


class SelectionTuning(_Group):
    w_coverage: float = Field(0.30, ge=0.0, le=1.0, description=(
        "weight of IDF coverage in a sentence's lexical score (with w_dense and w_paragraph; they sum to 1); "
        "the three chosen on the SQuAD slice (docs/quality.md: bigrams and per-sentence vectors moved "
        "first-citation accuracy by under 0.01)"))
    w_dense: float = Field(0.40, ge=0.0, le=1.0, description="weight of the sentence's chunk similarity (see w_coverage)")
    w_paragraph: float = Field(0.30, ge=0.0, le=1.0, description="weight of its paragraph's retrieval score "
                                                                   "(see w_coverage)")
    max_sentences: int = Field(60, ge=1, le=10_000, description=(
        "sentences of one paragraph read as candidates; a longer paragraph (a megabyte line) is read only around "
        "its three best chunks (issue 20: bounded cost per question)"))
    headline_answers: tuple[str, ...] = Field(("date", "number"), description=(
        "answer types for which an article's headline is a candidate answer (issue 24: 'when' and 'how many' "
        "answered by the headline only); measured on data/conversations.jsonl, where 'who' headlines quoted a "
        "title-case headline as a person"))


class AnsweringTuning(_Group):
    keep_ratio: float = Field(0.85, ge=0.0, le=1.0, description=(
        "a further quote must score (as the reader's probability) at least this share of the best one; chosen "
        "with the answers of data/questions.jsonl (docs/quality.md, answer length)"))
    list_ratio: float = Field(0.70, ge=0.0, le=1.0, description=(
        "the same share for list questions, for a sentence that adds items not yet named; chosen on the list "
        "questions of data/questions.jsonl (docs/quality.md)"))
    further_min: float = Field(0.5, ge=0.0, le=1.0, description=(
        "a further quote must itself answer: the reader prefers it to its 'no answer' option (probability 0.5, "
        "the reader's null logit)"))
    closest: int = Field(3, ge=0, le=20, description="passages shown with a refusal as the closest, not an answer")


class CondensingTuning(_Group):
    history_weight: float = Field(0.5, ge=0.0, le=1.0, description=(
        "weight of the earlier question's words when a follow-up leans on it ('When did it happen?'); the "
        "follow-up's own words weigh 1; chosen on data/conversations.jsonl (docs/quality.md, follow-ups)"))


class Settings(IndexSettings):
    top_k: int = setting(5, "paragraphs handed from retrieval to sentence selection", ge=1, le=50,
                         valid="between 1 and 50")
    scored_candidates: int = setting(16, "candidate sentences the answer scorer reads per question, best by lexical "
                                         "score (the reader's cost grows with it: docs/performance.md)", ge=1, le=64,
                                     valid="between 1 and 64")
    max_answer_sentences: int = setting(3, "sentences an answer quotes at most", ge=1, le=100,
                                        valid="at least 1 (and at most 100)")
    max_answer_words: int = setting(80, "words an answer holds at most", ge=5, le=10_000,
                                    valid="at least 5 (and at most 10000)")
    max_question_chars: int = setting(2000, "characters a question may have", ge=10, le=1_000_000,
                                      valid="at least 10 (and at most 1000000)")
    backend: str = setting("extractive", 'who writes answers: "extractive" (default, no LLM), "llamacpp" '
                                         '(model = a GGUF path), "ollama" (model = a model name, api_base = its '
                                         'URL), "openai" (any OpenAI-compatible server)')
    model: str = setting("", "the LLM: a GGUF path (llamacpp) or a model name (ollama, openai)")
    api_base: str = setting("", "the URL of an ollama or OpenAI-compatible server")
    api_key: SecretStr = setting(SecretStr(""), "the API key of an OpenAI-compatible server", repr=False)
    llm_timeout: float = setting(120.0, "seconds before an LLM backend counts as unreachable", gt=0, le=86_400,
                                 valid="a positive number of seconds")
    llm_context_tokens: int = setting(2048, "the model's context window; the prompt is cut to fit", ge=256,
                                      le=10_000_000, valid="at least 256")
    llm_max_new_tokens: int = setting(256, "tokens an LLM may write per answer", gt=0)
    scorer: str = setting("reader", 'the answer scorer (qa.score): "reader" (the shipped cross-encoder), '
                                     '"learned" (the earlier logistic model), "lexical" (no model)')
    min_confidence: float = setting(0.6, "at or above this calibrated confidence an answer is given "
                                         "(docs/quality.md: the risk-coverage trade-off of each tier)",
                                    ge=0.0, le=1.0, valid="between 0 and 1")
    min_tentative: float = setting(0.4, "at or above this (and under min_confidence) the best quote is shown as "
                                         "one that may answer; below, the articles do not seem to answer",
                                   ge=0.0, le=1.0, valid="between 0 and 1")
    retrieval: RetrievalTuning = setting(RetrievalTuning(), "retrieval's tuning (qa.retrieve)")
    selection: SelectionTuning = setting(SelectionTuning(), "sentence selection's tuning (qa.select)")
    answering: AnsweringTuning = setting(AnsweringTuning(), "the extractive answer's tuning (qa.compose)")
    condensing: CondensingTuning = setting(CondensingTuning(), "follow-ups' tuning (qa.condense)")

    corroborate: bool = setting(True, "read who else reports each answer and who gives another value "
                                      "(qa.corroborate): outlets, copies, disagreements")

    def _check(self) -> None:
        super()._check()
        _require(self.backend in BACKENDS, "backend", self.backend, f"one of {', '.join(BACKENDS)}")
        _require(0 < self.llm_max_new_tokens < self.llm_context_tokens, "llm_max_new_tokens",
                 self.llm_max_new_tokens, f"positive and under llm_context_tokens ({self.llm_context_tokens})")
        from qa.score import SCORERS

        _require(self.scorer in SCORERS, "scorer", self.scorer, f"one of {', '.join(SCORERS)}")
        weights = self.selection.w_coverage + self.selection.w_dense + self.selection.w_paragraph
        _require(abs(weights - 1.0) < 1e-6, "selection", weights, "w_coverage + w_dense + w_paragraph = 1")
        # the tentative tier lies between the two cuts; a min_tentative set above min_confidence would make it
        # silently vanish (issue 28). Lowering min_confidence alone (0: answer everything) stays allowed.
        _require("min_tentative" not in self.model_fields_set or self.min_tentative <= self.min_confidence,
                 "min_tentative", self.min_tentative, f"at most min_confidence ({self.min_confidence})")

    @classmethod
    def from_env(cls, environ=None, **overrides):
        """As `IndexSettings.from_env`, and a warning (logger `articles_qa.settings`, once per name and process)
        for each `ARTICLES_QA_*` variable that is no setting, naming the nearest one: a misspelled
        `ARTICLES_QA_TOPK=8` was silently ignored (issue 28)."""
        import os

        warn_unknown_variables(os.environ if environ is None else environ, cls)
        return super().from_env(environ, **overrides)


# ARTICLES_QA_ variables that are not settings fields: the fast tier's speaker rules, the browser test's
# screenshots, the CLIs' tracebacks, the trainer's threads
OTHER_VARIABLES = frozenset({"SPEAKERS", "SCREENSHOTS", "TRACEBACK", "TRAIN_THREADS"})
_warned: set[str] = set()


def warn_unknown_variables(environ, cls=None) -> list[str]:
    """The `ARTICLES_QA_*` names in `environ` that are neither a field of `cls` (default `Settings`) nor one of
    OTHER_VARIABLES; each is logged once per process with the nearest setting's variable."""
    import difflib
    import logging

    cls = cls or Settings
    known = {name.upper() for name in cls.model_fields} | OTHER_VARIABLES | {
        f"{name.upper()}__{sub.upper()}" for name, field in cls.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        for sub in field.annotation.model_fields}
    unknown = sorted(k for k in environ if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):] not in known)
    for key in unknown:
        if key in _warned:
            continue
        _warned.add(key)
        near = difflib.get_close_matches(key[len(ENV_PREFIX):], sorted(known - OTHER_VARIABLES), n=1, cutoff=0.6)
        hint = f"; did you mean {ENV_PREFIX}{near[0]}?" if near else ""
        logging.getLogger("articles_qa.settings").warning(
            "warning: %s is not a setting and is ignored%s",
            key, hint)
    return unknown

