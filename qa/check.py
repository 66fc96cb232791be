"""Check every sentence of a generated answer against the paragraph it cites, as an editor would.

A generated sentence stands only if its cited paragraph supports it, on every count:
- the paragraph is article text: boilerplate and text addressed to an AI never support anything,
  and the supporting sentence itself must be prose that gives no orders;
- every name in the sentence (person, organisation, place) occurs in the paragraph or its headline,
  matched by its last word ("Lavrov" matches "Sergey Lavrov", "US" matches "U.S.");
- every number, number word ("three", "four-and-a-half" = 4.5), ordinal ("second"), weekday and
  month in it occurs there too, by value;
- who said what matches: when the sentence reports speech ("X said ..."), X must be one the
  paragraph's supporting sentence attributes speech to (a name before its speech verb, the agent
  of "described by X", "according to X", or, for "He said", the person `entities.referent` finds
  in the sentences before it, the previous paragraph included);
- and, as before, most of its content words occur in the paragraph (`LEXICAL_MIN`) and its MiniLM
  vector is close to one of the paragraph's sentences (`SEMANTIC_MIN`).
A sentence that fails against the paragraph it cites is re-cited to another source that passes
the same test, or removed with a note saying what was missing. `python -m qa.eval.check_eval` measures
the check as a classifier on data/support.jsonl (docs/quality.md).

Each source's sentences are embedded once per `SupportChecker`, and each generated sentence is
judged once (cached), so a streaming answer costs one check per finished sentence.

Not handled: negation and hedging ("did not" vs "did"), relative times ("last week", "this
week" vs "that week" are not compared), a number written as words in one text and as a different
combination in the other ("two hundred" vs "200"), facts split across two sources in one sentence,
and speech verbs the entity rules do not list ("pledged", "dismissed").
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from reading import sentence_spans
from reading.lexicon import CITATION_MARKERS, QUOTED
from reading.numbers import values
from ingest.corpus import Para
from reading.text import fold, terms
from qa import entities
from qa.select import usable

LEXICAL_MIN = 0.4  # was 0.6 before names and numbers were checked apart (docs/quality.md)
SEMANTIC_MIN = 0.55
_MARKERS = _LEADING = CITATION_MARKERS

# -- numbers by value: reading.numbers ------------------------------------------------
quantities = values  # "4.5" and "four-and-a-half" are ("n", 4.5); "second" is ("ord", 2)


def _show(q: tuple[str, float]) -> str:
    return f"{q[1]:g}" if q[0] == "n" else f"ordinal {q[1]:g}"


# -- names and when ------------------------------------------------------------------------------
def _keys(word: str) -> set[str]:
    """A folded word as it may be matched: as written, without dots ("u.s." -> "us") and possessive,
    and each part of a hyphenated word ("Russia-US")."""
    word = re.sub(r"'s$", "", word.strip(".'-"))
    out = {word, word.replace(".", "")}
    for part in re.split(r"[-/]", word):
        if part:
            out |= {part, part.replace(".", "")}
    return {w for w in out if w}


def _words(text: str) -> set[str]:
    out: set[str] = set()
    for w in re.findall(r"[\w.'/-]+", fold(text)):
        out |= _keys(w)
    return out


def _name_keys(name: str) -> list[str]:
    """What must occur for a name to count as present: its last word, each part if hyphenated."""
    key = entities.name_key(name)
    return sorted({k for k in re.split(r"[-/]", key.replace(".", "")) if k}) or [key]


def _when(text: str) -> set[str]:
    return {fold(t) for t in entities.times(text) if fold(t) in entities.DAYS or fold(t) in entities.MONTHS}


def missing(sentence: str, source: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The names, numbers, weekdays and months of `sentence` that `source` does not hold, as written.
    `known`: name keys the source refers to without naming them ("He said" after "Lavrov ...")."""
    words = _words(source) | known
    out = [m.text for m in entities.names("x " + sentence) if not all(k in words for k in _name_keys(m.text))]
    have = quantities(source)
    out += [_show(q) for q in sorted(quantities(sentence) - have)]
    out += sorted(_when(sentence) - _when(source))
    return out


