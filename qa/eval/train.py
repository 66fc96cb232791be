"""Train the answer scorers and measure them on sources they never saw.

    python -m qa.eval.train [--kind cross-encoder] [train_reader's options]   # the shipped reader, then the confidence model
    python -m qa.eval.train --kind learned [--out FILE] [--confidence-out FILE] [--per-paragraph 6] [--json REPORT]

`--kind cross-encoder` (the default): the reader, `qa.eval.train_reader` (SQuAD's train questions in
`../shared/train`; resumable), then the confidence model over its answers, `qa.eval.train_confidence`.

`--kind learned`: the earlier scorer, kept as a measured baseline: a pairwise logistic model over
MiniLM similarities and lexical signals (`qa.score.LearnedScorer`), fitted on the candidates the real
pipeline reads for the questions of three sources: `../shared/bench/squad-v1.1-dev-super-bowl-50.json`,
`../shared/bench/squad-v2.0-dev-normans.json` and the "dev" lines of `data/questions.jsonl`, each
reported by a model fitted without it (leave-one-source-out), beside the bi-encoder cosine and the
lexical support alone.

This module also holds what both read: SQuAD and our questions as `Question`s, the rule-made
swapped question (`swapped`), the MiniLM cross-encoder (`cross_encoder`) and its int8 ONNX export.
Not handled: GPUs (CPU only, by design).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.select import UNSCORED

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
SOURCES = {
    "super_bowl_50": BENCH / "squad-v1.1-dev-super-bowl-50.json",
    "normans": BENCH / "squad-v2.0-dev-normans.json",
    "news": ROOT / "data" / "questions.jsonl",
}
SEED = 13
PAIRS_PER_QUESTION = 40  # (holds, does not hold) pairs sampled per question for the ranking objective
PER_PARAGRAPH = 6  # SQuAD questions kept per paragraph (seeded sample): Super_Bowl_50 asks 15 of each


@dataclass(frozen=True)
class Question:
    id: str
    source: str
    text: str
    paragraphs: tuple[str, ...]  # the article's (or articles') paragraphs, whitespace-normalised
    headlines: tuple[str, ...]  # the headline of each paragraph's article
    gold: int | None  # paragraph the question was written on (also for unanswerable SQuAD 2.0 questions)
    spans: tuple[tuple[int, int, int], ...]  # (paragraph, start, end) of gold answers
    answers: tuple[str, ...]  # gold answer strings (news questions carry no offsets)
    unanswerable: bool
    before: tuple[int, ...] = ()  # index of the paragraph before each one in its article (-1: none)


def _normalised(context: str, spans: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """A SQuAD context with whitespace collapsed (as `qa.eval.evaluate.squad_corpus` writes it) and the
    answer spans moved with it."""
    text = " ".join(context.split())
    out = []
    for start, answer in spans:
        a = len(" ".join(context[:start].split())) + (1 if start and context[:start][-1:].isspace() else 0)
        a = text.find(" ".join(answer.split()), max(0, a - 3))
        if a >= 0:
            out.append((a, a + len(" ".join(answer.split()))))
    return text, out


def load_squad(path: Path, source: str) -> list[Question]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for article in data["data"]:
        title = article["title"].replace("_", " ")
        contexts = [" ".join(p["context"].split()) for p in article["paragraphs"]]
        for i, p in enumerate(article["paragraphs"]):
            for qa in p["qas"]:
                impossible = bool(qa.get("is_impossible"))
                answers = qa.get("answers") or []
                _, spans = _normalised(p["context"], [(a["answer_start"], a["text"]) for a in answers])
                out.append(Question(qa["id"], source, qa["question"], tuple(contexts), (title,) * len(contexts),
                                    i, tuple((i, a, b) for a, b in sorted(set(spans))),
                                    tuple(a["text"] for a in answers), impossible,
                                    tuple(range(-1, len(contexts) - 1))))
    return out


def load_news(path: Path, articles: Path, *, split: str = "dev") -> list[Question]:
    """Our own questions of one split, over the shipped articles (paragraphs numbered as ingest numbers them)."""
    from ingest.metadata import find_headline as headline_of
    from ingest.paragraphs import read_article, split_paragraphs
    from qa.eval.evaluate import load_questions

    paragraphs, headlines, before, where = [], [], [], {}
    for file in sorted(p for p in Path(articles).iterdir() if p.suffix in (".txt", ".md")):
        paras = split_paragraphs(read_article(file))
        title = headline_of([p.text for p in paras]) or ""
        for k, p in enumerate(paras):
            where[(file.name, p.number)] = len(paragraphs)
            before.append(len(paragraphs) - 1 if k else -1)
            paragraphs.append(" ".join(p.text.split()))
            headlines.append(title)
    cases, _ = load_questions(path)
    out = []
    for c in cases:
        if c.split != split or c.history:
            continue
        gold = [where[s] for s in c.sources if s in where]
        out.append(Question(c.id, "news", c.question, tuple(paragraphs), tuple(headlines), gold[0] if gold else None,
                            (), tuple(c.answers), c.unanswerable, tuple(before)))
    return out


def load(source: str, *, split: str = "dev") -> list[Question]:
    path = SOURCES[source]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: training reads ../shared/bench beside the repo")
    if source == "news":
        return load_news(path, ROOT / "data" / "articles", split=split)
    return load_squad(path, source)


def per_paragraph(questions: list[Question], n: int, *, seed: int = SEED) -> list[Question]:
    """At most `n` questions of each SQuAD paragraph (a seeded sample, order kept); news questions all."""
    rng = random.Random(seed)
    groups: dict[tuple, list[Question]] = {}
    for q in questions:
        groups.setdefault((q.source, q.gold) if q.source != "news" else (q.id,), []).append(q)
    keep = {q.id for g in groups.values() for q in (rng.sample(g, n) if len(g) > n else g)}
    return [q for q in questions if q.id in keep]


# -- pairs ---------------------------------------------------------------------------
_SWAPPABLE = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|\d[\d,.]*)\b")


def swapped(q: Question, rng: random.Random) -> str | None:
    """The question with one of its names or numbers replaced by another from the same article, as
    SQuAD 2.0's writers made unanswerable questions; None when it holds none, or nothing to swap in."""
    found = [m for m in _SWAPPABLE.finditer(q.text) if m.start() > 0]
    if not found or q.gold is None:
        return None
    m = rng.choice(found)
    pool = sorted({x.group() for x in _SWAPPABLE.finditer(" ".join(q.paragraphs[max(0, q.gold - 3):q.gold + 4]))
                   if x.group() != m.group() and x.group()[0].isdigit() == m.group()[0].isdigit()
                   and x.group().lower() not in q.paragraphs[q.gold].lower()})
    if not pool:
        return None
    return q.text[:m.start()] + rng.choice(pool) + q.text[m.end():]


