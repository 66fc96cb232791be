"""Faults that came from reading text again instead of reading it once (issue 24), each asked as a kind.

Fast tier: no model is loaded (the bug-report cases that need the real pipeline are in test_cases_reading.py).
"""
from __future__ import annotations

import pytest

from ingest.paragraphs import decode_article_encoded

# -- an English text is never read in an East Asian code page (nor UTF-16 without a BOM) ------------------
_WESTERN = [
    "Cost: CM\xa315.8m\n",  # was cp932: "CM｣15.8m"
    "The fund holds \xa315.8m\n\nIt was set up in 2019.\n",
    "m\xa315.8m\n",  # was UTF-16-BE: "涣ㄵ⸸洊"
    "\xa315.8bn\n",
    "\xa3A\n",  # was cp949
    "15.8\xa3m\n",  # was big5
    "A\xa3\n",  # was cp1006 (Urdu)
    "The council said the depot will cost\xa315.8m and open next spring.\n\nWork begins in May.\n",  # was cp1250 "Ł"
    "The council said the new harbour depot will cost x\xa3y and open next spring.\n",  # was cp850
]


@pytest.mark.parametrize("text", _WESTERN)
def test_a_latin1_pound_sign_is_read_as_a_pound_sign(text):
    decoded, encoding = decode_article_encoded(text.encode("latin-1"))
    assert decoded == text, (decoded, encoding)
    assert encoding == "latin-1"


@pytest.mark.parametrize("text,encoding", [
    ("Привет, как дела? Москва приняла решение.", "cp1251"),
    ("Zażółć gęślą jaźń. Spotkanie w Warszawie odbyło się w środę.", "cp1250"),
])
def test_texts_in_other_code_pages_are_still_read(text, encoding):
    assert decode_article_encoded(text.encode(encoding))[0] == text


# -- a standalone question is not made a follow-up because it holds "that", "its" or "it" ---------------
_CHAT = [{"role": "user", "content": "Where did the talks take place?"},
         {"role": "assistant", "content": "The talks took place in Riyadh. [1]"}]


@pytest.mark.parametrize("question", [
    "Who said Russia would hear out its American colleagues?",  # "its": Russia, in the question
    "Who said that Russia would hear out the US?",  # "that": a conjunction
    "What was the deal that collapsed?",  # "that": a relative pronoun
    "What did the Kremlin say about its plans?",
    "Did Putin say he would come?",  # "he": Putin, in the question
])
def test_a_question_that_gives_its_own_referent_stands_alone(question):
    from qa.condense import standalone_query

    resolved = standalone_query(question, _CHAT)
    assert resolved.question == question and resolved.context == "", resolved
    assert resolved.query == question


@pytest.mark.parametrize("question", ["Who said that?", "When did that meeting happen?", "When did it happen?",
                                      "Who attended this meeting?", "Where was Lavrov that day?"])
def test_a_question_that_points_outside_itself_is_a_follow_up(question):
    from qa.condense import standalone_query

    assert standalone_query(question, _CHAT).context == "Where did the talks take place?"


# -- a bare name is asked as what it means --------------------------------------------------------------
OKAFOR = ("Harbour Authority Names New Chief\n\n"
          "The Lagos harbour authority on Tuesday named Ngozi Okafor as its chief executive, the first woman to "
          "hold the post.\n\n"
          "Okafor, 52, ran the port of Tema in Ghana for six years and before that led the authority's finance team.\n\n"
          "She takes office in March, when the current chief, Bayo Adeyemi, retires.\n")


@pytest.fixture
def okafor_pipeline(tmp_path, fake_embedder):
    from ingest import ingest
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "harbour.txt").write_text(OKAFOR, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "articles", index_dir=tmp_path / "index", embed_model="fake-bow-64",
                        embed_runtime="torch", scorer="lexical")
    ingest(settings=settings, embedder=fake_embedder, progress=False)
    return Pipeline(settings, embedder=fake_embedder, build_if_missing=False)


