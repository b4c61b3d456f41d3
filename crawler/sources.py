"""The sources file: loading and validating it into ``Source`` objects.

The TOML keys are the user-facing contract (see README). Validation names the
source and the key, so a typo in one entry is found before any crawl starts.
"""

from __future__ import annotations

import dataclasses
import json
import math
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
    "local_mirror": "true for a copy of a site on this machine or network: no politeness (delay 0, no AutoThrottle, "
    "16 requests at a time), and redirects into private addresses allowed (default false; "
    "NEWSMON_LOCAL_MIRROR=1 sets it for every source)",
    "interval_minutes": "how often `newsmon schedule` queues the source for workers (default 60)",
    "notes": "free text for people",
    "api": "a JSON API to read instead of (or besides) pages: a table, keys in API_KEYS",
    "telegram": "a public Telegram channel read from its t.me/s/<channel> preview",
    "telegram_base": "where the Telegram preview is served (default https://t.me; tests and mirrors)",
    "render": "'browser': fetch start pages and articles with headless Chromium (optional extra)",
}

#: Every key of a source's ``api`` table (JSON API mapping); field names are dotted paths in an item.
API_KEYS: dict[str, str] = {
    "endpoint": "the list endpoint URL, with its fixed query parameters",
    "page_param": "query parameter carrying the page number (default 'page'; '' for no paging)",
    "start": "number of the first page (default 1)",
    "max_pages": "pages of the list read per run at most (default 5)",
    "per_page_param": "query parameter carrying the page size (default 'per_page')",
    "per_page": "page size to ask for (optional)",
    "items": "dotted path to the list of items in the response ('' when the response is the list)",
    "url": "field giving the public article URL (absolute, or relative to the endpoint)",
    "url_template": "public article URL built from fields, e.g. 'https://uza.uz/{lang}/posts/{slug}'",
    "title": "field giving the title",
    "html": "field giving the article body as HTML (cleaned like a page)",
    "text": "field giving the article body as plain text",
    "date": "field giving the publication date (ISO 8601 or Unix seconds/milliseconds; optional)",
    "language": "field giving the item's language code (optional; else the source's language)",
    "headers": "extra HTTP headers for the API requests (table)",
}

RENDER_MODES = ("browser",)
TELEGRAM_BASE = "https://t.me"
_CHANNEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_FIELD_RE = re.compile(r"^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$")
_TEMPLATE_FIELD_RE = re.compile(r"\{([^{}]*)\}")

REQUIRED_KEYS = ("name", "country", "kind", "article_urls")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
#: A host name as ``allowed_domains`` takes it: labels of letters, digits and '-', or an IP address.
_HOST_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
#: An HTTP header field name (RFC 9110 token).
_TOKEN_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class SourcesError(ValueError):
    """The sources file is missing, unreadable or has an invalid entry."""


@dataclass(frozen=True)
class ApiMapping:
    """Where a JSON API keeps its articles: the ``api`` table of a source, validated."""

    endpoint: str
    title: str
    url: str | None = None
    url_template: str | None = None
    html: str | None = None
    text: str | None = None
    date: str | None = None
    language: str | None = None
    items: str = ""
    page_param: str = "page"
    start: int = 1
    max_pages: int = 5
    per_page_param: str = "per_page"
    per_page: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


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
    api: ApiMapping | None = None
    telegram: str | None = None
    telegram_base: str = TELEGRAM_BASE
    render: str | None = None
    local_mirror: bool = False
    interval_minutes: float = 60.0

    def is_article_url(self, url: str) -> bool:
        return re.search(self.article_urls, url) is not None

    def is_follow_url(self, url: str) -> bool:
        return bool(self.follow_urls) and re.search(self.follow_urls, url) is not None

    def entry_urls(self) -> list[str]:
        """Where a crawl of this source starts: pages, feeds, sitemaps, the API's list, the channel preview."""
        urls = [*self.start_urls, *self.feeds, *self.sitemaps]
        if self.api is not None:
            urls.append(self.api.endpoint)
        if self.telegram:
            urls.append(f"{self.telegram_base}/s/{self.telegram}")
        return urls

    def domains(self) -> list[str]:
        if self.allowed_domains:
            return list(self.allowed_domains)
        hosts = {urlparse(u).hostname for u in (*self.start_urls, *self.feeds, *self.sitemaps)}
        if self.api is not None:
            hosts.add(urlparse(self.api.endpoint).hostname)
        if self.telegram:
            hosts.add(urlparse(self.telegram_base).hostname)
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
            "api": dataclasses.asdict(self.api) if self.api is not None else None,
            "telegram": self.telegram,
            "telegram_base": self.telegram_base if self.telegram else None,
            "render": self.render,
            "local_mirror": self.local_mirror,
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