# -- training --------------------------------------------------------------------------
def base_model_dir() -> str:
    from ingest.embedding import model_path
    from ingest.settings import DEFAULT_EMBED_MODEL

    return model_path(DEFAULT_EMBED_MODEL)


def cross_encoder(base: str):
    """MiniLM read as a cross-encoder: the pair's tokens mean-pooled (all-MiniLM-L6-v2 was trained with
    mean pooling; its [CLS] vector and pooler were not) into one linear unit, the logit."""
    import torch
    from transformers import AutoModel

    class CrossEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base, add_pooling_layer=False)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(pooled)

    return CrossEncoder()


def export(model, tokenizer, out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / "model-fp32.onnx.tmp"
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}

    with torch.no_grad():
        torch.onnx.export(model, (dummy, dummy, torch.zeros_like(dummy)), str(fp32),
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "logits": {0: "batch"}},
                          opset_version=17, dynamo=False)
    tmp = out / "model.onnx.tmp"
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
    tmp.replace(out / "model.onnx")
    fp32.unlink()
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.save(str(out / "tokenizer.json"))


# -- the learned scorer (the default): a logistic model over meaning and lexical signals ----------
@dataclass
class Asked:
    """One question as answering read it: its evidence (ranked lexically), the features and labels
    of its best `Settings.scored_candidates` candidates, and what a right answer must contain."""

    case: object  # qa.eval.evaluate.Case
    source: str
    evidence: object  # qa.answer.Evidence
    x: np.ndarray  # (n, len(LearnedScorer.FEATURES))
    y: np.ndarray  # (n,) 1 when the candidate holds a gold answer
    support: np.ndarray  # (n,) lexical support, for comparison


