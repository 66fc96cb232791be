"""Follow-ups made standalone: what "he", "them", "that meeting", "and Ushakov?" or "who else" refer to.

A chat is read turn by turn into a `qa.conversation.State`: the people, organisations and places
in play (most in focus first, with gender, number and role where the text shows them) and the
previous question's frame (what it asked, about whom). For a follow-up:
- "he/she/him/his/her" becomes the compatible person most in focus ("When will she take office?"
  after "Who did the mayor name as chair?" -> "When will Helena Voss take office?"); only the
  first such pronoun is replaced, later ones read naturally ("Where did Zelensky say he would go?");
- with nobody compatible in play (a fresh chat, or "she" when only men were named), nothing is
  guessed: `Standalone.clarify` holds the question to ask back ("Who do you mean by ‘he’? ..."),
  and `clarification()` makes it an `Answer` (answered False, tier "refused", answer_type
  "clarification", no citations);
- an ellipsis ("And Ushakov?", "And Europe?", "What about the Saudi side?") asks the previous
  question about the new thing: a person takes the place of the person it asked about, a name of
  the same kind is swapped, otherwise "about X" is added;
- "who else / what else / what next" exclude what the previous answer already said: the names it
  gave (`Standalone.excluded`) and its sentences (`Standalone.answered`); "what did he add / say
  next" continues only a quote the previous answer gave (`Standalone.continues`);
- anything else that leans on the chat ("they", "it", "that meeting", "the same") is searched
  with the previous question's words beside it, at half weight (`Standalone.context`).
`Standalone.query` (shown as `Answer.query`, and as "Understood as" on the page) is what was searched.

Not handled: references to the assistant's own wording ("the second one"); "they" for people
named one by one, and "it", which stay with the half-weight context (an LLM condenser may do
these; its rewrite must keep the names the rules found, else the rules' version is used).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from reading.lexicon import POINTS_BACK_AFTER, POSSESSIVES
from reading.text import fold, norm_key, terms
from qa import conversation, entities
from qa.answer import Answer
from qa.settings import CondensingTuning

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers|himself|herself)\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"^\s*(who|whom|whose)\b", re.IGNORECASE)
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


@dataclass(frozen=True)
class Standalone:
    """A question as it stands alone: what is analysed, what is searched, and what is excluded."""

    question: str  # the follow-up rewritten (pronouns replaced, ellipsis completed)
    context: str = ""  # the earlier question it continues, searched at half weight
    excluded: frozenset[str] = frozenset()  # name keys the previous answer gave ("who else")
    answered: frozenset[str] = frozenset()  # norm keys of sentences the previous answer quoted
    continues: bool = False  # "what did he add / say next": the answer follows what was quoted
    weights: dict[str, float] = field(default_factory=dict, compare=False)
    # Non-empty when nobody in the chat fits a pronoun: the question to ask back instead of
    # answering ("Who do you mean by ‘he’? ..."); nothing should be searched then.
    clarify: str = ""

    @property
    def query(self) -> str:
        return f"{self.question} ({self.context})" if self.context else self.question


def is_follow_up(question: str) -> bool:
    if leans_on_context(question):
        return True
    return len(terms(question)) <= 1 and not entities.names("x " + question)


_DETERMINER_OR_NAME = re.compile(r"\s+(?:(?i:the|a|an|this|these|those|his|her|its|their|our|my|your|some|no|he|she|it|"
                                 r"they|we|i|you|there)\b|[A-Z\d])")
# A word that reads as a verb after a relative "that" ("collapsed", "follows", "was"): a past or third-person
# form, or an auxiliary; "that day", "that crisis" read as a demonstrative and a noun.
_VERB_LIKE = re.compile(r"\w+ed|\w+[^su\W]s|is|was|were|are|has|had|have|will|would|could|can|did|does|do|may|might|"
                        r"must|should")


def leans_on_context(question: str) -> bool:
    """Whether the question refers to something it does not itself give, so it reads as a follow-up.
    A word like "that" or "its" leans on the chat only when it points outside the question:
    - "that" as a demonstrative ("that meeting", "Who said that?"), not as a conjunction or relative ("Who
      said that Russia ...": before a determiner or a name; "the deal that collapsed": after a lower-case
      noun, before a word that reads as a verb); "this/these/those" always;
    - "its/their" with no name before it in the question ("Who said Russia would hear out its American
      colleagues?" gives its own antecedent); "he/she/his/her" with no person named before it;
    - "it/they/them/there/then" and "the same/the other/else/again/next/also", and an opening "and/but/what about".
    Not handled: "it" whose antecedent the question gives ("Why did Russia reject the plan it was offered?"),
    and a relative "that" before a verb of no such form ("the talks that led to ...")."""
    for m in _LEANS_ON_CONTEXT.finditer(question):
        word = m.group().lower()
        before = question[: m.start()]
        if word == "that":  # only "that" is also a conjunction and a relative pronoun
            previous = re.findall(r"[\w’'-]+", before)
            after = question[m.end():]
            if _DETERMINER_OR_NAME.match(after) and after.strip()[:1] not in "?.!":
                continue  # "said that Russia", "that the talks": a conjunction
            following = re.match(r"\s+([\w’'-]+)", after)
            if (previous and previous[-1].islower() and previous[-1] not in POINTS_BACK_AFTER and following
                    and _VERB_LIKE.fullmatch(following.group(1).lower())):
                continue  # "the deal that collapsed": a relative pronoun (after a noun, before a verb)
            return True
        if word in POSSESSIVES and entities.names("x " + before):
            continue
        if _PERSON_PRONOUN.fullmatch(word) and any(e.personlike for e in conversation.mentioned(before)):
            continue
        return True
    return False


class RulesCondenser:
    """The `qa.stages.Condenser` by rules (`standalone_query`): no model, the default for every backend
    whose model does not rewrite follow-ups."""

    def __init__(self, tuning: CondensingTuning | None = None):
        self.tuning = tuning or CondensingTuning()

    def condense(self, question: str, history: list[dict[str, str]], *, corpus=None) -> Standalone:
        return standalone_query(question, history, corpus=corpus, tuning=self.tuning)


def standalone_query(question: str, history: list[dict[str, str]], *, corpus=None,
                     tuning: CondensingTuning | None = None) -> Standalone:
    """Resolve `question` against the chat so far (messages with role and content).

    `corpus` (an `ingest.corpus.Corpus`, optional) lets the articles' own pronouns tell a
    person's gender ("Okoro himself"); without it the chat's answers and first names do."""
    weight = (tuning or CondensingTuning()).history_weight
    gender_of = conversation.corpus_gender(
        lambda word: [p.text for p in corpus.naming(word, boilerplate=False)]) if corpus is not None else None
    state = conversation.State()
    pending: Standalone | None = None
    answer = ""
    for m in history:
        if m["role"] == "user" and m["content"].strip():
            if pending is not None:
                state = _advance(state, pending, answer, gender_of)
            pending, answer = _resolve(m["content"], state, "", weight), ""
        elif m["role"] == "assistant" and pending is not None:
            answer = m["content"]
    if pending is not None:
        state = _advance(state, pending, answer, gender_of)
    return _resolve(_bare_name(question, corpus), state, answer, weight)


def _bare_name(question: str, corpus=None) -> str:
    """A question that is only a name ("Okafor?") asked as what it means: "Who is Ngozi Okafor?" when the
    articles name a person so (`_person_named`), else "Who is X?" for a person by the rules' reading of the
    question and "What is X?" for anything else; any other question as it is. Not handled: a bare name
    meant as an ellipsis of the previous question ("Okafor?" for "and what did Okafor say?"; "And
    Okafor?" is read so)."""
    bare = question.strip().rstrip("?!. ").strip()
    found = entities.names("x " + bare)
    if len(found) != 1 or found[0].start != 2 or found[0].end != len(bare) + 2 or len(bare.split()) > 4:
        return question
    fullest = _person_named(corpus, found[0].key) if corpus is not None else None
    if fullest is not None:
        return f"Who is {fullest}?"
    return f"Who is {bare}?" if found[0].kind == "person" else f"What is {bare}?"


def _person_named(corpus, key: str) -> str | None:
    """How the articles most often write in full the person whose name key is `key` ("Ngozi Okafor"), from
    stored mentions of kind person, less any title ("Foreign Minister Sergei Lavrov" counts as "Sergei Lavrov");
    None when no stored mention of a person has that key."""
    forms: dict[str, int] = {}
    for para in corpus.naming(key, boilerplate=False):
        for unit in para.units:
            for m in unit.mentions:
                words = para.text[m.start:m.end].split()
                titled = [i for i, w in enumerate(words) if fold(w).strip(".") in entities.TITLES]
                text = " ".join(words[titled[-1] + 1:] if titled else words)
                if m.kind == "person" and len(text.split()) > 1 and entities.name_key(text) == key:
                    forms[text] = forms.get(text, 0) + 1
    return max(forms, key=lambda f: (forms[f], -len(f))) if forms else None


def _advance(state: conversation.State, turn: Standalone, answer: str, gender_of) -> conversation.State:
    asked = turn.question if not turn.clarify else ""
    return conversation.advance(state, asked, _plain(answer), asks_who=bool(_ASKS_WHO.match(asked)),
                                gender_of=gender_of)


def _resolve(question: str, state: conversation.State, answer: str, history_weight: float) -> Standalone:
    question = " ".join(question.split())
    previous = state.frame
    m = _ELLIPSIS.match(question)
    if m and _QUESTION_WORD.match(m.group("x")):
        question, m = m.group("x")[0].upper() + m.group("x")[1:].rstrip(" ?") + "?", None  # "And who ...?"
    pronouns = _unresolved_pronouns(question)
    if previous is None and not state.entities:
        if pronouns:  # "What did he say next?" with nobody in play: ask back rather than guess
            return Standalone(question, clarify=_ask_back(pronouns[0]), weights=_weights(question, ""))
        return Standalone(question, weights=_weights(question, ""))
    if previous is None or not (m or is_follow_up(question)):
        return Standalone(question, weights=_weights(question, ""))
    text = _ask_about(previous.question, m.group("x"), previous.about) if m else question
    if not m:
        for pronoun in pronouns:
            who = conversation.referent(state, pronoun)
            if who is None:
                return Standalone(question, clarify=_ask_back(pronoun), weights=_weights(question, ""))
            text = _replace_first(text, pronoun, who.proper)
    bare = not m and len(question.split()) <= 2 and not entities.names("x " + question)  # "When?", "How soon?"
    context = (_filled(previous.question, state) if bare
               else previous.question if not m and leans_on_context(text) else "")
    excluding, continues = bool(_EXCLUDING.search(question)), bool(_CONTINUING.search(question))
    continues = continues and state.quoted  # "what did he say next" continues only a quote already given
    excluded = frozenset(mm.key for mm in entities.names("x " + _plain(answer))) if excluding else frozenset()
    answered = (frozenset(norm_key(s) for s in _answer_sentences(answer)) if excluding or continues
                else frozenset())
    return Standalone(text, context, excluded, answered, continues, _weights(text, context, history_weight))


CLARIFY_NOTE = "asked back: nobody in the conversation fits the pronoun, so nothing was searched"


def clarification(resolved: Standalone, question: str, timings: dict[str, float] | None = None) -> Answer:
    """The answer that asks back ("Who do you mean by ‘he’? ..."): not answered, tier "refused",
    no citations and no closest passages; `answer_type` "clarification" tells the page."""
    timings = dict(timings or {})
    timings["total"] = round(sum(timings.values()), 2)
    return Answer(text=resolved.clarify, citations=[], answered=False, tier="refused", answer_type="clarification",
                  question=question, query=resolved.query, notes=[CLARIFY_NOTE], timings_ms=timings)


def _filled(previous: str, state: conversation.State) -> str:
    """The previous question as what its answer said, for a bare "When?" or "How soon?": a *who*
    question with the person its answer named in its place ("Who is going to visit Zelensky?" ->
    "Keith Kellogg is going to visit Zelensky"); any other question as it was."""
    m = _ASKS_WHO.match(previous)
    top = state.entities[0] if state.entities else None
    if not m or top is None or not top.personlike or top.key in {e.key for e in conversation.mentioned(previous)}:
        return previous
    return top.proper + previous[m.end():].rstrip(" ?")


def _unresolved_pronouns(question: str) -> list[str]:
    """he/she/him/his/her... that the question itself gives no person for (one per gender, in order).
    "Did Putin say he would come?" names its own "he"."""
    out: list[str] = []
    for p in _PERSON_PRONOUN.finditer(question):
        people = [e for e in conversation.mentioned(question[: p.start()]) if e.personlike]
        if people:
            continue
        gender = p.group().lower() in conversation.MALE
        if all((q.lower() in conversation.MALE) != gender for q in out):
            out.append(p.group())
    return out


def _ask_back(pronoun: str) -> str:
    return f"Who do you mean by ‘{pronoun.lower()}’? Please ask again with the name."


_OBJECT_FOLLOWS = re.compile(r"^\s*(?:[?.!,;:]|$|(?:and|or|to|about|for|in|on|at|with|after|before|again|now|then|"
                             r"say|said|first|last|there|here|back|up|out|as|if|when|that)\b)", re.IGNORECASE)


def _replace_first(text: str, pronoun: str, name: str) -> str:
    """The first "he/him/his/her..." of `pronoun`'s gender becomes `name` ("his"/"hers" and a
    possessive "her" become "name’s"); later ones stay pronouns, as a person would write it."""
    group = conversation.MALE if pronoun.lower() in conversation.MALE else conversation.FEMALE
    for p in _PERSON_PRONOUN.finditer(text):
        word = p.group().lower()
        if word not in group:
            continue
        if word in ("himself", "herself"):
            continue
        possessive = word in ("his", "hers") or (word == "her" and not _OBJECT_FOLLOWS.match(text[p.end():]))
        return text[: p.start()] + (f"{name}’s" if possessive else name) + text[p.end():]
    return text


def _weights(question: str, context: str, history_weight: float = 1.0) -> dict[str, float]:
    """Term -> weight for selection: the question's terms 1, the earlier question's `history_weight`."""
    weights = dict.fromkeys(terms(context), history_weight)
    weights.update(dict.fromkeys(terms(question), 1.0))
    return weights


def _ask_about(previous: str, thing: str, about: conversation.Entity | None = None) -> str:
    """The previous question asked about something else:
    "And Ushakov?" after "What did Dmitriev say about Trump?" (a question about Dmitriev) ->
    "What did Ushakov say about Trump?": a person takes the place of the person it asked about;
    "And Europe?" after "What did Lavrov say about Ukraine?" -> "What did Lavrov say about Europe?";
    "What about the Russian side?" after "Which Saudi officials attended?" -> "Which Russian officials attended?"."""
    explicit = re.match(r"^(about|regarding|on)\s+", thing.strip(), flags=re.IGNORECASE)
    thing = re.sub(r"^(about|regarding|on)\s+", "", thing.strip(), flags=re.IGNORECASE)
    swapped = None if explicit else _swap_person(previous, thing, about)
    if swapped:
        return swapped
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
                after = previous[at + len(m.text):]
                if re.match(r"\s+[a-z]", after):  # "Saudi officials": the adjective alone is swapped
                    return previous[:at] + new[0].text + after
                words = thing.split()  # "the US?" -> "the Russian side?": the whole new phrase
                if words and words[0].lower() == "the" and previous[:at].lower().endswith("the "):
                    words = words[1:]
                return previous[:at] + " ".join(words) + after
    return f"{previous.rstrip(' ?')} about {thing}?"


def _swap_person(previous: str, thing: str, about: conversation.Entity | None) -> str | None:
    """`previous` asked about the person `thing` names instead of `about`; None when `thing` is
    not a lone name of a person or `about` is not written in `previous`."""
    if about is None:
        return None
    new = [e for e in conversation.mentioned(thing)]
    if len(new) != 1 or not new[0].personlike or new[0].key == about.key:
        return None
    if len(" ".join(w for w in re.findall(r"[\w’'-]+", thing) if w[0].isupper()).split()) != len(thing.split()):
        return None  # "the US delegation", "his remarks": not a lone name
    for m in entities.names("x " + previous):
        if m.key == about.key:
            start, end = m.start - 2, m.end - 2
            return previous[:start] + thing.strip() + previous[end:]
    return None


def _plain(answer: str) -> str:
    """An earlier answer as text: markers, markdown links and escapes removed."""
    return _MARKER.sub(" ", answer).replace("\\", "")


def _answer_sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"\s*\[\[?\d+\]\]?(?:\([^)]*\))?\s*", answer.replace("\\", "")) if s.strip()]


def check_rewrite(rewrite: str, rules: Standalone) -> bool:
    """An LLM's standalone question is used only if it keeps every name the rules resolved."""
    keys = {m.key for m in entities.names("x " + rewrite)}
    return all(m.key in keys for m in entities.names("x " + rules.question))
