"""The ``newsmon`` command: a thin click layer over the library.

Library code raises named exceptions; here each becomes one line on stderr and
an exit code. Exit codes: 0 success, 1 a source or URL failed, 2 usage or
configuration error.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path

import click

from newsmon.cli_alerts import alerts as alerts_command, alerts_option
from newsmon.cli_dedupe import dedupe as dedupe_command
from newsmon.cli_models import models as models_group, models_dir_option, translate as translate_command
from newsmon.cli_options import EXIT_FAILED, EXIT_LOCKED, db_option, load_or_fail, select_sources, sources_option
from newsmon.cli_sources_check import check as sources_check
from newsmon.cli_stories import stories as stories_command
from newsmon.cli_workbench import watchlists as watchlists_group
from newsmon import cli_scaleout
from storage.runs import SILENT_DAYS

logger = logging.getLogger("newsmon")


class NoTracebackFormatter(logging.Formatter):
    """The message only: a traceback is detail for ``-v`` and ``--log-file``, not for the console."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    if quiet:
        level = logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    # The level goes on the handler too: Scrapy sets its own loggers to DEBUG.
    handler.setLevel(level)
    formatter = logging.Formatter if verbose else NoTracebackFormatter
    handler.setFormatter(formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level > logging.DEBUG:
        # trafilatura warns for every page it discards; newsmon reports those itself.
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        # Scrapy warns once about data loss; newsmon counts each such page as `truncated` itself.
        # (A filter, not a level: Scrapy resets its loggers' levels when a crawl starts.)
        logging.getLogger("scrapy.core.downloader.handlers.http11").addFilter(lambda r: "data loss" not in r.getMessage())


def add_log_file(path: Path) -> None:
    """A second handler with the detail a cron log needs, whatever the console level."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))


@click.group()
@click.version_option(package_name="newsmon")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def cli(verbose: int, quiet: bool) -> None:
    """newsmon: crawl law-enforcement news, translate it to English, browse it in Datasette."""
    configure_logging(verbose, quiet)


@cli.command()
@click.argument("names", nargs=-1)
@db_option
@sources_option
@click.option("--wait", is_flag=True, help="If another crawl is running on this database, wait for it instead of exiting.")
@click.option("--max-runtime", type=click.IntRange(min=1), metavar="SECONDS", help="Stop crawling after this many seconds (sources end with status 'partial').")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also write a detailed log (INFO and up) to this file.")
@click.option("--translate/--no-translate", "translate", default=True, show_default=True,
              help="After crawling, translate what is pending (models from $NEWSMON_MODELS_DIR or Argos's folder).")
@click.option("--backfill", is_flag=True,
              help="Walk every listing page to its end, even past pages whose articles are all stored.")
@click.option("--send-alerts", "send_alerts", is_flag=True,
              help="After crawling, send new watchlist hits and source problems (see `newsmon alerts`).")
@alerts_option
@models_dir_option
def crawl(
    names: tuple[str, ...], db_path: Path, sources_path: Path, wait: bool, max_runtime: int | None, log_file: Path | None,
    translate: bool = True, send_alerts: bool = False, alerts_path: Path | None = None, backfill: bool = False,
    models_dir: Path | None = None,
) -> None:
    """Crawl every enabled source (or only NAMES) into the database and print a summary per source.

    Exit codes: 0 every source ran, 1 a source failed entirely, 2 usage or
    configuration error, 3 another crawl is running on the same database.
    """
    from crawler.run import DatabaseUnusable, run_crawl
    from newsmon.lock import LockError, LockHeld, crawl_lock

    if log_file:
        add_log_file(log_file)
    sources = load_or_fail(sources_path)
    selected = select_sources(sources, names) or [s for s in sources if s.enabled]
    overrides = {key: os.environ[key] for key in ENV_SETTINGS if os.environ.get(key)}
    if backfill:
        overrides["NEWSMON_BACKFILL"] = True
    try:
        with crawl_lock(db_path, wait=wait):
            results = run_crawl(selected, db_path=str(db_path), catalog=sources, settings_overrides=overrides,
                                max_runtime=max_runtime)
    except LockHeld as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except (LockError, DatabaseUnusable) as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    for result in results:
        click.echo(result.summary_line())
    if results.signal is not None:  # Ctrl-C or SIGTERM: no translation, the shell's exit code for a signal
        click.echo(f"newsmon: crawl interrupted by {signal.Signals(results.signal).name}", err=True)
        _exit(128 + results.signal, at_once=results.abandoned)
    if translate and any(r.status == "partial" for r in results):  # --max-runtime reached: no time left
        click.echo("translation: skipped, --max-runtime reached (run `newsmon translate`)")
    elif translate:  # after the crawl and its lock: never on Scrapy's reactor, never stalls the next crawl
        from newsmon.cli_models import translate_after_crawl

        translate_after_crawl(db_path, models_dir)
    if send_alerts:  # after translation, so messages carry English titles; a failing destination never fails the crawl
        from newsmon.cli_alerts import deliver

        deliver(db_path, alerts_path, silent_days=SILENT_DAYS)
    failed = [r for r in results if r.status == "failed"]
    for result in failed:
        click.echo(f"newsmon: source {result.source} failed: {result.error}", err=True)
    _exit(EXIT_FAILED if failed else 0, at_once=results.abandoned)


#: Settings a cron line or a test may set through the environment (README: "Crawl settings").
ENV_SETTINGS = ("NEWSMON_EXTRACT_WORKERS", "NEWSMON_EXTRACT_TIMEOUT", "NEWSMON_STOP_GRACE", "NEWSMON_BUSY_TIMEOUT")


def _exit(code: int, *, at_once: bool) -> None:
    """Exit; ``at_once`` after an abandoned crawl, whose stuck threads would otherwise hold the exit."""
    if at_once:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of readable text.")
@click.option("--no-store", is_flag=True, help="Do not write to the database.")
@click.option("--source", "source_name", metavar="NAME", help="File the article under this source (default: the source whose article_urls match, else 'adhoc').")
@click.option("--translate/--no-translate", "translate", default=True, show_default=True, help="Translate the article when a model for its language is installed.")
@click.option("--allow-private", is_flag=True, help="Follow redirects into loopback, private and link-local addresses (refused by default).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, metavar="SECONDS", help="Deadline for the whole request (connect, headers and body).")
@db_option
@sources_option
@models_dir_option
def fetch(url: str, as_json: bool, no_store: bool, source_name: str | None, db_path: Path, sources_path: Path,
          translate: bool = True, allow_private: bool = False, timeout: float = 30.0, models_dir: Path | None = None) -> None:
    """Fetch one URL, extract and identify the article, store it, and print it."""
    from newsmon.single import FetchFailed, fetch_article

    sources = load_or_fail(sources_path)
    try:
        result = fetch_article(url, sources=sources, source_name=source_name, db_path=None if no_store else db_path,
                               translate=translate, allow_private=allow_private, timeout=timeout, models_dir=models_dir)
    except FetchFailed as exc:
        click.echo(f"newsmon: {url}: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    record = result.to_json()
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(result.readable())


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; give 0.0.0.0 only on a trusted network.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--watchlists", "watchlists_file", metavar="PATH", help="Watchlists file synced before serving (default: $NEWSMON_WATCHLISTS; with neither, the stored watchlists, or the bundled file for a new database).")
def serve(db_path: Path, host: str, port: int, watchlists_file: str | None) -> None:
    """Browse the database in Datasette, read-only, with newsmon's metadata."""
    from newsmon.cli_workbench import sync_before_serving
    from newsmon.serve import serve as run_datasette

    sync_before_serving(db_path, watchlists_file)
    run_datasette(db_path, host=host, port=port)


@cli.command()
@db_option
@click.option("--silent-days", default=7.0, show_default=True, type=float, help="A source with no new article for this long is 'silent'.")
@click.option("--check", is_flag=True, help="Exit 1 if any source is failing, silent or never crawled (for monitoring).")
@cli_scaleout.redis_option
def health(db_path: Path, silent_days: float, check: bool, redis_url: str | None = None) -> None:
    """Show each source's last run, failures and last new article; flag failing and silent sources."""
    from storage import open_db
    from storage.runs import source_health

    db = open_db(db_path)
    rows = source_health(db, silent_days=silent_days)
    db.close()
    for row in rows:
        click.echo(
            f"{row['source']:<24} last run {row['last_run_at'] or '-':<25} {row['last_status'] or '-':<11} "
            f"last new article {row['last_new_article_at'] or '-':<25} {row['problem'] or 'ok'}"
        )
        if row["problem"] and row["last_error"]:
            click.echo(f"{'':<24} last error: {row['last_error']}")
    if redis_url:
        cli_scaleout.echo_status(redis_url)
    if check and any(row["problem"] for row in rows):
        sys.exit(EXIT_FAILED)


@cli.group("sources", invoke_without_command=True)
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_context
def list_sources(ctx: click.Context, sources_path: Path, as_json: bool) -> None:
    """List the sources and validate the sources file; `newsmon sources check` tries them live."""
    if ctx.invoked_subcommand is not None:
        return
    sources = load_or_fail(sources_path)
    if as_json:
        click.echo(json.dumps([{"name": s.name, "country": s.country, "kind": s.kind, "language": s.language,
                                "enabled": s.enabled, **{k: list(getattr(s, k)) for k in ("start_urls", "feeds", "sitemaps")}}
                               for s in sources], ensure_ascii=False, indent=2))
        return
    for s in sources:
        entry = len(s.entry_urls())
        state = "" if s.enabled else "  [disabled]"
        click.echo(f"{s.name:<24} {s.country:<4} {s.kind:<8} {s.language or '-':<3} {entry} entry URL(s){state}")
    click.echo(f"{sources_path}: {len(sources)} source(s), valid", err=True)


list_sources.add_command(sources_check)
cli.add_command(alerts_command)
cli.add_command(models_group)
cli.add_command(translate_command)
cli.add_command(watchlists_group)
cli.add_command(dedupe_command)
cli.add_command(stories_command)
cli.add_command(cli_scaleout.schedule)
cli.add_command(cli_scaleout.worker)
cli.add_command(cli_scaleout.ingest)


def main() -> None:
    cli(prog_name="newsmon")
