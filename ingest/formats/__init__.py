"""Readers of the file formats articles come in: one module per format, one interface.

A reader turns a file's bytes into a `Document`: its paragraphs (`Block`s, in the order a reader of
that format counts them, each with the page it is on where the format has pages) and the metadata
the format itself states (title, publication date, author, outlet). `ingest.build` numbers the blocks
1, 2, 3... and hands their text to `reading`, the one place that reads text into units, exactly
as it does a `.txt` file's paragraphs.

The registry maps a file suffix (lower case, with the dot) to its reader module. A reader module has:

- `SUFFIXES`: the suffixes it reads, e.g. `(".html", ".htm")`;
- `NAME`: the format as a person says it ("HTML");
- `version()`: the reader's own version and its library's, e.g. "html 1 trafilatura 2.3.1 htmldate 1.11.0";
  stored in each file's manifest record, so upgrading the library re-reads that format's files
  (only chunks whose text changed are embedded again);
- `read(data: bytes, name: str) -> Document`, raising `ingest.errors.ArticleError` (one line: the file,
  what is wrong, the fix) for a file it cannot read.

Adding a format is one module and one line in `_MODULES`.

Errors: `read_document` turns anything a library raises on a damaged file into `UnreadableFileError`
(one line, never a traceback). Not handled: guessing a format from the bytes when the suffix lies
(a PDF named `.txt` is read as text and refused as binary).
"""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import ModuleType

from ingest.errors import ArticleError, ArticleTooLargeError, UnreadableFileError
from ingest.formats.base import Block, Document

__all__ = ["Block", "Document", "SUFFIXES", "reader_for", "read_document", "version_of", "supported"]

log = logging.getLogger("articles_qa.ingest")
_MODULES = {  # suffix -> module under ingest.formats
    ".txt": "text",
    ".html": "html", ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "markdown", ".markdown": "markdown",
    ".eml": "eml",
}
SUFFIXES: tuple[str, ...] = tuple(_MODULES)


def supported(name: str | Path) -> bool:
    """Whether a file of this name is read (by its suffix, any case)."""
    return Path(name).suffix.lower() in _MODULES


def reader_for(name: str | Path) -> ModuleType:
    """The reader module for a file name; `UnreadableFileError` naming the supported suffixes otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix not in _MODULES:
        raise UnreadableFileError(f"{Path(name).name}: {suffix or 'no suffix'} files are not read; "
                                  f"save it as one of {', '.join(SUFFIXES)}")
    return importlib.import_module(f"ingest.formats.{_MODULES[suffix]}")


def version_of(name: str | Path) -> str:
    """The version string of the reader of `name` (see the module docstring)."""
    return reader_for(name).version()


def read_document(data: bytes, name: str, *, max_bytes: int | None = None) -> Document:
    """`data` (the bytes of a file called `name`) read by its format's reader.

    Raises `ArticleError` subclasses only: `ArticleTooLargeError` over `max_bytes`, the reader's own
    one-line errors, and `UnreadableFileError` for whatever else a library raised on a damaged file."""
    shown = Path(name).name
    if max_bytes is not None and len(data) > max_bytes:
        raise ArticleTooLargeError(f"{shown}: {len(data):,} bytes is over the {max_bytes:,}-byte limit; "
                                   f"split it or raise max_file_bytes")
    reader = reader_for(name)
    try:
        return reader.read(data, shown)
    except ArticleError:
        raise
    except Exception as e:  # a library's own exception on a damaged file: one line, never a traceback
        log.debug("reading %s failed", shown, exc_info=True)
        reason = " ".join(str(e).split())[:160] or type(e).__name__
        raise UnreadableFileError(f"{shown}: cannot be read as {reader.NAME} ({reason}); "
                                  f"open it and save it again, or export it as .txt") from None
