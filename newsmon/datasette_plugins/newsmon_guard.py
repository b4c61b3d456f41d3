"""What an analyst on the network may do with ``newsmon serve``, enforced inside Datasette.

An analyst may read every visible table and view, run the canned queries and
read-only SQL of their own, and fetch the Atom feeds. They may not write (the
file is opened read-only), read the internal tables (crawl bookkeeping kept
hidden in the UI: their table pages answer 403, SQL that reads them is refused
by an SQLite authorizer), see where the database lives on disk (nor through
``pragma_database_list``) or the server's internals (``/-/databases``,
``/-/threads``, ``/-/plugins`` and Datasette's debug pages answer 404), or send
anything but GET and HEAD (405).

One request must not take the server down: every connection Datasette opens gets
the limits of ``newsmon.workbench_limits`` (value, SQL and pattern lengths, SQLite's
heap, a budget for one query's rows, checked versions of the functions the time
limit cannot stop); a MemoryError from the heap cap answers 400, not 500.
"""

from __future__ import annotations

import contextvars
import re
import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import Response

from newsmon.workbench_limits import HEAP_LIMIT, ResultTooLarge, limit_connection

#: Datasette's introspection and debug pages: the database's path on disk, threads,
#: plugin internals, actor and message debugging. None is part of the workbench.
_INTERNAL_PAGES = re.compile(
    r"^/-/(databases|threads|plugins|actor|allow-debug|messages|patterns|permissions|auth-token|logout)(\.json)?/?$"
)
_READ_METHODS = ("GET", "HEAD")
# Datasette turns on tracebacks for exceptions in SQL functions (a debugging aid); here a
# checked function refusing a call is expected, and the client gets SQLite's error anyway.
sqlite3.enable_callback_tracebacks(False)

#: SQLite errors that are a limit or a rule of this module refusing the query.
_REFUSALS = ("SQLITE_AUTH", "SQLITE_TOOBIG")


def internal_tables(datasette, database: str) -> set[str]:
    """Tables the metadata hides (``hidden: true``): bookkeeping, not for analysts."""
    tables = (datasette.metadata("tables", database=database, fallback=False) or {}) if database else {}
    return {name for name, config in tables.items() if isinstance(config, dict) and config.get("hidden")}


@hookimpl
def prepare_connection(conn, database, datasette):
    limit_connection(conn, hidden=internal_tables(datasette, database))


#: Per request, each database's hidden tables: the database page asks about every table
#: (Datasette's ``hidden_table_names`` is three queries each time), once is enough.
_REQUEST_HIDDEN: contextvars.ContextVar[dict | None] = contextvars.ContextVar("newsmon_hidden_tables", default=None)


async def hidden_table_names(db) -> set[str]:
    """``db.hidden_table_names()``, read once per request (not cached across requests)."""
    cache = _REQUEST_HIDDEN.get()
    if cache is None:
        return set(await db.hidden_table_names())
    if db.name not in cache:
        cache[db.name] = set(await db.hidden_table_names())
    return cache[db.name]


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
        return False if table in await hidden_table_names(db) else None

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
                token = _REQUEST_HIDDEN.set({})
                try:
                    await app(scope, receive, send)
                finally:
                    _REQUEST_HIDDEN.reset(token)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    """A query stopped by a limit is the client's error: 400 with why, not a 500 and a traceback.

    Datasette's query page reports these itself; its table pages (``?_where=``) do
    not. SQLite's heap cap surfaces as MemoryError.
    """
    if isinstance(exception, MemoryError):
        message = f"query needs more memory than newsmon serve allows (SQLite heap capped at {HEAP_LIMIT // (1024 * 1024)} MiB)"
    elif isinstance(exception, ResultTooLarge) or getattr(exception, "sqlite_errorname", None) in _REFUSALS:
        message = str(exception)
    else:
        return None
    if request.path.endswith(".json") or ".json?" in request.url:
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    return Response.text(message + "\n", status=400)
