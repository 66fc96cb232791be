"""Read an article file and number its paragraphs the way a reader counts them.

The rule (also in README): if the file has a blank line between two text lines,
a paragraph is a block of lines between blank lines; otherwise every line is a
paragraph. A line holding only whitespace (non-breaking spaces included) is blank.
Paragraphs are numbered 1, 2, 3... in file order, boilerplate included, so the
number shown with a citation is the one a reader finds by counting.

Not handled: HTML or Markdown structure (files are read as plain text), and text
encodings other than UTF-8 (such a file is refused with the fix in the message).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ArticleTooLargeError, BinaryFileError, NotUTF8Error

_CONTROL_OK = {"\n", "\r", "\t", "\f", "\v"}


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, as a reader counts
    text: str  # verbatim from the file, without surrounding whitespace
    line: int  # 1-based line where it starts


def decode_article(data: bytes, name: str = "<article>") -> str:
    """Bytes to text, refusing what is not UTF-8 text instead of guessing an encoding."""
    if b"\x00" in data:  # anywhere: a NUL past the first 64 KiB was indexed (issue 20)
        raise BinaryFileError(f"{name}: looks like a binary file (it holds NUL bytes); articles must be plain UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise NotUTF8Error(
            f"{name}: not UTF-8 text (byte {e.start} is 0x{data[e.start]:02x}); "
            f"convert it, e.g. `iconv -f latin1 -t utf-8 {name} > fixed.txt`"
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in _CONTROL_OK)
    if controls > max(8, len(text[:65536]) // 100):
        raise BinaryFileError(f"{name}: looks like a binary file ({controls} control characters); articles must be plain text")
    return text


def read_article(path: str | Path, *, max_bytes: int = 10_000_000) -> str:
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleTooLargeError(
            f"{path.name}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it or raise max_file_bytes"
        )
    return decode_article(path.read_bytes(), path.name)


def split_paragraphs(text: str) -> list[Paragraph]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blank = [not line.strip() for line in lines]
    first = next((i for i, b in enumerate(blank) if not b), None)
    last = next((i for i in range(len(lines) - 1, -1, -1) if not blank[i]), None)
    if first is None:
        return []
    blocks_mode = any(blank[first:last])
    paragraphs: list[Paragraph] = []
    start: int | None = None
    for i, line in enumerate(lines + [""]):
        is_blank = i == len(lines) or blank[i]
        if not blocks_mode and not is_blank:
            paragraphs.append(Paragraph(len(paragraphs) + 1, line.strip(), i + 1))
            continue
        if is_blank and start is not None:
            block = "\n".join(lines[start:i]).strip()
            paragraphs.append(Paragraph(len(paragraphs) + 1, block, start + 1))
            start = None
        elif not is_blank and start is None:
            start = i
    return paragraphs
