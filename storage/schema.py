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


@migrations()
def m500_incremental_crawl(db: Database) -> None:
    """Seen-URL state, HTTP validators, article history and near-duplicate links."""
    db["url_state"].create(
        {
            "url": str,
            "source": str,
            "kind": str,  # feed, sitemap, listing, article, not_article
            "etag": str,
            "last_modified": str,
            "last_status": int,
            "reason": str,  # why a URL is not an article (error kind)
            "checked_at": str,
        },
        pk="url",
    )
    db["url_state"].create_index(["source", "kind"])
    db["articles"].add_column("simhash", str)  # 64-bit SimHash of the text, hex
    for band in range(4):
        db["articles"].add_column(f"simhash_band{band}", int)
        db["articles"].create_index([f"simhash_band{band}"])
    # No foreign key here: adding one makes sqlite-utils rebuild the table, dropping the FTS triggers.
    db["articles"].add_column("duplicate_of", int)  # id of the first-seen copy of a syndicated text
    db["articles"].add_column("versions", int, not_null_default=1)
    db["articles"].create_index(["fetched_url"])
    db["articles"].create_index(["duplicate_of"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "title": str,
            "text": str,
            "content_hash": str,
            "fetched_at": str,
            "replaced_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id"])
    db["crawl_runs"].add_column("articles_skipped", int)  # known articles not downloaded again
    db["crawl_runs"].add_column("not_modified", int)  # 304 answers to conditional requests
    db["crawl_runs"].add_column("last_new_article_at", str)
    db.execute(
        """
        create view source_health as
        select
          s.name as source, s.country, s.kind,
          (select max(started_at) from crawl_runs r where r.source = s.name) as last_run_at,
          (select status from crawl_runs r where r.source = s.name order by r.id desc limit 1) as last_status,
          (select error from crawl_runs r where r.source = s.name order by r.id desc limit 1) as last_error,
          (select count(*) from crawl_runs r where r.source = s.name and r.status = 'failed'
             and r.id > coalesce((select max(id) from crawl_runs r2 where r2.source = s.name and r2.status != 'failed'), 0)
          ) as consecutive_failures,
          (select max(fetched_at) from articles a where a.source = s.name) as last_new_article_at,
          (select count(*) from articles a where a.source = s.name) as articles,
          (select sum(errors) from (select errors from crawl_runs r where r.source = s.name order by r.id desc limit 5)) as errors_last_5_runs
        from sources s
        """
    )
