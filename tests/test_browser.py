"""The chat page in a real headless Chromium (Debian's, never a downloaded one): per-turn sources,
uploads and re-indexing through the page, long text, hostile text, how a follow-up was understood,
refusals and tentative answers, the articles table, scrolling, and the screenshots.

Screenshots go to a temporary folder; `ARTICLES_QA_SCREENSHOTS=docs` writes them to docs/ instead
(chat.png, chat-phone.png, understood-as.png, refusal.png, tentative.png, articles-table.png,
phone-back.png; the suite never rewrites tracked files unless asked).
"""
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT
from tests.test_ui import UPLOADED, folder_state, start

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)")]
SIX_TURNS = [
    "How long did the talks between Lavrov and Rubio last?",
    "What did Kirill Dmitriev say about Trump?",
    "Who is Keith Kellogg?",
    "Qui a dirigé la délégation russe à Riyad ?",  # refused before asking: not English
    "What happened to the grain-export deal from Ukrainian Black Sea ports?",
    "What did Zelensky say about talks held without Ukraine?",
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 900})
        browser.close()


def ask(page, question: str, turn: int) -> None:
    """Type a question and wait until its turn is complete (its sources section and final bubble)."""
    from playwright.sync_api import expect

    box = page.get_by_role("textbox").first
    box.fill(question)
    box.press("Enter")
    expect(page.locator(f"#aqa-turn-{turn}")).to_have_count(1, timeout=60_000)
    expect(page.locator("#aqa-chat [data-testid='bot']")).to_have_count(turn, timeout=30_000)
    expect(page.locator("#aqa-chat [data-testid='bot']").nth(turn - 1)).to_contain_text(
        re.compile("confidence|Not asked|not found|may answer|asked back"), timeout=30_000)


def card_label(page, ident: str) -> str:
    return page.locator(f"#{ident} h4").inner_text()


