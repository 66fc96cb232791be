"""Plain text (`.txt`): decoded (`ingest.paragraphs`: BOM, UTF-8, charset-normalizer) and split into
paragraphs by the README's rule (blocks between blank lines, else every line). Metadata: none stated
by the format; `ingest.metadata` reads headline, date and outlet from the text, and
`ingest.boilerplate` classifies its paragraphs."""
from __future__ import annotations

from ingest.formats.base import Block, Document
from ingest.paragraphs import decode_article_encoded, split_paragraphs

SUFFIXES = (".txt",)
NAME = "plain text"
VERSION = 1


def version() -> str:
    return f"txt {VERSION}"


def read(data: bytes, name: str) -> Document:
    text, encoding = decode_article_encoded(data, name)
    return document(text, encoding)


def document(text: str, encoding: str | None = None) -> Document:
    """The Document of text already decoded."""
    return Document(tuple(Block(p.text, line=p.line) for p in split_paragraphs(text)), encoding=encoding)
