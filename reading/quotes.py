"""Quotation marks in a span of text: which are left open, which close a quotation opened before it.

One kind of mark for curly and straight double quotes (articles mix them: '“We cannot keep fares frozen,"
he said.'), read by position: "“" opens, "”" closes, a straight quote opens at the start of the text or
after a space or an opening bracket or dash, and closes anywhere else. Single quotes are not read
(apostrophes). Not handled: nested quotations of the same mark, and «guillemets».
"""
from __future__ import annotations


def balance(text: str) -> tuple[int, int]:
    """(closing marks with no opening one before them in `text`, opening marks left open at its end)."""
    depth = 0
    missing_open = 0
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and (i == 0 or text[i - 1] in " ([—–-\n")):
            depth += 1
        elif ch in '”"':
            if depth:
                depth -= 1
            else:
                missing_open += 1
    return missing_open, depth


def editor_marks(text: str) -> tuple[str, str]:
    """The marks an editor adds to quote `text` cut from inside a quotation: ("[“]", "[”]")-style, in the
    text's own style (curly when it uses curly marks), as (to put before it, to put after it); "" for none."""
    missing_open, left_open = balance(text)
    curly = "“" in text or "”" in text
    return ("[“]" if curly else '["]') * missing_open, ("[”]" if curly else '["]') * left_open
