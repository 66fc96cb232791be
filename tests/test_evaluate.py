import json
from pathlib import Path

import pytest

from ingest.paragraphs import read_article, split_paragraphs
from qa.eval import evaluate
from qa.answer import Answer, Citation, Retrieved
from tests.conftest import ARTICLES, SHIPPED

RAG_SAMPLE = Path(__file__).parent / "data" / "labelled_rag_sample.json"


def _answer(file, paragraph, text, confidence=0.0, **kw):
    c = Citation(file=file, paragraph=paragraph, text=text, quote=text)
    return Answer(text=f"{text} [1]", citations=[c], answered=True, confidence=confidence,
                  retrieved=[Retrieved(file, paragraph, 1.0, 1.0, 1.0)], **kw)


def _refusal(confidence=0.0, closest=None, signals=None):
    return Answer(text="The articles do not seem to answer this.", citations=[], answered=False,
                  confidence=confidence, closest=closest or [], signals=signals or {})


class FakePipeline:
    """What qa.eval.evaluate uses of a pipeline: load, ask, articles, article; answers are canned."""

    def __init__(self, answers: dict, articles: dict | None = None, paragraphs: dict | None = None):
        self.answers, self.asked = answers, []
        self._articles = articles if articles is not None else {"a.txt": {"paragraphs": 3}}
        self._paragraphs = paragraphs or {}

    def load(self):
        return self

    def ask(self, question, history=None):
        self.asked.append((question, list(history or [])))
        return self.answers[question]

    def articles(self):
        return self._articles

    def article(self, file):
        return self._paragraphs[file]


def _write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


# -- scoring ----------------------------------------------------------------------------
def test_a_wrong_gold_source_is_a_miss():
    case = evaluate.Case("q", "Where?", answers=["Riyadh"], sources=[("a.txt", 2)])
    right = evaluate.score(case, _answer("a.txt", 2, "They met in Riyadh."), 10)
    wrong = evaluate.score(case, _answer("a.txt", 3, "They met in Riyadh."), 10)
    assert right["hit"] and right["first_citation_correct"] and right["hit@k"][0]
    assert not wrong["hit"] and not wrong["first_citation_correct"] and wrong["mrr"] == 0.0
    assert wrong["answer_contains"]  # right words from the wrong paragraph still miss the citation


def test_refusals_are_scored_both_ways():
    unanswerable = evaluate.Case("u", "What did China say?", unanswerable=True)
    refused = Answer(text="The articles do not say.", citations=[], answered=False)
    assert evaluate.score(unanswerable, refused, 5)["hit"]
    m = evaluate.metrics([evaluate.score(unanswerable, refused, 5)])
    assert m["refusal_accuracy"] == 1.0 and m["false_refusal_rate"] is None
    assert m["answered_unanswerable_rate"] == 0.0 and m["right_answer_rate"] is None


def test_answers_all_requires_every_item():
    case = evaluate.Case("l", "Who led?", answers=["Lavrov", "Ushakov"], sources=[("a.txt", 1)], answers_all=True)
    one = evaluate.score(case, _answer("a.txt", 1, "Lavrov led it."), 1)
    both = evaluate.score(case, _answer("a.txt", 1, "Lavrov and Ushakov led it."), 1)
    assert (one["answer_contains"], one["right"]) == (False, False)
    assert (both["answer_contains"], both["right"]) == (True, True)


def test_contains_gold_matches_whole_words_only():
    assert evaluate.contains_gold("Tass reported it [1].", ["TASS"])
    assert not evaluate.contains_gold("A tassel hung there.", ["Tass"])
    assert not evaluate.contains_gold("They won 15 games.", ["1"])
    assert evaluate.contains_gold("It was the third-most watched broadcast.", ["third"])
    assert evaluate.contains_gold("Despite Manning's problems [1]", ["Manning"])
    assert evaluate.contains_gold("It cost $1.2 billion.", ["$1.2 billion"])