def _label(case, q: Question | None, para, s) -> int:
    """1 when sentence `s` of paragraph `para` holds a gold answer (SQuAD: an answer span starts in it;
    ours: a gold answer string, in a gold paragraph)."""
    if case.unanswerable:
        return 0
    if q is not None and q.spans:
        return int(any(p == para.number - 1 and s.start <= a < s.end for p, a, _ in q.spans))
    folded = " ".join(s.text.lower().split())
    return int((para.file, para.number) in set(case.sources)
               and any(" ".join(a.lower().split()) in folded for a in case.answers))


def gather(sources: dict[str, list[Question]], workdir: Path, embedder, log=print) -> list[Asked]:
    """Ask every question of every source through the real pipeline (lexical order: the lexical
    scorer) and keep what answering would read."""
    import shutil

    from ingest import ingest
    from qa.eval.evaluate import load_questions, squad_corpus
    from qa.pipeline import Pipeline
    from qa.score import LexicalScorer, learned_features
    from qa.select import candidate
    from qa.settings import Settings

    out = []
    for source, questions in sources.items():
        by_id = {q.id: q for q in questions}
        if source.startswith("news"):
            data = workdir / "news"
            shutil.copytree(ROOT / "data" / "articles", data, dirs_exist_ok=True)
            cases = [c for c in load_questions(SOURCES["news"])[0] if c.id in by_id]
        else:
            data = workdir / source
            cases = [c for c in squad_corpus(SOURCES[source], data) if c.id in by_id]
        settings = Settings.from_env(data_dir=data, index_dir=workdir / f"{source.split()[0]}-index")
        ingest(settings=settings, embedder=embedder, progress=False)
        pipeline = Pipeline(settings, embedder=embedder, scorer=LexicalScorer())
        before = len(out)
        for case in cases:
            evidence = pipeline.evidence(case.question)
            head = [s for s in evidence.sentences if s.answer > UNSCORED]
            cands = [candidate(evidence.corpus, s) for s in head]
            x = learned_features(embedder.get_text_embedding_batch, case.question, cands) if cands else np.zeros((0, 10), np.float32)
            y = np.asarray([_label(case, by_id.get(case.id), evidence.corpus.paras[s.para], s) for s in head])
            out.append(Asked(case, source, evidence, x, y, np.asarray([c.support for c in cands])))
        log(f"{source}: {len(out) - before} questions, {sum(len(a.y) for a in out[before:])} candidates, "
            f"{sum(int(a.y.sum()) for a in out[before:])} holding an answer")
    return out


def fit(asked: list[Asked], *, pairwise: bool = True, seed: int = SEED) -> dict:
    """The scorer's weights. Pairwise (the default, a ranking objective): logistic regression on the
    difference of a sentence that holds the answer and one that does not, of the same question, so
    the logit orders a question's candidates (its level across questions means nothing: abstention
    is the confidence model's). Pointwise: plain logistic regression on every candidate."""
    from sklearn.linear_model import LogisticRegression

    from qa.score import LearnedScorer

    x = np.vstack([a.x for a in asked])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    if pairwise:
        rng = np.random.default_rng(seed)
        diffs = []
        for a in asked:
            z = (a.x - mean) / scale
            pos, neg = z[a.y == 1], z[a.y == 0]
            if len(pos) and len(neg):
                pairs = [(i, j) for i in range(len(pos)) for j in range(len(neg))]
                for k in rng.permutation(len(pairs))[:PAIRS_PER_QUESTION]:
                    i, j = pairs[k]
                    diffs.append(pos[i] - neg[j])
        d = np.asarray(diffs)
        model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(
            np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))])
        intercept, trained = 0.0, {"objective": "pairwise", "pairs": int(len(d))}
    else:
        y = np.concatenate([a.y for a in asked])
        model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
        intercept, trained = float(model.intercept_[0]), {"objective": "pointwise", "candidates": int(len(y))}
    return {"features": list(LearnedScorer.FEATURES), "coef": model.coef_[0].round(5).tolist(),
            "intercept": round(intercept, 5), "mean": mean.round(5).tolist(), "scale": scale.round(5).tolist(),
            **trained}


