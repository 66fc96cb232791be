"""Word files (`.docx`) through python-docx.

Paragraphs: the body's blocks in document order: each paragraph; a heading (a "Heading N" style) kind
"heading", a "Title" style paragraph kind "title"; consecutive list paragraphs (a "List ..." style, or
numbering set on the paragraph) one paragraph of items, "• item" one a line; a table one paragraph of
rows "| a | b |" (the first row read as the header). Empty paragraphs are not counted (Word shows them
as space, a reader does not count them). A soft line break inside a paragraph stays a line break.

Metadata: the core properties' title, author and created date (as the publication date).

Errors: a file that is not a zip or not a Word document is one line with the fix. Not handled: text
boxes, headers and footers, footnotes and comments (not read), tracked changes (the text as it would
print with changes accepted is not reconstructed: python-docx gives the current runs), page numbers
(Word lays pages out when it opens the file; the file holds none).
"""
from __future__ import annotations

import io
import zipfile

from ingest.errors import UnreadableFileError
from ingest.formats.base import Block, Document, clean, iso_date, versions

SUFFIXES = (".docx",)
NAME = "a Word document"
VERSION = 1


def version() -> str:
    return versions("docx", VERSION, "python-docx")


def read(data: bytes, name: str) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(f"{name}: not a Word .docx file (it is not a zip archive; an old .doc or a "
                                  f"renamed file?); open it in Word or LibreOffice and save it as .docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise UnreadableFileError(f"{name}: a zip archive but not a Word document ({e}); open it in Word or "
                                  f"LibreOffice and save it as .docx") from None
    blocks: list[Block] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            blocks.append(Block("\n".join(f"• {i}" for i in items)))
            items.clear()

    for part in document.iter_inner_content():
        if isinstance(part, Table):
            flush()
            rows = ["| " + " | ".join(" ".join(c.text.split()).replace("|", "/") for c in row.cells) + " |"
                    for row in part.rows]
            if rows:
                blocks.append(Block("\n".join(rows)))
            continue
        text = "\n".join(" ".join(line.split()) for line in part.text.split("\n")).strip()
        if not text:
            continue
        style = (part.style.name if part.style is not None else "") or ""
        if style.startswith("List") or _numbered(part):
            items.append(" ".join(text.split()))
            continue
        flush()
        kind = "title" if style == "Title" else "heading" if style.startswith("Heading") else "text"
        blocks.append(Block(text, kind))
    flush()
    if not blocks:
        raise UnreadableFileError(f"{name}: the Word document holds no text; put the article's text in it")
    core = document.core_properties
    return Document(tuple(blocks), headline=clean(core.title), author=clean(core.author),
                    published=iso_date(core.created))


def _numbered(paragraph) -> bool:
    """Whether Word numbers or bullets this paragraph (numbering set on the paragraph itself)."""
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None
