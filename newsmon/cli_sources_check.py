"""``newsmon sources check [NAME...]``: fetch each source's entry points and a few articles, say what is wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsmon.cli_options import EXIT_FAILED, load_or_fail, select_sources, sources_option


@click.command("check")
@click.argument("names", nargs=-1)
@sources_option
@click.option("--samples", default=3, show_default=True, type=click.IntRange(1, 20), help="Articles to extract per source.")
def check(names: tuple[str, ...], sources_path: Path, samples: int) -> None:
    """Check every enabled source (or NAMES, enabled or not) against the live site: article URLs found, a few extracted.

    Prints, per source, how many article URLs each entry point gives, the title, date,
    language and first words of up to --samples articles, and warnings (no article
    URLs, block pages, script shells, feeds answering 404, robots.txt refusals, dates
    in the future). Nothing is stored. Exit code 1 if a source yields no article.
    """
    from crawler.check import check_sources

    sources = load_or_fail(sources_path)
    sources = select_sources(sources, names) or [s for s in sources if s.enabled]
    reports = check_sources(sources, samples=samples)
    for report in reports:
        click.echo("\n".join(report.lines()))
    failed = [r.source.name for r in reports if r.failed]
    warned = sum(1 for r in reports if r.warnings)
    click.echo(f"{len(reports)} source(s) checked: {len(reports) - len(failed)} gave articles, "
               f"{warned} with warnings, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}", err=True)
    if failed:
        sys.exit(EXIT_FAILED)
