"""Numbers in text: as written (`quantities`), as digit strings (`numbers`) and by value (`values`).

The one number parser of the project: ingest types number/money/percent mentions with it, and
query time (`qa.analyze` for "how many", `qa.check` for "four-and-a-half" = 4.5) asks it.
Hand-written rather than text2num: the values needed are small English number words and
hyphenated compounds, and text2num's French-first API adds a dependency for nothing more.

Amounts of money and scaled numbers (`amounts`): "US$1.2bn", "$1.2 billion", "1.2 billion dollars" and
"USD 1,200 million" are one value and one currency, and `amount_terms` names them with the same two
terms whichever way they are written, so lexical matching (`terms`) finds one written the other way.
Hand-written: price-parser reads one price string, not amounts inside prose, and quantulum3 (a
classifier over prose) is slow at ingest and reads "bn" as a unit of its own.

Not handled: a number written as words in one text and as a different combination in the other
("two hundred and five" is read as 205 only when hyphenated or joined by spaces word by word),
fractions other than "half", and Roman numerals.
"""
from __future__ import annotations

import functools
import re

from dataclasses import dataclass

from reading.lexicon import CURRENCIES, CURRENCY_SIGNS, NUMBER_WORDS, ORDINALS, SCALES, SCALE_ABBREVIATIONS, TENS, UNITS

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
    from reading.text import fold

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


@dataclass(frozen=True)
class Amount:
    """An amount as written in a text: `text[start:end]`, its value (scale applied: "1.2bn" is 1.2e9) and
    its currency (ISO code in lower case: "usd"; "" for a scaled number with none: "4.5 million people")."""

    start: int
    end: int
    value: float
    currency: str


_SIGN = "|".join(re.escape(s) for s in sorted(CURRENCY_SIGNS, key=len, reverse=True))
_CODE = "|".join(sorted({c.upper() for c in CURRENCIES.values()}))
_WORD = "|".join(sorted(CURRENCIES, key=len, reverse=True))
_SCALE_WORD = "|".join(sorted(set(SCALES) - {"dozen", "hundred"}, key=len, reverse=True))
_SCALE_SHORT = "|".join(sorted(SCALE_ABBREVIATIONS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?:(?P<sign>{_SIGN})\s?|\b(?P<code>{_CODE})\s?)(?P<n>\d[\d,]*(?:\.\d+)?)"
    rf"(?:\s?(?P<scale>{_SCALE_WORD})\b|(?P<short>{_SCALE_SHORT})\b)?(?:\s+(?P<after>{_WORD})\b)?"
    rf"|\b(?P<n2>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<scale2>{_SCALE_WORD})\b|(?P<short2>{_SCALE_SHORT})(?=\s+(?:{_WORD})\b))?"
    rf"(?:\s+(?P<word>{_WORD})\b)?", re.I)
_MAYBE = re.compile(rf"{_SIGN}|\b(?:{_CODE})\b|\b(?:{_SCALE_WORD}|{_WORD})\b|\d(?:{_SCALE_SHORT})\b", re.I)


def amounts(text: str) -> list[Amount]:
    """Amounts of money ("US$1.2bn", "1.2 billion dollars", "€850m", "GBP 3,000") and scaled numbers
    ("4.5 million"), in text order. A bare number ("400 jobs", "2023") is no amount; "m"/"bn"/"k" scale a
    number only next to a currency ("£15.8m"), never alone ("100m race")."""
    if not _MAYBE.search(text):
        return []
    out = []
    for m in _AMOUNT.finditer(text):
        n = m.group("n") or m.group("n2")
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        short = (m.group("short") or m.group("short2") or "").lower()
        word = (m.group("after") or m.group("word") or "").lower()
        sign, code = m.group("sign"), m.group("code")
        currency = (CURRENCY_SIGNS[sign] if sign else code.lower() if code else CURRENCIES.get(word, ""))
        if not (currency or scale):
            continue
        try:
            number = float(n.replace(",", ""))
        except ValueError:
            continue
        number = round(number * SCALES.get(scale, 1) * SCALE_ABBREVIATIONS.get(short, 1), 6)
        end = m.end() if (word or m.group("sign") or code) else m.end("scale2") if m.group("scale2") else m.end()
        out.append(Amount(m.start(), end, number, currency))
    return out


def amount_terms(amount: Amount) -> list[str]:
    """The terms an amount is matched by, the same however it is written: its value ("¤1200000000") and its
    currency ("¤usd"); "¤" keeps them apart from words and plain numbers."""
    value = f"{amount.value:.15g}" if amount.value != int(amount.value) else str(int(amount.value))
    return [f"¤{value}"] + ([f"¤{amount.currency}"] if amount.currency else [])
