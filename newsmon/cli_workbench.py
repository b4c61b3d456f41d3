"""``newsmon watchlists``: list the watchlists and re-check stored articles against them.

The watchlists file is read from ``--watchlists``, else ``$NEWSMON_WATCHLISTS``,
else the bundled ``newsmon/watchlists.toml``. ``newsmon serve`` syncs it when named
(see ``sync_before_serving``).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from newsmon.cli_options import ConfigError, db_option, resolved_option
from storage.watchlists import SyncReport, Watchlist, WatchlistError, load_watchlists, sync_watchlists, watchlist_stats

BUNDLED_WATCHLISTS = Path(__file__).resolve().parent / "watchlists.toml"


def resolve_watchlists_path(value: str | None) -> Path:
    """Flag, then ``$NEWSMON_WATCHLISTS``, then the bundled file."""
    return Path(value or os.environ.get("NEWSMON_WATCHLISTS") or BUNDLED_WATCHLISTS)


watchlists_option = resolved_option(
    "--watchlists", dest="watchlists_path", resolve=resolve_watchlists_path,
    help="Watchlists file (default: $NEWSMON_WATCHLISTS or the bundled watchlists.toml).",
)


def load_or_fail(path: Path) -> list[Watchlist]:
    try:
        return load_watchlists(path)
    except WatchlistError as exc:
        raise ConfigError(str(exc)) from None


def sync_from_file(db_path: Path, watchlists_path: Path, *, recheck_all: bool = False) -> SyncReport:
    """Load the file and make the database's watchlists match it (used by `watchlists sync` and `serve`)."""
    from storage import open_db

    watchlists = load_or_fail(watchlists_path)
    db = open_db(db_path)
    try:
        return sync_watchlists(db, watchlists, recheck_all=recheck_all)
    finally:
        db.close()


def sync_before_serving(db_path: Path, flag: str | None) -> None:
    """Sync the watchlists file ``serve`` was given (flag or ``$NEWSMON_WATCHLISTS``).

    Given none, the bundled file seeds a database that has no watchlists yet, but
    never replaces watchlists an analyst synced from a file of their own.
    """
    from storage import open_db

    if flag or os.environ.get("NEWSMON_WATCHLISTS"):
        sync_from_file(db_path, resolve_watchlists_path(flag))
        return
    db = open_db(db_path)  # creates and migrates a fresh database, so a new install has tables to show
    try:
        has_watchlists = db.execute("select count(*) from watchlists").fetchone()[0] > 0
    finally:
        db.close()
    if not has_watchlists:
        sync_from_file(db_path, BUNDLED_WATCHLISTS)


@click.group(invoke_without_command=True)
@click.pass_context
def watchlists(ctx: click.Context) -> None:
    """Named term lists matched against every article (original and English); hits go to watchlist_hits."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_watchlists)


@watchlists.command("list")
@db_option
@watchlists_option
def list_watchlists(db_path: Path, watchlists_path: Path) -> None:
    """List the watchlists in the file, with their hits in the database."""
    from storage import open_db

    file_watchlists = load_or_fail(watchlists_path)
    stats: dict[str, dict] = {}
    if db_path.exists():
        db = open_db(db_path)
        stats = watchlist_stats(db)
        db.close()
    for wl in file_watchlists:
        row = stats.get(wl.name)
        if row is None:
            state = "not synced yet (run `newsmon watchlists sync`)"
        elif row["definition_hash"] != wl.definition_hash:
            state = "changed in the file (run `newsmon watchlists sync`)"
        else:
            last = f", last {row['last_hit']}" if row["last_hit"] else ""
            state = f"{row['hits']} hit(s) in {row['articles']} article(s){last}"
        click.echo(f"{wl.name:<20} {len(wl.terms):>3} term(s)  {state}")
    for name in sorted(set(stats) - {wl.name for wl in file_watchlists}):
        click.echo(f"{name:<20}   - removed from the file (run `newsmon watchlists sync`)")
    click.echo(f"{watchlists_path}: {len(file_watchlists)} watchlist(s), valid", err=True)


@watchlists.command("sync")
@db_option
@watchlists_option
@click.option("--all", "recheck_all", is_flag=True, help="Re-check unchanged watchlists too.")
def sync(db_path: Path, watchlists_path: Path, recheck_all: bool) -> None:
    """Store the file's watchlists and re-check stored articles against new and changed ones."""
    report = sync_from_file(db_path, watchlists_path, recheck_all=recheck_all)
    for line in report.summary_lines():
        click.echo(line)
