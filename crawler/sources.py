"""The sources file: loading and validating it into ``Source`` objects.

The TOML keys are the user-facing contract (see README). Validation names the
source and the key, so a typo in one entry is found before any crawl starts.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

KINDS = ("police", "ministry", "news", "intl", "blog")

#: Every key a ``[[source]]`` table may have, with a one-line description (used by docs and tests).
SOURCE_KEYS: dict[str, str] = {
    "name": "unique id of the source (letters, digits, '-', '_')",
    "country": "ISO 3166-1 alpha-2 code, or 'intl'",
    "kind": "one of: " + ", ".join(KINDS),
    "language": "optional ISO 639-1 hint of the site's main language (evidence, not truth)",
    "start_urls": "listing pages to start from",
    "feeds": "RSS/Atom feed URLs (optional)",
    "sitemaps": "sitemap or sitemap-index URLs (optional)",
    "article_urls": "regex: URLs that are articles",
    "follow_urls": "regex: listing and pagination pages to follow (optional)",
    "allowed_domains": "domains the crawl may visit (default: the hosts of start_urls, feeds and sitemaps)",
    "max_pages": "page budget per run, all requests counted (default 500)",
    "max_depth": "how many listing links deep to follow from a start page (default 3)",
    "revisit_days": "stored articles younger than this are re-checked for changes (default 2; 0 never)",
    "user_agent": "User-Agent for this source (some sites answer 403 to non-browser agents)",
    "headers": "extra HTTP headers for this source (table)",
    "download_delay": "seconds between requests to this site (default from settings)",
    "enabled": "false skips the source in `newsmon crawl` (default true)",
    "interval_minutes": "how often `newsmon schedule` queues the source for workers (default 60)",
    "notes": "free text for people",
}

REQUIRED_KEYS = ("name", "country", "kind", "article_urls")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")


class SourcesError(ValueError):
    """The sources file is missing, unreadable or has an invalid entry."""


@dataclass(frozen=True)
class Source:
    name: str
    country: str
    kind: str
    article_urls: str
    language: str | None = None
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    follow_urls: str | None = None
    allowed_domains: tuple[str, ...] = ()
    max_pages: int = 500
    max_depth: int = 3
    revisit_days: float = 2.0
    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    download_delay: float | None = None
    enabled: bool = True
    notes: str | None = None
    interval_minutes: float = 60.0

    def is_article_url(self, url: str) -> bool:
        return re.search(self.article_urls, url) is not None

    def is_follow_url(self, url: str) -> bool:
        return bool(self.follow_urls) and re.search(self.follow_urls, url) is not None

    def domains(self) -> list[str]:
        if self.allowed_domains:
            return list(self.allowed_domains)
        hosts = {urlparse(u).hostname for u in (*self.start_urls, *self.feeds, *self.sitemaps)}
        return sorted(h for h in hosts if h)

    def settings_json(self) -> dict:
        """Per-source options beyond the core keys, for the ``sources`` table."""
        return {
            "allowed_domains": list(self.allowed_domains),
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "revisit_days": self.revisit_days,
            "user_agent": self.user_agent,
            "headers": self.headers,
            "download_delay": self.download_delay,
            "enabled": self.enabled,
            "notes": self.notes,
        }

    def table_row(self) -> dict:
        """This source as a row of storage's ``sources`` table (storage knows no Source type)."""
        return {
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "language": self.language,
            "start_urls": json.dumps(list(self.start_urls)),
            "feeds": json.dumps(list(self.feeds)),
            "sitemaps": json.dumps(list(self.sitemaps)),
            "article_urls": self.article_urls,
            "follow_urls": self.follow_urls,
            "settings": json.dumps(self.settings_json(), ensure_ascii=False),
        }


def default_sources_path() -> Path:
    return Path(__file__).with_name("sources.toml")


def resolve_sources_path(path: str | Path | None) -> Path:
    """Flag, then ``$NEWSMON_SOURCES``, then the bundled file."""
    if path:
        return Path(path)
    env = os.environ.get("NEWSMON_SOURCES")
    return Path(env) if env else default_sources_path()


