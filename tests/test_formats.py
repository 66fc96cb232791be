"""Issue 25: articles saved as web pages, PDFs, Word files, Markdown and e-mail, each made here by a
real library (fpdf2, python-docx, email.message, an HTML template with the page around the article),
indexed and asked about with the fake embedder (fast tier: no model)."""
from __future__ import annotations

import pytest

from ingest import ingest
from ingest.corpus import location_label, page_of
from ingest.errors import UnreadableFileError
from ingest.formats import read_document, reader_for
from qa.answer import Citation
from qa.eval import format_samples as S
from qa.pipeline import Pipeline
from qa.settings import Settings

HEADER = "Harbour Times - Annual report 2025"


def settings_for(folder, tmp_path, **kw):
    return Settings(data_dir=folder, index_dir=tmp_path / "index", embed_model="fake-bow-64", embed_runtime="torch",
                    scorer="lexical", **kw)


def index(tmp_path, files: dict[str, bytes], fake_embedder, **kw):
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    settings = settings_for(folder, tmp_path, **kw)
    report = ingest(settings=settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(settings, embedder=fake_embedder)
    pipeline.load()
    return report, pipeline


def no_boilerplate_in(paras):
    for p in paras:
        for junk in S.BOILERPLATE:
            assert junk not in p.text, (p.label, junk)


# -- each format, read --------------------------------------------------------------------------------
def test_an_html_page_is_its_title_and_main_text_in_page_order_without_the_page_around_it():
    doc = read_document(S.html_page(), "story.html")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == S.TITLE and doc.blocks[0].kind == "title"
    assert texts[1:3] == list(S.PARAGRAPHS[:2])
    assert doc.blocks[3].kind == "heading" and texts[3] == "What the deal says"
    assert texts[4] == "• Wages rise six percent from April.\n• Two more days of leave a year."
    assert texts[5] == "| Year | Raise |\n| 2025 | 4% |\n| 2026 | 2% |"
    assert texts[6:] == list(S.PARAGRAPHS[2:])
    assert (doc.headline, doc.published, doc.author, doc.outlet) == (S.TITLE, "2025-03-14", "Jane Doe", "Harbour Times")
    assert not doc.heuristics
    for junk in S.BOILERPLATE:
        assert all(junk not in t for t in texts), junk


def test_a_two_column_pdf_reads_column_by_column_into_its_paragraphs():
    doc = read_document(S.pdf_file(columns=2, repeat=2), "print.pdf")
    assert [" ".join(b.text.split()) for b in doc.blocks] == list(S.PARAGRAPHS) * 2
    assert {b.page for b in doc.blocks} == {1}
    assert "\n" in doc.blocks[0].text  # a column's lines are kept as lines; reading joins them
    assert (doc.headline, doc.author, doc.published) == (S.TITLE, "Jane Doe", "2025-03-14")


def test_a_pdf_with_a_running_header_and_page_numbers_keeps_neither_and_numbers_per_page():
    doc = read_document(S.pdf_file(header=HEADER, repeat=4), "report.pdf")
    assert [" ".join(b.text.split()) for b in doc.blocks] == list(S.PARAGRAPHS) * 4
    pages = [b.page for b in doc.blocks]
    assert pages[0] == 1 and pages[-1] == 2 and pages == sorted(pages)
    assert not any(HEADER in b.text or "Page " in b.text for b in doc.blocks)


def test_a_word_file_gives_its_title_headings_list_and_table_and_its_core_properties():
    doc = read_document(S.docx_file(), "memo.docx")
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds[0] == ("title", S.TITLE)
    assert ("heading", "What the deal says") in kinds
    assert ("text", "• Wages rise six percent from April.\n• Two more days of leave a year.") in kinds
    assert ("text", "| Year | Raise |\n| 2025 | 4% |\n| 2026 | 2% |") in kinds
    assert (doc.headline, doc.author, doc.published) == (S.TITLE, "Jane Doe", "2025-03-14")


def test_markdown_is_read_as_rendered_so_markup_is_never_quoted():
    doc = read_document(S.markdown_file(), "notes.md")
    texts = [b.text for b in doc.blocks]
    assert texts[1] == S.PARAGRAPHS[0]  # "**six percent**" and the link's markup are gone
    assert texts[2] == S.PARAGRAPHS[1]  # `2026`
    assert texts[-1] == S.PARAGRAPHS[-1]  # _emphasis_
    assert not any(ch in t for t in texts for ch in ("**", "`", "](", "_"))
    assert doc.headline == S.TITLE and doc.blocks[0].kind == "title"


@pytest.mark.parametrize("kind", ["plain", "html"])
def test_an_email_gives_subject_date_and_sender_and_its_text_or_html_part(kind):
    doc = read_document(S.eml_file(kind=kind), "letter.eml")
    assert (doc.headline, doc.published, doc.outlet) == (S.TITLE, "2025-03-14", "Harbour Times")
    assert doc.blocks[0] == type(doc.blocks[0])(S.TITLE, "title")
    assert [" ".join(b.text.split()) for b in doc.blocks[1:3]] == list(S.PARAGRAPHS[:2])
    assert doc.heuristics == (kind == "plain")


# -- bad files: one line each, never a traceback --------------------------------------------------------
BAD = {
    "locked.pdf": (lambda: S.pdf_file(password="secret"), "encrypted"),
    "broken.pdf": (lambda: S.pdf_file()[:400], "damaged"),
    "scan.pdf": (lambda: S.pdf_file(text=False), "no text layer"),
    "old.docx": (lambda: b"\xd0\xcf\x11\xe0 an old Word 97 file", "not a zip"),
    "front.html": (lambda: S.html_page(body=False), "no article text"),
    "attachment.eml": (lambda: S.eml_file(kind="attachment"), "only attachments"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_one_line_naming_the_file_reason_and_fix(name):
    make, reason = BAD[name]
    with pytest.raises(UnreadableFileError) as e:
        read_document(make(), name)
    message = str(e.value)
    assert "\n" not in message and message.startswith(f"{name}: ") and reason in message and ";" in message


def test_a_folder_of_every_format_and_bad_files_indexes_the_good_ones_and_skips_each_bad_one_in_a_line(
        tmp_path, fake_embedder):
    good = {"story.html": S.html_page(), "report.pdf": S.pdf_file(header=HEADER, repeat=4),
            "memo.docx": S.docx_file(), "notes.md": S.markdown_file(), "letter.eml": S.eml_file(),
            "plain.txt": "\n\n".join((S.TITLE,) + S.PARAGRAPHS).encode(), "ignored.xyz": b"not an article"}
    bad = {name: make() for name, (make, _) in BAD.items()}
    bad["huge.html"] = S.html_page(paragraphs=S.PARAGRAPHS * 400)
    report, pipeline = index(tmp_path, {**good, **bad}, fake_embedder, max_file_bytes=200_000)
    assert sorted(pipeline.articles()) == sorted(n for n in good if n != "ignored.xyz")
    assert sorted(report.skipped) == sorted([*bad, "ignored.xyz"])  # a file of no format read: its line (issue 28)
    assert "not an article file" in report.skipped["ignored.xyz"]
    for name, line in report.skipped.items():
        assert "\n" not in line and line.startswith(name) and "Traceback" not in line
    assert "over the 200,000-byte limit" in report.skipped["huge.html"]
    records = pipeline.articles()
    assert records["story.html"]["author"] == "Jane Doe" and records["story.html"]["outlet"] == "Harbour Times"
    assert records["report.pdf"]["page_starts"] == [1, records["report.pdf"]["page_starts"][1]]
    assert records["memo.docx"]["published"] == "2025-03-14"
    for name in records:
        assert records[name]["headline"] == S.TITLE, name
        no_boilerplate_in(p for p in pipeline.article(name) if p.boilerplate is None)


def test_a_file_that_turns_bad_keeps_its_last_good_version(tmp_path, fake_embedder):
    report, pipeline = index(tmp_path, {"report.pdf": S.pdf_file(), "story.html": S.html_page()}, fake_embedder)
    before = [p.text for p in pipeline.article("report.pdf")]
    (tmp_path / "articles" / "report.pdf").write_bytes(b"%PDF-1.7 truncated")
    report = ingest(settings=pipeline.settings, embedder=fake_embedder, progress=False)
    assert "kept the version indexed before" in report.skipped["report.pdf"]
    pipeline.reindex()
    assert [p.text for p in pipeline.article("report.pdf")] == before


# -- where a citation points -----------------------------------------------------------------------------
def test_an_html_answer_cites_the_main_text_block_and_never_boilerplate(tmp_path, fake_embedder):
    _, pipeline = index(tmp_path, {"story.html": S.html_page()}, fake_embedder)
    paras = pipeline.article("story.html")
    assert [p.number for p in paras] == list(range(1, 10))
    assert paras[0].boilerplate == "headline" and paras[3].boilerplate == "heading"
    answer = pipeline.ask("How much did the stoppage cost the local economy?")
    c = answer.citations[0]
    assert (c.file, c.paragraph, c.page, c.label) == ("story.html", 9, None, "story.html ¶9")
    assert "120 million euros" in c.quote and c.quote in c.text
    items = [u for p in paras for u in p.units if u.kind == "item"]
    rows = [u for p in paras for u in p.units if u.kind == "row"]
    assert [paras[4].text[u.start:u.end] for u in items] == list(S.ITEMS)
    assert rows[0].reading == "Year: 2025 · Raise: 4%"


def test_a_pdf_answer_cites_page_and_paragraph_on_that_page(tmp_path, fake_embedder):
    paragraphs = S.PARAGRAPHS[:4] + ("The harbour master Anna de Vries counted 212 idle cranes on the second day.",)
    _, pipeline = index(tmp_path, {"report.pdf": S.pdf_file(paragraphs * 3 + S.PARAGRAPHS[:2] * 2 + (
        "On page two the port authority said 17 tugboats stayed in service.",), header=HEADER)}, fake_embedder)
    paras = pipeline.article("report.pdf")
    page2 = [p for p in paras if p.page == 2]
    assert page2 and [p.page_paragraph for p in page2] == list(range(1, len(page2) + 1))
    answer = pipeline.ask("How many tugboats stayed in service?")
    c = answer.citations[0]
    assert c.page == 2 and c.page_paragraph == len(page2) and c.label == f"report.pdf p. 2 ¶{len(page2)}"
    assert "17 tugboats" in c.quote and c.quote in c.text
    assert not any(HEADER in p.text for p in paras)


def test_a_word_answer_quotes_a_list_item_or_a_paragraph_verbatim(tmp_path, fake_embedder):
    _, pipeline = index(tmp_path, {"memo.docx": S.docx_file()}, fake_embedder)
    answer = pipeline.ask("Where were the container vessels diverted?")
    c = answer.citations[0]
    assert c.file == "memo.docx" and "Antwerp and Hamburg" in c.quote and c.quote in c.text
    assert pipeline.article("memo.docx")[c.paragraph - 1].text == c.text


def test_labels_and_page_lookup():
    assert Citation("a.pdf", 7, "t", "t", page=3, page_paragraph=2).label == "a.pdf p. 3 ¶2"
    assert Citation("a.html", 7, "t", "t").label == "a.html ¶7"
    assert location_label("a.txt", 4) == "a.txt ¶4"
    record = {"page_starts": [1, 4, 4, 6]}  # page 3 holds no paragraph
    assert [page_of(record, n) for n in (1, 3, 4, 5, 6)] == [(1, 1), (1, 3), (3, 1), (3, 2), (4, 1)]
    assert page_of({}, 3) == (None, None)


# -- the reader's version is part of what decides a re-read ----------------------------------------------
def test_a_new_extractor_version_rereads_that_format_and_embeds_nothing_again(tmp_path, fake_embedder, monkeypatch):
    report, pipeline = index(tmp_path, {"story.html": S.html_page(), "plain.txt": b"One line of text here.\n"},
                             fake_embedder)
    assert pipeline.articles()["story.html"]["reader"].startswith("html 1 trafilatura ")
    again = ingest(settings=pipeline.settings, embedder=fake_embedder, progress=False)
    assert not again.changed
    html = reader_for("x.html")
    monkeypatch.setattr(html, "version", lambda: "html 1 trafilatura 99.0")
    upgraded = ingest(settings=pipeline.settings, embedder=fake_embedder, progress=False)
    assert upgraded.updated == ["story.html"] and upgraded.chunks_embedded == 0


# -- upload ----------------------------------------------------------------------------------------------
def test_uploads_take_the_same_formats_and_refuse_bad_files_in_one_line(tmp_path):
    from ui.uploads import UploadError, save_upload

    folder = tmp_path / "up"
    assert save_upload(S.html_page(), "Story.HTML", folder, max_bytes=10**6).path.name == "Story.html"
    assert save_upload(S.pdf_file(), "report.pdf", folder, max_bytes=10**6).path.name == "report.pdf"
    assert save_upload(S.pdf_file(), "report.pdf", folder, max_bytes=10**6).duplicate
    assert save_upload(S.pdf_file(columns=2), "report.pdf", folder, max_bytes=10**6).path.name == "report-2.pdf"
    with pytest.raises(UnreadableFileError, match="encrypted"):
        save_upload(S.pdf_file(password="x"), "locked.pdf", folder, max_bytes=10**6)
    with pytest.raises(UploadError, match=r"\.txt, \.html"):
        save_upload(b"x", "old.doc", folder, max_bytes=10**6)
    assert sorted(p.name for p in folder.iterdir()) == ["Story.html", "report-2.pdf", "report.pdf"]


def test_one_line_paragraphs_with_space_between_them_are_each_a_paragraph():
    lines = ("The harbour board met on Monday to review the quarterly figures.",
             "Container volumes fell in the first quarter and recovered in April.",
             "The harbour master said seventeen tugboats stayed in service.") * 5
    doc = read_document(S.pdf_file(lines), "board.pdf")
    assert [b.text for b in doc.blocks] == list(lines)


@pytest.mark.parametrize("title, site, heading, expected", [
    ("Port strike ends after nine days | Harbour Times", "Harbour Times", None, "Port strike ends after nine days"),
    ("Warum Wien zu blöd für eine staufreie Mahü ist - Helge.at", None, None,
     "Warum Wien zu blöd für eine staufreie Mahü ist"),
    ("Durch die Gegend | Mit Musiker Voodoo Jürgens in Wien", None, "Mit Musiker Voodoo Jürgens in Wien",
     "Mit Musiker Voodoo Jürgens in Wien"),
    ("Talks: what was agreed", None, None, "Talks: what was agreed"),
])
def test_a_page_title_loses_the_site_name_around_the_headline(title, site, heading, expected):
    from ingest.formats.html import headline

    assert headline(title, site, heading) == expected


def test_the_pages_own_h1_is_the_headline_unless_it_is_the_site_name():
    from ingest.formats.html import page_headline

    assert page_headline("Harbour Times - news", "Harbour Times", ["Port strike ends"], None) == "Port strike ends"
    assert page_headline("Port strike ends | Harbour Times", "Harbour Times", ["Harbour Times"], None) == \
        "Port strike ends"
    assert page_headline("Port strike ends | Harbour Times", "Harbour Times", ["Port strike ends", "Weather"],
                         None) == "Port strike ends"


def test_the_measuring_script_scores_a_page_set_and_times_every_format(tmp_path, capsys):
    import json

    from qa.eval import formats

    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "a.html").write_bytes(S.html_page())
    (tmp_path / "eval" / "b.html").write_bytes(S.html_page(body=False))
    (tmp_path / "evaldata.json").write_text(json.dumps({
        "https://example.org/a": {"file": "a.html", "with": ["forty container vessels"], "without": ["We use cookies"],
                                  "title": S.TITLE, "date": "2025-03-14"},
        "https://example.org/b": {"file": "b.html", "with": ["anything"], "without": ["Home"], "title": "B",
                                  "date": ""},
    }))
    counts = formats.html_eval(tmp_path)["counts"]
    assert (counts["pages"], counts["refused"], counts["main_text"], counts["no_boilerplate"]) == (2, 1, 1, 1)
    assert (counts["title_right"], counts["title_pages"], counts["date_right"], counts["date_pages"]) == (1, 2, 1, 1)
    assert counts["all_right"] == 1
    from tests.conftest import shipped_articles

    result = formats.throughput(1, shipped_articles(tmp_path / "shipped"))
    assert sorted(result) == ["docx", "eml", "html", "md", "pdf", "txt"]
    assert all(r["paragraphs"] > 3 and r["read_files_per_s"] > 0 for r in result.values())


@pytest.mark.parametrize("name, make, number", [
    ("notes.md", S.markdown_file, 8),  # title, 2 paragraphs, heading, list, table, then the 3rd and 4th paragraphs
    ("letter.eml", S.eml_file, 5),  # Subject, then the text part's paragraphs
])
def test_markdown_and_email_answers_cite_their_block_verbatim(tmp_path, fake_embedder, name, make, number):
    _, pipeline = index(tmp_path, {name: make()}, fake_embedder)
    answer = pipeline.ask("Where had shipping lines diverted the container vessels?")
    c = answer.citations[0]
    assert (c.file, c.paragraph, c.page) == (name, number, None)
    assert "Antwerp and Hamburg" in " ".join(c.quote.split()) and c.quote in c.text
    assert not any(ch in c.quote for ch in ("**", "`", "_", "]("))
    assert pipeline.article(name)[0].boilerplate == "headline"


def test_a_word_hyphenated_across_a_pdf_line_is_read_whole_and_quoted_as_printed(tmp_path, fake_embedder):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ("The port authority said on Tuesday that the harbour dredg-",
                 "ers would return to the eastern basin on Monday morning."):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    _, pipeline = index(tmp_path, {"dredging.pdf": bytes(pdf.output())}, fake_embedder)
    (para,) = pipeline.article("dredging.pdf")
    assert para.text == ("The port authority said on Tuesday that the harbour dredg-\n"
                         "ers would return to the eastern basin on Monday morning.")
    assert [u.reading for u in para.units] == [
        "The port authority said on Tuesday that the harbour dredgers would return to the eastern basin on "
        "Monday morning."]
    assert (para.page, para.page_paragraph, para.label) == (1, 1, "dredging.pdf p. 1 ¶1")


def test_body_lines_that_differ_by_a_number_are_not_taken_for_a_running_header():
    lines = tuple(f"The harbour board reviewed item {i} of the quarterly figures for freight and passengers on Monday."
                  for i in range(1, 27))
    doc = read_document(S.pdf_file(lines, header="Harbour board - quarterly report"), "board.pdf")
    assert [b.text for b in doc.blocks] == list(lines)  # item 1 tops page 1 and item 26 page 2
    assert {b.page for b in doc.blocks} == {1, 2}
