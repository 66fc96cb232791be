"""The answer scorer as a stage (qa.score, qa.select.rank), the three tiers, and calibration (fast:
a scripted scorer through the real interface, the fake embedder, no model loaded)."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from qa.compose import TENTATIVE, ExtractiveAnswerer
from qa.confidence import FEATURES, confidence
from qa.pipeline import Pipeline
from qa.score import MODEL_DIR, Candidate, LexicalScorer, ReaderScorer, pair
from qa.settings import Settings


class ScriptedScorer:
    """Scores a sentence by the first scripted word it contains; counts what it reads."""

    name = "scripted"

    def __init__(self, logits: dict[str, float], default: float = -8.0):
        self.logits, self.default, self.read = logits, default, []

    def score(self, question, candidates):
        self.read.append(len(candidates))
        return np.asarray([next((v for w, v in self.logits.items() if w in c.text), self.default)
                           for c in candidates], dtype=np.float32)


QUESTION = "Who led the US delegation in Riyadh?"


def ask(fake_settings, fake_embedder, scorer, question=QUESTION, **settings):
    return Pipeline(fake_settings.replace(**settings), embedder=fake_embedder, scorer=scorer).ask(question)


def test_the_scorer_decides_which_sentence_answers(fake_settings, fake_embedder):
    scorer = ScriptedScorer({"Rubio": 12.0})
    a = ask(fake_settings, fake_embedder, scorer, min_confidence=0.0)
    assert a.tier == "answered" and a.answered and "Rubio" in a.sentences[0].text
    assert 0 < scorer.read[0] <= 32  # only the best few dozen candidates, in one batch
    other = ask(fake_settings, fake_embedder, ScriptedScorer({"Lavrov": 12.0}), min_confidence=0.0)
    assert "Lavrov" in other.sentences[0].text and "Rubio" not in other.sentences[0].text


def test_a_refusal_keeps_the_closest_passages_apart(fake_settings, fake_embedder):
    a = ask(fake_settings, fake_embedder, ScriptedScorer({"Rubio": 12.0}), min_confidence=1.0, min_tentative=1.0)
    assert a.tier == "refused" and not a.answered and not a.citations and a.closest
    assert a.confidence < 1.0 and a.text.startswith("The articles do not seem to answer this.")


def test_tentative_answers_quote_one_passage_and_say_so(fake_settings, fake_embedder):
    a = ask(fake_settings, fake_embedder, ScriptedScorer({"Rubio": 2.0}), min_confidence=1.0, min_tentative=0.0)
    assert a.tier == "tentative" and not a.answered
    assert a.text.startswith(TENTATIVE) and len(a.sentences) == 1 and len(a.citations) == 1
    assert a.citations[0].quote in a.citations[0].text  # still verbatim and cited


@pytest.mark.parametrize("conf, tier", [(0.9, "answered"), (0.5, "answered"), (0.3, "tentative"), (0.1, "refused")])
def test_tiers_follow_the_thresholds(conf, tier):
    answerer = ExtractiveAnswerer(Settings(min_confidence=0.5, min_tentative=0.25))
    assert answerer.tier(conf) == tier


def test_no_tentative_tier_when_its_threshold_is_not_below(conf=0.45):
    assert ExtractiveAnswerer(Settings(min_confidence=0.5, min_tentative=0.5)).tier(conf) == "refused"


@pytest.mark.parametrize("signal", FEATURES)
def test_confidence_moves_each_way_its_signal_should(signal):
    """Calibration is monotone in every signal the shipped model reads, in the direction fixed for it
    (`qa.eval.train_confidence.SIGN`: names missing lower it, the rest raise it); signals it does not
    read do not move it."""
    from qa.confidence import load_model
    from qa.eval.train_confidence import SIGN

    base = dict.fromkeys(FEATURES, 0.0) | {"reader": 2.0, "holds": 1.0, "support": 0.5, "focus": 0.5,
                                           "paragraph": 0.5, "lead": 2.0, "margin": 2.0}
    span = np.linspace(-4, 4, 11) if signal in ("reader", "margin", "lead") else np.linspace(0, 1, 11)
    values = [confidence(base | {signal: x}) for x in span]
    assert all(0.0 <= v <= 1.0 for v in values)
    if signal not in load_model()["features"]:
        assert len(set(values)) == 1
        return
    if SIGN.get(signal, 1.0) < 0:
        values = values[::-1]
    assert all(b >= a for a, b in zip(values, values[1:])) and values[-1] > values[0]


def test_the_pair_puts_the_sentence_before_its_context():
    q, b = pair(" Who  led\nit? ", Candidate("Rubio led\n the team.", before="The talks began.", headline="Talks"))
    assert q == "Who led it?" and b == "Rubio led the team. || Talks The talks began."
    assert pair("Q?", Candidate("S."))[1] == "S."


def test_lexical_scorer_orders_by_support():
    logits = LexicalScorer().score("q", [Candidate("a", coverage=0.2, dense=0.2), Candidate("b", coverage=0.8, dense=0.8)])
    assert logits.shape == (2,) and logits[1] > logits[0]


def test_a_missing_model_names_the_fix(tmp_path):
    from qa.errors import ScorerUnavailableError

    with pytest.raises(ScorerUnavailableError, match="python -m qa.eval.train --kind cross-encoder"):
        ReaderScorer(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "reader.json").write_text(json.dumps({"sha256": hashlib.sha256(b"not a model").hexdigest(),
                                                      "null_logit": 0.0}))
    with pytest.raises(ScorerUnavailableError, match="cannot be read"):
        ReaderScorer(tmp_path)


def test_a_model_file_that_does_not_match_its_card_is_refused(tmp_path):
    from qa.errors import ScorerUnavailableError

    for name in ("model.onnx", "tokenizer.json", "reader.json"):
        (tmp_path / name).write_bytes((MODEL_DIR / name).read_bytes())
    (tmp_path / "model.onnx").write_bytes((MODEL_DIR / "model.onnx").read_bytes()[:-1] + b"\0")
    with pytest.raises(ScorerUnavailableError, match="does not match the sha256"):
        ReaderScorer(tmp_path)


def test_the_shipped_reader_has_a_card_that_pins_its_file():
    card = json.loads((MODEL_DIR / "reader.json").read_text())
    assert hashlib.sha256((MODEL_DIR / "model.onnx").read_bytes()).hexdigest() == card["sha256"]
    assert (MODEL_DIR / "model.onnx").stat().st_size <= 30 * 2 ** 20
    assert card["questions_read"] >= 1000 and card["seed"] is not None and "held_out" in card


def test_evaluation_counts_tentative_answers_apart():
    from qa.answer import Answer, Citation
    from qa.eval.evaluate import Case, metrics, score, tier_risk_coverage

    cite = Citation("a.txt", 1, "They met in Riyadh.", "They met in Riyadh.")
    case = Case("q1", "Where did they meet?", [], ["Riyadh"], [("a.txt", 1)], False, "single fact")
    tentative = Answer(f"{TENTATIVE} They met in Riyadh. [1]", [cite], False, 0.3, tier="tentative")
    wrong = Answer("They met. [1]", [cite], True, 0.8)
    rows = [score(case, tentative, 1.0), score(case, wrong, 1.0)]
    m = metrics(rows)
    assert m["tentative_right_rate"] == 0.5 and m["right_answer_rate"] == 0.0 and m["wrong_answer_rate"] == 0.5
    assert tier_risk_coverage(rows) == {"answered": (0.5, 1.0), "answered or tentative": (1.0, 0.5)}


def test_the_learned_scorer_reads_meaning_and_lexical_signals(fake_embedder):
    from qa.score import LearnedScorer, load_scorer

    scorer = load_scorer("learned", embedder=fake_embedder)
    assert isinstance(scorer, LearnedScorer)
    cands = [Candidate("Marco Rubio led the US delegation.", coverage=0.6, dense=0.7, focus=0.8),
             Candidate("The weather in Paris was fine.", coverage=0.0, dense=0.1, holds=0.0, missing=1.0)]
    x = scorer.features("Who led the US delegation?", cands)
    assert x.shape == (2, len(LearnedScorer.FEATURES)) and x[0, 0] > x[1, 0]  # cos_sentence
    logits = scorer.score("Who led the US delegation?", cands)
    assert logits.shape == (2,) and logits[0] > logits[1]


def test_damaged_weights_name_the_fix(tmp_path, fake_embedder):
    from qa.errors import ScorerUnavailableError
    from qa.score import LearnedScorer

    (tmp_path / "w.json").write_text('{"features": ["x"], "coef": [1], "mean": [0], "scale": [1], "intercept": 0}')
    with pytest.raises(ScorerUnavailableError, match="python -m qa.eval.train"):
        LearnedScorer(fake_embedder, tmp_path / "w.json")
