"""Numbers in text: as written (`quantities`), as digit strings (`numbers`) and by value (`values`).

The one number parser of the project: ingest types number/money/percent mentions with it, and
query time (`qa.analyze` for "how many", `qa.check` for "four-and-a-half" = 4.5) asks it.
Hand-written rather than text2num: the values needed are small English number words and
hyphenated compounds, and text2num's French-first API adds a dependency for nothing more.

Not handled: a number written as words in one text and as a different combination in the other
("two hundred and five" is read as 205 only when hyphenated or joined by spaces word by word),
fractions other than "half", and Roman numerals.
"""
from __future__ import annotations

import functools
import re

from ingest.reading.lexicon import NUMBER_WORDS, ORDINALS, SCALES, TENS, UNITS

_VALUE_WORDS = {**UNITS, **TENS, **SCALES, "half": 0.5, "twice": 2}
_NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?|[a-z]+(?:-[a-z]+)*")
_AND_A_HALF = re.compile(r"\b([a-z]+|\d+)(?:[\s-]+and[\s-]+a[\s-]+|-and-a-)half\b")
NUMBER = re.compile(r"\$?\d[\d,.]*%?|\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)


@functools.lru_cache(maxsize=32768)
def quantities(text: str) -> tuple[str, ...]:
    """Numerals and number words as written; a bare year counts too (the caller removes what the
    question holds)."""
    return tuple(q for q in (m.group().rstrip(".,") for m in NUMBER.finditer(text)) if q)


def numbers(text: str) -> list[str]:
    """Digit strings only, normalised ("4.5", "300", "2014"): what must match exactly between texts."""
    return [n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,.]*", text) if n.rstrip(".,")]


def values(text: str) -> set[tuple[str, float]]:
    """Every number a text states, by value: ("n", 4.5) for "4.5" or "four-and-a-half",
    ("ord", 2) for "second" or "2nd". Vague words ("several", "dozens") and "once" are not numbers."""
    from ingest.text import fold

    folded = _AND_A_HALF.sub(lambda m: f"{value(m.group(1)) + 0.5:g}" if value(m.group(1)) is not None
                             else m.group(), fold(text))
    out: set[tuple[str, float]] = set()
    for token in _NUMBER_TOKEN.findall(folded):
        if token[0].isdigit():
            digits = re.sub(r"(st|nd|rd|th)$", "", token).replace(",", "")
            kind = "ord" if digits != token.replace(",", "") else "n"
            out.add((kind, float(digits)))
        elif token in ORDINALS:
            out.add(("ord", float(ORDINALS[token])))
        else:
            v = value(token)
            if v is not None:
                out.add(("n", v))
    return out


def value(token: str) -> float | None:
    """"twenty-five" -> 25, "four" -> 4, "4" -> 4; None for anything else."""
    if token[:1].isdigit():
        try:
            return float(token.replace(",", ""))
        except ValueError:
            return None
    parts = token.split("-")
    if not all(p in _VALUE_WORDS for p in parts):
        return None
    total = 0.0
    for p in parts:
        v = _VALUE_WORDS[p]
        total = total * v if p in SCALES and total else total + v
    return total
