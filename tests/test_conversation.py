"""Conversation state and follow-up resolution (qa.conversation, qa.condense): pure functions, no
model; the followup-pronoun case through the real pipeline (slow)."""
import json
import shutil
from pathlib import Path

import pytest

from qa import conversation
from qa.condense import clarification, standalone_query

ROOT = Path(__file__).resolve().parents[1]
MAYOR_ANSWER = ("Mayor Daniel Okoro on Tuesday named Helena Voss as chair of the Marlow Bay Port Authority board. "
                "[1]")


def chat(*turns: str) -> list[dict]:
    roles = ["user", "assistant"] * len(turns)
    return [{"role": r, "content": t} for r, t in zip(roles, turns)]


def test_she_goes_to_the_woman_the_answer_named_not_to_the_man_asked_about():
    history = chat("Who did the mayor name as chair of the port board?", MAYOR_ANSWER)
    assert standalone_query("When will she take office?", history).question == "When will Helena Voss take office?"
    assert standalone_query("When did he take office?", history).question == "When did Daniel Okoro take office?"


def test_the_articles_own_pronouns_give_a_gender():
    paragraphs = {"Okoro": ["Okoro himself took office as mayor in January 2023."],
                  "Voss": ["Voss said she would start in March."]}
    gender_of = conversation.corpus_gender(lambda word: paragraphs.get(word, []))
    assert gender_of("Daniel Okoro") == "m" and gender_of("Voss") == "f" and gender_of("Nobody") is None
    assert conversation.gender_in("Voss, a former executive, said she would serve. Okoro agreed.", "voss") == "f"
    assert conversation.gender_in("Lavrov met Rubio. He said little.", "lavrov") is None  # "He": Rubio's window


def test_the_subject_of_a_question_stays_in_focus_over_people_its_answer_names():
    history = chat("What did Kirill Dmitriev say about Trump ahead of the Riyadh negotiations?",
                   "Kirill Dmitriev praised Trump’s leadership, describing him as a problem solver. [1]")
    assert standalone_query("What did he say about American companies?", history).question == \
        "What did Kirill Dmitriev say about American companies?"


def test_and_x_asks_the_previous_frame_about_x():
    history = chat("What did Dmitriev say about Trump?", "Dmitriev praised Trump’s leadership. [1]")
    assert standalone_query("And Ushakov?", history).question == "What did Ushakov say about Trump?"
    assert standalone_query("What about Ushakov?", history).question == "What did Ushakov say about Trump?"
    assert standalone_query("And about Europe?", history).question == "What did Dmitriev say about Europe?"


def test_only_the_first_pronoun_is_replaced():
    history = chat("What did Zelensky say about peace agreements made without Ukraine?", "... [1]")
    assert standalone_query("Where did he say he would be traveling?", history).question == \
        "Where did Zelensky say he would be traveling?"
    history = chat("Who wrote the article?", "Michelle Larsen is a journalist. [1]")
    assert standalone_query("What is her background?", history).question == "What is Michelle Larsen’s background?"
    assert standalone_query("Who hired her?", history).question == "Who hired Michelle Larsen?"


@pytest.mark.parametrize("question,history,pronoun", [
    ("What did he say next?", [], "he"),
    ("Where did she study?", chat("Who wrote the article on the Russia-US talks?",
                                  "The Kremlin declined to detail the Russia-US negotiations. [1]"), "she"),
    ("Where did she study?", chat("What did Kirill Dmitriev claim?", "Kirill Dmitriev said firms lost money. [1]"),
     "she"),  # only a man in play
])
def test_a_pronoun_with_nobody_compatible_in_play_asks_back(question, history, pronoun):
    s = standalone_query(question, history)
    assert s.clarify == f"Who do you mean by ‘{pronoun}’? Please ask again with the name."
    answer = clarification(s, question)
    assert (answer.answered, answer.tier, answer.citations, answer.closest) == (False, "refused", [], [])
    assert answer.text == s.clarify and answer.answer_type == "clarification" and answer.query == question


