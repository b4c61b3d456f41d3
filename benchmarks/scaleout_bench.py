"""Scale-out throughput: 1, 2 and 4 `newsmon worker` processes on a latency-bound fixture.

Issue 14's benchmark: many hosts that each answer slowly, crawled politely (a download
delay per site), by N worker processes leasing whole sources through a private
redis-server; then `newsmon ingest` alone, timed, for its rows per second.

Per configuration: a fresh redis-server, fresh request logs, `newsmon schedule`, N workers
(`--exit-when-idle`) timed from start to the last one's exit, each worker's peak memory
(the worker and its crawl process), then ingest into a fresh database. Checks that
every article was fetched once and stored once.

Usage:
    .venv/bin/python benchmarks/scaleout_bench.py [--hosts 20] [--articles 6] [--latency 0.2]
        [--delay 0.3] [--batch 2] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.crawl_bench import TreeSampler  # noqa: E402
from tests.fixtures.generated import generated_site  # noqa: E402
from tests.fixtures.server import FixtureServer  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def newsmon(*args: str, log: Path) -> subprocess.Popen:
    """Output to a file: a pipe read only after another process ends would fill and block the crawl."""
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "newsmon", *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def sources_toml(servers: list[FixtureServer], delay: float) -> str:
    return "".join(f"""
[[source]]
name = "host{index:02d}"
country = "UZ"
kind = "news"
language = "en"
start_urls = ["{server.base_url}/en/news/"]
article_urls = '/en/news/\\d{{4}}/\\d{{2}}/\\d{{2}}/case-\\d+$'
download_delay = {delay}
""" for index, server in enumerate(servers))


def fixture_servers(args) -> list[FixtureServer]:
    servers = [FixtureServer(generated_site(args.articles, delay=args.latency, first=i * 100)).start()
               for i in range(args.hosts)]
    for server in servers:  # every answer is slow, not only the articles
        for route in server.routes.values():
            route.delay = args.latency
    return servers


def measure_single(args, workdir: Path) -> float:
    """For reference: the same sites with one `newsmon crawl` (every source at once in one reactor)."""
    servers = fixture_servers(args)
    sources = workdir / "sources-single.toml"
    sources.write_text(sources_toml(servers, args.delay), encoding="utf-8")
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "newsmon", "crawl", "--no-translate", "--db", str(workdir / "single.db"),
                        "--sources", str(sources)], cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        for server in servers:
            server.stop()


def measure(workers: int, args, workdir: Path) -> dict:
    servers = fixture_servers(args)
    redis_process, url = start_redis(workdir)
    sources = workdir / f"sources-{workers}.toml"
    sources.write_text(sources_toml(servers, args.delay), encoding="utf-8")
    db = workdir / f"news-{workers}.db"
    try:
        subprocess.run([sys.executable, "-m", "newsmon", "schedule", "--redis", url, "--sources", str(sources)],
                       cwd=ROOT, check=True, capture_output=True)
        started = time.perf_counter()
        logs = [workdir / f"worker-{workers}-{n}.log" for n in range(workers)]
        procs = [newsmon("worker", "--redis", url, "--exit-when-idle", "--batch", str(args.batch), "--poll", "0.2",
                         "--extract-workers", "0", log=log) for log in logs]
        samplers = [TreeSampler(p.pid, interval=0.25).start() for p in procs]
        for proc, log in zip(procs, logs):
            if proc.wait():
                raise SystemExit(f"worker failed: {log.read_text()[-2000:]}")
        crawl_seconds = time.perf_counter() - started
        for sampler in samplers:
            sampler.stop()
        ingest_started = time.perf_counter()
        ingest_log = workdir / f"ingest-{workers}.log"
        newsmon("ingest", "--redis", url, "--db", str(db), "--exit-when-idle", log=ingest_log).wait()
        out = ingest_log.read_text().strip().splitlines()[-1]
        worker_log = "".join(log.read_text() for log in logs)
        ingest_seconds = time.perf_counter() - ingest_started
        with sqlite3.connect(db) as conn:
            stored = conn.execute("select count(*), count(distinct url) from articles").fetchone()
        fetched = Counter(path for server in servers for path in server.paths() if "/case-" in path)
    finally:
        redis_process.terminate()
        redis_process.wait()
        for server in servers:
            server.stop()
    expected = args.hosts * args.articles
    return {
        "workers": workers, "crawl_s": crawl_seconds, "articles_per_s": expected / crawl_seconds,
        "ingest_s": ingest_seconds, "stored": stored, "expected": expected,
        "fetched_once": len(fetched) == expected and set(fetched.values()) == {1},
        "peak_mb": max(s.peak_tree_rss for s in samplers) / 2**20,
        "ingest_out": out, "worker_log_lines": len(worker_log.splitlines()),
        "cpu_s": sum(sampler.main_cpu + sampler.children_cpu for sampler in samplers),
        "batches": sum(int(line.split()[1]) for line in worker_log.splitlines() if line.startswith("worker: ")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=6, help="articles per host")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds every answer takes")
    parser.add_argument("--delay", type=float, default=0.3, help="download_delay per source (politeness)")
    parser.add_argument("--batch", type=int, default=2, help="sources a worker crawls at once")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--single", action="store_true", help="also time one `newsmon crawl` of every source")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="newsmon-scaleout-bench-") as tmp:
        if args.single:
            seconds = measure_single(args, Path(tmp))
            print(f"newsmon crawl (one process): {seconds:.1f} s, {args.hosts * args.articles / seconds:.2f} articles/s",
                  flush=True)
        for workers in (int(n) for n in args.workers.split(",")):
            result = measure(workers, args, Path(tmp))
            results.append(result)
            print(f"{workers} worker(s): {result['crawl_s']:.1f} s, {result['articles_per_s']:.2f} articles/s, "
                  f"peak memory per worker {result['peak_mb']:.0f} MB; fetched once: {result['fetched_once']}; "
                  f"stored {result['stored'][1]}/{result['expected']}; ingest {result['ingest_s']:.1f} s "
                  f"incl. start-up — {result['ingest_out']}; worker log lines {result['worker_log_lines']}; "
                  f"workers' CPU {result['cpu_s']:.0f} s for {result['batches']} batches",
                  flush=True)
    base = results[0]["articles_per_s"]
    for result in results[1:]:
        print(f"speed-up at {result['workers']} workers: {result['articles_per_s'] / base:.2f}×")
    ok = all(r["fetched_once"] and r["stored"] == (r["expected"], r["expected"]) for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
