"""What a chat has put in play: the people, organisations and places talked about, what the text
says about them, and what the previous question asked about whom.

`State` is rebuilt turn by turn from the chat (`qa.condense` does it): after each turn the
entities the question and its answer named are moved to the front, most in focus first:
- a question that asks *who* ("Who did the mayor name as chair?") puts the people its answer
  names that the question did not (Helena Voss) first, then the question's own;
- any other question keeps its own subject (the first person it names: "What did Dmitriev say
  about Trump?" is about Dmitriev) first, then the people its answer quotes.
Each `Entity` carries what is known of it: its fullest name, its kind (`qa.entities` kinds),
grammatical gender where the text shows one, whether it is plural, and its title or role.
Gender comes from, in order: titles next to the name ("Mr", "Queen", "spokeswoman"); the
pronouns that follow the name in the chat's answers and in the articles' own paragraphs naming
it, before another person is named ("Okoro himself", "Voss ... she"); and, only when the text
says nothing, the first name through `gender_guesser` (a name list; "Helena" is female).

`referent(state, pronoun)` is the compatible entity most in focus ("she" never goes to a man,
"he" never to a woman; an unknown gender fits both), or None, and then the caller asks back.

Not handled: entities the chat never named (a pronoun about someone only an article's later
paragraph mentions); "they" for a group of people named one by one (left to the half-weight
context of `qa.condense`); "it" (an event or a thing, also left to the context).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from reading.lexicon import (FEMALE_PRONOUNS, FEMALE_TITLES, MALE_PRONOUNS, MALE_TITLES, MORE_ORG_HEADS,
                             PLURAL_HEADS, ROLE_WORDS)
from reading.text import fold
from qa import entities

MALE, FEMALE = MALE_PRONOUNS, FEMALE_PRONOUNS
PERSON_PRONOUNS = MALE | FEMALE
_PRONOUN = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
# "Russian", "Saudi", "American": a people's adjective, capitalised but no one in particular.
_DEMONYM = re.compile(r"^(?:[a-z]{3,}(?:ian|ean|ican|ese|ish)|german|saudi|iraqi|israeli|pakistani|qatari|emirati|kuwaiti|yemeni|"
                      r"bangladeshi|thai|swiss|french|dutch|greek|czech|kremlin)$")
PERSONLIKE = ("person", "name")
GenderOf = Callable[[str], "str | None"]  # a name -> "m" | "f" | None, from the articles


@dataclass(frozen=True)
class Entity:
    """One thing the chat talks about. `name` is the fullest form seen ("Helena Voss" over "Voss")."""

    name: str
    kind: str  # "person" | "organisation" | "place" | "name" (capitalised, kind unknown) | "pair" ("Russia-US")
    gender: str | None = None  # "m" | "f" | None (the text does not say)
    plural: bool = False
    role: str = ""  # the title or role written with it ("Mayor", "Kremlin spokesman")

    @property
    def key(self) -> str:
        return entities.name_key(self.name)

    @property
    def proper(self) -> str:
        """The name as a person would write it in a question: without the titles and roles in front
        ("Russian Foreign Minister Sergey Lavrov" -> "Sergey Lavrov"; "Mayor Daniel Okoro" ->
        "Daniel Okoro"); a role with no name after it stays whole ("White House National Security Advisor")."""
        words = self.name.split()
        last_role = max((i for i, w in enumerate(words) if fold(w).strip(".") in ROLE_WORDS), default=-1)
        rest = words[last_role + 1:]
        return " ".join(rest) if rest and self.kind in PERSONLIKE else self.name

    @property
    def personlike(self) -> bool:
        return self.kind in PERSONLIKE and not self.plural


@dataclass(frozen=True)
class Frame:
    """The previous question as it stood alone, and the entity it asked about (None: nobody)."""

    question: str
    about: Entity | None = None


@dataclass(frozen=True)
class State:
    entities: tuple[Entity, ...] = ()  # most recently in focus first
    frame: Frame | None = None
    quoted: bool = False  # the last answer quoted the articles (so "what did he say next" can continue it)

    def find(self, key: str) -> Entity | None:
        return next((e for e in self.entities if e.key == key), None)


def referent(state: State, pronoun: str) -> Entity | None:
    """The entity most in focus that `pronoun` (he/she/him/his/her/hers/himself/herself) can mean."""
    wanted = "m" if pronoun.lower() in MALE else "f" if pronoun.lower() in FEMALE else None
    for e in state.entities:
        if e.personlike and (e.gender is None or wanted is None or e.gender == wanted):
            return e
    return None


def mentioned(text: str, *, question: bool = True) -> list[Entity]:
    """The entities a piece of text names, in order, one per name key, with titles as roles. In a
    question (`question`) a capitalised first word counts ("Lavrov said what?"); in an answer's
    prose it does not ("Negotiations between ...")."""
    out: dict[str, Entity] = {}
    for m in entities.names("x " + text if question else text):
        if not m.key:
            continue
        words = m.text.split()
        titles = [w for w in words if fold(w).strip(".") in ROLE_WORDS]
        role = " ".join(titles)
        name, kind = m.text, m.kind
        if fold(words[-1]) in MORE_ORG_HEADS:
            kind = "organisation"
        if kind == "name" and "-" in name:  # "Russia-US", "Lavrov-Rubio": a pairing, not a person
            kind = "pair"
        if kind == "name" and len(words) == 1 and (titles or _DEMONYM.match(fold(words[0]))):
            continue  # "Mayor" alone; "Russian", "Saudi"
        plural = fold(words[-1]) in PLURAL_HEADS
        gender = _title_gender(" ".join(titles))
        e = Entity(name, kind, gender, plural, role)
        key = e.key
        out[key] = _merge(out[key], e) if key in out else e
    return list(out.values())


def advance(state: State, question: str, answer: str, *, asks_who: bool,
            gender_of: GenderOf | None = None) -> State:
    """The state after a turn: `question` as it stood alone, `answer` the reply's plain text."""
    asked = [e for e in mentioned(question)]
    told = mentioned(answer, question=False)
    roles = {w for w in re.findall(r"[a-z]+", question) if w in ROLE_WORDS}  # "the mayor"
    for t in told:  # "White House National Security Advisor" asked, "... Advisor Mike Waltz" told
        if any(fold(a.name) in fold(t.name) for a in asked) or {fold(w) for w in t.role.split()} & roles:
            asked = [a for a in asked if fold(a.name) not in fold(t.name)] + [t]
    asked_keys = {e.key for e in asked}
    new_people = [e for e in told if e.key not in asked_keys and e.personlike]
    subject = next((e for e in asked if e.personlike), None)
    if asks_who:
        order = new_people + asked + [e for e in told if e not in new_people]
    else:
        order = asked + told
    known = {e.key: e for e in state.entities}
    front: list[Entity] = []
    for e in order:
        if any(f.key == e.key for f in front):
            front = [_merge(f, e) if f.key == e.key else f for f in front]
            continue
        front.append(_merge(known[e.key], e) if e.key in known else e)
    keys = {e.key for e in front}
    merged = tuple(_with_gender(e, answer, gender_of) for e in front) + tuple(
        e for e in state.entities if e.key not in keys)
    about = next((e for e in merged if subject and e.key == subject.key), None)
    return State(merged, Frame(question, about), quoted=bool(answer.strip()))


