"""Who published what: an article's outlet, the agencies it credits, and which articles are copies of one story.

- **Copies** (near-duplicates): two articles are copies of one story when the Jaccard similarity of their sets
  of word 5-shingles (runs of five consecutive words, case folded) is at least `COPY_JACCARD`, estimated with
  datasketch's MinHash (`NUM_PERM` permutations) over the article's text (boilerplate left out). A wire story
  run by two outlets, or one outlet's page saved twice with different page furniture, is one story. Why
  shingles and not the snapshot's MiniLM vectors: every article about the same talks is close in meaning
  (docs/corroboration.md measures the five articles: vector cosine cannot tell the copy pair from the rest,
  shingle Jaccard can), and a copy is a matter of wording, not topic.
- **Outlet**: what the article names as its own (`ingest.metadata.find_outlet`, stored in the manifest's file
  record at ingest); a story takes the outlets its copies name.
- **Credits**: agencies the text credits, as written: "AFP contributed reporting", "— Agencies with input from
  SG", "(Reuters) -", and for one sentence "…, Bloomberg reports" or "according to Reuters".

Shapes: `stories(corpus, files)` -> {file: Story}; signatures are computed once per corpus (one commit) and
file. Errors: none raised. Not handled: copies of a part of an article (a story quoted at length inside a
longer one is not a copy), outlets named only in a page's HTML that ingest did not keep, and agencies outside
`AGENCIES` credited without the words "contributed", "reports" or "according to".
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

from reading.lexicon import AGENCIES
from reading.text import fold

SHINGLE = 5  # words a shingle
NUM_PERM = 128  # MinHash permutations: the Jaccard estimate's standard error is about 0.09 at 0.5
COPY_JACCARD = 0.5  # estimated Jaccard at or above which two articles are copies of one story
_AGENCY = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
_ARTICLE_CREDIT = [
    re.compile(rf"\b(?:{_AGENCY})(?:\s+and\s+(?:{_AGENCY}))?\s+contributed(?:\s+to)?(?:\s+this)?\s+(?:reporting|report)\b"),
    re.compile(rf"[—–-]\s*(?:{_AGENCY})\b(?:\s+with\s+input\s+from\s+[\w .]+)?\s*$"),
    re.compile(rf"^\s*(?:[A-Z][A-Za-z .]+)?\((?:{_AGENCY})\)\s*[—–-]"),  # a dateline: "MOSCOW (Reuters) -"
]
_SENTENCE_CREDIT = re.compile(rf"(?:\b(?:{_AGENCY})(?:\s+news\s+agency)?\s+(?:reports|reported)\b|"
                              rf"\baccording\s+to\s+(?:the\s+)?(?:{_AGENCY})\b|"
                              rf"\b(?:by|from)\s+the\s+(?:{_AGENCY})\s+news\s+agency\b|"
                              rf"\b(?:{_AGENCY})\s+news\s+agency\b)")


@dataclass(frozen=True)
class Story:
    """One story and its copies: `files` in name order (the first is the story's key), the outlets they name
    ("Harbor Ledger / Valley Courier" for a wire story two outlets ran; None when none names one), and the
    agencies their text credits."""

    files: tuple[str, ...]
    outlet: str | None
    credits: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.files[0]


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """Word n-grams of `text`, case folded; a text shorter than n words is one shingle."""
    words = re.findall(r"\w+", fold(text))
    return {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))} if words else set()


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def article_text(corpus, file: str) -> str:
    """The article's own text: its paragraphs that are not boilerplate, joined."""
    return "\n".join(p.text for p in corpus.article(file) if not p.boilerplate)


class _Signatures:
    """MinHash per file of one corpus (one commit), made on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_file: dict[str, object] = {}
        self.credits: dict[str, tuple[str, ...]] = {}


_per_corpus: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_per_corpus_lock = threading.Lock()


def _cache(corpus) -> _Signatures:
    with _per_corpus_lock:
        found = _per_corpus.get(corpus)
        if found is None:
            found = _per_corpus[corpus] = _Signatures()
        return found


def signature(corpus, file: str):
    """The MinHash (datasketch, `NUM_PERM` permutations) of the article's word shingles, cached per corpus."""
    cache = _cache(corpus)
    with cache.lock:
        found = cache.by_file.get(file)
    if found is None:
        from datasketch import MinHash

        found = MinHash(num_perm=NUM_PERM, seed=1)
        found.update_batch([s.encode("utf-8") for s in shingles(article_text(corpus, file))])
        with cache.lock:
            cache.by_file[file] = found
    return found


def similarity(corpus, a: str, b: str) -> float:
    """The estimated Jaccard similarity of two articles' shingle sets (0..1)."""
    return 1.0 if a == b else float(signature(corpus, a).jaccard(signature(corpus, b)))


def article_credits(corpus, file: str) -> tuple[str, ...]:
    """The agencies the article credits, as written ("AFP contributed reporting"), in text order, cached."""
    cache = _cache(corpus)
    with cache.lock:
        found = cache.credits.get(file)
    if found is None:
        out = []
        for p in corpus.article(file):
            for line in p.text.split("\n"):
                for pattern in _ARTICLE_CREDIT:
                    m = pattern.search(line)
                    if m:
                        out.append(" ".join(m.group().strip(" —–-").split()))
        found = tuple(dict.fromkeys(out))
        with cache.lock:
            cache.credits[file] = found
    return found


def sentence_credits(text: str) -> tuple[str, ...]:
    """The agencies one sentence attributes its report to, as written ("Bloomberg reports")."""
    return tuple(dict.fromkeys(" ".join(m.group().split()) for m in _SENTENCE_CREDIT.finditer(text)))


def agencies(credits) -> set[str]:
    """The agencies (`AGENCIES`, as listed) that credits name: {"AFP"} for ("AFP contributed reporting",)."""
    return {m.group() for c in credits for m in re.finditer(rf"\b(?:{_AGENCY})\b", c)} - {"Agencies"}


def stories(corpus, files) -> dict[str, Story]:
    """Each of `files` mapped to its story: files whose estimated shingle Jaccard is >= `COPY_JACCARD` (and files
    linked through such pairs) are one story. O(n²) MinHash comparisons over the files asked about (an answer's
    few), not over the corpus."""
    files = sorted(dict.fromkeys(files))
    parent = {f: f for f in files}

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    for i, a in enumerate(files):
        for b in files[i + 1:]:
            if root(a) != root(b) and similarity(corpus, a, b) >= COPY_JACCARD:
                parent[max(root(a), root(b))] = min(root(a), root(b))
    groups: dict[str, list[str]] = {}
    for f in files:
        groups.setdefault(root(f), []).append(f)
    out = {}
    for members in groups.values():
        named = dict.fromkeys(o for f in members if (o := corpus.files.get(f, {}).get("outlet")))
        outlet = " / ".join(named) or None  # a wire story run by two outlets names both
        credits = tuple(dict.fromkeys(c for f in members for c in article_credits(corpus, f)))
        story = Story(tuple(members), outlet, credits)
        out.update({f: story for f in members})
    return out
