"""The extractive answerer: an answer made only of sentences from the articles.

Every word of the answer is a sentence cut verbatim from a cited paragraph, so
nothing can be presented as coming from the articles that is not in them. The
best-supported sentence comes first; up to two more follow only when they are
nearly as strong (never to pad), and no sentence is repeated, even when two
articles carry the same text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer import Answer, Citation
from qa.corpus import Corpus
from qa.retrieve import Retrieval
from qa.select import Sentence
from qa.settings import Settings
from qa.text import norm_key

NOT_FOUND = "The articles do not say. I found no passage that answers this question."
KEEP_RATIO = 0.85  # a further sentence must score at least this share of the best one


@dataclass(frozen=True)
class Evidence:
    """What the answering step gets: the question, what was searched, and the scored sentences."""

    question: str
    query: str
    history: list[dict[str, str]]
    retrieval: Retrieval
    sentences: list[Sentence]
    corpus: Corpus


def support(sentence: Sentence) -> float:
    """How well one sentence answers the question: lexical coverage and meaning alike."""
    return 0.5 * sentence.coverage + 0.5 * sentence.dense


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings):
        self.settings = settings

    def answer(self, evidence: Evidence) -> Answer:
        unknown = evidence.corpus.unknown_names(evidence.question)
        if unknown:
            return refusal(f"The articles do not mention {', '.join(unknown)}, so they cannot answer this.")
        sentences = evidence.sentences
        required = answer_filter(evidence.question)
        if required:
            sentences = [s for s in sentences if required(s.text)]
        chosen = self.choose(sentences)
        if not chosen:
            return refusal()
        text, citations = cite(evidence.corpus, chosen)
        return Answer(text=text, citations=citations, answered=True, backend=self.name)

    def choose(self, sentences: list[Sentence]) -> list[Sentence]:
        if not sentences or support(sentences[0]) < self.settings.min_support:
            return []
        best = sentences[0]
        chosen, seen, n_words = [best], {norm_key(best.text)}, len(best.text.split())
        for s in sentences[1:]:
            if len(chosen) >= self.settings.max_answer_sentences or s.score < KEEP_RATIO * best.score:
                break
            key = norm_key(s.text)
            words = len(s.text.split())
            if key in seen or n_words + words > self.settings.max_answer_words:
                continue
            if support(s) < self.settings.min_support:
                continue
            chosen.append(s)
            seen.add(key)
            n_words += words
        return chosen


def cite(corpus: Corpus, sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    """Answer text with a marker after each sentence, and one citation per paragraph used."""
    order: list[int] = []
    spans: dict[int, list[Sentence]] = {}
    parts = []
    for s in sentences:
        if s.para not in spans:
            order.append(s.para)
            spans[s.para] = []
        spans[s.para].append(s)
        parts.append(f"{' '.join(s.text.split())} [{order.index(s.para) + 1}]")
    citations = []
    for para_idx in order:
        para = corpus.paras[para_idx]
        quoted = sorted(spans[para_idx], key=lambda s: s.start)
        citations.append(Citation(
            file=para.file,
            paragraph=para.number,
            text=para.text,
            quote=quote_spans(para.text, [(s.start, s.end) for s in quoted]),
            headline=para.headline,
            published=para.published,
            score=round(max(support(s) for s in quoted), 4),
            also_in=[f"{c.file} ¶{c.number}" for c in corpus.copies_of(para_idx)],
        ))
    return " ".join(parts), citations


def quote_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Verbatim: adjacent sentences as one span, gaps marked with an ellipsis."""
    pieces: list[list[int]] = []
    for start, end in spans:
        if pieces and not text[pieces[-1][1] : start].strip():
            pieces[-1][1] = end
        else:
            pieces.append([start, end])
    return " … ".join(text[a:b] for a, b in pieces)


def refusal(text: str = NOT_FOUND) -> Answer:
    return Answer(text=text, citations=[], answered=False, backend="extractive")


_QUANTITY_QUESTION = re.compile(
    r"\b(how (many|much|old|long|far|often)|what (year|percentage|percent|age|number|amount)|which year)\b", re.I)
_WHEN_QUESTION = re.compile(r"\b(when|what (date|day|time))\b", re.I)
_QUANTITY = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|trillion|dozen|half|once|twice|several|few)s?\b", re.I)
_WHEN = re.compile(
    r"\d|\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|week|month|year|"
    r"ago|earlier|later|before|after|since|until)s?\b", re.I)


def answer_filter(question: str):
    """"How many / how long" need a quantity, "when" a time; a sentence without one does not answer them."""
    if _QUANTITY_QUESTION.search(question):
        return _QUANTITY.search
    if _WHEN_QUESTION.search(question):
        return _WHEN.search
    return None
