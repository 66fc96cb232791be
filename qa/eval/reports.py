"""The evaluation's tables, markdown report and plots. Part of `qa.eval.evaluate`; split from it in issue 24."""
from __future__ import annotations
from qa.eval.loaders import K_MAX
from qa.eval.metrics import reliability, risk_coverage, tier_risk_coverage




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
