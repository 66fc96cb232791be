"""Knowing when the articles do not answer, and never putting words in the wrong mouth."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.compose import cite, standalone, verbatim_pieces
from qa.select import Sentence
from tests.test_paragraphs import A003, A004

LAVROV_15 = "He also said Russia had no intention of making territorial concessions to Ukraine"


@pytest.fixture
def fake_pipeline(fake_settings, fake_embedder):
    from qa.pipeline import Pipeline

    pipeline = Pipeline(fake_settings, embedder=fake_embedder)
    pipeline.load()
    return pipeline


def sentence_at(corpus, file, number, starts_with):
    para = corpus.paragraph(file, number)
    a, b = next((a, b) for a, b in para.sentences if para.text[a:b].startswith(starts_with))
    return Sentence(para.idx, a, b, para.text[a:b], 1.0, 1.0, 1.0, 0)


def test_a_pronoun_that_points_outside_the_quote_gets_its_referent_in_brackets(fake_pipeline):
    corpus = fake_pipeline.load().corpus
    s = sentence_at(corpus, A004, 15, LAVROV_15)
    [shown] = standalone(corpus, [s], max_words=80)
    assert shown.text.startswith("[Lavrov] also said Russia had no intention")
    text, citations, sentences = cite(corpus, [shown])
    assert sentences[0].text == shown.text and citations[0].quote.startswith("He also said")  # the quote stays verbatim
    assert all(piece in citations[0].text for piece in verbatim_pieces(shown))


def test_a_pronoun_is_resolved_by_quoting_the_sentence_before_when_it_names_the_referent(fake_pipeline):
    corpus = fake_pipeline.load().corpus
    s = sentence_at(corpus, A003, 5, "He stated definitively")
    shown = standalone(corpus, [s], max_words=80)
    assert [x.text[:30] for x in shown] == ["Kremlin spokesman Dmitry Pesko", "He stated definitively that “t"]
    assert [x.sentence.para for x in shown] == [s.para, s.para]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("abc Zq.,"), min_size=1, max_size=600), min_size=1, max_size=4),
       st.integers(min_value=5, max_value=120))
def test_an_answer_never_exceeds_the_word_limit_and_stays_verbatim_up_to_a_cut(texts, limit):
    chosen = [Sentence(i, 0, len(t), t, 1.0, 1.0, 1.0, 0) for i, t in enumerate(texts) if t.split()]
    shown = standalone(None, chosen, max_words=limit)
    assert sum(len(x.text.split()) for x in shown) <= limit
    for x in shown:
        for piece in verbatim_pieces(x):
            assert " ".join(piece.split()) in " ".join(x.sentence.text.split())


# 2 MB took 45 s of the fast tier on 2 cores (chunking and entity spotting of one 2 MB sentence); the
# same behaviour on 120 KB stays in the fast tier, the 2 MB run in the slow one (issue 20)
@pytest.mark.parametrize("repeats", [2_000, pytest.param(40_000, marks=pytest.mark.slow)])
def test_a_huge_one_line_article_answers_within_the_word_limit(tmp_path, fake_embedder, repeats):
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    (tmp_path / "a").mkdir()
    words = ("grain corridor talks in Geneva continued without pause and " * repeats).split()
    (tmp_path / "a" / "huge.txt").write_text(" ".join(words) + "\n", encoding="utf-8")  # up to 2 MB, one line
    p = Pipeline(Settings(data_dir=tmp_path / "a", index_dir=tmp_path / "i", embed_model="fake-bow-64",
                          embed_runtime="torch", min_confidence=0.0, scorer="lexical"), embedder=fake_embedder)
    a = p.ask("Where did the grain corridor talks continue?")
    assert a.answered and len(a.text.split()) <= 80 + len(a.citations) + 1  # markers are not words of the answer
    assert "[…]" in a.text and a.citations[0].quote in a.citations[0].text


@pytest.mark.slow
class TestRealModel:
    def test_never_quotes_one_person_as_another(self, real_pipeline):
        a = real_pipeline.ask("What did Zelensky say about the talks?")
        assert (A004, 15) not in [(c.file, c.paragraph) for c in a.citations]
        assert "territorial concessions" not in a.text

    @pytest.mark.xfail(strict=True, reason="the reader ranks two sentences about other meetings above the 12-hour one "
                                            "(issue 23, docs/quality.md)")
    def test_a_month_in_a_header_counts_as_mentioned(self, real_pipeline):
        a = real_pipeline.ask("How long did the March negotiations in Saudi Arabia last?")
        assert a.answered and "12 hours" in a.text and (a.citations[0].file, a.citations[0].paragraph) == (A003, 4)

    def test_the_publication_date_is_quoted_from_the_header(self, real_pipeline):
        a = real_pipeline.ask("When was the article about the Kremlin refusing to reveal negotiation details published?")
        assert a.answered and "March 26, 2025" in a.text and (a.citations[0].file, a.citations[0].paragraph) == (A003, 3)

    def test_a_number_the_articles_do_not_give_is_refused_with_the_closest_passages(self, real_pipeline):
        a = real_pipeline.ask("What is the population of Riyadh?")
        assert not a.answered and 0.0 <= a.confidence < real_pipeline.settings.min_confidence
        if a.tier == "tentative":  # never asserted: the best quote, marked as one that may answer
            assert a.text.startswith("Not sure:") and len(a.citations) == 1 and a.citations[0].quote in a.citations[0].text
        else:
            assert a.tier == "refused" and a.citations == [] and "do not seem to answer" in a.text
            assert a.closest and all(c.quote in c.text for c in a.closest)

    def test_do_not_mention_only_for_names_no_article_holds(self, real_pipeline):
        a = real_pipeline.ask("What did Angela Merkel say about the talks?")
        assert not a.answered and "do not mention Angela, Merkel" in a.text
        a = real_pipeline.ask("What does The Moscow Times ask its readers for?")  # only in boilerplate
        assert "do not mention" not in a.text

    @pytest.mark.parametrize("question", ["How long did the talks between Lavrov and Rubio last?",
                                          "When was Donald Trump born?", "Who is Michelle Larsen?"])
    def test_confidence_is_a_probability(self, real_pipeline, question):
        a = real_pipeline.ask(question)
        assert 0.0 <= a.confidence <= 1.0 and set(a.signals) >= {"support", "focus"}
        assert a.answered == (a.confidence >= real_pipeline.settings.min_confidence)
