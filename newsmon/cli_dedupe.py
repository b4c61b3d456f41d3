"""``newsmon dedupe``: how many stored articles are syndicated copies, and a re-check that repairs the links."""

from __future__ import annotations

from pathlib import Path

import click

from newsmon.cli_options import db_option, rebuild_under_lock


@click.command()
@db_option
@click.option("--recheck", is_flag=True, help="Recompute every signature and repair the duplicate_of links already stored.")
@click.option("--wait", is_flag=True, help="If a crawl is running on this database, wait for it instead of exiting.")
def dedupe(db_path: Path, recheck: bool, wait: bool) -> None:
    """Count syndicated copies (duplicate_of); with --recheck, relink every article first.

    The re-check holds the crawl lock: a crawl storing articles meanwhile would
    link them against half-rebuilt signatures.
    """
    from storage.dedupe import recheck as recheck_links

    originals, copies, largest = rebuild_under_lock(
        db_path, wait=wait, rebuild=recheck_links if recheck else None,
        count_sql=(
            "select count(*), coalesce(sum(n), 0), coalesce(max(n), 0) from "
            "(select count(*) as n from articles where duplicate_of is not null group by duplicate_of)"
        ),
    )
    click.echo(f"{copies} copies of {originals} originals; the largest cluster has {largest} copies")
