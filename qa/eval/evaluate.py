"""Score answers and citations against a file of test questions, conversations or a RAG dataset.

    python -m qa.eval.evaluate [FILE] [--squad FILE [--remove-gold [only|both]]] [--split dev|heldout|all]
                          [--data DIR --index DIR] [--compare] [--json OUT] [--report OUT.md]
                          [--plot OUT.png] [--min NAME=VALUE ...] [--max NAME=VALUE ...]

FILE is read by its content:
- questions (JSONL, the default data/questions.jsonl), one per line: {"id", "question",
  "history"?: [{"role", "content"}], "answers"?: [str], "answers_all"?: bool,
  "sources"?: [{"file", "paragraph"}], "unanswerable"?: bool, "type"?: str, "split"?: "dev"|"heldout"};
- conversations (JSONL lines with "turns"): {"id", "split"?, "turns": [{"question", "answers"?,
  "answers_all"?, "sources"?, "unanswerable"?, "type"?, "about"?: the person a follow-up is about}]}; each turn is asked with the chat so far,
  the system's own earlier answers included ({"role": "assistant", "content": answer.text}), as the
  chat page does, and metrics are reported overall and by turn position (turn 1, 2, 3, 4+);
- a LlamaIndex LabelledRagDataset (JSON with "examples": [{"query", "reference_answer",
  "reference_contexts"}]): retrieval is scored against the reference contexts by text overlap
  (a retrieved paragraph matches a context when the context's normalised tokens are at least 80%
  contained in it, or their token F1 is at least 0.8), answers against the reference answer.

Every line is checked strictly; a malformed line (a gold source naming a file or paragraph that
is not in the index, a wrong type such as "unanswerable": "false" or paragraph 2.9, a history
that is not a list of messages, a duplicate id, an unknown split or field) is reported as
FILE:LINE with what to change, the rest still runs, and the exit code is 1.

`--squad FILE` makes SQuAD's articles the corpus. `--remove-gold` splits each article's
paragraphs into 5 folds by index (paragraph i goes to fold i mod 5) and asks each fold's
questions against an index of the article without that fold's paragraphs (order kept); an answer
there is right only if it contains a gold answer (from another paragraph). `--remove-gold both`
also runs the whole article and reports the two groups side by side.

Metric definitions ("answerable" = questions with gold answers or sources):
- right: the answer contains a gold answer as whole words (every item for "answers_all"; after
  SQuAD's normalisation, or with punctuation read as a space: "Manning" is in "Manning's", "gold"
  is not in "golden"); questions with sources but no answers: the first citation is a gold paragraph;
  conversation turns: contains an accepted phrase AND cites a gold paragraph. An answer to an
  unanswerable question is never right. For a refusal, `right` says whether its candidate (the
  first closest passage's quote) would have been right: the label the confidence is about.
- right_answer_rate / wrong_answer_rate / refused_rate: over answerable questions, the shares
  answered and right / answered and not right / refused (they sum to 1).
- answered_unanswerable_rate: over unanswerable questions, the share answered (1 - refusal_accuracy).
- confidence_auroc: AUROC of Answer.confidence separating right from wrong, over the answered
  questions and the refusals that had a candidate (a closest passage and confidence signals),
  unanswerable ones included (their label is wrong); None when either class is missing.
- expected_calibration_error: the same rows in 10 equal-width confidence bins; the mean over bins,
  weighted by their share of rows, of |share right - mean confidence|.
- risk-coverage (--plot): as the threshold moves down those rows' confidences, coverage = share at
  or above it, risk = share of them that are wrong. The reliability diagram shows the same bins.
- unanswerable_refused (conversations): the share of unanswerable follow-ups (turn 2 on) refused.
- follow_up_names_person (conversations): over follow-ups (turn 2 on) labelled with the person they
  are about (a turn's "about": "Yuri Ushakov"), the share whose standalone question (Answer.query)
  names that person by surname: how often the chat was followed to the right person.
- generated_kept / _recited / _removed: from Answer.checked, the shares of all generated sentences
  kept as written, re-cited to another source, removed.

Not handled: partial credit for a neighbouring paragraph (a miss is a miss); answers in languages
other than English (normalisation is SQuAD's English one); reference contexts that span several
paragraphs (no single paragraph matches them); the candidate of a refusal is its best passage,
not the full answer it would have composed.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import string
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reading.text import fold
from qa.cli import add_common_arguments, settings_from
from qa.errors import ArticlesQAError, InputFileError, read_input

K_MAX = 10
FOLDS = 5
SPLITS = ("dev", "heldout")
BINS = 10
MATCH = 0.8  # token containment or F1 for a paragraph to match a reference context
TURN_GROUPS = ("turn 1", "turn 2", "turn 3", "turn 4+")
QUESTION_FIELDS = ("id", "question", "history", "answers", "answers_all", "sources", "unanswerable", "type", "split")
TURN_FIELDS = ("question", "answers", "answers_all", "sources", "unanswerable", "type", "about")
CONVERSATION_FIELDS = ("id", "split", "turns")


@dataclass
class Case:
    id: str
    question: str
    history: list = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    unanswerable: bool = False
    type: str = ""
    split: str = "dev"
    answers_all: bool = False  # every item of `answers` is required (list questions)
    about: str = ""  # conversation turns: the person a follow-up is about ("Yuri Ushakov" for "How old is he?")


@dataclass
class Conversation:
    id: str
    turns: list[Case]  # their `history` is empty: it is the system's own answers, made when asked
    split: str = "dev"


@dataclass
class Loaded:
    cases: list[Case] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "FILE:LINE: what is wrong and how to fix it"


# -- reading and checking question files ------------------------------------------
def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fields(row: dict, known: tuple[str, ...], what: str) -> None:
    unknown = [k for k in row if k not in known]
    if unknown:
        raise ValueError(f"unknown field {_show(unknown[0])} in a {what} (known: {', '.join(known)})")


def _flag(row: dict, key: str) -> bool:
    value = row.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f'"{key}" must be true or false (a JSON boolean, no quotes), not {_show(value)}')
    return value


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f'"{key}" must be a non-empty string, not {_show(value)}')
    return value


def _answers(row: dict) -> list[str]:
    answers = row.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        raise ValueError(f'"answers" must be a list of non-empty strings, e.g. ["4.5 hours"], not {_show(answers)}')
    return answers


def _sources(row: dict, articles: dict | None) -> list[tuple[str, int]]:
    sources = row.get("sources", [])
    if not isinstance(sources, list):
        raise ValueError(f'"sources" must be a list of {{"file": ..., "paragraph": ...}}, not {_show(sources)}')
    out = []
    for n, s in enumerate(sources, 1):
        if not isinstance(s, dict) or set(s) != {"file", "paragraph"}:
            raise ValueError(f'source {n} must be {{"file": "NAME.txt", "paragraph": NUMBER}}, not {_show(s)}')
        file, paragraph = s["file"], s["paragraph"]
        if not isinstance(file, str) or not file:
            raise ValueError(f'source {n}: "file" must be a file name, not {_show(file)}')
        if isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1:
            raise ValueError(f'source {n}: "paragraph" must be a whole number from 1 (paragraphs are counted '
                             f'1, 2, 3… in the file), not {_show(paragraph)}')
        if articles is not None:
            if file not in articles:
                names = sorted(articles)
                shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
                raise ValueError(f"source {n}: {file} is not an article in the index (it holds {shown})")
            count = int(articles[file].get("paragraphs", 0))
            if paragraph > count:
                raise ValueError(f"source {n}: {file} has {count} paragraphs, so there is no paragraph {paragraph}")
        out.append((file, paragraph))
    return out


def _history(row: dict) -> list[dict]:
    history = row.get("history", [])
    ok = isinstance(history, list) and all(
        isinstance(m, dict) and set(m) == {"role", "content"} and m["role"] in ("user", "assistant")
        and isinstance(m["content"], str) for m in history)
    if not ok:
        raise ValueError('"history" must be a list of messages {"role": "user" | "assistant", "content": "..."}, '
                         f"not {_show(history)[:120]}")
    return history


def _split(row: dict) -> str:
    split = row.get("split", "dev")
    if split not in SPLITS:
        raise ValueError(f'"split" must be "dev" or "heldout", not {_show(split)}')
    return split


def _case(row: dict, id: str, articles: dict | None, *, split: str, history: list) -> Case:
    question = _text(row, "question")
    answers, sources = _answers(row), _sources(row, articles)
    unanswerable, answers_all = _flag(row, "unanswerable"), _flag(row, "answers_all")
    if "type" in row and not isinstance(row["type"], str):
        raise ValueError(f'"type" must be a string, not {_show(row["type"])}')
    if unanswerable and (answers or sources):
        raise ValueError('an "unanswerable" question cannot have "answers" or "sources"')
    if not unanswerable and not (answers or sources):
        raise ValueError('give "answers" or "sources" to score the answer against, or mark the question '
                         '"unanswerable": true')
    about = row.get("about", "")
    if not isinstance(about, str) or ("about" in row and not about.strip()):
        raise ValueError(f'"about" must be the name of the person the question is about, not {_show(about)}')
    return Case(id, question, history, answers, sources, unanswerable, row.get("type", ""), split, answers_all,
                about.strip())


def load_file(path: str | Path, articles: dict | None = None) -> Loaded:
    """Questions or conversations (by the first entry: "turns" makes it a conversation file), and
    one error per malformed line. `articles` (Pipeline.articles()) checks gold sources exist."""
    loaded, seen = Loaded(), {}
    conversational = None
    for n, line in enumerate(read_input(path).splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"not valid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(row, dict):
                raise ValueError("a line must be a JSON object {...}")
            if conversational is None:
                conversational = "turns" in row
            if conversational != ("turns" in row):
                kind = "conversations (lines with \"turns\")" if conversational else "single questions"
                raise ValueError(f"this file holds {kind}, as its first entry does; put the other kind in its own file")
            id = row.get("id", f"line{n}")
            if not isinstance(id, str) or not id.strip():
                raise ValueError(f'"id" must be a non-empty string, not {_show(id)}')
            if id in seen:
                raise ValueError(f"duplicate id {_show(id)} (first used on line {seen[id]}); give each entry its own id")
            split = _split(row)
            if conversational:
                _fields(row, CONVERSATION_FIELDS, "conversation")
                turns = row["turns"]
                if not isinstance(turns, list) or not turns:
                    raise ValueError(f'"turns" must be a non-empty list of questions, not {_show(turns)[:80]}')
                cases = []
                for t, turn in enumerate(turns, 1):
                    try:
                        if not isinstance(turn, dict):
                            raise ValueError(f"must be a JSON object {{...}}, not {_show(turn)[:80]}")
                        _fields(turn, TURN_FIELDS, "turn")
                        cases.append(_case(turn, f"{id}#{t}", articles, split=split, history=[]))
                    except ValueError as e:
                        raise ValueError(f"turn {t}: {e}") from None
                loaded.conversations.append(Conversation(id, cases, split))
            else:
                _fields(row, QUESTION_FIELDS, "question")
                loaded.cases.append(_case(row, id, articles, split=split, history=_history(row)))
            seen[id] = n
        except ValueError as e:
            loaded.errors.append(f"{path}:{n}: {e}")
    return loaded


def load_questions(path: str | Path, articles: dict | None = None) -> tuple[list[Case], list[str]]:
    """Cases, and one error line per malformed line (the rest still run)."""
    loaded = load_file(path, articles)
    return loaded.cases, loaded.errors


# -- SQuAD --------------------------------------------------------------------------
def _squad_articles(squad_file: str | Path) -> list[tuple[str, list[str], list[list[dict]]]]:
    """(file name, paragraphs, each paragraph's qas) per article."""
    try:
        data = json.loads(read_input(squad_file))
        return [(re.sub(r"[^\w.-]+", "_", a["title"]) + ".txt",
                 [" ".join(p["context"].split()) for p in a["paragraphs"]],
                 [p["qas"] for p in a["paragraphs"]]) for a in data["data"]]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise InputFileError(f"{squad_file} is not a SQuAD file ({type(e).__name__}: {e}); give one in the "
                             f"SQuAD v1.1/v2.0 JSON format ({{\"data\": [{{\"title\", \"paragraphs\": [...]}}]}})"
                             ) from None


def _squad_case(qa: dict, sources: list[tuple[str, int]], type: str) -> Case:
    """One SQuAD question; a SQuAD 2.0 question marked `is_impossible` is unanswerable (no sources)."""
    if qa.get("is_impossible"):
        return Case(qa["id"], qa["question"], [], [], [], True, "unanswerable")
    return Case(qa["id"], qa["question"], [], [a["text"] for a in qa["answers"]], sources, False, type)


def squad_corpus(squad_file: str | Path, data_dir: Path) -> list[Case]:
    """Write each SQuAD article as one file (contexts as paragraphs) and return its questions."""
    data_dir.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, paragraphs, qas in _squad_articles(squad_file):
        (data_dir / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        for number, questions in enumerate(qas, 1):
            cases += [_squad_case(qa, [(name, number)], "single fact") for qa in questions]
    return cases


def remove_gold_folds(squad_file: str | Path, workdir: str | Path, folds: int = FOLDS) -> list[tuple[Path, list[Case]]]:
    """For each fold f (paragraph i, 0-based, is in fold i mod `folds`): a folder of the articles
    without fold f's paragraphs (order kept), and fold f's questions, typed "gold removed" and
    without sources (their gold paragraph is not in that folder)."""
    articles = _squad_articles(squad_file)
    out = []
    for f in range(folds):
        data_dir = Path(workdir) / f"fold-{f + 1}" / "articles"
        data_dir.mkdir(parents=True, exist_ok=True)
        cases = []
        for name, paragraphs, qas in articles:
            kept = [p for i, p in enumerate(paragraphs) if i % folds != f]
            if kept:
                (data_dir / name).write_text("\n\n".join(kept) + "\n", encoding="utf-8")
            cases += [_squad_case(qa, [], "gold removed") for i, questions in enumerate(qas) if i % folds == f
                      for qa in questions]
        out.append((data_dir, cases))
    return out


# -- LlamaIndex LabelledRagDataset ---------------------------------------------------
@dataclass
class RagExample:
    query: str
    reference_answer: str
    reference_contexts: list[str]


def load_rag_dataset(path: str | Path) -> tuple[list[RagExample], list[str]]:
    """The examples of a LabelledRagDataset JSON file, and one error per malformed example;
    InputFileError when the file is not such a dataset at all."""
    try:
        data = json.loads(read_input(path))
    except json.JSONDecodeError as e:
        raise InputFileError(f"{path} is not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
        raise InputFileError(f'{path}: a LabelledRagDataset is a JSON object {{"examples": [...]}}, '
                             f'not {_show(data)[:80]}')
    examples, errors = [], []
    for n, ex in enumerate(data.get("examples", [])):
        try:
            if not isinstance(ex, dict):
                raise ValueError("must be a JSON object")
            query = _text(ex, "query")
            answer = ex.get("reference_answer") or ""
            contexts = ex.get("reference_contexts") or []
            if not isinstance(answer, str):
                raise ValueError(f'"reference_answer" must be a string, not {_show(answer)}')
            if not isinstance(contexts, list) or not all(isinstance(c, str) and c.strip() for c in contexts):
                raise ValueError(f'"reference_contexts" must be a list of non-empty strings, not {_show(contexts)[:80]}')
            if not (answer.strip() or contexts):
                raise ValueError('give "reference_answer" or "reference_contexts" to score against')
            examples.append(RagExample(query, answer, contexts))
        except ValueError as e:
            errors.append(f"{path}: examples[{n}]: {e}")
    return examples, errors


def overlap(context: str, paragraph: str) -> float:
    """How well `paragraph` holds `context`: the larger of the context's token containment in it
    and their token F1 (normalised as SQuAD does)."""
    c, p = normalize(context).split(), normalize(paragraph).split()
    if not c or not p:
        return 0.0
    common = sum((collections.Counter(c) & collections.Counter(p)).values())
    return max(common / len(c), 2 * common / (len(c) + len(p)))


# -- SQuAD answer normalisation (Rajpurkar et al., 2016) -------------------------
def normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = "".join(ch for ch in text if ch not in set(string.punctuation) | {"“", "”", "—", "–"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def f1(prediction: str, gold: str) -> float:
    p, g = normalize(prediction).split(), normalize(gold).split()
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


_PUNCTUATION = re.compile(r"[^\w\s]")


def _forms(text: str) -> tuple[str, str]:
    """SQuAD's normalisation (punctuation dropped: "third-most" -> "thirdmost"), and the same with
    punctuation as a space ("third most"), each padded so that matches are of whole words."""
    return f" {normalize(text)} ", f" {normalize(_PUNCTUATION.sub(' ', text))} "


def contains_gold(text: str, answers: list[str], all_required: bool = False) -> bool:
    """`text` holds a gold answer as whole words (every one when `all_required`), in either form of
    `_forms`: "Manning" is in "Manning's", "gold" is not in "golden", "1" is not in "15"."""
    forms = _forms(_MARKER.sub("", text))
    found = [any(g in t for g, t in zip(_forms(a), forms)) for a in answers]
    return bool(found) and (all(found) if all_required else any(found))


_MARKER = re.compile(r"\s*\[\d+\]")


# -- scoring --------------------------------------------------------------------------
def case_type(case: Case) -> str:
    if case.type:
        return case.type
    if case.unanswerable:
        return "unanswerable"
    if case.history:
        return "follow-up"
    if len({f for f, _ in case.sources}) > 1:
        return "multi-article"
    return "single fact"


def _right(case: Case, text: str, cited: list[tuple[str, int]], needs_citation: bool) -> bool:
    if case.unanswerable:
        return False
    gold = set(case.sources)
    if not case.answers:
        return bool(cited) and cited[0] in gold
    return contains_gold(text, case.answers, case.answers_all) and (
        not needs_citation or any(c in gold for c in cited))


def score(case: Case, answer, latency_ms: float, *, needs_citation: bool = False) -> dict:
    """One row of results. `needs_citation`: right also requires citing a gold paragraph."""
    gold = set(case.sources)
    ranked = [(r.file, r.paragraph) for r in answer.retrieved]
    cited = [(c.file, c.paragraph) for c in answer.citations]
    first_gold = next((i for i, loc in enumerate(ranked) if loc in gold), None)
    sentences = [s for s in re.split(r"\s*\[\d+\]\s*", answer.text) if s.strip()]
    plain = _MARKER.sub("", answer.text)
    closest = list(getattr(answer, "closest", []) or [])
    signals = dict(getattr(answer, "signals", {}) or {})
    tier = "tentative" if getattr(answer, "tier", "") == "tentative" else "answered" if answer.answered else "refused"
    if tier != "refused":
        right, candidate = _right(case, answer.text, cited, needs_citation), True
    else:  # the refusal's candidate: its best passage, as the confidence describes it
        candidate = bool(closest and signals)
        right = candidate and _right(case, closest[0].quote, [(closest[0].file, closest[0].paragraph)], needs_citation)
    row = {
        "id": case.id, "type": case_type(case), "split": case.split, "question": case.question,
        "answer": answer.text, "answered": answer.answered, "tier": tier, "right": right, "candidate": candidate,
        "confidence": float(getattr(answer, "confidence", 0.0)), "signals": signals,
        "checked": dict(getattr(answer, "checked", {}) or {}),
        "cited": [f"{f} ¶{p}" for f, p in cited], "expected_sources": [f"{f} ¶{p}" for f, p in case.sources],
        "expected_answers": case.answers, "unanswerable": case.unanswerable,
        "latency_ms": round(latency_ms, 2), "words": len(plain.split()) if answer.answered else 0,
        "rank_of_gold": None if first_gold is None else first_gold + 1,
    }
    row["query"] = str(getattr(answer, "query", "") or "")
    if case.about:
        row["about"] = case.about
        row["names_person"] = names_person(row["query"], case.about)
    if case.unanswerable:
        row["hit"] = not answer.answered
        return row
    if gold:
        row["hit@k"] = [first_gold is not None and first_gold < k for k in range(1, K_MAX + 1)]
        row["mrr"] = 0.0 if first_gold is None else 1.0 / (first_gold + 1)
        row["first_citation_correct"] = bool(cited) and cited[0] in gold
        row["gold_cited"] = any(c in gold for c in cited)
        if answer.answered:
            row["citation_precision"] = sum(c in gold for c in cited) / len(cited) if cited else 0.0
    if case.answers:
        row["answer_contains"] = answer.answered and contains_gold(answer.text, case.answers, case.answers_all)
        row["f1"] = max((f1(s, a) for s in sentences for a in case.answers), default=0.0) if answer.answered else 0.0
        row["exact_match"] = answer.answered and any(normalize(s) == normalize(a) for s in sentences for a in case.answers)
    if needs_citation:
        row["hit"] = answer.answered and right
    else:
        row["hit"] = row.get("first_citation_correct", True) and row.get("answer_contains", True) and answer.answered
    return row


# -- confidence: discrimination and calibration -------------------------------------
def auroc(confidence: list[float], right: list[bool]) -> float | None:
    """Area under the ROC curve of `confidence` for right vs wrong; None when one class is missing."""
    if len(set(map(bool, right))) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([bool(r) for r in right], confidence))


def reliability(confidence: list[float], right: list[bool], bins: int = BINS) -> list[tuple[float, float, int]]:
    """Per equal-width bin of confidence ([0, 0.1), … [0.9, 1.0]): (mean confidence, share right, rows)."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for c, r in zip(confidence, right):
        groups[min(int(c * bins), bins - 1)].append((c, bool(r)))
    return [(float(np.mean([c for c, _ in g])), float(np.mean([r for _, r in g])), len(g)) for g in groups if g]


def expected_calibration_error(confidence: list[float], right: list[bool], bins: int = BINS) -> float | None:
    if not confidence:
        return None
    n = len(confidence)
    return float(sum(count / n * abs(share - mean) for mean, share, count in reliability(confidence, right, bins)))


def risk_coverage(confidence: list[float], right: list[bool]) -> list[tuple[float, float, float]]:
    """(threshold, coverage, risk) at each distinct confidence, highest first: answering only at or
    above the threshold covers that share of the rows, of which `risk` are wrong."""
    order = sorted(zip(confidence, right), key=lambda x: -x[0])
    out, wrong = [], 0
    for i, (c, r) in enumerate(order, 1):
        wrong += not r
        if i == len(order) or order[i][0] != c:
            out.append((c, i / len(order), wrong / i))
    return out


def _tier(row: dict) -> str:
    return row.get("tier") or ("answered" if row["answered"] else "refused")


def tier_risk_coverage(rows: list[dict]) -> dict[str, tuple[float, float]]:
    """Per tier, as the thresholds stand: (coverage, risk) of answering only "answered", and of
    "answered" plus "tentative": the share of all questions given that tier or better, and the share
    of those that are not right (an unanswerable question given an answer is wrong)."""
    out = {}
    for name, tiers in (("answered", {"answered"}), ("answered or tentative", {"answered", "tentative"})):
        given = [r for r in rows if _tier(r) in tiers]
        out[name] = (round(len(given) / len(rows), 4) if rows else 0.0,
                     round(sum(not r["right"] for r in given) / len(given), 4) if given else 0.0)
    return out


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def names_person(query: str, person: str) -> bool:
    """Whether a standalone question names `person`: their surname (the name key: "Ushakov" for
    "Yuri Ushakov") is one of its words, possessives included ("Ushakov’s")."""
    from qa.entities import name_key

    key = name_key(person)
    return bool(key) and key in {fold(w) for w in re.findall(r"[\w-]+", query)}


def metrics(rows: list[dict]) -> dict:
    def mean(key, subset=rows):
        values = [float(r[key]) for r in subset if key in r]
        return round(float(np.mean(values)), 4) if values else None

    def share(subset, test):
        return round(float(np.mean([bool(test(r)) for r in subset])), 4) if subset else None

    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    with_gold = [r for r in answerable if "hit@k" in r]
    scored = [r for r in rows if r.get("candidate")]
    conf, right = [r["confidence"] for r in scored], [r["right"] for r in scored]
    latencies = [r["latency_ms"] for r in rows]
    checked = collections.Counter()
    for r in rows:
        checked.update({k: r.get("checked", {}).get(k, 0) for k in ("kept", "recited", "removed")})
    generated = sum(checked.values())
    follow_ups = [r for r in unanswerable if r.get("turn", 1) >= 2]
    about = [r for r in rows if "names_person" in r and r.get("turn", 1) >= 2]  # labelled follow-ups
    out = {
        "questions": len(rows),
        "hit@1": round(float(np.mean([r["hit@k"][0] for r in with_gold])), 4) if with_gold else None,
        "hit@5": round(float(np.mean([r["hit@k"][4] for r in with_gold])), 4) if with_gold else None,
        "mrr": mean("mrr"),
        "first_citation_correct": mean("first_citation_correct"),
        "citation_precision": mean("citation_precision"),
        "citation_recall": mean("gold_cited"),
        "answer_contains": mean("answer_contains"),
        "exact_match": mean("exact_match"),
        "f1": mean("f1"),
        "right_answer_rate": share(answerable, lambda r: r["answered"] and r["right"]),
        "wrong_answer_rate": share(answerable, lambda r: r["answered"] and not r["right"]),
        "refused_rate": share(answerable, lambda r: not r["answered"]),
        "answered_unanswerable_rate": share(unanswerable, lambda r: r["answered"]),
        "refusal_accuracy": share(unanswerable, lambda r: not r["answered"]),
        "false_refusal_rate": share(answerable, lambda r: not r["answered"]),
        # Tentative answers ("may answer: check the source") are counted apart, never as right answers:
        "tentative_right_rate": share(answerable, lambda r: _tier(r) == "tentative" and r["right"]),
        "tentative_wrong_rate": share(answerable, lambda r: _tier(r) == "tentative" and not r["right"]),
        "tentative_unanswerable_rate": share(unanswerable, lambda r: _tier(r) == "tentative"),
        "unanswerable_refused_outright": share(unanswerable, lambda r: _tier(r) == "refused"),
        "answered_precision": share([r for r in rows if r["answered"]], lambda r: r["right"]),
        "answerable_vs_unanswerable_auroc": _rounded(auroc([r["confidence"] for r in rows if r.get("candidate")],
                                                           [not r["unanswerable"] for r in rows if r.get("candidate")])),
        "unanswerable_refused": share(follow_ups, lambda r: not r["answered"]) if any("turn" in r for r in rows) else None,
        "follow_up_names_person": share(about, lambda r: r["names_person"]) if about else None,
        "confidence_auroc": _rounded(auroc(conf, right)),
        "expected_calibration_error": _rounded(expected_calibration_error(conf, right)),
        "generated_sentences": generated or None,
        "generated_kept": round(checked["kept"] / generated, 4) if generated else None,
        "generated_recited": round(checked["recited"] / generated, 4) if generated else None,
        "generated_removed": round(checked["removed"] / generated, 4) if generated else None,
        "mean_answer_words": round(float(np.mean([r["words"] for r in answerable if r["answered"]] or [0])), 1),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
    }
    out["hit@k_curve"] = [round(float(np.mean([r["hit@k"][k] for r in with_gold])), 4) for k in range(K_MAX)] if with_gold else []
    return out


METRICS = tuple(k for k in metrics([]) if k != "hit@k_curve")


# -- running --------------------------------------------------------------------------
def _ask(pipeline, question: str, history: list[dict]):
    started = time.perf_counter()
    try:
        answer = pipeline.ask(question, history)
    except ArticlesQAError as e:
        from qa.answer import Answer

        answer = Answer(text=f"error: {e}", citations=[], answered=False)
    return answer, (time.perf_counter() - started) * 1000


def _grouped(rows: list[dict], key: str = "type") -> dict:
    result = {"overall": metrics(rows)}
    for kind in sorted({r[key] for r in rows}):
        result[kind] = metrics([r for r in rows if r[key] == kind])
    return result


def evaluate(cases: list[Case], pipeline, *, progress: bool = True) -> tuple[dict, list[dict]]:
    from tqdm import tqdm

    pipeline.load()  # time the questions, not the first load
    rows = []
    for case in tqdm(cases, desc="evaluating", unit="q", disable=not progress, file=sys.stderr):
        answer, ms = _ask(pipeline, case.question, case.history)
        rows.append(score(case, answer, ms))
    return _grouped(rows), rows


def evaluate_conversations(conversations: list[Conversation], pipeline, *, progress: bool = True) -> tuple[dict, list[dict]]:
    """Each turn asked with the chat so far: the questions and the system's own answers."""
    from tqdm import tqdm

    pipeline.load()
    rows = []
    for conversation in tqdm(conversations, desc="conversations", unit="chat", disable=not progress, file=sys.stderr):
        history: list[dict] = []
        for position, case in enumerate(conversation.turns, 1):
            answer, ms = _ask(pipeline, case.question, list(history))
            row = score(case, answer, ms, needs_citation=True)
            row.update(conversation=conversation.id, turn=position, turn_group=TURN_GROUPS[min(position, 4) - 1])
            rows.append(row)
            history += [{"role": "user", "content": case.question}, {"role": "assistant", "content": answer.text}]
    result = {"overall": metrics(rows)}
    for group in TURN_GROUPS:
        result[group] = metrics([r for r in rows if r["turn_group"] == group])
    return result, rows


def evaluate_rag(examples: list[RagExample], pipeline, *, progress: bool = True) -> tuple[dict, list[dict]]:
    """Retrieval against the reference contexts by text overlap; answers against the reference answer."""
    from tqdm import tqdm

    pipeline.load()
    paragraphs: dict[str, dict[int, str]] = {}
    rows = []
    for n, ex in enumerate(tqdm(examples, desc="evaluating", unit="q", disable=not progress, file=sys.stderr)):
        answer, ms = _ask(pipeline, ex.query, [])
        case = Case(f"example{n}", ex.query, answers=[ex.reference_answer] if ex.reference_answer.strip() else [],
                    type="labelled rag")
        row = score(case, answer, ms)
        if ex.reference_contexts:
            ranks = []
            for i, r in enumerate(answer.retrieved):
                if r.file not in paragraphs:
                    paragraphs[r.file] = {p.number: p.text for p in pipeline.article(r.file)}
                text = paragraphs[r.file].get(r.paragraph, "")
                if any(overlap(c, text) >= MATCH for c in ex.reference_contexts):
                    ranks.append(i)
            first = ranks[0] if ranks else None
            row.update({"rank_of_gold": None if first is None else first + 1,
                        "hit@k": [first is not None and first < k for k in range(1, K_MAX + 1)],
                        "mrr": 0.0 if first is None else 1.0 / (first + 1)})
            row["hit"] = first == 0 and answer.answered
        rows.append(row)
    return {"overall": metrics(rows)}, rows


TABLE_KEYS = ["questions", "hit@1", "hit@5", "mrr", "first_citation_correct", "citation_precision",
              "citation_recall", "answer_contains", "exact_match", "f1", "right_answer_rate", "wrong_answer_rate",
              "refused_rate", "answered_unanswerable_rate", "refusal_accuracy", "false_refusal_rate",
              "tentative_right_rate", "tentative_wrong_rate", "tentative_unanswerable_rate",
              "unanswerable_refused_outright", "answered_precision", "answerable_vs_unanswerable_auroc",
              "unanswerable_refused", "follow_up_names_person", "confidence_auroc", "expected_calibration_error",
              "generated_sentences",
              "generated_kept", "generated_recited", "generated_removed", "mean_answer_words",
              "latency_p50_ms", "latency_p95_ms"]


def table(result: dict) -> str:
    groups = list(result)
    keys = [k for k in TABLE_KEYS if any(result[g].get(k) is not None for g in groups)]
    lines = ["| metric | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for key in keys:
        cells = [result[g].get(key) for g in groups]
        lines.append(f"| {key} | " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def report(result: dict, rows: list[dict]) -> str:
    tiers = tier_risk_coverage(rows)
    out = ["# Evaluation report", "", table(result), "", "## Risk and coverage per tier", "",
           "| given | coverage | risk |", "|---|---|---|"]
    out += [f"| {name} | {c} | {r} |" for name, (c, r) in tiers.items()]
    out += ["", "## Failures", ""]
    for r in rows:
        if r["hit"]:
            continue
        out += [f"### {r['id']} ({r['type']})", f"- asked: {r['question']}", f"- answered: {r['answer']}",
                f"- cited: {', '.join(r['cited']) or '–'}",
                f"- expected: {'not in the articles' if r['unanswerable'] else ', '.join(r['expected_sources']) or '–'}"
                + (f" · answers {r['expected_answers']}" if r["expected_answers"] else ""), ""]
    return "\n".join(out)


def plot(result: dict, rows: list[dict], path: str) -> None:
    """hit@k, latency, the reliability diagram and the risk-coverage curve, in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ((left, right), (calib, risk)) = plt.subplots(2, 2, figsize=(10, 8))
    ks = list(range(1, K_MAX + 1))
    for name, m in (("articles-qa", result["overall"]), ("llama-index baseline", result.get("baseline"))):
        if m and m.get("hit@k_curve"):
            left.plot(ks, m["hit@k_curve"], marker="o", label=name)
    left.set(xlabel="k", ylabel="gold paragraph in top k", title="hit@k", ylim=(0, 1.02), xticks=ks)
    left.grid(alpha=0.3)
    left.legend(loc="lower right")
    right.hist([r["latency_ms"] for r in rows], bins=30, color="#4c72b0")
    right.set(xlabel="ms", ylabel="questions", title="ask() latency (warm)")
    scored = [r for r in rows if r.get("candidate")]
    conf, ok = [r["confidence"] for r in scored], [r["right"] for r in scored]
    calib.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    bins = reliability(conf, ok)
    if bins:
        calib.plot([b[0] for b in bins], [b[1] for b in bins], marker="o", label="articles-qa")
        for mean, share, count in bins:
            calib.annotate(str(count), (mean, share), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ece = result["overall"].get("expected_calibration_error")
    calib.set(xlabel="confidence (bin mean)", ylabel="share right", xlim=(0, 1), ylim=(0, 1.02),
              title=f"reliability (ECE {'–' if ece is None else ece})")
    calib.grid(alpha=0.3)
    calib.legend(loc="upper left")
    curve = risk_coverage(conf, ok)
    if curve:
        risk.plot([c for _, c, _ in curve], [r for _, _, r in curve], drawstyle="steps-post", label="any threshold")
    for (name, (c, r)), marker in zip(tier_risk_coverage(rows).items(), ("o", "s")):
        risk.scatter([c], [r], marker=marker, zorder=3, label=f"{name} (as set)")
    risk.legend(loc="upper right", fontsize=8)
    auc = result["overall"].get("confidence_auroc")
    risk.set(xlabel="coverage (share answered)", ylabel="risk (share of answered that are wrong)",
             xlim=(0, 1.02), ylim=(0, 1.02), title=f"risk-coverage (AUROC {'–' if auc is None else auc})")
    risk.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bounds(parser: argparse.ArgumentParser, items: list[str], flag: str) -> dict[str, float]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            parser.error(f"{flag} {item!r}: expected NAME=NUMBER, e.g. {flag} wrong_answer_rate=0.1")
        if name not in METRICS:
            parser.error(f"{flag} {item!r}: no metric {name!r}; the metrics are {', '.join(METRICS)}")
    return out


def _out_of_bounds(overall: dict, floors: dict[str, float], ceilings: dict[str, float]) -> list[str]:
    out = []
    for bounds, bad, sign in ((floors, lambda x, v: x < v, "<"), (ceilings, lambda x, v: x > v, ">")):
        for name, v in bounds.items():
            x = overall.get(name)
            if x is None:
                out.append(f"{name} was not measured (no questions it applies to), bound {v}")
            elif bad(x, v):
                out.append(f"{name}={x} {sign} {v}")
    return out


def main(argv: list[str] | None = None, *, make_pipeline=None) -> int:
    """`make_pipeline(settings)` builds the pipeline to score (default: qa.pipeline.Pipeline)."""
    parser = argparse.ArgumentParser(prog="python -m qa.eval.evaluate", description=__doc__.split("\n\n")[0],
                                     epilog="metrics: " + ", ".join(METRICS))
    parser.add_argument("questions", nargs="?", help="questions or conversations (JSONL), or a LabelledRagDataset "
                                                     "(JSON); default data/questions.jsonl")
    parser.add_argument("--squad", help="a SQuAD v1.1 JSON file: its articles become the corpus")
    parser.add_argument("--remove-gold", nargs="?", const="only", choices=("only", "both"),
                        help="with --squad: ask each fold's questions without their gold paragraphs (5 folds); "
                             "'both' also runs the whole articles, side by side")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all",
                        help="only the questions or conversations of this split (lines without one are dev); default all")
    add_common_arguments(parser)
    parser.add_argument("--json", dest="json_out", help="write metrics and one row per question here")
    parser.add_argument("--report", help="write a Markdown report (table and every failure) here")
    parser.add_argument("--plot", help="write hit@k, latency, the reliability diagram and the risk-coverage "
                                       "curve here (PNG)")
    parser.add_argument("--compare", action="store_true",
                        help="also run a plain llama-index pipeline (dense top-5, first paragraph cited) and print it beside ours")
    parser.add_argument("--min", action="append", default=[], metavar="NAME=VALUE",
                        help="exit non-zero when overall metric NAME falls below VALUE (repeatable)")
    parser.add_argument("--max", action="append", default=[], metavar="NAME=VALUE",
                        help="exit non-zero when overall metric NAME rises above VALUE (repeatable), "
                             "for metrics where lower is better, e.g. wrong_answer_rate")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    floors, ceilings = _bounds(parser, args.min, "--min"), _bounds(parser, args.max, "--max")
    if args.remove_gold and not args.squad:
        parser.error("--remove-gold works on a SQuAD file: add --squad FILE")
    if args.compare and args.remove_gold:
        parser.error("--compare does not run with --remove-gold; run the whole articles with --compare")
    if make_pipeline is None:
        from qa.pipeline import Pipeline as make_pipeline
    try:
        settings = settings_from(args)
    except ArticlesQAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    progress = not args.quiet
    errors: list[str] = []
    result, rows, baseline = {}, [], None
    with tempfile.TemporaryDirectory(prefix="articles-qa-eval-") as tmp:
        try:
            if args.squad:
                runs = []
                if args.remove_gold != "only":
                    whole = settings.replace(data_dir=Path(tmp) / "articles",
                                             index_dir=Path(args.index) if args.index else Path(tmp) / "index")
                    runs.append(("whole article", whole, squad_corpus(args.squad, Path(whole.data_dir))))
                if args.remove_gold:
                    for n, (data_dir, cases) in enumerate(remove_gold_folds(args.squad, Path(tmp) / "folds"), 1):
                        runs.append(("gold removed", settings.replace(data_dir=data_dir, index_dir=data_dir.parent / "index"),
                                     cases))
                groups: dict[str, list[dict]] = {}
                for group, run_settings, cases in runs:
                    pipeline = make_pipeline(run_settings)
                    _, run_rows = evaluate(cases, pipeline, progress=progress)
                    groups.setdefault(group, []).extend(run_rows)
                    if args.compare:
                        from qa.eval.baseline import PlainPipeline

                        baseline, _ = evaluate(cases, PlainPipeline(run_settings), progress=progress)
                rows = [r for group_rows in groups.values() for r in group_rows]
                result = _grouped(rows) if len(groups) == 1 else {"overall": metrics(rows), **{
                    g: metrics(r) for g, r in groups.items()}}
            else:
                path = args.questions or str(Path(__file__).resolve().parents[2] / "data" / "questions.jsonl")
                pipeline = make_pipeline(settings)
                text = read_input(path)  # InputFileError: one line, exit 2
                rag = text.lstrip().startswith("{") and _is_rag(text)
                if args.compare and (rag or '"turns"' in text):
                    parser.error("--compare runs on single questions (a question file or --squad), "
                                 "not on conversations or a LabelledRagDataset")
                if rag:
                    examples, errors = load_rag_dataset(path)
                    result, rows = evaluate_rag(examples, pipeline, progress=progress)
                else:
                    pipeline.load()
                    loaded = load_file(path, pipeline.articles())
                    errors = loaded.errors
                    keep = (lambda x: True) if args.split == "all" else (lambda x: x.split == args.split)
                    if loaded.conversations:
                        result, rows = evaluate_conversations([c for c in loaded.conversations if keep(c)],
                                                              pipeline, progress=progress)
                    else:
                        cases = [c for c in loaded.cases if keep(c)]
                        result, rows = evaluate(cases, pipeline, progress=progress)
                        if args.compare:
                            from qa.eval.baseline import PlainPipeline

                            baseline, _ = evaluate(cases, PlainPipeline(settings), progress=progress)
        except ArticlesQAError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    for e in errors:
        print(f"skipped {e}", file=sys.stderr)
    print(table(result))
    if baseline:
        print("\nSide by side (overall):\n")
        print(table({"articles-qa": result["overall"], "llama-index baseline": baseline["overall"]}))
        result["baseline"] = baseline["overall"]
    if args.plot:
        plot(result, rows, args.plot)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"metrics": result, "rows": rows, "errors": errors}, indent=1,
                                                  ensure_ascii=False), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(report(result, rows), encoding="utf-8")
    failed = _out_of_bounds(result["overall"], floors, ceilings)
    for f in failed:
        print(f"out of bounds: {f}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} malformed entr{'y was' if len(errors) == 1 else 'ies were'} skipped; "
              "fix them (messages above) for a full run", file=sys.stderr)
    return 1 if failed or errors else 0


def _is_rag(text: str) -> bool:
    """A LabelledRagDataset: one JSON object with "examples" (not a JSONL file of questions)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "examples" in data


if __name__ == "__main__":
    sys.exit(main())
