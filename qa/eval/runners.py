"""Asking a pipeline the cases, conversations or RAG examples and scoring each answer. Part of
`qa.eval.evaluate`; split from it in issue 24."""
from __future__ import annotations

import sys
import time


from qa.errors import ArticlesQAError
from qa.eval.loaders import K_MAX, MATCH, TURN_GROUPS, Case, Conversation, RagExample
from qa.eval.metrics import metrics, overlap, score

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
