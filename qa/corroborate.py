"""Who else reports the answer, and who reports it differently: corroboration and disagreement per answer.

For an answer's first quote, the other sentences of the index that answer the same question are read:
those of the retrieved paragraphs (all `REPORTED_HITS` of them, not only the `top_k` the answer chose from),
of the paragraphs BM25 finds for the answer's value ("4.5 hours", "Karasin"), and every exact copy of those
(`Para.copies`, the answer's `also_in`). The answer scorer (`qa.score`, the reader) scores the ones it has
not read yet that hold a value to compare and, in their sentence or paragraph, at least `FOCUS_MIN` of the
question's topic (at most `MAX_EXTRA`; each read costs milliseconds). A sentence **corroborates** when the reader prefers it to
"no answer" (probability >= `AGREE_MIN`) and it states the same value, read from the stored annotations
(`Para.units[..].mentions`): the same name (its key, "Lavrov" for "Sergei Lavrov"), the same number with the
same unit (by value: "four-and-a-half hours" is 4.5 hours), or the same resolved date (`qa.dates`). For
questions whose answer is no such value (what was said, why, how), only a near-copy of the sentence counts
(word-trigram Jaccard >= `SAME_SENTENCE`).

Reports are grouped by **outlet** (`qa.copies`): copies of one story (exact duplicates and near-duplicate wire
copies, MinHash over word shingles) are one source, named by the outlet one of them names; an article that names
no outlet is a source of its own. `Corroboration.summary` says "Reported by N outlets (M copies)": N sources,
M articles.

A **disagreement** is claimed only for "how many / how long / how much" answers, when another sentence the reader
also takes for an answer (>= `DIFFER_MIN`) states one quantity of the same unit and a different value, *and* the
two are shown to be about the same event: they are copies of one story (an update or correction), or both
sentences' dates resolve to the same day. Both reports are shown, the later publication first. A different
value that nothing ties to the same event (the 4.5-hour February meeting and the 12 hours of March talks) is
never called a contradiction: it is listed apart (`Found.other_values`) with its own date and outlet, so the
reader sees which refers to what.

Shapes: `corroborate(evidence, answer, scorer)` -> `Found` (frozen): `corroboration` (None when the answer
quotes nothing), `disagreements`, `other_values`. Errors: none of its own; the scorer's propagate.
Not handled: values stated across two sentences, units other than a number's next word ("17 injured" and
"14 people" are both counted as people through `PEOPLE`), disagreements about names or dates (two different
names usually mean two different people, not a contradiction), and contradictions no number states ("denied").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from reading.lexicon import PEOPLE_COUNTED, TIME_UNITS
from reading.numbers import values as number_values
from reading.text import fold, terms
from qa import copies
from qa.answer import Answer, Citation, Evidence
from qa.dates import dates_in, label, published_date
from qa.entities import name_key, name_keys
from qa.retrieve import Hit, Retrieval
from qa.score import Scorer, sigmoid
from qa.select import UNSCORED, Sentence, candidate, score_sentences

AGREE_MIN = 0.5  # the reader's probability that a corroborating sentence answers (it prefers it to "no answer")
DIFFER_MIN = 0.5  # the same bar for a sentence giving another value
SAME_SENTENCE = 0.6  # word-trigram Jaccard at which an untyped answer's sentence is the same report
MAX_EXTRA = 16  # sentences the reader reads for corroboration at most (two batches)
FOCUS_MIN = 0.5  # a sentence the reader has not read is read only when it or its paragraph holds half the topic
#                  (IDF-weighted share of the question's focus terms, `Sentence.focus`): each read costs 5-25 ms
VALUE_HITS = 8  # paragraphs BM25 adds for the answer's value
QUANTITY = ("number", "money", "percent", "duration")
NAMES = {"person": (("person",), ("name",)), "organisation": (("organisation",), ("name",)), "place": (("place",), ("name",))}
PEOPLE = frozenset(terms(" ".join(PEOPLE_COUNTED)))  # stemmed as the text is
_CORRECTION = re.compile(r"^\s*(?:correction|clarification|update|editor'?s note)\b", re.I)
_TIME_UNIT = re.compile(r"\b(" + "|".join(sorted(TIME_UNITS, key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True)
class Value:
    """A value a sentence states: `key` compares (("quantity", unit, value) / ("name", key) / ("date", iso)),
    `text` as written."""

    key: tuple
    text: str


@dataclass(frozen=True)
class Report:
    """One sentence of one article stating (or giving another value for) the answer.

    citation: its file, paragraph and quote (verbatim), publication and event dates; outlet: its story's outlet
    (None: no copy names one); story: its story's key (the first file of its copies); credits: agencies its
    article or sentence credits, as written; value: the value as written; probability: the reader's that it
    answers (0..1); own: it is the answer's own quote (or an exact copy of it); correction: its paragraph opens
    "Correction" / "Update"."""

    citation: Citation
    outlet: str | None
    story: str
    credits: tuple[str, ...] = ()
    value: str = ""
    probability: float = 0.0
    own: bool = False
    correction: bool = False


@dataclass(frozen=True)
class Source:
    """One outlet (or one story that names none) and its reports; `label` is what the page shows."""

    outlet: str | None
    label: str
    reports: list[Report] = field(default_factory=list)


@dataclass(frozen=True)
class Corroboration:
    """Who reports the answer: `outlets` sources, `copies` articles (the answer's own included)."""

    value: str
    outlets: int
    copies: int
    sources: list[Source] = field(default_factory=list)
    # agencies credited by two or more of the sources ("AFP"): those reports may not be independent
    common_credits: tuple[str, ...] = ()

    @property
    def beyond_own(self) -> bool:
        """Whether anything besides the answer's own article reports it (what the page and the CLI show)."""
        return self.outlets > 1 or self.copies > 1

    @property
    def summary(self) -> str:
        shared = f"; {', '.join(self.common_credits)} credited by several of them" if self.common_credits else ""
        return (f"Reported by {self.outlets} outlet{'s' if self.outlets != 1 else ''} "
                f"({self.copies} cop{'ies' if self.copies != 1 else 'y'}){shared}")


@dataclass(frozen=True)
class Disagreement:
    """Two or more values for the same question and event, later publication first; `basis` says why they are
    taken for the same event ("both place it on May 11, 2026", "copies of one story")."""

    reports: list[Report]
    basis: str


@dataclass(frozen=True)
class Found:
    corroboration: Corroboration | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    other_values: list[Report] = field(default_factory=list)


def values(para, start: int, end: int, answer_type: str, question: str) -> list[Value] | None:
    """The values of the asked-for kind that the span [start, end) of `para` states and the question does not;
    None for an answer type no value stands for (statement, reason, manner, thing, yes/no)."""
    unit = para.unit_at(start, end)
    mentions = unit.mentions if unit else ()
    asked = name_keys(question) | {n for _, n in number_values(question)}
    words = frozenset(w for w in re.findall(r"[a-z]+", fold(question)) if len(w) >= 4)
    out: list[Value] = []
    if answer_type == "number":
        for m in mentions:
            if m.kind in QUANTITY:
                text = para.text[m.start:m.end]
                found = sorted(v for kind, v in number_values(text) if kind == "n")
                if found and found[-1] not in asked:
                    out.append(Value(("quantity", _unit(para.text, m.kind, m.start, m.end), found[-1]), text))
    elif answer_type in NAMES:
        for kinds in NAMES[answer_type]:  # the typed names first ("Karasin"); a name of unknown type only without
            for m in mentions:
                key = name_key(para.text[m.start:m.end])
                if m.kind in kinds and key and not any(_same_name(key, a) for a in asked | words):
                    out.append(Value(("name", key), para.text[m.start:m.end]))
            if out:
                break
    elif answer_type == "date":
        out = [Value(("date", d.date, d.precision), d.text) for d in dates_in(para, start, end)
               if fold(d.text) not in fold(question)]
    else:
        return None
    return out


def _same_name(key, asked) -> bool:
    """A name the question already gives, as a name or its adjective: "Ukraine" for "Ukrainian", "Iran" for "Iranian"
    (one is the start of the other, four letters at least, or they share their first six)."""
    if not isinstance(asked, str) or not isinstance(key, str):
        return key == asked
    short, long = sorted((key, asked), key=len)
    return key == asked or (len(short) >= 4 and long.startswith(short)) or (len(short) >= 6 and long[:6] == short[:6])


def _unit(text: str, kind: str, start: int, end: int) -> str:
    """What a quantity counts: a duration's time unit ("hour"), "money", "percent", or the stemmed word after a
    number ("people" for the words of `PEOPLE`)."""
    if kind == "duration":
        m = _TIME_UNIT.search(text[start:end])
        return m.group(1).lower().rstrip("s") if m else "time"
    if kind in ("money", "percent"):
        return kind
    after = terms(" ".join(re.findall(r"[A-Za-z]+", text[end:end + 40])[:2]))
    word = after[0] if after else ""
    return "people" if word in PEOPLE else word


def corroborate(evidence: Evidence, answer: Answer, scorer: Scorer) -> Found:
    """Corroboration, disagreements and other values for `answer` (see the module's docstring)."""
    if not answer.citations or answer.tier != "answered":  # a tentative answer is not asserted: nothing to back
        return Found()
    corpus, analysis = evidence.corpus, evidence.analysis
    first = answer.citations[0]
    para = corpus.paragraph(first.file, first.paragraph)
    at = first.spans[0][0] if para is not None and first.spans else -1  # where the quote starts (compose's offsets)
    spans = [(u.start, u.end) for u in para.units if u.kind != "heading" and u.start <= at < u.end] if at >= 0 else []
    if not spans:
        return Found()
    a, b = spans[0]
    own = values(para, a, b, analysis.answer_type, evidence.question)
    own_sentence = Sentence(para.idx, a, b, para.text[a:b], 0.0, 0.0, 0.0, 0)
    own_value = own[0].text if own else " ".join(para.reading(a, b).split())
    mine = replace(_report(corpus, own_sentence, own_value, 1.0, own=True), citation=first)
    reports = [mine] + _copies(corpus, own_sentence, mine)
    differing: list[tuple[Sentence, Report]] = []
    if own != []:
        for s, theirs, same in _candidates(evidence, para, (a, b), own, scorer):
            prob = sigmoid(s.answer)
            if same and prob >= AGREE_MIN:
                r = _report(corpus, s, same, prob)
                reports += [r] + _copies(corpus, s, r)
            elif not same and prob >= DIFFER_MIN:
                differing.append((s, _report(corpus, s, theirs[0].text, prob)))
    stories = copies.stories(corpus, [r.citation.file for r in reports] + [r.citation.file for _, r in differing])
    corroboration = _group(own_value, [_in_story(r, stories) for r in reports])
    disagreements, other = _differences(corpus, own_sentence, mine, differing, stories)
    return Found(corroboration, disagreements, other)


def _candidates(evidence: Evidence, para, span: tuple[int, int], own: list[Value] | None, scorer: Scorer):
    """(sentence with the reader's logit, its values, the shared value as written or "") for each sentence of the
    pool that states the answer's value (or, untyped, nearly the same sentence), or, for a number, one other
    quantity of the same unit; the reader reads those it had not, at most `MAX_EXTRA`."""
    corpus, analysis = evidence.corpus, evidence.analysis
    keys = {v.key for v in own or ()}
    own_reading = copies.shingles(para.reading(*span), 3)
    kept = []
    for s in _pool(evidence, own):
        if s.para == para.idx and (s.start, s.end) == span:
            continue
        p = corpus.paras[s.para]
        theirs = values(p, s.start, s.end, analysis.answer_type, evidence.question)
        if own is None:
            near = copies.jaccard(copies.shingles(p.reading(s.start, s.end), 3), own_reading) >= SAME_SENTENCE
            same = " ".join(p.reading(s.start, s.end).split()) if near else ""
        else:
            same = next((v.text for v in theirs if v.key in keys), "")
        if same and _CORRECTION.match(p.text):
            continue  # a correction quotes the figure it retracts: never a corroboration
        differs = (not same and analysis.answer_type == "number" and len(own or ()) == 1 and len(theirs or ()) == 1
                   and theirs[0].key[:2] == own[0].key[:2])
        if (same or differs) and (s.answer > UNSCORED or s.focus >= FOCUS_MIN):
            kept.append((s, theirs, same))
    read = _scored([s for s, _, _ in kept], scorer, evidence)
    return [(s, theirs, same) for s, (_, theirs, same) in zip(read, kept)]


def _pool(evidence: Evidence, own: list[Value] | None) -> list[Sentence]:
    """Candidate sentences: every sentence of the retrieved paragraphs and of the paragraphs BM25 ranks first for
    the value's words, with lexical signals (`qa.select.score_sentences`); those the reader read keep its logit."""
    corpus = evidence.corpus
    hits = list(evidence.retrieval.hits)
    seen = {h.para for h in hits}
    words = terms(" ".join(v.text for v in own or ()))
    if words:
        scores = corpus.get_scores(words)
        for j in np.argsort(-scores)[:VALUE_HITS]:
            para = int(corpus.answerable[j])
            if scores[j] > 0 and para >= 0 and para not in seen:
                seen.add(para)
                hits.append(Hit(para, 0.0, 0.0, float(scores[j])))
    weights = {t: 1.0 for t in terms(evidence.query)}
    found = score_sentences(corpus, Retrieval(hits, evidence.retrieval.chunk_sims), weights, evidence.analysis)
    read = {(s.para, s.start, s.end): s.answer for s in evidence.sentences if s.answer > UNSCORED}
    return [replace(s, answer=read.get((s.para, s.start, s.end), UNSCORED)) for s in found]


def _scored(pool: list[Sentence], scorer: Scorer, evidence: Evidence) -> list[Sentence]:
    """The pool with the reader's logit for up to `MAX_EXTRA` sentences it had not read (best lexical first);
    the rest stay unscored (and so never corroborate)."""
    todo = [i for i, s in enumerate(pool) if s.answer <= UNSCORED][:MAX_EXTRA]
    if not todo:
        return pool
    logits = scorer.score(evidence.analysis.question, [candidate(evidence.corpus, pool[i]) for i in todo])
    out = list(pool)
    for i, x in zip(todo, logits):
        out[i] = replace(out[i], answer=round(float(x), 4))
    return out


def _report(corpus, s: Sentence, value: str, probability: float, *, own: bool = False) -> Report:
    from qa.compose import _citation

    para = corpus.paras[s.para]
    citation = _citation(corpus, s.para, [s]) if s.end > s.start else None
    credits = copies.sentence_credits(para.text[s.start:s.end]) + copies.article_credits(corpus, para.file)
    return Report(citation, corpus.files.get(para.file, {}).get("outlet"), para.file, tuple(dict.fromkeys(credits)),
                  value, round(probability, 4), own, bool(_CORRECTION.match(para.text)))


def _copies(corpus, s: Sentence, report: Report) -> list[Report]:
    """The same sentence in each exact copy of its paragraph (`Para.copies`), as reports of their own."""
    from qa.compose import _citation

    out = []
    for idx in corpus.paras[s.para].copies:
        copy = corpus.paras[idx]  # the same text: the sentence's offsets hold; its own date, headline and page
        out.append(replace(report, citation=_citation(corpus, idx, [s]), story=copy.file,
                           outlet=corpus.files.get(copy.file, {}).get("outlet"),
                           credits=tuple(dict.fromkeys(copies.sentence_credits(report.citation.quote)
                                                       + copies.article_credits(corpus, copy.file)))))
    return out


def _in_story(r: Report, stories: dict[str, copies.Story]) -> Report:
    story = stories[r.citation.file]
    return replace(r, story=story.key, outlet=story.outlet,
                   credits=tuple(dict.fromkeys(r.credits + story.credits)))


def _group(value: str, reports: list[Report]) -> Corroboration:
    """Reports by outlet (a story naming none is a source of its own), the answer's source first."""
    sources: dict[str, list[Report]] = {}
    for r in reports:
        sources.setdefault(r.outlet or f"story:{r.story}", []).append(r)
    out = []
    for rs in sources.values():
        outlet = rs[0].outlet
        head = rs[0].citation.headline or rs[0].citation.file
        out.append(Source(outlet, outlet or f"an article naming no outlet ({head})", rs))
    files = {r.citation.file for r in reports}
    credited = [copies.agencies(c for r in s.reports for c in r.credits) for s in out]
    common = tuple(sorted(a for a in set().union(*credited) if sum(a in c for c in credited) > 1)) if credited else ()
    return Corroboration(value, len(out), len(files), out, common)


def _differences(corpus, own: Sentence, mine: Report, differing: list[tuple[Sentence, Report]],
                 stories: dict[str, copies.Story]) -> tuple[list[Disagreement], list[Report]]:
    """Other values split into disagreements (shown to be the same event) and the rest."""
    mine = _in_story(mine, stories)
    own_days = {d.date for d in dates_in(corpus.paras[own.para], own.start, own.end) if d.precision == "day"}
    claimed: list[Report] = []
    bases: list[str] = []
    other: list[Report] = []
    seen: set[tuple[str, str]] = set()
    for s, r in differing:
        r = _in_story(r, stories)
        if (r.story, r.value) in seen:
            continue
        seen.add((r.story, r.value))
        days = {d.date for d in dates_in(corpus.paras[s.para], s.start, s.end) if d.precision == "day"}
        if r.story == mine.story and (r.correction or mine.correction):
            claimed.append(r)
            bases.append("a correction in the article")
        elif r.citation.file == mine.citation.file:
            other.append(r)  # one article giving two figures speaks of two things unless it corrects itself
        elif r.story == mine.story:  # two versions of one story
            claimed.append(r)
            bases.append("copies of one story")
        elif own_days & days:
            claimed.append(r)
            bases.append(f"both place it on {label(min(own_days & days))}")
        else:
            other.append(r)
    if not claimed:
        return [], other
    ordered = sorted([mine] + claimed, key=_later_first)
    return [Disagreement(ordered, "; ".join(dict.fromkeys(bases)))], other


def _later_first(r: Report) -> tuple:
    published = published_date(r.citation.published)
    return (not r.correction, -(published.toordinal() if published else 0), r.citation.file, r.citation.paragraph)
