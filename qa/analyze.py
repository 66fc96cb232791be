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
- focus terms: the question's stemmed content words (`reading.text.terms`); an answer must
  address them in its sentence, paragraph or headline.

Not handled: questions with several clauses asking for different things ("who and when"),
negated questions ("who did not attend"), and type nouns not in the lists below (they fall
back to "thing", which constrains nothing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reading.text import fold, terms
from reading.kinds import AMOUNT_KINDS, NAME_KINDS, TIME_KINDS
from reading.lexicon import (AUXILIARIES, DATE_NOUNS, DO_WORDS, NUMBER_NOUNS, ORG_NOUNS, PERSON_NOUNS,  # noqa: F401
                             PLACE_NOUNS, ROLE_WORDS)
from qa import entities

_SAY = re.compile(r"\b(?:[Dd]id|[Dd]oes|[Dd]o|[Hh]as|[Hh]ave|[Hh]ad|[Ww]ill|[Ww]ould)\s+(?P<who>.+?)\s+(?:say|said|tell|"
                  r"claim|call|describe|suggest|warn|announce|think|state|mention|argue|praise|stress|insist|add|"
                  r"note)\b")  # verbs in lower case: "the US State Department" is a name, not "state"


@dataclass(frozen=True)
class Analysis:
    question: str
    answer_type: str  # person, organisation, place, date, number, yes/no, reason, manner, statement, thing
    wants_list: bool  # several items: "which officials", "who else"
    excludes_given: bool  # "who else / what else": items already named do not count
    focus: tuple[str, ...]  # stemmed content terms the answer must address
    names: tuple[str, ...]  # names in the question, as written
    speaker: str | None  # "What did Zelensky say": the answer must be Zelensky's words
    authorship: bool = False  # "Who wrote the article about X?": the answer must name its author
    speaker_role: str | None = None  # "What did the board chair say": a speaker named by role ("board chair")

    @property
    def name_keys(self) -> frozenset[str]:
        return frozenset(entities.name_key(n) for n in self.names)

    @property
    def people(self) -> tuple[str, ...]:
        """Names in the question shaped like people's ("Thomas Davis", "Foreign Minister Lavrov");
        places and organisations have aliases ("US" is "United States"), so they are left out."""
        kinds = {m.text: m.kind for m in entities.names(self.question)}
        return tuple(n for n in self.names if kinds.get(n) == "person")

    @property
    def constrains(self) -> bool:
        """Whether a sentence can be told to hold the expected kind of answer or not."""
        return self.answer_type in ("person", "organisation", "place", "date", "number")


_WHO_WROTE = re.compile(r"\bwho (?:wrote|authored)\b|\b(?:author|writer|byline) of\b|\bwho is the (?:author|writer)\b",
                        re.I)  # asks for an article's author (not "which journalist said ...")


def analyze(question: str) -> Analysis:
    q = " ".join(fold(question).replace("?", " ").split())
    answer_type = _answer_type(q)
    speaker = speaker_role = None
    if answer_type in ("thing", "statement", "manner"):
        m = _SAY.search(question)
        if m and re.match(r"\s*(what|how)\b", q):
            found = entities.names("x " + m.group("who"))
            people = [f for f in found if f.kind == "person"]  # "Kremlin spokesman Dmitry Peskov": the person speaks
            if found:
                speaker = (people or found)[0].text
                answer_type = "statement" if answer_type == "thing" else answer_type
            else:
                role = _role(m.group("who"))
                if role:
                    speaker_role, answer_type = role, "statement" if answer_type == "thing" else answer_type
    excludes = bool(re.search(r"\b(who|what|where|which \w+) else\b|\bother than\b|\bbesides\b|\banother\b", q))
    wants_list = excludes or bool(re.search(r"^(list|name)\b|\bwho (were|are) (all )?the\b", q)) or _plural_wh(q)
    names = tuple(m.text for m in entities.names("x " + question))
    asked_with = set(terms(" ".join(_HOW.findall(q))))  # "long" in "how long" asks; it is not a topic
    focus = tuple(t for t in dict.fromkeys(terms(question)) if t not in asked_with)
    return Analysis(question, answer_type, wants_list, excludes, focus, names, speaker,
                    authorship=bool(_WHO_WROTE.search(question)), speaker_role=speaker_role)


def _role(who: str) -> str | None:
    """"the board chair" -> "board chair": a speaker named by a role (its last word a role or title,
    `reading.lexicon.ROLE_WORDS`), as written without its determiner; None for anything else."""
    words = re.sub(r"^(?:the|a|an)\s+", "", who.strip(), flags=re.I).split()
    if not words or len(words) > 4 or fold(words[-1]) not in ROLE_WORDS:
        return None
    return " ".join(words)


_HOW = re.compile(r"\bhow (many|much|long|old|far|often|big|large|high|tall|fast|heavy)\b")
_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b")


def _answer_type(q: str) -> str:
    """By the first question word (a later "when" or "who" opens a clause, not the question)."""
    first = _WH.search(q)
    wh = first.group(1) if first else ""
    rest = q[first.start():] if first else q
    if wh in ("who", "whom", "whose"):
        return "person"
    if wh == "how":
        if re.match(r"how long ago\b", rest):
            return "date"
        return "number" if _HOW.match(rest) else "manner"
    if wh == "when":
        return "date"
    if wh == "where":
        return "place"
    if wh == "why":
        return "reason"
    if wh in ("what", "which"):
        if re.match(r"what time\b", rest):
            return "date"
        if re.match(r"what (caused|led to)\b", rest):
            return "reason"
        after = _nouns_after(rest, 0)
        if after and after[0] in DO_WORDS:
            return "thing"  # "what did X say": no type noun follows the question word
        for noun in after:
            kind = _noun_type(noun)
            if kind:
                return kind
        return "thing"
    if re.match(rf"({'|'.join(AUXILIARIES)})\b", q):
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
    first = _WH.search(q)
    if not first or first.group(1) not in ("what", "which"):
        return False
    for noun in _nouns_after(q, first.start()):
        if _noun_type(noun):
            return noun.endswith("s") and not noun.endswith("ss") and noun not in ("news", "series", "is", "was")
    return False


# -- does a sentence hold what the question asks for? -------------------------------------
def holds_answer_unit(analysis: Analysis, text: str, unit) -> bool:
    """`holds_answer` for a stored unit (`Para.unit_at(a, b)`; `text` is its `Para.text`), read from its
    annotations: dates, amounts and names from its typed mentions (words that stand for a person or an
    organisation from its reading), so no stored sentence is parsed again."""
    kind = analysis.answer_type
    if kind in ("person", "organisation", "place"):
        wrong = _WRONG_NAME[kind]
        if any(m.kind in NAME_KINDS and m.kind not in wrong and entities.name_key(text[m.start:m.end])
               not in analysis.name_keys for m in unit.mentions):
            return True
        return kind != "place" and bool(set(re.findall(r"[a-z]+", unit.reading.lower())) & (PERSON_NOUNS | ORG_NOUNS))
    if kind not in _STORED:
        return holds_answer(analysis, unit.reading)
    asked = {fold(t) for t in entities.times(analysis.question)} | set(entities.numbers(analysis.question)) \
        | {fold(w) for w in entities.quantities(analysis.question)}
    found = [fold(text[m.start:m.end]) for m in unit.mentions if m.kind in _STORED[kind]]
    return any(f not in asked and not any(a in f.split() for a in asked if a) for f in found)


_STORED = {"date": TIME_KINDS, "number": AMOUNT_KINDS}
# Typing names by rules is weak ("San Jose" has the shape of a person's name), so a new name of the wrong
# shape is only refused where it is clear: a place for "who", a person for "where".
_WRONG_NAME = {"person": ("place",), "organisation": (), "place": ("person",)}


def holds_answer(analysis: Analysis, sentence: str) -> bool:
    """True when the sentence holds something of the expected type that the question does not
    already hold: a name not in the question for who/which-organisation, a place for where, a
    time expression for when, a quantity not in the question for how many. Types that no rule
    can check (yes/no, reason, manner, statement, thing) always pass."""
    kind = analysis.answer_type
    if not analysis.constrains:
        return True
    given = analysis.name_keys
    if kind in ("person", "organisation", "place"):
        wrong = _WRONG_NAME[kind]
        if any(m.key not in given and m.kind not in wrong for m in entities.names("x " + sentence)):
            return True
        return kind != "place" and bool(set(re.findall(r"[a-z]+", sentence.lower())) & (PERSON_NOUNS | ORG_NOUNS))
    asked = {fold(t) for t in entities.times(analysis.question)} | set(entities.numbers(analysis.question))
    if kind == "date":
        return any(fold(t) not in asked for t in entities.times(sentence))
    numbers_asked = set(entities.numbers(analysis.question)) | {fold(w) for w in entities.quantities(analysis.question)}
    return any(fold(q).replace(",", "").lstrip("$").rstrip("%") not in numbers_asked
               for q in entities.quantities(sentence))
