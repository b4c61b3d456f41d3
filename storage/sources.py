"""The ``sources`` table mirrors the sources file, so Datasette can facet and join on it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from storage.articles import utc_now


def sync_sources(db: sqlite_utils.Database, rows: Iterable[dict]) -> None:
    """Upsert every source's current definition (``Source.table_row()``). Removed sources stay
    (their articles refer to them)."""
    now = utc_now()
    rows = [{**row, "updated_at": now} for row in rows]
    with db.conn:
        db["sources"].upsert_all(rows, pk="name")
