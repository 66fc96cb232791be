"""One settings object for the user: the index's settings (`ingest.settings`) plus answering's.

Every field `name` can be set with `ARTICLES_QA_<NAME>` (e.g. `ARTICLES_QA_TOP_K=8`); each has its
bounds and description (`Settings.model_json_schema()`). Values are validated when the object is
built; the API key is a `SecretStr` (`settings.api_key.get_secret_value()`), never in `repr`.
Paths default to the project folder, so `ask()` works from any working directory.
"""
from __future__ import annotations

from pydantic import SecretStr

from ingest.settings import DEFAULT_EMBED_MODEL, ENV_PREFIX, PROJECT_ROOT, IndexSettings, _require, setting

__all__ = ["Settings", "BACKENDS", "DEFAULT_EMBED_MODEL", "ENV_PREFIX", "PROJECT_ROOT"]

BACKENDS = ("extractive", "llamacpp", "ollama", "openai")


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

    corroborate: bool = setting(True, "read who else reports each answer and who gives another value "
                                      "(qa.corroborate): outlets, copies, disagreements")

    def _check(self) -> None:
        super()._check()
        _require(self.backend in BACKENDS, "backend", self.backend, f"one of {', '.join(BACKENDS)}")
        _require(0 < self.llm_max_new_tokens < self.llm_context_tokens, "llm_max_new_tokens",
                 self.llm_max_new_tokens, f"positive and under llm_context_tokens ({self.llm_context_tokens})")
        from qa.score import SCORERS

        _require(self.scorer in SCORERS, "scorer", self.scorer, f"one of {', '.join(SCORERS)}")
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
    known = {name.upper() for name in cls.model_fields} | OTHER_VARIABLES
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

