"""The chat page on loopback: the /ask API through gradio_client, and a real headless Chromium."""
import socket
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(real_pipeline):
    from ui.app import CSS, build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(real_pipeline)
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, css=CSS,
                       show_error=False, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_ask_endpoint_returns_structured_answers(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    out = client.predict("How long did the talks between Lavrov and Rubio last?", [], api_name="/ask")
    assert out["answered"] and "4.5 hours" in out["text"]
    c = out["citations"][0]
    assert (c["file"], c["paragraph"]) == ("002_7591b3745de009c9.txt", 2) and c["quote"] in c["text"]
    history = [{"role": "user", "content": "What did Kirill Dmitriev say about Trump?"},
               {"role": "assistant", "content": "He praised Trump. [1]"}]
    out = client.predict("How much did he say they lost?", history, api_name="/ask")
    assert "$300 billion" in out["text"]
    out = client.predict("   ", [], api_name="/ask")
    assert not out["answered"] and "empty" in out["error"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_chat_in_a_real_browser_shows_the_cited_paragraph(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server)
        box = page.get_by_role("textbox").first
        box.fill("How long did the talks between Lavrov and Rubio last?")
        box.press("Enter")
        expect(page.locator("#aqa-sources")).to_contain_text("002_7591b3745de009c9.txt ¶2", timeout=30_000)
        expect(page.get_by_text("lasted about 4.5 hours").first).to_be_visible(timeout=30_000)
        assert page.locator("#aqa-sources mark").first.inner_text().startswith("The bilateral talks")
        page.locator("#aqa-sources summary").first.click()
        cited = page.locator("#aqa-sources .aqa-cited").first
        expect(cited).to_be_visible()
        assert "¶2" in cited.inner_text()
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "chat.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ROOT / "docs" / "chat-phone.png"), full_page=True)
        browser.close()