def test_right_wrong_and_refused_rates():
    case = lambda i: evaluate.Case(f"q{i}", "Where?", answers=["Riyadh"])  # noqa: E731
    rows = [evaluate.score(case(1), _answer("a.txt", 1, "In Riyadh."), 1),
            evaluate.score(case(2), _answer("a.txt", 1, "In Tehran."), 1),
            evaluate.score(case(3), _answer("a.txt", 1, "In Moscow."), 1),
            evaluate.score(case(4), _refusal(), 1),
            evaluate.score(evaluate.Case("u", "Why?", unanswerable=True), _answer("a.txt", 1, "Because."), 1)]
    m = evaluate.metrics(rows)
    assert (m["right_answer_rate"], m["wrong_answer_rate"], m["refused_rate"]) == (0.25, 0.5, 0.25)
    assert m["answered_unanswerable_rate"] == 1.0 and m["refusal_accuracy"] == 0.0


def test_a_refusal_is_labelled_by_its_candidate():
    case = evaluate.Case("q", "Where?", answers=["Riyadh"])
    near = Citation(file="a.txt", paragraph=2, text="They met in Riyadh.", quote="They met in Riyadh.")
    with_candidate = evaluate.score(case, _refusal(0.3, [near], {"support": 0.2}), 1)
    without = evaluate.score(case, _refusal(0.0), 1)
    assert (with_candidate["candidate"], with_candidate["right"], with_candidate["answered"]) == (True, True, False)
    assert (without["candidate"], without["right"]) == (False, False)
    assert evaluate.metrics([with_candidate, without])["right_answer_rate"] == 0.0  # refused: not an answer


# -- confidence metrics on hand-computed examples -----------------------------------------
def test_auroc_counts_ordered_pairs():
    # right: 0.9, 0.4; wrong: 0.6, 0.2. Pairs right > wrong: (0.9,0.6) (0.9,0.2) (0.4,0.2); not (0.4,0.6): 3/4
    assert evaluate.auroc([0.9, 0.4, 0.6, 0.2], [True, True, False, False]) == 0.75
    assert evaluate.auroc([0.9, 0.4], [True, True]) is None


def test_expected_calibration_error_by_equal_width_bins():
    # bins: [0.9,1] {0.9 right, 1.0 right}: |1 - 0.95| = 0.05 (2 rows); [0.4,0.5) {0.45 right}: 0.55;
    # [0.6,0.7) {0.6 wrong}: 0.6. ECE = (2*0.05 + 0.55 + 0.6) / 4 = 0.3125
    ece = evaluate.expected_calibration_error([0.9, 1.0, 0.45, 0.6], [True, True, True, False])
    assert ece == pytest.approx(0.3125)
    assert evaluate.reliability([0.9, 1.0, 0.45, 0.6], [True, True, True, False]) == [
        (0.45, 1.0, 1), (0.6, 0.0, 1), (0.95, 1.0, 2)]
    assert evaluate.expected_calibration_error([], []) is None


def test_risk_coverage_moves_the_threshold_down():
    curve = evaluate.risk_coverage([0.9, 0.4, 0.6, 0.2], [True, True, False, False])
    assert curve == [(0.9, 0.25, 0.0), (0.6, 0.5, 0.5), (0.4, 0.75, 1 / 3), (0.2, 1.0, 0.5)]


def test_metrics_use_answered_and_refusals_with_a_candidate():
    case = evaluate.Case("q", "Where?", answers=["Riyadh"])
    near = Citation(file="a.txt", paragraph=2, text="In Tehran.", quote="In Tehran.")
    rows = [evaluate.score(case, _answer("a.txt", 1, "In Riyadh.", 0.9), 1),
            evaluate.score(case, _answer("a.txt", 1, "In Moscow.", 0.6), 1),
            evaluate.score(case, _refusal(0.2, [near], {"support": 0.1}), 1),
            evaluate.score(case, _refusal(0.95), 1)]  # no candidate: not scored for confidence
    m = evaluate.metrics(rows)
    assert m["confidence_auroc"] == 1.0
    # bins: {0.9 right} 0.1, {0.6 wrong} 0.6, {0.2 wrong} 0.2 -> 0.9 / 3
    assert m["expected_calibration_error"] == 0.3


