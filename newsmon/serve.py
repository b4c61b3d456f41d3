"""``newsmon serve``: Datasette over the database, as the analysts' workbench.

Datasette gets the bundled metadata (``metadata.yml``), the article page
template (``templates/``) and newsmon's plugin (``datasette_plugins/``).
Datasette names a database after its file, so the metadata (written for
``newsmon``) is re-keyed to the file's name; one Atom feed per watchlist is
added, cloned from the ``watchlist_feed`` canned query.

Safe by default: Datasette opens the file read-only (no canned query writes),
binds to 127.0.0.1 unless told otherwise, and stops any query after a time limit;
``datasette_plugins/newsmon_guard.py`` bounds what one query may take (with
``workbench_limits.py``: value and result sizes, SQLite's heap, long function
calls) and what an analyst on the network may see.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import sys
from pathlib import Path

import yaml

from storage.runs import SILENT_DAYS, attention_sql

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
PLUGINS_DIR = PACKAGE_DIR / "datasette_plugins"

#: Datasette settings that keep a shared instance safe and responsive.
SAFE_SETTINGS = {
    "sql_time_limit_ms": "3000",
    # A facet is counted from an index (m670) in about 100 ms at a million articles; one that
    # cannot be (a common word's matches) gives up instead of holding the page.
    "facet_time_limit_ms": "250",
    # Suggested facets try a count over every column of the page: seconds at a million
    # articles (BENCHMARKS.md "At scale — the workbench"); the facets an analyst needs are set
    # in metadata.yml and any other is one click away in the column menu.
    "suggest_facets": "off",
    "max_returned_rows": "1000",
    "allow_download": "off",
    "default_page_size": "50",
    # Article texts are long: table pages show the start, the article page all of it.
    "truncate_cells_html": "300",
}


def bundled_metadata() -> dict:
    text = (PACKAGE_DIR / "metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


_PARAM_RE = re.compile(r"(?<![\w']):watchlist\b")


def watchlist_feed_queries(template: dict, watchlists: list[tuple[str, str]]) -> dict[str, dict]:
    """One canned query per watchlist (name, description), so each feed has its own title."""
    queries = {}
    for name, description in watchlists:
        query = copy.deepcopy(template)
        # Names are validated ([a-z0-9_-]), so the literal needs no further escaping.
        query["sql"] = _PARAM_RE.sub(f"'{name}'", query["sql"])
        query["title"] = f"newsmon watchlist: {name}"
        query["description"] = (description or f"Articles matching watchlist {name}.") + " Atom feed: add .atom to the URL."
        queries[f"watchlist_feed_{name}"] = query
    return queries


def metadata_for(db_path: Path, *, watchlists: list[tuple[str, str]] = ()) -> dict:
    """The bundled metadata for the database at ``db_path``, with a feed per watchlist."""
    metadata = bundled_metadata()
    databases = metadata.setdefault("databases", {})
    config = databases.pop("newsmon", {})
    queries = config.setdefault("queries", {})
    if "watchlist_feed" in queries:
        queries.update(watchlist_feed_queries(queries["watchlist_feed"], list(watchlists)))
    databases[Path(db_path).stem] = config
    for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
        for chart in dashboard.get("charts", {}).values():
            if chart.get("db") == "newsmon":
                chart["db"] = Path(db_path).stem
            if chart.get("query") == "attention":  # one definition with health, alerts and the front page
                chart["query"] = attention_sql(SILENT_DAYS)
    return metadata


def stored_watchlists(db_path: Path) -> list[tuple[str, str]]:
    """The watchlists (name, description) in the database, for their feeds."""
    from storage import open_db

    db = open_db(db_path, migrate=False)
    try:
        if "watchlists" not in db.table_names():
            return []
        return [(row[0], row[1] or "") for row in db.execute("select name, description from watchlists order by name")]
    finally:
        db.close()


def metadata_file(metadata: dict) -> Path:
    """The metadata JSON in an anonymous in-memory file that Datasette inherits across ``execv``.

    A file under /tmp with a predictable name could be a symlink another user planted
    (its target would be overwritten); a memfd has no name in any directory and is
    gone when Datasette exits. Datasette opens it as ``/dev/fd/<n>``.
    """
    fd = os.memfd_create("newsmon-metadata", 0)  # no MFD_CLOEXEC: Datasette must inherit it
    os.set_inheritable(fd, True)
    data = json.dumps(metadata, ensure_ascii=False, indent=1).encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return Path(f"/dev/fd/{fd}")


def datasette_command(db_path: Path, *, host: str, port: int, metadata_path: Path) -> list[str]:
    command = [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(metadata_path),
        "--template-dir", str(TEMPLATES_DIR),
        "--plugins-dir", str(PLUGINS_DIR),
        "--host", host,
        "--port", str(port),
    ]
    for name, value in SAFE_SETTINGS.items():
        command += ["--setting", name, value]
    return command


def serve(db_path: Path, *, host: str, port: int) -> None:
    """Replace this process with Datasette (so signals and exit codes are Datasette's)."""
    metadata = metadata_for(db_path, watchlists=stored_watchlists(db_path))
    command = datasette_command(db_path, host=host, port=port, metadata_path=metadata_file(metadata))
    logger.info("starting Datasette: %s", " ".join(command))
    os.execv(command[0], command)
