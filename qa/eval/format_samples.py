"""Real files of every format ingest reads, made in code: the tests' fixtures and `qa.eval.formats`'
throughput corpus. Each builder returns the file's bytes.

- `html_page`: a saved news page as a browser saves it: navigation, a cookie banner, a byline, the
  article (headings, a list, a table), a related-stories box, reader comments and a footer around it;
  title, author, site name and date in the meta tags.
- `pdf_file` (fpdf2, a test dependency): one column or two, an optional running header and footer
  ("Page N") on every page, document information (title, author, creation date).
- `docx_file` (python-docx): title, headings, paragraphs, a bulleted list, a table, core properties.
- `markdown_file`, `eml_file` (the standard library's `email.message`; plain text or HTML only, or only
  an attachment).

`BOILERPLATE` lists text of the page around the article that must never be indexed as article text.
Text is ASCII: fpdf2's core fonts hold latin-1 only.
"""
from __future__ import annotations

import html as _html
import io
from datetime import datetime, timezone

TITLE = "Port strike ends after nine days"
PARAGRAPHS = (
    "Dock workers in Rotterdam returned to work on Friday after a nine-day strike over pay ended with a deal "
    "that raises wages by six percent over two years.",
    "The agreement, signed by the union and the port employers, runs until the end of 2026 and adds two extra "
    "days of leave for every worker on the docks.",
    "Union leader Piet Bakker said the members had voted by a large majority to accept the offer after three "
    "weeks of talks in the city hall.",
    "Shipping lines had diverted more than forty container vessels to Antwerp and Hamburg while the strike "
    "lasted, the port authority said.",
    "The port authority estimated that the stoppage cost the local economy about 120 million euros.",
)
ITEMS = ("Wages rise six percent from April.", "Two more days of leave a year.")
TABLE = (("Year", "Raise"), ("2025", "4%"), ("2026", "2%"))
BOILERPLATE = ("We use cookies", "Accept all", "Home", "Ferry fares to rise", "Canal closed for repairs",
               "Related stories", "Great news, finally", "reader123", "All rights reserved", "Subscribe to our",
               "Harbour Times - Annual report", "Page 1", "Page 2")


def html_page(title: str = TITLE, paragraphs=PARAGRAPHS, *, date: str = "2025-03-14", author: str = "Jane Doe",
              site: str = "Harbour Times", heading: str | None = "What the deal says", items=ITEMS,
              table=TABLE, body: bool = True) -> bytes:
    """A saved article page (see the module docstring); `body=False`: the page around it, no article."""
    e = _html.escape
    paras = [f"<p>{e(p)}</p>" for p in paragraphs]
    middle = len(paras) // 2
    extra = []
    if heading:
        extra.append(f"<h2>{e(heading)}</h2>")
    if items:
        extra.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    if table:
        extra.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in table[0]) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in table[1:])
                     + "</table>")
    article = (f"<article><h1>{e(title)}</h1><p class='byline'>By {e(author)}</p>"
               + "".join(paras[:middle] + extra + paras[middle:]) + "</article>") if body else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)} | {e(site)}</title>