# -- who said it -----------------------------------------------------------------------------------
_VERBS = "|".join(sorted(entities.SPEECH_VERBS, key=len, reverse=True))
_SPEECH = re.compile(r"\b(" + _VERBS + r")\b", re.I)
_QUOTED = QUOTED
_NOUN_USE = re.compile(r"(?P<lead>(?:['’]s|\b(?:the|a|an|his|her|their|its|our|these|those))\s+)"
                       r"(?P<word>" + _VERBS + r")\b", re.I)
_AGENT = re.compile(r"^\s*(?:as\s+[^,.;]{0,60}?\s+)?by\s+(?P<agent>[^,.;]{1,80})", re.I)


def attributed(sentence: str, before: list[str]) -> set[str]:
    """Name keys of everyone `sentence` reports as speaking: the names and roles before a speech
    verb, the agent of a passive one ("described as productive by Russian officials"), the speaker
    `entities.speaker` finds, and the referent of a pronoun (from the sentences `before`)."""
    sentence = _verbs_only(sentence)
    plain = _QUOTED.sub(lambda q: " " * len(q.group()), sentence)
    keys: set[str] = set()
    said = entities.speaker(sentence)
    if said is not None:
        keys |= _speaker_keys(said, before)
    for verb in _SPEECH.finditer(plain):
        head = plain[: verb.start()]
        keys |= {k for m in entities.names("x " + head) for k in _name_keys(m.text)}
        pronoun = re.search(r"\b(he|she|they)\b", head, re.I)
        if pronoun:
            who = entities.referent(before + [sentence[: pronoun.start()]])
            if who:
                keys.add(entities.name_key(who))
        role = re.search(r"\b(?:the|a|an)\s+(?:[\w-]+\s+){0,2}?([\w-]+)\s*$", head.strip(), re.I)
        if role:
            keys.add(fold(role.group(1)))
        agent = _AGENT.match(plain[verb.end():])
        if agent:
            keys |= {k for m in entities.names("x " + agent.group("agent")) for k in _name_keys(m.text)}
            keys |= {fold(w) for w in re.findall(r"[A-Za-z]+", agent.group("agent"))}
    return keys


def subject(sentence: str) -> set[str]:
    """The name a sentence opens with (its subject in news style), as keys: who a sentence without a
    speech verb ("X dismissed reports") may be paraphrased as saying it ("X denied")."""
    found = entities.names("x " + sentence)
    return set(_name_keys(found[0].text)) if found else set()


def _said_by(sentences: list[str], best: int, before: list[str]) -> set[str]:
    """Who a paragraph has saying its sentence `best`: those the sentence attributes speech to; for a
    sentence without a speech verb, those of the nearest sentence before it that has one (a report
    continued), or else its subject (the paragraph reports no speech: "X dismissed" may be "X denied")."""
    for j in range(best, -1, -1):
        keys = attributed(sentences[j], before + sentences[:j])
        if keys:
            return keys
    return subject(sentences[best])


def _verbs_only(sentence: str) -> str:
    """Speech words used as nouns ("Trump's calls", "the phone calls", "his claims") blanked out."""
    return _NOUN_USE.sub(lambda m: m.group("lead") + "~" * len(m.group("word")), sentence)


def _speaker_keys(said: entities.Speaker, before: list[str]) -> set[str]:
    if said.pronoun:
        who = entities.referent(before)
        return {entities.name_key(who)} if who else set()
    if said.bare:
        return {fold(said.text.split()[-1])}
    return set(_name_keys(said.text))


def speaker_of(sentence: str, before: list[str]) -> set[str] | None:
    """Who a generated sentence says is speaking (name keys), or None when it reports no speech."""
    said = entities.speaker(_verbs_only(sentence))
    if said is None:
        return None
    return _speaker_keys(said, before) or None


# -- the check -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """One generated sentence judged against one paragraph."""

    supported: bool
    why: str  # what failed, for the note; "" when supported
    span: tuple[int, int] = (0, 0)  # the paragraph sentence closest in meaning
    lexical: float = 0.0
    semantic: float = 0.0


