"""A bounded HTTP load on loopback: CLIENTS threads GET one URL for SECONDS, then stop and print
JSON with the count, errors, requests per second and latency percentiles.

    python scripts/loadgen.py http://127.0.0.1:8765/path --clients 20 --seconds 10 [--cookie k=v]

Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from urllib.parse import urlparse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cookie", default="")
    args = parser.parse_args()
    target = urlparse(args.url)
    if target.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("loadgen: loopback only")
    path = target.path + (f"?{target.query}" if target.query else "")
    headers = {"Cookie": args.cookie} if args.cookie else {}
    deadline = time.monotonic() + min(args.seconds, 120)  # bounded whatever is asked
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return (
            ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000
            if ordered
            else float("nan")
        )

    print(
        json.dumps(
            {
                "requests": len(ordered),
                "errors": errors[0],
                "seconds": round(elapsed, 2),
                "rps": round(len(ordered) / elapsed, 1) if elapsed else 0,
                "p50_ms": round(pct(0.50), 1),
                "p95_ms": round(pct(0.95), 1),
                "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
            }
        )
    )


if __name__ == "__main__":
    main()
