"""Word-level helpers shared by retrieval and sentence selection."""
from __future__ import annotations

import functools
import re
import unicodedata

_TOKEN = re.compile(r"\w\w+|\d", re.UNICODE)
# A compact English stopword list; question words stay out of lexical matching too.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
not now of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves said says say
tell told many much did according s t
""".split())


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Case, accents and typographic quotes folded, for matching only."""
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").replace("‘", "'").casefold()


def words(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def terms(text: str) -> list[str]:
    """Stemmed content words, in order: the unit of lexical matching (BM25 and coverage)."""
    return _stemmer().stemWords([w for w in words(text) if w not in STOPWORDS])


@functools.lru_cache(maxsize=65536)
def term_set(text: str) -> frozenset[str]:
    """`terms` as a set, cached: answering scores the same sentences and paragraphs again and again."""
    return frozenset(terms(text))


def norm_key(text: str) -> str:
    """Same key for texts that differ only in case, spacing, punctuation or quote style."""
    return " ".join(words(text))