def test_generated_sentence_shares():
    case = evaluate.Case("q", "Where?", answers=["Riyadh"])
    rows = [evaluate.score(case, _answer("a.txt", 1, "In Riyadh.", checked={"kept": 2, "recited": 1, "removed": 1}), 1),
            evaluate.score(case, _answer("a.txt", 1, "In Riyadh.", checked={"kept": 3, "removed": 1}), 1)]
    m = evaluate.metrics(rows)
    assert (m["generated_sentences"], m["generated_kept"], m["generated_recited"], m["generated_removed"]) == (
        8, 0.625, 0.125, 0.25)
    assert evaluate.metrics(rows[:0])["generated_kept"] is None


# -- strict line checks ------------------------------------------------------------------------
ARTICLES_INDEXED = {"a.txt": {"paragraphs": 3}, "b.txt": {"paragraphs": 1}}
GOOD = {"id": "ok", "question": "Who?", "answers": ["x"], "sources": [{"file": "a.txt", "paragraph": 2}]}


@pytest.mark.parametrize("line, message", [
    ('{"id": "bad"', "not valid JSON (Expecting ',' delimiter at column 13)"),
    ('["Who?"]', "a line must be a JSON object {...}"),
    ({"question": ""}, '"question" must be a non-empty string, not ""'),
    ({**GOOD, "sources": [{"file": "c.txt", "paragraph": 1}]},
     "source 1: c.txt is not an article in the index (it holds a.txt, b.txt)"),
    ({**GOOD, "sources": [{"file": "a.txt", "paragraph": 4}]},
     "source 1: a.txt has 3 paragraphs, so there is no paragraph 4"),
    ({**GOOD, "sources": [{"file": "a.txt", "paragraph": 2.9}]},
     'source 1: "paragraph" must be a whole number from 1 (paragraphs are counted 1, 2, 3… in the file), not 2.9'),
    ({**GOOD, "sources": [{"file": "a.txt", "paragraph": "2"}]},
     'source 1: "paragraph" must be a whole number from 1 (paragraphs are counted 1, 2, 3… in the file), not "2"'),
    ({**GOOD, "sources": [{"file": "a.txt"}]},
     'source 1 must be {"file": "NAME.txt", "paragraph": NUMBER}, not {"file": "a.txt"}'),
    ({"question": "Why?", "unanswerable": "false"},
     '"unanswerable" must be true or false (a JSON boolean, no quotes), not "false"'),
    ({**GOOD, "answers": "x"}, '"answers" must be a list of non-empty strings, e.g. ["4.5 hours"], not "x"'),
    ({**GOOD, "answers": [4.5]}, '"answers" must be a list of non-empty strings, e.g. ["4.5 hours"], not [4.5]'),
    ({**GOOD, "history": "earlier: Who met?"},
     '"history" must be a list of messages {"role": "user" | "assistant", "content": "..."}, not "earlier: Who met?"'),
    ({**GOOD, "history": [{"role": "bot", "content": "hi"}]},
     '"history" must be a list of messages {"role": "user" | "assistant", "content": "..."}, '
     'not [{"role": "bot", "content": "hi"}]'),
    ({**GOOD, "split": "test"}, '"split" must be "dev" or "heldout", not "test"'),
    ({**GOOD, "answer": ["x"]}, 'unknown field "answer" in a question (known: id, question, history, answers, '
                                'answers_all, sources, unanswerable, type, split)'),
    ({"question": "Why?", "unanswerable": True, "answers": ["y"]},
     'an "unanswerable" question cannot have "answers" or "sources"'),
    ({"question": "Why?"}, 'give "answers" or "sources" to score the answer against, or mark the question '
                           '"unanswerable": true'),
    (GOOD, 'duplicate id "ok" (first used on line 1); give each entry its own id'),
])
def test_each_malformed_line_is_rejected_with_what_to_fix(tmp_path, line, message):
    if isinstance(line, dict) and line is not GOOD:
        line = {**line, "id": "bad"}
    f = _write(tmp_path / "q.jsonl", [GOOD, line, {**GOOD, "id": "fine"}])
    cases, errors = evaluate.load_questions(f, ARTICLES_INDEXED)
    assert errors == [f"{f}:2: {message}"]
    assert [c.id for c in cases] == ["ok", "fine"]  # the rest still runs


