import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
# The five shipped articles, by name: tests read and copy these, never whatever else lies in the folder
# (an article saved there by hand or by an older page made tests that counted files fail; issue 24).
SHIPPED = ("000_b224bf4a9240cdc8.txt", "001_8d23d658272c1c73.txt", "002_7591b3745de009c9.txt",
           "003_829c71e3b12d7115.txt", "004_3005a28be2e22e32.txt")


def shipped_articles(target: Path, source: Path | None = None) -> Path:
    """A private copy of the five shipped articles (`SHIPPED`, from `source`, default `ARTICLES`) in
    `target`, created; FileNotFoundError names a shipped article that is missing."""
    source = ARTICLES if source is None else source
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        shutil.copy2(source / name, target / name)
    return target
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
    return shipped_articles(tmp_path / "articles")


@pytest.fixture
def fake_settings(tmp_path, articles):
    from qa.settings import Settings

    # exact_search_chunks=0: these corpora are tiny, and every segment gets a Chroma collection, so that the
    # store's tests exercise it as a large index uses it (the default, small segments searched exactly with no
    # collection, is tested where a test says so: tests/test_segments.py, the memory test in test_hostile.py)
    return Settings(data_dir=articles, index_dir=tmp_path / "index", embed_model="fake-bow-64", embed_runtime="torch",
                    scorer="lexical", exact_search_chunks=0)


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
    shipped_articles(base / "articles")
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
