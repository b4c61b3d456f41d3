"""What alerts are due, per destination, and the record of what was sent.

A hit or a source problem is recorded as sent only after its destination has
accepted the message, in one transaction: a destination that fails gets the same
hits next run, and a re-run after success sends nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import sqlite_utils

from storage.articles import utc_now
from storage.atomic import write_transaction

#: On a destination's first run, hits matched earlier than this before it are history.
FIRST_RUN_LOOKBACK = timedelta(days=1)

_PENDING_HITS = """
select h.id as hit, h.watchlist, h.term, h.matched_in, h.matched_at,
       a.id as article, a.url, a.source, a.lang, a.title, a.title_en,
       coalesce(a.published, substr(a.fetched_at, 1, 10)) as published
from watchlist_hits h
join articles a on a.id = h.article
where h.matched_at >= :since
  and not exists (select 1 from alert_hits_sent s where s.destination = :destination and s.hit = h.id)
order by h.watchlist, a.published desc, h.id
"""


def register_destination(db: sqlite_utils.Database, name: str, *, now: datetime | None = None) -> str:
    """The destination's start time (set on first use); returns the earliest ``matched_at`` it will send."""
    now = now or datetime.now(timezone.utc)
    since = (now - FIRST_RUN_LOOKBACK).isoformat(timespec="seconds")
    with db.conn:
        db.execute("insert or ignore into alert_destinations (name, since) values (?, ?)", [name, since])
    return db.execute("select since from alert_destinations where name = ?", [name]).fetchone()[0]


def pending_hits(db: sqlite_utils.Database, destination: str, *, since: str, watchlists: Iterable[str] | None = None) -> list[dict]:
    """Watchlist hits not yet sent to ``destination``, one row per hit, grouped by watchlist."""
    rows = list(db.query(_PENDING_HITS, {"destination": destination, "since": since}))
    if watchlists is not None:
        wanted = set(watchlists)
        rows = [row for row in rows if row["watchlist"] in wanted]
    return rows


def pending_source_problems(db: sqlite_utils.Database, destination: str, problems: dict[str, str]) -> dict[str, str]:
    """Of ``problems`` (source → kind: ``failing``, ``silent``, ...), those not yet reported to ``destination``.

    A source whose problem has cleared is forgotten here, so the next failure is news again.
    """
    current = json.dumps(sorted(f"{source}\t{kind}" for source, kind in problems.items()))
    with db.conn:
        db.execute(
            "delete from alert_source_notices where destination = ? "
            "and source || char(9) || problem not in (select value from json_each(?))",
            [destination, current],
        )
    sent = {
        (row["source"], row["problem"])
        for row in db.query("select source, problem from alert_source_notices where destination = ?", [destination])
    }
    return {source: kind for source, kind in problems.items() if (source, kind) not in sent}


def digest_sent_today(db: sqlite_utils.Database, destination: str, day: str) -> bool:
    row = db.execute("select 1 from alert_digests where destination = ? and day = ?", [destination, day]).fetchone()
    return row is not None


def record_sent(
    db: sqlite_utils.Database,
    destination: str,
    *,
    hits: Iterable[int] = (),
    problems: dict[str, str] | None = None,
    digest_day: str | None = None,
) -> None:
    """Record one accepted message's content, all of it or none."""
    now = utc_now()
    with write_transaction(db):
        db.conn.executemany(
            "insert or ignore into alert_hits_sent (destination, hit, sent_at) values (?, ?, ?)",
            [(destination, hit, now) for hit in hits],
        )
        db.conn.executemany(
            "insert or ignore into alert_source_notices (destination, source, problem, sent_at) values (?, ?, ?, ?)",
            [(destination, source, kind, now) for source, kind in (problems or {}).items()],
        )
        if digest_day:
            db.execute("insert or ignore into alert_digests (destination, day, sent_at) values (?, ?, ?)",
                       [destination, digest_day, now])
