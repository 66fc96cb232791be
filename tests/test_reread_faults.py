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
                                      "Who attended this meeting?"])
def test_a_question_that_points_outside_itself_is_a_follow_up(question):
    from qa.condense import standalone_query

    assert standalone_query(question, _CHAT).context == "Where did the talks take place?"
