"""Checks on what a user hands to `ask()`: the question and the chat history.

The language check is `reading.language.foreign_language` (see there for what it does not handle).
"""
from __future__ import annotations

import re

from qa.errors import BadHistoryError, EmptyQuestionError, QuestionTooLongError, UnsupportedLanguageError
from reading.language import foreign_language

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A lone surrogate (a str from an invalid UTF-8 byte in a command-line argument, or from JavaScript)
# cannot be encoded, so every later stage would fail on it: it becomes U+FFFD, the replacement character.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_HISTORY_MESSAGES = 20  # the chat so far that a follow-up is read against: the last 10 exchanges
MAX_MESSAGE_CHARS = 4000  # of each message (an answer quotes at most a few sentences)


def clean_question(question: object, *, max_chars: int) -> str:
    if not isinstance(question, str):
        raise EmptyQuestionError(f"the question must be text, not {type(question).__name__}")
    text = without_markup(_CONTROL.sub(" ", _SURROGATE.sub("\ufffd", question)).replace("\n", " ")).strip()
    if not text:
        raise EmptyQuestionError("the question is empty; type a question about the articles")
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"the question has {len(text):,} characters, over the limit of {max_chars:,}; "
            f"ask something shorter (set ARTICLES_QA_MAX_QUESTION_CHARS to change the limit)"
        )
    if not any(ch.isalnum() for ch in text):
        raise EmptyQuestionError("the question has no words; type a question about the articles")
    language = foreign_language(text)
    if language:
        raise UnsupportedLanguageError(
            f"the question looks like {language}; the articles and the model are English, so ask in English"
        )
    return text


_SCRIPT_ELEMENT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?(?:-->|$)", re.DOTALL)


def without_markup(text: str) -> str:
    """A question pasted with HTML around it, read as its words (issue 28): script and style elements
    dropped with their content, every other tag dropped, entities decoded once ("&amp;" -> "&"), spaces
    collapsed. A "<" that opens no tag ("Is 3 < 5?") stays. Not handled: markdown (read as typed)."""
    if "<" not in text and "&" not in text:
        return text
    import html

    text = _TAG.sub(" ", _SCRIPT_ELEMENT.sub(" ", text))
    return re.sub(r"\s+", " ", html.unescape(text))


def clean_history(history: object, *, max_messages: int = MAX_HISTORY_MESSAGES,
                  max_chars: int = MAX_MESSAGE_CHARS) -> list[dict[str, str]]:
    """History in the messages form; Gradio's structured content is reduced to its text.
    Bounded: only the last `max_messages` messages are read, each cut to `max_chars` characters,
    so a long chat costs as much as a short one (megabytes of history took minutes)."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise BadHistoryError("history must be a list of {'role': ..., 'content': ...} messages")
    out = []
    first = max(0, len(history) - max_messages)
    for i, message in enumerate(history[first:], first):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant", "system"):
            raise BadHistoryError(
                f"history[{i}] is not a message; use {{'role': 'user' | 'assistant', 'content': str}}"
            )
        content = message.get("content")
        if isinstance(content, list):  # Gradio 5+/OpenAI parts: [{"type": "text", "text": ...}]
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        elif isinstance(content, dict):
            content = str(content.get("text", ""))
        if content is None:
            content = ""
        out.append({"role": message["role"],
                    "content": _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", str(content)[:max_chars]))})
    return out
