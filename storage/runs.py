"""``crawl_runs``: one row per source per crawl, written at start and updated at the end.

Written at start so that a killed crawl leaves a visible ``running`` row with
the counters it had reached; the next run marks such rows ``interrupted``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlite_utils

from storage.articles import utc_now


@dataclass
class RunCounters:
    pages: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    not_articles: int = 0
    articles_skipped: int = 0  # known articles not downloaded again
    not_modified: int = 0  # 304 answers to conditional requests
    last_new_article_at: str | None = None
    errors_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(self.errors_by_kind.values())

    def count_error(self, kind: str) -> None:
        self.errors_by_kind[kind] = self.errors_by_kind.get(kind, 0) + 1

    def count_outcome(self, outcome: str) -> None:
        attr = f"articles_{outcome}"
        setattr(self, attr, getattr(self, attr) + 1)
        if outcome == "new":
            self.last_new_article_at = utc_now()


def start_run(db: sqlite_utils.Database, *, run_id: str, source: str) -> int:
    with db.conn:
        table = db["crawl_runs"].insert(
            {"run_id": run_id, "source": source, "started_at": utc_now(), "status": "running"}
        )
    return table.last_pk


def update_run(
    db: sqlite_utils.Database,
    row_id: int,
    counters: RunCounters,
    *,
    status: str | None = None,
    error: str | None = None,
) -> None:
    values = {
        "pages": counters.pages,
        "articles_new": counters.articles_new,
        "articles_updated": counters.articles_updated,
        "articles_unchanged": counters.articles_unchanged,
        "not_articles": counters.not_articles,
        "articles_skipped": counters.articles_skipped,
        "not_modified": counters.not_modified,
        "last_new_article_at": counters.last_new_article_at,
        "errors": counters.errors,
        "errors_by_kind": json.dumps(counters.errors_by_kind, sort_keys=True),
    }
    if status:
        values["status"] = status
        if status != "running":
            values["finished_at"] = utc_now()
    if error is not None:
        values["error"] = error
    with db.conn:
        db["crawl_runs"].update(row_id, values)


def mark_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Runs left ``running`` by a killed process are ``interrupted``; returns how many."""
    with db.conn:
        cursor = db.execute(
            "update crawl_runs set status = 'interrupted', error = coalesce(error, 'the crawl process ended without finishing this source') "
            "where status = 'running'"
        )
    return cursor.rowcount


def source_health(db: sqlite_utils.Database, *, silent_days: float, now: datetime | None = None) -> list[dict]:
    """Rows of the ``source_health`` view, each with ``problem``: failing, silent, never crawled, or None."""
    now = now or datetime.now(timezone.utc)
    rows = []
    for row in db.query("select * from source_health where kind != 'adhoc' order by source"):
        problem = None
        if row["last_run_at"] is None:
            problem = "never crawled"
        elif row["consecutive_failures"]:
            problem = f"failing: last {row['consecutive_failures']} run(s) failed"
        else:
            last_new = row["last_new_article_at"]
            if last_new is None or now - datetime.fromisoformat(last_new) > timedelta(days=silent_days):
                problem = f"silent: no new article for over {silent_days:g} days"
        rows.append({**row, "problem": problem})
    return rows
