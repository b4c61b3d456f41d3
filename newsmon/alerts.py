"""Alerts: new watchlist hits and failing or silent sources, sent through apprise.

Destinations are apprise URLs (email over SMTP, JSON webhooks, Telegram, ntfy, ...)
named in an alerts file (TOML, one ``[[destination]]`` table each) or, for one
quick destination list, in ``$NEWSMON_ALERT_URLS``. Each destination gets one
message per watchlist with that run's new hits (or, with ``digest = true``, one
message a day with everything), plus one message naming sources that newly fail
or went silent. What a destination accepted is recorded in SQLite
(``storage.alerts``); a destination that fails is retried next run.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from storage.alerts import digest_sent_today, pending_hits, pending_source_problems, record_sent, register_destination
from storage.runs import source_health

logger = logging.getLogger(__name__)

DESTINATION_KEYS = {
    "name": "unique id (letters, digits, '-', '_'): what was sent is recorded under it",
    "url": "an apprise URL: mailto://..., json://host/path, tgram://..., ntfy://...",
    "watchlists": "only these watchlists (optional; default every watchlist)",
    "sources": "also report failing and silent sources (optional; default true)",
    "digest": "one message a day instead of one per watchlist per run (optional; default false)",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
#: Articles listed in one message; the rest are counted, and still recorded as sent.
MAX_LISTED = 50
#: Problems worth a message; "never crawled" is a new source, not an alarm.
ALERTED_PROBLEMS = ("failing", "silent")


class AlertsConfigError(ValueError):
    """The alerts file or ``$NEWSMON_ALERT_URLS`` is unreadable or has an invalid entry."""


@dataclass(frozen=True)
class Destination:
    name: str
    url: str
    watchlists: tuple[str, ...] | None = None
    sources: bool = True
    digest: bool = False


@dataclass
class DeliveryReport:
    """What one ``newsmon alerts`` run did, per destination."""

    sent: dict[str, int] = field(default_factory=dict)  # destination -> messages accepted
    articles: dict[str, int] = field(default_factory=dict)  # destination -> articles delivered (hits grouped)
    failed: dict[str, str] = field(default_factory=dict)  # destination -> why

    def summary_line(self) -> str:
        parts = [f"{name}: {self.sent.get(name, 0)} message(s), {self.articles.get(name, 0)} article(s)"
                 for name in sorted(self.sent) if name not in self.failed]
        parts += [f"{name}: FAILED ({why}; retried next run)" for name, why in sorted(self.failed.items())]
        return "alerts: " + ("; ".join(parts) if parts else "no destination")


def resolve_alerts_path(value: str | None) -> Path | None:
    """Flag, then ``$NEWSMON_ALERTS``; None when neither is set."""
    chosen = value or os.environ.get("NEWSMON_ALERTS")
    return Path(chosen) if chosen else None


def load_destinations(path: Path | None, *, env_urls: str | None = None) -> list[Destination]:
    """Destinations from the alerts file, then one per URL of ``$NEWSMON_ALERT_URLS`` (space-separated)."""
    destinations: list[Destination] = []
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AlertsConfigError(f"{path}: no such alerts file") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AlertsConfigError(f"{path}: cannot read: {exc}") from None
        entries = data.get("destination", [])
        if not isinstance(entries, list):
            raise AlertsConfigError(f"{path}: 'destination' must be an array of tables ([[destination]])")
        destinations += [_destination(path, index, raw) for index, raw in enumerate(entries)]
    for index, url in enumerate((env_urls or "").split()):
        destinations.append(_destination(Path("$NEWSMON_ALERT_URLS"), index, {"name": f"env-{index + 1}", "url": url}))
    names = [d.name for d in destinations]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise AlertsConfigError(f"destination name(s) used twice: {', '.join(doubled)}")
    return destinations


def _destination(path: Path, index: int, raw: object) -> Destination:
    where = f"{path}: destination #{index + 1}"
    if not isinstance(raw, dict):
        raise AlertsConfigError(f"{where}: must be a table")
    unknown = sorted(set(raw) - set(DESTINATION_KEYS))
    if unknown:
        raise AlertsConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(DESTINATION_KEYS)})")
    name, url = raw.get("name"), raw.get("url")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise AlertsConfigError(f"{where}: 'name' must be letters, digits, '-' or '_'")
    if not isinstance(url, str) or "://" not in url:
        raise AlertsConfigError(f"{where} ({name}): 'url' must be an apprise URL such as mailto://... or json://...")
    watchlists = raw.get("watchlists")
    if watchlists is not None and (not isinstance(watchlists, list) or not all(isinstance(w, str) for w in watchlists)):
        raise AlertsConfigError(f"{where} ({name}): 'watchlists' must be a list of watchlist names")
    for key in ("sources", "digest"):
        if not isinstance(raw.get(key, False), bool):
            raise AlertsConfigError(f"{where} ({name}): '{key}' must be true or false")
    if not _apprise_accepts(url):
        raise AlertsConfigError(f"{where} ({name}): apprise does not recognise this URL")
    return Destination(name=name, url=url, watchlists=tuple(watchlists) if watchlists is not None else None,
                       sources=raw.get("sources", True), digest=raw.get("digest", False))


def _apprise_accepts(url: str) -> bool:
    import apprise

    return apprise.Apprise().add(url)


def _send(destination: Destination, title: str, body: str) -> str | None:
    """Send one message; None when the destination accepted it, else why not (one line)."""
    import apprise

    notifier = apprise.Apprise()
    notifier.add(destination.url)
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    if ok:
        return None
    lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "the destination refused the message"


def _delivered(destination: Destination, title: str, body: str, report: DeliveryReport) -> bool:
    """Send one message; a refusal is noted in ``report`` and logged once (the hits wait for the next run)."""
    why = _send(destination, title, body)
    if why:
        report.failed[destination.name] = why
        logger.warning("alerts: %s: sending failed: %s (retried next run)", destination.name, why)
    return not why


def _by_watchlist(hits: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in hits:
        grouped.setdefault(row["watchlist"], []).append(row)
    return grouped


def _hit_lines(rows: list[dict]) -> list[str]:
    """One entry per article (an article matching several terms is listed once)."""
    seen: dict[int, dict] = {}
    terms: dict[int, set[str]] = {}
    for row in rows:
        seen.setdefault(row["article"], row)
        terms.setdefault(row["article"], set()).add(row["term"])
    lines = []
    for article, row in list(seen.items())[:MAX_LISTED]:
        english = row["title_en"] or "(not translated yet)"
        original = f"\n  original ({row['lang'] or '?'}): {row['title']}" if row["title"] != row["title_en"] else ""
        lines.append(
            f"- {row['published'] or '?'} · {row['source']} · {english}{original}\n"
            f"  matched: {', '.join(sorted(terms[article]))}\n  {row['url']}"
        )
    if len(seen) > MAX_LISTED:
        lines.append(f"... and {len(seen) - MAX_LISTED} more article(s): see the watchlist's feed in the workbench")
    return lines


def _problem_lines(problems: dict[str, str], texts: dict[str, str]) -> list[str]:
    return [f"- {source}: {texts[source]}" for source in sorted(problems)]


def current_problems(db: sqlite_utils.Database, *, silent_days: float) -> tuple[dict[str, str], dict[str, str]]:
    """Sources failing or silent now: (source → kind, source → the health line's text)."""
    kinds, texts = {}, {}
    for row in source_health(db, silent_days=silent_days):
        problem = row["problem"] or ""
        kind = problem.split(":", 1)[0]
        if kind in ALERTED_PROBLEMS:
            kinds[row["source"]], texts[row["source"]] = kind, problem + (f" (last error: {row['last_error']})" if row["last_error"] else "")
    return kinds, texts


def send_alerts(
    db: sqlite_utils.Database, destinations: list[Destination], *, silent_days: float = 3.0, now: datetime | None = None,
) -> DeliveryReport:
    """Send what each destination has not had yet; record each accepted message at once."""
    now = now or datetime.now(timezone.utc)
    report = DeliveryReport()
    kinds, texts = current_problems(db, silent_days=silent_days)
    for destination in destinations:
        since = register_destination(db, destination.name, now=now)
        hits = pending_hits(db, destination.name, since=since, watchlists=destination.watchlists)
        problems = pending_source_problems(db, destination.name, kinds) if destination.sources else {}
        report.sent[destination.name] = report.articles[destination.name] = 0
        if destination.digest:
            _send_digest(db, destination, hits, problems, texts, now=now, report=report)
            continue
        by_watchlist = _by_watchlist(hits)
        messages = [
            (f"newsmon: {len({r['article'] for r in rows})} new article(s) on watchlist {name}",
             "\n".join(_hit_lines(rows)), {"hits": [r["hit"] for r in rows]}, len({r["article"] for r in rows}))
            for name, rows in by_watchlist.items()
        ]
        if problems:
            messages.append((f"newsmon: {len(problems)} source(s) need attention",
                             "\n".join(_problem_lines(problems, texts)), {"problems": problems}, 0))
        for title, body, content, articles in messages:
            if not _delivered(destination, title, body, report):
                break  # the rest waits too: one failure line per destination, not per message
            record_sent(db, destination.name, **content)
            report.sent[destination.name] += 1
            report.articles[destination.name] += articles
    return report


def _send_digest(db, destination: Destination, hits: list[dict], problems: dict[str, str], texts: dict[str, str], *,
                 now: datetime, report: DeliveryReport) -> None:
    """At most one message a (UTC) day, with every watchlist's new hits and the sources needing attention."""
    day = now.date().isoformat()
    if digest_sent_today(db, destination.name, day) or not (hits or problems):
        return
    sections = []
    by_watchlist = _by_watchlist(hits)
    for name, rows in by_watchlist.items():
        sections.append(f"Watchlist {name}: {len({r['article'] for r in rows})} new article(s)\n" + "\n".join(_hit_lines(rows)))
    if problems:
        sections.append("Sources needing attention:\n" + "\n".join(_problem_lines(problems, texts)))
    title = f"newsmon digest {day}: {len({r['article'] for r in hits})} new article(s) on {len(by_watchlist)} watchlist(s)"
    if not _delivered(destination, title, "\n\n".join(sections), report):
        return
    record_sent(db, destination.name, hits=[r["hit"] for r in hits], problems=problems, digest_day=day)
    report.sent[destination.name] = 1
    report.articles[destination.name] = len({r["article"] for r in hits})
