"""Tell article text from web boilerplate, paragraph by paragraph.

Boilerplate keeps its paragraph number (so numbering matches the file) but is
never used in an answer. Each flagged paragraph gets a short reason:

- "instruction": text addressed to an AI ("Summarize this content...",
  "ignore previous instructions"); it stays data and is never obeyed or quoted.
- "heading": lines that are not prose (headlines, section titles, category and
  navigation lines, bylines, buttons such as "Continue" or "×").
- "credit": photo and source credits, "AFP contributed reporting."
- "teaser": "Read more" links to other stories.
- "appeal": a donation or subscription appeal, from its opening line
  ("A Message from...", "Dear readers") through the reader-addressed text after it.
- "author bio": "Jane Doe is a journalist and editor for..."

A list or a pipe table of real content (`is_structured`) is article text, not a heading.

Not handled: boilerplate inside a prose paragraph (only whole paragraphs are
flagged; answer selection drops credit-like sentences on its own), and appeals
that never address the reader.
"""
from __future__ import annotations

import re

from reading.lexicon import QUOTED

_WORD = re.compile(r"[\w’'-]+")
_ENDS_SENTENCE = re.compile(r"[.!?…:;,][\"'”’)\]]*$|[\"”]$")
_LONG = 20  # words: a paragraph this long is prose even if its last sentence lacks a full stop
_INSTRUCTION = re.compile(
    r"^\s*(please\s+)?(summari[sz]e|rewrite|paraphrase|translate|expand|write|generate|"
    r"continue writing|ignore|disregard|forget|act as|pretend)\b[^.]{0,120}"
    r"\b(content|article|text|story|words|paragraphs?|instructions?|prompt|above|previous|following)\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|your)\s+"
    r"(instructions?|prompts?|rules|directions)|\bsystem prompt\b|\byou are (now )?an? (ai|assistant|language model)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^(source|photo|image|credit|photograph)s?\s*:|getty images|shutterstock|\bap photo\b|"
    r"\bcontributed (reporting|to this report)\b|^[-—–]\s*agencies\b|"
    r"\b[A-Z][a-z]+ [A-Z][a-z]+ / [A-Z][\w ]+(agency|news|photo|images|press|reuters|afp|tass)\b",
    re.IGNORECASE,
)
_TEASER = re.compile(r"^(read more|read also|see also|related( stories| articles)?|more on this|recommended)\b\W*$", re.I)
_APPEAL_OPENER = re.compile(
    r"^(a message from\b|dear (readers?|friends)\b|support (us|our|independent)\b|"
    r"(please )?(donate|subscribe)\b|become a (member|subscriber|supporter)\b)",
    re.IGNORECASE,
)
_APPEAL_CUE = re.compile(
    r"\b(we|our|us|you|your|you[’']re|support|donat\w*|subscri\w*|remind\w*|privacy policy|thank you)\b",
    re.IGNORECASE,
)
_BIO = re.compile(
    r"^([A-Z][\w’'-]+(?: [A-Z][\w’'.-]+){1,3}) (is|was) an? ([\w’'-]+ ){0,8}?"
    r"(journalist|reporter|editor|writer|correspondent|columnist|contributor|author|producer)\b"
)
_QUOTED = QUOTED


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_prose(text: str) -> bool:
    """A paragraph or sentence reads as prose when it ends like a sentence, or is long."""
    n = len(words(text))
    return n >= _LONG or (n >= 3 and bool(_ENDS_SENTENCE.search(text.strip())))


def is_instruction(text: str) -> bool:
    from ingest.instructions import is_instruction as by_meaning  # orders to an AI, by kind (issue 20)

    return by_meaning(text)


def is_credit(text: str) -> bool:
    return len(words(text)) <= 20 and bool(_CREDIT.search(text.strip()))


def classify(texts: list[str]) -> list[str | None]:
    """A boilerplate reason for each paragraph, or None for article text."""
    reasons: list[str | None] = [None] * len(texts)
    in_appeal = False
    for i, text in enumerate(texts):
        stripped = text.strip()
        if _APPEAL_OPENER.search(stripped):
            in_appeal = True
        elif in_appeal and is_prose(stripped) and not _APPEAL_CUE.search(_QUOTED.sub("", stripped)):
            in_appeal = False
        if in_appeal:
            reasons[i] = "appeal"
        elif is_instruction(stripped):
            reasons[i] = "instruction"
        elif _TEASER.search(stripped):
            reasons[i] = "teaser"
            for j in range(i - 1, max(i - 3, -1), -1):  # the teased headline and its label
                if reasons[j] == "heading":
                    reasons[j] = "teaser"
        elif is_credit(stripped):
            reasons[i] = "credit"
        elif _BIO.search(stripped):
            reasons[i] = "author bio"
            if i > 0 and reasons[i - 1] in (None, "heading") and not is_prose(texts[i - 1]):
                reasons[i - 1] = "byline"
        elif not is_prose(stripped) and not is_structured(stripped):
            reasons[i] = "heading"
    return reasons


def is_structured(text: str) -> bool:
    """A list of two items or more, or a pipe table of two rows or more under its header, whose items
    or rows hold three words or more on average: article text laid out, not a navigation list."""
    from reading.layout import pieces

    parts = pieces(text)
    kept = [p for p in parts if p.kind == "item" or (p.kind == "row" and p.header)]
    if len(kept) < 2 or len(kept) < len(parts) - 1:
        return False
    return sum(len(words(text[p.start:p.end])) for p in kept) / len(kept) >= 3
