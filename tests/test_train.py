"""The training command rebuilds the scorer and the confidence model (on a tiny sample here)."""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # MiniLM, three small indexes


def test_training_writes_a_scorer_and_a_confidence_model_that_load(tmp_path):
    from tests.conftest import shared

    shared("bench", "squad-v2.0-dev-normans.json")
    scorer, conf, report = tmp_path / "scorer.json", tmp_path / "confidence.json", tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "qa.eval.train", "--max-questions", "6", "--out", str(scorer),
                           "--confidence-out", str(conf), "--json", str(report)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    model = json.loads(scorer.read_text())
    assert model["objective"] == "pairwise" and len(model["coef"]) == 10
    held = json.loads(report.read_text())["report"]["held out: normans"]
    assert set(held) >= {"learned (pairwise, shipped)", "bi-encoder cosine alone", "lexical support alone"}
    from qa.score import LearnedScorer
    from tests.fakes import FakeEmbedding

    LearnedScorer(FakeEmbedding(), scorer)  # the written weights load
    assert json.loads(conf.read_text())["features"]
