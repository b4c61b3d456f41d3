"""``newsmon stories``: how many stories the database holds, and a recompute of every story and entity."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from newsmon.cli_options import EXIT_LOCKED, db_option


@click.command()
@db_option
@click.option("--recompute", is_flag=True, help="Rebuild every story, place and organisation from the stored articles.")
@click.option("--wait", is_flag=True, help="If a crawl is running on this database, wait for it instead of exiting.")
def stories(db_path: Path, recompute: bool, wait: bool) -> None:
    """Count stories (articles about one event); with --recompute, rebuild them and the entities first.

    Needed once for articles stored before stories existed. The recompute holds
    the crawl lock: a crawl storing articles meanwhile would join half-built stories.
    """
    from newsmon.lock import LockHeld, crawl_lock
    from storage import open_db
    from storage.stories import recompute as recompute_stories

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database")
    try:
        with crawl_lock(db_path, wait=wait):
            db = open_db(db_path)
            try:
                if recompute:
                    db.conn.execute("begin immediate")
                    try:
                        report = recompute_stories(db)
                    except BaseException:
                        db.conn.rollback()
                        raise
                    db.conn.commit()
                    click.echo(report.summary())
                total, multi, entities = db.conn.execute(
                    "select count(*), coalesce(sum(sources >= 2), 0), (select count(*) from article_entities) from stories"
                ).fetchone()
            finally:
                db.close()
    except LockHeld as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db_path}: {exc}") from None
    click.echo(f"{total} stories, {multi} carried by two sources or more; {entities} place and organisation mentions")
