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


# Irregular past forms common in news, mapped to their base form before stemming ("met" ~ "meet"):
# the Snowball stemmer only strips suffixes.
IRREGULAR = dict(pair.split(":") for pair in """
met:meet held:hold led:lead won:win left:leave made:make took:take taken:take gave:give given:give
began:begin begun:begin went:go gone:go came:come saw:see seen:see found:find thought:think brought:bring
sought:seek fought:fight spoke:speak spoken:speak wrote:write written:write chose:choose chosen:choose
rose:rise fell:fall fallen:fall struck:strike sent:send spent:spend built:build lost:lose paid:pay sold:sell
bought:buy kept:keep ran:run grew:grow grown:grow drew:draw drawn:draw knew:know known:know threw:throw
thrown:throw flew:fly flown:fly stood:stand understood:understand broke:break broken:break drove:drive
driven:drive fled:flee sat:sit shot:shoot froze:freeze frozen:freeze sang:sing
sung:sing swore:swear sworn:swear taught:teach caught:catch felt:feel heard:hear meant:mean
""".split())


def terms(text: str) -> list[str]:
    """Stemmed content words, in order: the unit of lexical matching (BM25 and coverage). An amount is
    two terms however it is written ("US$1.2bn" and "1.2 billion dollars": "¤1200000000", "¤usd";
    `reading.numbers.amounts`)."""
    from reading.numbers import amount_terms, amounts

    found = amounts(text)
    if not found:
        return _stemmed(text)
    out, at = [], 0
    for a in found:
        out += _stemmed(text[at:a.start]) + amount_terms(a)
        at = a.end
    return out + _stemmed(text[at:])


def _stemmed(text: str) -> list[str]:
    return _stemmer().stemWords([IRREGULAR.get(w, w) for w in words(text) if w not in STOPWORDS])


@functools.lru_cache(maxsize=65536)
def term_set(text: str) -> frozenset[str]:
    """`terms` as a set, cached: answering scores the same sentences and paragraphs again and again."""
    return frozenset(terms(text))


_KEY_TOKEN = re.compile(r"\w+", re.UNICODE)


def norm_key(text: str) -> str:
    """Same key for texts that differ only in case, accents, spacing, punctuation or quote style.
    Every word counts, one letter ones too: "can't accept" is not "can accept", "Plan A" not "Plan B"."""
    return " ".join(_KEY_TOKEN.findall(fold(text)))
