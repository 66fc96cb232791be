"""Accept uploaded articles safely: text only, size-limited, a plain file name, inside the articles folder.

Not handled: formats other than plain UTF-8 `.txt` (PDF, HTML and Word files are refused).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ingest.paragraphs import decode_article, split_paragraphs
from qa.errors import ArticleError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ArticleError):
    pass


def safe_name(original: str) -> str:
    """A plain `.txt` name from whatever the browser sent (no folders, no hidden files)."""
    base = os.path.basename(original.replace("\\", "/"))
    stem = base[:-4] if base.lower().endswith(".txt") else base
    if not base.lower().endswith(".txt"):
        raise UploadError(f"{base or original!r}: only .txt articles can be uploaded")
    stem = _SAFE.sub("_", stem).strip("._-")[:100]
    if not stem:
        raise UploadError(f"{original!r}: the file name has no usable characters; rename it")
    return f"{stem}.txt"


def save_upload(data: bytes, original_name: str, articles_dir: Path, *, max_bytes: int) -> Path:
    """Validate and write one upload atomically; returns the path it was written to."""
    name = safe_name(original_name)
    if len(data) > max_bytes:
        raise UploadError(f"{name}: {len(data):,} bytes is over the {max_bytes:,}-byte upload limit")
    text = decode_article(data, name)
    if not split_paragraphs(text):
        raise UploadError(f"{name}: the file is empty")
    articles_dir = Path(articles_dir).resolve()
    target = (articles_dir / name).resolve()
    if target.parent != articles_dir:
        raise UploadError(f"{original_name!r}: refused, it would be written outside the articles folder")
    articles_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=articles_dir, prefix=".upload-", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target
