"""The chat page on loopback: the /ask API through gradio_client, and a real headless Chromium."""
import shutil
import socket
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")


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


@pytest.fixture(scope="module")
def server(real_pipeline):
    app, url = start(real_pipeline)
    yield url
    app.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, real_pipeline):
    """A corpus whose article carries HTML, script and markdown."""
    from qa.pipeline import Pipeline

    base = tmp_path_factory.mktemp("xss")
    (base / "a").mkdir()
    shutil.copy(ARTICLES / "002_7591b3745de009c9.txt", base / "a")
    (base / "a" / "hostile.txt").write_text(
        'Officials said the wheat shipment statement read <script>window.pwned = 1</script> '
        '<img src=x onerror="window.pwned = 2"> and ![img](http://127.0.0.1:1/x.png) at the port of Odesa.\n'
        "A second paragraph says nothing about grain.\n", encoding="utf-8")
    pipeline = Pipeline(real_pipeline.settings.replace(data_dir=base / "a", index_dir=base / "i"),
                        embedder=real_pipeline.embedder)
    app, url = start(pipeline)
    yield url
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


def test_upload_is_validated_and_indexed(server, real_pipeline, tmp_path):
    from gradio_client import Client, handle_file

    good = tmp_path / "new story.txt"
    good.write_text("The harbour master said the ferry to Samos was cancelled because of fog.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    client = Client(server, verbose=False)
    table, status = client.predict([handle_file(str(good)), handle_file(str(bad))], api_name="/reindex")
    assert "added new_story.txt" in status and "refused" in status and "UTF-8" in status
    assert "new_story.txt" in [row[1] for row in table["data"]]
    assert not (Path(real_pipeline.settings.data_dir) / "bad.txt").exists()
    out = client.predict("Why was the ferry to Samos cancelled?", [], api_name="/ask")
    assert out["answered"] and out["citations"][0]["file"] == "new_story.txt"
    (Path(real_pipeline.settings.data_dir) / "new_story.txt").unlink()
    client.predict([], api_name="/reindex")


def _browser(pw):
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)


def _ask(page, question):
    box = page.get_by_role("textbox").first
    box.fill(question)
    box.press("Enter")


@pytest.mark.browser
@needs_chromium
def test_chat_in_a_real_browser_shows_the_cited_paragraph(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server)
        _ask(page, "How long did the talks between Lavrov and Rubio last?")
        expect(page.locator("#aqa-sources")).to_contain_text("002_7591b3745de009c9.txt ¶2", timeout=30_000)
        expect(page.locator("#aqa-chat").get_by_text("lasted about 4.5 hours").first).to_be_visible(timeout=30_000)
        assert page.locator("#aqa-sources mark").first.inner_text().startswith("The bilateral talks")
        cited = page.locator("#aqa-sources .aqa-cited").first
        expect(cited).to_be_hidden()
        page.locator("#aqa-chat a[href='#aqa-src-1']").first.click()  # the inline marker [1]
        expect(cited).to_be_visible()
        expect(cited).to_be_in_viewport()
        assert cited.inner_text().startswith("¶2")
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "chat.png"), full_page=True)
        _ask(page, "What did China say about the Riyadh talks?")
        expect(page.locator("#aqa-sources .aqa-notfound")).to_be_visible(timeout=30_000)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ROOT / "docs" / "chat-phone.png"), full_page=True)
        browser.close()


@pytest.mark.browser
@needs_chromium
def test_html_and_script_in_articles_are_shown_as_text(hostile_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page()
        page.goto(hostile_server)
        _ask(page, "What did the wheat shipment statement read at the port of Odesa?")
        sources = page.locator("#aqa-sources")
        expect(sources).to_contain_text("<script>window.pwned = 1</script>", timeout=30_000)
        expect(page.locator("#aqa-chat")).to_contain_text("window.pwned = 1", timeout=30_000)
        page.wait_for_timeout(500)
        assert page.evaluate("window.pwned") is None
        assert page.locator("#aqa-sources script, #aqa-sources img, #aqa-chat img[src^='http://127.0.0.1:1']").count() == 0
        browser.close()
