"""When things happened: the date expressions of a quote resolved against its article's publication date.

A news sentence says when as its reader would understand it on the day it was published: "on Tuesday",
"last week", "earlier this month", "in 2022". `dates_in(para, start, end)` reads the date mentions ingest
stored for that span (`Para.units[..].mentions` of kind "date", `reading.mentions`) and resolves each
with dateparser (`DateDataParser`, its `RELATIVE_BASE` the publication date), giving an `EventDate`: the
expression as written, its offsets, the first day of the period it names (ISO) and the period's precision.
`bracketed_pieces(pieces, dates)` inserts the resolved date after the expression, in square brackets, as a
piece of ours ("on Tuesday [March 25, 2025]"), the way `qa.compose` marks every word that is not the article's.

Rules on top of dateparser (hand-written, each because dateparser has no setting for it):
- a bare weekday that is the publication's own weekday is that day ("on Wednesday" in a Wednesday paper),
  not the week before (dateparser's answer with `PREFER_DATES_FROM="past"`);
- a sentence in the future tense ("will", "is set to", "is expected to", "scheduled", "plans to", "next")
  resolves a weekday or a day without a year forward; every other sentence backward, as news reports the past;
- an expression whose text already states its year ("March 26, 2025", "2014") is `relative=False` and gets no
  brackets.

Shapes: `EventDate.date` is "YYYY-MM-DD": the day, the Monday of a week, the first of a month or of a year;
`precision` one of "day", "week", "month", "year"; `label` the date as shown ("March 25, 2025", "the week of
March 17, 2025", "February 2025", "2022"). Errors: none raised; an expression dateparser cannot read, or a
relative one in an article without a publication date, is left unresolved (absent from the result).

Not handled: ranges ("2022-2023" gives its two years apart), times of day (a clock time is not a date),
vague spans dateparser does not read ("earlier this month" is read as "this month", the month of publication),
and the tense of reported speech ("said he would visit on Thursday" reads backward).
"""
from __future__ import annotations

import bisect
import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reading.lexicon import DAYS
from reading.text import fold

_FUTURE = re.compile(r"\b(will|won't|shall|is|are|was|were) (?:\w+ )?(?:set|expected|scheduled|due|slated|poised|"
                     r"going) to\b|\bwill\b|\bplans? to\b|\bnext\b|\bupcoming\b|\bscheduled\b|\b(?:is|are) due\b", re.I)
_HAS_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MODIFIER = re.compile(r"\b(last|next|this|coming|past)\s+$", re.I)  # "next Tuesday": the mention is "Tuesday"
_VAGUE = re.compile(r"^(?:earlier|later)\s+(?=this\b)", re.I)  # "earlier this week" is read as "this week"
_PERIODS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class EventDate:
    """A date expression of a paragraph and the date it names.

    start, end: offsets into `Para.text` (the expression is `text[start:end]`, as written); date: ISO
    "YYYY-MM-DD" of the period's first day; precision: "day" | "week" | "month" | "year"; relative: True
    when the publication date was needed to read it (then it is shown with its date in brackets)."""

    text: str
    start: int
    end: int
    date: str
    precision: str
    relative: bool

    @property
    def label(self) -> str:
        """The date as shown to a reader: "March 25, 2025", "the week of March 17, 2025", "February 2025", "2022"."""
        return label(self.date, self.precision)

    @property
    def key(self) -> tuple[str, int]:
        """Sort key: the period's first day, the finer period first."""
        return self.date, _PERIODS.index(self.precision)


def label(iso: str, precision: str = "day") -> str:
    d = date.fromisoformat(iso)
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return f"{calendar.month_name[d.month]} {d.year}"
    day = f"{calendar.month_name[d.month]} {d.day}, {d.year}"
    return f"the week of {day}" if precision == "week" else day


def published_date(published: str | None) -> date | None:
    """The ISO publication date `Para.published` / `Citation.published` holds, as a date; None when absent or bad."""
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def resolve(expression: str, published: date | None, *, future: bool = False) -> tuple[str, str, bool] | None:
    """(ISO date, precision, relative) of one date expression read on `published` (None: no publication date,
    so only an expression that states its year resolves); `future` reads weekdays and yearless days forward.
    None when dateparser cannot read it."""
    text = _VAGUE.sub("", " ".join(expression.split()))
    relative = not _HAS_YEAR.search(text)
    if relative and published is None:
        return None
    return _resolve(text, published or date(2000, 1, 1), future, relative)


