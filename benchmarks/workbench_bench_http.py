"""What each page and feed of the workbench costs over HTTP, on a large database.

Run by hand on a database from ``benchmarks/workbench_scale_db.py`` (figures go to
BENCHMARKS.md, "At scale — the workbench"):

    .venv/bin/python benchmarks/workbench_bench_http.py /tmp/wb1m.db --repeat 5

Starts the real ``newsmon serve`` (which first applies any pending migration to the
file), requests every page once to warm the page cache, then each page ``--repeat``
times, and prints the median and worst time, the HTTP status, and whether the page
reported a query interrupted by the time limit or a facet that timed out.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.workbench_scale_db import Corpus  # noqa: E402
from newsmon.serve import bundled_metadata  # noqa: E402
from tests.serve_process import running_serve  # noqa: E402


def rare_word() -> str:
    """A word from the tail of the generated Russian vocabulary: a few hundred articles at 1,000,000."""
    import random

    return Corpus(random.Random(17)).vocab["ru"][0][-1000]


def pages(db: str, article: int) -> list[tuple[str, str]]:
    """(name, path) of every page and feed the benchmark times."""
    q = urllib.parse.quote
    found = [
        ("front page /", "/"),
        ("articles table", f"/{db}/articles"),
        ("articles ?lang=ru", f"/{db}/articles?lang=ru"),
        ("articles lang=uz, facet script", f"/{db}/articles?lang=uz&_facet=script"),
        ("articles ?_search=police", f"/{db}/articles?_search=police"),
        ("search everything: police", f"/{db}/search?q=police"),
        ("search everything: rare word", f"/{db}/search?q={q(rare_word())}"),
        ("watchlist feed (fraud, busiest)", f"/{db}/watchlist_feed_fraud.atom"),
        ("latest feed", f"/{db}/latest_feed.atom"),
        ("article page", f"/{db}/articles/{article}"),
        ("database page", f"/{db}"),
        ("latest (canned)", f"/{db}/latest"),
        ("hits, all watchlists", f"/{db}/hits?watchlist="),
        ("untranslated", f"/{db}/untranslated"),
        ("untranslated summary", f"/{db}/untranslated_summary"),
        ("per source per day", f"/{db}/per_source_per_day"),
        ("sources health", f"/{db}/sources_health"),
        ("dashboard page", "/-/dashboards/overview"),
    ]
    charts = bundled_metadata()["plugins"]["datasette-dashboards"]["overview"]["charts"]
    for name, chart in charts.items():
        found.append((f"dashboard chart {name}", f"/{db}.json?" + urllib.parse.urlencode({"sql": chart["query"], "_shape": "array"})))
    return found


_INTERRUPTED = re.compile(rb"interrupted|timed out|took too long", re.IGNORECASE)


def get(base: str, path: str) -> tuple[float, int, str]:
    """Seconds, status, and a note when the page reports a time limit hit."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=120) as response:  # follows the redirect
            body, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    seconds = time.perf_counter() - start
    note = ""
    if match := _INTERRUPTED.search(body):
        note = body[max(0, match.start() - 60): match.end() + 20].decode("utf-8", "replace").replace("\n", " ")
    return seconds, status, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="regular expression: time only the pages whose name matches")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    import sqlite3

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    article = conn.execute("select max(id) / 2 from articles").fetchone()[0]
    conn.close()
    results = []
    with running_serve(args.db) as (base, _process):
        for name, path in pages(args.db.stem, article):
            if args.only and not re.search(args.only, name):
                continue
            get(base, path)  # warm the page cache
            runs = [get(base, path) for _ in range(args.repeat)]
            times = [seconds for seconds, _, _ in runs]
            statuses = sorted({status for _, status, _ in runs})
            notes = sorted({note for _, _, note in runs if note})
            row = {"page": name, "median_ms": round(statistics.median(times) * 1000), "worst_ms": round(max(times) * 1000),
                   "status": statuses, "notes": notes}
            results.append(row)
            print(f"{name:<40} median {row['median_ms']:>6} ms  worst {row['worst_ms']:>6} ms  "
                  f"HTTP {','.join(map(str, statuses))}  {' | '.join(notes)[:160]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
