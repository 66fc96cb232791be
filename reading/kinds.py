"""The one vocabulary of what reading assigns: kinds of mention and kinds of unit.

Every module that writes or reads a kind uses these names (an organisation was "org" in stored mentions and
"organisation" in the rules' names before issue 24). `Literal` types, so a type checker flags a kind that is
not one of them; `MENTION_KINDS` and `UNIT_KINDS` are the same sets at run time (`check_kind` raises on
anything else, so a stored annotation with an unknown kind is an error, not a silent miss).
"""
from __future__ import annotations

from typing import Literal, get_args

MentionKind = Literal["person", "organisation", "place", "name", "date", "time", "duration", "number", "money",
                      "percent"]
NameKind = Literal["person", "organisation", "place", "name"]  # a capitalised name; "name": its type unknown
UnitKind = Literal["sentence", "item", "row", "heading"]

MENTION_KINDS: frozenset[str] = frozenset(get_args(MentionKind))
NAME_KINDS: frozenset[str] = frozenset(get_args(NameKind))
UNIT_KINDS: frozenset[str] = frozenset(get_args(UnitKind))
TIME_KINDS: tuple[MentionKind, ...] = ("date", "time")  # what answers "when"
AMOUNT_KINDS: tuple[MentionKind, ...] = ("number", "money", "percent", "duration")  # what answers "how many/much"


def check_kind(kind: str, allowed: frozenset[str]) -> str:
    """`kind` itself when it is one of `allowed`; ValueError naming the allowed kinds otherwise."""
    if kind not in allowed:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(sorted(allowed))}")
    return kind
