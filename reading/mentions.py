"""Mentions: who, what, where, when and how much a text names, with offsets and kinds, by rules.

Assigns `Mention(start, end, kind)` spans, kind one of person, org, place, name (a capitalised
name of no clear type), date, time, duration, number, money, percent. The same rules answer
query-time calls on questions and generated sentences (`names`, `times`, `persons` through
`qa.entities`). Rules, not spaCy's NER: on SQuAD the rules type answers better (issue 17's
probe), so the rules stay and their known bugs are fixed here:

- names are runs of capitalised words ("Kirill Dmitriev", "Prince Faisal bin Farhan"), never across
  a full stop ("Volodymyr Zelensky. Agreement" is two), a line break, or other punctuation;
- in a headline (most words capitalised) runs are not taken as people ("Russia Denies Follow-Up Talks");
- "U.S." / "US" / "UK" are places, other short acronyms organisations;
- page furniture ("Getty Images", "Privacy Policy") is not a person;
- a lone capitalised word opening a sentence is a person when the article names that person in
  full elsewhere (`known`: "Putin later said" after "Vladimir Putin");
- durations ("about 4.5 hours", "two weeks") are mentions of kind duration (not "when" answers:
  `times` leaves them out, `durations` lists them); a number before a plural noun
  ("Summarize this content to 2000 words") is not a year.

Not handled: names in lower case, nested or hyphen-joined names typed apart ("Russia-US"),
and places not in `lexicon.PLACES` that no preposition or head word marks.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from reading.lexicon import (ABBREVIATIONS, CONNECTORS, DAYS, MONTH_PATTERN, MONTHS, NOT_NAMES, NOT_PEOPLE,
                                    NUMBER_WORDS, ORG_HEADS, PLACE_HEADS, PLACE_PREPOSITIONS, PLACES, TIME_UNITS,
                                    TITLES)
from reading.kinds import NameKind
from reading.text import fold

_WORD = re.compile(r"[A-Za-z][\w’'.-]*|\d[\d,.:]*%?")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_DATEISH = re.compile(r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b|\b\d{4}-\d\d-\d\d\b")
_RELATIVE_TIME = re.compile(
    r"\b(yesterday|today|tomorrow|tonight|last (week|month|year|night)|next (week|month|year)|"
    r"(this|that) (week|month|year|morning|evening)|(\w+ )?(days?|weeks?|months?|years?|decades?) (ago|earlier|later)|"
    r"earlier this \w+|later this \w+|in the (morning|evening|afternoon)|century|centuries|era|season)\b", re.I)
_GLUED_DATE = re.compile(rf"(?<=[a-z])({MONTH_PATTERN})(?=\s*\d)")  # "PublishedMarch 26, 2025"
_AMOUNT = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS - {"once", "twice", "half"}, key=len, reverse=True)) \
          + r"|a few|a couple of|several|a|an)"
_DURATION = re.compile(r"\b(?:(?:about|around|nearly|almost|more than|less than|over|some)\s+)?" + _AMOUNT
                       + r"(?:[\s-]+(?:and[\s-]+a[\s-]+half|" + _AMOUNT + r"))?[\s-]+(?:"
                       + "|".join(sorted(TIME_UNITS, key=len, reverse=True)) + r")\b(?!\s+(?:ago|earlier|later))", re.I)
# a clock time answers "when" and "what time" ("7 a.m.": no \b after its final dot, which stopped the match)
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d\d)?\s?(?:a\.m\.|p\.m\.|(?:a\.m|p\.m|am|pm)\b)|\b\d{1,2}:\d\d\b|"
                    r"\b\d{1,2}\s+o'clock\b|\b(?:noon|midnight|midday)\b", re.I)
_DATE = re.compile(rf"\b(?:(?:{MONTH_PATTERN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{MONTH_PATTERN})"
                   rf"(?:\s+\d{{4}})?|(?:{MONTH_PATTERN})\s+\d{{4}}|(?:{MONTH_PATTERN}|"
                   + "|".join(d.capitalize() for d in DAYS) + r"))\b")
_MONEY = re.compile(r"[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|trillion|thousand))?|"
                    r"\b\d[\d,]*(?:\.\d+)?\s+(?:million|billion|trillion|thousand\s+)?"
                    r"(?:dollars|euros|pounds|rubles|roubles|yuan|yen)\b", re.I)
_PERCENT = re.compile(r"\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b)", re.I)
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:" + "|".join(sorted(NUMBER_WORDS - {"once", "several", "dozens"},
                                                                      key=len, reverse=True)) + r")\b", re.I)
_NOT_YEAR_AFTER = frozenset("was is has as this its his us thus plus yes".split())


@dataclass(frozen=True)
class Name:
    """A capitalised name found by the rules, as query-time code uses it."""

    text: str  # as written
    start: int
    end: int
    kind: NameKind  # "name": capitalised, type unknown (reading.kinds)

    @property
    def key(self) -> str:
        """The last word, folded: "Sergei Lavrov", "Lavrov" and "Lavrov’s" share it."""
        return name_key(self.text)


def name_key(name: str) -> str:
    name = re.sub(r"[’']s\b", "", name)
    words = [w for w in re.findall(r"[\w.-]+", fold(name)) if w not in CONNECTORS]
    last = words[-1] if words else ""
    return re.sub(r"(’s|'s)$", "", last).strip(".")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].replace(".", "").isdigit())


def _ends_sentence(word: str) -> bool:
    """A token ending in a full stop that is not an abbreviation or initial ("Zelensky." vs "St.", "J.")."""
    if not word.endswith("."):
        return False
    bare = fold(word[:-1])
    return bare not in ABBREVIATIONS and not re.fullmatch(r"(?:[a-z]\.)+[a-z]?", bare)


def _headline(text: str) -> bool:
    """Title case: most words of four letters or more capitalised (a headline, not prose)."""
    long = [w for w in re.findall(r"[A-Za-z][\w’'-]*", text) if len(w) >= 4]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


@functools.lru_cache(maxsize=32768)
def names(text: str, known: frozenset[str] = frozenset()) -> tuple[Name, ...]:
    """Runs of capitalised words, typed; the first word of a sentence only when a run follows it or
    its key is in `known` (surnames of people the surrounding article names in full)."""
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    headline = _headline(text)
    out: list[Name] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        if not _capitalised(word) or fold(word).strip(".") in NOT_NAMES:
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and not _ends_sentence(tokens[j - 1][0]):
            w = tokens[j][0]
            if text[tokens[j - 1][2]:tokens[j][1]] not in (" ", "\u00a0"):
                break  # punctuation or a line break ends a name
            if _capitalised(w) and fold(w).strip(".") not in NOT_NAMES:
                j += 1
            elif (fold(w) in CONNECTORS and j + 1 < len(tokens) and _capitalised(tokens[j + 1][0])
                  and text[tokens[j - 1][2]:tokens[j][1]] == " "):
                j += 2
            else:
                break
        run = tokens[i:j]
        surface = text[run[0][1]:run[-1][2]]
        if _ends_sentence(run[-1][0]) or not re.search(r"\.\w+\.$", surface):
            surface = surface.rstrip(".")  # "Zelensky." loses its full stop; "U.S." keeps its dots
        surface = surface.rstrip(",’'").removesuffix("’s").removesuffix("'s")
        k = start - 1
        while k >= 0 and text[k] in " \t\u00a0":
            k -= 1
        before = text[max(0, k - 40):k + 1]  # bounded: a paragraph may be a megabyte
        first_of_sentence = not before or before[-1] in ".!?“\"\n:•|/"
        kind = _kind(surface, before)
        if first_of_sentence and len(run) == 1 and fold(word) not in PLACES and not word.isupper():
            if name_key(surface) in known and kind in ("name", "person"):
                out.append(Name(surface, start, start + len(surface), "person"))
            i = j  # a lone capitalised word opening a sentence: not evidence of a name
            continue
        if kind == "furniture":
            i = j
            continue
        if headline and kind == "person" and not (set(fold(surface).split()) & TITLES):
            kind = "name"  # "Russia Denies Follow-Up Talks": a headline's capitals are not a person
        out.append(Name(surface, start, start + len(surface), kind))
        i = j
    return tuple(out)


def _kind(surface: str, before: str) -> str:
    words = [fold(w).strip(".’'") for w in surface.split()]
    folded = " ".join(words)
    bare = folded.replace(".", "")
    if len(words) == 1 and surface.replace(".", "").isupper() and len(surface) <= 6:
        return "place" if folded in PLACES or bare in PLACES else "organisation"  # "NFL"; "U.S." is a place
    if words and (words[-1] in ORG_HEADS or words[-1].removesuffix("s") in ORG_HEADS):
        return "organisation"
    if words and words[-1] in NOT_PEOPLE:
        return "furniture"
    if folded in PLACES or words[-1] in PLACES or words[-1] in PLACE_HEADS:
        return "place"
    prev = re.findall(r"[A-Za-z]+", before[-20:])
    if prev and prev[-1].lower() in PLACE_PREPOSITIONS and len(words) <= 3 and not (set(words) & TITLES):
        return "place"
    if set(words) & TITLES or len(words) >= 2:
        return "person"
    return "name"


def persons(text: str) -> list[Name]:
    """Names that look like people; a lone surname counts when the same text names its full form."""
    found = names(text)
    full = {m.key for m in found if m.kind == "person"}
    return [m for m in found if m.kind == "person" or (m.kind == "name" and m.key in full)]


@functools.lru_cache(maxsize=4096)
def name_keys(text: str) -> frozenset[str]:
    """Folded last words of every name in `text`, cached (paragraphs are scored again and again)."""
    return frozenset(m.key for m in names(text))


def _years(text: str):
    for m in _YEAR.finditer(text):
        after = re.match(r"\s+([a-z]+)", text[m.end():])
        if after and after.group(1).endswith("s") and after.group(1) not in _NOT_YEAR_AFTER:
            continue  # "2000 words", "1500 troops": a count, not a year
        yield m


@functools.lru_cache(maxsize=32768)
def times(text: str) -> tuple[str, ...]:
    """Time expressions as written that can answer "when": years, dates, weekdays, months, relative
    times and clock times. Durations ("about 4.5 hours", "a 30-day truce") answer "how long", not "when": `durations`."""
    out = [m.group() for m in _years(text)] + [m.group() for m in _DATEISH.finditer(text)]
    out += [m.group() for m in _RELATIVE_TIME.finditer(text)]
    out += [m.group() for m in _GLUED_DATE.finditer(text)]
    out += [m.group() for m in _CLOCK.finditer(text)]  # "at 7 a.m.", "19:45", "noon"
    for w in re.findall(r"[A-Za-z]+", text):
        if fold(w) in DAYS or (fold(w) in MONTHS and (w[0].isupper() or len(w) > 3) and fold(w) != "may"):
            out.append(w)
        elif fold(w) == "may" and re.search(r"\bMay\s+\d", text):
            out.append(w)
    return tuple(out)


def durations(text: str) -> tuple[str, ...]:
    """Durations as written: "about 4.5 hours", "two weeks", "30-day"."""
    return tuple(m.group() for m in _DURATION.finditer(text))


def mentions(text: str, known: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Every mention in `text` as (start, end, kind), in order, not overlapping: times and amounts
    first (a date's "March" is not a name), then names. Offsets index `text` itself."""
    spans: list[tuple[int, int, str]] = []
    taken = bytearray(len(text))  # characters already inside a mention

    def add(a: int, b: int, kind: str) -> None:
        if a < b and not any(taken[a:b]):
            spans.append((a, b, kind))
            taken[a:b] = b"\x01" * (b - a)

    for m in _DATE.finditer(text):
        if m.group() == "May" and not re.match(r"\s+\d", text[m.end():]):
            continue
        add(m.start(), m.end(), "date")
    for m in _CLOCK.finditer(text):
        add(m.start(), m.end(), "time")
    for m in _DURATION.finditer(text):
        add(m.start(), m.end(), "duration")
    for m in _RELATIVE_TIME.finditer(text):
        add(m.start(), m.end(), "date")
    for m in _years(text):
        add(m.start(), m.end(), "date")
    for m in _MONEY.finditer(text):
        add(m.start(), m.end(), "money")
    for m in _PERCENT.finditer(text):
        add(m.start(), m.end(), "percent")
    for m in _NUMBER.finditer(text):
        if m.group()[0].isdigit() or m.group().islower() or m.group().istitle():
            add(m.start(), m.end(), "number")
    for n in names(text):  # cached: the article's first pass (`known`) read the same text
        add(n.start, n.end, n.kind)
    if known:  # "Putin later said": a lone surname opening a sentence, named in full elsewhere
        for m in _OPENING_WORD.finditer(text):
            if name_key(m.group(1)) in known:
                add(m.start(1), m.end(1), "person")
    return sorted(spans)


_OPENING_WORD = re.compile(r"(?:^|[.!?“\"\n:]\s*)([A-Z][a-z][\w’'-]*)(?=[\s’',])")


_NAME_WORD = re.compile(r"(?<=\S\s)[A-Z][\w’'-]*[a-z][\w’'-]*")  # capitalised, not the first word, not "US"


def name_words(text: str) -> list[str]:
    """The words of a question that name something it asks about, as written: capitalised words after the
    first, a possessive "’s" dropped, and of a hyphenated compound only its capitalised parts ("UN-brokered"
    names "UN", which is all capitals and so not a word to look up; "Turkey-" names "Turkey";
    "Russia-US" names both). Not handled: names in lower case and a name opening the question."""
    out = []
    for m in _NAME_WORD.finditer(text):
        word = re.sub(r"[’']s$", "", m.group())
        parts = [p for p in word.split("-") if p]
        if len(parts) == 1:
            out.append(parts[0])
            continue
        out += [p for p in parts if p[:1].isupper() and any(c.islower() for c in p[1:])]
    return out