def test_six_turn_chat_each_marker_opens_its_own_turns_sources(server, page, real_pipeline):
    from playwright.sync_api import expect

    page.goto(server)
    for turn, question in enumerate(SIX_TURNS, 1):
        ask(page, question, turn)
    # what qa answers for turn 2, given turn 1 as the page passes it
    first = real_pipeline.ask(SIX_TURNS[0])
    second = real_pipeline.ask(SIX_TURNS[1], [{"role": "user", "content": SIX_TURNS[0]},
                                              {"role": "assistant", "content": first.text}])
    sixth_shown = card_label(page, "aqa-t6-src-1")
    assert second.answered and f"[1] {second.citations[0].label}" != sixth_shown  # the click must change the panel

    bubbles = page.locator("#aqa-chat [data-testid='bot']")
    expect(bubbles.nth(3)).to_contain_text("Not asked: The question looks like French")
    assert page.locator("#aqa-turn-4 .aqa-error").count() == 1
    links = page.locator("#aqa-chat a[href^='#aqa-t']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links and all(re.fullmatch(r"#aqa-t[12356](-src-\d+)?", h) for h in links)
    assert page.locator("#aqa-turn-6").get_attribute("class") == "aqa-turn aqa-shown"

    page.wait_for_timeout(1500)  # Gradio scrolls the chat to its end up to ~1 s after the last answer
    bubbles.nth(1).locator("a[href='#aqa-t2-src-1']").click()
    shown = page.locator("#aqa-sources .aqa-turn.aqa-shown")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("id", "aqa-turn-2")
    expect(shown.locator(".aqa-turn-head")).to_contain_text(f"Turn 2 · {SIX_TURNS[1]}")
    expect(page.locator("#aqa-t2-src-1")).to_be_visible()
    assert card_label(page, "aqa-t2-src-1") == f"[1] {second.citations[0].label}"
    assert page.locator("#aqa-t2-src-1 mark").first.inner_text() in second.citations[0].quote
    expect(page.locator("#aqa-t2-src-1 .aqa-cited")).to_be_in_viewport()
    expect(page.locator("#aqa-turn-6")).to_be_hidden()
    picked = page.locator("#aqa-chat .aqa-picked")  # the clicked turn is marked in the chat too
    expect(picked).to_have_count(1)
    expect(picked.locator("a[href='#aqa-t2-src-1']")).to_have_count(1)
    page.wait_for_timeout(500)
    expect(picked).to_be_in_viewport()  # the chat stays where the reader clicked

    bubbles.nth(0).locator("a[href='#aqa-t1-src-1']").click()  # and back to the first turn
    expect(shown).to_have_attribute("id", "aqa-turn-1")
    assert card_label(page, "aqa-t1-src-1") == f"[1] {first.citations[0].label}"

    page.locator("#aqa-chat button[aria-label='Clear']").click()  # a cleared chat has no sources left
    expect(page.locator("#aqa-sources .aqa-turn")).to_have_count(0)
    ask(page, SIX_TURNS[2], 1)
    expect(page.locator("#aqa-sources .aqa-turn")).to_have_count(1)


def test_uploads_and_reindex_through_the_page_leave_the_folder_as_the_user_left_it(own_server, page, tmp_path):
    from playwright.sync_api import expect

    url, folder = own_server
    originals = folder_state(folder)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / UPLOADED).write_text("The harbour master said the ferry to Samos was cancelled because of fog.\n",
                                 encoding="utf-8")
    (mine / "lighthouse.txt").write_text("The lighthouse keeper retired after forty years at Cape Wrath.\n",
                                         encoding="utf-8")
    page.goto(url)
    page.get_by_text("Articles in the index").click()
    status = page.locator("#aqa-status textarea")
    upload = page.locator("#aqa-upload input[type=file]")

    upload.set_input_files([str(mine / UPLOADED)])
    expect(status).to_have_value(re.compile(r"^Added 002_7591b3745de009c9-2\.txt \(002_7591b3745de009c9\.txt "
                                            r"already exists and was left as it is\)\n"), timeout=60_000)
    expect(page.locator("#aqa-upload")).not_to_contain_text(UPLOADED)  # the box is emptied
    upload.set_input_files([str(mine / "lighthouse.txt")])
    expect(status).to_have_value(re.compile(r"^Added lighthouse\.txt\n\d+ articles"), timeout=60_000)
    assert "002_7591b3745de009c9" not in status.input_value()  # reports only what it just saved
    after = folder_state(folder)
    assert {k: v for k, v in after.items() if k in originals} == originals
    assert sorted(set(after) - set(originals)) == ["002_7591b3745de009c9-2.txt", "lighthouse.txt"]

    (folder / "002_7591b3745de009c9-2.txt").write_text("The ferry to Samos sailed late because of a strike.\n",
                                                       encoding="utf-8")  # the user edits one upload by hand
    (folder / "lighthouse.txt").unlink()  # and deletes the other
    by_hand = folder_state(folder)
    page.locator("#aqa-reindex").click()
    expect(status).to_have_value(re.compile(r"1 updated, 1 removed"), timeout=60_000)
    assert folder_state(folder) == by_hand
    ask(page, "Why did the ferry to Samos sail late?", 1)
    assert card_label(page, "aqa-t1-src-1") == "[1] 002_7591b3745de009c9-2.txt ¶1"


def test_a_long_paragraph_is_folded_with_the_quote_in_view_on_a_phone(own_server, page):
    from playwright.sync_api import expect
    from gradio_client import Client

    url, folder = own_server
    filler = " ".join(f"Delegates discussed item {i} of the agenda at length." for i in range(400))
    (folder / "long.txt").write_text(
        f"{filler} The harbour master said the ferry to Samos was cancelled because of fog. {filler}\n", encoding="utf-8")
    Client(url, verbose=False).predict(api_name="/reindex")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    ask(page, "Why was the ferry to Samos cancelled?", 1)
    card = page.locator("#aqa-t1-src-1")
    expect(card.locator(".aqa-excerpt mark")).to_have_text("The harbour master said the ferry to Samos was cancelled "
                                                           "because of fog.")
    expect(card.locator(".aqa-whole-paragraph summary")).to_have_text("Show the whole paragraph (7,213 words)")
    assert card.bounding_box()["height"] < 600
    height, width = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
    assert height < 3000 and width <= 390