def test_a_pronoun_the_question_names_itself_is_not_asked_back():
    s = standalone_query("Did Putin say he would meet Trump?", [])
    assert s.clarify == "" and s.question == "Did Putin say he would meet Trump?"


def test_what_did_he_say_next_continues_only_a_quote_already_given():
    quoted = chat("What did Kremlin spokesman Dmitry Peskov say about the negotiations?",
                  "Peskov said the content will not be made public. [1]")
    s = standalone_query("What did he add?", quoted)
    assert s.continues and s.question == "What did Dmitry Peskov add?"
    nothing = chat("What did Kremlin spokesman Dmitry Peskov say about the negotiations?", "")
    assert not standalone_query("What did he add?", nothing).continues


def test_a_clarified_turn_does_not_become_the_frame():
    history = chat("What did he say next?", "Who do you mean by ‘he’? Please ask again with the name.",
                   "What did Lavrov say about Europe?", "... [1]")
    assert standalone_query("And about Ukraine?", history).question == "What did Lavrov say about Ukraine?"


@pytest.mark.slow
def test_the_followup_pronoun_case(tmp_path):
    """../shared/cases/followup-pronoun: "she" is the chair the mayor named, answered from ¶2."""
    from tests.conftest import shared

    case_dir = shared("cases", "followup-pronoun", "case.json").parent
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    shutil.copytree(case_dir / "articles", tmp_path / "articles")
    pipeline = Pipeline(Settings.from_env(environ={}, data_dir=tmp_path / "articles", index_dir=tmp_path / "index"))
    for q in json.loads((case_dir / "case.json").read_text())["questions"]:
        first = pipeline.ask(q["history_q"])
        answer = pipeline.ask(q["q"], [{"role": "user", "content": q["history_q"]},
                                       {"role": "assistant", "content": first.text}])
        expect = q["expect"]
        assert "Voss" in answer.query and "Okoro" not in answer.query
        assert answer.answered == expect["answered"]
        assert answer.citations[0].paragraph == expect["paragraph"]
        assert expect["quote_contains"] in answer.text and expect["not_contains"] not in answer.text


def test_a_bare_question_word_reads_the_previous_answer():
    history = chat("What did Zelensky say about peace agreements made without Ukraine?",
                   "Ukrainian President Volodymyr Zelensky said Kyiv would not recognize it. [1]",
                   "Who is going to visit him?",
                   "Keith Kellogg, Trump's special envoy to Ukraine, is also set to visit Zelensky in Kyiv. [1]")
    s = standalone_query("When?", history)
    assert s.query == "When? (Keith Kellogg is going to visit Volodymyr Zelensky)"


def test_a_peoples_adjective_is_nobody_and_a_side_replaces_a_country():
    history = chat("What did Kirill Dmitriev say about Trump?", "Dmitriev praised him. [1]",
                   "What did he say about American companies?", "“American companies have lost $300 billion.” [1]")
    assert standalone_query("What else did he say?", history).question == "What else did Kirill Dmitriev say?"
    history = chat("Who represented the US?", "Representing the US side are Marco Rubio and Mike Waltz. [1]")
    assert standalone_query("What about the Russian side?", history).question == "Who represented the Russian side?"


@pytest.mark.slow
def test_through_the_pipeline_a_fresh_he_is_asked_back_and_and_x_reasks_about_x(real_pipeline):
    asked = real_pipeline.ask("What did he say next?")
    assert (asked.answered, asked.tier, asked.answer_type, asked.citations) == (False, "refused", "clarification", [])
    assert asked.text.startswith("Who do you mean by ‘he’?") and not asked.retrieved  # nothing was searched
    first = real_pipeline.ask("What did Kirill Dmitriev say about Trump?")
    history = [{"role": "user", "content": "What did Kirill Dmitriev say about Trump?"},
               {"role": "assistant", "content": first.text}]
    assert real_pipeline.ask("And Ushakov?", history).query == "What did Ushakov say about Trump?"
    he = real_pipeline.ask("What did he say about American companies?", history)
    assert he.query == "What did Kirill Dmitriev say about American companies?" and "$300 billion" in he.text
