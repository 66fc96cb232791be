"""Who, what, where, when and how much a piece of text mentions, and who says it: the rules.

The rules live in `reading` (one module per kind of knowledge: `lexicon`, `numbers`,
`mentions`, `speakers`), where ingest reads every article with them once and stores what it
read (`Para.units`: units with typed mentions and speakers). Query-time stages use this module
for text that was not read at ingest: the question, the previous answer, generated sentences.
A stored sentence is read from its annotations (`Para.unit_at`), not parsed again.

Not handled: see `reading.mentions` and `reading.speakers`.
"""
from __future__ import annotations

from reading.lexicon import (CONNECTORS as _CONNECTORS, DAYS, MONTHS, NOT_NAMES as _NOT_NAMES,  # noqa: F401
                                    NUMBER_WORDS, ORG_HEADS, PLACE_HEADS, PLACES, PRONOUNS, SPEECH_VERBS, TITLES)
from reading.mentions import Name, durations, name_key, name_keys, names, persons, times  # noqa: F401
from reading.numbers import numbers, quantities  # noqa: F401
from reading.speakers import Speaker, is_named, referent, said_by, speaker  # noqa: F401
from reading.speakers import surname as _surname  # noqa: F401

Mention = Name  # the rules' name mention (text, start, end, kind); stored mentions are reading.Mention
