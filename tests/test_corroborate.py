"""Issue 27: who else reports an answer (outlets, copies), who reports it differently (disagreements, only for
the same event), when (publication and event dates, relative dates resolved), and timelines.

The fast tier builds small indexes of the cases in `data/corroboration/<case>/articles` with the fake embedder
and a keyword scorer standing in for the reader (the reader's part is to say which sentences answer; here a
keyword says it, so what is tested is the grouping, the copies, the values and the event rule). The slow tier
asks the real pipeline: the labelled set (`qa.eval.corroboration`) and the shared relative-date case.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT

CASES = ROOT / "data" / "corroboration"


class KeywordScorer:
    """A scorer that takes a sentence for an answer (logit +3) when it holds one of `words`, else not (-3)."""

    name = "keyword"

    def __init__(self, *words: str):
        self.words = words

    def score(self, question, candidates):
        return np.asarray([3.0 if any(w in c.text.lower() for w in self.words) else -3.0 for c in candidates],
                          dtype=np.float32)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """Each case's articles copied once and indexed on first use, shared by this module's tests (they only read)."""
    return tmp_path_factory.mktemp("cases")


def _pipeline(root: Path, case: str, fake_embedder, *words: str, **settings):
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    if not (root / case).exists():
        shutil.copytree(CASES / case / "articles", root / case)
    s = Settings(data_dir=root / case, index_dir=root / f"{case}-index", embed_model="fake-bow-64",
                 embed_runtime="torch", scorer="lexical", min_confidence=0.0, min_tentative=0.0, **settings)
    return Pipeline(s, embedder=fake_embedder, scorer=KeywordScorer(*words))


def _verbatim(answer) -> None:
    """Every quote and every answer sentence (less our bracketed words) is in its cited paragraph."""
    from qa.compose import verbatim_pieces

    for c in answer.citations:
        assert c.quote in c.text
    for s in answer.sentences:
        for piece in verbatim_pieces(s):
            assert piece.strip() in " ".join(answer.citations[s.citation - 1].text.split()), piece


# -- dates ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, published, written, iso, precision", [
    ("Peskov told reporters on Tuesday that talks went on.", "2025-03-26", "Tuesday", "2025-03-25", "day"),
    ("Lavrov said on Wednesday that talks went well.", "2025-03-26", "Wednesday", "2025-03-26", "day"),  # its own day
    ("The depot will shut on June 30.", "2026-03-05", "June 30", "2026-06-30", "day"),  # future tense: forward
    ("The law took effect on December 30.", "2025-01-03", "December 30", "2024-12-30", "day"),  # past: last year's
    ("The council will meet again next Tuesday.", "2024-11-08", "next Tuesday", "2024-11-12", "day"),
    ("Phone calls last week preceded the meetings.", "2025-03-26", "last week", "2025-03-17", "week"),
    ("Crimea, which Moscow annexed in 2014, remains a sticking point.", "2025-02-18", "2014", "2014-01-01", "year"),
])
def test_a_date_expression_is_resolved_against_the_publication_date(text, published, written, iso, precision):
    from qa.dates import dates_of_text

    found = [d for d in dates_of_text(text, published) if d.text == written]
    assert [(d.date, d.precision) for d in found] == [(iso, precision)]
    assert text[found[0].start:found[0].end] == written


def test_relative_dates_get_their_date_in_brackets_and_absolute_ones_none():
    from qa.answer import AnswerSentence
    from qa.compose import shown_text, verbatim_pieces
    from qa.dates import bracketed_pieces, dates_of_text

    text = "Prices rose last year, and on Tuesday the bank, founded in 1998, cut rates."
    dates = dates_of_text(text, "2025-03-26")
    expected = ("Prices rose last year [year 2024], and on Tuesday [March 25, 2025] the bank, founded in 1998, "
                "cut rates.")
    shown, inserted = shown_text(bracketed_pieces(((text, False),), dates))
    assert shown == expected and [shown[a:b] for a, b in inserted] == ["[year 2024]", "[March 25, 2025]"]
    pieces = verbatim_pieces(AnswerSentence(shown, 1, inserted))
    assert all(piece.strip() in text for piece in pieces)  # the brackets are ours, the rest verbatim


def test_without_a_publication_date_a_relative_date_is_left_unresolved():
    from qa.dates import dates_of_text

    assert [d.text for d in dates_of_text("They met on Tuesday and again on March 3, 2025.", None)] == ["March 3, 2025"]


def test_the_labelled_dates_are_resolved_at_the_aim():
    """Issue 27's aim: >= 90% of the labelled date expressions resolved right (data/dates.jsonl)."""
    from qa.eval.corroboration import dates_accuracy, load

    result = dates_accuracy(load(ROOT / "data" / "dates.jsonl"))
    assert result["n"] >= 40 and result["accuracy"] >= 0.9, result["misses"]


