"""The same pipeline against a real Chroma server (`chroma run`) on loopback."""
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import ingest
from qa.pipeline import Pipeline

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed beside this Python")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.mark.slow
def test_ingest_and_ask_through_a_chroma_server(chroma_url, fake_settings, fake_embedder, articles):
    settings = fake_settings.replace(chroma_url=chroma_url)
    first = ingest(settings=settings, embedder=fake_embedder, progress=False)
    assert first.files == 5 and first.chunks_embedded > 0
    assert not list(settings.index_dir.glob("chroma*"))  # vectors live in the server
    answer = Pipeline(settings, embedder=fake_embedder).ask("Who brokered the grain-export deal?")
    assert answer.answered and answer.citations[0].file == "003_829c71e3b12d7115.txt"
    (articles / "004_3005a28be2e22e32.txt").unlink()
    again = ingest(settings=settings, embedder=fake_embedder, progress=False)
    assert again.removed == ["004_3005a28be2e22e32.txt"] and again.chunks_embedded == 0
