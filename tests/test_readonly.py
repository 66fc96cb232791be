"""A read-only index answers, without writing a byte; writing to it is a one-line error naming the fix.

Read-only is made real with `chattr +i` (immutable files and folders): the tests run as root, who
ignores permission bits but not the immutable flag, so every write below really fails with EPERM,
Chroma's included.
"""
import hashlib
import shutil
import subprocess
import sys

import pytest

from ingest import ingest
from ingest.store import IndexStore
from qa.errors import IndexWriteError
from qa.pipeline import Pipeline
from tests.conftest import ROOT

QUESTION = "Who brokered the grain-export deal?"


def _chattr(flag: str, path) -> bool:
    return subprocess.run(["chattr", "-R", flag, str(path)], capture_output=True).returncode == 0


def _fingerprint(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def read_only_index(fake_settings, fake_embedder, tmp_path):
    """A copy of a built index, immutable; the answer the writable original gives."""
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    expected = Pipeline(fake_settings, embedder=fake_embedder).ask(QUESTION)
    copy = tmp_path / "read-only-index"
    shutil.copytree(fake_settings.index_dir, copy)
    if not _chattr("+i", copy):
        pytest.skip("chattr +i is not supported on this filesystem")
    try:
        yield fake_settings.replace(index_dir=copy), expected
    finally:
        _chattr("-i", copy)


def test_a_read_only_index_answers_and_is_not_written(read_only_index, fake_embedder):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings, expected = read_only_index
    before = _fingerprint(settings.index_dir)
    vector_dir = settings.index_dir / IndexStore(settings).read_manifest()["vector_dir"]
    with pytest.raises(Exception, match="readonly"):  # what made this index unreadable before
        chromadb.PersistentClient(path=str(vector_dir), settings=ChromaSettings(anonymized_telemetry=False))
    pipeline = Pipeline(settings, embedder=fake_embedder)
    answer = pipeline.ask(QUESTION)
    assert pipeline.reader.current().read_only
    assert (answer.text, answer.citations) == (expected.text, expected.citations)
    assert [r.file for r in answer.retrieved] == [r.file for r in expected.retrieved]
    assert _fingerprint(settings.index_dir) == before


@pytest.mark.slow
def test_ingest_into_a_read_only_index_names_the_fix(read_only_index, articles):
    settings, _ = read_only_index
    (articles / "new.txt").write_text("The harbour reopened on Friday after the storm.\n", encoding="utf-8")
    with pytest.raises(IndexWriteError) as caught:
        ingest(settings=settings, progress=False)
    message = str(caught.value)
    assert "make the folder writable" in message and "--index" in message and "rebuild" not in message
    out = subprocess.run([sys.executable, "-m", "ingest", "--data", str(articles), "--index", str(settings.index_dir),
                          "--quiet"], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "ARTICLES_QA_EMBED_MODEL": "fake-bow-64",
                              "ARTICLES_QA_EMBED_RUNTIME": "torch", "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: cannot write the index at ")
    assert "make the folder writable" in out.stderr and "Traceback" not in out.stderr