def _merge(old: Entity, new: Entity) -> Entity:
    name = max((old.name, new.name), key=lambda n: len(n.split()))
    kind = old.kind if old.kind != "name" else new.kind
    return Entity(name, kind, old.gender or new.gender, old.plural and new.plural, old.role or new.role)


def _with_gender(e: Entity, answer: str, gender_of: GenderOf | None) -> Entity:
    if e.gender or not e.personlike:
        return e
    gender = gender_in(answer, e.key) or (gender_of(e.name) if gender_of else None) or first_name_gender(e.name)
    return replace(e, gender=gender) if gender else e


def _title_gender(words: str) -> str | None:
    folded = {fold(w).strip(".") for w in words.split()} | {fold(w) for w in words.split()}
    if folded & MALE_TITLES:
        return "m"
    if folded & FEMALE_TITLES:
        return "f"
    return None


def gender_in(text: str, key: str) -> str | None:
    """The gender `text` gives the person with name key `key`: titles written with the name, and
    the pronouns after each mention of it until another person is named (a majority; None on a tie)."""
    male = female = 0
    found = entities.names("x " + text)
    for i, m in enumerate(found):
        if m.key != key:
            continue
        title = _title_gender(text[max(0, m.start - 2 - 25):m.start - 2] + " " + m.text)
        male, female = male + (title == "m") * 3, female + (title == "f") * 3
        end = next((n.start - 2 for n in found[i + 1:] if n.kind in PERSONLIKE and n.key != key), len(text))
        window = text[m.end - 2:end]
        cut = re.search(r"[.!?]\s+[“\"]?[A-Z][^.!?]*[.!?]", window)  # the pronouns of the next two sentences
        if cut:
            nxt = re.search(r"[.!?]\s", window[cut.end():])
            window = window[: cut.end() + (nxt.end() if nxt else len(window))]
        for p in _PRONOUN.findall(window):
            male, female = male + (p.lower() in MALE), female + (p.lower() in FEMALE)
    if male == female:
        return None
    return "m" if male > female else "f"


def corpus_gender(paragraphs: Callable[[str], Iterable[str]]) -> GenderOf:
    """A `GenderOf` reading the articles: `paragraphs(word)` gives the texts of paragraphs naming it."""

    @functools.lru_cache(maxsize=512)
    def gender_of(name: str) -> str | None:
        key = entities.name_key(name)
        if not key:
            return None
        votes = [gender_in(text, key) for text in paragraphs(name.split()[-1])]
        male, female = votes.count("m"), votes.count("f")
        return None if male == female else "m" if male > female else "f"

    return gender_of


@functools.lru_cache(maxsize=1)
def _detector():
    try:
        import gender_guesser.detector as gender  # a list of first names by country (a package, no download)
    except ImportError:  # optional: the text's own evidence still works
        return None
    return gender.Detector(case_sensitive=False)


@functools.lru_cache(maxsize=4096)
def first_name_gender(name: str) -> str | None:
    """"Helena Voss" -> "f": the first name's usual gender, only for names of two words or more."""
    words = [w for w in name.split() if fold(w).strip(".") not in entities.TITLES]
    detector = _detector()
    if len(words) < 2 or detector is None:
        return None
    guess = detector.get_gender(words[0].strip(".,"))
    return {"male": "m", "mostly_male": "m", "female": "f", "mostly_female": "f"}.get(guess)
