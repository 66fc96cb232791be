"""The shared bug-report cases about reading (`../shared/cases/<name>/`), asked of the real pipeline.

Each case folder holds `articles/` and `case.json` (questions with what a right answer holds);
every answer must hold its right value.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # MiniLM and spaCy over each case's articles

from tests.conftest import ROOT, SHARED  # noqa: E402


def _case(name: str) -> dict:
    from tests.conftest import shared

    return json.loads(shared("cases", name, "case.json").read_text(encoding="utf-8"))


def _pipeline(name: str, tmp_path: Path):
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    shutil.copytree(SHARED / "cases" / name / "articles", tmp_path / "articles")
    return Pipeline(Settings.from_env(environ={}, data_dir=tmp_path / "articles", index_dir=tmp_path / "index"))


def _check(answer, expect: dict) -> None:
    assert answer.answered == expect["answered"], answer.text
    first = answer.citations[0]
    quote = " ".join(c.quote for c in answer.citations)
    assert first.paragraph == expect["paragraph"], (first.paragraph, answer.text)
    if "file" in expect:
        assert first.file == expect["file"]
    if "quote_contains" in expect:
        assert expect["quote_contains"] in quote, quote
    for part in expect.get("quote_contains_all", ()):
        assert part in quote, quote
    if "not_contains" in expect:
        assert expect["not_contains"] not in quote, quote
    if "not_first" in expect:  # another speaker's words, or a weaker quote, must not lead the answer
        assert expect["not_first"] not in answer.sentences[0].text, answer.text
    if "quote_starts" in expect:
        assert first.quote.startswith(expect["quote_starts"]), first.quote
    for c in answer.citations:  # every quote is the file's verbatim text
        assert c.quote.replace(" … ", "").replace("…", "")[:40] in c.text


def _ask_case(name: str, tmp_path: Path, index: int = 0) -> None:
    case = _case(name)
    question = case["questions"][index]
    _check(_pipeline(name, tmp_path).ask(question["q"]), question["expect"])


def test_wrapped_lines_first_question(tmp_path):
    _ask_case("wrapped-lines", tmp_path, 0)


def test_wrapped_lines_second_question(tmp_path):
    _ask_case("wrapped-lines", tmp_path, 1)


def test_abbrev_no(tmp_path):
    _ask_case("abbrev-no", tmp_path)



def test_table_row(tmp_path):
    _ask_case("table-row", tmp_path)



@pytest.mark.xfail(strict=True, reason="the three items are quoted whole from ¶3, but as a tentative answer "
                                        "(confidence between min_tentative and min_confidence), not an answered one")
def test_bullet_list(tmp_path):
    _ask_case("bullet-list", tmp_path)


@pytest.mark.xfail(strict=True, reason="the right quote (the IAEA regained access, ¶2), but as a tentative answer "
                                        "since the reader reads one pair a run and the confidence was refitted over it "
                                        "(issue 23, docs/quality.md 'Second session')")
def test_acronym(tmp_path):
    _ask_case("acronym", tmp_path)


def test_acronym_reverse_is_never_called_unmentioned(tmp_path):
    """The reverse of the acronym case: the long form asked where only it is written, and an acronym
    asked whose long form the article spells: neither is "not mentioned"."""
    _case("acronym")
    pipeline = _pipeline("acronym", tmp_path)
    answer = pipeline.ask("What did the International Atomic Energy Agency say about the Kessler reactor?")
    assert "do not mention" not in answer.text, answer.text
    answer = pipeline.ask("When was the IAEA barred from the Kessler site?")
    assert "do not mention" not in answer.text, answer.text


def test_headline_only_indexes_and_answers_or_refuses(tmp_path):
    _case("headline-only")
    shutil.copytree(SHARED / "cases" / "headline-only" / "articles", tmp_path / "articles")
    run = subprocess.run([sys.executable, "-m", "ingest", "--data", str(tmp_path / "articles"),
                          "--index", str(tmp_path / "index")], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert run.returncode in (0, 2), run.stderr
    assert "Traceback" not in run.stderr
    if run.returncode == 2:
        assert len(run.stderr.strip().splitlines()) == 1
    again = subprocess.run([sys.executable, "-m", "ingest", "--data", str(tmp_path / "articles"),
                            "--index", str(tmp_path / "index")], capture_output=True, text=True, cwd=ROOT,
                           timeout=600)
    assert again.returncode == run.returncode and "Traceback" not in again.stderr
    folders = sorted(p.name for p in (tmp_path / "index").iterdir() if p.is_dir())
    assert len([f for f in folders if f.startswith("corpus")]) <= 1, folders
    assert len([f for f in folders if f.startswith("chroma")]) <= 1, folders
    if run.returncode == 0:
        from qa.pipeline import Pipeline
        from qa.settings import Settings

        p = Pipeline(Settings.from_env(environ={}, data_dir=tmp_path / "articles", index_dir=tmp_path / "index"))
        answer = p.ask("Which bridge did the storm close?")
        assert answer.answered is False or "Route 9" in answer.text


_READER_SPEAKERS = ("the right speaker's quotation is the only candidate (Unit.speaker), but the reader scores it "
                    "low: logits 2.46 / 0.55 / -3.51 for the three questions, confidence 0.55 / 0.37 / 0.04, under "
                    "the answered bar 0.6; the reader's ranking is issue 23")


@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.xfail(strict=True, reason=_READER_SPEAKERS)
def test_two_speakers(tmp_path, index):
    """Who said a quotation is read from the stored unit (`Unit.speaker`): a second quotation with no
    attribution of its own is its speaker's, and the other man's words are never given as his."""
    _ask_case("two-speakers", tmp_path, index)


def test_two_speakers_each_man_is_quoted_only_in_his_own_words(tmp_path):
    """The part of the two-speakers case that is ours, not the reader's: the sentences that can answer "what
    did X say" are exactly X's, read from the stored speakers (on main, Brandt's had none: refused 0.007)."""
    from qa.compose import candidates

    _case("two-speakers")
    pipeline = _pipeline("two-speakers", tmp_path)
    said = {q: {s.text for s in candidates(pipeline.evidence(q))}
            for q in ("What did Piet Brandt say about fares?", "What did Verhagen say would happen to riders?")}
    assert said["What did Piet Brandt say about fares?"] == {
        "“Fares will stay where they are until the end of 2027,” said board chair Piet Brandt."}
    assert said["What did Verhagen say would happen to riders?"] == {
        "“We cannot keep fares frozen while the maintenance backlog grows,” he said.", "“Riders will pay more later.”"}
    answer = pipeline.ask("What did Joost Verhagen say about the fare freeze?")
    assert answer.citations and "cannot keep fares frozen" in answer.citations[0].quote  # tentative, but his words
    assert "Fares will stay" not in answer.sentences[0].text


