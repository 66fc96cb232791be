"""The default articles folder belongs to the user: `articles/` in the project (git-ignored), created
on first use with copies of the five demo articles of `data/articles` (which git tracks and nothing
writes to: uploads through the page used to land there and dirty `git status`, issue 28).

`prepare(data_dir)` is called by `ingest()` before it lists the folder. Only the default folder is ever
created; a folder named by `--data` or `ARTICLES_QA_DATA_DIR` is used as it is (a missing one is
`NoArticlesError`). Not handled: a user who deletes the demo copies gets them back only by removing the
whole folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ingest.settings import DEMO_ARTICLES, USER_ARTICLES


def prepare(data_dir: str | Path) -> bool:
    """Create the default user folder with copies of the demo articles if `data_dir` is that folder and it
    does not exist yet; True when it was created. Atomic (a copy in a temporary folder, then a rename),
    so two processes starting at once leave one complete folder. OSError if it cannot be written."""
    data_dir = Path(data_dir)
    if data_dir.exists() or data_dir.resolve() != USER_ARTICLES.resolve() or not DEMO_ARTICLES.is_dir():
        return False
    tmp = Path(tempfile.mkdtemp(prefix=".articles-", dir=data_dir.parent))
    try:
        for article in sorted(DEMO_ARTICLES.glob("*.txt")):
            shutil.copy2(article, tmp / article.name)
        os.chmod(tmp, 0o777 & ~_umask())
        try:
            tmp.rename(data_dir)
        except OSError:  # another process made it first
            return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
