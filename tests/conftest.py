import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
SHARED = ROOT.parent / "shared"  # the data kept beside the clone, not in the repository (README: "Data beside the clone")


def shared(*parts: str) -> Path:
    """`../shared/<parts>`, or a skip that says, in one reason shared by every such test, what ../shared is."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip("needs ../shared (data kept beside the clone, not in it: bug-report cases and SQuAD slices; "
                    "README, 'Data beside the clone')")
    return path


@pytest.fixture(autouse=True)
def _speakers_by_rules_in_the_fast_tier(request, monkeypatch):
    """The fast tier loads no model: ingest reads speakers with the rules, not spaCy's parser."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setenv("ARTICLES_QA_SPEAKERS", "rules")


@pytest.fixture
def articles(tmp_path) -> Path:
    """A private copy of the five shipped articles."""
    target = tmp_path / "articles"
    shutil.copytree(ARTICLES, target)
    return target


@pytest.fixture
def fake_settings(tmp_path, articles):
    from qa.settings import Settings

    return Settings(data_dir=articles, index_dir=tmp_path / "index", embed_model="fake-bow-64", embed_runtime="torch",
                    scorer="lexical")


@pytest.fixture
def fake_embedder():
    from tests.fakes import FakeEmbedding

    return FakeEmbedding()


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory):
    """The real pipeline (MiniLM, Chroma, BM25) over a copy of the shipped articles, built once."""
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    base = tmp_path_factory.mktemp("real")
    shutil.copytree(ARTICLES, base / "articles")
    pipeline = Pipeline(Settings.from_env(environ={}, data_dir=base / "articles", index_dir=base / "index"))
    pipeline.load()
    return pipeline


@pytest.fixture(scope="module")
def server(real_pipeline):
    """The chat page over the real pipeline, launched on a free loopback port (test_ui, test_browser)."""
    from tests.test_ui import start

    app, url = start(real_pipeline)
    yield url
    app.close()


@pytest.fixture
def own_server(tmp_path, real_pipeline):
    """The chat page over a private copy of the articles, for tests that change the folder."""
    from tests.test_ui import own_pipeline, start

    app, url = start(own_pipeline(real_pipeline, tmp_path))
    yield url, tmp_path / "articles"
    app.close()
