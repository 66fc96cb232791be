"""The stages of answering (`qa.stages`): typed interfaces, injected into the pipeline, no import loops,
and `reading` on the ground floor (issue 24)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _module_imports(path: Path) -> set[str]:
    """Modules imported when `path` is imported: module-level imports, outside `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                named = {f"{sub.module}.{a.name}" for a in sub.names}
                out |= named if "." not in sub.module else named | {sub.module}  # "from qa import x": qa.x
            elif isinstance(sub, ast.Import):
                out |= {a.name for a in sub.names}
    return out


def _graph(package: str) -> dict[str, set[str]]:
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / package).rglob("*.py")}
    return {m: {i for i in _module_imports(p) if i in files and i != m} for m, p in files.items()}


def test_no_module_of_qa_imports_itself_back():
    graph = _graph("qa")
    for start in graph:
        seen, stack = set(), [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                assert nxt != start, " -> ".join(path + [nxt])
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))


def test_reading_imports_nothing_from_ingest_qa_or_ui():
    for path in (ROOT / "reading").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("from ingest", "import ingest", "from qa", "import qa", "from ui",
                                            "import ui")), f"{path.name}: {stripped}"


def test_the_default_stages_have_the_stage_interfaces(fake_settings, fake_embedder):
    from ingest import ingest
    from qa.pipeline import Pipeline
    from qa.stages import Answerer, Condenser, Retriever, Scorer

    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False)
    assert isinstance(pipeline.condenser, Condenser) and isinstance(pipeline.answerer, Answerer)
    assert isinstance(pipeline.scorer, Scorer) and isinstance(pipeline.load(), Retriever)


def test_a_pipeline_takes_any_retriever_and_condenser(fake_settings, fake_embedder):
    from ingest import ingest
    from qa.condense import Standalone
    from qa.pipeline import Pipeline

    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    inner = Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False).load()
    asked: list[str] = []

    class Recording:  # a retriever that records what it was asked, and asks the real one
        corpus = inner.corpus

        def retrieve(self, query: str, *, k: int):
            asked.append(query)
            return inner.retrieve(query, k=k)

    class Fixed:  # a condenser that always searches the same question
        def condense(self, question, history, *, corpus=None):
            return Standalone("How long did the talks last?", weights={"talk": 1.0, "last": 1.0})

    pipeline = Pipeline(fake_settings.replace(index_dir=fake_settings.index_dir / "never-built"),
                        embedder=fake_embedder, retriever=Recording(), condenser=Fixed(), build_if_missing=False)
    answer = pipeline.ask("Anything at all?")
    assert asked == ["How long did the talks last?"] and answer.query == "How long did the talks last?"
    assert not (fake_settings.index_dir / "never-built").exists()  # a given retriever: no index is built


@pytest.mark.parametrize("field", ["analysis"])
def test_evidence_holds_its_analysis_and_computes_nothing(field):
    import dataclasses

    from qa.answer import Evidence

    assert {f.name for f in dataclasses.fields(Evidence)} >= {field}
    assert not [name for name, value in vars(Evidence).items() if isinstance(value, property)]


def test_answer_and_condense_no_longer_import_each_other():
    """The one loop there was (qa.answer's Answerer protocol named condense's Standalone; condense makes
    an Answer): answer imports nothing from condense, even for type checking."""
    source = (ROOT / "qa" / "answer.py").read_text(encoding="utf-8")
    assert "qa.condense" not in source and "class Answerer" not in source


def test_no_word_list_outside_reading():
    """Lists of words (a frozenset or tuple of six or more, or a string of six or more words split) live in
    reading.lexicon; answering and the page import them (issue 24: pronouns and titles were in five modules)."""
    not_words = {"qa/confidence.py FEATURES",  # the confidence model's input names
                 "qa/compose.py _LOOKED_FOR",  # the refusal's wording per answer kind, not a list to match text with
                 "qa/corroborate.py NAMES"}  # the stored mention kinds each answer type reads
    found = []
    for package in ("qa", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            if "eval" in path.parts:
                continue  # evaluation scripts hold their own labels and options
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if not isinstance(node, ast.Assign):
                    continue
                words = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
                split = any(isinstance(c, ast.Attribute) and c.attr == "split" for c in ast.walk(node.value))
                count = sum(len(w.split()) for w in words) if split else len(words)
                if count >= 6 and all(w.replace(" ", "").replace(".", "").replace("-", "").isalpha() for w in words):
                    name = f"{path.relative_to(ROOT)} {ast.unparse(node.targets[0])}"
                    if name not in not_words:
                        found.append(f"{name} (line {node.lineno})")
    assert not found, found
