"""Markdown notes (`.md`, `.markdown`) through markdown-it-py (CommonMark, with tables).

Paragraphs: the blocks as the rendered page shows them, in order: each paragraph; each heading (kind
"heading"; the first level-1 heading, when it opens the file, is the title); a list one paragraph of
items ("• item" or "1. item", one a line); a table one paragraph of rows "| a | b |"; a quotation's
paragraphs; a code block one paragraph. Text is the rendered text: emphasis, link and code markers are
dropped (a link keeps its words, an image its alt text is not read), so markup is never in a quote; a
soft or hard line break stays a line break.

Metadata: the title from that heading; the date and outlet from the text (`ingest.metadata`).
Not handled: YAML front matter (read as text), raw HTML blocks (skipped), footnotes, nested lists
(flattened: each item a line).
"""
from __future__ import annotations

from ingest.errors import UnreadableFileError
from ingest.formats.base import Block, Document, versions
from ingest.paragraphs import decode_article_encoded

SUFFIXES = (".md", ".markdown")
NAME = "Markdown"
VERSION = 1


def version() -> str:
    return versions("md", VERSION, "markdown-it-py")


def read(data: bytes, name: str) -> Document:
    from markdown_it import MarkdownIt

    source, encoding = decode_article_encoded(data, name)
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    blocks: list[Block] = []
    items: list[str] = []
    lists: list[tuple[bool, int]] = []  # (ordered, next number) of the open lists
    rows: list[list[str]] = []
    row: list[str] | None = None
    heading: str | None = None
    for tok in tokens:
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            lists.append((t == "ordered_list_open", int(tok.attrGet("start") or 1)))
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists and items:
                blocks.append(Block("\n".join(items), line=None))
                items = []
        elif t == "heading_open":
            heading = tok.tag
        elif t == "tr_open":
            row = []
        elif t == "tr_close":
            rows.append(row or [])
            row = None
        elif t == "table_close":
            blocks.append(Block("\n".join("| " + " | ".join(r) + " |" for r in rows)))
            rows = []
        elif t in ("fence", "code_block"):
            if tok.content.strip():
                blocks.append(Block(tok.content.strip("\n"), line=_line(tok)))
        elif t == "inline":
            text = _plain(tok)
            if row is not None:
                row.append(" ".join(text.split()).replace("|", "/"))
            elif lists:
                ordered, n = lists[-1]
                if text.strip():
                    items.append(f"{n}. {' '.join(text.split())}" if ordered else f"• {' '.join(text.split())}")
                if ordered:
                    lists[-1] = (ordered, n + 1)
            elif text.strip():
                kind = "text"
                if heading is not None:
                    kind = "title" if heading == "h1" and not blocks else "heading"
                blocks.append(Block(text.strip(), kind, line=_line(tok)))
            heading = None
    if not blocks:
        raise UnreadableFileError(f"{name}: the Markdown file holds no text; put the article's text in it")
    title = blocks[0].text if blocks[0].kind == "title" else None
    return Document(tuple(blocks), headline=" ".join(title.split()) if title else None, encoding=encoding)


def _line(tok) -> int | None:
    return tok.map[0] + 1 if tok.map else None


def _plain(inline) -> str:
    """An inline token's text without markup: text and code as written, breaks as line breaks."""
    out = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "\n".join(" ".join(line.split()) for line in "".join(out).split("\n"))
