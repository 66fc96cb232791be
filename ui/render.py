"""HTML and markdown for the chat page, built from `Answer`'s structure, never from its text.

Why: a chat answer is shown in a bubble (markdown) and its sources in a panel (HTML). Markers
are made from `Answer.sentences` (each sentence and its citation number), so a literal "[1]"
inside an article stays text. Every marker names its turn (`#aqa-t3-src-1`), and the panel
keeps one section per turn, so a marker in an old answer opens that answer's sources. Every
piece of article text goes through `html.escape` (and markdown escaping in the bubble), so
HTML, script or markdown inside an article is shown as text, never rendered or run.

Long paragraphs are folded: about `FOLD_WORDS` words around the quote are shown, the whole
paragraph is one click away.

Not handled: right-to-left text layout, and answers without `sentences` (an answerer that
fills only `text` is shown as plain text without markers rather than guessed at).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from collections.abc import Mapping, Sequence

from qa.answer import Answer, AnswerSentence, Citation
from ui.chat import Turn

FOLD_WORDS = 80  # words of a long paragraph shown around the quote
WHOLE_PARAGRAPH_CHARS = 60_000  # "Show the whole paragraph" past this: this much around the quote (issue 28)
CARD_PARAGRAPHS = 3  # a card shows this many paragraphs before and after the cited one, not the whole article
CARD_PARAGRAPH_CHARS = 1_200  # each of them cut here; the whole article is one click away in the articles table
FOLD_BEFORE = 20  # of which before the quote starts
EDITORIAL_TIP = "added for clarity, not in the article"
_WORD = re.compile(r"\S+")

TABLE_HEADERS = ["Headline", "Outlet", "Published", "Paragraphs", "File", "Indexed (UTC)"]
TABLE_WIDTHS = ["31%", "13%", "12%", "9%", "20%", "15%"]  # of the table's width (gr.Dataframe column_widths)
FILE_COLUMN = TABLE_HEADERS.index("File")
PHONE_WIDTH_PX = 700  # under this window width, the articles table keeps its desktop width and scrolls sideways
PHONE_TABLE_PX = 770  # the table's width there: the headline column about 240 px, no column under 9 characters


def phone_table_css() -> str:
    """On a narrow window the articles table is `PHONE_TABLE_PX` wide and scrolls inside its frame: the
    percentages of `TABLE_WIDTHS` of a 330 px phone made columns 2-3 characters wide. Gradio sizes the body
    cells with inline styles from the frame's width, so each column's cells get their share again here."""
    cells = "\n".join(f'  #aqa-table .body-cell[data-col="{i}"] {{width:{w} !important; flex:0 0 {w} !important}}'
                      for i, w in enumerate(TABLE_WIDTHS))
    return (f"@media (max-width: {PHONE_WIDTH_PX}px) {{\n"
            f"  #aqa-table table, #aqa-table .virtual-body {{min-width:{PHONE_TABLE_PX}px !important}}\n{cells}\n}}\n")


CSS = """
.aqa-turn {display:none}
.aqa-turn.aqa-shown {display:block}
.aqa-turn-head {font-size:0.9em; color:#57606a; margin:0 0 8px 0; padding:4px 8px; border-radius:6px; background:#f6f8fa}
.aqa-turn-head b {color:#1f2328}
.aqa-turn.aqa-clicked .aqa-turn-head {background:#ddf4ff; outline:1px solid #54aeff}
.aqa-picked {outline:2px solid #54aeff; outline-offset:-1px}
.aqa-source {border:1px solid #d0d7de; border-radius:8px; padding:10px 12px; margin:0 0 10px 0; overflow-wrap:anywhere}
.aqa-source.aqa-target {border-color:#54aeff; box-shadow:0 0 0 2px #ddf4ff}
.aqa-source h4 {margin:0 0 4px 0; font-size:0.95em}
.aqa-meta {color:#57606a; font-size:0.85em; margin-bottom:6px}
.aqa-source p {margin:4px 0; line-height:1.45; white-space:pre-wrap}
.aqa-source mark {background:#fff3b0; color:inherit; padding:0 2px}
.aqa-source details > summary {cursor:pointer; color:#0969da; font-size:0.85em}
.aqa-article {max-height:420px; overflow-y:auto; border-top:1px solid #eaeef2; margin-top:6px}
.aqa-article p {margin:6px 0; white-space:pre-wrap}
.aqa-n {color:#8c959f; font-size:0.8em; margin-right:6px}
.aqa-cited {background:#fff8d6; border-left:3px solid #d4a72c; padding-left:6px}
.aqa-boiler {color:#8c959f}
.aqa-notfound {border:1px dashed #cf222e; border-radius:8px; padding:10px 12px; color:#82071e; background:#fff5f5; margin-bottom:10px}
.aqa-closest-label {font-size:0.85em; color:#57606a; margin:6px 0}
.aqa-closest .aqa-source {border-style:dashed; opacity:0.9}
.aqa-error {border:1px solid #d4a72c; border-radius:8px; padding:10px 12px; background:#fff8c5}
.aqa-removed {color:#57606a; font-size:0.85em}
.aqa-badge {font-size:0.75em; color:#6e7781; border:1px solid #d0d7de; border-radius:10px; padding:0 6px; white-space:nowrap}
.aqa-ed {color:#6e7781; font-style:italic; cursor:help; text-decoration:underline dotted}
.aqa-empty {color:#57606a; font-size:0.9em}
.aqa-near {border-left:3px dashed #8c959f; padding-left:6px}
.aqa-closest-label {font-weight:600}
.aqa-tentative {border:1px dashed #bf8700; border-radius:8px; padding:8px 10px; background:#fffbeb; margin-bottom:10px}
.aqa-tentative-label {font-size:0.85em; color:#7d4e00; margin:0 0 8px 0}
.aqa-badge-tentative {color:#7d4e00; border-color:#d4a72c; background:#fff8c5}
.aqa-asked-back {border:1px solid #54aeff; border-radius:8px; padding:10px 12px; background:#ddf4ff}
.aqa-understood {display:inline-block; margin-top:4px; font-size:0.85em; color:#57606a}
.aqa-turn-head + .aqa-understood {display:block; margin:-4px 0 8px 8px}
#aqa-back {position:fixed; right:12px; bottom:16px; z-index:1000; padding:8px 14px; border-radius:18px;
  border:1px solid #54aeff; background:#ddf4ff; color:#0969da; font-size:0.95em; box-shadow:0 2px 6px rgba(0,0,0,.2)}
.aqa-reports {border-top:1px solid #eaeef2; margin-top:8px; padding-top:6px; font-size:0.9em}
.aqa-reports h5 {margin:4px 0; font-size:0.95em}
.aqa-reports li {margin:2px 0}
.aqa-disagree {display:flex; gap:8px; flex-wrap:wrap}
.aqa-disagree > div {flex:1 1 200px; border:1px solid #d4a72c; border-radius:6px; padding:6px 8px; background:#fffbeb}
#aqa-table, #aqa-table * {font-family:var(--font, ui-sans-serif, system-ui, sans-serif) !important}
#aqa-table th, #aqa-table th * {white-space:nowrap !important; word-break:normal !important; overflow-wrap:normal !important}
#aqa-table [role=gridcell], #aqa-table [role=gridcell] * {word-break:normal !important; overflow-wrap:anywhere}
""" + phone_table_css()

# Clicking a marker [n] of turn t shows turn t's sources, marks the turn (panel head and bubble), opens source n and
# scrolls it (and its cited paragraph) into view. Capture phase: the chatbot must not follow the link.
JS = """
() => {
  const back = () => {
    let b = document.getElementById('aqa-back');
    if (!b) {
      b = document.createElement('button');
      b.id = 'aqa-back';
      b.type = 'button';
      b.textContent = '↑ Back to the answer';
      b.hidden = true;
      b.addEventListener('click', () => {
        const bubble = document.querySelector('#aqa-chat .aqa-picked');
        if (bubble) bubble.scrollIntoView({block: 'center'});
        b.hidden = true;
      });
      document.body.appendChild(b);
    }
    return b;
  };
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#aqa-t"]');
    if (!link) return;
    const m = link.getAttribute('href').match(/^#aqa-t(\\d+)(?:-src-(\\d+))?$/);
    if (!m) return;
    event.preventDefault();
    event.stopPropagation();
    const turn = document.getElementById('aqa-turn-' + m[1]);
    if (!turn) return;
    document.querySelectorAll('.aqa-turn').forEach((t) => t.classList.remove('aqa-shown', 'aqa-clicked'));
    document.querySelectorAll('.aqa-source.aqa-target').forEach((c) => c.classList.remove('aqa-target'));
    turn.classList.add('aqa-shown', 'aqa-clicked');
    document.querySelectorAll('.aqa-picked').forEach((b) => b.classList.remove('aqa-picked'));
    const bubble = link.closest('.message') || link.closest('[data-testid="bot"]');
    if (bubble) bubble.classList.add('aqa-picked');
    const card = m[2] ? document.getElementById('aqa-t' + m[1] + '-src-' + m[2]) : null;
    if (card) {
      card.classList.add('aqa-target');
      const details = card.querySelector('details.aqa-whole-article');
      if (details) details.open = true;
      card.scrollIntoView({block: 'start'});
      const cited = card.querySelector('.aqa-cited');
      if (cited) cited.scrollIntoView({block: 'center'});
    } else {
      turn.scrollIntoView({block: 'start'});
    }
    // one column (a phone): the sources lie below the chat, so offer the way back to the answer
    const sources = document.getElementById('aqa-sources');
    const chat = document.getElementById('aqa-chat');
    if (bubble && sources && chat && sources.getBoundingClientRect().top >= chat.getBoundingClientRect().bottom - 1) {
      back().hidden = false;
    }
  }, true);
  // a new answer is scrolled into view wherever the reader had scrolled the page (the articles panel)
  let answers = 0;
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#aqa-chat [data-testid="bot"]');
    if (bots.length > answers) {
      const last = bots[bots.length - 1];
      const box = last.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight - 40) last.scrollIntoView({block: 'nearest'});
    }
    answers = bots.length;
  }).observe(document.body, {childList: true, subtree: true});
}
"""


# -- the chat bubble ----------------------------------------------------------------------------
def chat_markdown(answer: Answer, turn: int, *, upto: int | None = None, badge: bool = True) -> str:
    """The answer for the chat bubble: each sentence, then its marker linking to this turn's source.

    `upto` shows only the first sentences (the page reveals a ready answer a sentence at a time).
    Bracketed words are our insertions and are shown muted, with a tooltip saying so; a quote cut
    inside a quotation gets the missing mark in brackets ("[“]", "[”]"). The badge says
    "confidence 0.82" for an answer and for a tentative one (which opens with "May answer — check the
    source", once; its quote and marker shown all the same), "not found" for a refusal, "asked back" for a question
    back. A follow-up that was rewritten says under it how it was understood."""
    clarifying = answer.answer_type == "clarification"
    tentative = answer.tier == "tentative" and bool(answer.sentences)
    if answer.sentences and (answer.answered or tentative):
        body = " ".join(f"{_sentence(s)} [[{s.citation}]](#aqa-t{turn}-src-{s.citation})"
                        for s in answer.sentences[:upto])
    else:
        body = _escape_markdown(answer.text)
    if tentative:
        body = f"**{TENTATIVE}:** {body}"
    elif clarifying:
        body = f"**Asked back:** {body}"
    elif not answer.answered:
        body = f"**Not in the articles.** {body}"
        if answer.closest:
            body += f" See the [closest passages, not an answer](#aqa-t{turn})."
    if answer.answer_type == "timeline" and answer.sentences:  # one dated quote a line, in event order
        body = "<br>".join(f"{_sentence(balanced(s.text), _cited_text(answer, s.citation))} "
                           f"[[{s.citation}]](#aqa-t{turn}-src-{s.citation})" for s in answer.sentences[:upto])
    if badge and (upto is None or upto >= len(answer.sentences)):
        body += reports_line(answer)
        body += " " + _badge(answer)
        understood = understood_as(answer)
        if understood:
            body += f'<br><span class="aqa-understood">Understood as: {_escape_markdown(understood)}</span>'
    return body


TENTATIVE = "May answer — check the source"
NOT_FOUND = "not found"


def reports_line(answer: Answer) -> str:
    """Under an answer: "Reported by 2 outlets (3 copies)" and whether reports disagree (details in the sources panel)."""
    parts = []
    c = answer.corroboration
    if c is not None and c.beyond_own:
        parts.append(_escape_markdown(c.summary + "."))
    if answer.disagreements:
        parts.append("**Reports disagree**: " + _escape_markdown(" / ".join(
            f"{r.value} ({r.citation.file})" for d in answer.disagreements for r in d.reports)) + " — see the sources.")
    return "<br>" + " ".join(parts) if parts else ""


def _badge(answer: Answer) -> str:
    if answer.answer_type == "timeline":
        return '<span class="aqa-badge" title="dated quotes in event order; nothing generated">timeline</span>'
    if answer.answer_type == "clarification":
        return '<span class="aqa-badge" title="nobody in the chat fits the question; nothing was searched">asked back</span>'
    if answer.tier == "tentative" and answer.sentences:  # the lead says "may answer" once; the badge, how likely
        return ('<span class="aqa-badge aqa-badge-tentative" title="how likely this passage answers the question: '
                f'under the bar for an answer">confidence {answer.confidence:.2f}</span>')
    if not answer.answered:
        return f'<span class="aqa-badge" title="the articles do not seem to answer this">{NOT_FOUND}</span>'
    return f'<span class="aqa-badge" title="how likely this answer is right">confidence {answer.confidence:.2f}</span>'


def understood_as(answer: Answer) -> str:
    """What was searched, when it is not the question as asked (a follow-up that was rewritten); ""."""
    query, question = " ".join((answer.query or "").split()), " ".join((answer.question or "").split())
    if not query or not question or query == question or answer.answer_type == "clarification":
        return ""
    return query


def error_markdown(message: str) -> str:
    return f"**Not asked:** {_escape_markdown(for_reader(message))}"


_SETTING_HINT = re.compile(r"\s*[(;,]?\s*(?:set|pass|or set|change)\s+[^;()]*\bARTICLES_QA_\w+[^;()]*\)?", re.IGNORECASE)
_SETTING = re.compile(r"\bARTICLES_QA_\w+")


def for_reader(message: str) -> str:
    """An error as a reader sees it: a capital first letter, and no environment variables
    ("(set ARTICLES_QA_MAX_QUESTION_CHARS to change the limit)" is for the CLI and the logs)."""
    message = without_settings(message)
    return message[:1].upper() + message[1:]


def without_settings(message: str) -> str:
    """The message without hints naming environment variables (for text after a label such as
    "Refused: bad.txt: ...", where the first word may be a file name and keeps its case)."""
    return _SETTING.sub("the setting", _SETTING_HINT.sub("", message)).strip()


def _sentence(sentence: AnswerSentence) -> str:
    """Escaped; the words the answerer inserted (`AnswerSentence.inserted`: "[Lavrov]", "[…]", an editor's
    "[”]") muted, with a tooltip saying they are ours. Read from the spans, never by searching the text."""
    out, at = [], 0
    text = sentence.text
    for a, b in sentence.inserted:
        out.append(_escape_markdown(text[at:a]))
        out.append(f'<span class="aqa-ed" title="{EDITORIAL_TIP}">{_escape_markdown(text[a:b])}</span>')
        at = b
    out.append(_escape_markdown(text[at:]))
    return "".join(out)


def shown_as_typed(question: str) -> str:
    """A question for its chat bubble, shown exactly as typed: `<script>`, `**bold**`, `<b>` and markdown
    links stay text (issue 28). `typed_from_shown` gives the question back."""
    return _escape_markdown(question)


def typed_from_shown(shown: str) -> str:
    """The inverse of `shown_as_typed` (exact: `_escape_markdown` escapes "&" first, so an entity the user
    typed is never mistaken for one it added)."""
    for entity, ch in (("&#91;", "["), ("&#93;", "]"), ("&#46;", "."), ("&#58;", ":"), ("&#64;", "@")):
        shown = shown.replace(entity, ch)
    shown = re.sub(r"\\([\\`*_{}<>#|~!])", r"\1", shown)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape_markdown(text: str) -> str:
    """Text that markdown shows as written: no emphasis, links, images, HTML, nor autolinked
    URLs or e-mail addresses (":", "@" and "www." as entities, which autolinking does not see)."""
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*_{}<>#|~!])", r"\\\1", text).replace("[", "&#91;").replace("]", "&#93;")
    return re.sub(r"(?i)www\.", lambda m: m.group()[:3] + "&#46;", text).replace(":", "&#58;").replace("@", "&#64;")


# -- the sources panel -----------------------------------------------------------------------------
def turn_sources(turn: int, question: str, answer: Answer, article: callable, *, compact: bool = False) -> str:
    """The sources of one turn, for `Turn.sources`. `article(file)` gives that file's paragraphs.
    `compact` (for `Turn.compact`, what an older turn keeps): no "Show the whole paragraph", and the
    article around the cited paragraph cut shorter; the quote, its marks and the cited paragraph stay.

    A refusal's closest passages are shown without any citation highlight (no marked quote, no
    marked paragraph in the article) under a label saying they are not an answer; a tentative
    answer's source is shown with its quote marked under "may answer — check the source"."""
    clarifying = answer.answer_type == "clarification"
    tentative = answer.tier == "tentative" and bool(answer.citations)
    status = ("asked back" if clarifying else f"confidence {answer.confidence:.2f}" if answer.answered or tentative
              else NOT_FOUND)
    head = _turn_head(turn, question, status)
    understood = understood_as(answer)
    if understood:
        head += f"<div class='aqa-understood'>Understood as: {html.escape(understood)}</div>"
    if clarifying:
        body = f'<div class="aqa-asked-back">{html.escape(answer.text)}</div>'
    elif tentative:
        body = (f'<div class="aqa-tentative"><p class="aqa-tentative-label"><b>{TENTATIVE}.</b> This passage may answer '
                f'the question; the system is not sure enough to assert it.</p>'
                + "".join(_card(turn, n, c, article, compact=compact) for n, c in enumerate(answer.citations, 1))
                + "</div>")
    elif not answer.answered:
        body = f'<div class="aqa-notfound"><b>Not in the articles.</b> {html.escape(answer.text)}</div>'
        if answer.closest:
            body += ('<div class="aqa-closest"><p class="aqa-closest-label">Closest passages — not an answer, '
                     'nothing in them is cited:</p>'
                     + "".join(_card(turn, n, c, article, closest=True, compact=compact)
                               for n, c in enumerate(answer.closest, 1))
                     + "</div>")
    else:
        body = "".join(_card(turn, n, c, article, compact=compact) for n, c in enumerate(answer.citations, 1))
        body += reports_html(answer)
    notes = "".join(f"<p class='aqa-removed'>{html.escape(n)}</p>" for n in answer.notes)
    if answer.backend != "extractive":
        notes = (f"<p class='aqa-removed'>Answered by {html.escape(answer.backend)}; every sentence was checked "
                 f"against its source.</p>") + notes
    return head + body + notes


def reports_html(answer: Answer) -> str:
    """Who else reports the answer (by outlet, copies collapsed), disagreements side by side (the later first),
    other values not tied to the same event, and a timeline's undated quotes; every quote with its citation."""
    out = []
    c = answer.corroboration
    if c is not None and c.beyond_own:
        items = "".join(f"<li><b>{html.escape(s.label)}</b>: {'; '.join(_report_html(r) for r in s.reports)}</li>"
                        for s in c.sources)
        out.append(f"<h5>{html.escape(c.summary)}</h5><ul>{items}</ul>")
    for d in answer.disagreements:
        cells = "".join(f"<div><b>{html.escape(r.value)}</b> — {_report_html(r)}<br>“{html.escape(r.citation.quote)}”</div>"
                        for r in d.reports)
        out.append(f"<h5>Reports disagree ({html.escape(d.basis)}); the later first</h5>"
                   f"<div class='aqa-disagree'>{cells}</div>")
    if answer.other_values:
        items = "".join(f"<li><b>{html.escape(r.value)}</b> — {_report_html(r)}: “{html.escape(r.citation.quote)}”</li>"
                        for r in answer.other_values)
        out.append("<h5>Other figures in the articles, not shown to be about the same event (not a contradiction)</h5>"
                   f"<ul>{items}</ul>")
    undated = [e for e in answer.timeline if e.date is None]
    if undated:
        items = "".join(f"<li>{html.escape(e.text)} [{e.citation}]</li>" for e in undated)
        out.append(f"<h5>Undated (no date in the sentence that can be placed)</h5><ul>{items}</ul>")
    return f"<div class='aqa-reports'>{''.join(out)}</div>" if out else ""


def _report_html(r) -> str:
    c = r.citation
    bits = ([r.outlet] if r.outlet else []) + [c.label] + ([f"published {_date(c.published)}"] if c.published else []) \
        + ([f"event {_date(c.event_date)}"] if c.event_date else []) + list(r.credits)
    return html.escape(", ".join(bits))


def turn_error(turn: int, question: str, message: str) -> str:
    body = f'<div class="aqa-error">No sources: the question was not asked. {html.escape(for_reader(message))}</div>'
    return _turn_head(turn, question, "") + body


def sources_panel(turns: Mapping[int, Turn], shown: int | None = None) -> str:
    """Every turn's section; the one of turn `shown` (default the latest) is visible."""
    if not turns:
        return "<p class='aqa-empty'>Ask a question; the sources of each answer appear here.</p>"
    shown = max(turns) if shown is None else shown
    return "".join(f"<section class='aqa-turn{' aqa-shown' if n == shown else ''}' id='aqa-turn-{n}'>{t.sources}</section>"
                   for n, t in sorted(turns.items()) if t.sources or n == shown)


def _turn_head(turn: int, question: str, extra: str) -> str:
    extra = f" · {html.escape(extra)}" if extra else ""
    return f"<div class='aqa-turn-head'><b>Turn {turn}</b> · {html.escape(_clip(question, 120))}{extra}</div>"


def _card(turn: int, n: int, c: Citation, article: callable, *, closest: bool = False, compact: bool = False) -> str:
    event = next((f"event: {d.label} (“{d.text}”, our reading)" for d in c.dates if d.relative), "")
    meta = " · ".join(html.escape(x) for x in (c.headline or "", _date(c.published), event) if x)
    also = f"<div class='aqa-meta'>Same text also in {html.escape(', '.join(c.also_in))}</div>" if c.also_in else ""
    label = f"Closest {n}:" if closest else f"[{n}]"
    ident = f"aqa-t{turn}-closest-{n}" if closest else f"aqa-t{turn}-src-{n}"
    return (f"<div class='aqa-source' id='{ident}'><h4>{label} {html.escape(c.label)}</h4>"
            f"<div class='aqa-meta'>{meta}</div>{paragraph_html(c.text, c.spans, mark=not closest, whole=not compact)}"
            f"{also}"
            f"<details class='aqa-whole-article'><summary>Show the article around it</summary>"
            f"{_article_window(article(c.file), c.paragraph, closest, CARD_PARAGRAPH_CHARS // (2 if compact else 1))}"
            f"</details></div>")


def _article_window(paragraphs: Sequence, number: int, closest: bool, cut: int = CARD_PARAGRAPH_CHARS) -> str:
    """The paragraphs around paragraph `number`, each cut at CARD_PARAGRAPH_CHARS: a card never embeds a
    whole article (a 1.1 MB one made every reply megabytes, issue 28); the articles table shows it whole."""
    paragraphs = list(paragraphs)
    near = [p for p in paragraphs if abs(p.number - number) <= CARD_PARAGRAPHS]
    shown = [_Cut(p.number, _clip(p.text, cut), p.boilerplate, getattr(p, "page", None),
                  getattr(p, "page_paragraph", None)) for p in near]
    note = ""
    if len(near) < len(paragraphs) or any(len(p.text) > cut for p in near):
        note = (f"<p class='aqa-removed'>¶{near[0].number}–¶{near[-1].number} of {len(paragraphs)}, long ones cut; "
                f"the whole article: click its row under “Articles in the index”.</p>") if near else ""
    return article_html(shown, None if closest else number, near=number if closest else None) + note


@dataclass(frozen=True)
class _Cut:
    """A paragraph of the window around a citation, cut; its page location kept (a PDF's "p. 2 ¶2")."""

    number: int
    text: str
    boilerplate: str | None
    page: int | None = None
    page_paragraph: int | None = None


def _date(iso: str | None) -> str:
    """"2025-03-26" -> "26 March 2025"; anything else as it is."""
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso).strftime("%-d %B %Y")
    except ValueError:
        return iso


def paragraph_html(text: str, spans: Sequence[tuple[int, int]], *, mark: bool = True, whole: bool = True) -> str:
    """The cited paragraph with its quote (`Citation.spans`, offsets into `text`) marked (`mark` False: not
    marked, for passages that are not citations); past about FOLD_WORDS words, folded with the quote in
    view, and (`whole`) the whole paragraph, or WHOLE_PARAGRAPH_CHARS of it around the quote, one click away."""
    if not mark:
        return _folded(text, spans, lambda a, b: html.escape(text[a:b]), whole)
    return _folded(text, spans, lambda a, b: _marked(text, spans, a, b), whole)


def _folded(text: str, spans: Sequence[tuple[int, int]], show, whole_too: bool = True) -> str:
    words = [m.span() for m in _WORD.finditer(text)]
    if len(words) <= FOLD_WORDS + FOLD_BEFORE:
        return f"<p>{show(0, len(text))}</p>"
    first = next((i for i, (_, end) in enumerate(words) if spans and end > spans[0][0]), 0)
    last = max((i for i, (start, _) in enumerate(words) if spans and start < spans[-1][1]), default=first)
    if last - first >= FOLD_WORDS:  # quoted sentences far apart: keep the first in view
        last = max((i for i, (start, _) in enumerate(words) if start < spans[0][1]), default=first)
    lo = max(0, first - FOLD_BEFORE)
    hi = min(len(words), max(last + 1, lo + FOLD_WORDS))
    a, b = words[lo][0], words[hi - 1][1]
    excerpt = ("… " if lo else "") + show(a, b) + (" …" if hi < len(words) else "")
    if not whole_too:
        return f"<p class='aqa-excerpt'>{excerpt}</p>"
    if len(text) <= WHOLE_PARAGRAPH_CHARS:
        whole, label = show(0, len(text)), "the whole paragraph"
    else:  # a one-line megabyte: the quote's surroundings, not the megabyte, in every reply (issue 28)
        lo_c = max(0, a - WHOLE_PARAGRAPH_CHARS // 2)
        hi_c = min(len(text), lo_c + WHOLE_PARAGRAPH_CHARS)
        lo_c, hi_c = _word_edge(text, lo_c, -1), _word_edge(text, hi_c, 1)
        whole = ("… " if lo_c else "") + show(lo_c, hi_c) + (" …" if hi_c < len(text) else "")
        label = "more of the paragraph"
    return (f"<p class='aqa-excerpt'>{excerpt}</p><details class='aqa-whole-paragraph'>"
            f"<summary>Show {label} ({len(words):,} words)</summary>"
            f"<p>{whole}</p></details>")


def _word_edge(text: str, i: int, step: int) -> int:
    """`i` moved to the nearest whitespace in direction `step` (at most 200 characters)."""
    for _ in range(200):
        if i <= 0 or i >= len(text) or text[i].isspace():
            return max(0, min(len(text), i))
        i += step
    return max(0, min(len(text), i))


def _marked(text: str, spans: Sequence[tuple[int, int]], a: int, b: int) -> str:
    """text[a:b], escaped, with the parts inside `spans` in <mark>."""
    out, at = [], a
    for start, end in spans:
        start, end = max(start, a), min(end, b)
        if start >= end:
            continue
        out += [html.escape(text[at:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        at = end
    out.append(html.escape(text[at:b]))
    return "".join(out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# -- articles --------------------------------------------------------------------------------------
def article_html(paragraphs: Sequence, cited: int | None = None, *, near: int | None = None) -> str:
    """An article's paragraphs (objects with number, text, boilerplate): the cited one marked as
    cited, or the `near` one (a closest passage, not a citation) only outlined."""
    rows = []
    for p in paragraphs:
        classes = " ".join(c for c in ("aqa-cited" if p.number == cited else "",
                                       "aqa-near" if p.number == near else "",
                                       "aqa-boiler" if p.boilerplate else "") if c)
        title = f" title='boilerplate: {html.escape(p.boilerplate)}'" if p.boilerplate else ""
        where = (f"p. {p.page} ¶{p.page_paragraph}" if getattr(p, "page", None) is not None
                 and getattr(p, "page_paragraph", None) is not None else f"¶{p.number}")
        rows.append(f"<p class='{classes}'{title}><span class='aqa-n'>{where}</span>{html.escape(p.text)}</p>")
    return f"<div class='aqa-article'>{''.join(rows)}</div>"




def _from(value: str | None, where: Mapping | None, *, claim: bool = False) -> str:
    """A metadata cell saying where the text gives it: "Reuters (the article's own claim, ¶7: “published by
    Reuters”)", "26 March 2025 (¶2)"; "—" for none. Records indexed before issue 28 carry no sources."""
    if not value:
        return "—"
    if not where:
        return value
    if "metadata" in where:  # the file format's own metadata (an HTML <title>, a PDF's properties)
        return f"{value} (the file's own metadata)"
    if claim:
        return f"{value} (the article's own claim, ¶{where['paragraph']}: “{_clip(where['text'], 60)}”)"
    return f"{value} (¶{where['paragraph']})"


def articles_table(articles: Mapping[str, Mapping]) -> list[list]:
    """Rows for the indexed-articles panel, by file name: the headline as the file gives it (its format's
    metadata, else its text; else its first words, marked as such), the outlet it names (and the author
    where the format's metadata names one), the publish date the text states ("—" where it states none),
    each with where it was read (the paragraph, or the file's own metadata; the outlet marked as the
    article's own claim), paragraphs, file, when it was indexed."""
    rows = []
    for name in sorted(articles):
        record = articles[name]
        title = record.get("headline") or (f"{record['lede']} (first words; no headline in the text)"
                                           if record.get("lede") else "(no headline in the text)")
        said = record.get("sources") or {}  # where each field was read (records of issue 28 on)
        outlet = _from(record.get("outlet"), said.get("outlet"), claim=True)
        if record.get("author"):  # a format's own metadata names it (HTML, PDF, Word)
            outlet = f"{outlet} · by {record['author']}"
        rows.append([_from(title, said.get("headline")), outlet, _from(_date(record.get("published")), said.get("published")),
                     record["paragraphs"], name, (record.get("indexed_at") or "").replace("T", " ")[:16]])
    return rows
