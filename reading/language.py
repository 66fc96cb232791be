"""Which language a short text (a question) is written in, when it is clearly not English.

Two readings: the script (Cyrillic, Arabic, CJK, ... : Unicode character names, more than 30% of the
letters), and for Latin-script text py3langid (langid.py's naive Bayes over byte n-grams, restricted to
English and the Western European languages users write in), trusted only at `MIN_PROBABILITY` and only
when English function words do not make up most of the text. A library rather than word lists: lists of
function words missed most Spanish questions ("¿Cuándo se reunieron Rusia y Estados Unidos en Riad?").

Not handled: mixed-language questions (judged as a whole), Latin-script languages outside `LATIN_LANGUAGES`
(read as English or as the nearest of them), and texts of one or two words (too short to tell: "Okafor?").
"""
from __future__ import annotations

import functools
import re
import unicodedata

from reading.text import STOPWORDS

SCRIPTS = {"CYRILLIC": "Russian or another Cyrillic-script language", "ARABIC": "Arabic", "CJK": "Chinese or Japanese",
           "HANGUL": "Korean", "GREEK": "Greek", "HEBREW": "Hebrew", "DEVANAGARI": "Hindi", "THAI": "Thai",
           "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}
LATIN_LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
                   "pt": "Portuguese", "nl": "Dutch"}
MIN_PROBABILITY = 0.8  # py3langid's normalised probability; on our 159 English questions none other reaches 0.4
MIN_WORDS = 3  # fewer words say too little ("Okafor?" reads as German at 0.33)
SCRIPT_SHARE = 0.3  # of the letters, for a script to name the language


@functools.lru_cache(maxsize=1)
def _identifier():
    import py3langid.langid as langid

    return langid._load_identifier(norm_probs=True, langs=sorted(LATIN_LANGUAGES))


def foreign_language(text: str) -> str | None:
    """The name of the language `text` is written in ("Spanish", "Russian or another Cyrillic-script
    language"), or None when it is English or cannot be told."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for ch in letters:
        name = unicodedata.name(ch, "")
        script = next((s for s in SCRIPTS if name.startswith(s) or f" {s} " in f" {name} "), None)
        if script:
            scripts[script] = scripts.get(script, 0) + 1
    if scripts:
        script, count = max(scripts.items(), key=lambda kv: kv[1])
        if count > SCRIPT_SHARE * len(letters):
            return SCRIPTS[script]
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    if len(tokens) < MIN_WORDS or sum(t in STOPWORDS for t in tokens) * 2 > len(tokens):
        return None  # most words are English function words: English (the model is not asked)
    language, probability = _identifier().classify(text)
    return LATIN_LANGUAGES[language] if language != "en" and probability >= MIN_PROBABILITY else None
