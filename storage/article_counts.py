"""Stored article counts (migration m690): what they hold, how to refill and check them.

Triggers on ``articles`` keep ``article_facet_counts`` (articles per combination of
the facet columns) and ``article_day_counts`` (articles and those with English per
day and source) exact as rows are inserted, updated and deleted; the workbench's
facets and "Articles per source per day" read them instead of counting a million rows.
A bulk load that drops the triggers (``benchmarks/workbench_scale_db.py``) refills
them afterwards with ``refill``; ``mismatches`` compares them with a live count.
"""

from __future__ import annotations

import sqlite3

FACET_COUNTS_TABLE = "article_facet_counts"
DAY_COUNTS_TABLE = "article_day_counts"
#: The articles table's default facets (newsmon/metadata.yml), counted per combination.
FACET_COLUMNS = ("source", "country", "kind", "lang", "script", "translation_status")

_KEY = " || ',' || ".join(f"quote({c})" for c in FACET_COLUMNS)
_DAY = "substr(coalesce(published, fetched_at), 1, 10)"
_ENGLISH = "coalesce(translation_status in ('translated', 'original'), 0)"
_LIVE_FACETS = f"select {', '.join(FACET_COLUMNS)}, count(*) as articles from articles group by {', '.join(FACET_COLUMNS)}"
_LIVE_DAYS = (f"select {_DAY} as day, source, count(*) as articles, sum({_ENGLISH}) as with_english "
              "from articles group by day, source")


def refill(conn: sqlite3.Connection) -> None:
    """Recount both tables from the articles (in the caller's transaction, if any)."""
    conn.execute(f"delete from {FACET_COUNTS_TABLE}")
    conn.execute(
        f"insert into {FACET_COUNTS_TABLE} (key, {', '.join(FACET_COLUMNS)}, articles) "
        f"select {_KEY}, * from ({_LIVE_FACETS})"
    )
    conn.execute(f"delete from {DAY_COUNTS_TABLE}")
    conn.execute(f"insert into {DAY_COUNTS_TABLE} (day, source, articles, with_english) {_LIVE_DAYS}")


def mismatches(conn: sqlite3.Connection) -> list[tuple]:
    """Rows where a stored count differs from a live ``group by`` over the articles (none when exact).

    Each is ("facets" or "days", the key values, the live count(s), the stored count(s)).
    """
    found = []
    for kind, live_sql, table, keys, values in (
        ("facets", _LIVE_FACETS, FACET_COUNTS_TABLE, FACET_COLUMNS, ("articles",)),
        ("days", _LIVE_DAYS, DAY_COUNTS_TABLE, ("day", "source"), ("articles", "with_english")),
    ):
        live = {tuple(row[: len(keys)]): tuple(row[len(keys):]) for row in conn.execute(live_sql)}
        stored = {
            tuple(row[: len(keys)]): tuple(row[len(keys):])
            for row in conn.execute(f"select {', '.join(keys + values)} from {table}")
        }
        for key in sorted(live.keys() | stored.keys(), key=repr):
            if live.get(key) != stored.get(key):
                found.append((kind, key, live.get(key), stored.get(key)))
    if conn.execute(f"select count(*) from {FACET_COUNTS_TABLE} where key is not {_KEY}").fetchone()[0]:
        found.append(("facets", "a key that is not quote() of its values", None, None))
    return found
