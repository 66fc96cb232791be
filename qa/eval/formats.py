"""Measure the format readers (issue 25): saved news pages, PDF libraries, throughput per format.

    python -m qa.eval.formats --html-eval DIR      # trafilatura's evaluation set (DIR: evaldata.json, eval/, cache/)
    python -m qa.eval.formats --pdf-compare        # pypdfium2 vs pdfplumber on the same generated PDFs
    python -m qa.eval.formats --throughput 40      # files per second per format, N generated files each

`--html-eval`: DIR is a copy of trafilatura's `tests/` folder (its repository's evaluation set; not
shipped here). Every page annotated with a title (851) is read by `ingest.formats.html` as ingest
reads it; a page counts as **main text** when every "with" snippet occurs in the indexed text, **no
boilerplate** when no "without" snippet does, **title right** when our headline equals the annotated
title (case and spacing aside), **date right** when our date equals the annotated one (pages annotated
with a date only); headline and date as ingest records them (the format's, else `ingest.metadata`'s
reading of the text). "All right" needs all four (the date only where one is annotated). A page we refuse
(no article text) counts as wrong on every measure.

`--pdf-compare`: the same PDFs (one column with a running header over several pages, two columns, both
made by fpdf2 from `qa.eval.format_samples`) through both libraries' positioned lines and the same
paragraph grouping (`ingest.formats.pdf.paragraphs`): the share of source paragraphs recovered exactly
(whitespace aside) and the milliseconds per page.

`--throughput N`: N files per format made from the shipped articles' paragraphs (`data/articles`);
seconds to read them (bytes -> paragraphs) and to parse them as ingest does (`parse_document`: reading,
speakers by the rules, chunking; no embedding, which costs the same per paragraph whatever the format:
docs/performance.md). Prints files per second per format.

Not handled: other languages' dates written in words (htmldate reads them; our check compares ISO
dates only), and partial credit for a page that misses one snippet.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
from collections import Counter
import sys
import time
from pathlib import Path

from ingest.errors import ArticleError
from ingest.formats import read_document
from ingest.metadata import find_headline, find_published


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def html_eval(folder: Path, limit: int | None = None) -> dict:
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    rows = [(url, v) for url, v in data.items() if "title" in v]
    rows = rows[:limit] if limit else rows
    counts = {"pages": 0, "missing_file": 0, "refused": 0, "main_text": 0, "no_boilerplate": 0, "clean": 0,
              "title_pages": 0, "title_right": 0, "date_pages": 0, "date_right": 0, "all_right": 0,
              "with_snippets": 0, "with_found": 0, "without_snippets": 0, "without_found": 0}
    wrong_titles, wrong_dates, seconds = [], [], 0.0
    for url, v in rows:
        path = next((folder / sub / v["file"] for sub in ("eval", "cache") if (folder / sub / v["file"]).is_file()), None)
        if path is None:
            counts["missing_file"] += 1
            continue
        counts["pages"] += 1
        started = time.perf_counter()
        try:
            doc = read_document(path.read_bytes(), path.name)
        except ArticleError:
            doc = None
        seconds += time.perf_counter() - started
        text = _norm("\n".join(b.text for b in doc.blocks)) if doc else ""
        found = [_norm(w) in text for w in v["with"]]
        leaked = [_norm(w) in text for w in v["without"]]
        counts["with_snippets"] += len(found)
        counts["with_found"] += sum(found)
        counts["without_snippets"] += len(leaked)
        counts["without_found"] += sum(leaked)
        main, clean = doc is not None and all(found), doc is not None and not any(leaked)
        counts["refused"] += doc is None
        counts["main_text"] += main
        counts["no_boilerplate"] += clean
        counts["clean"] += main and clean
        title_ok = date_ok = True
        texts = [b.text for b in doc.blocks] if doc else []
        ours = {"headline": (doc.headline or find_headline(texts)) if doc else None,  # as ingest records them
                "published": (doc.published or find_published(texts)) if doc else None}
        if v.get("title"):
            counts["title_pages"] += 1
            title_ok = doc is not None and _norm(ours["headline"] or "").casefold() == _norm(v["title"]).casefold()
            counts["title_right"] += title_ok
            if not title_ok:
                wrong_titles.append((v["file"], v["title"], ours["headline"] if doc else None))
        if v.get("date"):
            counts["date_pages"] += 1
            date_ok = doc is not None and ours["published"] == v["date"][:10]
            counts["date_right"] += date_ok
            if not date_ok:
                wrong_dates.append((v["file"], v["date"], ours["published"] if doc else None))
        counts["all_right"] += main and clean and title_ok and date_ok
    counts["seconds_per_page"] = round(seconds / max(1, counts["pages"]), 4)
    return {"counts": counts, "wrong_titles": wrong_titles[:15], "wrong_dates": wrong_dates[:15]}


def pdf_compare() -> dict:
    """Both libraries on the same PDFs; see the module docstring."""
    import pdfplumber
    import pypdfium2 as pdfium

    from ingest.formats.pdf import document, lines_pdfium, lines_pdfplumber
    from qa.eval import format_samples as S

    cases = {"one column, running header and footer": (S.pdf_file(header="Harbour Times - Annual report 2025",
                                                                 repeat=6), S.PARAGRAPHS * 6),
             "two columns": (S.pdf_file(columns=2, repeat=3), S.PARAGRAPHS * 3)}
    out = {}
    for case, (data, paragraphs) in cases.items():
        for library in ("pypdfium2", "pdfplumber"):
            started = time.perf_counter()
            if library == "pypdfium2":
                pdf = pdfium.PdfDocument(data)
                pages = [lines_pdfium(p) for p in pdf]
                heights = [p.get_height() for p in pdf]
                pdf.close()
            else:
                import io

                with pdfplumber.open(io.BytesIO(data)) as pdf:
                    pages = [lines_pdfplumber(p) for p in pdf.pages]
                    heights = [p.height for p in pdf.pages]
            seconds = time.perf_counter() - started
            got = [_norm(b.text) for b in document(pages, heights, {}, "x.pdf").blocks]
            right = sum((Counter(got) & Counter(paragraphs)).values())  # source paragraphs found exactly
            out[(case, library)] = {"paragraphs": len(paragraphs), "recovered": right,
                                    "blocks": len(got), "ms_per_page": round(1000 * seconds / len(pages), 2),
                                    "pages": len(pages)}
    return out


def _article_paragraphs(root: Path) -> list[tuple[str, list[str]]]:
    from ingest.paragraphs import read_article, split_paragraphs

    out = []
    for path in sorted(root.glob("*.txt")):
        paras = [p.text for p in split_paragraphs(read_article(path))]
        out.append((paras[0], paras[1:]))
    return out


def samples(fmt: str, n: int, articles: list[tuple[str, list[str]]]) -> list[tuple[str, bytes]]:
    """N files of one format from the shipped articles' paragraphs (cycled)."""
    from qa.eval import format_samples as S

    def latin(text: str) -> str:
        return (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
                .replace("\u2014", "-").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1"))

    out = []
    for i in range(n):
        title, paras = articles[i % len(articles)]
        paras = tuple(" ".join(p.split()) for p in paras)
        if fmt == "txt":
            data = "\n\n".join((title,) + paras).encode()
        elif fmt == "html":
            data = S.html_page(title, paras)
        elif fmt == "pdf":
            data = S.pdf_file(tuple(latin(p) for p in paras), title=latin(title), header="Harbour Times")
        elif fmt == "docx":
            data = S.docx_file(title, paras)
        elif fmt == "md":
            data = S.markdown_file(title, paras)
        else:
            data = S.eml_file(title, paras)
        out.append((f"{i:04d}.{fmt}", data))
    return out


def throughput(n: int, articles_dir: Path) -> dict:
    from ingest.build import parse_document
    from ingest.settings import IndexSettings

    os.environ.setdefault("ARTICLES_QA_SPEAKERS", "rules")
    settings = IndexSettings()
    articles = _article_paragraphs(articles_dir)
    from ingest.formats import text as text_format
    from ingest.settings import speaker_reader
    from reading import speakers

    warm = text_format.document("\n\n".join([articles[0][0], *articles[0][1]]))
    parse_document(warm, settings, sha256="", size=0, mtime_ns=0, parser=speakers.default_parser(speaker_reader()))  # loads Punkt etc.
    out = {}
    for fmt in ("txt", "html", "pdf", "docx", "md", "eml"):
        files = samples(fmt, n, articles)
        started = time.perf_counter()
        docs = [read_document(data, name) for name, data in files]
        read_s = time.perf_counter() - started

        parser = speakers.default_parser(speaker_reader())
        started = time.perf_counter()
        paragraphs = 0
        for doc in docs:
            _, paras = parse_document(doc, settings, sha256="", size=0, mtime_ns=0, parser=parser)
            paragraphs += len(paras)
        parse_s = time.perf_counter() - started
        out[fmt] = {"files": n, "kb_per_file": round(statistics.mean(len(d) for _, d in files) / 1024, 1),
                    "paragraphs": paragraphs, "read_files_per_s": round(n / read_s, 1),
                    "read_and_parse_files_per_s": round(n / (read_s + parse_s), 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html-eval", type=Path, help="trafilatura's tests/ folder (evaldata.json, eval/, cache/)")
    parser.add_argument("--limit", type=int, help="only the first N annotated pages")
    parser.add_argument("--pdf-compare", action="store_true")
    parser.add_argument("--throughput", type=int, metavar="N")
    parser.add_argument("--articles", type=Path, default=Path(__file__).resolve().parents[2] / "data" / "articles")
    args = parser.parse_args(argv)
    if not (args.html_eval or args.pdf_compare or args.throughput):
        parser.error("say what to measure: --html-eval DIR, --pdf-compare or --throughput N")
    if args.html_eval:
        if not (args.html_eval / "evaldata.json").is_file():
            print(f"error: {args.html_eval}/evaldata.json not found; pass a copy of trafilatura's tests/ folder",
                  file=sys.stderr)
            return 2
        result = html_eval(args.html_eval, args.limit)
        c = result["counts"]
        share = lambda k, d: f"{c[k] / max(1, c[d]):.3f} ({c[k]}/{c[d]})"  # noqa: E731
        print(f"pages read: {c['pages']} (missing files: {c['missing_file']}; refused as no article: {c['refused']})")
        print(f"main text indexed (every 'with' snippet): {share('main_text', 'pages')}")
        print(f"no boilerplate (no 'without' snippet):    {share('no_boilerplate', 'pages')}")
        print(f"both:                                     {share('clean', 'pages')}")
        print(f"snippets: with found {share('with_found', 'with_snippets')}, "
              f"without leaked {share('without_found', 'without_snippets')}")
        print(f"title right: {share('title_right', 'title_pages')}; date right: {share('date_right', 'date_pages')}")
        print(f"all right (text, no boilerplate, title, date): {share('all_right', 'pages')}")
        print(f"seconds per page: {c['seconds_per_page']}")
        for what in ("wrong_titles", "wrong_dates"):
            print(what + ":")
            for row in result[what]:
                print("   ", row)
    if args.pdf_compare:
        for (case, library), r in pdf_compare().items():
            print(f"{case:40s} {library:10s} recovered {r['recovered']}/{r['paragraphs']} paragraphs "
                  f"({r['blocks']} blocks), {r['ms_per_page']} ms/page over {r['pages']} pages")
    if args.throughput:
        for fmt, r in throughput(args.throughput, args.articles).items():
            print(f"{fmt:5s} {r['files']} files, {r['kb_per_file']} KB each, {r['paragraphs']} paragraphs: "
                  f"read {r['read_files_per_s']} files/s; read + parse {r['read_and_parse_files_per_s']} files/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
