"""What watchlists and the two FTS indexes cost: ingest rate, re-check time, search latency.

Run by hand (figures go to BENCHMARKS.md):

    .venv/bin/python benchmarks/workbench_bench.py --articles 5000

Articles are generated (fixed seed): ~450 words of original text and the same of English,
from a synthetic vocabulary, with a watchlist term in about 3% of them. Each article is
inserted in its own transaction, as the crawl stores them.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import newsmon.cli  # noqa: F401  (loads newsmon.cli_workbench)
from newsmon.cli_workbench import BUNDLED_WATCHLISTS
from newsmon.serve import bundled_metadata
from storage import open_db
from storage.search import search_query
from storage.watchlists import load_watchlists, sync_watchlists

TERMS = ["мошенников", "кража", "oʻgʻirlik", "ransomware", "thefts", "firibgarlar", "алаяқтар"]


def vocabulary(rng: random.Random, alphabet: str, size: int = 3000) -> list[str]:
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 10))) for _ in range(size)]


def articles(n: int, seed: int = 6):
    rng = random.Random(seed)
    cyr = vocabulary(rng, "абвгдежзиклмнопрстуфхцчшщыэюяқўғҳ")
    lat = vocabulary(rng, "abcdefghijklmnoprstuvxyz")
    for i in range(n):
        words = cyr if i % 2 else lat
        text = [rng.choice(words) for _ in range(450)]
        english = [rng.choice(lat) for _ in range(450)]
        if rng.random() < 0.03:
            text.insert(rng.randrange(450), rng.choice(TERMS))
        yield i, " ".join(text[:10]), " ".join(text), " ".join(english[:10]), " ".join(english)


def ingest(path: Path, n: int, *, with_watchlists: bool) -> float:
    db = open_db(path)
    with db.conn:
        db["sources"].insert({"name": "s", "country": "UZ", "kind": "news"}, pk="name")
    if with_watchlists:
        sync_watchlists(db, load_watchlists(BUNDLED_WATCHLISTS))
    start = time.perf_counter()
    for i, title, text, title_en, text_en in articles(n):
        with db.conn:
            db["articles"].insert({"url": f"https://s.example/{i}", "source": "s", "title": title, "text": text,
                                   "title_en": title_en, "text_en": text_en, "fetched_at": "2026-11-20T00:00:00+00:00",
                                   "content_hash": str(i)})
    seconds = time.perf_counter() - start
    db.close()
    return n / seconds


def search_latency(path: Path) -> float:
    sql = bundled_metadata()["databases"]["newsmon"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_function("newsmon_search_query", 1, search_query)
    times = []
    for q in ["o'g'irlik", "мошенни*", "thefts", "ransomware OR кража", "zzzz"] * 4:
        start = time.perf_counter()
        conn.execute(sql, {"q": q}).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = ingest(Path(tmp) / "plain.db", args.articles, with_watchlists=False)
        path = Path(tmp) / "watched.db"
        watched = ingest(path, args.articles, with_watchlists=True)
        db = open_db(path)
        start = time.perf_counter()
        report = sync_watchlists(db, load_watchlists(BUNDLED_WATCHLISTS), recheck_all=True)
        recheck = time.perf_counter() - start
        terms = db.execute("select count(*) from watchlist_terms").fetchone()[0]
        hits = sum(report.rechecked.values())
        db.close()
        print(f"articles: {args.articles}, watchlist terms: {terms}, hits: {hits}")
        print(f"ingest without watchlists: {plain:.0f} articles/s")
        print(f"ingest with the bundled watchlists: {watched:.0f} articles/s")
        print(f"re-check every watchlist against every article: {recheck:.2f} s")
        print(f"search everything, median: {search_latency(path):.1f} ms")


if __name__ == "__main__":
    main()