def _headers(table: dict, label: str) -> dict[str, str]:
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise SourcesError(f"{label}: key 'headers': expected a table of strings")
    for header, value in headers.items():
        if not _TOKEN_RE.match(header):
            raise SourcesError(f"{label}: key 'headers': not a header name: {header!r}")
        _header_value(value, "headers", label)
    return headers


def _typed(table: dict, key: str, label: str, kind: type | tuple[type, ...], default):
    value = table.get(key, default)
    if value is not default and (not isinstance(value, kind) or isinstance(value, bool) and kind is not bool):
        raise SourcesError(f"{label}: key {key!r}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _header_value(value: str, key: str, label: str) -> str:
    """A header value with no CR, LF or other control character (they would split or break the request)."""
    if any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in value):
        raise SourcesError(f"{label}: key {key!r}: control characters (CR, LF, ...) are not allowed in a header: {value!r}")
    return value


def _finite(value: float | None, key: str, label: str) -> float | None:
    """Numbers must be finite: TOML accepts ``inf`` and ``nan``, the crawl cannot use them."""
    if value is not None and not math.isfinite(value):
        raise SourcesError(f"{label}: key {key!r}: must be a finite number, got {value!r}")
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
        pages = any(table.get(k) for k in ("start_urls", "feeds", "sitemaps"))
        if key == "article_urls" and ("api" in table or "telegram" in table) and not pages:
            continue  # API items and Telegram posts come with their URL (checked when given)
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
    api = _api_mapping(table, label)
    telegram, telegram_base = _telegram(table, label)
    if not (start_urls or feeds or sitemaps or api or telegram):
        raise SourcesError(f"{label}: key 'start_urls': give at least one of start_urls, feeds, sitemaps, api, telegram")
    render = table.get("render")
    if render is not None and render not in RENDER_MODES:
        raise SourcesError(f"{label}: key 'render': expected one of {', '.join(RENDER_MODES)}, got {render!r}")
    if render is not None and not (start_urls or feeds or sitemaps):
        raise SourcesError(f"{label}: key 'render': renders pages (start pages and articles); give start_urls, feeds or sitemaps")
    article_urls = _regex(table, "article_urls", label)
    if article_urls is None:
        article_urls = rf"(?i)^https://t\.me/{telegram}/\d+$" if telegram and not api else r"^https?://"
    headers = _headers(table, label)
    domains = table.get("allowed_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise SourcesError(f"{label}: key 'allowed_domains': expected a list of host names")
    for domain in domains:
        if not _HOST_RE.match(domain):
            raise SourcesError(f"{label}: key 'allowed_domains': not a host name: {domain!r}")
    max_pages = _typed(table, "max_pages", label, int, 500)
    max_depth = _typed(table, "max_depth", label, int, 3)
    if max_pages < 1:
        raise SourcesError(f"{label}: key 'max_pages': must be at least 1")
    if max_depth < 0:
        raise SourcesError(f"{label}: key 'max_depth': must not be negative")
    delay = _finite(_typed(table, "download_delay", label, (int, float), None), "download_delay", label)
    if delay is not None and delay < 0:
        raise SourcesError(f"{label}: key 'download_delay': must not be negative")
    revisit_days = _finite(_typed(table, "revisit_days", label, (int, float), 2.0), "revisit_days", label)
    if revisit_days < 0:
        raise SourcesError(f"{label}: key 'revisit_days': must not be negative")
    user_agent = _typed(table, "user_agent", label, str, None)
    if user_agent is not None:
        _header_value(user_agent, "user_agent", label)
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
        article_urls=article_urls,
        follow_urls=_regex(table, "follow_urls", label),
        allowed_domains=tuple(domains),
        max_pages=max_pages,
        max_depth=max_depth,
        revisit_days=float(revisit_days),
        user_agent=user_agent,
        headers=dict(headers),
        download_delay=float(delay) if delay is not None else None,
        enabled=_typed(table, "enabled", label, bool, True),
        notes=_typed(table, "notes", label, str, None),
        api=api,
        telegram=telegram,
        telegram_base=telegram_base,
        render=render,
        local_mirror=_typed(table, "local_mirror", label, bool, False) or local_mirror_env(),
        interval_minutes=float(interval),
    )


