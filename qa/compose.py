"""The extractive answerer: an answer made only of sentences from the articles.

Every word of the answer is cut verbatim from a cited paragraph, except words in square
brackets, which are ours and marked as such: a referent inserted where a quoted sentence opens
with a pronoun or a bare role that points outside the quote ("[Lavrov] also said ..."), and
"[…]" where an over-long sentence is cut. The best-supported sentence that holds what the
question asks for comes first; more follow only when they are nearly as strong or, for list
questions, when they add items; no sentence is repeated, even when two articles carry the same
text. When the calibrated confidence (`qa.confidence`) is under `Settings.min_confidence`, the
answer says plainly that the articles do not seem to answer, and the closest passages are
returned separately as `Answer.closest`.

Not handled: pronouns inside a sentence (only its opening subject is made to stand alone) and
referents that are not the nearest person named before.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ingest.corpus import Corpus
from ingest.metadata import published_at
from reading.kinds import NAME_KINDS
from reading.quotes import editor_marks
from reading.speakers import surname
from reading.text import fold, norm_key, term_set, terms
from qa import entities
from qa.analyze import Analysis
from qa.answer import Answer, AnswerSentence, Citation, Evidence
from qa.confidence import confidence, signals
from qa.dates import bracketed_pieces, dates_in, event_date
from qa.score import sigmoid
from qa.select import UNSCORED, Sentence, context_terms
from qa.settings import Settings

NOT_FOUND = "The articles do not seem to answer this. None of the passages I found says it."
TENTATIVE = "Not sure: the passage below may answer this; check the source."


class ExtractiveAnswerer:
    """Answers with sentences quoted from the articles, in three tiers by calibrated confidence:
    answered (>= `Settings.min_confidence`), tentative (>= `Settings.min_tentative`: the best quote
    alone, marked as one that may answer), refused (the closest passages apart)."""

    name = "extractive"

    def __init__(self, settings: Settings):
        self.settings = settings

    def answer_stream(self, evidence: Evidence) -> Iterator[Answer]:
        yield self.answer(evidence)

    def answer(self, evidence: Evidence) -> Answer:
        analysis = evidence.analysis
        unknown = evidence.corpus.unknown_names(analysis.question)  # the standalone question ("Kessler?": "What is Kessler?")
        if unknown:
            return refusal(f"The articles do not mention {', '.join(unknown)}, so they cannot answer this.",
                           answer_type=analysis.answer_type)
        pool = candidates(evidence)
        ahead = publication_date(evidence) or continuation(evidence)
        chosen = [ahead] if ahead else self.choose(pool, analysis)
        chosen = with_author(chosen, pool, evidence, self.settings.max_answer_sentences)
        features = signals(evidence, chosen, pool)
        conf = confidence(features)
        tier = self.tier(conf) if chosen else "refused"
        if tier == "tentative":
            chosen = chosen[:1]
        chosen = whole_list(evidence.corpus, chosen)
        shown = standalone(evidence.corpus, chosen, max_words=self.settings.max_answer_words) if chosen else []
        if tier == "refused" or not shown:  # not shown: every quote pointed at someone we cannot name
            return refusal(not_found(analysis), closest=closest(evidence.corpus, evidence.sentences,
                                                                self.settings.answering.closest),
                           confidence=conf, signals=features, answer_type=analysis.answer_type)
        text, citations, sentences = cite(evidence.corpus, shown)
        if tier == "tentative":
            text = f"{TENTATIVE} {text}"
        return Answer(text=text, citations=citations, answered=tier == "answered", backend=self.name,
                      sentences=sentences, confidence=conf, signals=features, answer_type=analysis.answer_type,
                      tier=tier)

    def tier(self, conf: float) -> str:
        if conf >= self.settings.min_confidence:
            return "answered"
        return "tentative" if conf >= self.settings.min_tentative else "refused"

    def choose(self, sentences: list[Sentence], analysis: Analysis | None = None) -> list[Sentence]:
        """The best sentence, then up to `max_answer_sentences - 1` more that are nearly as strong
        (list questions: that name items not yet named), within `max_answer_words`."""
        if not sentences:
            return []
        best = sentences[0]
        best_p = sigmoid(best.answer)
        wants_list = bool(analysis and analysis.wants_list)
        chosen, seen = [best], {norm_key(best.text)}
        items = _items(best, analysis) if analysis else set()
        n_words = min(len(best.text.split()), self.settings.max_answer_words)
        tuning = self.settings.answering  # keep_ratio, list_ratio, further_min: their sources in qa.settings
        ratio = tuning.list_ratio if wants_list else tuning.keep_ratio
        for s in sentences[1:]:
            if len(chosen) >= self.settings.max_answer_sentences or sigmoid(s.answer) < max(ratio * best_p, tuning.further_min):
                break
            key = norm_key(s.text)
            words = len(s.text.split())
            if key in seen or n_words + words > self.settings.max_answer_words:
                continue
            if wants_list:
                new = _items(s, analysis) - items
                if not new:
                    continue
                items |= new
            chosen.append(s)
            seen.add(key)
            n_words += words
        return _document_order(chosen)


def candidates(evidence: Evidence) -> list[Sentence]:
    """The sentences that can answer, best first by the answer scorer: read by it, holding the kind of
    thing asked for (a name for "who", a time for "when", a number for "how many"), in the mouth of
    the speaker asked about, with the people the question names in view, not quoted by the previous
    answer, and (for "who else") naming someone not named before."""
    analysis = evidence.analysis
    pool = [s for s in evidence.sentences
            if s.answer > UNSCORED and s.holds and norm_key(s.text) not in evidence.answered]
    if analysis.speaker:
        wanted = entities.name_key(analysis.speaker)
        pool = [s for s in pool if said_by(s, wanted)]
    elif analysis.speaker_role:
        keys = holders_of(evidence.corpus, analysis.speaker_role)
        pool = [s for s in pool if any(said_by(s, k) for k in keys)] if keys else pool
    people = [term_set(n.split()[-1]) for n in analysis.people]  # the surname: "Manning" for "Peyton Manning"
    if people and not analysis.excludes_given:  # the people the question is about must be in view
        pool = [s for s in pool if all(w <= context_terms(evidence.corpus, evidence.corpus.paras[s.para])
                                       | term_set(s.text) for w in people)]
    excluded = evidence.excluded | (analysis.name_keys if analysis.excludes_given else frozenset())
    if analysis.excludes_given and analysis.answer_type in ("person", "organisation", "place") and excluded:
        pool = [s for s in pool if _items(s, analysis) - excluded]
    return pool


def said_by(s: Sentence, key: str) -> bool:
    """Whether the sentence is in the mouth of the speaker `key` names (a name key or an acronym), read from
    its stored unit's speaker (`Unit.speaker`, attributed at ingest with the quotations around it)."""
    return s.unit is not None and entities.is_named(s.unit.speaker, key)


