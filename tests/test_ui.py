"""The chat page: rendering from Answer's structure (fast), and the page on loopback through
gradio_client (slow). The browser tests are in tests/test_browser.py."""
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.answer import Answer, AnswerSentence, Citation
from tests.conftest import ARTICLES, ROOT, shipped_articles
from ui.chat import Turn, qa_history, turn_number
from ui.render import (EDITORIAL_TIP, FILE_COLUMN, FOLD_WORDS, chat_markdown, error_markdown, paragraph_html,
                       sources_panel, turn_error, turn_sources)

PARA = "Officials met in Riyadh. The talks [1] lasted about 4.5 hours, a source said."


def _citation(text=PARA, quote="The talks [1] lasted about 4.5 hours, a source said.", file="a.txt", n=3):
    at = text.find(quote)  # the test's fixture; answering gives the spans (Citation.spans)
    return Citation(file=file, paragraph=n, text=text, quote=quote, headline="Talks", published="2025-02-18",
                    spans=((at, at + len(quote)),) if at >= 0 else ())


def _answer(**kw):
    base = dict(text="The talks [1] lasted about 4.5 hours, a source said. [1]", citations=[_citation()], answered=True,
                confidence=0.8234, sentences=[AnswerSentence("The talks [1] lasted about 4.5 hours, a source said.", 1)])
    base.update(kw)
    return Answer(**base)


def _no_article(file):
    return []


def test_markers_come_from_sentences_and_name_their_turn():
    md = chat_markdown(_answer(), turn=3)
    links = re.findall(r"\]\((#[^)]*)\)", md)
    assert links == ["#aqa-t3-src-1"]  # the article's literal "[1]" is not a link
    assert "&#91;1&#93; lasted" in md
    assert md.endswith('<span class="aqa-badge" title="how likely this answer is right">confidence 0.82</span>')


def test_partial_reveal_shows_the_first_sentences_without_the_badge():
    answer = _answer(sentences=[AnswerSentence("One.", 1), AnswerSentence("Two.", 2)],
                     citations=[_citation(), _citation(file="b.txt")])
    assert chat_markdown(answer, 1, upto=1) == "One. [[1]](#aqa-t1-src-1)"
    assert chat_markdown(answer, 1).startswith("One. [[1]](#aqa-t1-src-1) Two. [[2]](#aqa-t1-src-2) <span")


def test_bracketed_words_are_shown_as_ours_unless_the_article_has_them():
    said = "[Lavrov] also said it went well […]"
    md = chat_markdown(_answer(sentences=[AnswerSentence(said, 1, ((0, 8), (said.index("[…]"), len(said))))]), turn=1)
    assert md.startswith(f'<span class="aqa-ed" title="{EDITORIAL_TIP}">&#91;Lavrov&#93;</span> also said it went well '
                         f'<span class="aqa-ed" title="{EDITORIAL_TIP}">&#91;…&#93;</span> [[1]](#aqa-t1-src-1)')
    article = _citation(text="The [sic] talks went well.", quote="The [sic] talks went well.")
    md = chat_markdown(_answer(citations=[article], sentences=[AnswerSentence("The [sic] talks went well.", 1)]), 1)
    assert md.startswith("The &#91;sic&#93; talks went well. [[1]]")


def test_markup_in_answers_and_errors_is_escaped():
    md = chat_markdown(_answer(sentences=[AnswerSentence("<img src=x onerror=alert(1)> *bold* ![i](http://x/y.png)", 1)]), 2)
    assert md.startswith("&lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\!&#91;i&#93;(http&#58;//x/y.png)")
    assert "aqa-ed" not in md.split("[[")[0]  # brackets of the text are never taken for ours (no span says so)
    assert error_markdown("the question is <b>empty</b>") == "**Not asked:** The question is &lt;b&gt;empty&lt;/b&gt;"


