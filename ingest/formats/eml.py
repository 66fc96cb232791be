"""E-mail (`.eml`: newsletters saved from a mail program) through the standard library's `email`.

Paragraphs: the Subject is paragraph 1 (kind "title"); then the body's: the text/plain part read like a
`.txt` file (blocks between blank lines, `ingest.boilerplate` flags appeals, "Read more" and the like),
or, when the message has only an HTML part, that part through trafilatura (`ingest.formats.html`).

Metadata: Subject as the headline, Date as the publication date, From's display name (else its address)
as the outlet.

Errors: a message with no text or HTML part (only attachments) is one line with the fix. Not handled:
attachments (a PDF attached to a newsletter is not read: save it beside the e-mail), quoted replies
(read as text), S/MIME-signed or encrypted bodies.
"""
from __future__ import annotations

import email
import email.policy
from email.utils import parseaddr, parsedate_to_datetime

from ingest.errors import UnreadableFileError
from ingest.formats import html as html_reader
from ingest.formats.base import Block, Document, clean, iso_date
from ingest.paragraphs import split_paragraphs

SUFFIXES = (".eml",)
NAME = "an e-mail"
VERSION = 1


def version() -> str:
    return f"eml {VERSION} " + html_reader.version()


def read(data: bytes, name: str) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.default)
    subject = clean(str(message.get("Subject") or ""))
    sender_name, address = parseaddr(str(message.get("From") or ""))
    published = None
    try:
        published = iso_date(parsedate_to_datetime(str(message.get("Date")))) if message.get("Date") else None
    except (TypeError, ValueError):
        published = None
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        raise UnreadableFileError(f"{name}: the e-mail has no text or HTML part (only attachments?); save the "
                                  f"attachment itself in the folder, or forward the text in the message body")
    content = body.get_content()
    if body.get_content_subtype() == "html":
        page = html_reader.from_html(content, name, heuristics=False)
        blocks = [b for b in page.blocks if b.kind != "title"]
        heuristics = False
    else:
        blocks = [Block(p.text, line=p.line) for p in split_paragraphs(content)]
        heuristics = True
    if not blocks:
        raise UnreadableFileError(f"{name}: the e-mail's message body is empty; save a message that holds the text")
    if subject:
        blocks.insert(0, Block(subject, "title"))
    return Document(tuple(blocks), headline=subject, published=published,
                    outlet=clean(sender_name) or clean(address), heuristics=heuristics)