def holders_of(corpus: Corpus, role: str) -> set[str]:
    """The name keys of the people the articles introduce with `role` right before their name ("board chair
    Piet Brandt" for "board chair"), from the stored person mentions of the paragraphs that write the role;
    empty when none does (the caller then filters nothing)."""
    keys: set[str] = set()
    for para in corpus.naming(role, boilerplate=False, limit=20):
        folded = para.text.casefold()
        for unit in para.units:
            for m in unit.mentions:
                before = folded[max(0, m.start - len(role) - 1):m.start].strip()
                if m.kind == "person" and before.endswith(role.casefold()):
                    keys.add(entities.name_key(para.text[m.start:m.end]))
    return keys


def _holding(para, start: int, end: int):
    """The stored unit that is, or holds, the span (start, end) of `para`; None if none does."""
    return para.unit_at(start, end) or next((u for u in para.units if u.start <= start and end <= u.end), None)


def with_author(chosen: list[Sentence], pool: list[Sentence], evidence: Evidence, most: int) -> list[Sentence]:
    """"Who wrote the article about X?" (`Analysis.authorship`): the answer names the author, so the best
    sentence of an author bio among the candidates is quoted after the best one, whatever its score against
    the article's own sentences (the reader scores a bio's "Michelle Larsen is a journalist ..." 0.6 to 1.6
    as the batch around it varies, under the bar for a further quote). Others: `chosen` as it is."""
    if not chosen or not evidence.analysis.authorship:
        return chosen
    bio = next((s for s in pool if evidence.corpus.paras[s.para].boilerplate == "author bio"), None)
    if bio is None or any(s.para == bio.para for s in chosen):
        return chosen
    return chosen[:max(1, most - 1)] + [bio]


