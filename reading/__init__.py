"""Reading an article once, at ingest, the way a careful reader does; stored as annotations.

Components, each a module whose docstring says what it assigns and what it does not handle:
`layout` (prose, list items, table rows; the reading text of wrapped and hyphenated lines),
`sentences` (Punkt with abbreviations), `mentions` (names, times, amounts, typed), `acronyms`
(short and long forms), `speakers` (spaCy's dependency parse, rules as the fallback), over the
shared knowledge in `lexicon` and `numbers`. `read_article(texts, reasons, parser)` runs them on
the paragraphs of one article and returns, per paragraph, its `Unit`s and acronym pairs;
`parse_article` (ingest.build) stores them in the snapshot's `annotations` column and
`Corpus` exposes them as `Para.units` and `Corpus.acronyms()`.

Shapes: offsets are characters into the paragraph's verbatim text (`Para.text`), so a quote is
always `text[start:end]`. Boilerplate paragraphs get units and mentions but no speakers.

Not handled: see each component.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from reading import acronyms, layout, mentions, sentences, speakers
from reading.kinds import MENTION_KINDS, MentionKind, UnitKind, check_kind

VERSION = 3  # 2: clock times ("7 a.m.") read as times (issue 28); 3: follow-on quotations and "said board chair X" attributed, "organisation" for "org" (issue 24). Bump when what is read changes: snapshots written before are re-read (ingest.snapshot)


@dataclass(frozen=True)
class Mention:
    start: int  # offsets into Para.text
    end: int
    kind: MentionKind  # reading.kinds: person, organisation, place, name, date, time, duration, number, money, percent

    def __post_init__(self):
        check_kind(self.kind, MENTION_KINDS)


@dataclass(frozen=True)
class Unit:
    start: int  # offsets into Para.text: the quote is text[start:end]
    end: int
    kind: UnitKind  # reading.kinds: "sentence" | "item" | "row" | "heading"
    reading: str  # as a reader reads it: lines joined, hyphenation rejoined, a row with its header
    speaker: str | None  # who its reported speech or quotation is attributed to, as written
    mentions: tuple[Mention, ...]


_KIND = {"prose": "sentence", "item": "item", "row": "row", "heading": "heading"}


def units_of(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, reading) of one paragraph's units, in order, without speakers or mentions."""
    out = []
    for piece in layout.pieces(text):
        if piece.kind == "prose":
            for a, b in sentences.spans(text, piece.start, piece.end):
                out.append((a, b, "sentence", layout.reading(text, a, b)))
        elif piece.kind == "row":
            kind = "row" if piece.header else "heading"
            out.append((piece.start, piece.end, kind, layout.row_reading(text, piece)))
        else:
            out.append((piece.start, piece.end, _KIND[piece.kind], layout.reading(text, piece.start, piece.end)))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The one sentence splitter, for any text (a stored paragraph's `Para.sentences` are these spans, made at
    ingest): the spans of `units_of(text)`, prose split by `sentences.spans`, list items and table rows whole.
    The reader was trained on `sentences.spans` over prose, which these equal there (on the 39 Normans
    paragraphs of ../shared/bench: 176 sentences either way)."""
    return [(a, b) for a, b, _, _ in units_of(text)]


def read_article(texts: Sequence[str], reasons: Sequence[str | None],
                 parser: speakers.Parser | None = None) -> list[dict[str, Any]]:
    """Annotations of each paragraph of one article: {"units": [Unit, ...], "acronyms": [(short, long)]}.
    `reasons` are the boilerplate reasons (None for article text); `parser` reads speakers
    (None: the rules do)."""
    shapes = [units_of(t) for t in texts]
    plain = [layout.masked(t) for t in texts]
    known = frozenset(m.key for t, r in zip(plain, reasons) if r is None
                      for m in mentions.names(t) if m.kind == "person" and " " in m.text)
    said = speakers.attribute([[u[3] for u in shape] if r is None else [] for shape, r in zip(shapes, reasons)],
                              parser)
    out = []
    for text, flat, shape, reason, who in zip(texts, plain, shapes, reasons, said):
        found = mentions.mentions(flat, known)
        units, at = [], 0
        for j, (a, b, kind, reading) in enumerate(shape):
            while at < len(found) and found[at][0] < a:
                at += 1  # units and mentions are both in text order: one walk, not units x mentions
            inside = []
            while at < len(found) and found[at][1] <= b:
                inside.append(Mention(*found[at]))
                at += 1
            inside = tuple(inside)
            if reason in ("heading", "headline") and kind == "sentence":
                kind = "heading"
            units.append(Unit(a, b, kind, reading, who[j] if j < len(who) else None, inside))
        out.append({"units": units, "acronyms": acronyms.pairs(flat)})
    return out


def dump(annotations: dict[str, Any]) -> str:
    """Compact JSON for the snapshot: units as [start, end, kind, reading, speaker, [[s, e, kind], ...]]."""
    return json.dumps({
        "units": [[u.start, u.end, u.kind, u.reading, u.speaker, [[m.start, m.end, m.kind] for m in u.mentions]]
                  for u in annotations.get("units", ())],
        "acronyms": [list(p) for p in annotations.get("acronyms", ())],
    }, separators=(",", ":"), ensure_ascii=False)


def load(raw: str | None) -> dict[str, Any]:
    """`dump` read back: {"units": tuple[Unit, ...], "acronyms": [(short, long), ...]}."""
    if not raw:
        return {"units": (), "acronyms": []}
    data = json.loads(raw)
    return {
        "units": tuple(Unit(a, b, k, r, s, tuple(Mention(*m) for m in ms)) for a, b, k, r, s, ms in data["units"]),
        "acronyms": [tuple(p) for p in data.get("acronyms", ())],
    }
