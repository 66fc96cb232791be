"""Every CLI turns a bad setting into one line on stderr and exit 2, never a traceback."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

COMMANDS = {
    "qa": ["-m", "qa", "Who met in Riyadh?"],
    "ingest": ["-m", "ingest", "--quiet"],
    "evaluate": ["-m", "qa.eval.evaluate", "--quiet"],
}
BAD = {
    "top_k": ({"ARTICLES_QA_TOP_K": "many"}, "ARTICLES_QA_TOP_K='many' is not a valid int; unset it or give a number"),
    "overlap": ({"ARTICLES_QA_CHUNK_OVERLAP": "96"}, "chunk_overlap (ARTICLES_QA_CHUNK_OVERLAP) is 96; it must be "
                                                     "0 or more and under chunk_tokens (96)"),
    "backend": ({"ARTICLES_QA_BACKEND": "gpt9"}, "backend (ARTICLES_QA_BACKEND) is 'gpt9'; it must be one of "
                                                 "extractive, llamacpp, ollama, openai"),
}


@pytest.mark.slow
@pytest.mark.parametrize("bad", sorted(BAD))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_setting_is_one_line_and_exit_2(command, bad, tmp_path):
    env_vars, message = BAD[bad]
    if command == "ingest" and bad in ("top_k", "backend"):  # settings of answering: ingest does not read them
        env_vars = {"ARTICLES_QA_CHUNK_TOKENS": "lots"}
        message = "ARTICLES_QA_CHUNK_TOKENS='lots' is not a valid int; unset it or give a number"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLES_QA_")}
    env.update(env_vars, PYTHONPATH=str(ROOT), ARTICLES_QA_INDEX_DIR=str(tmp_path / "index"),
               ARTICLES_QA_DATA_DIR=str(tmp_path / "articles"))
    out = subprocess.run([sys.executable, *COMMANDS[command]], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=120)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == f"error: {message}\n"
    assert not (tmp_path / "index").exists()  # nothing was created
