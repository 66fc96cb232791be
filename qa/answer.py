"""What answering hands on: `Evidence` (what an answerer reads) and `Answer` (what `ask()` returns,
frozen, plain enough to turn into JSON). The stages' interfaces are in `qa.stages`."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.corpus import Corpus
    from qa.corroborate import Corroboration, Disagreement, Report
    from qa.dates import EventDate
    from qa.timeline import Entry
    from qa.analyze import Analysis
    from qa.retrieve import Retrieval
    from qa.select import Sentence


@dataclass(frozen=True)
class Citation:
    file: str  # relative to the articles folder
    paragraph: int  # 1-based, as a reader counts paragraphs in the file
    text: str  # the whole paragraph, verbatim from the file
    quote: str  # the sentence(s) of it that support the answer, verbatim: its `spans` joined by " … "
    headline: str | None = None
    published: str | None = None  # ISO date, where the article states one
    score: float = 0.0  # support of the quoted sentence(s), 0..1
    also_in: list[str] = field(default_factory=list)  # "file ¶n" (a PDF's "file p. P ¶k") of duplicate copies
    # A PDF's location: the page (1-based) and the paragraph's number on that page; None for formats
    # without pages. `paragraph` stays the number in the whole file (the index's key).
    page: int | None = None
    page_paragraph: int | None = None
    # When the quoted sentences say it happened (qa.dates): each date expression as written, resolved against
    # `published`; `event_date` the quote's event date, ISO ("2025-03-25"; a week's Monday, a month's or year's
    # first day), None when the quote states none that resolves.
    dates: list[EventDate] = field(default_factory=list)
    event_date: str | None = None
    # The quote's pieces as offsets into `text` (start, end), in order: what the page marks. Empty for a
    # citation made without them (an evaluation baseline): nothing is marked then, nothing searched for.
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def label(self) -> str:
        """"story.html ¶4", or for a PDF "report.pdf p. 3 ¶2" (page, paragraph on that page)."""
        if self.page is not None and self.page_paragraph is not None:
            return f"{self.file} p. {self.page} ¶{self.page_paragraph}"
        return f"{self.file} ¶{self.paragraph}"


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer as shown, and the citation that supports it.

    `text` is verbatim from the cited paragraph except words in square brackets, which are
    ours (an editor's insertion such as "[Lavrov] also said", or "…" where a long sentence is cut).
    """

    text: str
    citation: int  # 1-based: marker [n] is Answer.citations[n-1]
    # Offsets (start, end) in `text` of the words that are ours ("[Lavrov]", "[…]", "[”]"), in order; the
    # rest of `text` is verbatim from the cited paragraph (runs of whitespace made one space).
    inserted: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Retrieved:
    file: str
    paragraph: int
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Answer:
    text: str  # with inline markers [1], [2]...; marker [n] is citations[n-1]
    citations: list[Citation]
    # False unless the tier is "answered": a tentative answer has citations but is not asserted.
    answered: bool
    # The calibrated probability (0..1) that the answer is right (qa.confidence); for a refusal,
    # that an answer would have been right.
    confidence: float = 0.0
    # For refusals: the passages that came closest, shown as "closest passages, not an answer".
    closest: list[Citation] = field(default_factory=list)
    answer_type: str = ""  # what the question asks for (qa.analyze): person, date, number, ...
    # The answer sentence by sentence (text joins them with markers); render markers from this,
    # never by searching `text` for "[n]", which an article may contain literally.
    sentences: list[AnswerSentence] = field(default_factory=list)
    # Generative answers: how many generated sentences the check kept, re-cited and removed.
    checked: dict[str, int] = field(default_factory=dict)
    # What the confidence was computed from (qa.confidence.FEATURES), for explanations and fitting.
    signals: dict[str, float] = field(default_factory=dict)
    question: str = ""
    query: str = ""  # what was searched: the question, completed from the chat history for follow-ups
    backend: str = "extractive"
    retrieved: list[Retrieved] = field(default_factory=list)  # paragraphs ranked by retrieval
    timings_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. what a checker removed
    # "answered": asserted, cited; "tentative": the best quote with its citation, which may answer
    # (shown as "may answer: check the source"); "refused": the articles do not seem to answer
    # (no citations; `closest` holds the nearest passages, not an answer).
    tier: str = "answered"
    # Who else reports it (qa.corroborate): outlets and copies stating the same value, each with its citation;
    # None when not computed (Settings.corroborate off, a refusal).
    corroboration: Corroboration | None = None
    # The same question answered with another value about the same event, later publication first.
    disagreements: list[Disagreement] = field(default_factory=list)
    # Other values the articles give that nothing ties to the same event: not a contradiction.
    other_values: list[Report] = field(default_factory=list)
    # "Timeline of the talks" (qa.timeline): dated quotes in event order, then the undated ones.
    timeline: list[Entry] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def sources_text(self) -> str:
        """Sources as a reader checks them: file ¶n and the quoted words."""
        lines = []
        for n, c in enumerate(self.citations, 1):
            title = f" ({c.headline})" if c.headline else ""
            date = f", {c.published}" if c.published else ""
            lines.append(f"[{n}] {c.label}{title}{date}\n    “{' '.join(c.quote.split())}”")
            if c.also_in:
                lines.append(f"    same text also in: {', '.join(c.also_in)}")
        return "\n".join(lines + _reports_text(self))


def _reports_text(answer: Answer) -> list[str]:
    """Corroboration, disagreements and other values as terminal lines (`Answer.sources_text`)."""
    lines = []
    c = answer.corroboration
    if c is not None and c.beyond_own:
        lines.append(f"\n{c.summary}:")
        for source in c.sources:
            lines.append(f"  {source.label}: " + "; ".join(_report_line(r) for r in source.reports))
    for d in answer.disagreements:
        lines.append(f"\nReports disagree ({d.basis}), later first:")
        lines += [_quoted_report(r) for r in d.reports]
    if answer.other_values:
        lines.append("\nOther figures in the articles, not shown to be about the same event (not a contradiction):")
        lines += [_quoted_report(r) for r in answer.other_values]
    return lines


def _quoted_report(r: Report) -> str:
    return f"  “{r.value}” {_report_line(r)}: “{' '.join(r.citation.quote.split())}”"


def _report_line(r: Report) -> str:
    c = r.citation
    when = f", published {c.published}" if c.published else ""
    event = f", event {c.event_date}" if c.event_date else ""
    credits = f" (credits: {', '.join(r.credits)})" if r.credits else ""
    outlet = f"{r.outlet}, " if r.outlet else ""
    return f"{outlet}{c.label}{when}{event}{credits}"


@dataclass(frozen=True)
class Evidence:
    """What the answering step gets: the question, what was searched, the retrieved paragraphs and their
    sentences ranked by the answer scorer (best first), and what the conversation already gave."""

    question: str
    query: str
    history: list[dict[str, str]]
    retrieval: Retrieval
    sentences: list[Sentence]
    corpus: Corpus
    analysis: Analysis  # of the standalone question (qa.analyze), made by the pipeline before retrieval
    # What the previous answer gave, for "who else / what next": its names and its sentences.
    excluded: frozenset[str] = field(default_factory=frozenset)
    answered: frozenset[str] = field(default_factory=frozenset)
    continues: bool = False  # "what did he add": the sentence after the ones quoted before

