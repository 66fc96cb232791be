"""Accept uploaded articles safely: text only, size-limited, a plain file name, inside the
articles folder, and never over an existing file.

Why: the articles folder is the user's. An upload whose bytes a file there already holds is
not saved again, and the caller is told which file has them. An upload named like an existing article is saved
under the next free name (`story-2.txt`, `story-3.txt`…) and the caller is told; the file
appears whole or not at all (written to a temporary file, then hard-linked to its name,
which fails instead of replacing when the name was taken meanwhile); and it gets the
permissions any new file there would get (0o666 minus the umask), not mkstemp's 0600.

Formats: the ones ingest reads (`qa.SUFFIXES`: .txt, .html/.htm, .pdf, .docx, .md/.markdown, .eml);
an upload is read by its format's reader before it is saved, so a damaged PDF or a page with no
article text is refused with the reader's one line and never lands in the folder. Other suffixes are
refused with one line naming the accepted ones.

Not handled: folders on filesystems without hard links (the save fails with the reason).
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa import SUFFIXES, read_document
from qa.errors import ArticleError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_RENAMES = 999


class UploadError(ArticleError):
    pass


@dataclass(frozen=True)
class Saved:
    path: Path  # where it was saved; for a duplicate, the file already holding the same bytes
    asked: str  # the safe form of the name it was uploaded under
    duplicate: bool = False  # the folder already had a file with exactly these bytes: nothing was written

    @property
    def renamed(self) -> bool:
        return self.path.name != self.asked

    def describe(self) -> str:
        if self.duplicate:
            return f"Not added: {self.asked} is identical to {self.path.name}, already in the articles folder"
        if self.renamed:
            return f"Added {self.path.name} ({self.asked} already exists and was left as it is)"
        return f"Added {self.path.name}"


def safe_name(original: str) -> str:
    """A plain name with a readable suffix (lower case) from whatever the browser sent (no folders, no
    hidden files); `UploadError` for a suffix no reader reads."""
    base = os.path.basename(original.replace("\\", "/"))
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES or not dot:
        shown = base or original
        raise UploadError(f"{shown if shown.isprintable() else repr(shown)}: only articles in these formats can be "
                          f"uploaded: "
                          f"{', '.join(SUFFIXES)}")
    stem = _SAFE.sub("_", stem).strip("._-")[:100]
    if not stem:
        raise UploadError(f"{original!r}: the file name has no usable characters; rename it")
    return f"{stem}{suffix}"


def save_upload(data: bytes, original_name: str, articles_dir: Path, *, max_bytes: int) -> Saved:
    """Validate and write one upload under a name no file has; returns where it went."""
    name = safe_name(original_name)
    if len(data) > max_bytes:
        raise UploadError(f"{name}: {len(data):,} bytes is over the {max_bytes:,}-byte upload limit")
    if not read_document(data, name, max_bytes=max_bytes).blocks:  # ArticleError: the reader's one line
        raise UploadError(f"{name}: the file is empty")
    articles_dir = Path(articles_dir).resolve()
    if (articles_dir / name).resolve().parent != articles_dir:
        raise UploadError(f"{original_name!r}: refused, it would be written outside the articles folder")
    articles_dir.mkdir(parents=True, exist_ok=True)
    same = identical_file(articles_dir, data)
    if same is not None:
        return Saved(same, name, duplicate=True)
    fd, tmp = tempfile.mkstemp(dir=articles_dir, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())
            f.write(data)
        for target in _candidates(articles_dir, name):
            try:
                os.link(tmp, target)  # unlike rename, fails if the name exists
                return Saved(target, name)
            except FileExistsError:
                continue
        raise UploadError(f"{name}: {MAX_RENAMES} files with this name already exist; rename the file")
    finally:
        os.unlink(tmp)


def identical_file(folder: Path, data: bytes) -> Path | None:
    """An article file in `folder` (any readable suffix) with exactly these bytes (sizes compared first,
    so only files of the same length are read), or None."""
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        try:
            if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                return path
        except OSError:
            continue
    return None


def _candidates(folder: Path, name: str):
    stem, suffix = os.path.splitext(name)
    yield folder / name
    for n in range(2, MAX_RENAMES + 1):
        yield folder / f"{stem}-{n}{suffix}"


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022  # elsewhere: the usual default