def test_a_bare_name_is_asked_as_who_the_articles_say_it_is(okafor_pipeline):
    answer = okafor_pipeline.ask("Okafor?")
    assert answer.query == "Who is Ngozi Okafor?"  # the fullest form the stored mentions give
    assert answer.citations and answer.citations[0].paragraph == 2, answer.text


def test_a_bare_name_the_articles_do_not_give_is_not_mentioned(okafor_pipeline):
    answer = okafor_pipeline.ask("Kessler?")
    assert "do not mention Kessler" in answer.text and not answer.answered


# -- a hyphenated compound is not a name -----------------------------------------------------------------
def test_a_hyphenated_compound_names_only_its_capitalised_parts():
    from reading.mentions import name_words

    assert name_words("In which years did the Turkey- and UN-brokered grain deal operate?") == ["Turkey"]
    assert name_words("Was the Kremlin-backed plan about Russia-Ukraine talks?") == ["Kremlin", "Russia", "Ukraine"]


def test_a_hyphenated_compound_is_never_called_unmentioned(fake_settings, fake_embedder):
    from ingest import ingest
    from qa.pipeline import Pipeline

    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(fake_settings, embedder=fake_embedder, build_if_missing=False)
    answer = pipeline.ask("In which years did the Turkey- and UN-brokered grain deal operate?")
    assert "do not mention" not in answer.text, answer.text
    assert answer.citations or answer.closest  # an answer, or the closest passages with the refusal


# -- a question in a Latin-script language other than English --------------------------------------------
@pytest.mark.parametrize("question, language", [
    ("¿Cuándo se reunieron Rusia y Estados Unidos en Riad?", "Spanish"),
    ("¿Quién dirigió la delegación rusa en Riad?", "Spanish"),
    ("Quem se reuniu em Riade?", "Portuguese"),
    ("Chi ha incontrato Lavrov a Riad?", "Italian"),
])
def test_a_latin_script_question_in_another_language_is_refused_by_language(question, language):
    from qa.errors import UnsupportedLanguageError
    from qa.validate import clean_question

    with pytest.raises(UnsupportedLanguageError, match=language):
        clean_question(question, max_chars=500)


@pytest.mark.parametrize("question", ["Okafor?", "Who is Michelle Larsen?", "Was Zelensky in Riyadh?",
                                      "When did Rubio meet Lavrov in Riyadh?", "Al-Diriyah Palace?"])
def test_english_questions_and_bare_names_are_not_taken_for_another_language(question):
    from qa.validate import clean_question

    assert clean_question(question, max_chars=500) == question


# -- tests copy the shipped articles, never whatever else is in the folder -------------------------------
def test_the_articles_fixture_copies_the_five_shipped_articles_only(tmp_path, articles):
    from tests.conftest import SHIPPED, shipped_articles

    assert sorted(p.name for p in articles.iterdir()) == list(SHIPPED)
    live = shipped_articles(tmp_path / "live")
    (live / "uploaded.txt").write_text("An article a user saved.\n", encoding="utf-8")
    copy = shipped_articles(tmp_path / "copy", source=live)
    assert sorted(p.name for p in copy.iterdir()) == list(SHIPPED)


# -- citations carry spans; our words are marked by offsets, never found again in the text -------------
def test_citations_carry_their_quote_spans_and_sentences_our_words(okafor_pipeline):
    answer = okafor_pipeline.ask("When does she take office?", [
        {"role": "user", "content": "Who did the Lagos harbour authority name as chief executive?"},
        {"role": "assistant", "content": "Ngozi Okafor. [1]"}])
    for c in answer.citations:
        assert c.spans and c.quote == " … ".join(c.text[a:b] for a, b in c.spans)
    for s in answer.sentences:
        ours = [s.text[a:b] for a, b in s.inserted]
        assert all(w.startswith("[") and w.endswith("]") for w in ours), ours
        rest = "".join(s.text[b:a] for (_, b), (a, _) in zip(((0, 0), *s.inserted), (*s.inserted, (len(s.text), 0))))
        assert " ".join(rest.split()) in " ".join(answer.citations[s.citation - 1].text.split()) or ours


