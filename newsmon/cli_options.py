"""Options, exit codes and the config error shared by every ``newsmon`` subcommand module.

They live apart from ``cli.py`` so the subcommand modules (``cli_models``,
``cli_workbench``) can import them while ``cli.py`` imports those modules.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from crawler.sources import Source, SourcesError, load_sources, resolve_sources_path

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


def resolve_db_path(value: str | None) -> Path:
    """Flag, then ``$NEWSMON_DB``, then ``newsmon.db`` in the working directory."""
    return Path(value or os.environ.get("NEWSMON_DB") or "newsmon.db")


def resolved_option(flag: str, *, dest: str, help: str, resolve: Callable[[str | None], Any], metavar: str = "PATH"):
    """A shared option whose value goes through ``resolve`` (flag, then environment, then default)
    and reaches the command as ``dest``."""
    raw = dest + "_flag"

    def decorator(func):
        @click.option(flag, raw, metavar=metavar, help=help)
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            kwargs[dest] = resolve(kwargs.pop(raw))
            return func(*args, **kwargs)

        return wrapper

    return decorator


db_option = resolved_option(
    "--db", dest="db_path", resolve=resolve_db_path, help="SQLite database (default: $NEWSMON_DB or ./newsmon.db)."
)
sources_option = resolved_option(
    "--sources", dest="sources_path", resolve=resolve_sources_path,
    help="Sources file (default: $NEWSMON_SOURCES or the bundled sources.toml).",
)


class ConfigError(click.ClickException):
    """A configuration file is missing or invalid: exit code 2, like a usage error."""

    exit_code = EXIT_USAGE


def load_or_fail(path: Path) -> list[Source]:
    try:
        return load_sources(path)
    except SourcesError as exc:
        raise ConfigError(str(exc)) from None


def select_sources(sources: list[Source], names: tuple[str, ...]) -> list[Source] | None:
    """The sources called ``names``, in that order (``None`` when no names are given);
    an unknown name is a usage error."""
    if not names:
        return None
    known = {s.name: s for s in sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(f"unknown source(s): {', '.join(unknown)} (see `newsmon sources`)")
    return [known[n] for n in names]


def rebuild_under_lock(db_path: Path, *, wait: bool, rebuild: Callable[[Any], Any] | None, count_sql: str) -> tuple:
    """Under the crawl lock (a crawl storing articles meanwhile would meet half-rebuilt tables):
    run ``rebuild(db)`` in one write transaction and print its report's summary, then return
    the row ``count_sql`` gives. Shared by ``newsmon dedupe --recheck`` and ``newsmon stories --recompute``."""
    import sqlite3
    import sys

    from newsmon.lock import LockHeld, crawl_lock
    from storage import open_db
    from storage.atomic import write_transaction

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database")
    try:
        with crawl_lock(db_path, wait=wait):
            db = open_db(db_path)
            try:
                if rebuild is not None:
                    with write_transaction(db):
                        report = rebuild(db)
                    click.echo(report.summary())
                return db.conn.execute(count_sql).fetchone()
            finally:
                db.close()
    except LockHeld as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db_path}: {exc}") from None
