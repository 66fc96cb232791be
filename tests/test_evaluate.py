import json

from qa import evaluate
from qa.answer import Answer, Citation, Retrieved


def _answer(file, paragraph, text):
    c = Citation(file=file, paragraph=paragraph, text=text, quote=text)
    return Answer(text=f"{text} [1]", citations=[c], answered=True,
                  retrieved=[Retrieved(file, paragraph, 1.0, 1.0, 1.0)])


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


def test_malformed_lines_are_reported_and_the_rest_runs(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "ok", "question": "Who?", "answers": ["x"]}\n{"id": "bad"\n'
                 '{"question": ""}\n{"question": "Why?", "unanswerable": true, "answers": ["y"]}\n')
    cases, errors = evaluate.load_questions(f)
    assert [c.id for c in cases] == ["ok"]
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4"]


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
