"""Score every sentence of the retrieved paragraphs as an answer to the question.

A sentence's score mixes three signals, each in 0..1:
- coverage: the IDF-weighted share of the question's terms it contains (names, numbers);
- dense: the cosine similarity of the chunk it sits in (paraphrases);
- paragraph: the fused retrieval score of its paragraph (context around it).
Two more facts about each sentence come from the question analysis (`qa.analyze`):
- holds: it holds the kind of thing asked for (a new name for "who", a time for "when", ...);
- focus: the IDF-weighted share of the question's terms found in the sentence, its paragraph or
  the article's headline and date (a sentence may answer what its paragraph is about).
Sentences that are not prose (headings), credits, or instructions to an AI are never candidates.
Boilerplate (an author bio, an appeal) is a candidate only for questions that name what it names.

`rank` then reads the best `Settings.scored_candidates` candidates with the answer scorer (`qa.score`): each gets
`answer`, the scorer's logit that it answers the question, and the list is ordered by it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ingest.boilerplate import is_credit, is_instruction, is_prose
from ingest.corpus import Corpus, Para
from reading import Unit, sentence_spans
from reading.numbers import amounts
from reading.text import term_set
from qa.analyze import Analysis, holds_answer, holds_answer_unit
from qa.retrieve import Hit, Retrieval
from qa.score import Candidate, Scorer
from qa.settings import RetrievalTuning, SelectionTuning

UNSCORED = -30.0  # the logit of a sentence the scorer did not read


@dataclass(frozen=True)
class Sentence:
    para: int
    start: int
    end: int
    text: str
    score: float
    coverage: float
    dense: float
    rank: int  # rank of its paragraph in retrieval, 0-based
    holds: bool = True  # holds the kind of answer the question asks for
    focus: float = 0.0  # share of the question's terms in the sentence, its paragraph or headline
    answer: float = UNSCORED  # the answer scorer's logit (qa.score); UNSCORED when not read by it
    paragraph: float = 0.0  # its paragraph's fused retrieval score
    missing: float = 0.0  # share of the question's names (a person's: the surname), numbers and years absent around it
    # The stored unit the sentence is (or lies in): its speaker and typed mentions, read at ingest
    # (`reading.Unit`); None for a span no unit holds (a paragraph stored without annotations).
    unit: Unit | None = field(default=None, compare=False, repr=False)

    def mentions(self, kinds: frozenset[str] | tuple[str, ...]) -> list[tuple[str, str]]:
        """(as written, kind) of the unit's stored mentions of `kinds` inside this sentence's span, in order;
        [] without a unit. Offsets are the paragraph's, so a cut sentence keeps only what it still holds."""
        if self.unit is None:
            return []
        return [(self.text[m.start - self.start:m.end - self.start], m.kind) for m in self.unit.mentions
                if m.kind in kinds and self.start <= m.start and m.end <= self.end]

    @property
    def support(self) -> float:
        """Lexical support: half IDF coverage, half chunk similarity (0..1)."""
        return 0.5 * self.coverage + 0.5 * self.dense


