"""What the page remembers of a chat: one `Turn` per question, and the history `qa` reads from it.

Why: the chat bubbles hold rendered markdown (links, badges, escaped text); `qa` must read the
plain answers it gave, markers and all, as a caller of `ask()` would pass them. Turns that
ended in an error are left out of that history: a question that was never asked has no answer
for a follow-up to continue. Turns are numbered by position (the n-th question is turn n), so a
retried or undone last turn is simply replaced.

Not handled: editing an earlier question in place (the page's chat is append-only).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One exchange: what was asked, the plain reply passed back to `qa` as history
    (`Answer.text` with its [n] markers), and its part of the sources panel."""

    question: str
    reply: str  # "" for a question that raised an error
    sources: str  # HTML
    failed: bool = False


def turn_number(history: list) -> int:
    """The number of the turn about to be answered: one more than the questions so far."""
    return 1 + sum(1 for m in history or [] if isinstance(m, dict) and m.get("role") == "user")


def qa_history(history: list, turns: dict[int, Turn]) -> list[dict]:
    """The chat as `qa` reads it: each question with the plain reply kept for its turn;
    turns that ended in an error are left out. Messages of turns the page does not know
    (none in practice) are passed as they are."""
    out, turn = [], 0
    for message in history or []:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "user":
            turn += 1
            kept = turns.get(turn)
            if kept is None or not kept.failed:
                out.append({"role": "user", "content": message.get("content")})
        elif role == "assistant" and turn:
            kept = turns.get(turn)
            if kept is None:
                out.append({"role": "assistant", "content": message.get("content")})
            elif not kept.failed:
                out.append({"role": "assistant", "content": kept.reply})
    return out
