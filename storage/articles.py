"""Writing and reading articles."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timezone
from typing import Literal

import sqlite_utils

from storage.records import Article
from storage.boilerplate import chrome_lines, clean_stored, learn, strip_chrome
from storage.atomic import write_transaction
from storage.dedupe import link_copies, signature_of, to_blob
from storage.entities import natasha_finds, natasha_installed
from storage.schema import STATUS_ORIGINAL, STATUS_PENDING
from storage.stories import update_article as update_story

logger = logging.getLogger(__name__)

Outcome = Literal["new", "updated", "unchanged"]

ADHOC_SOURCE = "adhoc"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ensure_adhoc_source(db: sqlite_utils.Database) -> None:
    """Single-URL fetches of pages outside every source are filed under ``adhoc``."""
    if not db["sources"].count_where("name = ?", [ADHOC_SOURCE]):
        db["sources"].insert(
            {"name": ADHOC_SOURCE, "kind": "adhoc", "updated_at": utc_now()},
            pk="name",
        )


def _translation_fields(article: Article) -> dict:
    if article.translation_status:
        return {
            "title_en": article.title_en,
            "text_en": article.text_en,
            "translation_status": article.translation_status,
            "translation_engine": article.translation_engine,
            "translation_model": article.translation_model,
            "translation_note": article.translation_note,
        }
    if article.lang == "en":
        return {
            "title_en": article.title,
            "text_en": article.text,
            "translation_status": STATUS_ORIGINAL,
            "translation_engine": "original",
            "translation_model": None,
            "translation_note": "the article is in English",
        }
    return {
        "title_en": None,
        "text_en": None,
        "translation_status": STATUS_PENDING,
        "translation_engine": None,
        "translation_model": None,
        "translation_note": None,
    }


def upsert_article(db: sqlite_utils.Database, article: Article, *, now: str | None = None) -> Outcome:
    """Insert or update one article, keyed by canonical URL, in one transaction.

    Lines the source repeats at the edge of most articles (chrome extraction let
    through) are stripped first (``storage.boilerplate``). An unchanged article
    (same content hash) is left alone, translation included; a changed one gets
    new text and goes back to translation.
    """
    now = now or utc_now()
    natasha = None
    if (article.lang == "ru" and natasha_installed()
            and not db.execute("select 1 from articles where url = ?", [article.url]).fetchone()):
        # natasha takes about 0.2 s an article: a new one is tagged before the write lock is
        # taken, not while holding it (a changed one, rarer, once it is known to have changed).
        natasha = natasha_finds(article.title, article.text)
    with write_transaction(db):
        existing = list(
            db.query("select id, title, text, content_hash, fetched_at, updated_at, versions from articles where url = ?", [article.url])
        )
        new_chrome: dict[str, str] = {}
        chrome: set[str] = set()
        chrome_removed = None
        if article.source != ADHOC_SOURCE:  # ad hoc pages come from many sites: nothing recurs
            if existing:
                chrome = chrome_lines(db, article.source, article.lang)
            else:
                new_chrome, chrome = learn(db, article.source, article.lang, article.text)
            stripped = strip_chrome(article.text, chrome) if chrome else None
            if stripped is not None:
                article = dataclasses.replace(article, text=stripped.text, text_en=stripped.apply(article.text_en))
                chrome_removed = stripped.removed
        content_hash = article.content_hash
        if existing and existing[0]["content_hash"] == content_hash:
            return "unchanged"
        row = {
            "url": article.url,
            "fetched_url": article.fetched_url or article.url,
            "source": article.source,
            "title": article.title,
            "text": article.text,
            "lang": article.lang,
            "script": article.script,
            "lang_confidence": article.lang_confidence,
            "html_lang": article.html_lang,
            "published": article.published,
            "published_at": article.published_at,
            "published_source": article.published_source,
            "author": article.author,
            "content_hash": content_hash,
            "chrome_removed": chrome_removed,
            **_translation_fields(article),
        }
        signature = signature_of(article.text)
        row["minhash"] = to_blob(signature) if signature is not None else None
        row["updated_at"] = now
        if existing:
            old = existing[0]
            # Keep the replaced version: cheap, and analysts see what a site changed.
            db["article_versions"].insert(
                {
                    "article_id": old["id"],
                    "title": old["title"],
                    "text": old["text"],
                    "content_hash": old["content_hash"],
                    "fetched_at": old["updated_at"] or old["fetched_at"],
                    "replaced_at": now,
                }
            )
            row["versions"] = (old["versions"] or 1) + 1
            db["articles"].update(old["id"], row)
            link_copies(db, old["id"], signature, published=article.published_at or article.published)
            update_story(db, old["id"])
            return "updated"
        row["fetched_at"] = now
        article_id = db["articles"].insert(row).last_pk
        link_copies(db, article_id, signature, published=article.published_at or article.published)
        update_story(db, article_id, natasha=natasha)
        clean_stored(db, article.source, article.lang, new_chrome, chrome)
        return "new"


def known_article(db: sqlite_utils.Database, url: str) -> dict | None:
    """The stored article reached at ``url`` (its canonical or its fetched URL), if any."""
    rows = list(
        db.query(
            "select id, url, published, fetched_at, updated_at from articles where url = :u "
            "union all select id, url, published, fetched_at, updated_at from articles where fetched_url = :u limit 1",
            {"u": url},
        )
    )
    return rows[0] if rows else None


def get_article(db: sqlite_utils.Database, url: str) -> dict | None:
    rows = list(db.query("select * from articles where url = ?", [url]))
    return rows[0] if rows else None
