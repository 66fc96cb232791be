from pathlib import Path

import pytest

from qa.settings import Settings


def test_env_overrides_and_keyword_overrides():
    s = Settings.from_env({"ARTICLES_QA_TOP_K": "7", "ARTICLES_QA_INDEX_DIR": "/tmp/x", "ARTICLES_QA_MIN_TENTATIVE": "0.3"})
    assert (s.top_k, s.index_dir, s.min_tentative) == (7, Path("/tmp/x"), 0.3)
    assert Settings.from_env({"ARTICLES_QA_TOP_K": "7"}, top_k=3).top_k == 3


def test_bad_env_value_names_the_variable():
    with pytest.raises(ValueError, match="ARTICLES_QA_TOP_K"):
        Settings.from_env({"ARTICLES_QA_TOP_K": "many"})


from ingest.settings import IndexSettings  # noqa: E402
from qa.errors import SettingsError  # noqa: E402


@pytest.mark.parametrize("field, value, message", [
    ("top_k", 5.5, "top_k (ARTICLES_QA_TOP_K) must be a int, not 5.5"),
    ("top_k", "five", "ARTICLES_QA_TOP_K='five' is not a valid int; unset it or give a number"),
    ("top_k", True, "top_k (ARTICLES_QA_TOP_K) must be a int, not True"),
    ("min_tentative", float("nan"), "min_tentative (ARTICLES_QA_MIN_TENTATIVE) must be a float, not nan"),
    ("index_dir", "  ", "index_dir (ARTICLES_QA_INDEX_DIR) must be a folder path, not '  '"),
    ("model", 3, "model (ARTICLES_QA_MODEL) must be a str, not 3"),
])
def test_wrong_types_name_the_setting_and_its_variable(field, value, message):
    with pytest.raises(SettingsError) as caught:
        Settings(**{field: value})
    assert str(caught.value) == message


@pytest.mark.parametrize("field, value, valid", [
    ("top_k", 0, "between 1 and 50"),
    ("top_k", 51, "between 1 and 50"),
    ("chunk_tokens", 15, "at least 16 (and at most 8192)"),
    ("chunk_overlap", -1, "0 or more and under chunk_tokens (96)"),
    ("chunk_overlap", 96, "0 or more and under chunk_tokens (96)"),
    ("min_confidence", 1.5, "between 0 and 1"),
    ("llm_timeout", 0.0, "a positive number of seconds"),
    ("llm_max_new_tokens", 2048, "positive and under llm_context_tokens (2048)"),
    ("refresh_seconds", -0.1, "0 or more seconds (at most 3600)"),
    ("refresh_seconds", 1e9, "0 or more seconds (at most 3600)"),
    ("backend", "gpt9", "one of extractive, llamacpp, ollama, openai"),
    ("embed_runtime", "tensorrt", "one of onnx-int8, onnx, torch"),
])
def test_out_of_range_values_and_unknown_names_are_refused(field, value, valid):
    with pytest.raises(SettingsError) as caught:
        Settings(**{field: value})
    assert str(caught.value) == f"{field} (ARTICLES_QA_{field.upper()}) is {value!r}; it must be {valid}"


def test_valid_edges_are_accepted_and_ints_become_floats():
    s = Settings(top_k=50, chunk_tokens=16, chunk_overlap=15, min_confidence=0, refresh_seconds=0)
    assert (s.top_k, s.chunk_overlap, s.min_confidence, type(s.min_confidence)) == (50, 15, 0.0, float)
    assert Settings(chunk_tokens=200, chunk_overlap=150).chunk_overlap == 150  # under the chunk size, not 96


def test_the_index_settings_check_their_own_fields_only():
    with pytest.raises(SettingsError, match="chunk_overlap"):
        IndexSettings(chunk_overlap=200)
    assert IndexSettings.from_env({"ARTICLES_QA_TOP_K": "many"}).chunk_tokens == 96  # not an index setting