@dataclass(frozen=True)
class Checked:
    text: str  # the sentence without its markers
    source: int  # 0-based index into the prompt's sources
    quote_span: tuple[int, int]  # the supporting sentence inside that source
    lexical: float
    semantic: float
    recited: bool = False  # supported by another source than the one the model cited


@dataclass(frozen=True)
class CheckResult:
    kept: list[Checked]
    removed: list[str]  # one line per removed or changed sentence, for Answer.notes
    counts: dict[str, int] = field(default_factory=dict)  # kept, recited, removed: Answer.checked


def split_generated(text: str) -> list[tuple[str, list[int]]]:
    """Generated text -> (sentence without markers, cited numbers) pairs."""
    out: list[tuple[str, list[int]]] = []
    flat = " ".join(text.split())
    for a, b in sentence_spans(flat):
        piece = flat[a:b]
        lead = _LEADING.match(piece)
        if lead and out:  # "... talks. [2] Next sentence": the [2] closes the sentence before
            out[-1][1].extend(int(n) for n in lead.group(1).split(","))
            piece = piece[lead.end():]
        cited = [int(n) for group in _MARKERS.findall(piece) for n in group.split(",")]
        sentence = _MARKERS.sub("", piece).strip()
        if sentence:
            out.append((sentence, cited))
    # a marker standing alone after the full stop ("... talks. [2]") belongs to the sentence before it
    merged: list[tuple[str, list[int]]] = []
    for sentence, cited in out:
        if merged and not terms(sentence) and cited:
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        else:
            merged.append((sentence, cited))
    return [(s, c) for s, c in merged if terms(s)]