def whole_list(corpus: Corpus, chosen: list[Sentence]) -> list[Sentence]:
    """A list is quoted whole: when the best sentence is one item of a list, or the line that leads
    into a list ("... at the following sites:"), the answer is that list's items (`Para.units` of kind
    "item"), in order, cited to the list's paragraph."""
    if not chosen:
        return chosen
    best = chosen[0]
    para = corpus.paras[best.para]
    unit = para.unit_at(best.start, best.end)
    if unit is None or unit.kind != "item":
        following = corpus.beside(para, +1)
        if not best.text.rstrip().endswith(":") or following is None or following.boilerplate:
            return chosen
        para = following
    items = [u for u in para.units if u.kind == "item"]
    if not items:
        return chosen
    return [replace(best, para=para.idx, start=u.start, end=u.end, text=para.text[u.start:u.end], unit=u)
            for u in items]


def publication_date(evidence: Evidence) -> Sentence | None:
    """"When was the article about X published?": the date its page states, quoted from the header
    line that holds it ("PublishedMarch 26, 2025"), in the article retrieval ranks first."""
    analysis = evidence.analysis
    if analysis.answer_type != "date" or "publish" not in analysis.focus or not evidence.retrieval.hits:
        return None
    hit = evidence.retrieval.hits[0]
    article = evidence.corpus.article(evidence.corpus.paras[hit.para].file)
    found = published_at([p.text for p in article])
    if not found:
        return None
    _, i, start, end = found
    para = article[i]
    return Sentence(para.idx, start, end, para.text[start:end], hit.score, 1.0, hit.dense, 0, True, 1.0,
                    unit=_holding(para, start, end))


def continuation(evidence: Evidence) -> Sentence | None:
    """"What did he add?": the sentence that follows, in its article, the last one the previous
    answer quoted (the next paragraph's first when that was the paragraph's last)."""
    if not evidence.continues or not evidence.answered:
        return None
    quoted = [s for s in evidence.sentences if norm_key(s.text) in evidence.answered]
    if not quoted:
        return None
    last = max(quoted, key=lambda s: (evidence.corpus.paras[s.para].number, s.start))
    para = evidence.corpus.paras[last.para]
    after = [(a, b) for a, b in para.sentences if a >= last.end]
    if not after:
        para = evidence.corpus.beside(para, +1)
        if para is None or para.boilerplate or not para.sentences:
            return None
        after = list(para.sentences)
    a, b = after[0]
    return replace(last, para=para.idx, start=a, end=b, text=para.text[a:b], unit=_holding(para, a, b))


def _items(s: Sentence, analysis: Analysis | None) -> set[str]:
    """The things of the asked-for kind a sentence names (name keys), for lists and "who else": its stored
    mentions (`Sentence.mentions`), people only for "who"."""
    kinds = ("person", "name") if analysis and analysis.answer_type == "person" else NAME_KINDS
    return {entities.name_key(text) for text, _ in s.mentions(kinds)} - (analysis.name_keys if analysis else set())


