from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ingest.metadata import find_headline, find_published
import codecs

from ingest.paragraphs import decode_article, read_article, read_article_encoded, split_paragraphs
from qa.errors import ArticleTooLargeError, BinaryFileError, NotUTF8Error
from tests.conftest import ARTICLES, SHIPPED

A000, A001, A002, A003, A004 = SHIPPED


def paras(name):
    return split_paragraphs(read_article(ARTICLES / name))


def test_paragraph_counts_on_the_shipped_articles():
    assert [len(paras(n)) for n in (A000, A001, A002, A003, A004)] == [11, 26, 12, 16, 20]


def test_blank_line_blocks_are_paragraphs_and_nbsp_lines_are_blank():
    p = paras(A003)  # blank-line separated, with lines holding only U+00A0
    assert p[0].text == "Arab World Eastern Europe Politics USA World"
    assert p[2].text.startswith("Kremlin Refuses") and "PublishedMarch 26, 2025" in p[2].text  # a 3-line block
    assert p[3].number == 4 and p[3].text.startswith("The Kremlin has declined to disclose details from 12 hours")
    assert p[14].text == "Michelle Larsen" and p[14].line == 35


def test_lines_are_paragraphs_without_blank_lines():
    p = paras(A001)
    assert p[0].text == "Summarize this content to 2000 words in 6 paragraphs"
    assert p[7].text == "Read more" and p[7].number == 8 and p[7].line == 8


def test_rule_on_small_texts():
    assert [p.text for p in split_paragraphs("a\nb\n\n c \n")] == ["a\nb", "c"]
    assert [p.text for p in split_paragraphs("a\nb\nc")] == ["a", "b", "c"]
    assert [p.text for p in split_paragraphs("\u00a0\n x\r\n\r\ny\n")] == ["x", "y"]
    assert split_paragraphs(" \n\u00a0\n") == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_every_paragraph_is_verbatim_and_numbered_in_order(text):
    ps = split_paragraphs(text)
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    assert [p.number for p in ps] == list(range(1, len(ps) + 1))
    for p in ps:
        assert p.text and p.text == p.text.strip() and p.text in normalized


def test_metadata_where_the_text_states_it():
    assert find_headline([p.text for p in paras(A000)]) == "Russia Denies Follow-Up Talks With U.S. Officials in Saudi Arabia"
    texts = [p.text for p in paras(A003)]
    assert find_headline(texts) == "Kremlin Refuses to Reveal Details of Russia-US Negotiations in Saudi Arabia"
    assert find_published(texts) == "2025-03-26"
    assert find_published([p.text for p in paras(A002)]) is None


def test_binary_and_huge_files_are_refused_with_the_fix(tmp_path: Path):
    with pytest.raises(NotUTF8Error, match="byte-order mark"):
        decode_article(b"\xff\xfe broken", "x.txt")  # a UTF-16 BOM over an odd number of bytes
    with pytest.raises(BinaryFileError):
        decode_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.png.txt")
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(ArticleTooLargeError, match="limit"):
        read_article(big, max_bytes=100)
    assert decode_article("\ufeffHello.".encode("utf-8")) == "Hello."


def test_the_articles_table_reads_outlet_first_words_and_the_date_itself_from_the_text():
    from ingest.boilerplate import classify
    from ingest.metadata import describe, published_at

    def described(name):
        texts = [p.text for p in paras(name)]
        return describe(texts, classify(texts))

    assert described(A003)["outlet"] == "Wyoming Star"  # "journalist and editor for Wyoming Star"
    assert described("001_8d23d658272c1c73.txt")["outlet"] == "The Moscow Times"  # "A Message from The Moscow Times"
    assert described(A000)["outlet"] is None  # "AFP contributed reporting" credits an agency, not the outlet
    assert described(A002) == {"outlet": None, "lede": "Negotiations between Russia and the United States, led by "
                                                       "Russian Foreign Minister Sergey Lavrov …"}
    texts = [p.text for p in paras(A003)]
    iso, i, start, end = published_at(texts)
    assert (iso, texts[i][start:end]) == ("2025-03-26", "March 26, 2025")  # the date, not "PublishedMarch 26, 2025"


TEXT = "Café talks in Riyadh: the “deal” is off — Peskov said. Ça va, naïve résumé.\n\nSecond paragraph."


@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16"),
    ("utf-16-be", None), ("utf-32", "utf-32"),
])
def test_latin1_cp1252_and_utf16_with_a_bom_are_read(tmp_path: Path, encoding, reported):
    path = tmp_path / "a.txt"
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
        reported = "utf-16"
    path.write_bytes(data)
    text, used = read_article_encoded(path)
    assert text == TEXT and used == reported
    assert [p.text for p in split_paragraphs(text)] == TEXT.split("\n\n")


def test_latin1_without_the_cp1252_characters(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes("Café au lait, Kremlin. Ça va très bien à Paris.".encode("latin-1"))
    text, used = read_article_encoded(path)
    assert text == "Café au lait, Kremlin. Ça va très bien à Paris." and used == "latin-1"


def test_utf16_without_a_bom_is_binary_with_the_reason():
    with pytest.raises(BinaryFileError, match="NUL"):
        decode_article(TEXT.encode("utf-16-le"), "x.txt")