def test_html_script_and_markers_in_articles_are_shown_as_text(tmp_path, real_pipeline, page):
    from playwright.sync_api import expect
    from qa.pipeline import Pipeline

    (tmp_path / "a").mkdir()
    shutil.copy(ARTICLES / "002_7591b3745de009c9.txt", tmp_path / "a")
    (tmp_path / "a" / "hostile.txt").write_text(
        'Officials said the wheat shipment statement [1] read <script>window.pwned = 1</script> '
        '<img src=x onerror="window.pwned = 2"> and ![img](http://127.0.0.1:1/x.png) at the port of Odesa.\n'
        "A second paragraph says nothing about grain.\n", encoding="utf-8")
    pipeline = Pipeline(real_pipeline.settings.replace(data_dir=tmp_path / "a", index_dir=tmp_path / "i"),
                        embedder=real_pipeline.embedder)
    app, url = start(pipeline)
    try:
        page.goto(url)
        ask(page, "What did the wheat shipment statement read at the port of Odesa?", 1)
        sources = page.locator("#aqa-sources")
        expect(sources).to_contain_text("<script>window.pwned = 1</script>")
        expect(page.locator("#aqa-chat")).to_contain_text("statement [1] read")
        page.wait_for_timeout(500)
        assert page.evaluate("window.pwned") is None
        assert page.locator("#aqa-sources script, #aqa-sources img, #aqa-chat img[src^='http://127.0.0.1:1']").count() == 0
        links = page.locator("#aqa-chat a").evaluate_all("els => els.map(e => [e.innerText, e.getAttribute('href')])")
        answer = pipeline.ask("What did the wheat shipment statement read at the port of Odesa?")
        assert answer.citations[0].file == "hostile.txt"
        # one link per answer sentence, each a marker; the article's own "[1]" is text
        assert links == [[f"[{s.citation}]", f"#aqa-t1-src-{s.citation}"] for s in answer.sentences]
    finally:
        app.close()