def test_refusal_shows_closest_passages_labelled_not_an_answer():
    refusal = Answer(text="The articles do not seem to answer this.", citations=[], answered=False, confidence=0.12,
                     closest=[_citation(file="c.txt", n=7)])
    md = chat_markdown(refusal, turn=4)
    assert md.startswith("**Not in the articles.** The articles do not seem to answer this. "
                         "See the [closest passages, not an answer](#aqa-t4).")
    html = turn_sources(4, "How old is he?", refusal, _no_article)
    assert "Closest passages — not an answer, nothing in them is cited:" in html and "Closest 1: c.txt ¶7" in html
    assert "aqa-t4-closest-1" in html and "aqa-t4-src-" not in html  # nothing presented as a source of an answer
    assert "<mark>" not in html and "aqa-cited" not in html  # and nothing highlighted like a citation


def test_a_refusal_badge_says_not_found_instead_of_a_confidence():
    refusal = Answer(text="The articles do not seem to answer this.", citations=[], answered=False, confidence=0.0,
                     tier="refused", closest=[_citation(file="c.txt", n=7)])
    md = chat_markdown(refusal, turn=1)
    assert ">not found</span>" in md and "confidence" not in md
    assert "not found" in turn_sources(1, "q", refusal, _no_article).split("</div>")[0]


def test_a_tentative_answer_is_marked_and_keeps_its_quote_and_citation():
    tentative = _answer(answered=False, tier="tentative", confidence=0.41)
    md = chat_markdown(tentative, turn=2)
    assert md.startswith("**May answer — check the source:** The talks &#91;1&#93; lasted about 4.5 hours, a source "
                         "said. [[1]](#aqa-t2-src-1)")
    assert md.lower().count("may answer") == 1  # the lead says it; the badge gives the confidence (issue 24)
    assert ">confidence 0.41</span>" in md and "Not in the articles" not in md
    html = turn_sources(2, "How long?", tentative, _no_article)
    assert "May answer — check the source." in html and "id='aqa-t2-src-1'" in html
    assert "<mark>The talks [1] lasted about 4.5 hours, a source said.</mark>" in html


def test_a_rewritten_follow_up_says_how_it_was_understood():
    answer = _answer(question="When will she take office?", query="When will Helena Voss take office?")
    md = chat_markdown(answer, turn=2)
    assert md.endswith('<br><span class="aqa-understood">Understood as: When will Helena Voss take office?</span>')
    assert "Understood as: When will Helena Voss take office?" in turn_sources(2, "q", answer, _no_article)
    same = _answer(question="Who met?", query="Who met?")
    assert "Understood as" not in chat_markdown(same, 1) and "Understood as" not in chat_markdown(_answer(), 1)
    assert "Understood as" not in chat_markdown(answer, 2, upto=0)  # only once the answer is complete


def test_a_question_back_is_shown_as_one():
    from qa.condense import clarification, standalone_query

    asked = clarification(standalone_query("What did he say next?", []), "What did he say next?")
    md = chat_markdown(asked, turn=1)
    assert md.startswith("**Asked back:** Who do you mean by ‘he’?") and ">asked back</span>" in md
    assert "Not in the articles" not in md and "Understood as" not in md


@pytest.mark.parametrize("sentence,shown", [
    ("“This should not be expected.", "“This should not be expected.[”]"),
    ("the discussions went well,” he said.", "[“]the discussions went well,” he said."),
    ("He said “no” twice.", "He said “no” twice."),
    ('He called it "a sign of progress', 'He called it "a sign of progress["]'),
    # an article mixing straight and curly marks: one kind of mark, read by position (issue 24)
    ('“We cannot keep fares frozen," he said.', '“We cannot keep fares frozen," he said.'),
    ('"Riders will pay more later.”', '"Riders will pay more later.”'),
    ('the board chair said, "we will publish it”', 'the board chair said, "we will publish it”'),
    ('fares frozen," he said.', '["]fares frozen," he said.'),
])
def test_a_cut_quotation_is_balanced_with_editors_marks(sentence, shown):
    from qa.compose import shown_text

    text, inserted = shown_text(((sentence, False),))
    assert text == shown
    assert "".join(text[a:b] for a, b in inserted) == shown.replace(sentence, "")  # the marks, and only they, ours
    md = chat_markdown(_answer(sentences=[AnswerSentence(text, 1, inserted)], citations=[_citation(text=sentence)]), 1)
    assert "aqa-ed" in md if shown != sentence else "aqa-ed" not in md