def test_currency_shorthand_asked_as_written(tmp_path):
    _ask_case("currency-shorthand", tmp_path, 0)


@pytest.mark.xfail(strict=True, reason="'1.2 billion dollars' now matches 'US$1.2bn' (one value, one currency: "
                                        "missing 1.0 -> 0.0, focus 0.21 -> 0.75, the right quote first), but as a "
                                        "tentative answer: the reader's logit is 1.07 (asked as 'US$1.2bn': 0.65 "
                                        "confidence); the reader is issue 23")
def test_currency_shorthand_in_words(tmp_path):
    _ask_case("currency-shorthand", tmp_path, 1)


def test_currency_shorthand_in_words_quotes_the_tunnel(tmp_path):
    """What matching the amount gives, whatever the tier: the right paragraph and quote first."""
    _case("currency-shorthand")
    answer = _pipeline("currency-shorthand", tmp_path).ask("Which project will cost 1.2 billion dollars?")
    assert answer.tier != "refused", answer.text
    assert answer.citations[0].paragraph == 2 and "Varne rail tunnel will now cost US$1.2bn" in answer.citations[0].quote


@pytest.mark.parametrize("index", [0, 1])
def test_headline_answer(tmp_path, index):
    """The answer is in the headline only ("... to Close in June, Cutting 400 Jobs")."""
    _ask_case("headline-answer", tmp_path, index)
