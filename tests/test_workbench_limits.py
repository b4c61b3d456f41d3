"""The SQLite limits of ``newsmon serve`` on one connection, in-process (the HTTP attacks are in
tests/test_security_workbench.py): checked built-ins keep SQLite's results and refuse what one
call could not finish."""

from __future__ import annotations

import sqlite3

import pytest

from newsmon import workbench_limits
from newsmon.workbench_limits import LENGTH_LIMIT, limit_connection


@pytest.fixture
def conn():
    connection = sqlite3.connect(":memory:")
    limit_connection(connection, hidden={"secret_table"})
    connection.execute("create table secret_table (x)")
    yield connection
    connection.close()


def one(conn, sql, *params):
    return conn.execute(sql, params).fetchone()[0]


@pytest.mark.parametrize("sql, expected", [
    ("select printf('%.2f|%5s|%-3d|%%|%q', 3.14159, 'ab', 7, 'it''s')", "3.14|   ab|7  |%|it''s"),
    ("select format('%s-%d', 'a', 5)", "a-5"),
    ("select printf('%*d', 4, 42)", "  42"),
    ("select instr('привет мир', 'мир')", 8),
    ("select instr(x'00010203', x'0203')", 3),
    ("select replace('a-b-c', '-', '+')", "a+b+c"),
    ("select replace('abc', '', 'x')", "abc"),
    ("select trim('xxhixx', 'x') || ltrim('  a') || rtrim('b..', '.')", "hiab"),
    ("select instr(null, 'a') is null and replace(null, 'a', 'b') is null", 1),
    ("select instr('abc', '') || instr('', 'a') || instr(123456, 45) || instr('aaa', 'aa')", "1041"),
    ("select replace('aaaa', 'aa', 'b') || replace(1231, 1, 'x') || replace(x'616263', 'b', 'B')", "bbx23xaBc"),
])
def test_checked_builtins_give_sqlites_own_results(conn, sql, expected):
    assert one(conn, sql) == expected
    plain = sqlite3.connect(":memory:")
    assert one(plain, sql) == expected  # the same as without the checks


def test_printf_never_runs_an_over_long_width(conn, monkeypatch):
    calls = []
    real = workbench_limits._builtin
    monkeypatch.setattr(workbench_limits, "_builtin", lambda name, args: calls.append(args) or real(name, args))
    for sql in ("select printf('%.*c', 2000000000, 'x')", "select printf('%!.*c', 2147483647, 'x')",
                f"select format('%{LENGTH_LIMIT + 1}c', 'x')", "select printf('%.*c', 1e300, 'x')"):
        assert one(conn, sql) is None, sql
    assert calls == []  # refused before SQLite's printf would loop for tens of seconds
    assert one(conn, "select printf('%.*c', 5, 'x')") == "xxxxx" and len(calls) == 1


# the refusal is an exception inside the SQL function, shown as unraisable when Datasette
# (imported by other test modules) has turned on sqlite3's callback tracebacks
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_quadratic_calls_over_the_budget_are_too_big(conn):
    haystack, needle = "0" * 200_000, "0" * 1_000 + "1"
    for sql in ("select instr(?, ?)", "select replace(?, ?, 'x')", "select trim(?, ?)"):
        with pytest.raises(sqlite3.DataError, match="too big"):
            one(conn, sql, haystack, needle)
    with pytest.raises(sqlite3.DataError, match="too big"):  # a result over the length limit, not built
        one(conn, "select replace(?, 'a', ?)", "a" * 10_000, "b" * 10_000)
    assert one(conn, "select instr(?, ?)", haystack, "01") == 0  # a short needle in a long text is fine


def test_lengths_patterns_and_hidden_tables(conn):
    with pytest.raises(sqlite3.DataError, match="too big"):
        one(conn, "select zeroblob(?)", LENGTH_LIMIT + 1)
    assert one(conn, "select length(zeroblob(?))", LENGTH_LIMIT) == LENGTH_LIMIT
    with pytest.raises(sqlite3.OperationalError, match="too complex"):
        one(conn, "select 'abc' like ?", "%" + "a" * 100 + "%")
    with pytest.raises(sqlite3.DatabaseError, match="prohibited"):
        one(conn, "select count(x) from secret_table")
    with pytest.raises(sqlite3.DatabaseError, match="prohibited"):
        one(conn, "select file from pragma_database_list")


def test_full_text_shadow_tables_are_searched_and_read_but_not_counted_whole():
    """``count(*)`` of an FTS5 index's data is one SQLite step the time limit cannot stop.

    Datasette's database page counted every table: 0.55 s for ``articles_fts_data`` alone
    at a million articles. Search (which reads those tables) and reading a column still work.
    """
    connection = sqlite3.connect(":memory:")
    connection.execute("create virtual table notes_fts using fts5(body)")
    connection.executemany("insert into notes_fts (body) values (?)", [("police report",), ("court case",)])
    connection.commit()
    limit_connection(connection)
    assert one(connection, "select count(*) from notes_fts where notes_fts match 'police'") == 1
    assert one(connection, "select count(*) from notes_fts") == 2
    assert one(connection, "select count(block) from notes_fts_data") > 0
    for shadow in ("notes_fts_data", "notes_fts_idx", "notes_fts_docsize", "notes_fts_config", "notes_fts_content"):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            connection.execute(f"select count(*) from {shadow}")
    connection.close()