def _field(table: dict, key: str, label: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not _FIELD_RE.match(value)):
        raise SourcesError(f"{label}: key {key!r}: expected a field name or dotted path such as 'data.title'")
    return value


def _api_mapping(table: dict, label: str) -> ApiMapping | None:
    """The ``api`` table, validated: one URL source, one body field, sane paging."""
    if "api" not in table:
        return None
    api = table["api"]
    label = f"{label}: key 'api'"
    if not isinstance(api, dict):
        raise SourcesError(f"{label}: expected a table (see the README's JSON API keys)")
    for key in api:
        if key not in API_KEYS:
            raise SourcesError(f"{label}: key {key!r}: unknown key (known: {', '.join(API_KEYS)})")
    for key in ("endpoint", "title"):
        if key not in api:
            raise SourcesError(f"{label}: key {key!r}: missing")
    endpoint = _url_list(api, "endpoint", label)
    if len(endpoint) != 1:
        raise SourcesError(f"{label}: key 'endpoint': expected one URL")
    if ("url" in api) == ("url_template" in api):
        raise SourcesError(f"{label}: key 'url': give exactly one of url (a field) and url_template")
    if ("html" in api) == ("text" in api):
        raise SourcesError(f"{label}: key 'html': give exactly one of html and text (the body field)")
    template = _typed(api, "url_template", label, str, None)
    if template is not None:
        fields = _TEMPLATE_FIELD_RE.findall(template)
        if not fields or any(not _FIELD_RE.match(f) for f in fields):
            raise SourcesError(f"{label}: key 'url_template': expected {{field}} placeholders, e.g. 'https://site/{{slug}}'")
        parsed = urlparse(_TEMPLATE_FIELD_RE.sub("x", template))
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SourcesError(f"{label}: key 'url_template': not an http(s) URL template: {template!r}")
    items = _typed(api, "items", label, str, "")
    if items and not _FIELD_RE.match(items):
        raise SourcesError(f"{label}: key 'items': expected a dotted path such as 'data' or 'result.items'")
    page_param = _typed(api, "page_param", label, str, "page")
    per_page_param = _typed(api, "per_page_param", label, str, "per_page")
    start = _typed(api, "start", label, int, 1)
    max_pages = _typed(api, "max_pages", label, int, 5)
    per_page = _typed(api, "per_page", label, int, None)
    if start < 0:
        raise SourcesError(f"{label}: key 'start': must not be negative")
    if max_pages < 1:
        raise SourcesError(f"{label}: key 'max_pages': must be at least 1")
    if per_page is not None and (per_page < 1 or not per_page_param):
        raise SourcesError(f"{label}: key 'per_page': must be at least 1, with a per_page_param")
    headers = _headers(api, label)
    return ApiMapping(
        endpoint=endpoint[0],
        title=_field(api, "title", label),
        url=_field(api, "url", label),
        url_template=template,
        html=_field(api, "html", label),
        text=_field(api, "text", label),
        date=_field(api, "date", label),
        language=_field(api, "language", label),
        items=items,
        page_param=page_param,
        start=start,
        max_pages=max_pages,
        per_page_param=per_page_param,
        per_page=per_page,
        headers=dict(headers),
    )


def _telegram(table: dict, label: str) -> tuple[str | None, str]:
    """The ``telegram`` channel name and the preview's base URL."""
    channel = table.get("telegram")
    if channel is not None and (not isinstance(channel, str) or not _CHANNEL_RE.match(channel)):
        raise SourcesError(f"{label}: key 'telegram': expected a public channel name such as 'cyberpolice_iiv'")
    base = table.get("telegram_base", TELEGRAM_BASE)
    if "telegram_base" in table:
        if channel is None:
            raise SourcesError(f"{label}: key 'telegram_base': only with a telegram channel")
        _url_list(table, "telegram_base", label)
    if not isinstance(base, str):
        raise SourcesError(f"{label}: key 'telegram_base': expected a URL")
    return channel, base.rstrip("/")


def local_mirror_env() -> bool:
    """``NEWSMON_LOCAL_MIRROR=1``: every source is a local mirror (see the ``local_mirror`` key)."""
    return os.environ.get("NEWSMON_LOCAL_MIRROR", "").strip().lower() in ("1", "true", "yes")