def load_sources(path: str | Path) -> list[Source]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("source")
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[source]] tables found")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        source = parse_source(table, where=f"{path}: source #{index}")
        if source.name in seen:
            raise SourcesError(f"{path}: source {source.name!r}: key 'name': duplicate name")
        seen.add(source.name)
        sources.append(source)
    return sources


def _url_list(table: dict, key: str, label: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{label}: key {key!r}: expected a list of URLs")
    for url in value:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SourcesError(f"{label}: key {key!r}: not an http(s) URL: {url!r}")
    return tuple(value)


def _regex(table: dict, key: str, label: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SourcesError(f"{label}: key {key!r}: expected a regular expression string")
    try:
        re.compile(value)
    except re.error as exc:
        raise SourcesError(f"{label}: key {key!r}: invalid regex: {exc}") from None
    return value


def _typed(table: dict, key: str, label: str, kind: type | tuple[type, ...], default):
    value = table.get(key, default)
    if value is not default and (not isinstance(value, kind) or isinstance(value, bool) and kind is not bool):
        raise SourcesError(f"{label}: key {key!r}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def parse_source(table: dict, *, where: str = "source") -> Source:
    """Validate one ``[[source]]`` table; errors name the source and the key."""
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table")
    name = table.get("name")
    label = f"source {name!r}" if isinstance(name, str) and name else where
    for key in table:
        if key not in SOURCE_KEYS:
            raise SourcesError(f"{label}: key {key!r}: unknown key (known: {', '.join(SOURCE_KEYS)})")
    for key in REQUIRED_KEYS:
        if key not in table:
            raise SourcesError(f"{label}: key {key!r}: missing")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SourcesError(f"{label}: key 'name': use letters, digits, '-' and '_' only")
    kind = table["kind"]
    if kind not in KINDS:
        raise SourcesError(f"{label}: key 'kind': {kind!r} is not one of {', '.join(KINDS)}")
    country = table["country"]
    if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}|intl", country):
        raise SourcesError(f"{label}: key 'country': expected an ISO 3166-1 alpha-2 code or 'intl'")
    language = table.get("language")
    if language is not None and (not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language)):
        raise SourcesError(f"{label}: key 'language': expected an ISO 639-1 code such as 'ru'")
    start_urls = _url_list(table, "start_urls", label)
    feeds = _url_list(table, "feeds", label)
    sitemaps = _url_list(table, "sitemaps", label)
    if not (start_urls or feeds or sitemaps):
        raise SourcesError(f"{label}: key 'start_urls': give at least one of start_urls, feeds, sitemaps")
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise SourcesError(f"{label}: key 'headers': expected a table of strings")
    domains = table.get("allowed_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise SourcesError(f"{label}: key 'allowed_domains': expected a list of host names")
    max_pages = _typed(table, "max_pages", label, int, 500)
    max_depth = _typed(table, "max_depth", label, int, 3)
    if max_pages < 1:
        raise SourcesError(f"{label}: key 'max_pages': must be at least 1")
    if max_depth < 0:
        raise SourcesError(f"{label}: key 'max_depth': must not be negative")
    delay = _typed(table, "download_delay", label, (int, float), None)
    revisit_days = _typed(table, "revisit_days", label, (int, float), 2.0)
    if revisit_days < 0:
        raise SourcesError(f"{label}: key 'revisit_days': must not be negative")
    interval = _typed(table, "interval_minutes", label, (int, float), 60.0)
    if interval <= 0:
        raise SourcesError(f"{label}: key 'interval_minutes': must be positive")
    return Source(
        name=name,
        country=country.upper() if country != "intl" else country,
        kind=kind,
        language=language,
        start_urls=start_urls,
        feeds=feeds,
        sitemaps=sitemaps,
        article_urls=_regex(table, "article_urls", label),
        follow_urls=_regex(table, "follow_urls", label),
        allowed_domains=tuple(domains),
        max_pages=max_pages,
        max_depth=max_depth,
        revisit_days=float(revisit_days),
        user_agent=_typed(table, "user_agent", label, str, None),
        headers=dict(headers),
        download_delay=float(delay) if delay is not None else None,
        enabled=_typed(table, "enabled", label, bool, True),
        notes=_typed(table, "notes", label, str, None),
        interval_minutes=float(interval),
    )