def test_screenshots_after_a_four_turn_chat(server, page, tmp_path):
    """Desktop and phone (390 px) screenshots; in docs/ only with ARTICLES_QA_SCREENSHOTS=docs."""
    from playwright.sync_api import expect

    folder = ROOT / "docs" if os.environ.get("ARTICLES_QA_SCREENSHOTS") == "docs" else tmp_path
    page.goto(server)
    for turn, question in enumerate(["Who co-led the Kremlin's negotiating team?", "How long did the talks last?",
                                     "What did China say about the Riyadh talks?",
                                     "What did Kirill Dmitriev say about Trump?"], 1):
        ask(page, question, turn)
    page.wait_for_timeout(1500)  # Gradio's own scroll to the chat's end, after the last answer
    page.locator("#aqa-chat [data-testid='bot']").nth(1).locator("a[href='#aqa-t2-src-1']").click()
    expect(page.locator("#aqa-turn-2")).to_be_visible()
    page.screenshot(path=str(folder / "chat.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=str(folder / "chat-phone.png"), full_page=True)
    assert (folder / "chat.png").stat().st_size > 10_000 and (folder / "chat-phone.png").stat().st_size > 10_000



def shot(page, name: str, tmp_path: Path) -> Path:
    """A screenshot of the page: in docs/ with ARTICLES_QA_SCREENSHOTS=docs, else in tmp_path."""
    folder = ROOT / "docs" if os.environ.get("ARTICLES_QA_SCREENSHOTS") == "docs" else tmp_path
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def test_a_rewritten_follow_up_says_how_it_was_understood_and_the_date_reads_as_a_date(server, page, tmp_path):
    from playwright.sync_api import expect

    page.goto(server)
    ask(page, "What did Kirill Dmitriev say about Trump?", 1)
    ask(page, "What did he say about American companies?", 2)
    bubbles = page.locator("#aqa-chat [data-testid='bot']")
    expect(bubbles.nth(1).locator(".aqa-understood")).to_have_text(
        "Understood as: What did Kirill Dmitriev say about American companies?")
    expect(bubbles.nth(0).locator(".aqa-understood")).to_have_count(0)  # the first question stood alone
    expect(page.locator("#aqa-turn-2 .aqa-understood")).to_contain_text("Kirill Dmitriev")
    shot(page, "understood-as.png", tmp_path)
    ask(page, "When was the article about the Kremlin refusing to reveal negotiation details published?", 3)
    expect(bubbles.nth(2)).to_contain_text("March 26, 2025")
    expect(bubbles.nth(2)).not_to_contain_text("PublishedMarch")


def test_a_refusal_says_not_found_and_its_closest_passages_are_not_shown_as_citations(server, page, tmp_path):
    from playwright.sync_api import expect

    page.goto(server)
    ask(page, "How much does a barrel of oil cost in Riyadh?", 1)  # refused, with closest passages
    bubble = page.locator("#aqa-chat [data-testid='bot']").nth(0)
    expect(bubble).to_contain_text("Not in the articles.")
    expect(bubble.locator(".aqa-badge")).to_have_text("not found")
    expect(bubble).not_to_contain_text("confidence")
    section = page.locator("#aqa-turn-1")
    expect(section.locator(".aqa-turn-head")).to_contain_text("not found")
    expect(section.locator(".aqa-closest-label")).to_have_text(
        "Closest passages — not an answer, nothing in them is cited:")
    assert section.locator(".aqa-closest .aqa-source").count() >= 1
    assert section.locator("mark, .aqa-cited").count() == 0  # no citation highlight anywhere
    assert section.locator(".aqa-closest h4").first.inner_text().startswith("Closest 1:")
    shot(page, "refusal.png", tmp_path)


class Canned:
    """A pipeline for the page that gives one prepared answer (for tiers the scorer makes rarely)."""

    def __init__(self, real, answer):
        self.real, self.answer, self.answerer, self.settings = real, answer, object(), real.settings

    def ask_stream(self, question, history=None):
        import dataclasses

        yield dataclasses.replace(self.answer, question=question, query=question)

    def article(self, file):
        return self.real.article(file)

    def articles(self):
        return self.real.articles()


def test_a_tentative_answer_is_marked_and_a_cut_quotation_balanced(real_pipeline, page, tmp_path):
    import dataclasses

    from playwright.sync_api import expect

    from qa.answer import AnswerSentence

    a = real_pipeline.ask("What did Peskov say about the content of the negotiations?")
    c = next(c for c in a.citations + a.closest if "“the content of these negotiations" in c.text)  # any tier
    at = c.text.index("“the content of these negotiations")
    cut = c.text[at: c.text.index("public,") + len("public,")]  # opens a quotation, cut before it closes
    from qa.compose import shown_text

    text, inserted = shown_text(((cut, False),))  # as compose shows a cut quote: the editor's "[”]" is ours
    tentative = dataclasses.replace(a, answered=False, tier="tentative", sentences=[AnswerSentence(text, 1, inserted)],
                                    citations=[dataclasses.replace(c, quote=cut, spans=((at, at + len(cut)),))],
                                    text=f"{cut} [1]")
    app, url = start(Canned(real_pipeline, tentative))
    try:
        page.goto(url)
        ask(page, "What did Peskov say about the content of the negotiations?", 1)
        bubble = page.locator("#aqa-chat [data-testid='bot']").nth(0)
        expect(bubble).to_contain_text("May answer — check the source:")
        expect(bubble.locator(".aqa-badge")).to_have_text(f"confidence {a.confidence:.2f}")  # shown, not hidden
        assert bubble.inner_text().lower().count("may answer") == 1  # said once (issue 24)
        expect(bubble).to_contain_text("will definitely not be made public,[”]")  # the editor's closing mark
        expect(bubble.locator(".aqa-ed")).to_have_text("[”]")
        expect(bubble.locator("a[href='#aqa-t1-src-1']")).to_have_count(1)  # quote and citation kept
        section = page.locator("#aqa-turn-1")
        expect(section.locator(".aqa-tentative-label")).to_contain_text("May answer — check the source.")
        expect(section.locator("#aqa-t1-src-1 mark")).to_have_text(cut)
        shot(page, "tentative.png", tmp_path)
    finally:
        app.close()


def test_the_articles_table_is_readable_and_follows_commits_from_other_processes(own_server, page, tmp_path):
    import subprocess
    import sys

    from playwright.sync_api import expect

    url, folder = own_server
    page.goto(url)
    page.get_by_text("Articles in the index").click()
    table = page.locator("#aqa-table")
    expect(table).to_contain_text("Wyoming Star")
    for text in ("Headline", "Outlet", "Published", "Paragraphs", "File", "Indexed (UTC)", "26 March 2025",
                 "The Moscow Times", "Kremlin Refuses to Reveal Details of Russia-US Negotiations in Saudi Arabia",
                 "Negotiations between Russia and the United States"):
        expect(table).to_contain_text(text)
    assert "(no headline in the text)\n" not in table.inner_text()
    lines = """e => { const r = document.createRange(); r.selectNodeContents(e);
                         return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; }"""
    for name in ("Paragraphs", "Indexed (UTC)", "Published"):  # each header on one line, not "par/agr/aph/s"
        assert table.locator("th span", has_text=name).first.evaluate(lines) == 1, name
    assert table.locator("[role=gridcell] span", has_text="003_829c71e3b12d7115.txt").first.evaluate(lines) == 1
    font = table.locator("[role=gridcell] span", has_text="Wyoming Star").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "mono" not in font.lower(), font
    shot(page, "articles-table.png", tmp_path)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: columns were 2-3 characters wide (issue 24)
    page.wait_for_timeout(300)
    widths = table.locator("[role=gridcell]").evaluate_all("cs => cs.slice(0, 6).map(c => c.getBoundingClientRect().width)")
    assert widths[0] >= 200 and min(widths) >= 60, widths  # the headline column about 240 px; none under 9 characters
    assert table.locator("[role=gridcell] span", has_text="003_829c71e3b12d7115.txt").first.evaluate(lines) <= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls inside its frame
    page.set_viewport_size({"width": 1280, "height": 900})

    (folder / "harbour.txt").write_text("The harbour master said the ferry to Samos was cancelled because of fog.\n",
                                        encoding="utf-8")
    index = folder.parent / "index"  # as tests.test_ui.own_pipeline lays it out
    proc = subprocess.run([sys.executable, "-m", "ingest", "--data", str(folder), "--index", str(index)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    expect(table).to_contain_text("harbour.txt", timeout=30_000)  # no reload, no click


def test_an_identical_upload_is_reported_not_added(own_server, page, tmp_path):
    from playwright.sync_api import expect

    url, folder = own_server
    before = folder_state(folder)
    copy = tmp_path / "copy.txt"
    copy.write_bytes((ARTICLES / UPLOADED).read_bytes())
    page.goto(url)
    page.get_by_text("Articles in the index").click()
    page.locator("#aqa-upload input[type=file]").set_input_files([str(copy)])
    expect(page.locator("#aqa-status textarea")).to_have_value(re.compile(
        rf"^Not added: copy\.txt is identical to {re.escape(UPLOADED)}, already in the articles folder\n"), timeout=60_000)
    assert folder_state(folder) == before


def test_errors_start_with_a_capital_and_name_no_environment_variable(server, page):
    from playwright.sync_api import expect

    page.goto(server)
    ask(page, "Wer hat die russische Delegation in Riad geleitet und worüber wurde gesprochen?", 1)
    ask(page, "Why " + "really " * 400 + "did the talks last so long?", 2)
    bubbles = page.locator("#aqa-chat [data-testid='bot']")
    expect(bubbles.nth(0)).to_contain_text("Not asked: The question looks like German")
    expect(bubbles.nth(1)).to_contain_text("Not asked: The question has")
    assert "ARTICLES_QA" not in page.locator("#aqa-chat").inner_text()
    assert "ARTICLES_QA" not in page.locator("#aqa-sources").inner_text()


def test_a_new_answer_is_scrolled_into_view_after_the_articles_panel(server, page):
    from playwright.sync_api import expect

    page.goto(server)
    page.get_by_text("Articles in the index").click()
    page.wait_for_timeout(500)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("window.scrollY") > 200  # the chat is above the fold now
    ask(page, "How long did the talks between Lavrov and Rubio last?", 1)
    page.wait_for_timeout(800)
    expect(page.locator("#aqa-chat [data-testid='bot']").nth(0)).to_be_in_viewport()


def test_on_a_phone_a_marker_opens_its_source_and_a_button_leads_back(server, page, tmp_path):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server)
    ask(page, "How long did the talks between Lavrov and Rubio last?", 1)
    page.wait_for_timeout(1500)
    bubble = page.locator("#aqa-chat [data-testid='bot']").nth(0)
    bubble.locator("a[href='#aqa-t1-src-1']").click()
    expect(page.locator("#aqa-t1-src-1")).to_be_in_viewport()
    back = page.locator("#aqa-back")
    expect(back).to_be_visible()
    expect(back).to_be_in_viewport()
    shot(page, "phone-back.png", tmp_path)
    back.click()
    expect(bubble).to_be_in_viewport()
    expect(back).to_be_hidden()


def test_an_uploaded_web_page_and_pdf_answer_with_their_paragraph_and_page(own_server, page, tmp_path):
    """Issue 25: a saved HTML page and a PDF uploaded through the page, then asked about: the HTML answer
    cites the main-text block, the PDF answer its page and paragraph on that page."""
    from playwright.sync_api import expect

    from qa.eval import format_samples as S

    url, folder = own_server
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "port-strike.html").write_bytes(S.html_page())
    items = tuple(f"The harbour board reviewed item {i} of the quarterly figures for freight and passengers on "
                  f"Monday." for i in range(1, 27))  # item 26 opens page 2
    (mine / "harbour-report.pdf").write_bytes(S.pdf_file(
        items + ("Container volumes fell in the first quarter, the board said, and recovered in April.",),
        header="Harbour board - quarterly report", title="Harbour board quarterly report"))
    page.goto(url)
    page.get_by_text("Articles in the index").click()
    status = page.locator("#aqa-status textarea")
    page.locator("#aqa-upload input[type=file]").set_input_files([str(mine / "port-strike.html"),
                                                                   str(mine / "harbour-report.pdf")])
    expect(status).to_have_value(re.compile(r"^Added port-strike\.html\nAdded harbour-report\.pdf\n"), timeout=90_000)
    expect(page.locator("#aqa-table")).to_contain_text("Port strike ends after nine days")
    expect(page.locator("#aqa-table")).to_contain_text("Harbour Times (the file's own metadata) · by Jane Doe")

    ask(page, "Where did shipping lines divert container vessels?", 1)
    assert card_label(page, "aqa-t1-src-1") == "[1] port-strike.html ¶8"
    assert "forty container vessels" in page.locator("#aqa-t1-src-1 mark").first.inner_text()
    card = page.locator("#aqa-t1-src-1").text_content()  # the cited paragraph and the whole article below it
    assert "Shipping lines had diverted" in card
    for junk in S.BOILERPLATE:
        assert junk not in card, junk

    ask(page, "When did container volumes recover?", 2)
    label = card_label(page, "aqa-t2-src-1")
    assert label == "[1] harbour-report.pdf p. 2 ¶2", label
    assert "recovered in April" in page.locator("#aqa-t2-src-1 mark").first.inner_text()
    expect(page.locator("#aqa-t2-src-1 .aqa-cited .aqa-n")).to_have_text("p. 2 ¶2")  # in the folded article
