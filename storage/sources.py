"""The ``sources`` table mirrors the sources file, so Datasette can facet and join on it."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from crawler.sources import Source
from storage.articles import utc_now


def sync_sources(db: sqlite_utils.Database, sources: Iterable[Source]) -> None:
    """Upsert every source's current definition. Removed sources stay (their articles refer to them)."""
    now = utc_now()
    rows = [
        {
            "name": s.name,
            "country": s.country,
            "kind": s.kind,
            "language": s.language,
            "start_urls": json.dumps(list(s.start_urls)),
            "feeds": json.dumps(list(s.feeds)),
            "sitemaps": json.dumps(list(s.sitemaps)),
            "article_urls": s.article_urls,
            "follow_urls": s.follow_urls,
            "settings": json.dumps(s.settings_json(), ensure_ascii=False),
            "updated_at": now,
        }
        for s in sources
    ]
    with db.conn:
        db["sources"].upsert_all(rows, pk="name")
