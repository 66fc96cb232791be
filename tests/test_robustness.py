"""Load, faults and hostile input."""
import errno
import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest import ingest
from ingest.store import IndexStore
from qa.errors import IndexWriteError, QuestionError
from tests.conftest import ROOT

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "data" / "questions.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_ask_from_many_threads_answers_as_serially(real_pipeline):
    serial = [real_pipeline.ask(q) for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(real_pipeline.ask, QUESTIONS * 2))
    for a, b in zip(serial * 2, parallel):
        assert (a.text, a.citations, a.answered) == (b.text, b.citations, b.answered)


@pytest.mark.slow
def test_fifty_concurrent_chat_sessions_keep_their_own_histories(real_pipeline):
    from tests.test_ui import start
    from ui.loadtest import run_load

    app, url = start(real_pipeline)
    try:
        result = run_load(url, sessions=50)
    finally:
        app.close()
    assert result["errors"] == [] and result["wrong_answers"] == []
    assert result["requests"] == 100


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace")),
    st.just("\x00" * 10 + "Who met?"),
    st.just("Who " * 300_000),
))
def test_ask_never_fails_except_with_a_question_error(real_pipeline, question):
    try:
        answer = real_pipeline.ask(question)
    except QuestionError:
        return
    assert isinstance(answer.answered, bool)
    for c in answer.citations:
        assert c.quote.split(" … ")[0] in c.text


@pytest.mark.parametrize("repeats", [2_000, pytest.param(25_000, marks=pytest.mark.slow)])  # 90 KB fast, 1.1 MB slow
def test_a_megabyte_line_is_indexed_and_cited(fake_settings, fake_embedder, articles, repeats):
    line = ("The convoy crossed the Samos bridge at dawn. " * repeats).strip()
    (articles / "huge.txt").write_text(line + "\n", encoding="utf-8")
    report = ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    assert "huge.txt" in report.added
    from qa.pipeline import Pipeline

    a = Pipeline(fake_settings, embedder=fake_embedder).ask("What did the convoy cross at dawn?")
    assert a.answered and a.citations[0].file == "huge.txt" and a.citations[0].paragraph == 1


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_disk_or_read_only_index_is_a_clear_error_and_nothing_is_lost(fake_settings, fake_embedder, articles,
                                                                         monkeypatch, code):
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    store = IndexStore(fake_settings)
    before = store.manifest_path.read_bytes()
    (articles / "new.txt").write_text("The harbour reopened on Friday after the storm.\n", encoding="utf-8")

    def fail(self, manifest):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(IndexStore, "write_manifest", fail)
    with pytest.raises(IndexWriteError, match=os.strerror(code)):
        ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    assert store.manifest_path.read_bytes() == before
    monkeypatch.undo()
    assert "new.txt" in ingest(settings=fake_settings, embedder=fake_embedder, progress=False).added


NO_NETWORK = textwrap.dedent("""
    import socket, sys, json, urllib.request
    attempts = []
    def loopback(address):
        host = address[0] if isinstance(address, tuple) else address
        return isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1"))
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            attempts.append(repr(address)); raise OSError("network forbidden in this test")
        return real_connect(self, address)
    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not loopback((host,)):
            attempts.append(f"dns {host}"); raise socket.gaierror("network forbidden in this test")
        return real_getaddrinfo(host, *args, **kwargs)
    socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo

    data, index = sys.argv[1], sys.argv[2]
    from ingest import ingest
    from qa.pipeline import Pipeline
    from qa.settings import Settings
    settings = Settings.from_env(data_dir=data, index_dir=index)
    report = ingest(settings=settings, progress=False)
    pipeline = Pipeline(settings)
    answer = pipeline.ask("How long did the talks between Lavrov and Rubio last?")
    from ui.app import build_app
    app = build_app(pipeline)
    app.queue().launch(server_name="127.0.0.1", server_port=0 or None, prevent_thread_lock=True, quiet=True)
    page = urllib.request.urlopen(app.local_url, timeout=30).read()
    app.close()
    print(json.dumps({"files": report.files, "answer": answer.text, "page": len(page), "attempts": attempts}))
""")


@pytest.mark.slow
def test_no_network_is_used_to_ingest_ask_and_serve(tmp_path, articles):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    out = subprocess.run([sys.executable, "-c", NO_NETWORK, str(articles), str(tmp_path / "index")],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["files"] == 5 and "4.5 hours" in result["answer"] and result["page"] > 1000
    assert result["attempts"] == []
