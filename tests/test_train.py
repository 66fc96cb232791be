"""The training commands rebuild the reader, the confidence model and the learned baseline (on tiny
sets here; the real runs take hours)."""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # torch, MiniLM, small indexes

SQUAD = {"data": [{"title": "Harbour", "paragraphs": [
    {"context": "The ferry to Norland leaves at seven. It carries forty cars. The harbour opened in 1998.",
     "qas": [{"id": "a", "question": "How many cars does the ferry carry?", "is_impossible": False,
              "answers": [{"text": "forty", "answer_start": 50}]},
             {"id": "b", "question": "When did the harbour open?", "is_impossible": False,
              "answers": [{"text": "1998", "answer_start": 85}]},
             {"id": "c", "question": "Who built the harbour?", "is_impossible": True, "answers": []}]},
    {"context": "The mayor, Anna Berg, praised the crew. She said the service would grow next year.",
     "qas": [{"id": "d", "question": "Who praised the crew?", "is_impossible": False,
              "answers": [{"text": "Anna Berg", "answer_start": 11}]}]}]}]}


def test_the_reader_trains_resumes_and_exports_a_model_that_loads(tmp_path):
    data = tmp_path / "tiny.json"
    articles = [dict(a, title=f"{a['title']} {k}", paragraphs=[dict(p, qas=[dict(q, id=f"{q['id']}{k}") for q in p["qas"]])
                                                               for p in a["paragraphs"]])
                for k in range(3) for a in SQUAD["data"]]
    data.write_text(json.dumps({"data": articles}))  # 12 questions
    work, out = tmp_path / "work", tmp_path / "reader"

    def run(questions, *more):
        done = subprocess.run([sys.executable, "-m", "qa.eval.train", "--kind", "cross-encoder", "--reader-only",
                               "--train-file", str(data), "--questions", str(questions), "--work", str(work),
                               "--out", str(out), *more], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    run(4)  # one step of four questions
    again = run(8, "--cooldown", "4")  # continues from the checkpoint, the rate falling to 0 over its last step
    assert "resumed at step 1, 4 questions" in again.stderr
    card = json.loads((out / "reader.json").read_text())
    assert card["questions_read"] == 8 and card["steps"] == 2
    assert card["cooldown"] == {"questions": 4, "ends_at": 8}
    lines = [json.loads(x) for x in (work / "log.jsonl").read_text().splitlines()]
    assert lines and {"questions", "loss", "pairs_per_s"} <= set(lines[-1])
    from qa.score import Candidate, ReaderScorer

    logits = ReaderScorer(out).score("How many cars?", [Candidate("It carries forty cars."), Candidate("Hello.")])
    assert logits.shape == (2,)

    # a new run from that checkpoint, every answerable question made unanswerable by removing its answer
    other = tmp_path / "other"
    branch = subprocess.run([sys.executable, "-m", "qa.eval.train", "--kind", "cross-encoder", "--reader-only",
                             "--train-file", str(data), "--questions", "12", "--work", str(other), "--out",
                             str(tmp_path / "reader2"), "--init", str(work / "checkpoint.pt"), "--p-absent", "1",
                             "--p-swap", "0"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert branch.returncode == 0, branch.stderr[-2000:]
    assert "starting from" in branch.stderr and "(8 questions read" in branch.stderr
    card = json.loads((tmp_path / "reader2" / "reader.json").read_text())
    assert card["questions_read"] == 12 and card["init"]["questions"] == 8
    assert (card["p_absent"], card["p_swap"]) == (1.0, 0.0) and set(card["kinds"]) <= {"absent", "unanswerable"}


def test_the_learning_rate_warms_up_holds_then_cools_down_to_zero():
    from qa.eval.train_reader import WARMUP, lr_factor

    steps = [lr_factor(s, total_steps=WARMUP + 400, cooldown_steps=100) for s in range(WARMUP + 401)]
    assert steps[0] < 0.01 and steps[WARMUP - 1] == steps[WARMUP + 299] == 1.0
    assert all(a > b for a, b in zip(steps[WARMUP + 300:], steps[WARMUP + 301:])) and steps[-1] == 0.0
    assert lr_factor(WARMUP + 399, total_steps=WARMUP + 400, cooldown_steps=0) == 1.0  # no cool-down: constant


def test_the_learned_baseline_still_trains(tmp_path):
    from tests.conftest import shared

    shared("bench", "squad-v2.0-dev-normans.json")
    scorer, conf, report = tmp_path / "scorer.json", tmp_path / "confidence.json", tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "qa.eval.train", "--kind", "learned", "--max-questions", "6",
                           "--out", str(scorer), "--confidence-out", str(conf), "--json", str(report)],
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