def score_sentences(corpus: Corpus, retrieval: Retrieval, weights: dict[str, float],
                    analysis: Analysis | None = None, tuning: SelectionTuning | None = None) -> list[Sentence]:
    """Every candidate sentence of the retrieved paragraphs with its lexical score and signals, best first;
    `tuning` (qa.settings.SelectionTuning, default its defaults) weighs the score and bounds the reading."""
    tuning = tuning or SelectionTuning()
    idf = {t: corpus.idf(t) * w for t, w in weights.items()}
    total = sum(idf.values()) or 1.0
    focus_idf = {t: v for t, v in idf.items()
                 if analysis is None or t in analysis.focus or from_earlier_turn(weights, t)}
    focus_total = sum(focus_idf.values()) or 1.0
    people = set(analysis.people) if analysis else set()
    names = [term_set(name.split()[-1] if name in people else name)  # a person is named by surname in news
             for name in (*analysis.names, *given_numbers(analysis.question))] if analysis else []
    out = []
    for rank, hit, para, spans in _read_paragraphs(corpus, retrieval, analysis, tuning):
        context = context_terms(corpus, para)
        for a, b in spans:
            text = para.text[a:b]
            unit = para.unit_at(a, b)
            reading = unit.reading if unit else text  # a table row read with its header, wrapped lines joined
            if not (usable(reading) or (unit is not None and unit.kind in ("item", "row"))
                    or para.boilerplate == "headline"):
                continue
            present = term_set(reading)
            coverage = sum(v for t, v in idf.items() if t in present) / total
            focus = sum(v for t, v in focus_idf.items() if t in present or t in context) / focus_total
            dense = max(
                (retrieval.chunk_sims.get(cid, 0.0) for cid, ca, cb in para.chunks if ca < b and a < cb),
                default=hit.dense,
            )
            score = tuning.w_coverage * coverage + tuning.w_dense * dense + tuning.w_paragraph * hit.score
            holds = (holds_answer_unit(analysis, text, unit) if unit else holds_answer(analysis, reading)) \
                if analysis else True
            around = context | present
            missing = sum(not n <= around for n in names) / len(names) if names else 0.0
            out.append(Sentence(hit.para, a, b, text, score, coverage, dense, rank, holds, focus,
                                paragraph=hit.score, missing=missing, unit=unit))
    out.sort(key=lambda s: -s.score)
    return out


def _read_paragraphs(corpus: Corpus, retrieval: Retrieval, analysis: Analysis | None, tuning: SelectionTuning):
    """(rank, hit, paragraph, sentence spans) of each retrieved paragraph, in retrieval order; then, for a
    question asking for a time or a number (`tuning.headline_answers`), the headline of each retrieved article whose
    headline holds one ("Lanner Paper Mill to Close in June, Cutting 400 Jobs" answers "when" and "how many"
    where the body gives neither), under its article's best hit. Not for names: a title-case headline's
    capitalised runs are no reliable names ("Kremlin Refuses to Reveal ..." read as a person)."""
    seen: set[str] = set()
    headlines = []
    for rank, hit in enumerate(retrieval.hits):
        para = corpus.paras[hit.para]
        yield rank, hit, para, _candidate_sentences(para, retrieval.chunk_sims, tuning.max_sentences)
        if analysis is not None and analysis.answer_type in tuning.headline_answers and para.file not in seen and para.headline:
            seen.add(para.file)
            headlines.append((rank, hit, para.file))
    for rank, hit, file in headlines:
        for para in corpus.article(file):
            if para.boilerplate == "headline":
                spans = [(u.start, u.end) for u in para.units if holds_answer_unit(analysis, para.text, u)]
                if spans:
                    yield rank, replace(hit, para=para.idx), para, spans
                break


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def given_numbers(question: str) -> list[str]:
    """The numbers and years a question gives, as written, which a sentence's surroundings must hold: an
    amount whole ("1.2 billion dollars", matched by its value and currency however the article writes it),
    any other number alone ("2023")."""
    found = amounts(question)
    out = [question[a.start:a.end] for a in found]
    bare = "".join(" " if any(a.start <= i < a.end for a in found) else ch for i, ch in enumerate(question))
    return out + _NUMBER.findall(bare)


def from_earlier_turn(weights: dict[str, float], term: str) -> bool:
    """A term that came from the earlier turns a follow-up continues (weighted under 1)."""
    return weights.get(term, 1.0) < 1.0


