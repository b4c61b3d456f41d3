"""The schema, as an ordered list of migrations (sqlite-utils' Migrations).

Each migration runs once, in a transaction, recorded in ``_sqlite_migrations``;
``migrations.apply(db)`` is safe to repeat. Never edit an applied migration:
add a new one at the end.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("newsmon")

# Translation status values, kept in ``articles.translation_status``.
STATUS_PENDING = "pending"  # not translated yet; a model may be available
STATUS_ORIGINAL = "original"  # the article is English: text_en is the original
STATUS_TRANSLATED = "translated"
STATUS_NO_MODEL = "no_model"  # no installed model for this language (reason in translation_note)
STATUS_FAILED = "failed"  # translation raised; reason in translation_note, retried next run

ARTICLE_FTS_COLUMNS = ["title", "text", "title_en", "text_en"]


@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "country": str,
            "kind": str,
            "language": str,
            "start_urls": str,  # JSON list
            "feeds": str,  # JSON list
            "sitemaps": str,  # JSON list
            "article_urls": str,
            "follow_urls": str,
            "settings": str,  # JSON: the remaining per-source options
            "updated_at": str,
        },
        pk="name",
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,  # canonical URL: one row per article
            "fetched_url": str,  # the URL the page was actually fetched from
            "source": str,
            "title": str,
            "text": str,
            "lang": str,  # ISO 639-1
            "script": str,  # ISO 15924 (Latn, Cyrl, ...)
            "lang_confidence": float,
            "html_lang": str,  # what the page claimed in <html lang>
            "published": str,  # ISO 8601 date or datetime, as the page gives it
            "author": str,
            "fetched_at": str,
            "updated_at": str,
            "content_hash": str,  # sha256 of title + text: tells changed from unchanged
            "title_en": str,
            "text_en": str,
            "translation_status": str,
            "translation_engine": str,  # e.g. "argos", "ctranslate2-nllb", "original"
            "translation_model": str,  # package name and version
            "translation_note": str,  # why there is no English yet, or what failed
            "translated_at": str,
        },
        pk="id",
        not_null={"url", "source", "text", "fetched_at", "content_hash"},
        foreign_keys=[("source", "sources", "name")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["translation_status", "lang"])
    db["articles"].enable_fts(ARTICLE_FTS_COLUMNS, create_triggers=True)
    db["crawl_runs"].create(
        {
            "id": int,
            "run_id": str,  # one id shared by every source crawled in the same invocation
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, ok, failed, interrupted
            "pages": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "not_articles": int,
            "errors": int,
            "errors_by_kind": str,  # JSON object: kind -> count
            "error": str,  # the reason a source failed entirely
        },
        pk="id",
        foreign_keys=[("source", "sources", "name")],
    )
    db["crawl_runs"].create_index(["source", "started_at"])
