"""Scoring answers: SQuAD's normalisation, whether an answer is right, one row per question (`score`),
confidence discrimination and calibration, and the metrics over rows (`metrics`). Part of
`qa.eval.evaluate` (its docstring defines each metric); split from it in issue 24."""
from __future__ import annotations

import collections
import re
import string

import numpy as np

from reading.text import fold
from qa.eval.loaders import BINS, K_MAX, TURN_GROUPS, Case  # noqa: F401

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


def overlap(context: str, paragraph: str) -> float:
    """How well `paragraph` holds `context`: the larger of the context's token containment in it
    and their token F1 (normalised as SQuAD does)."""
    c, p = normalize(context).split(), normalize(paragraph).split()
    if not c or not p:
        return 0.0
    common = sum((collections.Counter(c) & collections.Counter(p)).values())
    return max(common / len(c), 2 * common / (len(c) + len(p)))
