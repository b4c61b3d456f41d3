"""What the stored-count triggers (m690) add to storing, translating and deleting an article.

Run by hand on a copy of a database from ``benchmarks/workbench_scale_db.py`` (figures go
to BENCHMARKS.md, "The workbench at 1,000,000 articles"):

    .venv/bin/python benchmarks/article_counts_bench.py /tmp/copy.db --articles 500 --rounds 6

In each round ``--articles`` new articles are inserted (every other trigger on: search
index, watchlists), given English (an UPDATE of the English columns and
translation_status, as the translator writes it), then deleted, one statement per article,
each step in one transaction (the commit, the same with or without, would only add noise);
rounds alternate between the count triggers on and dropped, so both see the same load.
Prints the median per article of each step, with and without, and the difference. The file
is left as it was (the rows are deleted, the triggers restored).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from pathlib import Path

COUNT_TRIGGERS = ("article_counts_ai", "article_counts_ad", "article_facet_counts_au", "article_day_counts_au")


def one_round(conn: sqlite3.Connection, n: int, first_id: int) -> dict[str, float]:
    """Milliseconds per article for insert, translate and delete (each step one transaction)."""
    source = conn.execute("select name from sources order by name limit 1").fetchone()[0]
    timings = {}
    ids = range(first_id, first_id + n)
    start = time.perf_counter()
    with conn:
        for i in ids:
            conn.execute(
                "insert into articles (id, url, source, title, text, lang, script, published, fetched_at, content_hash, "
                "translation_status) values (?, ?, ?, ?, ?, 'uz', 'Latn', '2026-11-28', '2026-11-28T10:00:00+00:00', ?, 'pending')",
                [i, f"https://bench.example/{i}", source, f"Sarlavha {i}", f"Matn {i} tuman bo'yicha xabar", str(i)],
            )
    timings["insert"] = time.perf_counter() - start
    start = time.perf_counter()
    with conn:
        for i in ids:
            conn.execute("update articles set title_en = ?, text_en = ?, translation_status = 'translated' where id = ?",
                         [f"Title {i}", f"Text {i} about the district", i])
    timings["translate"] = time.perf_counter() - start
    start = time.perf_counter()
    with conn:
        for i in ids:
            conn.execute("delete from articles where id = ?", [i])
    timings["delete"] = time.perf_counter() - start
    return {step: seconds * 1000 / n for step, seconds in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.isolation_level = ""  # `with conn` is one transaction
    saved = dict(conn.execute(
        f"select name, sql from sqlite_master where type = 'trigger' and name in ({', '.join('?' * len(COUNT_TRIGGERS))})",
        COUNT_TRIGGERS,
    ).fetchall())
    assert set(saved) == set(COUNT_TRIGGERS), "run on a database migrated to m690"
    first_id = conn.execute("select max(id) from articles").fetchone()[0] + 1000
    results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    try:
        for r in range(args.rounds):
            with_triggers = r % 2 == 0
            with conn:
                for name, sql in saved.items():
                    conn.execute(f"drop trigger if exists {name}")
                    if with_triggers:
                        conn.execute(sql)
            results[with_triggers].append(one_round(conn, args.articles, first_id))
    finally:
        with conn:
            for name, sql in saved.items():
                conn.execute(f"drop trigger if exists {name}")
                conn.execute(sql)
    for step in ("insert", "translate", "delete"):
        on = statistics.median(x[step] for x in results[True])
        off = statistics.median(x[step] for x in results[False])
        print(f"{step:<10} with counts {on:6.2f} ms  without {off:6.2f} ms  triggers add {on - off:+.2f} ms per article")


if __name__ == "__main__":
    main()
