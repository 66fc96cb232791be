"""The chat page in a real headless Chromium (Debian's, never a downloaded one): per-turn sources,
uploads and re-indexing through the page, long text, hostile text, and the screenshots.

Screenshots go to a temporary folder; `ARTICLES_QA_SCREENSHOTS=docs` writes docs/chat.png and
docs/chat-phone.png instead (the suite never rewrites tracked files unless asked).
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
        re.compile("confidence|Not asked"), timeout=30_000)


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
    expect(bubbles.nth(3)).to_contain_text("Not asked: the question looks like French")
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