def test_the_api_key_never_appears_in_repr_or_str():
    s = Settings(backend="openai", api_key="sk-secret-123", api_base="http://127.0.0.1:1")
    assert "sk-secret-123" not in repr(s) and "sk-secret-123" not in str(s) and "api_key" not in repr(s)
    assert s.api_key.get_secret_value() == "sk-secret-123"
    assert "sk-secret-123" not in repr(Settings.from_env({"ARTICLES_QA_API_KEY": "sk-secret-123"}))


@pytest.mark.parametrize("variable, value", [
    ("ARTICLES_QA_REFRESH_SECONDS", "1e999"),  # infinity (issue 20, defect 13)
    ("ARTICLES_QA_REFRESH_SECONDS", "nan"),
    ("ARTICLES_QA_TOP_K", "1e3"),
    ("ARTICLES_QA_CHUNK_TOKENS", "99999999"),
])
def test_every_variable_is_bounded(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_settings_are_described_and_unknown_names_refused():
    schema = Settings.model_json_schema()["properties"]
    assert all(field.get("description") for field in schema.values())
    assert schema["top_k"]["maximum"] == 50 and "api_key" in schema
    with pytest.raises(SettingsError, match="tpo_k is not a setting"):
        Settings(tpo_k=3)
    s = Settings(top_k=7)
    assert s.replace(top_k=None, min_tentative=0.5).top_k == 7 and s.replace(min_tentative=0.5).min_tentative == 0.5
    with pytest.raises(SettingsError, match="between 1 and 50"):
        s.replace(top_k=99)
    assert Settings.from_env({"ARTICLES_QA_TOP_K": ""}).top_k == 5  # an empty variable is unset


# -- tuning groups (issue 24): thresholds that were module constants, each with its source ----------------
def test_tuning_groups_are_settings_with_variables_bounds_and_sources():
    from ingest.errors import SettingsError
    from qa.settings import Settings

    s = Settings.from_env(environ={"ARTICLES_QA_ANSWERING__KEEP_RATIO": "0.8",
                                   "ARTICLES_QA_CONDENSING__HISTORY_WEIGHT": "0.25"})
    assert s.answering.keep_ratio == 0.8 and s.condensing.history_weight == 0.25
    assert s.answering.list_ratio == 0.7 and s.retrieval.dense_weight == 0.7  # the measured defaults
    assert hash(s) == hash(s.replace(top_k=s.top_k))  # still a dictionary key (qa.pipeline.get_pipeline)
    with pytest.raises(SettingsError, match="ARTICLES_QA_ANSWERING__KEEP_RATIO"):
        Settings.from_env(environ={"ARTICLES_QA_ANSWERING__KEEP_RATIO": "3"})
    with pytest.raises(SettingsError, match="w_coverage \\+ w_dense \\+ w_paragraph = 1"):
        Settings.from_env(environ={"ARTICLES_QA_SELECTION__W_DENSE": "0.5"})
    for group in (s.retrieval, s.selection, s.answering, s.condensing):
        for name, field in type(group).model_fields.items():
            assert field.description and len(field.description) > 30, name


def test_a_tuning_value_reaches_its_stage():
    from qa.condense import RulesCondenser
    from qa.settings import CondensingTuning

    chat = [{"role": "user", "content": "Where did the talks take place?"},
            {"role": "assistant", "content": "In Riyadh. [1]"}]
    resolved = RulesCondenser(CondensingTuning(history_weight=0.25)).condense("When did it start?", chat)
    assert resolved.weights["talk"] == 0.25 and resolved.weights["start"] == 1.0


def test_a_misspelled_tuning_variable_is_named_with_the_nearest(caplog):
    from qa.settings import warn_unknown_variables

    assert warn_unknown_variables({"ARTICLES_QA_ANSWERING__KEEP": "1", "ARTICLES_QA_ANSWERING__KEEP_RATIO": "1"}) == [
        "ARTICLES_QA_ANSWERING__KEEP"]