def boilerplate_hits(corpus: Corpus, analysis: Analysis, retrieval: Retrieval,
                     similarity: Callable[[list[str]], list[float]] | None = None, *,
                     dense_weight: float | None = None) -> Retrieval:
    """Retrieval plus the boilerplate paragraphs that hold a name the question asks about and that
    no answerable paragraph holds ("Who is Michelle Larsen?" is answered by her author bio), and,
    for questions about who wrote an article, the author bio of the article retrieval ranks first.
    Boilerplate has no stored vectors; `similarity` (query vs texts, cosine) scores them on the spot."""
    found: list[Para] = []
    seen = {h.para for h in retrieval.hits}
    for name in analysis.names:
        if corpus.naming(name, boilerplate=False, limit=1):
            continue  # prose mentions it: prose answers
        for para in corpus.naming(name, boilerplate=True):
            if para.idx not in seen:
                seen.add(para.idx)
                found.append(para)
    if _AUTHORSHIP.search(analysis.question) and retrieval.hits:  # "who wrote the article about X?"
        top = corpus.paras[retrieval.hits[0].para].file
        found += [p for p in corpus.article(top) if p.boilerplate == "author bio" and p.idx not in seen]
    if not found:
        return retrieval
    dense = similarity([p.text for p in found]) if similarity else [0.0] * len(found)
    w = RetrievalTuning().dense_weight if dense_weight is None else dense_weight  # fused as retrieval fuses
    extra = [Hit(p.idx, w * d + (1 - w), d, 1.0) for p, d in zip(found, dense)]
    extra.sort(key=lambda h: -h.score)
    return Retrieval(extra + list(retrieval.hits), retrieval.chunk_sims)


_AUTHORSHIP = re.compile(r"\bwho (wrote|authored|reported)\b|\b(author|writer|reporter|journalist|byline)\b", re.I)


def context_terms(corpus: Corpus, para: Para) -> frozenset[str]:
    """The terms a sentence's surroundings add: its paragraph, the paragraph before it (a news
    paragraph continues the one before: "The bilateral talks ..." after "led by Lavrov and Rubio"),
    and the article's headline and date."""
    before = corpus.beside(para, -1)
    return (term_set(para.text) | term_set(before.text if before else "")
            | term_set(" ".join(filter(None, (para.headline, _date_words(para))))))


def _date_words(para: Para) -> str:
    """The article's date as words ("2025 March 26"), so a question naming the month finds it."""
    import calendar

    if not para.published:
        return ""
    year, month, day = (para.published.split("-") + ["", ""])[:3]
    month_name = calendar.month_name[int(month)] if month.isdigit() and 1 <= int(month) <= 12 else ""
    return f"{year} {month_name} {day.lstrip('0')}"


def _candidate_sentences(para: Para, chunk_sims: dict[str, float], max_sentences: int):
    """The sentence spans of a paragraph to read; of a paragraph of more than `max_sentences`, those around its
    three best chunks."""
    spans = para.sentences or (tuple(sentence_spans(para.text)) if para.boilerplate else ())
    if len(spans) <= max_sentences:
        return spans
    best = sorted(para.chunks, key=lambda c: -chunk_sims.get(c[0], 0.0))[:3]
    return [(a, b) for a, b in spans if any(ca < b and a < cb for _, ca, cb in best)]


def usable(sentence: str) -> bool:
    return is_prose(sentence) and not is_credit(sentence) and not is_instruction(sentence)


def rank(sentences: list[Sentence], scorer: Scorer, question: str, corpus: Corpus,
         n: int) -> list[Sentence]:
    """The `n` best sentences by lexical score read by `scorer` in one batch, ordered by its logit
    (`Sentence.answer`); the rest follow unscored, in lexical order. `sentences` is in lexical order."""
    head, tail = sentences[:n], sentences[n:]
    logits = scorer.score(question, [candidate(corpus, s) for s in head])
    scored = [replace(s, answer=round(float(x), 4)) for s, x in zip(head, logits)]
    scored.sort(key=lambda s: -s.answer)
    return scored + tail


def candidate(corpus: Corpus, s: Sentence) -> Candidate:
    """A sentence as the scorer reads it: its words, the sentence before it (in its paragraph, else
    the end of the paragraph before), the article's headline, and the lexical signals `score_sentences`
    computed."""
    para = corpus.paras[s.para]
    before = [para.text[a:b] for a, b in para.sentences if b <= s.start]
    if before:
        previous = before[-1]
    else:
        prev = corpus.beside(para, -1)
        previous = prev.text[-200:] if prev is not None and not prev.boilerplate else ""
    return Candidate(" ".join(para.reading(s.start, s.end).split()), " ".join(previous.split()), para.headline or "",
                     coverage=s.coverage, dense=s.dense, focus=s.focus, holds=float(s.holds),
                     paragraph=s.paragraph, rank=min(s.rank, 10) / 10, missing=s.missing)