@pytest.mark.parametrize("message,shown", [
    ("the question looks like German; the articles and the model are English, so ask in English",
     "The question looks like German; the articles and the model are English, so ask in English"),
    ("the question has 5,000 characters, over the limit of 1,000; ask something shorter "
     "(set ARTICLES_QA_MAX_QUESTION_CHARS to change the limit)",
     "The question has 5,000 characters, over the limit of 1,000; ask something shorter"),
])
def test_reader_facing_errors_start_with_a_capital_and_name_no_environment_variable(message, shown):
    from ui.render import for_reader

    assert for_reader(message) == shown
    assert "ARTICLES_QA" not in error_markdown(message) and "ARTICLES_QA" not in turn_error(1, "q", message)


def test_the_articles_table_shows_headline_outlet_and_date_from_the_text():
    from ui.render import TABLE_HEADERS, articles_table

    rows = articles_table({
        "b.txt": {"headline": "Kremlin Refuses to Reveal Details", "outlet": "Wyoming Star", "published": "2025-03-26",
                  "paragraphs": 20, "indexed_at": "2026-12-01T03:00:00+00:00"},
        "a.txt": {"headline": None, "lede": "Negotiations between Russia and the United States …", "outlet": None,
                  "published": None, "paragraphs": 12, "indexed_at": "2026-12-01T03:00:00+00:00"}})
    assert TABLE_HEADERS == ["Headline", "Outlet", "Published", "Paragraphs", "File", "Indexed (UTC)"]
    assert rows == [
        ["Negotiations between Russia and the United States … (first words; no headline in the text)", "—", "—", 12,
         "a.txt", "2026-12-01 03:00"],
        ["Kremlin Refuses to Reveal Details", "Wyoming Star", "26 March 2025", 20, "b.txt", "2026-12-01 03:00"]]


def test_each_turn_keeps_its_section_and_the_latest_is_shown():
    turns = {1: Turn("q1", "a1", turn_sources(1, "q1", _answer(), _no_article)),
             2: Turn("q2 <b>", "", turn_error(2, "q2 <b>", "the question is empty"), failed=True),
             3: Turn("q3", "a3", turn_sources(3, "q3", _answer(citations=[_citation(file="z.txt")]), _no_article))}
    panel = sources_panel(turns)
    assert re.findall(r"<section class='([^']*)' id='aqa-turn-(\d)'>", panel) == [
        ("aqa-turn", "1"), ("aqa-turn", "2"), ("aqa-turn aqa-shown", "3")]
    assert "id='aqa-t1-src-1'" in panel and "id='aqa-t3-src-1'" in panel and "z.txt ¶3" in panel
    assert "<b>Turn 2</b> · q2 &lt;b&gt;" in panel and "No sources: the question was not asked." in panel
    assert "aqa-shown' id='aqa-turn-1'" in sources_panel(turns, shown=1)


def test_long_paragraphs_are_folded_with_the_quote_in_view():
    before = " ".join(f"w{i}" for i in range(1500))
    after = " ".join(f"v{i}" for i in range(1500))
    quote = "The ferry to Samos was cancelled because of fog."
    html = paragraph_html(f"{before} {quote} {after}", [(len(before) + 1, len(before) + 1 + len(quote))])
    excerpt, whole = html.split("<details", 1)
    assert f"<mark>{quote}</mark>" in excerpt
    words = re.sub(r"<[^>]+>", "", excerpt).split()
    assert words[:3] == ["…", "w1480", "w1481"] and words[-1] == "…" and len(words) == FOLD_WORDS + 2
    assert "Show the whole paragraph (3,009 words)" in whole and "w0 w1" in whole and "v1499" in whole
    assert paragraph_html(PARA, [(0, len("Officials met in Riyadh."))]) == "<p><mark>Officials met in Riyadh.</mark> The talks [1] lasted about 4.5 hours, a source said.</p>"


def test_quote_pieces_are_marked_and_html_in_the_paragraph_escaped():
    text = "A <b>x</b> one. B two. C three."
    assert paragraph_html(text, [(0, 15), (23, 31)]) == (
        "<p><mark>A &lt;b&gt;x&lt;/b&gt; one.</mark> B two. <mark>C three.</mark></p>")


