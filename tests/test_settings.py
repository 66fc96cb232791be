from pathlib import Path

import pytest

from qa.settings import Settings


def test_env_overrides_and_keyword_overrides():
    s = Settings.from_env({"ARTICLES_QA_TOP_K": "7", "ARTICLES_QA_INDEX_DIR": "/tmp/x", "ARTICLES_QA_MIN_SUPPORT": "0.5"})
    assert (s.top_k, s.index_dir, s.min_support) == (7, Path("/tmp/x"), 0.5)
    assert Settings.from_env({"ARTICLES_QA_TOP_K": "7"}, top_k=3).top_k == 3


def test_bad_env_value_names_the_variable():
    with pytest.raises(ValueError, match="ARTICLES_QA_TOP_K"):
        Settings.from_env({"ARTICLES_QA_TOP_K": "many"})
