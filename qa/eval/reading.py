"""Score the reading against hand labels: rules vs spaCy for speakers, sentences and entities.

    python -m qa.eval.reading [--labels data/reading_labels.jsonl] [--articles data/articles]
    python -m qa.eval.reading --cost 10000   # seconds the reading adds to ingest, per N paragraphs

Labels (JSON lines, `task` says which): "speaker" (a sentence of an article, by its opening words, with
the speakers a careful reader accepts; null = attributed to no one), "sentences" (a paragraph or a
literal text with the opening words of each sentence), "entities" (a paragraph with the people,
organisations and places it names). Prints one table per task; exit 2 on a bad labels file.

Speakers: right when the speaker's last word matches an accepted one (or both are none);
"misattributed" counts a wrong speaker that is a named person. Sentences: a paragraph is right when
its sentences open exactly where the labels say. Entities: precision/recall/F1 of (kind, name) pairs.

Not handled: partial credit, and labels for other articles than those in `--articles`.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import reading
from ingest.boilerplate import classify
from ingest.paragraphs import read_article, split_paragraphs
from reading import mentions, speakers
from reading.text import fold

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: cannot read labels {path}: {e}") from None


def _key(name: str | None) -> str | None:
    return mentions.name_key(name) if name else None


def _named_person(name: str) -> bool:
    found = mentions.names("x " + name)
    return bool(found) and found[0].kind in ("person", "name") and fold(found[0].text) not in mentions.PLACES


def speakers_table(labels: list[dict], articles: Path, parser) -> dict[str, dict[str, float]]:
    by_file: dict[str, list[dict]] = defaultdict(list)
    for lab in labels:
        by_file[lab["file"]].append(lab)
    out = {}
    for name, reader in (("rules", None), ("spaCy parse", parser)):
        if name != "rules" and reader is None:
            continue
        right = wrong_person = 0
        misses = []
        for file, labs in by_file.items():
            paras = split_paragraphs(read_article(articles / file))
            texts = [p.text for p in paras]
            read = reading.read_article(texts, classify(texts), reader)
            for lab in labs:
                units = read[lab["paragraph"] - 1]["units"]
                unit = next((u for u in units if u.reading.startswith(lab["sentence_starts"])), None)
                said = unit.speaker if unit else None
                gold = {_key(g) for g in lab["speaker"]}
                if _key(said) in gold:
                    right += 1
                else:
                    misses.append(f"{file[:3]} ¶{lab['paragraph']} {lab['sentence_starts']!r}: {said!r}")
                    if said and _named_person(said):
                        wrong_person += 1
        out[name] = {"n": len(labels), "right": right / len(labels), "misattributed": wrong_person,
                     "misses": misses}
    return out


def _starts(text: str, spans) -> list[str]:
    return [" ".join(text[a:b].split()) for a, b in spans]


def sentences_table(labels: list[dict], articles: Path, nlp) -> dict[str, float]:
    systems = {"reading (Punkt + abbreviations, wraps)": reading.sentence_spans}
    if nlp is not None:
        systems["spaCy parse"] = lambda t: [(s.start_char, s.end_char) for s in nlp(t).sents]
    texts = []
    for lab in labels:
        if "text" in lab:
            texts.append((lab["text"], lab["sentences_start"]))
        else:
            paras = split_paragraphs(read_article(articles / lab["file"]))
            texts.append((paras[lab["paragraph"] - 1].text, lab["sentences_start"]))
    out = {}
    for name, split in systems.items():
        ok = 0
        for text, gold in texts:
            got = _starts(text, split(text))
            ok += len(got) == len(gold) and all(g.startswith(" ".join(s.split())) for g, s in zip(got, gold))
        out[name] = ok / len(texts)
    return {"n": len(texts), **out}


_SPACY_KIND = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place"}


def _norm(name: str) -> str:
    return fold(name).removesuffix("’s").removesuffix("'s").removeprefix("the ").strip(" .")


def entities_table(labels: list[dict], articles: Path, ner) -> dict[str, dict[str, float]]:
    gold, rules, library = set(), set(), set()
    for i, lab in enumerate(labels):
        text = split_paragraphs(read_article(articles / lab["file"]))[lab["paragraph"] - 1].text
        gold |= {(i, k, _norm(n)) for k, names in lab["entities"].items() for n in names}
        rules |= {(i, k, _norm(text[a:b])) for a, b, k in mentions.mentions(text) if k in ("person", "organisation", "place")}
        if ner is not None:
            library |= {(i, _SPACY_KIND[e.label_], _norm(e.text)) for e in ner(text).ents if e.label_ in _SPACY_KIND}
    out = {}
    for name, found in (("rules", rules), ("spaCy NER", library)):
        if name != "rules" and ner is None:
            continue
        tp = len(found & gold)
        p, r = tp / max(1, len(found)), tp / max(1, len(gold))
        out[name] = {"precision": p, "recall": r, "f1": 2 * p * r / max(1e-9, p + r)}
    return out


def cost(n: int) -> dict[str, float]:
    """Seconds to read `n` generated paragraphs (qa.eval.bench's corpus): the reading with the rules for
    speakers, and with spaCy's parse (its load apart). The rest of ingest (terms, chunks, embedding) is
    unchanged by the reading. (The plain Punkt-per-line split it replaced is gone; its 3.3 s per 5,000
    paragraphs stays in docs/reading.md.)"""
    import tempfile
    import time

    from qa.eval.bench import make_corpus

    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(n, Path(tmp))
        articles = []
        for path in sorted(Path(tmp).rglob("*.txt")):
            texts = [p.text for p in split_paragraphs(read_article(path))]
            articles.append((texts, classify(texts)))
    out: dict[str, float] = {"paragraphs": sum(len(t) for t, _ in articles)}
    started = time.perf_counter()
    for texts, reasons in articles:
        reading.read_article(texts, reasons, None)
    out["reading, rules for speakers s"] = time.perf_counter() - started
    started = time.perf_counter()
    parser = speakers.Parser.load()
    out["spaCy load s"] = time.perf_counter() - started
    if parser is not None:
        started = time.perf_counter()
        for texts, reasons in articles:
            reading.read_article(texts, reasons, parser)
        out["reading, spaCy for speakers s"] = time.perf_counter() - started
        units = [u[3] for texts, reasons in articles for t, r in zip(texts, reasons) if r is None
                 for u in reading.units_of(t)]
        out["units"] = len(units)
        out["units with a speech verb or quotation"] = sum(map(speakers.has_speech, units))
        out["units parsed by spaCy"] = sum(speakers.has_speech(u) and speakers.plain_attribution(u) is None
                                           and speakers._parse_finds(u) for u in units)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qa.eval.reading", description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "data" / "reading_labels.jsonl")
    ap.add_argument("--articles", type=Path, default=ROOT / "data" / "articles")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--cost", type=int, metavar="N", help="time the reading of N generated paragraphs instead")
    args = ap.parse_args(argv)
    if args.cost:
        for name, value in cost(args.cost).items():
            print(f"{name:34s} {value:.2f}" if isinstance(value, float) else f"{name:34s} {value}")
        return 0
    try:
        labels = _load(args.labels)
        by_task = defaultdict(list)
        for lab in labels:
            by_task[lab["task"]].append(lab)
        parser = speakers.Parser.load()
        nlp = parser.nlp if parser else None
        ner = None
        if parser is not None:
            import spacy

            ner = spacy.load(speakers.MODEL)
        result = {
            "speakers": speakers_table(by_task["speaker"], args.articles, parser),
            "sentences": sentences_table(by_task["sentences"], args.articles, nlp),
            "entities": entities_table(by_task["entities"], args.articles, ner),
        }
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    except (KeyError, IndexError, OSError, TypeError) as e:
        print(f"error: bad labels file {args.labels}: {e!r}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"speakers ({len(by_task['speaker'])} sentences with a speech verb or quotation)")
    for name, row in result["speakers"].items():
        print(f"  {name:32s} right {row['right']:.2f}  misattributed to another named person: {row['misattributed']}")
        for miss in row["misses"]:
            print(f"      {miss}")
    print(f"sentences ({result['sentences']['n']} paragraphs and texts; share segmented exactly right)")
    for name, value in result["sentences"].items():
        if name != "n":
            print(f"  {name:40s} {value:.2f}")
    print(f"entities ({len(by_task['entities'])} paragraphs; people, organisations, places)")
    for name, row in result["entities"].items():
        print(f"  {name:12s} P {row['precision']:.2f}  R {row['recall']:.2f}  F1 {row['f1']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