@functools.lru_cache(maxsize=8192)
def _resolve(text: str, published: date, future: bool, relative: bool) -> tuple[str, str, bool] | None:
    base = datetime(published.year, published.month, published.day)
    data = _parser(base, "future" if future else "past").get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    found, period = data.date_obj.date(), data.period if data.period in _PERIODS else "day"
    if period == "day" and fold(text) in DAYS and found.weekday() == published.weekday() and found != published:
        found = published  # "on Wednesday" in Wednesday's paper: that day
    if period == "week":
        found -= timedelta(days=found.weekday())  # the Monday of that week
    elif period == "month":
        found = found.replace(day=1)
    elif period == "year":
        found = found.replace(month=1, day=1)
    return found.isoformat(), period, relative


@functools.lru_cache(maxsize=512)
def _parser(base: datetime, prefer: str):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer,
                                                      "RETURN_TIME_AS_PERIOD": True, "STRICT_PARSING": False})


def dates_in(para, start: int | None = None, end: int | None = None) -> list[EventDate]:
    """The resolved date expressions of `para` (an `ingest.corpus.Para`) inside [start, end) (default: the whole
    paragraph), in text order, from its stored date mentions; each read in the tense of its own unit."""
    start = 0 if start is None else start
    end = len(para.text) if end is None else end
    out = []
    for unit in para.units:
        if unit.end <= start or unit.start >= end:
            continue
        future = bool(_FUTURE.search(unit.reading))
        for m in unit.mentions:
            if m.kind != "date" or m.start < start or m.end > end:
                continue
            a = _with_modifier(para.text, m.start)
            found = resolve(para.text[a:m.end], published_date(para.published), future=future)
            if found:
                out.append(EventDate(para.text[a:m.end], a, m.end, *found))
    return out


def dates_by_unit(para) -> dict[tuple[int, int], list[EventDate]]:
    """`dates_in` of every unit of `para` at once, keyed by the unit's (start, end): one walk over the units and a
    bisection per date (a paragraph of thousands of sentences is not walked once per sentence)."""
    starts = [u.start for u in para.units]  # units are in text order
    out: dict[tuple[int, int], list[EventDate]] = {}
    for d in dates_in(para):
        i = bisect.bisect_right(starts, d.start) - 1
        if i >= 0:
            unit = para.units[i]
            out.setdefault((unit.start, unit.end), []).append(d)
    return out


def dates_of_text(text: str, published: str | None) -> list[EventDate]:
    """`dates_in` for a text that is not a stored paragraph (a test's sentence): its mentions read on the spot
    with the ingest rules (`reading.mentions`), the tense of the whole text."""
    from reading.mentions import mentions

    future = bool(_FUTURE.search(text))
    out = []
    for a, b, kind in mentions(text):
        a = _with_modifier(text, a)
        found = resolve(text[a:b], published_date(published), future=future) if kind == "date" else None
        if found:
            out.append(EventDate(text[a:b], a, b, *found))
    return out


def _with_modifier(text: str, start: int) -> int:
    """Where a date mention starts with the "last" / "next" / "this" before it ("next Tuesday")."""
    m = _MODIFIER.search(text[max(0, start - 12):start])
    return start - len(m.group()) if m else start


def event_date(dates: list[EventDate]) -> EventDate | None:
    """The date a quote's event is placed at: its first date of day precision, else its first of any."""
    return next((d for d in dates if d.precision == "day"), dates[0] if dates else None)


def bracketed_pieces(pieces: tuple[tuple[str, bool], ...], dates: list[EventDate]) -> tuple[tuple[str, bool], ...]:
    """A quote's pieces (`qa.compose`: (text, ours)) with each relative expression's resolved date added after it
    as a piece of ours, so the answer records its offsets as ours: ("on Tuesday", False), (" [March 25, 2025]",
    True). Only verbatim pieces are searched, in order; an expression not found (cut by "[…]") is skipped."""
    out, k, at = list(pieces), 0, 0
    for d in dates:
        if not d.relative:
            continue
        pattern = re.compile(r"\s+".join(map(re.escape, d.text.split())))
        for i in range(k, len(out)):
            piece, ours = out[i]
            m = None if ours else pattern.search(piece, at if i == k else 0)
            if m:
                label = d.label if d.precision != "year" else "year " + d.label  # "[2024]" would read as a marker
                out[i:i + 1] = [(piece[:m.end()], False), (f" [{label}]", True), (piece[m.end():], False)]
                k, at = i + 2, 0
                break
    return tuple(out)

