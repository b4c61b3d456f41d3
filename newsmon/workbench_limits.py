"""What one query on the workbench may cost: SQLite limits for every connection ``newsmon serve`` opens.

Datasette's ``sql_time_limit_ms`` interrupts a query between SQLite's steps, but
neither the size of a value nor a single long function call: ``select
zeroblob(1000000000)`` took the server to 18.6 GB, and ``instr()`` of an 8 MB
needle in a 16 MB haystack runs for hours inside one step, holding one of
Datasette's three SQL threads. So every connection gets:

- SQLite length limits: a value, or a row being sorted, of at most ``LENGTH_LIMIT``
  bytes (``zeroblob``, ``randomblob``, ``printf``, ``group_concat``, ``||`` stop
  there), SQL text of ``SQL_LENGTH_LIMIT``, LIKE/GLOB patterns of ``LIKE_PATTERN_LIMIT``;
- a cap on SQLite's heap for the whole process (``HEAP_LIMIT``: many big values in one row);
- a budget for the rows of one query (``RESULT_BUDGET``: many big rows);
- the built-in functions whose one call can take time quadratic in its arguments
  (``instr``, ``replace``, two-argument ``trim``) or proportional to a width
  (``printf``/``format``) checked first, then run by SQLite itself on a private
  in-memory connection, so their results are SQLite's own;
- an authorizer that refuses reading the given (internal) tables and the
  database's path on disk (``pragma_database_list.file``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from typing import Any

#: Longest string or blob, and longest row SQLite builds to sort, in bytes. The crawl
#: downloads at most 10 MB per page (crawler/settings.py DOWNLOAD_MAXSIZE) and stores its
#: text without the markup: a real article is tens of KB, a very long one a few MB.
#: 8 MiB holds an article of 3 MB with its English in one row; it is 120 times below the
#: 1 GB value that took the server to 18.6 GB, and it bounds what a LIKE or GLOB (linear
#: in the value times the pattern) can cost in one call: about 3 s at 64-character patterns.
LENGTH_LIMIT = 8 * 1024 * 1024
#: Longest SQL text; canned queries are about 2 KB, a URL cannot carry much more.
SQL_LENGTH_LIMIT = 100_000
#: Longest LIKE or GLOB pattern (SQLite's default is 50,000): a filter such as
#: ``?title__contains=`` takes a phrase, not a paragraph; the full-text search takes more.
LIKE_PATTERN_LIMIT = 64
#: SQLite heap of the whole server process. Normal pages need a few MB (page caches,
#: FTS doclists); this bounds a row of many big values (``select randomblob(…), …``).
#: While one query holds the heap at the cap (until it fails, within milliseconds), a
#: concurrent query that needs new memory fails too; it works again on reload.
HEAP_LIMIT = 256 * 1024 * 1024
#: Characters and bytes all rows of one query may hold: 1,000 rows (max_returned_rows)
#: of typical articles with English are about 10 MB.
RESULT_BUDGET = 32 * 1024 * 1024
#: Length of the first argument times the second for ``instr``, ``replace`` and ``trim``
#: (their worst case); 10^8 is well under a second, and a 100-character needle in a
#: 1 MB text.
COMPARISON_BUDGET = 100_000_000


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


def refuse_reading(tables: set[str], uncounted: set[str] = frozenset()):
    """An SQLite authorizer refusing reads of ``tables`` (in user SQL and views alike) and of the file path.

    ``pragma_database_list.file`` is the database's path on disk; Datasette's own
    ``PRAGMA database_list`` (a pragma, not a read) still works. ``uncounted`` tables
    may be read, but not counted whole (a read of no column but the row id, as ``count(*)`` is):
    SQLite counts a table in one step that the time limit cannot stop (0.55 s for the
    full-text index's data at a million articles, on every database page).
    """
    names = {name.lower() for name in tables}
    no_count = {name.lower() for name in uncounted}

    def authorizer(action, table, column, db_name, trigger):
        if action == sqlite3.SQLITE_READ and table:
            if table.lower() in names or (table.lower() == "pragma_database_list" and column == "file"):
                return sqlite3.SQLITE_DENY
            if not column and table.lower() in no_count:
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorizer


# -- bounded built-in functions --

_local = threading.local()


def _sqlite_itself() -> sqlite3.Connection:
    """A private in-memory connection per thread, with the same length limits, to run the real built-ins."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    return conn


def _builtin(name: str, args: tuple) -> Any:
    placeholders = ", ".join("?" * len(args))
    return _sqlite_itself().execute(f"select {name}({placeholders})", args).fetchone()[0]


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else len(str(value))


def _too_big_product(first: Any, second: Any) -> bool:
    return first is not None and second is not None and _length(first) * _length(second) > COMPARISON_BUDGET


def _instr(haystack, needle):
    """SQLite's ``instr``; text in text and blob in blob directly (Python's search is linear), the rest by SQLite."""
    if _too_big_product(haystack, needle):
        raise OverflowError("instr")  # sqlite3 reports it as "string or blob too big"
    if type(haystack) is type(needle) and isinstance(haystack, (str, bytes)):
        return haystack.find(needle) + 1
    return _builtin("instr", (haystack, needle))


def _replace(text, old, new):
    """SQLite's ``replace``; all-text arguments directly (the result's length checked first), the rest by SQLite."""
    if _too_big_product(text, old):
        raise OverflowError("replace")
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        if not old:
            return text
        if len(text) + text.count(old) * (len(new) - len(old)) > LENGTH_LIMIT:
            raise OverflowError("replace")
        return text.replace(old, new)
    return _builtin("replace", (text, old, new))


def _trim(name: str):
    def function(text, characters):
        if _too_big_product(text, characters):
            raise OverflowError(name)
        return _builtin(name, (text, characters))

    return function


#: A printf conversion: ``%%``, or flags, width (digits or ``*``), precision, length, type.
_PRINTF_SPEC = re.compile(r"%%|%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d*))?")


def _as_int(value: Any) -> int:
    try:
        return abs(int(float(value))) if not isinstance(value, bytes) else 0
    except (TypeError, ValueError, OverflowError):
        return 0 if not isinstance(value, float) else LENGTH_LIMIT + 1


def _printf(name: str):
    """``printf``/``format`` with every width and precision at most ``LENGTH_LIMIT`` (else NULL, as SQLite does).

    SQLite returns NULL for an over-long result, but only after filling the buffer
    one width at a time: ``printf('%.*c', 2000000000, 'x')`` takes about 50 s in one call.
    """

    def function(*args):
        if not args or args[0] is None:
            return _builtin(name, args)
        widths = []
        starred = False
        for match in _PRINTF_SPEC.finditer(str(args[0])):
            for part in match.groups():
                if part == "*":
                    starred = True
                elif part:
                    widths.append(int(part) if len(part) < 12 else LENGTH_LIMIT + 1)
        if starred:  # which argument a * takes depends on the conversions: check them all
            widths += [_as_int(value) for value in args[1:] if isinstance(value, (int, float, str))]
        if any(width > LENGTH_LIMIT for width in widths):
            return None
        return _builtin(name, args)

    return function


def bound_functions(conn: sqlite3.Connection) -> None:
    """Replace the built-ins whose one call the time limit cannot stop with checked ones."""
    conn.create_function("instr", 2, _instr)
    conn.create_function("replace", 3, _replace)
    for name in ("trim", "ltrim", "rtrim"):
        conn.create_function(name, 2, _trim(name))
    for name in ("printf", "format"):
        conn.create_function(name, -1, _printf(name))


#: The tables FTS5 keeps each full-text index in (``<index>_data``, ``_idx``, ...).
_FTS_SHADOWS = ("data", "idx", "docsize", "config", "content")


def fts_shadow_tables(conn: sqlite3.Connection) -> set[str]:
    """The shadow tables of the connection's FTS5 indexes, as they are now."""
    indexes = [row[0] for row in conn.execute(
        "select name from sqlite_master where type = 'table' and sql like 'create virtual table%using fts5%'"
    )]
    existing = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    return {f"{index}_{suffix}" for index in indexes for suffix in _FTS_SHADOWS} & existing


def limit_connection(conn: sqlite3.Connection, *, hidden: set[str] = frozenset()) -> None:
    """Apply the limits and read rules to one connection (and SQLite's process-wide heap cap)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, SQL_LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_LIMIT)
    conn.execute(f"pragma hard_heap_limit = {HEAP_LIMIT}")
    conn.row_factory = budgeted(conn.row_factory)
    conn.set_authorizer(refuse_reading(hidden, uncounted=fts_shadow_tables(conn)))
    bound_functions(conn)