def test_without_an_index_sources_are_checked_for_type_only(tmp_path):
    f = _write(tmp_path / "q.jsonl", [{**GOOD, "sources": [{"file": "z.txt", "paragraph": 9}]}])
    cases, errors = evaluate.load_questions(f)
    assert errors == [] and cases[0].sources == [("z.txt", 9)]


def test_conversation_lines_are_checked_turn_by_turn(tmp_path):
    turn = {"question": "Who?", "answers": ["x"], "sources": [{"file": "a.txt", "paragraph": 1}]}
    f = _write(tmp_path / "c.jsonl", [
        {"id": "c1", "turns": [turn, {"question": "How old is he?", "unanswerable": True}]},
        {"id": "c2", "turns": [turn, {"question": "And?", "unanswerable": "yes"}]},
        {"id": "c3", "turns": []},
        {"id": "c4", "turns": [{**turn, "history": []}]},
        GOOD,
    ])
    loaded = evaluate.load_file(f, ARTICLES_INDEXED)
    assert [c.id for c in loaded.conversations] == ["c1"]
    assert [t.id for t in loaded.conversations[0].turns] == ["c1#1", "c1#2"]
    assert loaded.errors == [
        f'{f}:2: turn 2: "unanswerable" must be true or false (a JSON boolean, no quotes), not "yes"',
        f'{f}:3: "turns" must be a non-empty list of questions, not []',
        f'{f}:4: turn 1: unknown field "history" in a turn (known: question, answers, answers_all, sources, '
        'unanswerable, type, about)',
        f'{f}:5: this file holds conversations (lines with "turns"), as its first entry does; '
        'put the other kind in its own file',
    ]


def test_the_shipped_question_files_are_valid():
    root = ARTICLES.parent
    articles = {p.name: {"paragraphs": len(split_paragraphs(read_article(p)))} for p in (ARTICLES / n for n in SHIPPED)}
    questions = evaluate.load_file(root / "questions.jsonl", articles)
    conversations = evaluate.load_file(root / "conversations.jsonl", articles)
    assert (len(questions.cases), questions.errors) == (90, [])
    assert (len(conversations.conversations), conversations.errors) == (12, [])


# -- the command: exit codes, bounds, splits --------------------------------------------------
def _run(tmp_path, rows, answers, *args):
    f = _write(tmp_path / "q.jsonl", rows)
    pipeline = FakePipeline(answers)
    out = tmp_path / "out.json"
    code = evaluate.main([str(f), "--quiet", "--json", str(out), *args], make_pipeline=lambda settings: pipeline)
    return code, json.loads(out.read_text()), pipeline


ROWS = [{"id": "r", "question": "Where?", "answers": ["Riyadh"], "sources": [{"file": "a.txt", "paragraph": 1}]},
        {"id": "w", "question": "When?", "answers": ["Tuesday"], "sources": [{"file": "a.txt", "paragraph": 2}],
         "split": "heldout"},
        {"id": "u", "question": "How old is he?", "unanswerable": True}]
ANSWERS = {"Where?": _answer("a.txt", 1, "They met in Riyadh.", 0.8),
           "When?": _answer("a.txt", 2, "They met on Monday.", 0.7),
           "How old is he?": _refusal(0.1)}


def test_max_fails_the_run_when_a_lower_is_better_metric_is_above(tmp_path):
    assert _run(tmp_path, ROWS, ANSWERS, "--max", "wrong_answer_rate=0.5")[0] == 0
    code, out, _ = _run(tmp_path, ROWS, ANSWERS, "--max", "wrong_answer_rate=0.49")
    assert code == 1 and out["metrics"]["overall"]["wrong_answer_rate"] == 0.5