# -- copies and credits ---------------------------------------------------------------------------------------------
def test_credits_are_read_as_written():
    from qa.copies import sentence_credits

    assert sentence_credits("The Kremlin declined to disclose details, Bloomberg reports.") == ("Bloomberg reports",)
    assert sentence_credits("The ministry was quoted by the Interfax news agency.") == ("by the Interfax news agency",)
    assert sentence_credits("Lavrov said the talks went well.") == ()


def test_agencies_credited_by_two_sources_are_named_in_the_summary():
    from qa.answer import Citation
    from qa.copies import agencies
    from qa.corroborate import Report, _group

    assert agencies(["AFP contributed reporting", "NORTHFIELD (AFP)", "Agencies with input from SG"]) == {"AFP"}

    def report(file: str, outlet: str, *credits: str) -> Report:
        return Report(Citation(file, 1, "Six weeks.", "Six weeks."), outlet, file, credits, "Six weeks")

    found = _group("Six weeks", [report("a.txt", "A", "AFP contributed reporting"), report("b.txt", "B", "PARIS (AFP)"),
                                 report("c.txt", "C", "Reuters contributed reporting")])
    assert (found.outlets, found.copies, found.common_credits) == (3, 3, ("AFP",))
    assert found.summary == "Reported by 3 outlets (3 copies); AFP credited by several of them"


def test_timeline_questions_are_recognised():
    from qa.timeline import topic

    assert topic("Timeline of the talks") == "the talks"
    assert topic("Give me a chronology of Lavrov's visits?") == "Lavrov's visits"
    assert topic("timeline") == ""
    assert topic("What was the timeline for the depot closure?") is None  # a question about a plan, not a timeline


# -- per answer, over small indexes (fake embedder, keyword scorer) ------------------------------------------------
def test_a_wire_copy_is_one_outlet_and_an_independent_report_another(indexes, fake_embedder):
    answer = _pipeline(indexes, "wire-copy", fake_embedder, "six weeks").ask("How long will the Kessel bridge be closed?")
    c = answer.corroboration
    assert (c.outlets, c.copies) == (2, 3), c
    labels = {s.label for s in c.sources}
    assert labels == {"Harbor Ledger / Valley Courier", "Northfield Times"}
    wire = next(s for s in c.sources if s.outlet == "Harbor Ledger / Valley Courier")
    assert {r.citation.file for r in wire.reports} == {"harbor_ledger.txt", "valley_courier.txt"}
    assert "AFP contributed reporting" in wire.reports[0].credits
    for source in c.sources:
        for r in source.reports:
            assert r.citation.quote in r.citation.text and "six weeks" in r.value.lower()
    assert not answer.disagreements
    _verbatim(answer)


def test_two_outlets_giving_two_figures_for_the_same_day_disagree_later_first(indexes, fake_embedder):
    answer = _pipeline(indexes, "conflicting-figures", fake_embedder, "injur", "hurt").ask(
        "How many people were injured when the bus left Route 9?")
    assert len(answer.disagreements) == 1
    d = answer.disagreements[0]
    assert [(r.citation.file, r.value) for r in d.reports] == [("brenner_herald.txt", "Fourteen"),
                                                              ("ostrel_gazette.txt", "17")]
    assert [r.citation.published for r in d.reports] == ["2026-05-13", "2026-05-12"]
    assert "May 11, 2026" in d.basis
    assert all(r.citation.quote in r.citation.text for r in d.reports)


