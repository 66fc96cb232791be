"""The ONNX int8 MiniLM against sentence-transformers' own, and a query path free of torch."""
import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT

SENTENCES = [
    "The bilateral talks, which lasted about 4.5 hours, were described as productive by Russian officials.",
    "How long did the talks last?",
    "Turkey and the United Nations had previously brokered a grain-export deal.",
    "Kirill Dmitriev praised Trump's leadership.",
]


@pytest.mark.slow
def test_onnx_int8_vectors_match_sentence_transformers():
    from ingest.embedding import _load

    onnx = np.array(_load("all-MiniLM-L6-v2", "onnx-int8").get_text_embedding_batch(SENTENCES))
    fp32 = np.array(_load("all-MiniLM-L6-v2", "onnx").get_text_embedding_batch(SENTENCES))
    torch = np.array(_load("all-MiniLM-L6-v2", "torch").get_text_embedding_batch(SENTENCES))
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1, atol=1e-4)
    assert (fp32 * torch).sum(axis=1).min() > 0.9999  # the export itself changes nothing
    assert (onnx * torch).sum(axis=1).min() > 0.95  # quantisation moves vectors a little
    # and keeps the ranking: the question is nearest to its answer under both
    assert np.argmax(onnx[1] @ onnx[[0, 2, 3]].T) == np.argmax(torch[1] @ torch[[0, 2, 3]].T) == 0


@pytest.mark.slow
def test_asking_does_not_import_torch(real_pipeline):
    code = ("import sys, json; from qa.pipeline import Pipeline; from qa.settings import Settings; "
            f"a = Pipeline(Settings.from_env(environ={{}}, index_dir={str(real_pipeline.store.dir)!r}, "
            f"data_dir={str(real_pipeline.settings.data_dir)!r})).ask('Who co-led the Kremlin negotiating team?'); "
            "print(json.dumps({'torch': 'torch' in sys.modules, 'answered': a.answered}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"torch": False, "answered": True}
