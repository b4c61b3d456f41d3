"""``crawl_runs``: one row per source per crawl, written at start and updated at the end.

Written at start so that a killed crawl leaves a visible ``running`` row with
the counters it had reached; the next run marks such rows ``interrupted``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

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


#: Days without a new article after which a source counts as silent for alerts and the workbench
#: (`newsmon health --silent-days` defaults to a week).
SILENT_DAYS = 3.0


def source_problems_sql(now: str = "'now'") -> str:
    """``source_health`` rows (no ``adhoc``) with ``problem``: failing, silent, never crawled, or null.

    The one definition behind ``newsmon health``, alerts, the workbench's front page and
    its dashboard. ``:silent_days`` is bound by the caller; ``now`` is an SQL expression
    (a bound ``:now`` for a fixed time, else the current time).
    """
    return f"""
select *, case
  when last_run_at is null then 'never crawled'
  when consecutive_failures > 0 then 'failing: last ' || consecutive_failures || ' run(s) failed'
  when last_new_article_at is null or julianday({now}) - julianday(last_new_article_at) > :silent_days
    then 'silent: no new article for over ' || printf('%g', :silent_days) || ' days'
end as problem
from source_health
where kind != 'adhoc'
"""


def attention_sql(silent_days: float = SILENT_DAYS) -> str:
    """Sources failing or silent, worst first, for a page with no parameters (the dashboard).

    Sources never crawled are left out: a new database would list every source.
    """
    return (
        "select source, last_status, consecutive_failures, last_new_article_at, last_error "
        f"from ({source_problems_sql()}) where problem is not null and last_run_at is not null "
        "order by consecutive_failures desc, source"
    ).replace(":silent_days", repr(float(silent_days)))


def source_health(db: sqlite_utils.Database, *, silent_days: float, now: datetime | None = None) -> list[dict]:
    """Rows of the ``source_health`` view, each with ``problem``: failing, silent, never crawled, or None."""
    now = now or datetime.now(timezone.utc)
    return list(db.query(source_problems_sql(":now") + " order by source", {"now": now.isoformat(), "silent_days": silent_days}))
