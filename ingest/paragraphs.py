"""Read an article file and number its paragraphs the way a reader counts them.

The rule (also in README): if the file has a blank line between two text lines,
a paragraph is a block of lines between blank lines; otherwise every line is a
paragraph. A line holding only whitespace (non-breaking spaces included) is blank.
Paragraphs are numbered 1, 2, 3... in file order, boilerplate included, so the
number shown with a citation is the one a reader finds by counting.

Encodings: UTF-8 (with or without a BOM), UTF-16/32 with a BOM, and otherwise whatever
charset-normalizer finds the bytes to be (latin-1 and cp1252 exports from editors are common);
`read_article_encoded` says which one was used, so ingest can report it.

Other formats (HTML, PDF, Word, Markdown, e-mail) are read by `ingest.formats`; this module reads `.txt`
files and the text parts of the others. Not handled: UTF-16 without a BOM
(it holds NUL bytes and is skipped as binary), and bytes no encoding reads as text (refused with
the fix in the message).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ArticleTooLargeError, BinaryFileError, NotUTF8Error

_CONTROL_OK = {"\n", "\r", "\t", "\f", "\v"}


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, as a reader counts
    text: str  # verbatim from the file, without surrounding whitespace
    line: int  # 1-based line where it starts


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_article(data: bytes, name: str = "<article>") -> str:
    """Bytes to text (see `decode_article_encoded`)."""
    return decode_article_encoded(data, name)[0]


def decode_article_encoded(data: bytes, name: str = "<article>") -> tuple[str, str]:
    """Bytes to (text, the encoding used): a BOM decides first, then UTF-8, then charset-normalizer's
    best guess. Raises `BinaryFileError` for binary data (NUL bytes without a UTF-16/32 BOM, or many
    control characters) and `NotUTF8Error` when no encoding reads the bytes as text."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:  # anywhere: a NUL past 64 KiB was indexed (issue 20)
        raise BinaryFileError(f"{name}: looks like a binary file (it holds NUL bytes); articles must be plain text")
    try:
        text = data.decode(encoding or "utf-8")
        encoding = encoding or "utf-8"
    except UnicodeDecodeError as e:
        if encoding is not None:  # a BOM that lies
            raise NotUTF8Error(f"{name}: starts with a {encoding} byte-order mark but is not {encoding} "
                               f"(byte {e.start}); re-save it as UTF-8") from None
        text, encoding = _mixed(data) if _UTF8_RUN.search(data) else _guess(data, name, e)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in _CONTROL_OK)
    if controls > max(8, len(text[:65536]) // 100):
        raise BinaryFileError(f"{name}: looks like a binary file ({controls} control characters); articles must be plain text")
    return text, encoding


_UTF8_RUN = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_byte(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", "") or bad.decode("latin-1"), error.end


codecs.register_error("articles-qa-cp1252", _cp1252_byte)


def _mixed(data: bytes) -> tuple[str, str]:
    """Bytes holding valid multi-byte UTF-8 runs and single bytes that are not UTF-8 (an article pasted
    together from a UTF-8 page and a latin-1 one): each UTF-8 run read as UTF-8, each other byte as
    cp1252 (latin-1 where cp1252 has no character). A single-byte guess for the whole file would turn
    the UTF-8 runs into mojibake ("cafĂŠ owner RenĂŠe") that is not in the file (issue 28)."""
    return data.decode("utf-8", errors="articles-qa-cp1252"), "utf-8+cp1252"


def _guess(data: bytes, name: str, error: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise NotUTF8Error(
            f"{name}: not text in any encoding charset-normalizer knows (byte {error.start} is "
            f"0x{data[error.start]:02x}); convert it, e.g. `iconv -f latin1 -t utf-8 {name} > fixed.txt`"
        ) from None
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and western.chaos <= best.chaos:
        best = western  # short Western texts tie between code pages (é is the same in cp1250): cp1252 wins ties
    text = str(best)
    if best.encoding == "cp1252":
        try:
            if data.decode("latin-1") == text:
                return text, "latin-1" if not any(0x80 <= b < 0xA0 for b in data) else "cp1252"
        except UnicodeDecodeError:
            pass
    return text, best.encoding


def read_article(path: str | Path, *, max_bytes: int = 10_000_000) -> str:
    return read_article_encoded(path, max_bytes=max_bytes)[0]


def read_article_encoded(path: str | Path, *, max_bytes: int = 10_000_000) -> tuple[str, str]:
    """The article's text and the encoding it was read in ("utf-8", "cp1252", "utf-16", ...)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleTooLargeError(
            f"{path.name}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it or raise max_file_bytes"
        )
    return decode_article_encoded(path.read_bytes(), path.name)


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