<meta property="og:title" content="{e(title)}"><meta name="author" content="{e(author)}">
<meta property="og:site_name" content="{e(site)}"><meta property="article:published_time" content="{date}T08:00:00Z">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on our site.</p>
<button>Accept all</button></div>
<main>{article}
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Ferry fares to rise in the summer season</a></li>
<li><a href="/b">Canal closed for repairs until the end of May</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>Great news, finally! The port
was empty for too long. Posted by reader123</p></div></section></main>
<footer><p>Subscribe to our newsletter.</p><p>(c) 2025 {e(site)}. All rights reserved.</p></footer>
</body></html>""".encode()


def pdf_file(paragraphs=PARAGRAPHS, *, columns: int = 1, header: str | None = None, title: str | None = TITLE,
             author: str | None = "Jane Doe", created: datetime | None = None, repeat: int = 1,
             text: bool = True, password: str | None = None) -> bytes:
    """A text PDF of `paragraphs` (repeated `repeat` times): `columns` 1 or 2 (balanced), `header`: a
    running header on every page and a "Page N" footer; `text=False`: a page with only a drawing (no
    text layer); `password`: encrypted."""
    from fpdf import FPDF

    class _PDF(FPDF):
        def header(self):
            if header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 8, header, align="C")
                self.ln(12)

        def footer(self):
            if header:
                self.set_y(-15)
                self.set_font("Helvetica", size=8)
                self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = _PDF()
    pdf.set_creation_date(created or datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    if not text:
        pdf.rect(20, 20, 100, 60, style="F")
        return bytes(pdf.output())
    pdf.set_font("Helvetica", size=10)
    body = list(paragraphs) * repeat
    if columns == 1:
        for p in body:
            pdf.multi_cell(0, 6, p)
            pdf.ln(4)
    else:
        with pdf.text_columns(ncols=columns, gutter=8, text_align="L", balance=True) as cols:
            for i, p in enumerate(body):
                cols.write(p)
                if i < len(body) - 1:
                    cols.ln()
                    cols.ln()
    return bytes(pdf.output())


def docx_file(title: str = TITLE, paragraphs=PARAGRAPHS, *, heading: str = "What the deal says", items=ITEMS,
              table=TABLE, author: str = "Jane Doe", created: datetime | None = None) -> bytes:
    """A Word document: a Title paragraph, paragraphs, a Heading 1, a bulleted list, a table."""
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = author
    d.core_properties.created = created or datetime(2025, 3, 14, 9, 30)
    d.add_paragraph(title, style="Title")
    middle = len(paragraphs) // 2
    for p in paragraphs[:middle]:
        d.add_paragraph(p)
    d.add_paragraph(heading, style="Heading 1")
    for i in items:
        d.add_paragraph(i, style="List Bullet")
    t = d.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    for p in paragraphs[middle:]:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def markdown_file(title: str = TITLE, paragraphs=PARAGRAPHS, *, heading: str = "What the deal says",
                  items=ITEMS, table=TABLE) -> bytes:
    """Markdown with markup in the text: emphasis, a link, inline code, a list and a table."""
    first, *rest = paragraphs
    first = first.replace("six percent", "**six percent**").replace("Rotterdam", "[Rotterdam](https://example.org/r)")
    lines = [f"# {title}", "", first, ""]
    for p in rest[:1]:
        lines += [p.replace("2026", "`2026`"), ""]
    lines += [f"## {heading}", ""] + [f"- {i}" for i in items] + [""]
    lines += ["| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
    lines += ["| " + " | ".join(row) + " |" for row in table[1:]] + [""]
    for p in rest[1:]:
        lines += [f"_{p}_" if p is rest[-1] else p, ""]
    return "\n".join(lines).encode()


def eml_file(subject: str = TITLE, paragraphs=PARAGRAPHS, *, sender: str = "Harbour Times <news@harbour.example>",
             date: str = "Fri, 14 Mar 2025 09:30:00 +0000", kind: str = "plain") -> bytes:
    """A newsletter e-mail: `kind` "plain" (text part, hard-wrapped at 72), "html" (an HTML part only,
    the page of `html_page`) or "attachment" (only a PDF attachment, no text)."""
    import textwrap
    from email.message import EmailMessage

    m = EmailMessage()
    m["Subject"], m["From"], m["To"], m["Date"] = subject, sender, "reader@example.org", date
    if kind == "plain":
        text = "\n\n".join(textwrap.fill(p, 72) for p in paragraphs)
        m.set_content(text + "\n\nRead more\n\nYou receive this newsletter because you subscribed. Unsubscribe.\n")
    elif kind == "html":
        m.set_content(html_page(subject, paragraphs).decode(), subtype="html")
    else:
        m.add_attachment(pdf_file(paragraphs), maintype="application", subtype="pdf", filename="report.pdf")
    return bytes(m)
