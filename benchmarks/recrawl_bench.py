"""Requests of a second, unchanged crawl on a site that sends no 304s, by site size.

Run by hand (figures go to BENCHMARKS.md, "At scale"):

    .venv/bin/python benchmarks/recrawl_bench.py --articles 1000 5000 20000

The site (tests/fixtures/paged.py) has one listing paginated 20 articles a page and no
ETag or Last-Modified, so nothing can answer 304. Each size is crawled once to fill a fresh
database, then again unchanged, then once more with ``--backfill``; the server counts requests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.paged import site, sources_toml  # noqa: E402
from tests.fixtures.server import FixtureServer  # noqa: E402

PER_PAGE = 20


def crawl(server: FixtureServer, db: Path, sources: Path, *extra: str) -> tuple[int, float]:
    server.log.clear()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newsmon", "-q", "crawl", "--db", str(db), "--sources", str(sources),
                    "--no-translate", *extra], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return len([p for p in server.paths() if p != "/robots.txt"]), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    print("| articles | first crawl: requests | second crawl: requests (s) | --backfill: requests |")
    print("| ---: | ---: | ---: | ---: |")
    for n in args.articles:
        server = FixtureServer(site(n, per_page=PER_PAGE)).start()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                sources = Path(tmp) / "sources.toml"
                sources.write_text(sources_toml(server.base_url, max_depth=n, max_pages=3 * n), encoding="utf-8")
                db = Path(tmp) / "n.db"
                first, _ = crawl(server, db, sources)
                second, seconds = crawl(server, db, sources)
                backfill, _ = crawl(server, db, sources, "--backfill")
            print(f"| {n:,} | {first:,} | {second:,} ({seconds:.1f} s) | {backfill:,} |", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