def _document_order(chosen: list[Sentence]) -> list[Sentence]:
    """Paragraphs in the order they were chosen; sentences of one paragraph in the order they are written."""
    first = {}
    for i, s in enumerate(chosen):
        first.setdefault(s.para, i)
    return sorted(chosen, key=lambda s: (first[s.para], s.start))


# -- making quotes stand alone ---------------------------------------------------------------
_OPENING_PRONOUN = re.compile(r"^(?P<lead>(?:However|But|And|Meanwhile|Later|Earlier|Separately|Still),?\s+)?"
                              r"(?P<ref>He|She|They)\b")
_OPENING_ROLE = re.compile(r"^(?P<lead>(?:However|But|And|Meanwhile|Later|Earlier|Separately|Still),?\s+)?"
                           r"(?P<ref>[Tt]he\s+(?:[\w-]+\s+){0,2}?(?:minister|aide|spokesman|spokeswoman|spokesperson|"
                           r"official|envoy|adviser|advisor|president|diplomat|negotiator|chief|head))\b")


@dataclass(frozen=True)
class Shown:
    """A chosen sentence as it will be shown: pieces of text, each verbatim from the paragraph (False) or
    ours (True: a bracketed referent "[Lavrov]", a cut "[…]", an editor's quotation mark "[”]")."""

    sentence: Sentence
    pieces: tuple[tuple[str, bool], ...]

    @classmethod
    def verbatim(cls, s: Sentence) -> "Shown":
        return cls(s, ((s.text, False),))

    @property
    def text(self) -> str:
        return assemble(self.pieces)[0]

    @property
    def inserted(self) -> tuple[tuple[int, int], ...]:
        return assemble(self.pieces)[1]