def test_different_rounds_of_talks_are_no_disagreement(indexes, fake_embedder):
    answer = _pipeline(indexes, "different-events", fake_embedder, "lasted").ask(
        "How long did the wage talks in Halden last?")
    assert answer.disagreements == []
    assert len(answer.other_values) == 1  # listed apart, with its own date, not as a contradiction
    other = answer.other_values[0]
    assert other.citation.event_date != answer.citations[0].event_date and other.citation.event_date


def test_a_correction_appended_to_an_article_is_shown_first_and_never_corroborates(indexes, fake_embedder):
    answer = _pipeline(indexes, "correction", fake_embedder, "smoke inhalation").ask(
        "How many firefighters were treated for smoke inhalation?")
    assert len(answer.disagreements) == 1
    d = answer.disagreements[0]
    assert d.reports[0].correction and d.basis.startswith("a correction")
    assert {r.value for r in d.reports} == {"6", "9"}
    quoted = [r.citation.quote for s in answer.corroboration.sources for r in s.reports]
    assert not any("earlier version" in q for q in quoted)


def test_an_answer_carries_its_publication_and_event_dates(indexes, fake_embedder):
    answer = _pipeline(indexes, "conflicting-figures", fake_embedder, "monday").ask(
        "On what date did the bus overturn on Route 9 near Brenner?")
    assert "Monday [May 11, 2026]" in answer.text
    first = answer.citations[0]
    assert first.published in ("2026-05-12", "2026-05-13") and first.event_date == "2026-05-11"
    assert json.loads(json.dumps(answer.to_dict()))["citations"][0]["dates"][0]["text"] == "Monday"
    _verbatim(answer)


def test_corroboration_can_be_turned_off(indexes, fake_embedder):
    answer = _pipeline(indexes, "wire-copy", fake_embedder, "six weeks", corroborate=False).ask(
        "How long will the Kessel bridge be closed?")
    assert answer.corroboration is None and "corroborate" not in answer.timings_ms


def test_a_timeline_lists_dated_quotes_in_event_order_and_undated_apart(indexes, fake_embedder):
    answer = _pipeline(indexes, "different-events", fake_embedder).ask("Timeline of the wage talks")
    dated = [e for e in answer.timeline if e.date]
    assert [e.date for e in dated] == sorted(e.date for e in dated) and len(dated) == 2
    assert dated[0].date == "2025-09-08" and dated[1].date == "2025-09-18"
    assert all(e.date is None for e in answer.timeline[len(dated):])
    assert len(answer.sentences) == len(dated) and answer.answer_type == "timeline"
    _verbatim(answer)


def test_the_page_shows_who_else_reports_it_and_both_figures(indexes, fake_embedder):
    from ui.render import chat_markdown, turn_sources

    pipeline = _pipeline(indexes, "conflicting-figures", fake_embedder, "injur", "hurt")
    answer = pipeline.ask("How many people were injured when the bus left Route 9?")
    panel = turn_sources(1, answer.question, answer, pipeline.article)
    assert "Reports disagree" in panel and "Fourteen" in panel and "17" in panel
    assert "Brenner Herald, brenner_herald.txt ¶3, published 13 May 2026" in panel  # outlet, citation, date
    assert panel.index("brenner_herald.txt") < panel.rindex("ostrel_gazette.txt")
    assert "Reports disagree" in chat_markdown(answer, 1)


# -- the real pipeline -------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_labelled_set_at_the_aims(tmp_path):
    """Outlets and copies right on every labelled answer that fixes them, no false disagreement, both figures shown on
    every labelled disagreement (data/corroboration.jsonl; the five articles' rows need ../shared)."""
    from qa.eval.corroboration import corroboration, load

    result = corroboration(load(ROOT / "data" / "corroboration.jsonl"), tmp_path)
    right, fixed = map(int, result["outlets_copies_right"].split("/"))
    shown, labelled = map(int, result["disagreements_both_shown"].split("/"))
    assert right == fixed and fixed >= 3, result["rows"]
    assert result["false_disagreements"] == 0, result["rows"]
    assert shown == labelled == 2, result["rows"]


