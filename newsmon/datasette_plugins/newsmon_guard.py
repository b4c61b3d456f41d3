"""What an analyst on the network may do with ``newsmon serve``, enforced inside Datasette.

An analyst may read every visible table and view, run the canned queries and
read-only SQL of their own, and fetch the Atom feeds. They may not write (the
file is opened read-only), read the internal tables (crawl bookkeeping kept
hidden in the UI: their table pages answer 403, SQL that reads them is refused
by an SQLite authorizer), see where the database lives on disk (nor through
``pragma_database_list``) or the server's internals (``/-/databases``, ``/-/threads``, ``/-/plugins`` and Datasette's
debug pages answer 404), or send anything but GET and HEAD (405).

One request must not take the server down, so every connection Datasette opens
gets SQLite length limits (a value, or a row being sorted, of at most
``LENGTH_LIMIT`` bytes: ``zeroblob``, ``randomblob``, ``printf``, ``group_concat``
and ``||`` all stop there), SQLite's own heap is capped for the whole process
(``HEAP_LIMIT``: many big values in one row), and the rows of one query may hold
at most ``RESULT_BUDGET`` characters and bytes in all (many big rows). Datasette's
``sql_time_limit_ms`` and ``max_returned_rows`` (``newsmon.serve.SAFE_SETTINGS``)
bound the time and the row count.
"""

from __future__ import annotations

import re
import sqlite3
import weakref

from datasette import hookimpl
from datasette.utils.asgi import Response

#: Longest string or blob, and longest row SQLite builds to sort, in bytes. The crawl
#: downloads at most 10 MB per page (crawler/settings.py DOWNLOAD_MAXSIZE) and stores
#: its text without the markup: a real article is tens of KB, the longest seen a few MB.
#: 16 MiB holds an article several times that long with its English, and is 60 times
#: below the 1 GB value that took the server to 18.6 GB.
LENGTH_LIMIT = 16 * 1024 * 1024
#: Longest SQL text; canned queries are about 2 KB, a URL cannot carry much more.
SQL_LENGTH_LIMIT = 100_000
#: SQLite heap of the whole server process. Normal pages need a few MB (page caches,
#: FTS doclists); this bounds a row of many big values (``select randomblob(…), …``).
#: While one query holds the heap at the cap (until it fails, within milliseconds), a
#: concurrent query that needs new memory fails too; it works again on reload.
HEAP_LIMIT = 256 * 1024 * 1024
#: Characters and bytes all rows of one query may hold: 1,000 rows (max_returned_rows)
#: of typical articles with English are about 10 MB.
RESULT_BUDGET = 32 * 1024 * 1024

#: Datasette's introspection and debug pages: the database's path on disk, threads,
#: plugin internals, actor and message debugging. None is part of the workbench.
_INTERNAL_PAGES = re.compile(
    r"^/-/(databases|threads|plugins|actor|allow-debug|messages|patterns|permissions|auth-token|logout)(\.json)?/?$"
)
_READ_METHODS = ("GET", "HEAD")


class ResultTooLarge(sqlite3.DataError):
    """A query whose rows hold more than ``RESULT_BUDGET``; a DatabaseError so Datasette shows it as a query error."""


def budgeted(row_factory, budget: int = RESULT_BUDGET):
    """Wrap ``row_factory`` so the rows of one cursor stop at ``budget`` characters and bytes.

    Datasette fetches up to max_returned_rows + 1 rows into memory before rendering
    them, and each may be ``LENGTH_LIMIT`` long: this bounds their sum.
    """
    state: dict = {"cursor": None, "used": 0}

    def factory(cursor, row):
        owner = state["cursor"]
        if owner is None or owner() is not cursor:  # a new query on this connection
            state["cursor"], state["used"] = weakref.ref(cursor), 0
        state["used"] += sum(len(value) for value in row if isinstance(value, (str, bytes)))
        if state["used"] > budget:
            raise ResultTooLarge(
                f"query result larger than {budget // (1024 * 1024)} MiB: select fewer rows or columns, or use substr()"
            )
        return row_factory(cursor, row) if row_factory else row

    return factory


def internal_tables(datasette, database: str) -> set[str]:
    """Tables the metadata hides (``hidden: true``): bookkeeping, not for analysts."""
    tables = (datasette.metadata("tables", database=database, fallback=False) or {}) if database else {}
    return {name for name, config in tables.items() if isinstance(config, dict) and config.get("hidden")}


def refuse_reading(tables: set[str]):
    """An SQLite authorizer refusing reads of ``tables`` (in user SQL and views alike) and of the file path.

    ``pragma_database_list.file`` is the database's path on disk; Datasette's own
    ``PRAGMA database_list`` (a pragma, not a read) still works.
    """
    names = {name.lower() for name in tables}

    def authorizer(action, table, column, db_name, trigger):
        if action == sqlite3.SQLITE_READ and table:
            if table.lower() in names or (table.lower() == "pragma_database_list" and column == "file"):
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorizer


def limit_connection(conn: sqlite3.Connection, *, hidden: set[str] = frozenset()) -> None:
    """Apply newsmon's limits and read rules to one connection (and SQLite's process-wide heap cap)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, SQL_LENGTH_LIMIT)
    conn.execute(f"pragma hard_heap_limit = {HEAP_LIMIT}")
    conn.row_factory = budgeted(conn.row_factory)
    conn.set_authorizer(refuse_reading(hidden))


@hookimpl
def prepare_connection(conn, database, datasette):
    limit_connection(conn, hidden=internal_tables(datasette, database))


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    """Table pages of hidden tables (metadata's and Datasette's FTS shadow tables) are refused."""
    if action != "view-table" or not isinstance(resource, (tuple, list)):
        return None
    database, table = resource

    async def inner():
        if table in internal_tables(datasette, database):
            return False
        try:
            db = datasette.get_database(database)
        except KeyError:
            return None
        return False if table in await db.hidden_table_names() else None

    return inner


@hookimpl
def asgi_wrapper(datasette):
    """Only GET and HEAD (Datasette answers a POST to a table with a 500); no introspection pages."""

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope["type"] == "http":
                if scope["method"] not in _READ_METHODS:
                    response = Response.text(
                        "newsmon serve is read-only: only GET and HEAD\n",
                        status=405, headers={"Allow": ", ".join(_READ_METHODS)},
                    )
                    await response.asgi_send(send)
                    return
                if _INTERNAL_PAGES.match(scope["path"]):
                    await Response.text("Not found\n", status=404).asgi_send(send)
                    return
            await app(scope, receive, send)

        return guarded

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    """SQLite's heap cap surfaces as MemoryError: answer 400 with why, not a 500 and a traceback."""
    if not isinstance(exception, MemoryError):
        return None
    message = f"query needs more memory than newsmon serve allows (SQLite heap capped at {HEAP_LIMIT // (1024 * 1024)} MiB)"
    if request.path.endswith(".json") or ".json?" in request.url:
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    return Response.text(message + "\n", status=400)