def assemble(pieces: tuple[tuple[str, bool], ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The pieces as one line (runs of whitespace made one space, none at the ends) and the offsets of the
    ones that are ours in it. A piece is joined to the one before without a space unless either has
    whitespace at that edge ("[“]" + "the talks" -> "[“]the talks"; "[Lavrov]" + " said" -> "[Lavrov] said")."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    at, space = 0, False
    for piece, ours in pieces:
        words = piece.split()
        if not words:
            space = space or bool(piece)
            continue
        if out and (space or piece[:1].isspace()):
            out.append(" ")
            at += 1
        text = " ".join(words)
        if ours:
            spans.append((at, at + len(text)))
        out.append(text)
        at += len(text)
        space = piece[-1:].isspace()
    return "".join(out), tuple(spans)


def standalone(corpus: Corpus, chosen: list[Sentence], *, max_words: int) -> list[Shown]:
    """Each quote made to stand alone, and the whole within `max_words`.

    A sentence opening with "He/She/They" or a bare role ("the top aide") that points outside the
    quote gets the sentence before it quoted too when that names the referent, or else (for "He",
    "She" and roles) the referent inserted in square brackets ("[Lavrov] also said"). Without a
    referent to be found, the sentence is left out: better no quote than one in the wrong mouth."""
    out: list[Shown] = []
    used = {(s.para, s.start) for s in chosen}
    words = 0
    for s in chosen:
        shown = _own_words(corpus, s, used, out)
        if shown is None:
            continue
        for item in shown:
            item = _cut(item, max_words - words)
            if item is None:
                break
            words += len(item.text.split())
            out.append(item)
    return out


def _own_words(corpus: Corpus, s: Sentence, used: set, out: list[Shown]) -> list[Shown] | None:
    m = _OPENING_PRONOUN.match(s.text) or _OPENING_ROLE.match(s.text)
    if not m:
        return [Shown.verbatim(s)]
    previous = _previous_sentence(corpus, s)
    if previous is not None and ((previous.para, previous.start) in used or any(
            o.sentence.para == previous.para and o.sentence.start == previous.start for o in out)):
        return [Shown.verbatim(s)]  # the sentence before is quoted already
    who = _referent(corpus, s)
    if who is None:
        return None
    if previous is not None and entities.name_key(who) in {entities.name_key(t) for t, _ in previous.mentions(NAME_KINDS)}:
        used.add((previous.para, previous.start))
        return [Shown.verbatim(previous), Shown.verbatim(s)]
    ref = m.group("ref")
    if ref == "They":
        return [Shown.verbatim(s)]  # a group: no one person's name to insert
    kept = s.text[: m.start("ref")] + ("" if ref in ("He", "She") else f"{ref} ")  # "the top aide [Dmitriev]"
    return [Shown(s, ((kept, False), (f"[{who}]", True), (s.text[m.end("ref"):], False)))]


def _previous_sentence(corpus: Corpus, s: Sentence) -> Sentence | None:
    para = corpus.paras[s.para]
    before = [(a, b) for a, b in para.sentences if b <= s.start]
    if not before:
        return None
    a, b = before[-1]
    return replace(s, start=a, end=b, text=para.text[a:b], unit=_holding(para, a, b))


def _referent(corpus: Corpus, s: Sentence, paragraphs: int = 2) -> str | None:
    """Whom an opening "He/She" or bare role points at, from the stored units before `s` (in its paragraph,
    then up to two paragraphs of prose before it), nearest first: the speaker of the nearest unit that names
    one by name, else the first person its mentions name; as the surname an editor inserts ("[Lavrov]")."""
    para = corpus.paras[s.para]
    before = [(para.text, u) for u in para.units if u.end <= s.start]
    for offset in range(1, paragraphs + 1):
        prev = corpus.beside(para, -offset)
        if prev is None:
            break
        if not prev.boilerplate:
            before = [(prev.text, u) for u in prev.units] + before
    for text, u in reversed(before):
        if u.speaker and u.speaker[:1].isupper() and fold(u.speaker).split()[0] not in entities.PRONOUNS:
            return surname(u.speaker)
        people = [text[m.start:m.end] for m in u.mentions if m.kind in ("person", "name")]
        if people:
            return surname(people[0])
    return None


def _cut(item: Shown, budget: int) -> Shown | None:
    """A sentence over the word budget, cut at a word boundary and marked "[…]" (which counts as a
    word); verbatim up to the cut. None when not even one word and the mark fit."""
    if len(item.text.split()) <= budget:
        return item
    if budget < 2:
        return None
    keep, pieces, verbatim_words = budget - 1, [], 0
    for piece, ours in item.pieces:
        words = piece.split()
        if len(words) >= keep:
            cut = list(re.finditer(r"\S+", piece))[keep - 1].end() if keep else 0
            pieces.append((piece[:cut], ours))
            verbatim_words += 0 if ours else len(piece[:cut].split())
            break
        pieces.append((piece, ours))
        keep -= len(words)
        verbatim_words += 0 if ours else len(words)
    s = item.sentence
    end = list(re.finditer(r"\S+", s.text))[max(1, verbatim_words) - 1].end()
    return Shown(replace(s, end=s.start + end, text=s.text[:end]), (*pieces, (" […]", True)))


# -- citing -----------------------------------------------------------------------------------
def cite(corpus: Corpus, shown: list[Shown] | list[Sentence]) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Answer text with a marker after each sentence, one citation per paragraph used, and the
    sentences with their citation numbers."""
    items = [x if isinstance(x, Shown) else Shown.verbatim(x) for x in shown]
    order: list[int] = []
    spans: dict[int, list[Sentence]] = {}
    out = []
    for item in items:
        s = item.sentence
        if s.para not in spans:
            order.append(s.para)
            spans[s.para] = []
        spans[s.para].append(s)
        # a relative date gets its resolved date in brackets, as our words: "on Tuesday [March 25, 2025]"
        text, inserted = shown_text(bracketed_pieces(item.pieces, dates_in(corpus.paras[s.para], s.start, s.end)))
        out.append(AnswerSentence(text, order.index(s.para) + 1, inserted))
    citations = [_citation(corpus, p, spans[p]) for p in order]
    return " ".join(f"{a.text} [{a.citation}]" for a in out), citations, out


def shown_text(pieces: tuple[tuple[str, bool], ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A quote as the answer shows it, and the offsets of our words in it: the pieces assembled, with an
    editor's quotation mark added where the verbatim words open or close a quotation outside the cut
    ("[“]the discussions went well,” he said.", reading.quotes)."""
    head, tail = editor_marks(" ".join(p for p, ours in pieces if not ours))
    return assemble(((head, True), *pieces, (tail, True)))


def _citation(corpus: Corpus, para_idx: int, sentences: list[Sentence]) -> Citation:
    para = corpus.paras[para_idx]
    quoted = sorted(sentences, key=lambda s: s.start)
    dates = [d for s in quoted for d in dates_in(para, s.start, s.end)]
    spans = merged_spans(para.text, [(s.start, s.end) for s in quoted])
    return Citation(
        file=para.file,
        paragraph=para.number,
        text=para.text,
        quote=" … ".join(para.text[a:b] for a, b in spans),
        spans=spans,
        headline=para.headline,
        published=para.published,
        score=round(max(s.support for s in quoted), 4),
        also_in=[c.label for c in corpus.copies_of(para_idx)],
        page=para.page,
        page_paragraph=para.page_paragraph,
        dates=dates,
        event_date=(found.date if (found := event_date(dates)) else None),
    )


def closest(corpus: Corpus, sentences: list[Sentence], n: int) -> list[Citation]:
    """The best-scoring passages, one per paragraph: shown with a refusal, never as an answer."""
    out, seen = [], set()
    for s in sentences:
        if s.para in seen:
            continue
        seen.add(s.para)
        out.append(_citation(corpus, s.para, [s]))
        if len(out) == n:
            break
    return out


def merged_spans(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The quote's pieces in `text`, in order: adjacent sentences (only whitespace between) as one span; the
    quote shown is the pieces joined by " … "."""
    pieces: list[list[int]] = []
    for start, end in spans:
        if pieces and not text[pieces[-1][1] : start].strip():
            pieces[-1][1] = max(pieces[-1][1], end)
        else:
            pieces.append([start, end])
    return tuple((a, b) for a, b in pieces)


def verbatim_pieces(sentence: AnswerSentence) -> list[str]:
    """The parts of an answer sentence that must occur verbatim in its paragraph: the text around our
    insertions (`AnswerSentence.inserted`: "[Lavrov]", "[…]", "[”]")."""
    out, at = [], 0
    for a, b in (*sentence.inserted, (len(sentence.text), len(sentence.text))):
        if sentence.text[at:a].strip():
            out.append(sentence.text[at:a].strip())
        at = b
    return out


def refusal(text: str = NOT_FOUND, *, closest: list[Citation] | None = None, confidence: float = 0.0,
            signals: dict[str, float] | None = None, answer_type: str = "") -> Answer:
    return Answer(text=text, citations=[], answered=False, backend="extractive", closest=closest or [],
                  confidence=round(confidence, 4), signals=signals or {}, answer_type=answer_type, tier="refused")


_LOOKED_FOR = {"person": "who", "organisation": "which organisation", "place": "where", "date": "when",
               "reason": "why", "manner": "how"}
_HOW_WHAT = re.compile(r"^\s*(how (?:long|many|much|far|old|big|large|often))\b", re.I)


def not_found(analysis: Analysis) -> str:
    """The refusal, saying what was looked for when the question's focus is clear: "No passage I found
    says how long (talks, March)." (the question's own topic words, in its order)."""
    how = _HOW_WHAT.match(analysis.question)
    asked = how.group(1).lower() if how else _LOOKED_FOR.get(analysis.answer_type)
    topic = list(dict.fromkeys(w for w in re.findall(r"[\w’'-]+", analysis.question)
                               if (t := terms(w)) and t[0] in analysis.focus))[:5]
    if not asked or not topic:
        return NOT_FOUND
    return f"The articles do not seem to answer this. No passage I found says {asked} ({', '.join(topic)})."
