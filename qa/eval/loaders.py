"""Reading evaluation inputs: question and conversation files (checked line by line), SQuAD as a corpus
and its remove-gold folds, LlamaIndex LabelledRagDataset, and text overlap with a reference context.
Part of `qa.eval.evaluate` (its docstring defines the formats); split from it in issue 24."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path


from qa.errors import InputFileError, read_input

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
