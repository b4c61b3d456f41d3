"""What newsmon knows about URLs between runs: HTTP validators and non-article pages.

Kept in SQLite rather than in memory, so memory stays flat however long the
history grows, and a killed crawl forgets nothing it had committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from storage.articles import utc_now


@dataclass(frozen=True)
class UrlState:
    url: str
    kind: str
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    reason: str | None = None
    checked_at: str | None = None


def get_state(db: sqlite_utils.Database, url: str) -> UrlState | None:
    rows = list(db.query("select url, kind, etag, last_modified, last_status, reason, checked_at from url_state where url = ?", [url]))
    return UrlState(**rows[0]) if rows else None


def record_states(db: sqlite_utils.Database, source: str, states: Iterable[UrlState]) -> None:
    """Upsert many URL states in one transaction."""
    now = utc_now()
    rows = [
        {
            "url": s.url, "source": source, "kind": s.kind, "etag": s.etag, "last_modified": s.last_modified,
            "last_status": s.last_status, "reason": s.reason, "checked_at": s.checked_at or now,
        }
        for s in states
    ]
    if rows:
        with db.conn:
            db["url_state"].upsert_all(rows, pk="url")
