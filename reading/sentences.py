"""Sentences: where each sentence of a run of prose starts and ends.

Assigns (start, end) spans from NLTK's Punkt model (the English parameters llama-index ships
offline), extended with `lexicon.ABBREVIATIONS`: "Pier No. 7", "St. Petersburg", "Rev. Smith",
"Gen. Lee", initials ("J. K. Rowling") and dotted acronyms ("U.S.", "B.A.") do not end a
sentence. Spans are found on the text with line breaks read as spaces (same length), so a line
break inside a hard-wrapped paragraph never ends a sentence and every span indexes the file's text.
A sentence opening with a closing quotation mark left over by Punkt ("” he said") is joined to the
one before.

Not handled: an abbreviation that really ends a sentence ("... in the U.S. The talks") stays
joined to the next sentence, and ellipses inside a sentence are treated as Punkt treats them.
"""
from __future__ import annotations

import functools
import os
import re

from reading.lexicon import ABBREVIATIONS
from reading.layout import masked

_CLOSING = re.compile(r"^[”’\"')\]]")


@functools.lru_cache(maxsize=1)
def tokenizer():
    """Punkt's English model (the parameters llama-index ships in its NLTK cache, never fetched) with the
    abbreviations added. The cache is found without importing llama-index (1.4 s of a one-file commit)."""
    import importlib.util

    nltk, PunktTokenizer = _import_punkt()
    core = importlib.util.find_spec("llama_index.core")
    cache = os.path.join(os.path.dirname(core.origin), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.insert(0, cache)
    punkt = PunktTokenizer("english")
    punkt._params.abbrev_types.update(ABBREVIATIONS)
    return punkt


_UNUSED_BY_PUNKT = ("sklearn", "scipy", "pandas")


def _import_punkt():
    """NLTK and its Punkt tokenizer. NLTK's package imports scikit-learn, SciPy and pandas, where they are
    installed, for classifiers and association measures Punkt never uses: 1.2 of the 1.5 s it takes to
    import, paid by every `python -m ingest` (docs/performance.md). When this is the only Python thread (the
    ingest command), those not imported yet are hidden while NLTK loads: it skips them as it does where they
    are not installed, and they import as usual afterwards. With other threads running (a page, a test
    runner's), NLTK is imported as it is, since another thread might be importing one of them meanwhile."""
    import sys
    import threading

    hidden = [m for m in _UNUSED_BY_PUNKT if m not in sys.modules] if threading.active_count() == 1 else []
    for name in hidden:
        sys.modules[name] = None  # an import of it raises ImportError, which NLTK catches
    try:
        import nltk
        from nltk.tokenize.punkt import PunktTokenizer
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return nltk, PunktTokenizer


def spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of `text[start:end]` (offsets into `text`)."""
    end = len(text) if end is None else end
    piece = masked(text[start:end])
    out: list[list[int]] = []
    for a, b in tokenizer().span_tokenize(piece):
        if out and (_CLOSING.match(piece[a:b]) or not re.search(r"\w", piece[a:b])):
            out[-1][1] = b
            continue
        out.append([a, b])
    return [(start + a, start + b) for a, b in out]