def test_history_for_qa_uses_the_kept_replies_and_skips_failed_turns():
    history = [{"role": "user", "content": "Who met?"}, {"role": "assistant", "content": "Lavrov [[1]](#aqa-t1-src-1) <span>"},
               {"role": "user", "content": "Qui?"}, {"role": "assistant", "content": "**Not asked:** French"},
               {"role": "user", "content": "How long?"}, {"role": "assistant", "content": "rendered"}]
    turns = {1: Turn("Who met?", "Lavrov met Rubio. [1]", ""), 2: Turn("Qui?", "", "", failed=True),
             3: Turn("How long?", "4.5 hours. [1]", "")}
    assert turn_number(history) == 4 and turn_number([]) == 1
    assert qa_history(history, turns) == [
        {"role": "user", "content": "Who met?"}, {"role": "assistant", "content": "Lavrov met Rubio. [1]"},
        {"role": "user", "content": "How long?"}, {"role": "assistant", "content": "4.5 hours. [1]"}]


def test_a_busy_port_is_one_line_and_exit_2(tmp_path, capsys):
    from ui.__main__ import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code = main(["--port", str(port), "--data", str(tmp_path / "a"), "--index", str(tmp_path / "i")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: port {port} on 127.0.0.1 is in use; pass another --port, or stop what is listening there\n"
    assert not (tmp_path / "i").exists()  # refused before anything was loaded or built


# -- the page on loopback, through gradio_client -------------------------------------------------
UPLOADED = "002_7591b3745de009c9.txt"  # the name of a shipped article


def start(pipeline):
    from ui.app import build_app
    from ui.render import CSS, JS

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(pipeline)
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, css=CSS, js=JS,
                       show_error=False, quiet=True)
    return app, f"http://127.0.0.1:{port}/"


def own_pipeline(real_pipeline, base: Path):
    """The real pipeline (MiniLM shared) over a private copy of the articles, for tests that change the folder."""
    from qa.pipeline import Pipeline

    shipped_articles(base / "articles")
    pipeline = Pipeline(real_pipeline.settings.replace(data_dir=base / "articles", index_dir=base / "index"),
                        embedder=real_pipeline.embedder)
    pipeline.load()
    return pipeline




def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode & 0o777) for p in sorted(folder.iterdir())}


def umask() -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("Umask:"))
    return int(line.split()[1], 8)


