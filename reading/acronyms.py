"""Acronyms: short forms linked to the long forms an article spells out.

Assigns (short, long) pairs found in one text, two ways:
- Schwartz & Hearst (2003): "long form (SF)" and "SF (long form)", the long form being the
  shortest run of words before the parenthesis whose letters spell the short form in order, the
  first letter of the short form starting a word ("Russian Direct Investment Fund (RDIF)");
- initials: an organisation's capitalised name of three words or more (ending in a head word such as
  "Agency" or "Fund", or holding "of"/"for") whose initials (connectors such as "of",
  "for", "the", "and" skipped or kept, whichever spells it) give an upper-case acronym the
  question may use without the article ever writing it ("International Atomic Energy Agency" ->
  IAEA).
`Corpus.acronyms()` joins the pairs of a commit; `Corpus.unknown_names` and retrieval use them so
either form matches the other.

Not handled: acronyms whose letters come from inside words ("NASDAQ"), plurals ("NGOs" is kept
as written), and long forms in another language than the short form ("MAGATE").
"""
from __future__ import annotations

import re

from reading.lexicon import ORG_HEADS

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_SHORT = re.compile(r"^[A-Z][A-Za-z0-9&.-]{1,9}$")
_CAP_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of|for|the|and|on|de|&)?\s*[A-Z][\w’'-]*)+")
_SKIP = frozenset("of for the and on de &".split())


def _sh_long(short: str, words_before: list[str]) -> str | None:
    """Schwartz–Hearst: the shortest tail of `words_before` whose characters spell `short`."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not letters or len(words_before) == 0:
        return None
    window = words_before[-min(len(letters) + 5, 2 * len(letters)):]
    text = " ".join(window)
    s, l = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while l >= 0 and (text[l].lower() != c or (s == 0 and l > 0 and text[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = text.rfind(" ", 0, l + 1) + 1
    long = text[start:].strip(" ,;:")
    return long if len(long) > len(short) and " " in long else None


def _initials(name: str) -> set[str]:
    words = name.split()
    full = "".join(w[0] for w in words if w[0].isalpha()).upper()
    content = "".join(w[0] for w in words if w.lower() not in _SKIP).upper()
    return {a for a in (full, content) if len(a) >= 2}


def initials_of_runs(text: str, *, organisations: bool = False) -> list[tuple[str, set[str]]]:
    """Capitalised runs of three content words or more in `text` with the acronyms their initials spell;
    with `organisations`, only runs that end in an organisation's head word ("Agency", "Fund") or hold
    "of"/"for" (a person's name and title, "Russian Foreign Minister Sergei Lavrov", is no acronym)."""
    out = []
    for m in _CAP_RUN.finditer(text):
        name = re.sub(r"^(?:The|A|An)\s+", "", m.group().strip())
        words = name.split()
        if len([w for w in words if w.lower() not in _SKIP]) < 3:
            continue
        if organisations and not (words[-1].lower() in ORG_HEADS or {"of", "for"} & {w.lower() for w in words}):
            continue
        out.append((name, _initials(name)))
    return out


def pairs(text: str) -> list[tuple[str, str]]:
    """(short, long) pairs in `text`, in order found, without repeats."""
    out: dict[tuple[str, str], None] = {}
    for m in _PAREN.finditer(text):
        inside = m.group(1).strip()
        before = text[max(0, m.start() - 300):m.start()].split()
        if _SHORT.match(inside) and sum(c.isupper() for c in inside) >= 2:
            long = _sh_long(inside, before)
            if long:
                out[(inside.replace(".", ""), long)] = None
        elif len(before) >= 1 and _SHORT.match(before[-1].strip(",")) and " " in inside:
            short = before[-1].strip(",")  # "SF (long form)"
            if sum(c.isupper() for c in short) >= 2 and _sh_long(short, inside.split()) == inside:
                out[(short.replace(".", ""), inside)] = None
    for name, initials in initials_of_runs(text, organisations=True):
        for short in initials:
            out.setdefault((short, name), None)
    return list(out)
