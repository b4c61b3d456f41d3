"""``newsmon schedule``, ``worker`` and ``ingest``: the scale-out commands (see README "Scaling out").

Thin click layers over ``newsmon.scaleout``; the redis module is imported only
when one of them runs, so the single-machine install does without it.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import click

from newsmon.cli_options import db_option, load_or_fail, resolved_option, sources_option

logger = logging.getLogger(__name__)


def resolve_redis_url(value: str | None) -> str | None:
    """Flag, then ``$NEWSMON_REDIS``."""
    return value or os.environ.get("NEWSMON_REDIS") or None


redis_option = resolved_option(
    "--redis", dest="redis_url", resolve=resolve_redis_url, metavar="URL",
    help="Redis URL, e.g. redis://queue-host:6379/0 or unix:///run/redis/redis.sock (default: $NEWSMON_REDIS).",
)


def _client(redis_url: str | None):
    from newsmon.scaleout import ScaleoutError, connect

    if not redis_url:
        raise click.UsageError("give --redis URL (or set $NEWSMON_REDIS)")
    try:
        return connect(redis_url)
    except ScaleoutError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@redis_option
@sources_option
@click.option("--loop", "loop_every", type=click.FloatRange(min=1), metavar="SECONDS",
              help="Run forever, looking for due sources every SECONDS (default: once, for cron).")
def schedule(redis_url: str | None, sources_path: Path, loop_every: float | None) -> None:
    """Queue the sources that are due (each after its interval_minutes) for `newsmon worker`s."""
    from newsmon.scaleout import schedule as schedule_sources

    client = _client(redis_url)
    while True:
        sources = load_or_fail(sources_path)  # read each time: an edited file takes effect without a restart
        queued = schedule_sources(client, sources)
        click.echo(f"queued {len(queued)} source(s){': ' + ', '.join(queued) if queued else ''}")
        if loop_every is None:
            return
        time.sleep(loop_every)


@click.command()
@redis_option
@click.option("--batch", default=16, show_default=True, type=click.IntRange(min=1),
              help="Sources crawled at once (one reactor, as `newsmon crawl` does).")
@click.option("--lease-ttl", default=60.0, show_default=True, type=click.FloatRange(min=1), metavar="SECONDS",
              help="A lease not renewed for this long expires (the worker died); renewed every third of it.")
@click.option("--poll", default=2.0, show_default=True, type=click.FloatRange(min=0.05), metavar="SECONDS",
              help="Seconds between looks when nothing can be leased.")
@click.option("--exit-when-idle", is_flag=True, help="Stop when nothing is due (default: wait for more).")
@click.option("--max-runtime", type=click.IntRange(min=1), metavar="SECONDS",
              help="Stop each source after this many seconds (status 'partial'), as `newsmon crawl --max-runtime`.")
@click.option("--extract-workers", type=click.IntRange(min=0), metavar="N",
              help="Extraction processes per crawl (default: one per CPU; 0 extracts in the crawl process).")
def worker(redis_url: str | None, batch: int, lease_ttl: float, poll: float, exit_when_idle: bool,
           max_runtime: int | None, extract_workers: int | None) -> None:
    """Lease due sources and crawl them, pushing articles to Redis for `newsmon ingest`."""
    from newsmon.scaleout import Worker, WorkerOptions

    _client(redis_url).close()  # one clear line now if Redis is unreachable
    overrides = {"CLOSESPIDER_TIMEOUT": max_runtime} if max_runtime else {}
    if extract_workers is not None:
        overrides["NEWSMON_EXTRACT_WORKERS"] = extract_workers
    options = WorkerOptions(batch=batch, lease_ttl=lease_ttl, poll=poll, exit_when_idle=exit_when_idle,
                            settings_overrides=overrides)
    batches = Worker(redis_url, options).run()
    click.echo(f"worker: {batches} batch(es) crawled")


@click.command()
@redis_option
@db_option
@click.option("--consumer", default="ingest", show_default=True,
              help="Consumer name in the stream's group: keep it across restarts, so unacknowledged entries are applied again.")
@click.option("--exit-when-idle", is_flag=True, help="Stop when nothing is due, no worker is alive and the stream is drained.")
def ingest(redis_url: str | None, db_path: Path, consumer: str, exit_when_idle: bool) -> None:
    """Store the articles workers pushed to Redis into the database (dedupe, watchlists, search)."""
    from newsmon.scaleout import Ingest

    _client(redis_url).close()
    runner = Ingest(redis_url, str(db_path), consumer=consumer)
    try:
        counts = runner.run(exit_when_idle=exit_when_idle)
    finally:
        runner.close()
    click.echo(f"ingest: {counts.summary()}")


def echo_status(redis_url: str) -> None:
    """The scale-out part of `newsmon health`: workers, leases, queue depth."""
    from newsmon.scaleout import status

    info = status(_client(redis_url))
    click.echo(f"scale-out: {len(info['workers'])} worker(s), {len(info['leases'])} lease(s), {info['due']} source(s) due, "
               f"results stream {info['stream']} entries ({info['pending']} pending, {info['lag'] or 0} unread), "
               f"{info['dead']} failed")
    for w in info["workers"]:
        state = "live" if w["live"] else "stale (no heartbeat: dead?)"
        click.echo(f"  worker {w['id']:<32} {state:<28} crawling {', '.join(w.get('sources') or []) or '-'}")
    for lease in info["leases"]:
        click.echo(f"  lease  {lease['lease']:<32} held by {lease['worker']} for {lease['ttl']:.0f}s more")