def test_min_fails_the_run_on_the_new_metrics(tmp_path):
    assert _run(tmp_path, ROWS, ANSWERS, "--min", "right_answer_rate=0.5", "--min", "refusal_accuracy=1")[0] == 0
    assert _run(tmp_path, ROWS, ANSWERS, "--min", "right_answer_rate=0.51")[0] == 1
    assert _run(tmp_path, ROWS, ANSWERS, "--min", "confidence_auroc=1.0")[0] == 0  # right 0.8 > wrong 0.7
    overconfident = {**ANSWERS, "When?": _answer("a.txt", 2, "They met on Monday.", 0.9)}
    code, out, _ = _run(tmp_path, ROWS, overconfident, "--min", "confidence_auroc=0.5")
    assert code == 1 and out["metrics"]["overall"]["confidence_auroc"] == 0.0


def test_max_on_calibration_error(tmp_path):
    # bins: {0.8 right}: 0.2, {0.7 wrong}: 0.7 -> 0.45; the refusal had no candidate
    assert _run(tmp_path, ROWS, ANSWERS, "--max", "expected_calibration_error=0.45")[0] == 0
    assert _run(tmp_path, ROWS, ANSWERS, "--max", "expected_calibration_error=0.44")[0] == 1


def test_a_bound_on_an_unmeasured_metric_fails_and_an_unknown_name_is_an_error(tmp_path, capsys):
    assert _run(tmp_path, ROWS, ANSWERS, "--min", "generated_kept=0.5")[0] == 1
    assert "generated_kept was not measured (no questions it applies to), bound 0.5" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        _run(tmp_path, ROWS, ANSWERS, "--max", "wrong_rate=0.1")
    assert e.value.code == 2
    assert "--max 'wrong_rate=0.1': no metric 'wrong_rate'" in capsys.readouterr().err


def test_a_malformed_line_makes_the_exit_code_non_zero_and_the_rest_runs(tmp_path, capsys):
    rows = [*ROWS, {"id": "x", "question": "Who?", "answers": ["y"], "sources": [{"file": "gone.txt", "paragraph": 1}]}]
    code, out, pipeline = _run(tmp_path, rows, ANSWERS)
    assert code == 1 and out["metrics"]["overall"]["questions"] == 3
    assert out["errors"] == [f"{tmp_path / 'q.jsonl'}:4: source 1: gone.txt is not an article in the index (it holds a.txt)"]
    assert "skipped " + out["errors"][0] in capsys.readouterr().err


def test_split_keeps_the_lines_of_one_split(tmp_path):
    _, out, pipeline = _run(tmp_path, ROWS, ANSWERS, "--split", "heldout")
    assert [q for q, _ in pipeline.asked] == ["When?"]
    _, out, pipeline = _run(tmp_path, ROWS, ANSWERS, "--split", "dev")  # no "split": dev
    assert [q for q, _ in pipeline.asked] == ["Where?", "How old is he?"]


