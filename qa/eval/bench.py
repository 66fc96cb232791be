"""Speed and scale: ingest throughput, ask() latency, cold start and memory, ours beside plain llama-index.

    python -m qa.eval.bench [--sizes articles,1000,10000,100000] [--folder DIR] [--modes embedded,server]
                       [--no-baseline] [--baseline-build-max N] [--questions 100] [--commits N]
                       [--json OUT] [--markdown OUT] [--plot OUT.png]

Corpora of N paragraphs are generated deterministically from the shipped articles and the
SQuAD slice in ../shared/bench (10 paragraphs a file); `--folder` measures any folder instead.
Each size gets fresh temporary index folders. Questions are distinct (SQuAD's and ours), so
neither answers nor query vectors can be served from a cache.

Measured per size: full ingest (paragraphs/s), a no-op re-run, and a commit that adds one
file (and one that removes it: each commit writes one index segment holding only that file, or
tombstones), in a subprocess, with its peak memory; with `--commits N`, N one-file commits in one
process (add, edit or remove a file; the tiered merge policy merging as it goes): commit seconds
p50/p95/max, merges and their cost, the most segments at once, and warm ask() with those segments;
warm ask() p50/p95 in-process; the first answer of a cold `python -m qa` and its
peak memory; the plain pipeline's build and retrieval-only latency; a naive
`SentenceTransformer.encode` of the same paragraphs; with `--modes server`, ask() against a
`chroma run` server on loopback.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQUAD = ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-super-bowl-50.json"
PER_FILE = 10  # paragraphs a file, about a news article: 10,000 paragraphs are 1,000 files


def source_paragraphs() -> list[str]:
    from ingest.boilerplate import classify
    from ingest.paragraphs import read_article, split_paragraphs

    texts = []
    for path in sorted((ROOT / "data" / "articles").glob("*.txt")):
        ps = [p.text for p in split_paragraphs(read_article(path))]
        texts += [t for t, r in zip(ps, classify(ps)) if r is None]
    if SQUAD.exists():
        data = json.loads(SQUAD.read_text(encoding="utf-8"))
        texts += [" ".join(p["context"].split()) for a in data["data"] for p in a["paragraphs"]]
    from reading.text import norm_key

    return list({norm_key(t): t for t in reversed(texts)}.values())[::-1]  # no two alike, first copy kept


def questions(n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in (ROOT / "data" / "questions.jsonl").read_text().splitlines()]
    if SQUAD.exists():
        data = json.loads(SQUAD.read_text(encoding="utf-8"))
        qs += [qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]
    return list(dict.fromkeys(qs))[:n]


def make_corpus(n: int, folder: Path) -> int:
    """N distinct paragraphs: source paragraphs with their sentences rotated and a numbered dateline."""
    from reading import sentence_spans

    sources = [(t, sentence_spans(t)) for t in source_paragraphs()]
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = []
    for i in range(n):
        text, spans = sources[i % len(sources)]
        turn = (i // len(sources)) % max(1, len(spans))
        sentences = [text[a:b] for a, b in spans] or [text]
        rotated = " ".join(sentences[turn:] + sentences[:turn])
        paragraphs.append(f"(Bulletin {i // len(sources) + 1}) {rotated}")
    for f in range(0, n, PER_FILE):
        (folder / f"bulletin_{f // PER_FILE:05d}.txt").write_text("\n\n".join(paragraphs[f:f + PER_FILE]) + "\n",
                                                                  encoding="utf-8")
    return n


def _run(args: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process (its own rusage, from wait4)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
                                env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed:\n{err.read().decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def _timed(ask, qs: list[str]) -> tuple[float, float]:
    """p50 and p95 in ms of `ask(q)` over distinct questions, after one warm-up call."""
    ask(qs[-1])
    latencies = []
    for q in qs:
        started = time.perf_counter()
        ask(q)
        latencies.append((time.perf_counter() - started) * 1000)
    ordered = sorted(latencies)
    return round(statistics.median(ordered), 2), round(ordered[int(0.95 * (len(ordered) - 1))], 2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_server(path: Path):
    port = _free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def commit_series(data: Path, index: Path, n: int, qs: list[str]) -> dict:
    """`n` one-file commits in this process (the embedder loaded once): each adds a new article, edits
    one added before or removes one; returns commit seconds p50/p95/max, merges (count, seconds,
    largest), the most live segments at any time and at the end, and warm ask() p50/p95 after."""
    from ingest import ingest
    from ingest.embedding import load_embedder
    from ingest.store import IndexStore
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    settings = Settings.from_env(data_dir=data, index_dir=index)
    embedder = load_embedder(settings)
    store = IndexStore(settings, index)
    sources = source_paragraphs()
    seconds, merge_seconds, merged, segments = [], [], [], []
    added: list[Path] = []
    for i in range(n):
        if i % 10 == 9 and added:  # remove one
            added.pop(0).unlink()
        elif i % 10 == 4 and added:  # edit one
            added[-1].write_text(added[-1].read_text(encoding="utf-8") + f"\n\nUpdate {i}: {sources[i % len(sources)]}\n",
                                 encoding="utf-8")
        else:
            path = data / f"zz_commit_{i:05d}.txt"
            path.write_text(f"Commit {i} bulletin.\n\n{sources[(7 * i) % len(sources)]}\n\n"
                            f"The harbour of Velmora reopened on day {i} after the storm.\n", encoding="utf-8")
            added.append(path)
        report = ingest(settings=settings, embedder=embedder, progress=False)
        seconds.append(report.seconds - sum(m.seconds for m in report.merges))
        for m in report.merges:
            merge_seconds.append(m.seconds)
            merged.append(m.paragraphs)
        segments.append(len(store.read_manifest().segments))
    pipeline = Pipeline(settings, embedder=embedder)
    p50, p95 = _timed(pipeline.ask, qs)
    ordered = sorted(seconds)
    return {"commits": n, "commit_p50_s": round(statistics.median(ordered), 3),
            "commit_p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3), "commit_max_s": round(ordered[-1], 3),
            "merges": len(merge_seconds), "merge_total_s": round(sum(merge_seconds), 2),
            "merge_max_s": round(max(merge_seconds, default=0.0), 3), "merge_max_paragraphs": max(merged, default=0),
            "segments_max": max(segments), "segments_end": segments[-1],
            "ask_p50_ms_after_commits": p50, "ask_p95_ms_after_commits": p95}


def measure(label: str, data: Path, work: Path, qs: list[str], *, modes: list[str], baseline: bool,
            baseline_build_max: int = 20_000, commits: int = 0) -> dict:
    from qa.pipeline import Pipeline
    from qa.settings import Settings

    paragraphs = sum(len(_paragraphs(f)) for f in data.rglob("*.txt"))
    row: dict = {"corpus": label, "paragraphs": paragraphs, "files": len(list(data.rglob("*.txt")))}
    index = work / "index"
    py = sys.executable
    row["ingest_s"], row["ingest_peak_mb"] = _run([py, "-m", "ingest", "--data", str(data), "--index", str(index), "--quiet"])
    row["ingest_paragraphs_per_s"] = round(paragraphs / row["ingest_s"], 1)
    row["noop_s"], _ = _run([py, "-m", "ingest", "--data", str(data), "--index", str(index), "--quiet"])
    # one article added, then removed: each commit writes one segment holding that file, or a tombstone
    extra = data / "zz_bench_extra.txt"
    extra.write_text("The harbour of Velmora reopened on Friday after the storm.\n", encoding="utf-8")
    try:
        row["add_one_s"], _ = _run([py, "-m", "ingest", "--data", str(data), "--index", str(index), "--quiet"])
    finally:
        extra.unlink()
    row["remove_one_s"], _ = _run([py, "-m", "ingest", "--data", str(data), "--index", str(index), "--quiet"])
    cold = [_run([py, "-m", "qa", q, "--index", str(index)]) for q in qs[:3]]
    row["cold_cli_s"] = round(statistics.median(s for s, _ in cold), 2)
    row["answer_peak_mb"] = max(mb for _, mb in cold)

    pipeline = Pipeline(Settings.from_env(data_dir=data, index_dir=index))
    row["ask_p50_ms"], row["ask_p95_ms"] = _timed(pipeline.ask, qs)
    pipeline.reader.close()
    if commits:
        row.update(commit_series(data, index, commits, qs))

    if "server" in modes:
        proc, url = _chroma_server(work / "server")
        try:
            _run([py, "-m", "ingest", "--data", str(data), "--index", str(work / "index-server"), "--quiet",
                  "--chroma-url", url])
            server = Pipeline(Settings.from_env(data_dir=data, index_dir=work / "index-server", chroma_url=url))
            row["server_ask_p50_ms"], row["server_ask_p95_ms"] = _timed(server.ask, qs)
        finally:
            proc.terminate()
            proc.wait(10)

    if baseline:
        from ingest.embedding import load_embedder
        from qa.eval.baseline import PlainPipeline

        settings = Settings.from_env(data_dir=data, index_dir=work / "unused")
        torch_embedder = load_embedder(settings.replace(embed_runtime="torch"))
        texts = [p.text for f in sorted(data.rglob("*.txt")) for p in _paragraphs(f)]
        started = time.perf_counter()
        vectors = torch_embedder._model.encode(texts, batch_size=32, show_progress_bar=False)
        row["naive_encode_s"] = round(time.perf_counter() - started, 2)
        row["ingest_speedup_vs_naive_encode"] = round(row["naive_encode_s"] / row["ingest_s"], 2)
        started = time.perf_counter()
        if paragraphs <= baseline_build_max:
            plain = PlainPipeline(settings, embedder=torch_embedder, top_k=5)
            row["baseline_build_s"] = round(time.perf_counter() - started, 2)
            row["ingest_speedup_vs_baseline"] = round(row["baseline_build_s"] / row["ingest_s"], 2)
        else:  # its own embedding loop would take hours: index the naive encode's vectors instead
            plain = PlainPipeline(settings, embedder=torch_embedder, top_k=5, vectors=vectors)
            row["baseline_index_from_naive_vectors_s"] = round(time.perf_counter() - started, 2)
        row["baseline_retrieve_p50_ms"], row["baseline_retrieve_p95_ms"] = _timed(plain.retriever.retrieve, qs)
        row["ask_p50_vs_baseline_retrieve"] = round(row["ask_p50_ms"] / row["baseline_retrieve_p50_ms"], 2)
    for key in ("ingest_s", "noop_s", "add_one_s", "remove_one_s"):
        row[key] = round(row[key], 2)
    return row


def _paragraphs(path: Path):
    from ingest.paragraphs import read_article, split_paragraphs

    return split_paragraphs(read_article(path))


COLUMNS = [("corpus", "corpus"), ("paragraphs", "paragraphs"), ("ingest_s", "ingest s"),
           ("ingest_paragraphs_per_s", "para/s"), ("naive_encode_s", "naive encode s"),
           ("ingest_speedup_vs_naive_encode", "× naive"), ("baseline_build_s", "baseline build s"),
           ("ingest_speedup_vs_baseline", "× baseline"),
           ("noop_s", "no-op re-run s"), ("add_one_s", "add one file s"), ("ask_p50_ms", "ask p50 ms"), ("ask_p95_ms", "ask p95 ms"),
           ("server_ask_p50_ms", "server ask p50 ms"), ("baseline_retrieve_p50_ms", "baseline retrieve p50 ms"),
           ("ask_p50_vs_baseline_retrieve", "ask / baseline"), ("cold_cli_s", "cold CLI s"),
           ("ingest_peak_mb", "ingest peak MB"), ("answer_peak_mb", "cold CLI peak MB"),
           ("remove_one_s", "remove one file s"), ("commits", "commits"), ("commit_p50_s", "commit p50 s"),
           ("commit_max_s", "commit max s"), ("merges", "merges"), ("merge_total_s", "merges total s"),
           ("segments_max", "most segments"), ("ask_p50_ms_after_commits", "ask p50 ms after commits")]


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(key, "–")) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["paragraphs"])

    def series(axis, key, label, **style):
        points = [(r["paragraphs"], r[key]) for r in rows if r.get(key) is not None]
        if points:
            axis.plot(*zip(*points), marker=style.pop("marker", "o"), label=label, **style)

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    series(left, "ask_p50_ms", "articles-qa ask() p50")
    series(left, "ask_p95_ms", "articles-qa ask() p95", ls="--")
    series(left, "server_ask_p50_ms", "ask() p50, Chroma server", marker="^")
    series(left, "baseline_retrieve_p50_ms", "baseline retrieve p50", marker="s")
    left.set(xscale="log", xlabel="paragraphs", ylabel="ms", title="latency (warm)")
    left.legend()
    left.grid(alpha=0.3)
    series(right, "ingest_s", "articles-qa ingest")
    series(right, "baseline_build_s", "baseline build", marker="s")
    series(right, "naive_encode_s", "naive encode only", marker="x", ls=":")
    right.set(xscale="log", yscale="log", xlabel="paragraphs", ylabel="s", title="full ingest")
    right.legend()
    right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="articles,1000,10000", help="comma list: 'articles' and paragraph counts")
    parser.add_argument("--folder", help="measure this folder of .txt articles instead of generated corpora")
    parser.add_argument("--modes", default="embedded", help="embedded and/or server (a `chroma run` on loopback)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain llama-index pipeline")
    parser.add_argument("--baseline-build-max", type=int, default=20_000, metavar="N",
                        help="above N paragraphs, index the naive encode's vectors instead of timing the plain "
                             "pipeline's own build (over an hour at 100,000 here); its retrieval is measured the same")
    parser.add_argument("--questions", type=int, default=100, help="distinct questions per size")
    parser.add_argument("--commits", type=int, default=0, metavar="N",
                        help="then N one-file commits in one process: commit cost, merges, segments, ask after")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--markdown")
    parser.add_argument("--plot")
    parser.add_argument("--from-json", nargs="+", metavar="FILE",
                        help="measure nothing: merge the rows of earlier --json files into the table and plot")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.from_json:
        rows = [row for f in args.from_json for row in json.loads(Path(f).read_text(encoding="utf-8"))]
        return _write(rows, args)

    qs = questions(args.questions)
    modes = args.modes.split(",")
    rows = []
    with tempfile.TemporaryDirectory(prefix="articles-qa-bench-") as tmp:
        targets = [("folder", Path(args.folder))] if args.folder else []
        for size in ([] if args.folder else args.sizes.split(",")):
            if size == "articles":
                shutil.copytree(ROOT / "data" / "articles", Path(tmp) / "articles")  # the bench adds a file
                targets.append(("5 articles", Path(tmp) / "articles"))
            else:
                folder = Path(tmp) / f"corpus-{size}"
                make_corpus(int(size), folder)
                targets.append((f"{int(size):,} generated", folder))
        for label, folder in targets:
            work = Path(tmp) / f"work-{len(rows)}"
            work.mkdir()
            print(f"measuring {label} ...", file=sys.stderr, flush=True)
            rows.append(measure(label, folder, work, qs, modes=modes, baseline=not args.no_baseline,
                                baseline_build_max=args.baseline_build_max, commits=args.commits))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            shutil.rmtree(work, ignore_errors=True)
    return _write(rows, args)


def _write(rows: list[dict], args) -> int:
    rows = sorted(rows, key=lambda r: r["paragraphs"])
    table = markdown(rows)
    print(table)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(table + "\n", encoding="utf-8")
    if args.plot:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
