"""Load test of a running chat page: N concurrent sessions through gradio_client on loopback.

    python -m ui.loadtest --url http://127.0.0.1:7860/ --sessions 50

Each session holds its own two-turn conversation whose follow-up only makes sense with
its own history, so a mixed-up history shows as a wrong answer, not just an error.
Requests are bounded (sessions x 2) and go to the given URL only.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

CONVERSATIONS = [
    ("What did Kirill Dmitriev say about Trump?", "How much did he say they lost?", "$300 billion"),
    ("Who is Keith Kellogg?", "When will he visit Kyiv?", "Thursday"),
    ("What happened to the grain-export deal from Ukrainian Black Sea ports?", "Who brokered it?",
     "Turkey and the United Nations"),
]


def run_load(url: str, sessions: int = 50) -> dict:
    from gradio_client import Client

    local = threading.local()
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> Client:
        if not hasattr(local, "client"):
            local.client = Client(url, verbose=False)
        return local.client

    def session(i: int) -> tuple[bool, str]:
        first, follow_up, expected = CONVERSATIONS[i % len(CONVERSATIONS)]
        history: list[dict] = []
        for question in (first, follow_up):
            started = time.perf_counter()
            out = client().predict(question, history, api_name="/ask")
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": out["text"]}]
        # its own conversation's passage, answered or (below the answered tier) the closest: a mixed-up
        # history finds another conversation's passage
        found = expected in out["text"] or any(expected in c["quote"] for c in out["citations"] + out["closest"])
        return found, out["text"]

    started = time.perf_counter()
    errors, wrong = [], []
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        futures = [pool.submit(session, i) for i in range(sessions)]
        for i, f in enumerate(futures):
            try:
                ok, text = f.result(timeout=600)
                if not ok:
                    wrong.append(f"session {i}: {text[:120]}")
            except Exception as e:  # every failure is counted and reported, none stops the run
                errors.append(f"session {i}: {type(e).__name__}: {e}")
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "sessions": sessions, "requests": len(latencies), "errors": errors, "wrong_answers": wrong,
        "seconds": round(elapsed, 2), "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--sessions", type=int, default=50)
    args = parser.parse_args(argv)
    result = run_load(args.url, args.sessions)
    print(json.dumps(result, indent=1))
    return 1 if result["errors"] or result["wrong_answers"] else 0


if __name__ == "__main__":
    sys.exit(main())
