"""One rule for "failing or silent": `newsmon health`, alerts, the front page and the dashboard.

The rule is written once (``storage.runs.source_problems_sql``); these tests store
sources in each state in a real SQLite file and read them through every consumer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newsmon.datasette_plugins.newsmon_front_page import _ATTENTION
from newsmon.serve import metadata_for
from storage import open_db
from storage.runs import SILENT_DAYS, attention_sql, source_health


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _store_states(path):
    db = open_db(path)
    now = datetime.now(timezone.utc)
    with db.conn:
        db["sources"].insert_all([{"name": n, "country": "UZ", "kind": "news"} for n in ("failing", "silent", "fresh", "never")]
                                 + [{"name": "adhoc", "country": "intl", "kind": "adhoc"}], pk="name", replace=True)
        runs = [("failing", "ok", 5), ("failing", "failed", 2), ("failing", "failed", 1),
                ("silent", "ok", 1), ("fresh", "ok", 1), ("adhoc", "failed", 1)]
        for source, status, days_ago in runs:
            db["crawl_runs"].insert({"source": source, "status": status, "started_at": _stamp(now - timedelta(days=days_ago)), "errors": 0})
        for n, (source, days_ago) in enumerate([("failing", 5), ("silent", SILENT_DAYS + 1), ("fresh", 1)]):
            db["articles"].insert({"url": f"https://{source}.example/{n}", "source": source, "text": f"Text {n}.",
                                   "fetched_at": _stamp(now - timedelta(days=days_ago)), "content_hash": str(n), "versions": 1})
    return db


def test_health_alerts_and_the_workbench_name_the_same_sources(tmp_path):
    db = _store_states(tmp_path / "n.db")
    problems = {row["source"]: row["problem"] for row in source_health(db, silent_days=SILENT_DAYS)}
    assert problems == {
        "failing": "failing: last 2 run(s) failed",
        "silent": f"silent: no new article for over {SILENT_DAYS:g} days",
        "fresh": None,
        "never": "never crawled",
    }
    # The workbench lists the sources with a problem that have been crawled, worst first.
    listed = [row[0] for row in db.execute(attention_sql(SILENT_DAYS))]
    assert listed == ["failing", "silent"]
    assert [row[0] for row in db.execute(_ATTENTION)] == listed
    dashboards = metadata_for(tmp_path / "n.db")["plugins"]["datasette-dashboards"]
    assert [chart["query"] for dashboard in dashboards.values() for chart in dashboard["charts"].values()
            if "Sources failing or silent" in chart.get("title", "")] == [attention_sql(SILENT_DAYS)]


def test_a_longer_silence_limit_keeps_a_quiet_source_off_the_list(tmp_path):
    db = _store_states(tmp_path / "n.db")
    problems = {row["source"]: row["problem"] for row in source_health(db, silent_days=SILENT_DAYS + 2)}
    assert problems["silent"] is None and problems["failing"].startswith("failing")
    assert [row[0] for row in db.execute(attention_sql(SILENT_DAYS + 2))] == ["failing"]
