"""A timeline: the dated quotes about a person, place or topic, in the order the events happened.

`topic(question)` recognises "Timeline of the talks", "chronology of X", "timeline for X"; `timeline(corpus,
retriever, topic)` answers it. Nothing in a timeline is generated: every line is a sentence quoted verbatim
from a retrieved paragraph (its relative dates followed by the resolved date in brackets, our words, as in every
answer: `qa.dates`), cited like any quote. A sentence is in it when it names the topic (a stemmed topic word in
the sentence), or when it is dated and its paragraph names the topic. Dated entries (`Entry.date`: the quote's
event date, `qa.dates.event_date`) come in event order, a coarser period (a week, a year) before the days it
holds; sentences without a date that resolves are listed apart (`date` None), in retrieval order, at most
`MAX_UNDATED`. The same sentence in two copies of an article is listed once (its citation lists the copies).

Shapes: `Answer.timeline` is a list of `Entry` (the quote as shown, its citation number, date, precision, label);
`Answer.sentences` and `Answer.text` hold the dated entries only. Not handled: ordering within one day (text
order), events dated only by a clock time, a topic that no sentence names in words the stemmer shares
("negotiations" for "talks").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reading.text import norm_key, term_set, terms
from qa.answer import Answer
from qa.dates import dates_by_unit, event_date
from qa.select import Sentence, usable

PARAGRAPHS = 20  # paragraphs retrieved for a topic
MAX_DATED = 20
MAX_UNDATED = 8
_TIMELINE = re.compile(r"^\s*(?:(?:show|give|make|list|build)\s+(?:me\s+|us\s+)?)?(?:an?\s+|the\s+)?"
                       r"(?:timeline|chronology|sequence of events)\b\s*(?:of|for|about|on|around)?\s*(?P<topic>.*?)"
                       r"[\s?.!]*$", re.I)


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: `text` the quote as shown (verbatim but for bracketed dates of ours), `citation`
    1-based into `Answer.citations`; `date` ISO of the event's day (or period's first day), `precision` "day" |
    "week" | "month" | "year", `label` the date as shown; all three None for an undated entry."""

    text: str
    citation: int
    date: str | None = None
    precision: str | None = None
    label: str | None = None


def topic(question: str) -> str | None:
    """The topic of a timeline question ("the talks" for "Timeline of the talks"; "" for "Timeline"), else None."""
    m = _TIMELINE.match(question)
    return m.group("topic").strip() if m else None


def timeline(corpus, retriever, about: str) -> Answer:
    """The timeline of `about` over the retrieved paragraphs (see the module's docstring)."""
    from qa.compose import cite

    wanted = set(terms(about))
    hits = retriever.retrieve(about or "events", k=PARAGRAPHS).hits
    dated, undated, seen = [], [], set()
    for hit in hits:
        para = corpus.paras[hit.para]
        if para.boilerplate:
            continue
        in_paragraph = not wanted or bool(wanted & term_set(para.text))
        dated_units = dates_by_unit(para)
        for unit in para.units:
            text = para.text[unit.start:unit.end]
            if unit.kind not in ("sentence", "item") or not usable(unit.reading) or norm_key(text) in seen:
                continue
            named = not wanted or bool(wanted & term_set(unit.reading))
            when = event_date(dated_units.get((unit.start, unit.end), []))
            if not (named or (when and in_paragraph)):
                continue
            seen.add(norm_key(text))
            sentence = Sentence(para.idx, unit.start, unit.end, text, hit.score, 0.0, hit.dense, 0)
            if when:
                dated.append((when.key, para.file, para.number, unit.start, sentence, when))
            elif named:
                undated.append((sentence, None))
    dated.sort(key=lambda x: x[:4])
    chosen = [(s, when) for *_, s, when in dated[:MAX_DATED]] + undated[:MAX_UNDATED]
    if not dated:
        return Answer(text=f"No sentence I found about {about or 'the articles'} states a date I can place.",
                      citations=[], answered=False, answer_type="timeline", tier="refused")
    _, citations, sentences = cite(corpus, [s for s, _ in chosen])
    entries = [Entry(shown.text, shown.citation, when.date if when else None, when.precision if when else None,
                     when.label if when else None) for shown, (_, when) in zip(sentences, chosen)]
    shown = sentences[:len(dated[:MAX_DATED])]
    return Answer(text=" ".join(f"{a.text} [{a.citation}]" for a in shown), citations=citations, answered=True,
                  sentences=shown, answer_type="timeline", tier="answered", timeline=entries,
                  notes=[f"{len(shown)} dated quotes in event order; {len(entries) - len(shown)} undated listed apart"])
