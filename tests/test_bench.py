"""The benchmark's generated corpora (the benchmark itself is a script, not a test)."""
from ingest.paragraphs import read_article, split_paragraphs
from qa.eval.bench import make_corpus, markdown
from reading.text import norm_key


def test_generated_corpus_is_deterministic_and_counts_as_asked(tmp_path):
    make_corpus(250, tmp_path / "a")
    make_corpus(250, tmp_path / "b")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) == 25
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    paragraphs = [p.text for f in files for p in split_paragraphs(read_article(tmp_path / "a" / f))]
    assert len(paragraphs) == 250 and len({norm_key(p) for p in paragraphs}) == 250


def test_markdown_table_shows_missing_measurements_as_dashes():
    table = markdown([{"corpus": "x", "paragraphs": 10, "ingest_s": 1.5}])
    assert "| x | 10 | 1.5 |" in table and "–" in table
