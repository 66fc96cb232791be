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
    the span of the date itself ("March 26, 2025" in "PublishedMarch 26, 2025"), so it can be quoted
    verbatim and reads as a date; a "Published" mark before it makes a date preferred."""
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
                        candidates.append((not mark, d, i, offset + m.start(), offset + m.end()))
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


# -- what the articles table shows -----------------------------------------------------------
_OUTLET_NAME = r"(?P<outlet>(?:The\s+)?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,4})"
_OUTLET_PATTERNS = [  # who published the page, as its own text says it
    re.compile(r"\b(?:journalist|editor|reporter|correspondent|writer|columnist|contributor)s?"
               r"(?:\s+and\s+\w+)?\s+(?:for|at|with)\s+" + _OUTLET_NAME),
    re.compile(r"\b(?:A Message from|journalists of|supporting|subscribe to)\s+"
               + _OUTLET_NAME.replace("(?:The\\s+)?", "The\\s+")),  # "supporting Ukraine" is no outlet
    re.compile(r"(?:\bpublished by|©|\bCopyright(?: ©)?)\s+(?:\d{4}\s+)?" + _OUTLET_NAME),
]
_LEDE_WORDS = 14


def find_outlet(texts: list[str]) -> str | None:
    """The outlet a page names as its own ("editor for Wyoming Star", "A Message from The Moscow
    Times"), the most often named when several are; None when the text names none (a news
    agency credited for reporting, "AFP contributed reporting", is not taken for the outlet)."""
    found = outlet_where(texts)
    return found[0] if found else None


def outlet_where(texts: list[str]) -> tuple[str, int, str] | None:
    """`find_outlet` and where the text names it first: (outlet, index into `texts`, the words that name
    it as written, e.g. "published by Reuters")."""
    found: dict[str, list] = {}
    for i, text in enumerate(texts):
        for pattern in _OUTLET_PATTERNS:
            for m in pattern.finditer(text):
                name = m.group("outlet").rstrip(".’'")
                name = re.sub(r"[’']s$", "", name)
                if len(name) >= 3:
                    seen = found.setdefault(name, [0, i, m.group().rstrip(".’'")])
                    seen[0] += 1
    if not found:
        return None
    best = max(found, key=lambda n: (found[n][0], -list(found).index(n)))
    return best, found[best][1], found[best][2]


def find_lede(texts: list[str]) -> str | None:
    """For a page without a headline: the first words of its first prose paragraph, cut at about
    14 words with "…" ("Negotiations between Russia and the United States, led by …")."""
    for text in texts:
        line = " ".join(text.split())
        if not is_prose(line) or line.lower().startswith(("summarize", "read more")):
            continue
        ws = line.split()
        return line if len(ws) <= _LEDE_WORDS else " ".join(ws[:_LEDE_WORDS]).rstrip(",;:—-") + " …"
    return None


def describe(texts: list[str], reasons: list[str | None] | None = None) -> dict[str, str | None]:
    """What the articles table shows besides the headline and date: {"outlet", "lede"}. `reasons`
    are the paragraphs' boilerplate reasons (ingest.boilerplate.classify): the lede comes from
    article text only, the outlet also from an appeal or an author bio, never from a teaser of
    another article or an instruction."""
    reasons = reasons or [None] * len(texts)
    return {"outlet": find_outlet([t for t, r in zip(texts, reasons) if r not in ("teaser", "instruction")]),
            "lede": find_lede([t for t, r in zip(texts, reasons) if r is None])}


def sources(texts: list[str], reasons: list[str | None] | None = None,
            given: dict[str, str | None] | None = None) -> dict[str, dict]:
    """Where each metadata field was read (issue 28): {"headline" | "published" | "outlet": {"paragraph": n
    (1-based, as cited), "text": the words as written}} for the fields the text gives, or {"metadata": the
    value} for those the file format's own metadata gave (`given`, e.g. an HTML <title>, which take
    precedence, as in `ingest.build.parse_document`). Every field is the article's own claim about itself
    ("This article is published by Reuters"), never checked elsewhere; the page says so beside each."""
    out: dict[str, dict] = {}
    given = {k: v for k, v in (given or {}).items() if v}
    for field, value in given.items():
        out[field] = {"metadata": value}
    headline = None if "headline" in given else find_headline(texts)
    if headline:
        i = next(i for i, t in enumerate(texts) if t.strip().split("\n")[0].strip() == headline)
        out["headline"] = {"paragraph": i + 1, "text": headline}
    published = None if "published" in given else published_at(texts)
    if published:
        _, i, start, end = published
        out["published"] = {"paragraph": i + 1, "text": texts[i][start:end]}
    reasons = reasons or [None] * len(texts)
    usable = [i for i, r in enumerate(reasons) if r not in ("teaser", "instruction")]  # as `describe`
    outlet = None if "outlet" in given else outlet_where([texts[i] for i in usable])
    if outlet:
        out["outlet"] = {"paragraph": usable[outlet[1]] + 1, "text": outlet[2]}
    return out
