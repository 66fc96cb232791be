"""Segments: what ingest writes is what answering reads, duplicates grouped once."""
from hypothesis import given, settings as hyp_settings, strategies as st

from ingest import ingest
from ingest.segment import SegmentFolder, write_segment
from ingest.corpus import load_corpus
from reading.text import terms
from tests.test_paragraphs import A000, A001, A002

_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@st.composite
def paragraph_records(draw):
    files = draw(st.dictionaries(st.from_regex(r"[a-z]{1,8}\.txt", fullmatch=True),
                                 st.lists(_text, min_size=1, max_size=4), min_size=1, max_size=4))
    out = {}
    for name, texts in files.items():
        records = []
        for n, text in enumerate(texts, 1):
            if draw(st.booleans()):
                records.append({"n": n, "line": n * 2 - 1, "text": text, "boilerplate": "credit"})
            else:
                records.append({"n": n, "line": n * 2 - 1, "text": text, "boilerplate": None,
                                "sentences": [[0, len(text)]], "chunks": [[f"c{len(text)}", 0, len(text)]],
                                "terms": terms(text)})
        out[name] = records
    return out


@hyp_settings(max_examples=40, deadline=None)
@given(paragraph_records())
def test_a_segment_round_trips_every_paragraph(tmp_path_factory, paragraphs):
    folder = tmp_path_factory.mktemp("seg") / "segment-x"
    vectors = {cid: [1.0, float(i)] for i, cid in enumerate({c[0] for f in paragraphs.values() for p in f
                                                            for c in p.get("chunks", ())})}
    write_segment(folder, sorted(paragraphs.items()), vectors)
    assert dict(SegmentFolder(folder).read_files()) == paragraphs


def test_duplicates_point_at_their_first_copy_and_bm25_rows_at_paragraphs(fake_settings, fake_embedder):
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    corpus = load_corpus(fake_settings)
    first, copy = corpus.paragraph(A000, 7), corpus.paragraph(A001, 9)
    assert first.text == copy.text and first.copies == (copy.idx,) and copy.doc is None
    assert corpus.copies_of(first.idx) == [copy]
    assert int(corpus.answerable[first.doc]) == first.idx and corpus.paras[first.idx] == first
    assert [p.number for p in corpus.article(A002)] == list(range(1, len(corpus.article(A002)) + 1))
    assert corpus.paragraph(A002, 999) is None
    # BM25 document frequencies count each duplicated text once
    lavrov = terms("Lavrov")[0]
    df = corpus.doc_freq(lavrov)
    assert df > 1 and df == sum(1 for i in map(int, corpus.answerable) if lavrov in terms(corpus.paras[i].text))
    assert corpus.doc_freq("zzzunknownzzz") == 0 and not corpus.knows("zzzunknownzzz")


def test_beside_steps_within_one_article_only(fake_settings, fake_embedder):
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    corpus = load_corpus(fake_settings)
    first, last = corpus.paragraph(A001, 1), corpus.article(A000)[-1]
    assert corpus.beside(corpus.paragraph(A002, 5), -1) == corpus.paragraph(A002, 4)
    assert corpus.beside(corpus.paragraph(A002, 5), +2) == corpus.paragraph(A002, 7)
    assert corpus.beside(first, -1) is None and corpus.beside(last, +1) is None  # not the next file's
    assert corpus.beside(corpus.paras[0], -1) is None and corpus.beside(corpus.paras[len(corpus.paras) - 1], 1) is None
