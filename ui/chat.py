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
    compact: str = ""  # the sources as an older turn keeps them (ui.render.turn_sources(compact=True)); "": same


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
            if kept is None or not kept.failed:  # the question as typed (its bubble shows it escaped)
                out.append({"role": "user", "content": kept.question if kept is not None else message.get("content")})
        elif role == "assistant" and turn:
            kept = turns.get(turn)
            if kept is None:
                out.append({"role": "assistant", "content": message.get("content")})
            elif not kept.failed:
                out.append({"role": "assistant", "content": kept.reply})
    return out


KEPT_SOURCES = 10  # turns whose sources the page keeps (the panel, the per-session state); older ones are a line
NAMED_TURNS = 40  # turns before those that keep a line saying their sources are gone; older ones keep nothing
FULL_SOURCES = 1  # of which the latest keep their full cards; the others their compact ones


def forget_old_sources(turns: dict[int, Turn], keep: int = KEPT_SOURCES, full: int = FULL_SOURCES) -> dict[int, Turn]:
    """`turns` as the page keeps them: the latest `full` turns with their sources, the others of the latest
    `keep` with their compact sources, older ones with a line saying so (questions and replies stay, for
    the history `qa` reads). Every reply carries the panel, and it carried every turn's sources with the
    whole cited article (14.5 MB by turn 12 with a long article, issue 28)."""
    order = sorted(turns)
    newest, kept = set(order[-full:]) if full else set(), set(order[-keep:]) if keep else set()
    named = set(order[-(keep + NAMED_TURNS):])
    out = {}
    for n, t in turns.items():
        if n not in named:  # past the lines too: no section at all, so the panel stops growing
            out[n] = Turn(t.question, t.reply, "", t.failed)
        elif n in newest or (not t.compact and n in kept) or t.sources.startswith(_FORGOTTEN):
            out[n] = t
        elif n in kept:
            out[n] = Turn(t.question, t.reply, t.compact, t.failed)
        else:
            out[n] = Turn(t.question, t.reply, f"{_FORGOTTEN}{n}: no longer kept (only the latest {keep}); "
                                               f"ask again.</p>", t.failed)
    return out


_FORGOTTEN = "<p class='aqa-empty'>Sources of turn "
