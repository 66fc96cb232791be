"""HTML for the chat page. Every piece of article text goes through `html.escape`,
so HTML or script inside an article is shown as text, never rendered or run."""
from __future__ import annotations

import html
import re

from qa.answer import Answer
from ingest.corpus import Corpus

_MARKER = re.compile(r"\[(\d+)\]")

CSS = """
.aqa-source {border:1px solid #d0d7de; border-radius:8px; padding:10px 12px; margin:0 0 10px 0}
.aqa-source h4 {margin:0 0 4px 0; font-size:0.95em}
.aqa-meta {color:#57606a; font-size:0.85em; margin-bottom:6px}
.aqa-source p {margin:4px 0; line-height:1.45; white-space:pre-wrap}
.aqa-source mark {background:#fff3b0; color:inherit; padding:0 2px}
.aqa-article {max-height:420px; overflow-y:auto; border-top:1px solid #eaeef2; margin-top:6px}
.aqa-article p {margin:6px 0; white-space:pre-wrap}
.aqa-n {color:#8c959f; font-size:0.8em; margin-right:6px}
.aqa-cited {background:#fff8d6; border-left:3px solid #d4a72c; padding-left:6px}
.aqa-boiler {color:#8c959f}
.aqa-notfound {border:1px dashed #cf222e; border-radius:8px; padding:10px 12px; color:#82071e; background:#fff5f5}
.aqa-removed {color:#57606a; font-size:0.85em}
"""

# Clicking a marker [n] in the chat opens source n and scrolls its article to the cited paragraph.
JS = """
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#aqa-src-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById(link.getAttribute('href').slice(1));
    if (!card) return;
    const details = card.querySelector('details');
    if (details) details.open = true;
    const cited = card.querySelector('.aqa-cited');
    card.scrollIntoView({block: 'start'});
    if (cited) cited.scrollIntoView({block: 'center'});
  }, true);
}
"""


def chat_markdown(answer: Answer) -> str:
    """The answer for the chat bubble: markdown-escaped text, markers as links to their source."""
    parts = _MARKER.split(answer.text)  # text, number, text, number, ...
    return "".join(_escape_markdown(part) if i % 2 == 0 else f"[[{part}]](#aqa-src-{part})"
                   for i, part in enumerate(parts))


def _escape_markdown(text: str) -> str:
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}<>#|~])", r"\\\1", text).replace("[", "&#91;").replace("]", "&#93;")


def sources_html(answer: Answer, corpus: Corpus) -> str:
    if not answer.answered:
        return f'<div class="aqa-notfound"><b>Not in the articles.</b> {html.escape(answer.text)}</div>'
    blocks = []
    for n, c in enumerate(answer.citations, 1):
        text = html.escape(c.text)
        for piece in c.quote.split(" … "):
            text = text.replace(html.escape(piece), f"<mark>{html.escape(piece)}</mark>", 1)
        meta = " · ".join(html.escape(x) for x in (c.headline or "", c.published or "") if x)
        also = f"<div class='aqa-meta'>Same text also in {html.escape(', '.join(c.also_in))}</div>" if c.also_in else ""
        blocks.append(
            f"<div class='aqa-source' id='aqa-src-{n}'><h4>[{n}] {html.escape(c.file)} ¶{c.paragraph}</h4>"
            f"<div class='aqa-meta'>{meta}</div><p>{text}</p>{also}"
            f"<details><summary>Show the whole article</summary>{article_html(corpus, c.file, c.paragraph)}</details></div>"
        )
    notes = "".join(f"<p class='aqa-removed'>{html.escape(n)}</p>" for n in answer.notes)
    if answer.backend != "extractive":
        notes = f"<p class='aqa-removed'>Answered by {html.escape(answer.backend)}; every sentence was checked against its source.</p>" + notes
    return "".join(blocks) + notes


def article_html(corpus: Corpus, file: str, cited: int | None = None) -> str:
    rows = []
    for p in corpus.article(file):
        classes = " ".join(c for c in ("aqa-cited" if p.number == cited else "",
                                       "aqa-boiler" if p.boilerplate else "") if c)
        title = f" title='boilerplate: {html.escape(p.boilerplate)}'" if p.boilerplate else ""
        rows.append(f"<p class='{classes}'{title}><span class='aqa-n'>¶{p.number}</span>{html.escape(p.text)}</p>")
    return f"<div class='aqa-article'>{''.join(rows)}</div>"


def articles_table(corpus: Corpus) -> list[list]:
    """Rows for the indexed-articles panel: title, file, paragraphs, published, indexed at."""
    rows = []
    for name in sorted(corpus.files):
        record = corpus.files[name]
        rows.append([record.get("headline") or "(no headline in the text)", name, record["paragraphs"],
                     record.get("published") or "", record.get("indexed_at", "").replace("T", " ")[:16]])
    return rows
