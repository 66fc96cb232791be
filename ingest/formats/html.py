"""Saved web pages (`.html`, `.htm`) through trafilatura, dates through htmldate (which trafilatura calls).

Paragraphs: the main text's blocks in page order, as trafilatura's XML keeps them: each `<p>`, each
heading (kind "heading"), each quotation block, a list as one paragraph of items ("• item" or "1. item",
one a line), a table as one paragraph of rows ("| a | b |", the header row first). The page's title
(trafilatura's, from the meta tags or `<title>`) is paragraph 1, kind "title", unless the main text
opens with it (then that heading is the title). Navigation, cookie banners, related-story boxes, ads and
comments are what trafilatura leaves out; `ingest.boilerplate` does not second-guess it (only text
addressed to an AI is still flagged, in `ingest.build`).

Metadata: the headline (the page's `<h1>`, else its title less the site's name: `page_headline`), author, site name (the outlet) and publication date (htmldate, the original date
preferred over an update) from the page's meta tags and markup.

Errors: a page where trafilatura finds no main text, or less than `MIN_TEXT` characters of it, is `UnreadableFileError` with the fix. Not handled:
pages whose text is written by JavaScript after loading (a saved page without its text), a `|` inside a
table cell (read as "/"), images and their captions, nested lists (flattened, one item a line).
"""
from __future__ import annotations

import re

from ingest.errors import UnreadableFileError
from ingest.formats.base import Block, Document, clean, iso_date, versions

SUFFIXES = (".html", ".htm")
NAME = "HTML"
VERSION = 1
MIN_TEXT = 150  # characters: less main text than this is what is left of a page without an article (a
#                cookie banner, a login form); the shortest news brief is longer
_SPACES = re.compile(r"[ \t\r\f\v]+")
_DATES = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d"}


def version() -> str:
    return versions("html", VERSION, "trafilatura", "htmldate")


def read(data: bytes, name: str) -> Document:
    return from_html(data, name)


def from_html(data: bytes | str, name: str, *, heuristics: bool = False) -> Document:
    """The Document of an HTML page (bytes: trafilatura decodes them by the page's charset)."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        raise UnreadableFileError(f"{name}: not an HTML page (nothing in it parses as HTML); save the page again "
                                  f"from the browser (File > Save as, 'Web page, HTML only')")
    h1s = [" ".join(" ".join(h.itertext()).split()) for h in tree.iter("h1")]  # before trafilatura prunes the tree
    found = trafilatura.bare_extraction(
        tree, with_metadata=True, include_comments=False, include_tables=True, include_formatting=False,
        include_links=False, include_images=False, output_format="python", date_extraction_params=_DATES)
    blocks = _blocks(found.body) if found is not None and found.body is not None else []
    if sum(len(b.text) for b in blocks if b.kind == "text") < MIN_TEXT:
        raise UnreadableFileError(f"{name}: no article text found in the page; save the article's own page "
                                  f"(not a front page or a login page), or copy its text into a .txt file")
    first_heading = blocks[0].text if blocks and blocks[0].kind == "heading" else None
    title = page_headline(clean(found.title), clean(found.sitename), [h for h in h1s if h], first_heading)
    if title:
        if blocks[0].kind == "heading" and _same(blocks[0].text, title):
            blocks[0] = Block(blocks[0].text, "title")
        else:
            blocks.insert(0, Block(title, "title"))
    return Document(tuple(blocks), headline=title, published=iso_date(found.date), author=clean(found.author),
                    outlet=clean(found.sitename), heuristics=heuristics)


def page_headline(title: str | None, site: str | None, h1s: list[str], first_heading: str | None) -> str | None:
    """The story's headline: the page's one `<h1>` when it has exactly one of two words or more (the
    headline as the page shows it); else an `<h1>` that the page's title holds; else the title less the
    site's name (`headline`). Chosen on trafilatura's evaluation pages (docs/formats.md)."""
    h1s = [h for h in h1s if not site or h.casefold() != site.casefold()]  # a logo in an <h1> is no headline
    if len(h1s) == 1 and len(h1s[0].split()) >= 2:
        return h1s[0]
    inside = next((h for h in h1s if title and h.casefold() in title.casefold()), None)
    return inside or headline(title, site, first_heading)


_SEPARATOR = re.compile(r"\s+(?:[|\-–—·›»•~/]|::|:)\s+")


def headline(title: str | None, site: str | None, first_heading: str | None = None) -> str | None:
    """The story's headline from the page's title, without the site's name around it: "Storm closes
    port | Harbour Times" -> "Storm closes port". A part equal to the main text's first heading wins;
    then parts naming the site (its name, or a host name such as "helge.at") are dropped; of several
    parts left, the one before the last separator is taken when it has 3 words or more (the
    readability rule), else the longest. A title without separators is kept whole."""
    if not title:
        return None
    parts = [p.strip() for p in _SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    if first_heading:
        match = next((p for p in parts if _same(p, first_heading)), None)
        if match:
            return match
    site_key = (site or "").casefold()
    kept = [p for p in parts if not (site_key and (p.casefold() == site_key or site_key in p.casefold()))
            and not re.fullmatch(r"[\w.-]+\.[a-z]{2,}", p.casefold())]
    if len(kept) == 1:
        return kept[0]
    kept = kept or parts
    if len(kept[0].split()) >= 3:
        return kept[0]
    return max(kept, key=lambda p: len(p.split()))


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _blocks(body) -> list[Block]:
    out: list[Block] = []
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "head":
            _add(out, _text(el), "heading")
        elif tag in ("p", "code"):
            _add(out, _text(el))
        elif tag == "quote":
            parts = [c for c in el if isinstance(c.tag, str) and c.tag in ("p", "list", "quote")]
            if parts:
                out.extend(_blocks(el))
            else:
                _add(out, _text(el))
        elif tag == "list":
            ordered = el.get("rend") == "ol"
            items = [_one_line(_text(i)) for i in el.iter("item")]
            items = [i for i in items if i]
            _add(out, "\n".join(f"{n}. {i}" if ordered else f"• {i}" for n, i in enumerate(items, 1)))
        elif tag == "table":
            rows = []
            for row in el.iter("row"):
                cells = [_one_line(_text(c)).replace("|", "/") for c in row.iter("cell")]
                if any(cells):
                    rows.append("| " + " | ".join(cells) + " |")
            _add(out, "\n".join(rows))
        elif tag in ("div", "section", "main", "body"):
            out.extend(_blocks(el))
        # graphic (an image), ref alone, comments: not text a reader quotes
    return out


def _add(out: list[Block], text: str, kind: str = "text") -> None:
    if text.strip():
        out.append(Block(text.strip(), kind))


def _text(el) -> str:
    """The element's text with `<lb/>` as a line break, spaces collapsed within each line."""
    parts = []
    for node in el.iter():
        if node is not el and node.tag == "lb":
            parts.append("\n")
        elif node is not el and node.tag == "item":
            parts.append("\n")
        if node.text and (node is el or node.tag != "lb"):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return " ".join(text.split())