@pytest.mark.slow
def test_the_relative_date_case_is_answered_with_the_resolved_date(tmp_path):
    from qa.pipeline import Pipeline
    from qa.settings import Settings
    from tests.conftest import shared

    case = json.loads(shared("cases", "relative-date", "case.json").read_text(encoding="utf-8"))
    shutil.copytree(shared("cases", "relative-date", "articles"), tmp_path / "articles")
    pipeline = Pipeline(Settings.from_env(environ={}, data_dir=tmp_path / "articles", index_dir=tmp_path / "index"))
    for q in case["questions"]:
        answer = pipeline.ask(q["q"])
        assert answer.citations and answer.citations[0].paragraph == q["expect"]["paragraph"], answer.text
        for part in q["expect"].get("text_contains_all", ()):
            assert part in answer.text, answer.text
    assert "on Tuesday [March 3, 2026]" in answer.text
    assert answer.citations[0].event_date == "2026-03-03"


def test_a_name_the_question_gives_as_an_adjective_is_no_answer_value():
    """"Where did US and Ukrainian officials meet?": "Ukraine" in another sentence is the question's, not the answer's
    (it made a February Riyadh sentence corroborate the March US-Ukraine round, found on questions.jsonl)."""
    from qa.corroborate import _same_name

    assert _same_name("ukraine", "ukrainian") and _same_name("iran", "iranian") and _same_name("russia", "russian")
    assert not _same_name("riyadh", "russian") and not _same_name("us", "usa")


def test_a_paragraph_of_many_sentences_is_dated_in_one_walk():
    """`dates_by_unit` gives each unit the dates `dates_in` gives it, in one walk (the timeline's way)."""
    from reading import read_article
    from qa.dates import dates_by_unit, dates_in

    class Para:  # the three fields the dates read: a stored paragraph's text, units and publication date
        def __init__(self, text):
            self.text, self.published = text, "2025-03-26"
            self.units = read_article([text], [None])[0]["units"]

    para = Para(" ".join(f"Talks resumed on Tuesday in round {i}." if i % 3 == 0 else f"Nothing happened {i}."
                         for i in range(300)))
    found = dates_by_unit(para)
    assert len(found) == 100
    for unit in para.units[:30]:
        assert found.get((unit.start, unit.end), []) == dates_in(para, unit.start, unit.end)
    assert [d.date for d in found[(para.units[0].start, para.units[0].end)]] == ["2025-03-25"]


def test_an_exact_copy_is_a_report_with_its_own_date_and_outlet(tmp_path, fake_embedder):
    """The same paragraph in two files (`also_in`): one story, two copies, each cited with its own file's date."""
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    text = "The Lindau ferry will stop running for 11 days from Monday, the harbour office said."
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "first.txt").write_text(f"Ferry Service Paused\n\nPublished June 2, 2025\n\n{text}\n\n© 2025 Lake Echo\n")
    (folder / "second.txt").write_text(f"Lindau Ferry to Stop\n\nPublished June 3, 2025\n\n{text}\n")
    settings = Settings(data_dir=folder, index_dir=tmp_path / "index", embed_model="fake-bow-64", embed_runtime="torch",
                        scorer="lexical", min_confidence=0.0, min_tentative=0.0)
    answer = Pipeline(settings, embedder=fake_embedder, scorer=KeywordScorer("11 days")).ask(
        "For how many days will the Lindau ferry stop running?")
    c = answer.corroboration
    assert (c.outlets, c.copies) == (1, 2) and c.sources[0].label == "Lake Echo"
    dated = {r.citation.file: (r.citation.published, r.citation.event_date) for r in c.sources[0].reports}
    # each copy is read on its own publication day: "will … from Monday" is that Monday in Monday's paper, the next
    # one in Tuesday's (what the words say there; a copy run a day late really does shift its relative dates)
    assert dated == {"first.txt": ("2025-06-02", "2025-06-02"), "second.txt": ("2025-06-03", "2025-06-09")}
