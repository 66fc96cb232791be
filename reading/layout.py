"""Layout: a paragraph's lines read as prose, list items or table rows, and its reading text.

Assigns, for one paragraph's verbatim text, the pieces a reader sees (`Piece(start, end, kind)`,
offsets into the text): "prose" runs of lines (hard-wrapped lines are one run), "item" for each
list item ("- ", "* ", "• ", "1.", "2)", "a." ...; an indented line after an item continues it),
"row" for each row of a pipe table (`| a | b |` or `a | b | c`, two rows or more with the same
number of cells; a separator row `|---|---|` is no piece), and "heading" for a short line
without end punctuation that stands alone inside a block of prose.
`reading(text, start, end)` is the piece as a reader reads it: line breaks are spaces and a word
hyphenated across a line break is rejoined ("dredg-\\ners" -> "dredgers"); `row_reading` reads a
row with its header ("Party: Farmers' Union · Seats: 11").

A line break is a wrap (not a break) when the line is at least 60% as long as the block's
longest line (and that is 40 characters or more), when it ends with a hyphen, or when it ends
without end punctuation and the next line starts in lower case.

Not handled: tables without pipes (tab- or space-aligned columns read as prose), nested lists
(a nested item is its own item), cells holding a pipe, and a hyphen that belongs to a compound
split exactly at a line break ("follow-\\nup" is rejoined as "followup").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_LETTER = re.compile(r"^[ \t]*[a-zA-Z][.)][ \t]")
_OPENS_LIST = re.compile(r"[.!?:;]\W*$")  # a line that ends a sentence or leads into a list
_ITEM = re.compile(r"^[ \t]*(?:[-*•–—+]|\d{1,3}[.)]|[a-zA-Z][.)])[ \t]+(?=\S)")
_SEPARATOR = re.compile(r"^[\s|:+-]*-{2,}[\s|:+-]*$")
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")
_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_END = re.compile(r"[.!?:;…][\"'”’)\]]*$|[\"”]$")


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    kind: str  # "prose", "item", "row", "heading"
    header: tuple[str, ...] = ()  # a row's column names (empty for the header row itself)


def _lines(text: str) -> list[tuple[int, int]]:
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def cells(line: str) -> list[str]:
    parts = [c.strip() for c in line.strip().split("|")]
    if parts and not parts[0]:
        parts = parts[1:]
    if parts and not parts[-1]:
        parts = parts[:-1]
    return parts


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def pieces(text: str) -> list[Piece]:
    """The paragraph's pieces in order (see the module docstring)."""
    lines = [(a, b) for a, b in _lines(text) if text[a:b].strip()]
    if not lines:
        return []
    piped = [a for a, b in lines if "|" in text[a:b]]
    table = len(piped) >= 2 and len({len(cells(text[a:b])) for a, b in lines if "|" in text[a:b]
                                     and not _SEPARATOR.match(text[a:b])}) == 1
    out: list[Piece] = []
    prose: list[tuple[int, int]] = []
    header: tuple[str, ...] | None = None

    def flush() -> None:
        if prose:
            out.extend(_prose(text, prose))
            prose.clear()

    for a, b in lines:
        line = text[a:b]
        if table and "|" in line:
            flush()
            if _SEPARATOR.match(line):
                continue
            s, e = _strip(text, a, b)
            if header is None:
                header = tuple(cells(line))
                out.append(Piece(s, e, "row"))
            else:
                out.append(Piece(s, e, "row", header))
            continue
        item = _ITEM.match(line)
        if item and _LETTER.match(line) and prose and not _OPENS_LIST.search(text[prose[-1][0]:prose[-1][1]]):
            item = None  # "A." opening a wrapped line of prose is an initial, not a lettered list
        if item:
            flush()
            out.append(Piece(a + item.end(), _strip(text, a, b)[1], "item"))
            continue
        if out and out[-1].kind == "item" and not prose and line[:1] in (" ", "\t"):
            out[-1] = Piece(out[-1].start, _strip(text, a, b)[1], "item")  # an item's continuation line
            continue
        prose.append(_strip(text, a, b))
    flush()
    return out


def _prose(text: str, lines: list[tuple[int, int]]) -> list[Piece]:
    """Consecutive prose lines: joined where a line wraps, split where it breaks."""
    longest = max(b - a for a, b in lines)
    out: list[Piece] = []
    start = lines[0][0]
    for i, (a, b) in enumerate(lines):
        last = i == len(lines) - 1
        line = text[a:b]
        following = "" if last else text[lines[i + 1][0]:lines[i + 1][1]]
        wraps = not last and (line.endswith("-") or (longest >= 40 and b - a >= 0.6 * longest)
                              or (not _END.search(line) and following[:1].islower()))
        if wraps:
            continue
        short_alone = start == a and not _END.search(line) and len(line.split()) < 12 and len(lines) > 1
        out.append(Piece(start, b, "heading" if short_alone else "prose"))
        if not last:
            start = lines[i + 1][0]
    return out


def reading(text: str, start: int, end: int) -> str:
    """`text[start:end]` as a reader reads it: hyphenation across a line break rejoined, line
    breaks (and the spaces around them) read as one space."""
    return _BREAK.sub(" ", _HYPHEN_BREAK.sub("", text[start:end]))


def row_reading(text: str, piece: Piece) -> str:
    """A table row read with its header: "Party: Farmers' Union · Seats: 11 · Share of vote: 24.8%"."""
    values = cells(text[piece.start:piece.end])
    if not piece.header:
        return " · ".join(values)
    return " · ".join(f"{h}: {v}" if h else v for h, v in zip(piece.header, values))


def masked(text: str) -> str:
    """The text with every line break as a space: same length, so offsets into it index `text`."""
    return text.replace("\n", " ").replace("\r", " ")
