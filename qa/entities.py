"""Who, what, where, when and how much a piece of text mentions, by rules.

No NER model installs on this machine, so mentions are found from English news style:
names are runs of capitalised words ("Kirill Dmitriev", "Prince Faisal bin Farhan",
"Russian Direct Investment Fund"), acronyms ("NATO", "U.S."); times are month and day
names, years, dates and relative times; quantities are numerals, number words and amounts.
A name is typed as an organisation by its head word ("Ministry", "Fund", "Times"), as a place
by a short list of countries and cities or a place preposition before it, and otherwise as a
person when it has two words or a title. The speaker of a sentence is who says it: "X said",
"said X", "according to X", or a pronoun ("He also said") resolved to the nearest person
named before it.

Not handled: names in lower case, names that start a sentence alone ("Lavrov said" at
a sentence start is found only through the speech verb after it), nested quotations, and
pronouns whose referent is not the nearest person before them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ingest.text import fold

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
NUMBER_WORDS = frozenset((
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion dozen dozens half once twice several").split())
SPEECH_VERBS = frozenset((
    "said says say told tells added adds stated states described describes describing called calls claimed "
    "claims noted notes noting warned warns insisted insists announced announces explained explains wrote "
    "writes asked asks replied replies argued argues suggested suggests stressed stresses declared declares "
    "acknowledged acknowledges confirmed confirms denied denies mentioned mentions indicated indicates "
    "cautioned cautions praised praises highlighted highlights expressed expresses vowed vow vows "
    "characterised characterized quoted cited").split())
PRONOUNS = frozenset("he she they it we i his her their".split())
TITLES = frozenset((
    "president prime minister foreign secretary prince king queen sheikh spokesman spokeswoman spokesperson "
    "adviser advisor envoy chancellor senator governor general ambassador director chief head leader aide "
    "mr mrs ms dr pope sir lord deputy vice crown representative").split())
ORG_HEADS = frozenset((
    "ministry department fund council union agency company bank party times news office committee kremlin "
    "government house parliament assembly court commission organization organisation corporation group "
    "institute university army forces navy police service channel tass interfax bloomberg reuters afp "
    "nations alliance nato un eu ministries team delegation administration post journal star").split())
PLACES = frozenset((
    "russia ukraine america usa us u.s. united states saudi arabia riyadh moscow washington kyiv kiev paris "
    "london berlin tehran iran europe china beijing crimea donetsk luhansk turkey black sea gaza israel "
    "jerusalem syria india japan germany france britain uk egypt qatar doha istanbul ankara california "
    "wyoming africa asia middle east kingdom diriyah santa clara denver carolina san francisco").split())
_PLACE_PREPOSITIONS = frozenset("in at near".split())
PLACE_HEADS = frozenset(("stadium arena palace airport square plaza hall center centre hotel park street avenue "
                         "bay county province city island peninsula sea river valley superdome dome").split())
_CONNECTORS = frozenset("bin ibn al de da di van von der la le of del".split())
# Capitalised words that open sentences or headlines without naming anything.
_NOT_NAMES = frozenset((
    "the a an he she it they we i you this that these those there here his her their its our my your "
    "in on at of for from to by with as after before during while when where what who why how which if "
    "but and or so yet also however meanwhile earlier later separately still then now today yesterday "
    "according ahead prior following despite although though because since until once both all some "
    "any each every many much more most no not one other another such only just even "
    "read continue remind thank dear published source photo image summarize rather normally along aside "
    "apart instead besides beyond whose whom").split()) | set(DAYS) | set(MONTHS)

_WORD = re.compile(r"[A-Za-z][\w’'.-]*|\d[\d,.:]*%?")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_DATEISH = re.compile(r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b|\b\d{4}-\d\d-\d\d\b")
_RELATIVE_TIME = re.compile(
    r"\b(yesterday|today|tomorrow|tonight|last (week|month|year|night)|next (week|month|year)|"
    r"(this|that) (week|month|year|morning|evening)|(\w+ )?(days?|weeks?|months?|years?|decades?) (ago|earlier|later)|"
    r"earlier this \w+|later this \w+|in the (morning|evening|afternoon)|century|centuries|era|season)\b", re.I)
_GLUED_DATE = re.compile(  # "PublishedMarch 26, 2025": a month glued to the word before it
    r"(?<=[a-z])(January|February|March|April|May|June|July|August|September|October|November|December)(?=\s*\d)")
_NUMBER = re.compile(r"\$?\d[\d,.]*%?|\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)


@dataclass(frozen=True)
class Mention:
    text: str  # as written
    start: int
    end: int
    kind: str  # "person", "organisation", "place", "name" (capitalised, type unknown)

    @property
    def key(self) -> str:
        """The last word, folded: "Sergei Lavrov", "Lavrov" and "Lavrov’s" share it."""
        return name_key(self.text)


def name_key(name: str) -> str:
    name = re.sub(r"[’']s\b", "", name)
    words = [w for w in re.findall(r"[\w.-]+", fold(name)) if w not in _CONNECTORS]
    last = words[-1] if words else ""
    return re.sub(r"(’s|'s)$", "", last).strip(".")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].replace(".", "").isdigit())


@functools.lru_cache(maxsize=32768)
def names(text: str) -> tuple[Mention, ...]:
    """Runs of capitalised words, typed; the first word of a sentence only when a run follows it."""
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        if not _capitalised(word) or fold(word).strip(".") in _NOT_NAMES:
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            w = tokens[j][0]
            if text[tokens[j - 1][2]:tokens[j][1]] not in (" ", "\u00a0"):
                break  # punctuation or a line break ends a name
            if _capitalised(w) and fold(w).strip(".") not in _NOT_NAMES:
                j += 1
            elif (fold(w) in _CONNECTORS and j + 1 < len(tokens) and _capitalised(tokens[j + 1][0])
                  and text[tokens[j - 1][2]:tokens[j][1]] == " "):
                j += 2
            else:
                break
        run = tokens[i:j]
        surface = text[run[0][1]:run[-1][2]].rstrip(".,’'").removesuffix("’s").removesuffix("'s")
        before = text[:start].rstrip(" \t\u00a0")
        first_of_sentence = not before or before[-1] in ".!?“\"\n:•|/"
        if first_of_sentence and len(run) == 1 and fold(word) not in PLACES and not word.isupper():
            i = j  # a lone capitalised word opening a sentence: not evidence of a name
            continue
        out.append(Mention(surface, start, start + len(surface), _kind(surface, text[:start])))
        i = j
    return tuple(out)


def _kind(surface: str, before: str) -> str:
    words = [fold(w).strip(".’'") for w in surface.split()]
    folded = " ".join(words)
    if len(words) == 1 and surface.replace(".", "").isupper() and len(surface) <= 6:
        return "organisation" if folded not in PLACES else "place"  # "NFL", "CBS", "TV"; "US" is a place
    if words and (words[-1] in ORG_HEADS or words[-1].removesuffix("s") in ORG_HEADS):
        return "organisation"
    if folded in PLACES or words[-1] in PLACES or words[-1] in PLACE_HEADS:
        return "place"
    prev = re.findall(r"[A-Za-z]+", before[-20:])
    if prev and prev[-1].lower() in _PLACE_PREPOSITIONS and len(words) <= 3 and not (set(words) & TITLES):
        return "place"
    if set(words) & TITLES or len(words) >= 2:
        return "person"
    return "name"


def persons(text: str) -> list[Mention]:
    """Mentions that look like people; a lone surname counts when the same text names its full form."""
    found = names(text)
    full = {m.key for m in found if m.kind == "person"}
    return [m for m in found if m.kind == "person" or (m.kind == "name" and m.key in full)]


@functools.lru_cache(maxsize=32768)
def times(text: str) -> tuple[str, ...]:
    out = [m.group() for m in _YEAR.finditer(text)] + [m.group() for m in _DATEISH.finditer(text)]
    out += [m.group() for m in _RELATIVE_TIME.finditer(text)]
    out += [m.group() for m in _GLUED_DATE.finditer(text)]
    for w in re.findall(r"[A-Za-z]+", text):
        if fold(w) in DAYS or (fold(w) in MONTHS and (w[0].isupper() or len(w) > 3) and fold(w) != "may"):
            out.append(w)
        elif fold(w) == "may" and re.search(r"\bMay\s+\d", text):
            out.append(w)
    return tuple(out)


@functools.lru_cache(maxsize=32768)
def quantities(text: str) -> tuple[str, ...]:
    """Numerals and number words; a bare year counts too (the caller removes what the question holds)."""
    return tuple(q for q in (m.group().rstrip(".,") for m in _NUMBER.finditer(text)) if q)


def numbers(text: str) -> list[str]:
    """Digit strings only, normalised ("4.5", "300", "2014"): what must match exactly between texts."""
    return [n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,.]*", text) if n.rstrip(".,")]


# -- who says it -----------------------------------------------------------------------------
_SPEECH = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_VERB = re.compile(r"\b(" + _SPEECH + r")\b", re.I)
_VERB_SUBJECT = re.compile(
    r"[,”\"]\s*(?P<verb>" + _SPEECH + r")\s+(?P<subj>(?:the\s+)?[\w’'.-]+(?:\s+[A-Z][\w’'.-]*){0,4})\s*[.,;]?\s*$")
_ACCORDING = re.compile(r"\baccording to\s+(?P<subj>[^,;]{1,80})", re.I)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_PRONOUN = re.compile(r"\b(he|she|they|we|i)\b", re.I)
_ROLE = re.compile(r"\b(the|a|an)\s+(?:[\w-]+\s+){0,2}?(?P<role>" + "|".join(sorted(TITLES | ORG_HEADS | {
    "official", "officials", "aide", "minister", "ministry", "diplomat", "source", "sources"}, key=len, reverse=True))
    + r")\b", re.I)


@dataclass(frozen=True)
class Speaker:
    text: str  # as written: a name, "He", "the ministry"
    start: int
    pronoun: bool  # "he/she/they": the referent lies before the sentence
    bare: bool  # "the minister", "the top aide": a role without a name


def speaker(sentence: str) -> Speaker | None:
    """Who the sentence reports as saying something, as written; None when no speech verb.

    "According to X", "..., said X." and otherwise the first name or pronoun before the first
    speech verb, outside quotation marks (a name inside a quote is not its speaker)."""
    m = _ACCORDING.search(sentence)
    if m:
        found = _first_mention(m.group("subj"))
        if found:
            return Speaker(found[0], m.start("subj") + found[1], found[2], found[3])
    m = _VERB_SUBJECT.search(sentence)
    if m:
        found = _first_mention(m.group("subj"))
        if found:
            return Speaker(found[0], m.start("subj") + found[1], found[2], found[3])
    for v in _VERB.finditer(sentence):
        head = _QUOTED.sub(lambda q: " " * len(q.group()), sentence[: v.start()])
        found = _first_mention(head)
        if found:
            return Speaker(*found)
    return None


def said_by(sentence: str, key: str, before: list[str] | None = None) -> bool:
    """Whether the sentence reports `key` (a name key) as saying something: the name stands before
    a speech verb (outside quotation marks) or after "according to", or the sentence's pronoun or
    bare-role speaker resolves to it through the sentences `before` it."""
    for v in _VERB.finditer(sentence):
        head = _QUOTED.sub(lambda q: " " * len(q.group()), sentence[: v.start()])
        if key in {m.key for m in names("x " + head)}:
            return True
    said = speaker(sentence)
    if said is None:
        return False
    if said.bare and name_key(said.text) == key:
        return True  # "the ministry was quoted" for "what did the Foreign Ministry say"
    if said.pronoun or said.bare:
        who = referent(before or [])
        return who is not None and name_key(who) == key
    return name_key(said.text) == key


def _first_mention(text: str) -> tuple[str, int, bool, bool] | None:
    """The earliest name, pronoun or bare role in `text`: (as written, offset, pronoun, bare)."""
    options = []
    found = [Mention(m.text, m.start - 2, m.end - 2, m.kind) for m in names("x " + text)]
    people = [m for m in found if m.kind == "person"]  # "Kremlin spokesman Dmitry Peskov": the person speaks
    first = people[0] if people else found[0] if found else None
    if first:
        options.append((first.start, first.text, False, False))
    p = _PRONOUN.search(text)
    if p:
        options.append((p.start(), p.group(), True, False))
    r = _ROLE.search(text)
    if r and not found:
        options.append((r.start(), r.group(), False, True))
    if not options:
        return None
    start, surface, pronoun, bare = min(options)
    return surface, start, pronoun, bare


def referent(before: list[str]) -> str | None:
    """Who a pronoun or bare role at the start of a sentence points at, given the sentences before it
    (nearest last): the speaker of the nearest sentence that names one, else the first person named
    in the nearest sentence that names one. Returned as the surname an editor would insert."""
    for sentence in reversed(before):
        said = speaker(sentence)
        if said and not said.pronoun and not said.bare:
            return _surname(said.text)
        if said and said.pronoun:
            continue  # "He said ..." before: keep looking for who "he" is
        people = [m for m in names(sentence) if m.kind in ("person", "name")]
        if people:
            return _surname(people[0].text)
    return None


def _surname(name: str) -> str:
    words = [w for w in name.split() if fold(w).strip(".") not in TITLES]
    kept = [w for w in words if fold(w) not in _CONNECTORS]
    if len(kept) >= 2 and not any(fold(w) in _CONNECTORS for w in words):
        return kept[-1]
    return " ".join(words) if words else name


@functools.lru_cache(maxsize=4096)
def name_keys(text: str) -> frozenset[str]:
    """Folded last words of every name in `text`, cached (paragraphs are scored again and again)."""
    return frozenset(m.key for m in names(text))
