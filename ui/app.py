"""The chat page: a thin Gradio layer over `qa.Pipeline`.

`respond(message, history, turns)` answers one chat turn: the bubble shows the answer with
markers that link to this turn's sources, and the sources panel keeps every turn's section
(a per-session `gr.State` of `ui.chat.Turn`), so a marker in any earlier answer still opens
its own sources, also after an error reply. `qa` reads the chat through `ui.chat.qa_history`.

Uploads are saved once, in the upload event, never over an existing file (ui.uploads), and
the upload box is emptied; the re-index button indexes the folder as it is and sends no files.
`/ask` serves structured answers and `/upload`, `/reindex` the two article actions to
`gradio_client`. Nothing starts at import: `launch()` runs only from `python -m ui`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from qa import SUFFIXES
from qa.errors import ArticlesQAError
from qa.pipeline import Pipeline
from ui.chat import Turn, forget_old_sources, qa_history, turn_number
from ui.ports import PortInUseError, check_port
from ui.render import (CSS, FILE_COLUMN, JS, TABLE_HEADERS, TABLE_WIDTHS, article_html, articles_table, chat_markdown,
                       error_markdown, for_reader, shown_as_typed, sources_panel, turn_error, turn_sources,
                       typed_from_shown, without_settings)
from ui.uploads import save_upload

log = logging.getLogger("articles_qa.ui")
EXAMPLES = [
    "How long did the talks between Lavrov and Rubio last?",
    "What did Kirill Dmitriev say about Trump?",
    "Who represented the US side at the Riyadh talks?",
    "What did Zelensky say about talks held without Ukraine?",
]
UPLOAD_LIMIT = 2_000_000  # bytes per uploaded article
TABLE_REFRESH_SECONDS = 5.0  # the articles table follows commits made by other processes (python -m ingest)
REVEAL_SECONDS = 0.4  # a ready answer is revealed sentence by sentence within this time, in total


def build_app(pipeline: Pipeline | None = None) -> gr.Blocks:
    pipeline = pipeline or Pipeline()

    def respond(message: str, history: list, turns: dict | None) -> Iterator[tuple[str, str, dict]]:
        turn = turn_number(history)
        turns = {n: t for n, t in (turns or {}).items() if n < turn}  # retry/undo/clear drop later turns
        question = message if isinstance(message, str) else str(message)
        streams = hasattr(pipeline.answerer, "answer_stream")  # an LLM yields checked sentences as written
        answer = None
        try:
            for answer in pipeline.ask_stream(question, qa_history(history, turns)):
                if streams and answer.answered and not answer.timings_ms:
                    yield chat_markdown(answer, turn, badge=False), sources_panel(turns), turns
        except ArticlesQAError as e:
            turns[turn] = Turn(question, "", turn_error(turn, question, str(e)), failed=True)
            yield error_markdown(str(e)), sources_panel(turns), turns
            return
        turns[turn] = Turn(question, answer.text, turn_sources(turn, question, answer, pipeline.article),
                           compact=turn_sources(turn, question, answer, pipeline.article, compact=True))
        turns = forget_old_sources(turns)  # the page stays bounded over any number of turns (issue 28)
        panel = sources_panel(turns)
        if not streams and answer.answered and len(answer.sentences) > 1:
            pause = REVEAL_SECONDS / len(answer.sentences)
            for upto in range(1, len(answer.sentences)):  # ready at once: revealed briefly, a sentence at a time
                yield chat_markdown(answer, turn, upto=upto), panel, turns
                time.sleep(pause)
        yield chat_markdown(answer, turn), panel, turns

    def ask_api(question: str, history: list | None = None) -> dict:
        """Structured answer for gradio_client: text, answered, confidence, sentences, citations, closest."""
        try:
            answer = pipeline.ask(question, history or [])
        except ArticlesQAError as e:
            return {"error": for_reader(str(e)), "text": "", "answered": False, "citations": []}

        def cited(c):
            return {"file": c.file, "paragraph": c.paragraph, "text": c.text, "quote": c.quote}

        return {
            "text": answer.text, "answered": answer.answered, "confidence": answer.confidence,
            "tier": answer.tier, "query": answer.query,
            "sentences": [{"text": s.text, "citation": s.citation} for s in answer.sentences],
            "citations": [cited(c) for c in answer.citations], "closest": [cited(c) for c in answer.closest],
            **{k: v for k, v in answer.to_dict().items()  # who else reports it, disagreements, dates (issue 27)
               if k in ("corroboration", "disagreements", "other_values", "timeline")},
        }

    def table_rows() -> list[list]:
        return articles_table(pipeline.articles())

    def index_folder(messages: list[str]) -> tuple[list[list], str]:
        try:
            report = pipeline.reindex()
            messages.append(_capital(report.summary()))
            messages += [f"Skipped {m}" for m in report.skipped.values()]
        except ArticlesQAError as e:
            log.warning("re-indexing failed: %s", e)
            messages.append(f"Error: {without_settings(str(e))}")
        except Exception as e:  # a bug must still reach the status box, and the page keep working (issue 28)
            log.exception("re-indexing failed")
            messages.append(f"Error: indexing failed ({type(e).__name__}: {str(e)[:200]}); the previous index "
                            f"still answers. Remove or fix the file just added, then re-index.")
        try:
            rows = table_rows()
        except ArticlesQAError as e:
            rows = []
            messages.append(f"Error: {without_settings(str(e))}")
        return rows, "\n".join(messages)

    def add_uploads(files=None) -> tuple[None, list[list], str]:
        """Save the files just uploaded (each once, never over an existing file, not at all when the
        folder already holds the same bytes), index, empty the box."""
        messages = []
        for f in files or []:
            path = Path(getattr(f, "name", f))
            original = getattr(f, "orig_name", None) or path.name
            try:
                messages.append(save_upload(path.read_bytes(), original, Path(pipeline.settings.data_dir),
                                            max_bytes=UPLOAD_LIMIT).describe())
            except (ArticlesQAError, OSError) as e:
                log.warning("upload %s refused: %s", original, e)
                messages.append(f"Refused: {without_settings(str(e))}")
        return None, *index_folder(messages)

    def reindex() -> tuple[list[list], str]:
        """Index the articles folder as it is; the upload box plays no part."""
        return index_folder([])

    def show_article(table, event: gr.SelectData | None = None) -> str:
        """The whole article of the row clicked (private: the page's own event, not an API). Anything
        unexpected (no event, a row or file that is not there) shows a line, never an error."""
        try:
            row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
            rows = table.values.tolist() if hasattr(table, "values") else table
            return article_html(pipeline.article(str(rows[int(row)][FILE_COLUMN])))
        except (AttributeError, IndexError, KeyError, TypeError, ValueError, ArticlesQAError) as e:
            log.info("show_article: %s", e)
            return "<p class='aqa-empty'>Click a row of the table to read that article.</p>"

    def follow_commits(shown: list | None) -> tuple:
        """The table again when the committed articles changed (another process ran `python -m ingest`)."""
        try:
            rows = table_rows()
        except ArticlesQAError:
            return gr.skip(), gr.skip()
        return (gr.skip(), gr.skip()) if rows == shown else (rows, rows)

    with gr.Blocks(title="articles-qa") as app:
        gr.Markdown("## articles-qa\nAsk about the news articles. Every sentence of an answer is quoted from "
                    "an article; click a marker such as [1] to see it in its article.")
        turns = gr.State({})
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                panel = gr.HTML(sources_panel({}), render=False, elem_id="aqa-sources")
                chat = _ChatAsTyped(
                    respond,
                    additional_inputs=[turns],
                    additional_outputs=[panel, turns],
                    examples=[[q] for q in EXAMPLES],
                    chatbot=gr.Chatbot(height=460, label="Chat", sanitize_html=True, latex_delimiters=[],
                                       buttons=["copy"], elem_id="aqa-chat"),
                    api_name="chat",
                    fill_height=False,
                )
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                panel.render()
        chat.chatbot.clear(lambda: (sources_panel({}), {}), outputs=[panel, turns], api_visibility="private")
        with gr.Row():  # a timeline of a person, place or topic: dated quotes in event order (qa.timeline)
            topic = gr.Textbox(placeholder="a person, place or topic, e.g. the talks", show_label=False, scale=3,
                               elem_id="aqa-timeline-topic")
            gr.Button("Timeline", scale=1, elem_id="aqa-timeline").click(
                lambda t: f"Timeline of {' '.join(str(t or '').split())}".strip(), inputs=[topic],
                outputs=[chat.textbox], api_visibility="private")
        with gr.Accordion("Articles in the index", open=False, elem_id="aqa-articles"):
            table = gr.Dataframe(headers=TABLE_HEADERS, value=table_rows, interactive=False, wrap=True,
                                 elem_id="aqa-table", column_widths=TABLE_WIDTHS)
            shown_rows = gr.State(None)
            gr.Timer(TABLE_REFRESH_SECONDS).tick(follow_commits, inputs=[shown_rows], outputs=[table, shown_rows],
                                                 api_visibility="private", show_progress="hidden", queue=False)
            article = gr.HTML(elem_id="aqa-article")
            with gr.Row():
                # no file_types filter: the browser would drop other files silently; the server says why (issue 28)
                uploads = gr.File(label=f"Add articles: {', '.join(SUFFIXES)} (saved when uploaded, never over an "
                                        f"existing file)", file_count="multiple", elem_id="aqa-upload")
                with gr.Column():
                    button = gr.Button("Re-index the articles folder", elem_id="aqa-reindex")
                    status = gr.Textbox(label="Index status", lines=4, interactive=False, elem_id="aqa-status")
            table.select(show_article, inputs=[table], outputs=[article], api_visibility="private")
            button.click(reindex, inputs=[], outputs=[table, status], api_name="reindex")
            uploads.upload(add_uploads, inputs=[uploads], outputs=[uploads, table, status], api_name="upload")
        gr.api(ask_api, api_name="ask")
    return app


class _ChatAsTyped(gr.ChatInterface):
    """The chat, with each question shown as the user typed it (issue 28): markdown and HTML in a question
    are escaped for its bubble (`<script>` stays visible text, `**bold**` is not bold, no link is made);
    `respond` still receives the question as typed, and a retried question is unescaped back to it. `qa`
    reads the questions from `ui.chat.Turn`, never from the bubbles."""

    def _append_message_to_history(self, message, history, role="user"):
        if role == "user" and isinstance(message, str):
            message = shown_as_typed(message)
        return super()._append_message_to_history(message, history, role)

    def _pop_last_user_message(self, history):
        history, message = super()._pop_last_user_message(history)
        return history, typed_from_shown(message) if isinstance(message, str) else message


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def launch(*, host: str = "127.0.0.1", port: int | None = None, pipeline: Pipeline | None = None) -> None:
    if port is not None:
        check_port(host, port)
    pipeline = pipeline or Pipeline()
    print("Loading the index (built from the articles on first start)...", flush=True)
    pipeline.load()
    try:
        build_app(pipeline).queue(default_concurrency_limit=8).launch(
            server_name=host, server_port=port, css=CSS, js=JS, show_error=False)
    except OSError as e:  # taken between the check and the launch, or no free port from 7860 on
        raise PortInUseError(f"cannot start the page on {host}:{port or 7860} ({e}); pass another --port") from None