# -- conversations ------------------------------------------------------------------------------
def test_each_turn_is_asked_with_the_systems_own_earlier_answers(tmp_path):
    conversation = {"id": "c", "turns": [
        {"question": "Who met in Riyadh?", "answers": ["Lavrov"], "sources": [{"file": "a.txt", "paragraph": 1}]},
        {"question": "How long did they talk?", "answers": ["4.5 hours"], "sources": [{"file": "a.txt", "paragraph": 2}]},
        {"question": "Who else came?", "answers": ["Ushakov"], "sources": [{"file": "a.txt", "paragraph": 3}]},
        {"question": "How old is he?", "unanswerable": True, "about": "Yuri Ushakov"},
        {"question": "And Rubio?", "answers": ["Rubio"], "sources": [{"file": "a.txt", "paragraph": 1}],
         "about": "Marco Rubio"}]}
    answers = {"Who met in Riyadh?": _answer("a.txt", 1, "Lavrov met Rubio.", 0.9),
               "How long did they talk?": _answer("a.txt", 3, "They talked for 4.5 hours.", 0.8),  # wrong paragraph
               "Who else came?": _refusal(0.2),
               "How old is he?": _answer("a.txt", 2, "He is 50.", 0.4, query="How old is Yuri Ushakov’s brother?"),
               "And Rubio?": _answer("a.txt", 1, "Lavrov met Rubio.", 0.9, query="Who met Lavrov in Riyadh?")}
    code, out, pipeline = _run(tmp_path, [conversation], answers)
    first = {"role": "user", "content": "Who met in Riyadh?"}
    assert pipeline.asked[2] == ("Who else came?", [
        first, {"role": "assistant", "content": "Lavrov met Rubio. [1]"},
        {"role": "user", "content": "How long did they talk?"},
        {"role": "assistant", "content": "They talked for 4.5 hours. [1]"}])
    assert pipeline.asked[4][1][5] == {"role": "assistant", "content": "The articles do not seem to answer this."}
    m = out["metrics"]
    assert [r["right"] for r in out["rows"]] == [True, False, False, False, True]  # turn 2 misses the gold paragraph
    assert [r["turn_group"] for r in out["rows"]] == ["turn 1", "turn 2", "turn 3", "turn 4+", "turn 4+"]
    assert (m["turn 1"]["right_answer_rate"], m["turn 2"]["right_answer_rate"], m["turn 3"]["refused_rate"]) == (1.0, 0.0, 1.0)
    assert (m["overall"]["right_answer_rate"], m["overall"]["unanswerable_refused"]) == (0.5, 0.0)
    # of the follow-ups labelled with their person, the first query names Ushakov, the second not Rubio
    assert [r.get("names_person") for r in out["rows"]] == [None, None, None, True, False]
    assert m["overall"]["follow_up_names_person"] == 0.5 and m["turn 1"]["follow_up_names_person"] is None
    assert code == 0


def test_about_must_name_a_person(tmp_path):
    f = _write(tmp_path / "c.jsonl", [{"id": "c", "turns": [
        {"question": "Who met?", "answers": ["Lavrov"]}, {"question": "How old is he?", "unanswerable": True,
                                                          "about": ""}]}])
    assert evaluate.load_file(f).errors == [
        f'{f}:1: turn 2: "about" must be the name of the person the question is about, not ""']


# -- SQuAD folds --------------------------------------------------------------------------------
def _squad(path, paragraphs):
    data = {"data": [{"title": "Super Bowl 50", "paragraphs": [
        {"context": f"Paragraph {i}  text.", "qas": [{"id": f"q{i}", "question": f"What is {i}?",
                                                      "answers": [{"text": str(i)}]}]}
        for i in range(paragraphs)]}]}
    path.write_text(json.dumps(data))
    return path


def test_remove_gold_folds_exclude_exactly_the_folds_paragraphs(tmp_path):
    folds = evaluate.remove_gold_folds(_squad(tmp_path / "s.json", 12), tmp_path / "work")
    assert len(folds) == 5
    for f, (data_dir, cases) in enumerate(folds):
        removed = [i for i in range(12) if i % 5 == f]
        text = (data_dir / "Super_Bowl_50.txt").read_text()
        assert text == "\n\n".join(f"Paragraph {i} text." for i in range(12) if i % 5 != f) + "\n"
        assert [c.id for c in cases] == [f"q{i}" for i in removed]
        assert all(c.sources == [] and c.type == "gold removed" and c.answers == [str(int(c.id[1:]))] for c in cases)
    assert sorted(c.id for _, cases in folds for c in cases) == sorted(f"q{i}" for i in range(12))