def test_a_quote_opening_with_she_gets_her_name_as_our_words():
    from qa.compose import Shown, assemble
    from qa.select import Sentence

    s = Sentence(0, 0, 31, "She takes office in March, when", 1.0, 1.0, 1.0, 0)
    shown = Shown(s, (("", False), ("[Okafor]", True), (" takes office in March, when", False), (" […]", True)))
    assert assemble(shown.pieces) == ("[Okafor] takes office in March, when […]", ((0, 8), (37, 40)))


# -- the answer path reads stored units: no name or speaker rule runs on a stored paragraph's text ------
_RULES = ("names", "persons", "name_keys", "speaker", "said_by", "referent", "times", "durations")


def test_answering_never_runs_the_name_or_speaker_rules_on_stored_text(fake_settings, fake_embedder, monkeypatch):
    """Every question-time call of the rules (through qa.entities, qa's one door to them) is recorded; none
    may read text of a stored paragraph (it was read at ingest: `Unit.mentions`, `Unit.speaker`). The
    question and the chat are question-time text and may be read."""
    from ingest import ingest
    from qa import entities
    from qa.pipeline import Pipeline

    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(fake_settings.replace(min_confidence=0.0, min_tentative=0.0), embedder=fake_embedder,
                        build_if_missing=False)
    read: list[str] = []

    def recording(rule):
        def wrapper(text, *args, **kwargs):
            for t in (text if isinstance(text, list) else [text]):
                read.append(t[2:] if t.startswith("x ") else t)
            return rule(text, *args, **kwargs)
        return wrapper

    for name in _RULES:
        monkeypatch.setattr(entities, name, recording(getattr(entities, name)))
    questions = ["Who co-led the Kremlin's negotiating team?", "Which Saudi officials attended the talks?",
                 "What did Lavrov say about Europe?", "Who else attended the talks besides Lavrov?",
                 "What did the Russian Foreign Minister say about NATO troops in Ukraine?",
                 "How long did the talks last?", "When will Zelensky visit Saudi Arabia?"]
    answers = [pipeline.ask(q) for q in questions]
    assert any(a.citations for a in answers)
    corpus = pipeline.load().corpus
    stored = [p.text[u.start:u.end] for f in corpus.files for p in corpus.article(f) for u in p.units
              if u.end - u.start >= 20]
    parsed = [t for t in read if any(s in t or (len(t) >= 20 and t in s) for s in stored)]
    assert not parsed, parsed[:3]


# -- model files load one way; missing or mismatched is a typed error naming the fit --------------------
@pytest.mark.parametrize("content, reason", [
    (None, "No such file"),
    ("{not json", "Expecting property name"),
    ('{"features": ["reader", "shoe size"], "coef": [1, 2], "mean": [0, 0], "scale": [1, 1], "intercept": 0}',
     "shoe size"),
    ('{"features": ["reader"], "coef": [1, 2], "mean": [0], "scale": [1], "intercept": 0}', "one value per feature"),
])
def test_a_missing_or_mismatched_confidence_model_is_a_typed_error_naming_the_fit(tmp_path, monkeypatch,
                                                                                  content, reason):
    from qa import confidence
    from qa.errors import ModelFileError

    path = tmp_path / "confidence.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(confidence, "MODEL_FILE", path)
    confidence.load_model.cache_clear()
    try:
        with pytest.raises(ModelFileError, match="python -m qa.eval.train_confidence") as raised:
            confidence.confidence({"reader": 1.0})
        assert reason in str(raised.value)
    finally:
        confidence.load_model.cache_clear()


def test_the_speaker_reader_is_part_of_the_index_fingerprint(monkeypatch):
    from ingest.errors import SettingsError
    from ingest.snapshot import vocabulary_fingerprint

    monkeypatch.setenv("ARTICLES_QA_SPEAKERS", "rules")
    rules = vocabulary_fingerprint()
    monkeypatch.setenv("ARTICLES_QA_SPEAKERS", "spacy")
    assert vocabulary_fingerprint() != rules  # an index read by the rules is re-read when spaCy is asked
    monkeypatch.setenv("ARTICLES_QA_SPEAKERS", "spacey")
    with pytest.raises(SettingsError, match="ARTICLES_QA_SPEAKERS"):
        vocabulary_fingerprint()