def logits(model: dict, x: np.ndarray) -> np.ndarray:
    return ((x - np.asarray(model["mean"])) / np.asarray(model["scale"])) @ np.asarray(model["coef"]) + model["intercept"]


def measured(asked: list[Asked], score) -> dict:
    """Per question: does the best-scored candidate hold the answer (answerable questions with one
    among the candidates); AUROC of the best score for answerable vs unanswerable; pairwise AUROC."""
    from qa.eval.evaluate import auroc

    top1, best, answerable, pairs, labels = [], [], [], [], []
    for a in asked:
        if not len(a.y):
            continue
        s = np.asarray(score(a), dtype=float)
        i = int(np.argmax(s))
        if a.y.any():
            top1.append(int(a.y[i]))
        best.append(float(s[i]))
        answerable.append(not a.case.unanswerable)
        pairs += s.tolist()
        labels += [bool(v) for v in a.y]
    return {"questions": len(best), "answerable_top1": round(float(np.mean(top1)), 4) if top1 else None,
            "answerable_vs_unanswerable_auroc": (round(auroc(best, answerable), 4)
                                                 if 0 < sum(answerable) < len(answerable) else None),
            "pair_auroc": round(auroc(pairs, labels), 4) if 0 < sum(labels) < len(labels) else None}


def answered(asked: list[Asked], model: dict, group: str) -> list[dict]:
    """Calibration rows: each question answered by the real extractive answerer over its evidence
    re-ranked by `model` (which never saw its source), every tier on; its signals and whether it is right."""
    import dataclasses as dc

    from qa.compose import ExtractiveAnswerer
    from qa.confidence import FEATURES
    from qa.eval.evaluate import contains_gold
    from qa.settings import Settings

    answerer = ExtractiveAnswerer(Settings(min_confidence=0.0, min_tentative=0.0))
    rows = []
    for a in asked:
        n = len(a.y)
        ranked = [dc.replace(s, answer=round(float(v), 4))
                  for s, v in zip(a.evidence.sentences[:n], logits(model, a.x) if n else [])]
        ranked.sort(key=lambda s: -s.answer)
        answer = answerer.answer(dc.replace(a.evidence, sentences=ranked + list(a.evidence.sentences[n:])))
        right = bool(answer.answered and not a.case.unanswerable
                     and contains_gold(re.sub(r"\s*\[\d+\]", "", answer.text), a.case.answers, a.case.answers_all))
        rows.append({"id": a.case.id, "subset": group, "group": f"{a.source}:{_paragraph(a)}",
                     "answered": answer.answered, "unanswerable": a.case.unanswerable, "right": right,
                     "features": [answer.signals.get(f, 0.0) for f in FEATURES]})
    return rows


def _paragraph(a: Asked) -> str:
    return str(a.case.sources[0][1]) if a.case.sources else a.case.id


