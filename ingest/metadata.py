"""Headline and publish date, where an article's own text states them.

Not handled: dates given only as relative words ("on Tuesday"), datelines
without a year, and headlines that end with a period (they read as prose).
"""
from __future__ import annotations

import re
from datetime import date

from ingest.boilerplate import is_prose, words

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_GLUED = r"(?:\b|(?<=[a-z])(?=[A-Z]))"  # "PublishedMarch 26, 2025" as scraped: a date glued to a word
_DATE_PATTERNS = [
    re.compile(rf"{_GLUED}(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(19|20)\d\d)\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>(19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
]
_PUBLISHED = re.compile(r"(published|updated|posted|date)\s*:?\s*", re.IGNORECASE)
_HEAD_PARAGRAPHS = 6  # headline and date sit at the top of a page


def find_headline(texts: list[str]) -> str | None:
    """The first title-like line near the top: several words, not prose, some lowercase words.

    A line of only capitalised words ("Arab World Eastern Europe Politics") is navigation.
    """
    for text in texts[:_HEAD_PARAGRAPHS]:
        first_line = text.strip().split("\n")[0].strip()
        ws = words(first_line)
        if is_prose(first_line) or not 4 <= len(ws) <= 25:
            continue
        if any(w[0].islower() for w in ws) and not first_line.lower().startswith(("read more", "summarize")):
            return first_line
    return None


def find_published(texts: list[str]) -> str | None:
    """ISO date of a "Published ..." mark near the top, else of a bare date line there."""
    found = published_at(texts)
    return found[0] if found else None


def published_at(texts: list[str]) -> tuple[str, int, int, int] | None:
    """The publish date near the top and where it is written: (ISO date, paragraph index, start, end),
    the span holding the "Published" mark when there is one, so the date can be quoted verbatim."""
    candidates = []
    for i, text in enumerate(texts[:_HEAD_PARAGRAPHS + 2]):
        offset = 0
        for line in text.split("\n"):
            for pattern in _DATE_PATTERNS:
                for m in pattern.finditer(line):
                    d = _to_date(m)
                    if d is None:
                        continue
                    mark = _PUBLISHED.search(line[: m.start()][-20:])
                    short = len(words(line)) <= 12
                    if mark or short:
                        start = m.start() - (len(line[: m.start()][-20:]) - mark.start()) if mark else m.start()
                        candidates.append((not mark, d, i, offset + start, offset + m.end()))
            offset += len(line) + 1
    if not candidates:
        return None
    _, d, i, start, end = min(candidates, key=lambda c: (c[0], c[1]))
    return d.isoformat(), i, start, end


def _to_date(m: re.Match) -> date | None:
    g = m.groupdict()
    month = int(g["mnum"]) if g.get("mnum") else _MONTHS.get(_month_name(g["month"]))
    try:
        return date(int(g["year"]), month, int(g["day"]))
    except (TypeError, ValueError):
        return None


def _month_name(raw: str) -> str:
    raw = raw.rstrip(".").lower()
    return next((m for m in _MONTHS if m.startswith(raw[:3])), raw)
