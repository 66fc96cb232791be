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
import uuid
from pathlib import Path

from ingest.errors import NoArticlesError
from ingest.settings import DEMO_ARTICLES, USER_ARTICLES


def prepare(data_dir: str | Path) -> bool:
    """Create the default user folder with copies of the demo articles if `data_dir` is that folder and it
    does not exist yet; True when it was created. Atomic (a copy in a temporary folder, then a rename),
    so two processes starting at once leave one complete folder. NoArticlesError (with the fix) if it cannot
    be written."""
    data_dir = Path(data_dir)
    if data_dir.exists() or data_dir.resolve() != USER_ARTICLES.resolve() or not DEMO_ARTICLES.is_dir():
        return False
    try:
        return _seed(data_dir)
    except OSError as e:
        raise NoArticlesError(f"cannot create the articles folder {data_dir} ({e.strerror or e}); pass --data (or set "
                              f"ARTICLES_QA_DATA_DIR) with a folder of your articles") from None


def _seed(data_dir: Path) -> bool:
    tmp = data_dir.parent / f".articles-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()  # the folder's usual permissions (mkdtemp's would be 0700)
    try:
        for article in sorted(DEMO_ARTICLES.glob("*.txt")):
            shutil.copy2(article, tmp / article.name)
        try:
            tmp.rename(data_dir)
        except OSError:  # another process made it first
            return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True