def test_remove_gold_both_reports_the_groups_side_by_side(tmp_path):
    squad = _squad(tmp_path / "s.json", 5)
    built = []

    class Folded(FakePipeline):
        def ask(self, question, history=None):
            n = question.split()[-1].rstrip("?")
            text = (Path(self.settings.data_dir) / "Super_Bowl_50.txt").read_text()
            if f"Paragraph {n} " in text:  # its paragraph is in this index
                return _answer("Super_Bowl_50.txt", int(n) + 1, f"Paragraph {n} text.", 0.9)
            return _answer("Super_Bowl_50.txt", 1, "Paragraph 0 text.", 0.6) if n != "0" else _refusal(0.1)

    def make(settings):
        p = Folded({})
        p.settings = settings
        built.append(settings.data_dir)
        return p

    out = tmp_path / "out.json"
    code = evaluate.main(["--squad", str(squad), "--remove-gold", "both", "--quiet", "--json", str(out),
                          "--max", "wrong_answer_rate=0.5"], make_pipeline=make)
    metrics = json.loads(out.read_text())["metrics"]
    assert list(metrics) == ["overall", "whole article", "gold removed"]
    assert len(built) == 6 and len(set(built)) == 6
    assert (metrics["whole article"]["right_answer_rate"], metrics["whole article"]["wrong_answer_rate"]) == (1.0, 0.0)
    # gold removed: q0 refused, q1..q4 answered from paragraph 0 without their number: wrong
    assert (metrics["gold removed"]["wrong_answer_rate"], metrics["gold removed"]["refused_rate"]) == (0.8, 0.2)
    assert metrics["overall"]["wrong_answer_rate"] == 0.4 and code == 0


# -- LabelledRagDataset -------------------------------------------------------------------------
class _Para:
    def __init__(self, number, text):
        self.number, self.text = number, text


def _shipped_paragraphs():
    return {p.name: [_Para(n, para.text) for n, para in enumerate(split_paragraphs(read_article(p)), 1)]
            for p in (ARTICLES / n for n in SHIPPED)}


def test_overlap_is_containment_or_f1():
    assert evaluate.overlap("the talks lasted 4.5 hours", "Officials said the talks lasted 4.5 hours in Riyadh.") == 1.0
    assert evaluate.overlap("talks lasted hours", "no overlap here") == 0.0


def test_the_labelled_rag_sample_parses_and_scores(tmp_path):
    examples, errors = evaluate.load_rag_dataset(RAG_SAMPLE)
    assert errors == [] and len(examples) == 6
    paragraphs = _shipped_paragraphs()
    # "How long…" : the gold context is 002 ¶2; rank it second. Others: retrieve one unrelated paragraph.
    answers = {ex.query: _answer("000_b224bf4a9240cdc8.txt", 1, "Nothing to see.", 0.1) for ex in examples}
    gold = _answer("002_7591b3745de009c9.txt", 2, "The bilateral talks, which lasted about 4.5 hours, were described "
                   "as productive by Russian officials, though significant challenges remain, particularly regarding "
                   "the ongoing war in Ukraine.", 0.9)
    answers[examples[0].query] = Answer(text=gold.text, citations=gold.citations, answered=True, confidence=0.9,
                                        retrieved=[Retrieved("000_b224bf4a9240cdc8.txt", 1, 1, 1, 1),
                                                   Retrieved("002_7591b3745de009c9.txt", 2, 0.9, 0.9, 0.9)])
    pipeline = FakePipeline(answers, paragraphs=paragraphs)
    result, rows = evaluate.evaluate_rag(examples, pipeline, progress=False)
    assert [r["rank_of_gold"] for r in rows] == [2, None, None, None, None, None]
    assert result["overall"]["hit@1"] == 0.0 and result["overall"]["hit@5"] == pytest.approx(1 / 6, abs=1e-4)
    assert result["overall"]["mrr"] == pytest.approx(0.5 / 6, abs=1e-4)
    assert rows[0]["f1"] == pytest.approx(evaluate.f1(gold.text.removesuffix(" [1]"), examples[0].reference_answer))


