"""``newsmon dedupe``: how many stored articles are syndicated copies, and a re-check that repairs the links."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from newsmon.cli_options import EXIT_LOCKED, db_option


@click.command()
@db_option
@click.option("--recheck", is_flag=True, help="Recompute every signature and repair the duplicate_of links already stored.")
@click.option("--wait", is_flag=True, help="If a crawl is running on this database, wait for it instead of exiting.")
def dedupe(db_path: Path, recheck: bool, wait: bool) -> None:
    """Count syndicated copies (duplicate_of); with --recheck, relink every article first.

    The re-check holds the crawl lock: a crawl storing articles meanwhile would
    link them against half-rebuilt signatures.
    """
    from newsmon.lock import LockHeld, crawl_lock
    from storage import open_db
    from storage.dedupe import recheck as recheck_links

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database")
    try:
        with crawl_lock(db_path, wait=wait):
            db = open_db(db_path)
            try:
                if recheck:
                    db.conn.execute("begin immediate")
                    try:
                        report = recheck_links(db)
                    except BaseException:
                        db.conn.rollback()
                        raise
                    db.conn.commit()
                    click.echo(report.summary())
                originals, copies, largest = db.conn.execute(
                    "select count(*), coalesce(sum(n), 0), coalesce(max(n), 0) from "
                    "(select count(*) as n from articles where duplicate_of is not null group by duplicate_of)"
                ).fetchone()
            finally:
                db.close()
    except LockHeld as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db_path}: {exc}") from None
    click.echo(f"{copies} copies of {originals} originals; the largest cluster has {largest} copies")
