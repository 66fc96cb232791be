"""The chat page: a thin Gradio layer over `qa.Pipeline.ask()`.

Article text is always escaped before it is shown: HTML or script inside an
article is displayed as text, never rendered or run.

Not handled yet: uploads and a re-index button (use `python -m ingest`), and
clickable inline markers (the sources panel lists every marker with its quote).
"""
from __future__ import annotations

import html
import time
from collections.abc import Iterator

import gradio as gr

from qa.answer import Answer
from qa.errors import ArticlesQAError
from qa.pipeline import Pipeline

EXAMPLES = [
    "How long did the talks between Lavrov and Rubio last?",
    "What did Kirill Dmitriev say about Trump?",
    "Who represented the US side at the Riyadh talks?",
    "What did Zelensky say about talks held without Ukraine?",
]
CSS = """
.aqa-source {border:1px solid #d0d7de; border-radius:8px; padding:10px 12px; margin:0 0 10px 0; background:#fff}
.aqa-source h4 {margin:0 0 4px 0; font-size:0.95em}
.aqa-source .aqa-meta {color:#57606a; font-size:0.85em; margin-bottom:6px}
.aqa-source p {margin:4px 0; line-height:1.45; white-space:pre-wrap}
.aqa-source mark {background:#fff3b0; padding:0 2px}
.aqa-article p {margin:6px 0; white-space:pre-wrap}
.aqa-article .aqa-n {color:#8c959f; font-size:0.8em; margin-right:6px}
.aqa-article .aqa-cited {background:#fff8d6; border-left:3px solid #d4a72c; padding-left:6px}
.aqa-article .aqa-boiler {color:#8c959f}
.aqa-notfound {border:1px dashed #cf222e; border-radius:8px; padding:10px 12px; color:#82071e; background:#fff5f5}
"""


def sources_html(answer: Answer, pipeline: Pipeline) -> str:
    if not answer.answered:
        return f'<div class="aqa-notfound"><b>Not in the articles.</b> {html.escape(answer.text)}</div>'
    corpus = pipeline.load().corpus
    blocks = []
    for n, c in enumerate(answer.citations, 1):
        text = html.escape(c.text)
        for piece in c.quote.split(" … "):
            text = text.replace(html.escape(piece), f"<mark>{html.escape(piece)}</mark>", 1)
        meta = " · ".join(html.escape(x) for x in (c.headline or "", c.published or "") if x)
        also = f"<div class='aqa-meta'>Same text also in {html.escape(', '.join(c.also_in))}</div>" if c.also_in else ""
        article = "".join(
            f"<p id='aqa-{n}-{p.number}' class='{'aqa-cited' if p.number == c.paragraph else ''}"
            f"{' aqa-boiler' if p.boilerplate else ''}'><span class='aqa-n'>¶{p.number}</span>{html.escape(p.text)}</p>"
            for p in corpus.paras if p.file == c.file
        )
        blocks.append(
            f"<div class='aqa-source' id='aqa-src-{n}'><h4>[{n}] {html.escape(c.file)} ¶{c.paragraph}</h4>"
            f"<div class='aqa-meta'>{meta}</div><p>{text}</p>{also}"
            f"<details><summary>Show the whole article</summary><div class='aqa-article'>{article}</div></details></div>"
        )
    return "".join(blocks)


def build_app(pipeline: Pipeline | None = None) -> gr.Blocks:
    pipeline = pipeline or Pipeline()

    def respond(message: str, history: list) -> Iterator[tuple[str, str]]:
        try:
            answer = pipeline.ask(message, history)
        except ArticlesQAError as e:
            yield f"⚠️ {e}", ""
            return
        panel = sources_html(answer, pipeline)
        if not answer.answered:
            yield f"🚫 **Not in the articles.** {answer.text}", panel
            return
        words = answer.text.split(" ")
        for i in range(0, len(words), 6):  # stream the composed answer a few words at a time
            yield " ".join(words[: i + 6]), panel
            time.sleep(0.01)

    def ask_api(question: str, history: list | None = None) -> dict:
        """Structured answer for gradio_client: text, answered, citations."""
        try:
            answer = pipeline.ask(question, history or [])
        except ArticlesQAError as e:
            return {"error": str(e), "text": "", "answered": False, "citations": []}
        return {
            "text": answer.text,
            "answered": answer.answered,
            "citations": [{"file": c.file, "paragraph": c.paragraph, "text": c.text, "quote": c.quote}
                          for c in answer.citations],
        }

    with gr.Blocks(title="articles-qa") as app:
        gr.Markdown("## articles-qa\nAsk about the news articles. Every sentence of an answer is quoted "
                    "from an article; its source is shown on the right.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                panel = gr.HTML(render=False, elem_id="aqa-sources")
                gr.ChatInterface(
                    respond,
                    additional_outputs=[panel],
                    examples=EXAMPLES,
                    chatbot=gr.Chatbot(height=460, label="Chat", sanitize_html=True, buttons=["copy"]),
                    api_name="chat",
                    fill_height=False,
                )
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                panel.render()
        gr.api(ask_api, api_name="ask")
    return app


def launch(*, host: str = "127.0.0.1", port: int | None = None, pipeline: Pipeline | None = None) -> None:
    pipeline = pipeline or Pipeline()
    pipeline.load()  # build the index on first start, before the page opens
    build_app(pipeline).queue(default_concurrency_limit=8).launch(
        server_name=host, server_port=port, css=CSS, show_error=False)
