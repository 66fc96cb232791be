"""PDFs with a text layer (`.pdf`: reports, print editions in columns, press releases) through pypdfium2.

Paragraphs are per page: "paragraph N" of a PDF is the Nth paragraph **on its page** (shown
"report.pdf p. 3 ¶2"); a paragraph that runs on to the next page is two, one on each page. On each page
the text lines come in the order the PDF draws them (pdfium's text rectangles: one per line of a
column, so the columns of a print edition stay apart); a line starts a new paragraph when the gap above
it is clearly larger than the page's usual line spacing (the lower quartile of the gaps, plus half a line; where every gap is
alike and wider than a line, each is a paragraph break), when it is indented as a
first line, or when the line before it ends a sentence well short of the column's right edge (a
paragraph's last line), or when it opens a new column after a line that ends a sentence. A paragraph's text is its lines joined by line breaks, verbatim; `reading.layout` joins
wrapped lines and rejoins words hyphenated across them, as for a hard-wrapped `.txt`.

Running headers and footers are not paragraphs: a line in the top or bottom 12% of a page whose text
recurs there on another page (digits ignored in a line of 8 words or fewer), and a line there that is only a page number ("3",
"Page 3", "3 of 10", "- 3 -").

Metadata: the document information's Title, Author and CreationDate (as the publication date: a PDF
states no other; a file printed long after its story was written carries the printing date).

Not handled either: double-spaced text whose paragraphs are told apart only by indentation (every line
reads as a paragraph). Errors (one line each, with the fix): encrypted (a password), damaged (pdfium cannot open it), no text
layer at all (a scan: OCR is not done here). Not handled: tables (read as lines of text), footnotes,
text in images, right-to-left scripts, a heading told from body text by its font alone (short lines
without end punctuation are headings by `ingest.boilerplate`).

Why pypdfium2 and not pdfplumber: measured on the same files (`python -m ingest.eval_formats`,
docs/formats.md): pdfplumber's lines merge the two columns of a page, pdfium's rectangles keep them
apart; pdfium reads pages several times faster, and pdfplumber needs Pillow >= 13 in its newest release,
which Gradio 6 refuses. `lines_pdfplumber` stays for that measurement.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from ingest.errors import UnreadableFileError
from ingest.formats.base import Block, Document, clean, iso_date, versions

SUFFIXES = (".pdf",)
NAME = "PDF"
VERSION = 1
_MARGIN = 0.12  # share of the page height at the top and bottom where headers and footers sit
_SHORT = 8  # words: a margin line this short may differ from page to page by its numbers alone
_PAGE_NUMBER = re.compile(r"^[\s\-–—]*(page\s*|p\.\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?[\s\-–—]*$", re.IGNORECASE)
_ENDS = re.compile(r"[.!?:;…][\"'”’)\]]*$|[\"”]$")


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the page's top edge, in points
    bottom: float


def version() -> str:
    return versions("pdf", VERSION, "pypdfium2")


def read(data: bytes, name: str) -> Document:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise UnreadableFileError(f"{name}: the PDF is encrypted (it needs a password); save an unencrypted "
                                      f"copy (print it to PDF) and put that in the folder") from None
        raise UnreadableFileError(f"{name}: the PDF is damaged and cannot be opened ({e}); download or export "
                                  f"it again") from None
    try:
        pages = [lines_pdfium(page) for page in pdf]
        heights = [page.get_height() for page in pdf]
        meta = pdf.get_metadata_dict()
    finally:
        pdf.close()
    return document(pages, heights, meta, name)


def document(pages: list[list[Line]], heights: list[float], meta: dict, name: str) -> Document:
    """The Document of a PDF's lines per page (either backend's) and its document information."""
    if not any(line.text.strip() for page in pages for line in page):
        raise UnreadableFileError(f"{name}: the PDF has no text layer (a scan or images of text); OCR is not "
                                  f"done here: run it through OCR (e.g. ocrmypdf) or export a text PDF")
    furniture = _running(pages, heights)
    blocks = []
    for number, (page, height) in enumerate(zip(pages, heights), 1):
        kept = [ln for ln in page if ln.text.strip() and not _is_furniture(ln, height, furniture)]
        for para in paragraphs(kept):
            blocks.append(Block("\n".join(ln.text for ln in para), page=number))
    if not blocks:
        raise UnreadableFileError(f"{name}: the PDF holds only page headers and numbers; export a text PDF "
                                  f"of the article")
    return Document(tuple(blocks), headline=clean(meta.get("Title")), author=clean(meta.get("Author")),
                    published=_pdf_date(meta.get("CreationDate")))


def lines_pdfium(page) -> list[Line]:
    """A page's lines in drawing order: pdfium's text rectangles (one per run of text on a line)."""
    height = page.get_height()
    text = page.get_textpage()
    try:
        out = []
        for i in range(text.count_rects()):
            left, bottom, right, top = text.get_rect(i)
            raw = text.get_text_bounded(left, bottom, right, top)
            line = " ".join(raw.replace("\x02", "-").replace("\ufffe", "-").split())  # pdfium's mark of a hyphen
            #                                                                      that ends a line: printed "-"
            if line:
                out.append(Line(line, left, right, height - top, height - bottom))
        return out
    finally:
        text.close()


def lines_pdfplumber(page) -> list[Line]:
    """The same from pdfplumber (its `extract_text_lines`), for the measurement in `ingest.eval_formats`."""
    return [Line(" ".join(ln["text"].split()), ln["x0"], ln["x1"], ln["top"], ln["bottom"])
            for ln in page.extract_text_lines() if ln["text"].strip()]


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into paragraphs (see the module docstring)."""
    if not lines:
        return []
    size = statistics.median(ln.bottom - ln.top for ln in lines)
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if 0 <= b.top - a.bottom < 4 * size)
    usual = gaps[len(gaps) // 4] if gaps else 0.0  # the lower quartile: line spacing inside a paragraph
    if gaps and gaps[3 * len(gaps) // 4] < 1.3 * usual and usual >= 1.2 * size:
        usual = 0.0  # every gap alike and wider than a line: one-line paragraphs with space between them

    def right_edge(line: Line) -> float:  # where the lines of this column end at most
        return max(ln.x1 for ln in lines if abs(ln.x0 - line.x0) < 3 * size)

    out = [[lines[0]]]
    for prev, line in zip(lines, lines[1:]):
        gap = line.top - prev.bottom
        ended = bool(_ENDS.search(prev.text))
        short = prev.x1 < right_edge(prev) - 0.15 * (right_edge(prev) - prev.x0)
        left = min(ln.x0 for ln in out[-1])
        if gap < -size:  # the next line is higher up: another column (or a text box)
            starts = ended
        else:
            starts = (gap > usual + max(0.5 * size, 0.4 * usual) or abs(line.x0 - prev.x0) > 20 * size
                      or (ended and (short or line.x0 > left + 1.2 * size)))
        if starts:
            out.append([line])
        else:
            out[-1].append(line)
    return out


def _key(text: str) -> str:
    """A margin line's identity across pages: its text, with digits as # when it is short (a running
    header or footer with a page number or date, "Annual report 2025 - page 3"); a longer line must
    recur exactly (a body line that differs only by a number, "item 1" and "item 26", is no header)."""
    text = " ".join(text.split()).casefold()
    return re.sub(r"\d+", "#", text) if len(text.split()) <= _SHORT else text


def _running(pages: list[list[Line]], heights: list[float]) -> set[str]:
    """Keys (`_key`) of lines in the top or bottom margin that recur there on two pages or more."""
    seen: dict[str, int] = {}
    for page, height in zip(pages, heights):
        for key in {_key(ln.text) for ln in page if _in_margin(ln, height)}:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= 2}


def _in_margin(line: Line, height: float) -> bool:
    return line.bottom <= _MARGIN * height or line.top >= (1 - _MARGIN) * height


def _is_furniture(line: Line, height: float, running: set[str]) -> bool:
    return _in_margin(line, height) and (_key(line.text) in running or bool(_PAGE_NUMBER.match(line.text)))


def _pdf_date(raw: str | None) -> str | None:
    """"D:20250314083000+01'00'" -> "2025-03-14"."""
    m = re.match(r"(?:D:)?(\d{4})(\d\d)(\d\d)", (raw or "").strip())
    return iso_date(f"{m[1]}-{m[2]}-{m[3]}") if m else None
