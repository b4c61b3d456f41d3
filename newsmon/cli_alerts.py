"""``newsmon alerts``: send new watchlist hits and source problems to the configured destinations.

Destinations come from ``--alerts FILE`` (else ``$NEWSMON_ALERTS``) and
``$NEWSMON_ALERT_URLS``. ``newsmon crawl --alerts`` runs the same after a crawl.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from newsmon.cli_options import EXIT_FAILED, ConfigError, db_option, resolved_option
from storage.runs import SILENT_DAYS

alerts_option = resolved_option(
    "--alerts", dest="alerts_path", resolve=lambda value: _resolve(value),
    help="Alerts file (TOML, [[destination]] tables; default: $NEWSMON_ALERTS). $NEWSMON_ALERT_URLS adds apprise URLs.",
)


def _resolve(value: str | None) -> Path | None:
    from newsmon.alerts import resolve_alerts_path

    return resolve_alerts_path(value)


def deliver(db_path: Path, alerts_path: Path | None, *, silent_days: float) -> bool:
    """Send what is due and print one summary line; False when a destination failed."""
    from newsmon.alerts import AlertsConfigError, load_destinations, send_alerts
    from storage import open_db

    try:
        destinations = load_destinations(alerts_path, env_urls=os.environ.get("NEWSMON_ALERT_URLS"))
    except AlertsConfigError as exc:
        raise ConfigError(str(exc)) from None
    if not destinations:
        raise ConfigError("no alert destination: give --alerts FILE, or set $NEWSMON_ALERTS or $NEWSMON_ALERT_URLS")
    db = open_db(db_path)
    try:
        report = send_alerts(db, destinations, silent_days=silent_days)
    finally:
        db.close()
    click.echo(report.summary_line())
    return not report.failed


@click.command()
@db_option
@alerts_option
@click.option("--silent-days", default=SILENT_DAYS, show_default=True, type=float,
              help="A source with no new article for this long is reported as silent.")
def alerts(db_path: Path, alerts_path: Path | None, silent_days: float) -> None:
    """Send new watchlist hits and failing or silent sources (each once) to every destination.

    Exit codes: 0 every destination accepted its messages, 1 one failed (it gets
    the same messages next run), 2 no or invalid configuration.
    """
    if not deliver(db_path, alerts_path, silent_days=silent_days):
        sys.exit(EXIT_FAILED)
