"""``newsmon fetch URL``: one page through the same steps as the crawl."""

from __future__ import annotations

import logging
import os
import textwrap
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired

from crawler import settings
from crawler.extract import ExtractionError
from crawler.workers import run_with_deadline
from storage.records import Article
from crawler.sources import Source
from newsmon.fetch import FetchError, fetch_page
from crawler.steps import article_from_page, store_article, translate_article, translate_stored
from storage import open_db
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, get_article
from storage.sources import sync_sources

logger = logging.getLogger(__name__)


class FetchFailed(Exception):
    """The URL gave no article; the message is the one-line reason."""


@dataclass
class FetchResult:
    article: Article
    stored: str | None  # "new", "updated", "unchanged", or None with --no-store
    row: dict | None  # the stored row, with the English fields as stored

    def to_json(self) -> dict:
        data = self.row if self.row is not None else self.article.to_dict()
        keys = ("url", "fetched_url", "source", "title", "published", "published_at", "published_source", "author", "lang", "script",
                "text", "title_en", "text_en", "translation_status", "translation_engine",
                "translation_model", "translation_note")
        record = {key: data.get(key) for key in keys}
        record["stored"] = self.stored
        return record

    def readable(self) -> str:
        data = self.to_json()
        lines = [
            data["title"] or "(no title)",
            f"{data['url']}",
            f"source {data['source']} · published {data['published'] or 'unknown'} · "
            f"language {data['lang'] or '?'}{'/' + data['script'] if data['script'] else ''}"
            + (f" · by {data['author']}" if data["author"] else ""),
            "",
        ]
        lines += _paragraphs(data["text"])
        if data["text_en"] and data["lang"] != "en":
            lines += ["", f"— English ({data['translation_engine']}) —", data["title_en"] or "", ""]
            lines += _paragraphs(data["text_en"])
        elif data["lang"] != "en":
            lines += ["", f"(no English yet: {data['translation_note'] or data['translation_status']})"]
        if self.stored:
            lines += ["", f"[stored: {self.stored}]"]
        return "\n".join(lines)


def _paragraphs(text: str | None) -> list[str]:
    """Paragraphs wrapped to 100 columns, a blank line between them."""
    wrapped = [textwrap.fill(p, 100) for p in (text or "").split("\n") if p.strip()]
    return "\n\n".join(wrapped).split("\n")


def extract_timeout() -> float:
    """Seconds one page may take to extract: ``NEWSMON_EXTRACT_TIMEOUT``, as in a crawl."""
    value = os.environ.get("NEWSMON_EXTRACT_TIMEOUT")
    try:
        seconds = float(value) if value else settings.NEWSMON_EXTRACT_TIMEOUT
    except ValueError:
        raise FetchFailed(f"NEWSMON_EXTRACT_TIMEOUT must be a number of seconds, not {value!r}") from None
    return seconds


def _extract(page) -> Article:
    """The article of a fetched page, within the extraction deadline (a hostile page cannot hold the fetch)."""
    seconds = extract_timeout()
    if seconds <= 0:
        return article_from_page(page)
    try:
        return run_with_deadline(article_from_page, seconds, page)
    except FutureTimeout:
        raise FetchFailed(f"extraction took over {seconds:g} s (NEWSMON_EXTRACT_TIMEOUT)") from None
    except ProcessExpired as exc:
        raise FetchFailed(f"extraction failed: its process died ({exc})") from None


def match_source(url: str, sources: list[Source]) -> Source | None:
    """The first source whose ``article_urls`` matches ``url``."""
    return next((s for s in sources if s.is_article_url(url)), None)


def fetch_article(
    url: str,
    *,
    sources: list[Source],
    source_name: str | None = None,
    db_path: Path | None = None,
    translate: bool = True,
    allow_private: bool = False,
    timeout: float | None = None,
    models_dir: Path | None = None,
) -> FetchResult:
    """Fetch, extract, identify, (with ``db_path``) store, and translate one article.

    The article is stored before it is translated: a failing model never loses it.
    ``allow_private`` lets a redirect lead into loopback or private addresses (as does
    the matched source's ``local_mirror``).
    """
    if source_name:
        source = next((s for s in sources if s.name == source_name), None)
        if source is None:
            raise FetchFailed(f"unknown source {source_name!r}")
    else:
        source = match_source(url, sources)
    try:
        page = fetch_page(
            url,
            source=source.name if source else ADHOC_SOURCE,
            language_hint=source.language if source else None,
            user_agent=source.user_agent if source else None,
            headers=source.headers if source else None,
            allow_private=allow_private or bool(source and source.local_mirror),
            **({"timeout": timeout} if timeout else {}),
        )
        article = _extract(page)
    except (FetchError, ExtractionError) as exc:
        raise FetchFailed(str(exc)) from None
    if db_path is None:
        return FetchResult(translate_article(article, models_dir=models_dir) if translate else article, None, None)
    db = open_db(db_path)
    try:
        if source:
            sync_sources(db, [source.table_row()])
        else:
            ensure_adhoc_source(db)
        outcome = store_article(db, article)
        row = get_article(db, article.url)
        if translate and row is not None:
            try:
                translate_stored(db, [row["id"]], models_dir=models_dir)
            except Exception as exc:  # noqa: BLE001 - stored already; the row keeps 'pending'
                logger.warning("%s: translation failed: %s", article.url, exc)
            row = get_article(db, article.url)
    finally:
        db.close()
    return FetchResult(article, outcome, row)