@pytest.mark.slow
def test_ask_endpoint_returns_structured_answers(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    out = client.predict("Who led the US delegation in Riyadh?", [], api_name="/ask")
    assert out["answered"] and "Rubio" in out["text"] and 0 < out["confidence"] <= 1 and out["tier"] == "answered"
    c = out["citations"][0]
    assert (c["file"], c["paragraph"]) == ("002_7591b3745de009c9.txt", 1) and c["quote"] in c["text"]
    assert out["sentences"] and {s["citation"] for s in out["sentences"]} == set(range(1, len(out["citations"]) + 1))
    history = [{"role": "user", "content": "What did Kirill Dmitriev say about Trump?"},
               {"role": "assistant", "content": "He praised Trump. [1]"}]
    out = client.predict("How much did he say they lost?", history, api_name="/ask")
    assert "Dmitriev" in out["query"]  # the history reached the pipeline (the answer's tier: test_ask)
    assert any("$300 billion" in c["quote"] for c in out["citations"] + out["closest"])
    out = client.predict("   ", [], api_name="/ask")
    assert not out["answered"] and "empty" in out["error"]


@pytest.mark.slow
def test_uploads_never_overwrite_and_report_only_their_own_files(own_server, tmp_path):
    from gradio_client import Client, handle_file

    url, folder = own_server
    before = folder_state(folder)
    mine = tmp_path / "mine"
    mine.mkdir()
    clash = mine / UPLOADED
    clash.write_text("The harbour master said the ferry to Samos was cancelled because of fog.\n", encoding="utf-8")
    client = Client(url, verbose=False)

    box, table, status = client.predict([handle_file(str(clash))], api_name="/upload")
    assert box is None  # the upload box is emptied once its files are saved
    assert status.splitlines()[0] == (
        "Added 002_7591b3745de009c9-2.txt (002_7591b3745de009c9.txt already exists and was left as it is)")
    assert "002_7591b3745de009c9-2.txt" in [row[FILE_COLUMN] for row in table["data"]]
    after = folder_state(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert after["002_7591b3745de009c9-2.txt"] == (clash.read_bytes(), 0o666 & ~umask())

    other = mine / "notes.txt"
    other.write_text("The lighthouse keeper retired after forty years at Cape Wrath.\n", encoding="utf-8")
    _, _, status = client.predict([handle_file(str(clash)), handle_file(str(other))], api_name="/upload")
    added = [line for line in status.splitlines() if line.startswith(("Added", "Not added", "Refused"))]
    assert added == ["Not added: 002_7591b3745de009c9.txt is identical to 002_7591b3745de009c9-2.txt, already in the "
                     "articles folder", "Added notes.txt"]  # the same bytes again: recognised, not a second article
    assert sorted(set(folder_state(folder)) - set(before)) == ["002_7591b3745de009c9-2.txt", "notes.txt"]
    out = client.predict("Why was the ferry to Samos cancelled?", [], api_name="/ask")
    assert out["answered"] and out["citations"][0]["file"] == "002_7591b3745de009c9-2.txt"


@pytest.mark.slow
def test_upload_refusals_name_the_file_and_save_nothing(own_server, tmp_path):
    from gradio_client import Client, handle_file

    url, folder = own_server
    before = folder_state(folder)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # latin-1 and cp1252 are read now; binary is not
    _, _, status = Client(url, verbose=False).predict([handle_file(str(bad))], api_name="/upload")
    assert status.splitlines()[0].startswith("Refused: bad.txt: looks like a binary file")
    assert folder_state(folder) == before


@pytest.mark.slow
def test_reindex_indexes_the_folder_as_the_user_left_it(own_server, tmp_path):
    from gradio_client import Client, handle_file

    url, folder = own_server
    client = Client(url, verbose=False)
    kept, dropped = tmp_path / "ferry.txt", tmp_path / "lighthouse.txt"
    kept.write_text("The harbour master said the ferry to Samos was cancelled because of fog.\n", encoding="utf-8")
    dropped.write_text("The lighthouse keeper retired after forty years at Cape Wrath.\n", encoding="utf-8")
    client.predict([handle_file(str(kept)), handle_file(str(dropped))], api_name="/upload")
    (folder / "ferry.txt").write_text("The harbour master said the ferry to Samos sailed late because of a strike.\n",
                                      encoding="utf-8")  # a hand edit
    (folder / "lighthouse.txt").unlink()  # and a deletion
    by_hand = folder_state(folder)

    table, status = client.predict(api_name="/reindex")
    assert folder_state(folder) == by_hand  # nothing re-sent, nothing reverted, nothing back
    assert "1 updated, 1 removed" in status and "added" not in status.splitlines()[0][:6].lower()
    files = [row[FILE_COLUMN] for row in table["data"]]
    assert "ferry.txt" in files and "lighthouse.txt" not in files
    out = client.predict("Why did the ferry to Samos sail late?", [], api_name="/ask")
    assert out["citations"][0]["file"] == "ferry.txt" and "strike" in out["citations"][0]["quote"]


@pytest.mark.slow
def test_a_long_answer_is_revealed_within_a_second(own_server):
    from gradio_client import Client

    url, folder = own_server
    filler = " ".join(f"Delegates discussed item {i} of the agenda at length." for i in range(400))
    (folder / "long.txt").write_text(
        f"{filler} The harbour master said the ferry to Samos was cancelled because of fog. {filler}\n", encoding="utf-8")
    client = Client(url, verbose=False)
    client.predict(api_name="/reindex")
    started = time.perf_counter()
    job = client.submit("Why was the ferry to Samos cancelled?", api_name="/chat")
    updates = list(job)
    elapsed = time.perf_counter() - started
    final = job.result()
    text = final[0] if isinstance(final, (list, tuple)) else final
    assert "ferry to Samos was cancelled" in str(text) and "#aqa-t1-src-1" in str(text)
    assert elapsed < 1.5, (elapsed, len(updates))


@pytest.mark.slow
def test_python_m_ui_on_a_busy_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "ui", "--port", str(port), "--data", str(tmp_path / "a"),
                               "--index", str(tmp_path / "i")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"error: port {port} on 127.0.0.1 is in use; pass another --port, or stop what is listening there\n"