def test_a_labelled_rag_file_is_detected_by_its_examples(tmp_path):
    f = tmp_path / "rag.json"
    f.write_text(json.dumps({"examples": [
        {"query": "Where?", "reference_answer": "In Riyadh.", "reference_contexts": ["They met in Riyadh."]},
        {"query": "", "reference_answer": "x", "reference_contexts": []}]}))
    pipeline = FakePipeline({"Where?": _answer("a.txt", 1, "They met in Riyadh.", 0.9)},
                            paragraphs={"a.txt": [_Para(1, "They met in Riyadh.")]})
    out = tmp_path / "out.json"
    code = evaluate.main([str(f), "--quiet", "--json", str(out)], make_pipeline=lambda s: pipeline)
    data = json.loads(out.read_text())
    assert data["errors"] == [f'{f}: examples[1]: "query" must be a non-empty string, not ""']
    assert (data["metrics"]["overall"]["hit@1"], data["metrics"]["overall"]["answer_contains"]) == (1.0, 1.0)
    assert code == 1


# -- plots ---------------------------------------------------------------------------------------
def test_plot_writes_reliability_and_risk_coverage(tmp_path):
    code, out, _ = _run(tmp_path, ROWS, ANSWERS, "--plot", str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


# -- the real pipeline ---------------------------------------------------------------------------
@pytest.mark.slow
def test_min_floor_fails_the_run(tmp_path, real_pipeline):
    f = tmp_path / "q.jsonl"
    row = {"id": "x", "question": "How long did the talks between Lavrov and Rubio last?",
           "answers": ["4.5 hours"], "sources": [{"file": "002_7591b3745de009c9.txt", "paragraph": 7}]}
    f.write_text(json.dumps(row) + "\n")
    args = [str(f), "--index", str(real_pipeline.store.dir), "--data", str(real_pipeline.settings.data_dir),
            "--quiet", "--json", str(tmp_path / "out.json")]
    assert evaluate.main(args + ["--min", "answer_contains=1.0"]) == 0
    assert evaluate.main(args + ["--min", "hit@1=0.5"]) == 1  # the gold paragraph given is wrong: a miss
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["metrics"]["overall"]["hit@1"] == 0.0


@pytest.mark.slow
def test_compare_and_plot_write_both_pipelines(tmp_path, real_pipeline):
    f = tmp_path / "q.jsonl"
    rows = [{"id": "a", "question": "Who co-led the Kremlin's negotiating team?", "answers": ["Grigory Karasin"],
             "sources": [{"file": "003_829c71e3b12d7115.txt", "paragraph": 9}]},
            {"id": "u", "question": "What did China say about the Riyadh talks?", "unanswerable": True}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.json"
    code = evaluate.main([str(f), "--index", str(real_pipeline.store.dir), "--data", str(real_pipeline.settings.data_dir),
                          "--quiet", "--compare", "--json", str(out), "--plot", str(tmp_path / "p.png"),
                          "--report", str(tmp_path / "r.md")])
    assert code == 0
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["overall"]["hit@1"] == 1.0 and metrics["overall"]["refusal_accuracy"] == 1.0
    assert metrics["baseline"]["refusal_accuracy"] == 0.0  # the plain pipeline never refuses
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert "# Evaluation report" in (tmp_path / "r.md").read_text()


@pytest.mark.slow
def test_conversations_end_to_end(tmp_path, real_pipeline):
    rows = [json.loads(line) for line in (ARTICLES.parent / "conversations.jsonl").read_text().splitlines()[:2]]
    out = tmp_path / "out.json"
    f = _write(tmp_path / "c.jsonl", rows)
    evaluate.main([str(f), "--index", str(real_pipeline.store.dir), "--data", str(real_pipeline.settings.data_dir),
                   "--quiet", "--json", str(out)])
    data = json.loads(out.read_text())
    assert data["errors"] == [] and len(data["rows"]) == sum(len(r["turns"]) for r in rows)
    assert set(data["metrics"]) == {"overall", *evaluate.TURN_GROUPS}
    assert all(0.0 <= r["confidence"] <= 1.0 for r in data["rows"])
