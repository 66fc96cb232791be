"""Turn a follow-up ("How much did he say they lost?") into a query that stands alone.

Without an LLM, the earlier user turns that the follow-up leans on are added to
the search query; selection weighs their words at half the weight of the new
question's, so the answer is about what was asked now.

Not handled: references back to the assistant's own wording ("the second
one"); an LLM condenser does those where one is configured.
"""
from __future__ import annotations

import re

from qa.text import terms

_LEANS_ON_CONTEXT = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|theirs|it|its|there|then|"
    r"the same|the other|else|again)\b|^(and|but|so|also|what about|how about)\b",
    re.IGNORECASE,
)
HISTORY_WEIGHT = 0.5
_TURNS = 2


def is_follow_up(question: str) -> bool:
    return bool(_LEANS_ON_CONTEXT.search(question)) or len(terms(question)) <= 1


def standalone_query(question: str, history: list[dict[str, str]]) -> tuple[str, dict[str, float]]:
    """The search query, and the weight of each of its terms for sentence selection."""
    weights: dict[str, float] = {}
    earlier = [m["content"] for m in history if m["role"] == "user" and m["content"].strip()]
    context: list[str] = []
    if earlier and is_follow_up(question):
        for turn in reversed(earlier[-_TURNS:]):
            context.insert(0, turn)
            if not is_follow_up(turn):
                break
    for turn in context:
        for t in terms(turn):
            weights[t] = HISTORY_WEIGHT
    for t in terms(question):
        weights[t] = 1.0
    return " ".join(context + [question]), weights
