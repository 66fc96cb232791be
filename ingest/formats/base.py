"""What every reader returns: a `Document` of `Block`s and the metadata its format states.

Shapes:
- `Block(text, kind, page, line)`: `text` is one paragraph verbatim as the format gives it (line breaks
  kept where the format has lines: a PDF's lines, a paragraph's soft breaks; list items one a line with
  their marker, "• " or "1. "; table rows one a line as "| a | b |"); `kind` is "text", "heading" (a
  section heading, never quoted) or "title" (the document's own title shown in it, never quoted);
  `page` is the 1-based page (PDF) or None; `line` the 1-based line where it starts (text formats)
  or None.
- `Document(blocks, headline, published, author, outlet, encoding, heuristics)`: metadata as the format
  states it (None where it states nothing: `ingest.metadata` then reads the text); `published` an ISO
  date `YYYY-MM-DD`; `encoding` the text encoding used (text formats); `heuristics` says whether
  `ingest.boilerplate` classifies the paragraphs (False where an extractor already removed boilerplate).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    text: str
    kind: str = "text"  # "text" | "heading" | "title"
    page: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    headline: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None
    encoding: str | None = None
    heuristics: bool = True

    @property
    def pages(self) -> bool:
        return any(b.page is not None for b in self.blocks)


def clean(text: str | None) -> str | None:
    """Metadata text on one line, or None when empty."""
    text = " ".join((text or "").split())
    return text or None


def iso_date(value) -> str | None:
    """`YYYY-MM-DD` from a date, a datetime or a string starting with one (e.g. "2025-03-14T08:00Z");
    None otherwise."""
    import re
    from datetime import date

    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    m = re.match(r"\s*(\d{4})-(\d\d)-(\d\d)", str(value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def versions(tag: str, version: int, *packages: str) -> str:
    """A reader's version string, "html 1 trafilatura 2.0.0 htmldate 1.9.3": its own `version` and each library
    it reads with, from the installed packages' metadata, without importing them (a no-op ingest stays fast)."""
    from importlib.metadata import version as installed

    return " ".join([f"{tag} {version}", *(f"{p} {installed(p)}" for p in packages)])
