"""Follow-ups made standalone: what "he", "them", "that meeting", "and Europe?" or "who else" refer to.

A chat is read turn by turn, each earlier user turn resolved the same way first, so a long chat
never pulls in questions the new one does not lean on. For a follow-up:
- "he/she/him/his/her" becomes the person the previous question asked about (else the first
  person the previous answer named): "What did he say next?" -> "What did Kirill Dmitriev say next?";
- an ellipsis ("And Europe?", "What about the Saudi side?") takes the previous question and asks
  it about the new thing: a name of the same kind is swapped, otherwise "about X" is added;
- "who else / what else / what next" exclude what the previous answer already said: the names it
  gave (`Standalone.excluded`) and its sentences (`Standalone.answered`); "what did he add / say
  next" is answered by what the articles say right after the sentences quoted before;
- anything else that leans on the chat ("they", "it", "that meeting", "the same") is searched
  with the previous question's words beside it, at half weight (`Standalone.context`).
`Standalone.query` (shown as `Answer.query`) is what was searched.

Not handled: references to the assistant's own wording ("the second one"), and pronouns that
point further back than the previous question (an LLM condenser may do these; its rewrite must
keep the names the rules found, else the rules' version is used).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import norm_key, terms
from qa import entities

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers)\b", re.IGNORECASE)
_LEANS_ON_CONTEXT = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|theirs|it|its|there|then|that|those|these|this|"
    r"the same|the other|else|again|next|also)\b|^(and|but|so|also|what about|how about)\b",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(r"^\s*(?:and|but|so|what about|how about)\s+(?P<x>[^?]+?)\s*\??\s*$", re.IGNORECASE)
_QUESTION_WORD = re.compile(r"(who|whom|whose|what|when|where|why|how|which|is|are|was|were|did|does|do|has|have|"
                            r"had|can|could|will|would)\b", re.IGNORECASE)
_EXCLUDING = re.compile(r"\b(else|next|other|another|besides|more)\b", re.IGNORECASE)
_CONTINUING = re.compile(r"\b(next|add|added|then|afterwards|after that|go on|went on|continue|continued)\b",
                         re.IGNORECASE)
_MARKER = re.compile(r"\[\[?\d+\]\]?(\([^)]*\))?")
HISTORY_WEIGHT = 0.5


@dataclass(frozen=True)
class Standalone:
    """A question as it stands alone: what is analysed, what is searched, and what is excluded."""

    question: str  # the follow-up rewritten (pronouns replaced, ellipsis completed)
    context: str = ""  # the earlier question it continues, searched at half weight
    excluded: frozenset[str] = frozenset()  # name keys the previous answer gave ("who else")
    answered: frozenset[str] = frozenset()  # norm keys of sentences the previous answer quoted
    continues: bool = False  # "what did he add / say next": the answer follows what was quoted
    weights: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def query(self) -> str:
        return f"{self.question} ({self.context})" if self.context else self.question


def is_follow_up(question: str) -> bool:
    if _LEANS_ON_CONTEXT.search(question):
        return True
    return len(terms(question)) <= 1 and not entities.names("x " + question)


def standalone_query(question: str, history: list[dict[str, str]]) -> Standalone:
    """Resolve `question` against the chat so far (messages with role and content)."""
    previous: Standalone | None = None
    previous_answer = ""
    for m in history:
        if m["role"] == "user" and m["content"].strip():
            previous, previous_answer = _resolve(m["content"], previous, ""), ""
        elif m["role"] == "assistant" and previous is not None:
            previous_answer = m["content"]
    return _resolve(question, previous, previous_answer)


def _resolve(question: str, previous: Standalone | None, answer: str) -> Standalone:
    question = " ".join(question.split())
    m = _ELLIPSIS.match(question)
    if m and _QUESTION_WORD.match(m.group("x")):
        question, m = m.group("x")[0].upper() + m.group("x")[1:].rstrip(" ?") + "?", None  # "And who ...?"
    if previous is None or not (m or is_follow_up(question)):
        return Standalone(question, weights=_weights(question, ""))
    text = _ask_about(previous.question, m.group("x")) if m else question
    who = _person_of(previous.question) or _first_person(answer)
    if who and not m:
        text = _PERSON_PRONOUN.sub(lambda p: _pronoun_as_name(p.group(), who), text)
    context = previous.question if not m and _LEANS_ON_CONTEXT.search(text) else ""
    excluding, continues = bool(_EXCLUDING.search(question)), bool(_CONTINUING.search(question))
    excluded = frozenset(mm.key for mm in entities.names("x " + _plain(answer))) if excluding else frozenset()
    answered = (frozenset(norm_key(s) for s in _answer_sentences(answer)) if excluding or continues
                else frozenset())
    return Standalone(text, context, excluded, answered, continues, _weights(text, context))


def _weights(question: str, context: str) -> dict[str, float]:
    weights = dict.fromkeys(terms(context), HISTORY_WEIGHT)
    weights.update(dict.fromkeys(terms(question), 1.0))
    return weights


def _person_of(question: str) -> str | None:
    """The person a question asks about: a name shaped like a person's ("Yuri Ushakov"), else a
    single capitalised name that is not a place or an organisation."""
    found = entities.names("x " + question)
    people = [m for m in found if m.kind == "person"] or [m for m in found if m.kind == "name" and "-" not in m.text]
    return people[0].text if people else None


def _first_person(answer: str) -> str | None:
    people = entities.persons(_plain(answer))
    return people[0].text if people else None


def _pronoun_as_name(pronoun: str, name: str) -> str:
    return f"{name}’s" if pronoun.lower() in ("his", "hers") else name


def _ask_about(previous: str, thing: str) -> str:
    """The previous question asked about something else:
    "And Europe?" after "What did Lavrov say about Ukraine?" -> "What did Lavrov say about Europe?";
    "What about the Russian side?" after "Which Saudi officials attended?" -> "Which Russian officials attended?"."""
    thing = re.sub(r"^(about|regarding|on)\s+", "", thing.strip(), flags=re.IGNORECASE)
    at = previous.lower().rfind(" about ")
    if at >= 0:
        return previous[: at + len(" about ")] + thing + "?"
    new = entities.names("x " + thing)
    old = entities.names("x " + previous)
    if new and old:
        one_word = len(new[0].text.split()) == 1
        same = [m for m in old if m.kind == new[0].kind or (one_word and len(m.text.split()) == 1)]
        if same:
            m = same[0]
            at = previous.find(m.text)
            if at >= 0:
                return previous[:at] + new[0].text + previous[at + len(m.text):]
    return f"{previous.rstrip(' ?')} about {thing}?"


def _plain(answer: str) -> str:
    """An earlier answer as text: markers, markdown links and escapes removed."""
    return _MARKER.sub(" ", answer).replace("\\", "")


def _answer_sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"\s*\[\[?\d+\]\]?(?:\([^)]*\))?\s*", answer.replace("\\", "")) if s.strip()]


def check_rewrite(rewrite: str, rules: Standalone) -> bool:
    """An LLM's standalone question is used only if it keeps every name the rules resolved."""
    keys = {m.key for m in entities.names("x " + rewrite)}
    return all(m.key in keys for m in entities.names("x " + rules.question))