def train_learned(args) -> int:
    import tempfile

    from ingest.embedding import load_embedder
    from qa.eval import calibrate
    from qa.score import MODEL_FILE, LearnedScorer
    from qa.settings import Settings

    sources = {s: load(s) for s in SOURCES}
    if args.per_paragraph:
        sources = {s: per_paragraph(qs, args.per_paragraph) for s, qs in sources.items()}
    if args.max_questions:
        sources = {s: random.Random(SEED).sample(qs, min(len(qs), args.max_questions)) for s, qs in sources.items()}
    sources["news heldout"] = load("news", split="heldout")
    embedder = load_embedder(Settings())
    with tempfile.TemporaryDirectory(prefix="articles-qa-train-") as tmp:
        asked = gather(sources, Path(tmp), embedder, log=lambda m: print(m, file=sys.stderr))
        by = {s: [a for a in asked if a.source == s] for s in sources}
        dev = ["super_bowl_50", "normans", "news"]
        report: dict = {"candidates per question": f"the best {Settings().scored_candidates} by lexical score, as answering reads them",
                        "features": list(LearnedScorer.FEATURES)}
        cos = LearnedScorer.FEATURES.index("cos_sentence")
        calibration = []
        for held in ("normans", "super_bowl_50", "news", "news heldout"):
            model = fit([a for s in dev if s not in (held, "news heldout") for a in by[s]])
            pointwise = fit([a for s in dev if s not in (held, "news heldout") for a in by[s]], pairwise=False)
            report[f"held out: {held}"] = {"learned (pairwise, shipped)": measured(by[held], lambda a: logits(model, a.x)),
                                           "learned (pointwise)": measured(by[held], lambda a: logits(pointwise, a.x)),
                                           "bi-encoder cosine alone": measured(by[held], lambda a: a.x[:, cos]),
                                           "lexical support alone": measured(by[held], lambda a: a.support)}
            calibration += answered(by[held], model, held)
        model = fit([a for s in dev for a in by[s]])
        # The confidence model: fitted on answers whose scorer never saw their source (news held-out
        # third excluded: it is reported, never fitted on), cross-validated by paragraph.
        fitted = [r for r in calibration if r["answered"] and r["subset"] != "news heldout"]
        confidence = calibrate.fit(np.asarray([r["features"] for r in fitted], dtype=float),
                                   np.asarray([r["right"] for r in fitted]))
        p = np.zeros(len(calibration))
        idx = [i for i, r in enumerate(calibration) if r["answered"] and r["subset"] != "news heldout"]
        p[idx] = calibrate.cross_validated([calibration[i] for i in idx])
        held_idx = [i for i, r in enumerate(calibration) if r["answered"] and r["subset"] == "news heldout"]
        if held_idx:
            p[held_idx] = calibrate.predict(confidence, np.asarray([calibration[i]["features"] for i in held_idx]))
        report["end to end (answers by the extractive answerer; confidence cross-validated)"] = calibrate.report(
            calibration, p)
    model["trained_on"] = "Super_Bowl_50, Normans, data/questions.jsonl dev lines (never the held-out third)"
    out = Path(args.out) if args.out else MODEL_FILE
    out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    if args.confidence_out:  # the shipped confidence model is the reader's (qa.eval.train_confidence)
        Path(args.confidence_out).write_text(json.dumps(confidence, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"report": report, "rows": [
            {**r, "p": float(x)} for r, x in zip(calibration, p)]}, indent=1) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("cross-encoder", "learned"), default="cross-encoder",
                        help="cross-encoder: the reader (shipped, qa/models/reader; `qa.eval.train_reader`, then the "
                             "confidence model, `qa.eval.train_confidence`); learned: the earlier logistic baseline")
    parser.add_argument("--reader-only", action="store_true", help="cross-encoder: train the reader, not the confidence")
    args, rest = parser.parse_known_args(argv)
    if args.kind == "cross-encoder":
        from qa.eval import train_confidence, train_reader

        code = train_reader.main(rest)
        return code or (0 if args.reader_only else train_confidence.main([]))
    parser.add_argument("--out", default=None, help="where the model goes (default: the learned scorer's file)")
    parser.add_argument("--confidence-out", default=None, help="where the confidence model goes (default: none written)")
    parser.add_argument("--max-questions", type=int, default=0, help="per source (a quick run; 0: all)")
    parser.add_argument("--per-paragraph", type=int, default=PER_PARAGRAPH,
                        help=f"SQuAD questions kept per paragraph (default {PER_PARAGRAPH}; 0: all)")
    parser.add_argument("--json", dest="json_out", help="also write the report here")
    return train_learned(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
