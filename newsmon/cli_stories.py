"""``newsmon stories``: how many stories the database holds, and a recompute of every story and entity."""

from __future__ import annotations

from pathlib import Path

import click

from newsmon.cli_options import db_option, rebuild_under_lock


@click.command()
@db_option
@click.option("--recompute", is_flag=True, help="Rebuild every story, place and organisation from the stored articles.")
@click.option("--wait", is_flag=True, help="If a crawl is running on this database, wait for it instead of exiting.")
def stories(db_path: Path, recompute: bool, wait: bool) -> None:
    """Count stories (articles about one event); with --recompute, rebuild them and the entities first.

    Needed once for articles stored before stories existed. The recompute holds
    the crawl lock: a crawl storing articles meanwhile would join half-built stories.
    """
    from storage.stories import recompute as recompute_stories

    total, multi, entities = rebuild_under_lock(
        db_path, wait=wait, rebuild=recompute_stories if recompute else None,
        count_sql=(
            "select count(*), coalesce(sum(sources >= 2), 0), (select count(*) from article_entities) from stories"
        ),
    )
    click.echo(f"{total} stories, {multi} carried by two sources or more; {entities} place and organisation mentions")
