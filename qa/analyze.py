"""Question analysis: what kind of answer a question expects, and what the answer must be about.

One stage, used by sentence selection (which sentences can answer), by the confidence model
(does the best sentence hold what was asked for?) and by follow-up resolution (what a
"who else" excludes). The rules, written once:

- answer type, from the question word and the noun after "which/what":
  who/whom/whose -> person; "which officials/leaders/minister" -> person; when, what year/date/day
  -> date; where, "which city/country" -> place; how many/much/long/old/far/often, what
  number/percentage/population/amount -> number; why -> reason; how (else) -> manner;
  a question opening with is/are/was/did/does/has/can/will... -> yes/no; "what did X say/claim"
  -> statement, with X as the speaker the answer must quote; "which organisation/company/agency"
  -> organisation; anything else -> thing.
- a list is wanted for "who else / what else", "which/what" + a plural noun, and "list/name the".
- focus terms: the question's stemmed content words (`ingest.text.terms`); an answer must
  address them in its sentence, paragraph or headline.

Not handled: questions with several clauses asking for different things ("who and when"),
negated questions ("who did not attend"), and type nouns not in the lists below (they fall
back to "thing", which constrains nothing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import fold, terms
from qa import entities

PERSON_NOUNS = frozenset((
    "person people official officials leader leaders minister ministers president presidents envoy envoys "
    "spokesman spokeswoman spokesperson journalist journalists negotiator negotiators aide aides adviser "
    "advisers advisor advisors diplomat diplomats representative representatives member members player "
    "players author authors editor head chief man men woman women coach quarterback delegate delegates "
    "politician politicians figure figures individual individuals candidate winner mvp senator king prince").split())
PLACE_NOUNS = frozenset(("city cities country countries capital capitals place places venue location locations "
                         "region regions state states stadium town towns palace nation nations area").split())
ORG_NOUNS = frozenset(("organisation organization organisations organizations company companies agency agencies "
                       "newspaper network channel outlet fund institution team teams ministry department "
                       "group groups party parties side sides broadcaster publication").split())
DATE_NOUNS = frozenset("year years date dates day days month months time decade century season era week".split())
NUMBER_NOUNS = frozenset(("number numbers percentage percent amount population age price cost size score total "
                          "share figure sum distance duration height weight rate salary count").split())
_AUX = ("is are was were did do does has have had can could will would should may might must")
_WH_NOUN = re.compile(r"\b(which|what)\s+(?:(?:kind|type|sort)\s+of\s+)?(?:[a-z-]+\s+){0,2}?([a-z-]+)\b")
_SAY = re.compile(r"\b(?:did|does|do|has|have|had|will|would)\s+(?P<who>.+?)\s+(?:say|said|tell|claim|call|"
                  r"describe|suggest|warn|announce|think|state|mention|argue|praise|stress|insist|add|note)\b",
                  re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    question: str
    answer_type: str  # person, organisation, place, date, number, yes/no, reason, manner, statement, thing
    wants_list: bool  # several items: "which officials", "who else"
    excludes_given: bool  # "who else / what else": items already named do not count
    focus: tuple[str, ...]  # stemmed content terms the answer must address
    names: tuple[str, ...]  # names in the question, as written
    speaker: str | None  # "What did Zelensky say": the answer must be Zelensky's words

    @property
    def name_keys(self) -> frozenset[str]:
        return frozenset(entities.name_key(n) for n in self.names)

    @property
    def constrains(self) -> bool:
        """Whether a sentence can be told to hold the expected kind of answer or not."""
        return self.answer_type in ("person", "organisation", "place", "date", "number")


def analyze(question: str) -> Analysis:
    q = " ".join(fold(question).replace("?", " ").split())
    answer_type = _answer_type(q)
    speaker = None
    if answer_type in ("thing", "statement", "manner"):
        m = _SAY.search(question)
        if m and re.match(r"\s*(what|how)\b", q):
            found = entities.names("x " + m.group("who"))
            if found:
                speaker, answer_type = found[0].text, "statement" if answer_type == "thing" else answer_type
    excludes = bool(re.search(r"\b(who|what|where|which \w+) else\b|\bother than\b|\bbesides\b|\banother\b", q))
    wants_list = excludes or bool(re.search(r"^(list|name)\b|\bwho (were|are) (all )?the\b", q)) or _plural_wh(q)
    names = tuple(m.text for m in entities.names("x " + question))
    return Analysis(question, answer_type, wants_list, excludes, tuple(dict.fromkeys(terms(question))), names,
                    speaker)


def _answer_type(q: str) -> str:
    if re.match(r"(who|whom|whose)\b", q) or re.search(r"\b(who|whom|whose)\b", q) and not re.match(r"(what|which|when|where|how|why)\b", q):
        return "person"
    if re.search(r"\bhow (many|much|long|old|far|often|big|large|high|tall|fast|heavy)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat time\b|\bhow long ago\b", q):
        return "date"
    if re.search(r"\bwhere\b", q):
        return "place"
    if re.search(r"\bwhy\b|\bfor what reason\b|\bwhat (caused|led to)\b", q):
        return "reason"
    m = _WH_NOUN.search(q)
    if m:
        for noun in _nouns_after(q, m.start()):
            kind = _noun_type(noun)
            if kind:
                return kind
    if re.search(r"\bwho\b", q):
        return "person"
    if re.match(r"how\b", q):
        return "manner"
    if re.match(rf"({_AUX.replace(' ', '|')})\b", q):
        return "yes/no"
    return "thing"


def _nouns_after(q: str, at: int) -> list[str]:
    """Up to three words after "which/what": the type noun is the first one the lists know."""
    return re.findall(r"[a-z-]+", q[at:])[1:4]


def _noun_type(noun: str) -> str | None:
    if noun in PERSON_NOUNS:
        return "person"
    if noun in DATE_NOUNS:
        return "date"
    if noun in NUMBER_NOUNS:
        return "number"
    if noun in PLACE_NOUNS:
        return "place"
    if noun in ORG_NOUNS:
        return "organisation"
    return None


def _plural_wh(q: str) -> bool:
    m = _WH_NOUN.search(q)
    if not m:
        return False
    for noun in _nouns_after(q, m.start()):
        if _noun_type(noun):
            return noun.endswith("s") and not noun.endswith("ss") and noun not in ("news", "series", "is", "was")
    return False


# -- does a sentence hold what the question asks for? -------------------------------------
def holds_answer(analysis: Analysis, sentence: str) -> bool:
    """True when the sentence holds something of the expected type that the question does not
    already hold: a name not in the question for who/which-organisation, a place for where, a
    time expression for when, a quantity not in the question for how many. Types that no rule
    can check (yes/no, reason, manner, statement, thing) always pass."""
    kind = analysis.answer_type
    if not analysis.constrains:
        return True
    given = analysis.name_keys
    if kind in ("person", "organisation"):
        return any(m.key not in given for m in entities.names("x " + sentence) if m.kind != "place" or kind == "organisation")
    if kind == "place":
        return any(m.key not in given for m in entities.names("x " + sentence) if m.kind in ("place", "name", "organisation"))
    asked = {fold(t) for t in entities.times(analysis.question)} | set(entities.numbers(analysis.question))
    if kind == "date":
        return any(fold(t) not in asked for t in entities.times(sentence))
    numbers_asked = set(entities.numbers(analysis.question)) | {fold(w) for w in entities.quantities(analysis.question)}
    return any(fold(q).replace(",", "").lstrip("$").rstrip("%") not in numbers_asked
               for q in entities.quantities(sentence))