def test_who_wrote_the_article_names_its_author(fake_settings, fake_embedder):
    """The author bio is quoted for "who wrote the article about X", whatever the reader's batch made of its
    score (measured: 0.57 alone, 1.10 and 1.64 in two batches; the bar for a further quote is about 1.4)."""
    from ingest import ingest
    from qa.pipeline import Pipeline

    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(fake_settings.replace(min_confidence=0.0, min_tentative=0.0), embedder=fake_embedder,
                        build_if_missing=False)
    answer = pipeline.ask("Who wrote the article about the Kremlin refusing to reveal details of the Russia-US "
                          "negotiations?")
    assert "Michelle Larsen" in answer.text, answer.text
    assert "Michelle Larsen" not in pipeline.ask("Who led the Russian delegation in Riyadh?").text


# -- a speaker asked by role: only that person's words ----------------------------------------------------
FARES = ("Transit Fare Freeze Splits City Hall\n\n"
         "The Dunmore transit board on Monday extended its fare freeze for another year. “Fares will stay where they "
         "are until the end of 2027,” said board chair Piet Brandt. Council member Joost Verhagen, who sits on the "
         "finance committee, disagreed. “We cannot keep fares frozen while the maintenance backlog grows,” he said. "
         "“Riders will pay more later.”\n\nThe board will publish its budget in June.\n")


def test_a_speaker_asked_by_role_is_quoted_alone(tmp_path, fake_embedder):
    """"What did the board chair say?" mixed both men's quotes: the role is read as the person the article
    introduces with it ("board chair Piet Brandt", stored mentions), and only his units (Unit.speaker) answer."""
    from ingest import ingest
    from qa.compose import candidates
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "fares.txt").write_text(FARES, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "articles", index_dir=tmp_path / "index", embed_model="fake-bow-64",
                        embed_runtime="torch", scorer="lexical", min_confidence=0.0, min_tentative=0.0)
    ingest(settings=settings, embedder=fake_embedder, progress=False)
    pipeline = Pipeline(settings, embedder=fake_embedder, build_if_missing=False)
    assert pipeline.evidence("What did the board chair say?").analysis.speaker_role == "board chair"
    said = {s.text for s in candidates(pipeline.evidence("What did the board chair say?"))}
    assert said == {"“Fares will stay where they are until the end of 2027,” said board chair Piet Brandt."}
    answer = pipeline.ask("What did the board chair say?")
    assert "Fares will stay" in answer.text and "cannot keep fares frozen" not in answer.text
    verhagen = {s.text for s in candidates(pipeline.evidence("What did Verhagen say about fares?"))}
    assert verhagen == {"“We cannot keep fares frozen while the maintenance backlog grows,” he said.",
                        "“Riders will pay more later.”"}  # the follow-on quotation is his (rules at ingest)


def test_the_shipped_confidence_model_is_pinned_by_its_hash(tmp_path, monkeypatch):
    """An edited or mixed-up confidence.json is an error naming the fix, never other weights used silently."""
    import json

    from qa import confidence
    from qa.errors import ModelFileError

    confidence.load_model.cache_clear()
    try:
        assert confidence.load_model()["features"]  # the shipped file matches its pin
        model = json.loads(confidence.MODEL_FILE.read_text(encoding="utf-8"))
        model["intercept"] += 1.0  # still a valid model: only the pin tells
        edited = tmp_path / "confidence.json"
        edited.write_text(json.dumps(model), encoding="utf-8")
        monkeypatch.setattr(confidence, "MODEL_FILE", edited)
        monkeypatch.setattr(confidence, "_SHIPPED", edited)
        confidence.load_model.cache_clear()
        with pytest.raises(ModelFileError, match="not the shipped fit.*git checkout"):
            confidence.load_model()
    finally:
        confidence.load_model.cache_clear()