class SupportChecker:
    """Judges generated sentences against a fixed list of sources (the prompt's).

    `before(para)` gives the sentences before a paragraph in its article (the previous paragraph),
    to resolve a "He said" that opens it; without it, pronouns resolve within the paragraph only."""

    def __init__(self, sources: list[Para], embedder, before: Callable[[Para], list[str]] | None = None):
        self.sources = sources
        self.embedder = embedder
        self.before = before or (lambda para: [])
        # the sentences ingest read (Para.sentences: units, wrapped lines joined); boilerplate has none stored
        self._spans = [list(p.sentences) or sentence_spans(p.text) or [(0, len(p.text))] for p in sources]
        self._vectors: list[np.ndarray] | None = None  # per source: its sentences' vectors
        self._terms = [set(terms(p.text)) for p in sources]
        self._cache: dict[tuple, tuple[Checked | None, list[str]]] = {}
        self.embedded = 0  # texts embedded so far (sources once, then one per new sentence)

    def _source_vectors(self) -> list[np.ndarray]:
        if self._vectors is None:
            flat = [p.text[a:b] for p, spans in zip(self.sources, self._spans) for a, b in spans]
            vectors = self._embed(flat)
            out, at = [], 0
            for spans in self._spans:
                out.append(vectors[at: at + len(spans)])
                at += len(spans)
            self._vectors = out
        return self._vectors

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        self.embedded += len(texts)
        vectors = np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def judge(self, sentence: str, i: int, vector: np.ndarray | None = None, earlier: Iterable[str] = ()) -> Verdict:
        """Does source `i` support `sentence`? `earlier`: the generated sentences before it (for "He")."""
        para = self.sources[i]
        if para.boilerplate:
            return Verdict(False, f"{para.label} is not article text ({para.boilerplate})")
        absent = missing(sentence, f"{para.text}\n{para.headline or ''}", self._referred(i))
        if absent:
            return Verdict(False, f"{para.label} does not mention {', '.join(absent)}")
        if vector is None:
            vector = self._embed([sentence])[0]
        sims = self._source_vectors()[i] @ vector
        order = [j for j in np.argsort(-sims) if usable(para.text[slice(*self._spans[i][j])])]
        if not order:
            return Verdict(False, f"{para.label} holds no usable sentence")
        best = int(order[0])
        span, semantic = self._spans[i][best], float(sims[best])
        lexical = _lexical(sentence, self._terms[i])
        if lexical < LEXICAL_MIN or semantic < SEMANTIC_MIN:
            return Verdict(False, f"{para.label} does not say it", span, lexical, semantic)
        who = speaker_of(sentence, list(earlier))
        if who:
            sentences = [para.text[a:b] for a, b in self._spans[i]]
            said_by = _said_by(sentences, best, self.before(para))
            if not who & said_by:
                return Verdict(False, f"{para.label} does not attribute it to "
                                      f"{entities.speaker(sentence).text}", span, lexical, semantic)
        return Verdict(True, "", span, lexical, semantic)

    def _referred(self, i: int) -> frozenset[str]:
        """Who source `i` has speaking through a pronoun opening one of its sentences ("He said")."""
        para = self.sources[i]
        sentences = [para.text[a:b] for a, b in self._spans[i]]
        out: set[str] = set()
        for j, text in enumerate(sentences):
            if re.match(r"\W*(?:\w+,?\s+)?(he|she)\b", text, re.I):
                who = entities.referent(self.before(para) + sentences[:j])
                if who:
                    out.add(entities.name_key(who))
        return frozenset(out)

    def sentence(self, sentence: str, cited: list[int], earlier: tuple[str, ...] = ()) -> tuple[Checked | None, list[str]]:
        """One generated sentence: kept as cited, re-cited, or removed; with the notes. Cached."""
        key = (sentence, tuple(cited), earlier)
        if key in self._cache:
            return self._cache[key]
        n = len(self.sources)
        valid = [c - 1 for c in cited if 1 <= c <= n]
        notes = []
        bogus = [c for c in cited if not 1 <= c <= n]
        if bogus:
            notes.append(f"citation {', '.join(f'[{c}]' for c in bogus)} points to no source: dropped")
        vector = self._embed([sentence])[0]
        result, reasons = None, []
        for i in valid + [i for i in range(n) if i not in valid]:
            verdict = self.judge(sentence, i, vector, earlier)
            if verdict.supported:
                result = Checked(sentence, i, verdict.span, verdict.lexical, verdict.semantic,
                                 recited=i not in valid)
                break
            if i in valid:
                reasons.append(verdict.why)
        if result is None:
            why = f" ({'; '.join(reasons)})" if reasons else ""
            notes.append(f"removed, not supported by the sources{why}: “{sentence}”")
        elif result.recited:
            where = f"{self.sources[result.source].file} ¶{self.sources[result.source].number}"
            notes.append(f"re-cited to {where}, which supports it (the model cited another source): “{sentence}”")
        self._cache[key] = (result, notes)
        return result, notes

    def check(self, text: str) -> CheckResult:
        return self.check_pairs(split_generated(text))

    def check_pairs(self, pairs: list[tuple[str, list[int]]]) -> CheckResult:
        """Sentences already split (`split_generated`); each one judged once across calls."""
        kept, notes = [], []
        counts = {"kept": 0, "recited": 0, "removed": 0}
        earlier: tuple[str, ...] = ()
        for sentence, cited in pairs:
            result, why = self.sentence(sentence, cited, earlier[-2:])
            earlier += (sentence,)
            notes += why
            if result is None:
                counts["removed"] += 1
            else:
                kept.append(result)
                counts["recited" if result.recited else "kept"] += 1
        return CheckResult(kept, notes, counts)


def check(text: str, sources: list[Para], embedder, before: Callable[[Para], list[str]] | None = None) -> CheckResult:
    """Check a whole generated answer once (see `SupportChecker` to check one as it streams)."""
    return SupportChecker(sources, embedder, before).check(text)


def _lexical(sentence: str, source_terms: set[str]) -> float:
    words = set(terms(sentence))
    if not words:
        return 0.0
    return len(words & source_terms) / len(words)


def previous_paragraph(corpus) -> Callable[[Para], list[str]]:
    """For `SupportChecker(before=...)`: the sentences of the paragraph before, in the same article,
    when it is article text (a "He said" opening a paragraph points there)."""
    def before(para: Para) -> list[str]:
        prev = corpus.beside(para, -1)
        if prev is None or prev.boilerplate:
            return []
        return [prev.text[a:b] for a, b in prev.sentences]
    return before
