"""The chat page: a thin Gradio layer over `qa.Pipeline.ask()` and `ingest.ingest()`.

`respond(message, history)` streams the answer and fills the sources panel;
`/ask` serves structured answers to `gradio_client`. Nothing starts at import:
`launch()` runs only from `python -m ui`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from qa.errors import ArticlesQAError
from qa.pipeline import Pipeline
from ui.render import CSS, JS, article_html, articles_table, chat_markdown, sources_html
from ui.uploads import save_upload

log = logging.getLogger("articles_qa.ui")
EXAMPLES = [
    "How long did the talks between Lavrov and Rubio last?",
    "What did Kirill Dmitriev say about Trump?",
    "Who represented the US side at the Riyadh talks?",
    "What did Zelensky say about talks held without Ukraine?",
]
UPLOAD_LIMIT = 2_000_000  # bytes per uploaded article
TABLE_HEADERS = ["title", "file", "paragraphs", "published", "indexed (UTC)"]


def build_app(pipeline: Pipeline | None = None) -> gr.Blocks:
    pipeline = pipeline or Pipeline()

    def respond(message: str, history: list) -> Iterator[tuple[str, str]]:
        answer = None
        streams = hasattr(pipeline.answerer, "answer_stream")  # an LLM yields checked sentences as written
        try:
            for answer in pipeline.ask_stream(message, history):
                if streams and answer.answered and not answer.timings_ms:
                    yield chat_markdown(answer), ""
        except ArticlesQAError as e:
            yield f"⚠️ {e}", ""
            return
        panel = sources_html(answer, pipeline.load().corpus)
        if not answer.answered:
            yield f"🚫 **Not in the articles.** {chat_markdown(answer)}", panel
            return
        text = chat_markdown(answer)
        if streams:  # already shown sentence by sentence
            yield text, panel
            return
        words = text.split(" ")
        for i in range(6, len(words) + 6, 6):  # the extractive answer is ready at once: show it a few words at a time
            yield " ".join(words[:i]), panel
            time.sleep(0.01)

    def ask_api(question: str, history: list | None = None) -> dict:
        """Structured answer for gradio_client: text, answered, citations (file, paragraph, text, quote)."""
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

    def reindex(files=None, progress=gr.Progress()) -> tuple[list[list], str]:
        from ingest import ingest

        messages = []
        for f in files or []:
            path = Path(getattr(f, "name", f))
            try:
                saved = save_upload(path.read_bytes(), getattr(f, "orig_name", None) or path.name,
                                    Path(pipeline.settings.data_dir), max_bytes=UPLOAD_LIMIT)
                messages.append(f"added {saved.name}")
            except (ArticlesQAError, OSError) as e:
                messages.append(f"refused: {e}")
        progress(0.1, desc="indexing")
        try:
            report = ingest(settings=pipeline.settings, embedder=pipeline.embedder, progress=False)
            messages.append(report.summary())
            messages += [f"skipped {m}" for m in report.skipped.values()]
        except ArticlesQAError as e:
            messages.append(f"error: {e}")
        return articles_table(pipeline.load().corpus), "\n".join(messages)

    def show_article(table, event: gr.SelectData) -> str:
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        rows = table.values.tolist() if hasattr(table, "values") else table
        return article_html(pipeline.load().corpus, rows[row][1])

    with gr.Blocks(title="articles-qa") as app:
        gr.Markdown("## articles-qa\nAsk about the news articles. Every sentence of an answer is quoted from "
                    "an article; click a marker such as [1] to see it in its article.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                panel = gr.HTML(render=False, elem_id="aqa-sources")
                gr.ChatInterface(
                    respond,
                    additional_outputs=[panel],
                    examples=EXAMPLES,
                    chatbot=gr.Chatbot(height=460, label="Chat", sanitize_html=True, latex_delimiters=[],
                                       buttons=["copy"], elem_id="aqa-chat"),
                    api_name="chat",
                    fill_height=False,
                )
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                panel.render()
        with gr.Accordion("Articles in the index", open=False, elem_id="aqa-articles"):
            table = gr.Dataframe(headers=TABLE_HEADERS, value=lambda: articles_table(pipeline.load().corpus),
                                 interactive=False, wrap=True, elem_id="aqa-table")
            article = gr.HTML(elem_id="aqa-article")
            with gr.Row():
                uploads = gr.File(label="Add .txt articles", file_types=[".txt"], file_count="multiple",
                                  elem_id="aqa-upload")
                with gr.Column():
                    button = gr.Button("Re-index the articles folder", elem_id="aqa-reindex")
                    status = gr.Textbox(label="Index status", lines=4, interactive=False, elem_id="aqa-status")
            table.select(show_article, inputs=[table], outputs=[article])
            button.click(reindex, inputs=[uploads], outputs=[table, status], api_name="reindex")
            uploads.upload(reindex, inputs=[uploads], outputs=[table, status], api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return app


def launch(*, host: str = "127.0.0.1", port: int | None = None, pipeline: Pipeline | None = None) -> None:
    pipeline = pipeline or Pipeline()
    print("Loading the index (built from the articles on first start)...", flush=True)
    pipeline.load()
    build_app(pipeline).queue(default_concurrency_limit=8).launch(
        server_name=host, server_port=port, css=CSS, js=JS, show_error=False)
