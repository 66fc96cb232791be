"""Generative answers from any LLM, with every sentence checked against its sources.

The LLM sees the user's question as asked, the standalone question that was searched, and the
retrieved paragraphs as numbered, delimited sources (`qa.prompt`); its answer is split into
sentences and each one is kept only if the paragraph it cites supports it, else re-cited to one
that does, else removed (`qa.check`); `Answer.checked` counts each outcome. While streaming, a
sentence is checked once, when the next one has begun; the sources' sentences are embedded once
per answer. If nothing supported remains, or the backend fails or times out, the extractive
answer is returned instead, and `Answer.notes` says why.

Not handled: a model that answers in another language than the articles' (nothing it writes
would pass the check, so the extractive answer stands in).
"""
from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator

from qa.answer import Answer, Evidence
from qa.check import SupportChecker, previous_paragraph, split_generated
from qa.compose import ExtractiveAnswerer, cite
from reading.text import terms
from qa.condense import Standalone, check_rewrite, is_follow_up, standalone_query
from qa.prompt import build_prompt, sources_of
from qa.select import Sentence
from qa.settings import Settings

log = logging.getLogger("articles_qa.llm")
_NOT_FOUND = re.compile(r"not in the articles", re.IGNORECASE)
CONDENSE = """Rewrite the last question so that it can be understood without the conversation.
Keep names and facts from the conversation that the question refers to. Reply with the question only.

Conversation:
{conversation}
Last question: {question}
Standalone question:"""


class LLMCondenser:
    """The `qa.stages.Condenser` of an LLM backend: follow-ups rewritten by the model, used only when the
    rewrite keeps every name the rules resolved (`check_rewrite`); the rules' `Standalone` otherwise, and
    for questions that are no follow-up, a fresh chat, or a question to ask back."""

    def __init__(self, llm, tuning=None):
        self.llm = llm
        self.tuning = tuning  # qa.settings.CondensingTuning of the rules it checks against

    def condense(self, question: str, history: list[dict[str, str]], *, corpus=None) -> Standalone:
        rules = standalone_query(question, history, corpus=corpus, tuning=self.tuning)
        if not history or rules.clarify or not is_follow_up(question):
            return rules
        turns = "\n".join(f"{m['role']}: {m['content']}" for m in history[-4:])
        try:
            rewritten = self.llm.complete(CONDENSE.format(conversation=turns, question=question)).text.strip()
        except Exception as e:  # the backend's own errors vary; the fallback keeps working
            log.warning("condensing with the LLM failed (%s); using the rule-based query", e)
            return rules
        rewritten = rewritten.split("\n")[0].strip()
        if not 3 <= len(rewritten) <= 4 * len(rules.query) + 50 or not check_rewrite(rewritten, rules):
            return rules
        return dataclasses.replace(rules, question=rewritten, context="",
                                   weights={**rules.weights, **dict.fromkeys(terms(rewritten), 1.0)})


class GenerativeAnswerer:
    def __init__(self, settings: Settings, llm, embedder_fn, name: str | None = None):
        self.settings = settings
        self.llm = llm
        self.embedder_fn = embedder_fn  # the MiniLM model, for the support check
        self.name = name or settings.backend  # shown in Answer.backend
        self.fallback = ExtractiveAnswerer(settings)

    def answer(self, evidence: Evidence) -> Answer:
        *_, final = self.answer_stream(evidence)
        return final

    def answer_stream(self, evidence: Evidence) -> Iterator[Answer]:
        """Checked sentences as the model writes them; the last answer yielded is final."""
        prompt = build_prompt(
            evidence.question, sources_of(evidence.corpus, evidence.retrieval.hits[: self.settings.top_k]),
            context_tokens=self.settings.llm_context_tokens, answer_tokens=self.settings.llm_max_new_tokens,
            standalone=evidence.query)
        if not prompt.sources:
            yield self._fallback(evidence, [])
            return
        checker = SupportChecker(prompt.sources, self.embedder_fn(), previous_paragraph(evidence.corpus))
        generated, complete, shown = "", 0, 0  # text so far, sentences finished, sentences kept
        try:
            for chunk in self.llm.stream_complete(prompt.text):
                generated += chunk.delta or ""
                if _NOT_FOUND.search(generated[:40]):
                    continue
                finished = split_generated(generated)[:-1]  # the last one may still grow
                if len(finished) > complete:
                    complete = len(finished)
                    result = checker.check_pairs(finished)  # judges only the sentences not judged yet
                    if len(result.kept) > shown:
                        shown = len(result.kept)
                        yield self._compose(result, prompt, evidence)
        except Exception as e:  # unreachable server, timeout, model error: say so and answer without it
            yield self._fallback(evidence, [f"the {self.name} backend failed ({type(e).__name__}: {e})"])
            return
        yield self._final(generated.strip(), prompt, evidence, checker)

    def _final(self, generated: str, prompt, evidence: Evidence, checker: SupportChecker) -> Answer:
        if _NOT_FOUND.search(generated[:40]):
            extractive = self.fallback.answer(evidence)
            if not extractive.answered:
                return dataclasses.replace(extractive, backend=self.name)
            return _with_notes(extractive, [f"the {self.name} backend found no answer; these sentences are quoted instead"])
        result = checker.check(generated)
        if not result.kept:
            answer = self._fallback(evidence, result.removed + [f"no sentence from the {self.name} backend was supported"])
            return dataclasses.replace(answer, checked=result.counts)
        return self._compose(result, prompt, evidence)

    def _compose(self, result, prompt, evidence: Evidence) -> Answer:
        """The model's checked sentences, each cited to the source sentence that supports it."""
        sentences = [
            Sentence(para=prompt.sources[c.source].idx, start=c.quote_span[0], end=c.quote_span[1], text=c.text,
                     score=c.semantic, coverage=c.lexical, dense=c.semantic, rank=c.source)
            for c in result.kept
        ]
        text, citations, shown = cite(evidence.corpus, sentences)
        return Answer(text=text, citations=citations, answered=True, backend=self.name, notes=result.removed,
                      sentences=shown, checked=result.counts, answer_type=evidence.analysis.answer_type)

    def _fallback(self, evidence: Evidence, notes: list[str]) -> Answer:
        answer = self.fallback.answer(evidence)
        return _with_notes(answer, notes + ["answered by the extractive answerer instead"],
                           backend=f"extractive (fallback from {self.name})")


def _with_notes(answer: Answer, notes: list[str], backend: str | None = None) -> Answer:
    return dataclasses.replace(answer, notes=list(answer.notes) + notes, backend=backend or answer.backend)


def make_answerer(settings: Settings, embedder_fn):
    """The `qa.stages.Answerer` the settings name: extractive, or generative over `settings.backend`'s LLM."""
    if settings.backend == "extractive":
        return ExtractiveAnswerer(settings)
    from qa.llm import load_llm

    return GenerativeAnswerer(settings, load_llm(settings), embedder_fn)


def make_condenser(settings: Settings, answerer):
    """The `qa.stages.Condenser` that goes with `answerer`: the LLM's rewrite for a generative answerer (its
    model, loaded once), the rules otherwise; both with `settings.condensing`."""
    from qa.condense import RulesCondenser

    if isinstance(answerer, GenerativeAnswerer):
        return LLMCondenser(answerer.llm, settings.condensing)
    return RulesCondenser(settings.condensing)
