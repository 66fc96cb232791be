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


# Code pages for East Asian scripts: an English text with a pound sign or an accent is never read in one
# unless that reading is clearly better (charset-normalizer scores "CM£15.8m" as cp932 "CM｣15.8m", "£A" as
# cp949). UTF-16/32 is never guessed: without a BOM it reaches here only with no NUL byte, so no ASCII at all.
_EAST_ASIAN = ("cp932", "shift_jis", "shift_jisx0213", "shift_jis_2004", "euc_jp", "euc_jis_2004", "euc_jisx0213",
               "iso2022_jp", "cp949", "euc_kr", "johab", "iso2022_kr", "big5", "big5hkscs", "cp950", "gb2312", "gbk",
               "gb18030", "hz")
WESTERN_SHARE = 0.9  # a text this share ASCII (or with at most 3 other bytes) is Western with a few symbols
CLEARLY_BETTER = 0.1  # chaos (charset-normalizer's 0..1 mess ratio) by which another reading must beat cp1252's
_EAST_ASIAN_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _guess(data: bytes, name: str, error: UnicodeDecodeError) -> tuple[str, str]:
    """charset-normalizer's reading of bytes that are not UTF-8, with Western code pages first: cp1252 wins
    ties (short Western texts tie between code pages: é is the same in cp1250), and for a text that is
    mostly ASCII (`WESTERN_SHARE`) any other reading must have `CLEARLY_BETTER` less chaos, and an East
    Asian one must also hold at least two of its script's characters. Not handled: a mostly-ASCII text
    in another single-byte code page whose few letters cp1252 also reads as letters (read as cp1252)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise NotUTF8Error(
            f"{name}: not text in any encoding charset-normalizer knows (byte {error.start} is "
            f"0x{data[error.start]:02x}); convert it, e.g. `iconv -f latin1 -t utf-8 {name} > fixed.txt`"
        ) from None
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    other = sum(b >= 0x80 for b in data)
    mostly_ascii = other <= max(3, (1 - WESTERN_SHARE) * len(data))
    if best.encoding.startswith(("utf_16", "utf_32")) or (
            best.encoding in _EAST_ASIAN and len(_EAST_ASIAN_CHAR.findall(str(best))) < 2):
        best = western or _Latin1(data.decode("latin-1"))
    elif mostly_ascii and (western is None or western.chaos < best.chaos + CLEARLY_BETTER):
        best = western or _Latin1(data.decode("latin-1"))
    elif western is not None and western.chaos <= best.chaos:
        best = western
    text = str(best)
    if best.encoding == "cp1252":
        try:
            if data.decode("latin-1") == text:
                return text, "latin-1" if not any(0x80 <= b < 0xA0 for b in data) else "cp1252"
        except UnicodeDecodeError:
            pass
    if isinstance(best, _Latin1):
        return best.text, "latin-1"
    return text, best.encoding


@dataclass(frozen=True)
class _Latin1:
    """latin-1 as a last reading (every byte is a character), where cp1252 leaves a byte undefined."""

    text: str
    encoding: str = "latin-1"

    def __str__(self) -> str:
        return self.text


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
