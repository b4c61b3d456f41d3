"""The schema, as an ordered list of migrations (sqlite-utils' Migrations).

Each migration runs once, in a transaction, recorded in ``_sqlite_migrations``;
``migrations.apply(db)`` is safe to repeat. Never edit an applied migration:
add a new one. They run in numeric order (m001, m300, m500...), whatever order
they are defined in, and say everything in their own SQL: a migration that
imported live code would do something else on a database migrated later.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

from storage.atomic import SerialMigrations

logger = logging.getLogger(__name__)

# Applied in numeric order (m001, m300, m500...), one process at a time: see storage.atomic.
migrations = SerialMigrations("newsmon")

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


@migrations()
def m300_workbench(db: Database) -> None:
    """Search in every language, facet columns and watchlists for the Datasette workbench.

    Replaces m001's ``articles_fts`` (sqlite-utils triggers, default tokenizer)
    with two FTS5 tables: ``articles_fts`` over originals and English without
    stemming, and ``articles_en_fts`` over the English with Porter stemming.
    Both treat the Uzbek apostrophe letters ʻ ʼ (and ' ` ‘ ’, already
    separators) as word breaks, so o'g'irlik and oʻgʻirlik are the same phrase.
    One trigger per event keeps both indexes and the watchlist hits in step:
    the hits are FTS matches, so they must run after the index rows are written,
    and SQLite does not promise an order between separate triggers.
    """
    # Modifier letters (Unicode Lm) are word characters for unicode61: make them breaks.
    tokenize = "unicode61 remove_diacritics 2 separators 'ʻʼʹʽ'"
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"drop trigger if exists {trigger}")
    db.execute("drop table if exists articles_fts")
    # content="articles" (double quotes) is what sqlite-utils' detect_fts looks for:
    # db["articles"].search() keeps using articles_fts. The English table spells it
    # with single quotes so that detection never picks it.
    db.execute(
        f"""create virtual table articles_fts using fts5(
              title, text, title_en, text_en,
              content="articles", content_rowid='id', tokenize="{tokenize}")"""
    )
    db.execute(
        f"""create virtual table articles_en_fts using fts5(
              title_en, text_en,
              content='articles', content_rowid='id', tokenize="porter {tokenize}")"""
    )
    db.execute("insert into articles_fts(articles_fts) values ('rebuild')")
    db.execute("insert into articles_en_fts(articles_en_fts) values ('rebuild')")

    # Country and kind live on sources; a copy on articles makes them facets.
    db["articles"].add_column("country", str)
    db["articles"].add_column("kind", str)
    db.execute(
        "update articles set country = (select country from sources where name = articles.source), "
        "kind = (select kind from sources where name = articles.source)"
    )
    db["articles"].create_index(["published"])
    db["articles"].create_index(["country"])

    db.executescript(
        """
        create table watchlists (
          name text primary key,
          description text,
          terms text,              -- one term per line, as in the watchlists file
          definition_hash text,   -- sha256 of description and terms: tells a changed watchlist
          updated_at text,        -- when this definition was stored
          checked_at text         -- when stored articles were last re-checked against it
        );
        create table watchlist_terms (
          id integer primary key,
          watchlist text not null references watchlists(name) on delete cascade,
          term text not null,
          fts_query text not null, -- the term as an FTS5 phrase query (storage.search.term_query)
          unique (watchlist, term)
        );
        create table watchlist_hits (
          id integer primary key,
          article integer not null references articles(id) on delete cascade,
          watchlist text not null references watchlists(name) on delete cascade,
          term text not null,
          matched_in text not null, -- original or english
          snippet text,
          matched_at text not null,
          unique (article, watchlist, term, matched_in)
        );
        create index watchlist_hits_watchlist on watchlist_hits (watchlist, matched_at);
        create index watchlist_hits_article on watchlist_hits (article);
        """
    )

    now = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
    match_original = f"""
        select new.id as article, t.watchlist, t.term, 'original' as matched_in,
               snippet(articles_fts, -1, '⟦', '⟧', '…', 16) as snippet, {now} as matched_at
        from watchlist_terms t
        join articles_fts on articles_fts match ('{{title text}} : (' || t.fts_query || ')')
        where articles_fts.rowid = new.id"""
    match_english = f"""
        select new.id as article, t.watchlist, t.term, 'english' as matched_in,
               snippet(articles_en_fts, -1, '⟦', '⟧', '…', 16) as snippet, {now} as matched_at
        from watchlist_terms t
        join articles_en_fts on articles_en_fts match t.fts_query
        where articles_en_fts.rowid = new.id"""
    insert_hits = "".join(
        f"""
        insert into watchlist_hits (article, watchlist, term, matched_in, snippet, matched_at)
        {select}
        on conflict (article, watchlist, term, matched_in) do update set snippet = excluded.snippet;"""
        for select in (match_original, match_english)
    )
    index_new = """
        insert into articles_fts (rowid, title, text, title_en, text_en)
          values (new.id, new.title, new.text, new.title_en, new.text_en);
        insert into articles_en_fts (rowid, title_en, text_en) values (new.id, new.title_en, new.text_en);"""
    unindex_old = """
        insert into articles_fts (articles_fts, rowid, title, text, title_en, text_en)
          values ('delete', old.id, old.title, old.text, old.title_en, old.text_en);
        insert into articles_en_fts (articles_en_fts, rowid, title_en, text_en)
          values ('delete', old.id, old.title_en, old.text_en);"""
    source_columns = """
        update articles set country = (select country from sources where name = new.source),
                            kind = (select kind from sources where name = new.source)
        where id = new.id;"""
    db.executescript(
        f"""
        create trigger articles_workbench_ai after insert on articles begin
          {index_new}
          {source_columns}
          {insert_hits}
        end;
        create trigger articles_workbench_au after update of title, text, title_en, text_en on articles begin
          {unindex_old}
          {index_new}
          delete from watchlist_hits where article = new.id
            and (watchlist, term, matched_in) not in (
              select watchlist, term, matched_in from ({match_original})
              union all select watchlist, term, matched_in from ({match_english}));
          {insert_hits}
        end;
        create trigger articles_workbench_ad after delete on articles begin
          {unindex_old}
          delete from watchlist_hits where article = old.id;
        end;
        create trigger articles_workbench_source after update of source on articles begin
          {source_columns}
        end;
        create trigger sources_workbench_au after update of country, kind on sources
        when old.country is not new.country or old.kind is not new.kind begin
          update articles set country = new.country, kind = new.kind where source = new.name;
        end;
        create trigger sources_workbench_ai after insert on sources begin
          update articles set country = new.country, kind = new.kind where source = new.name;
        end;
        """
    )


def _m510_signature(text: str) -> tuple[bytes, list[tuple[int, int]]]:
    """m510's MinHash of a text and its LSH band keys, frozen as they were when m510 was written.

    A migration must give the same result whenever it runs, so it carries its
    own copy instead of importing ``storage.dedupe``, which may change (a later
    migration re-signs the articles when it does).
    """
    import hashlib
    import re
    import unicodedata

    import numpy as np

    rng = np.random.default_rng(20261123)
    a = rng.integers(1, 1 << 31, 64, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, 64, dtype=np.uint64)
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "big") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    signature = ((hashes[:, None] * a + b) % np.uint64((1 << 61) - 1)).min(axis=0).astype("<u8")
    keys = [
        (band, int.from_bytes(hashlib.blake2b(signature[band * 4 : band * 4 + 4].tobytes(), digest_size=8).digest(), "big", signed=True))
        for band in range(16)
    ]
    return signature.tobytes(), keys


@migrations()
def m510_minhash_duplicates(db: Database) -> None:
    """Syndicated copies by MinHash + LSH (``article_lsh``) instead of m500's SimHash columns.

    SimHash at a 3-bit distance missed releases republished with an extra
    sentence; MinHash estimates trigram overlap directly. Texts of 200
    characters and more are signed.
    """
    db.executescript(
        """
        create table article_lsh (band integer not null, key integer not null, article_id integer not null);
        create index article_lsh_band_key on article_lsh (band, key);
        create index article_lsh_article on article_lsh (article_id);
        alter table articles add column minhash blob; -- 64 MinHash minima, little-endian uint64
        drop index if exists idx_articles_simhash_band0;
        drop index if exists idx_articles_simhash_band1;
        drop index if exists idx_articles_simhash_band2;
        drop index if exists idx_articles_simhash_band3;
        alter table articles drop column simhash_band0;
        alter table articles drop column simhash_band1;
        alter table articles drop column simhash_band2;
        alter table articles drop column simhash_band3;
        alter table articles drop column simhash;
        """
    )
    for article_id, text in db.execute("select id, text from articles where length(text) >= 200").fetchall():
        signature, keys = _m510_signature(text)
        db.execute("update articles set minhash = ? where id = ?", [signature, article_id])
        db.conn.executemany("insert into article_lsh (band, key, article_id) values (?, ?, ?)", [(band, key, article_id) for band, key in keys])


@migrations()
def m520_recurring_chrome(db: Database) -> None:
    """Counts of lines and adjacent line pairs at articles' edges, to strip chrome extraction let through.

    See ``storage.boilerplate``. ``last_seen`` is an ordinal of the source's new
    articles in that language (``boilerplate_sources.articles``), not a time.
    ``articles.chrome_removed`` keeps the lines stripped from each article.
    """
    db.execute(
        "create table boilerplate_sources (source text not null, lang text not null, articles integer not null, "
        "primary key (source, lang))"
    )
    db.execute(
        """
        create table boilerplate_lines (
            source text not null, lang text not null, key text not null, line text not null,
            articles integer not null, last_seen integer not null,
            primary key (source, lang, key)
        )
        """
    )
    db.execute(
        """
        create table boilerplate_pairs (
            source text not null, lang text not null, first_key text not null, second_key text not null,
            articles integer not null, last_seen integer not null,
            primary key (source, lang, first_key, second_key)
        )
        """
    )
    db.execute("create index boilerplate_pairs_source_articles on boilerplate_pairs (source, lang, articles)")
    db["articles"].add_column("chrome_removed", str)


@migrations()
def m600_published_time(db: Database) -> None:
    """The publication time with its offset, and where the date came from.

    ``published`` stays the date (YYYY-MM-DD, for facets and per-day counts);
    ``published_at`` is the full ISO 8601 timestamp when the page gives one;
    ``published_source`` is meta, json-ld, time, url or text (``crawler.extract``).
    """
    db["articles"].add_column("published_at", str)
    db["articles"].add_column("published_source", str)


@migrations()
def m601_minhash_affine32(db: Database) -> None:
    """Signatures of datasketch's affine32 MinHash (128 uint32) and 18 bands of 7 rows; links rechecked.

    m510's hash family was nearly monotone, so unrelated articles were linked as
    copies. The LSH table becomes a covering primary key read in ``article_id``
    order; every signature and ``duplicate_of`` link is then recomputed by the
    ``dedupe_recheck`` task this migration queues (``storage.db.run_pending_tasks``),
    so the migration itself stays plain SQL that later code changes cannot alter.
    """
    db.executescript(
        """
        drop table article_lsh;
        create table article_lsh (band integer not null, key integer not null, article_id integer not null,
          primary key (band, key, article_id)) without rowid;
        create index article_lsh_article on article_lsh (article_id);
        create table if not exists pending_tasks (name text primary key, requested_at text not null);
        insert or ignore into pending_tasks (name, requested_at)
          select 'dedupe_recheck', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') where exists (select 1 from articles);
        """
    )


@migrations()
def m610_watchlist_probe(db: Database) -> None:
    """Watchlist terms matched against the new article alone, not against the whole index.

    m300's triggers ran every term as an FTS query over all of ``articles_fts``
    and kept the new row's matches: storing one article cost more as the table
    grew (254 ms at 200,000 articles with the bundled terms). Here a trigger
    indexes the new or changed article alone in a probe table with the same
    tokenizer (FTS5, external content on ``articles``, emptied first with
    ``delete-all``), so terms match there exactly as in ``articles_fts``, with
    the same snippets, at a cost that does not depend on the table's size
    (200 terms: about 1 ms, BENCHMARKS.md "At scale", ingest cost).

    Matching no longer reads ``articles_fts``, so it has triggers of its own,
    skipped while there are no terms: writing an article's original or its
    English queues that part in ``watchlist_pending``, whose trigger matches it
    (so a translation does not re-match the original). Hits that still match
    keep their first ``matched_at``.
    """
    db.executescript(
        """
        drop trigger articles_workbench_ai;
        drop trigger articles_workbench_au;

        create trigger articles_workbench_ai after insert on articles begin
          insert into articles_fts (rowid, title, text, title_en, text_en)
            values (new.id, new.title, new.text, new.title_en, new.text_en);
          insert into articles_en_fts (rowid, title_en, text_en) values (new.id, new.title_en, new.text_en);
          update articles set country = (select country from sources where name = new.source),
                              kind = (select kind from sources where name = new.source)
          where id = new.id;
        end;

        create trigger articles_workbench_au after update of title, text, title_en, text_en on articles begin
          insert into articles_fts (articles_fts, rowid, title, text, title_en, text_en)
            values ('delete', old.id, old.title, old.text, old.title_en, old.text_en);
          insert into articles_en_fts (articles_en_fts, rowid, title_en, text_en)
            values ('delete', old.id, old.title_en, old.text_en);
          insert into articles_fts (rowid, title, text, title_en, text_en)
            values (new.id, new.title, new.text, new.title_en, new.text_en);
          insert into articles_en_fts (rowid, title_en, text_en) values (new.id, new.title_en, new.text_en);
        end;

        -- One document at a time, with the tokenizers of articles_fts and articles_en_fts.
        create virtual table watchlist_probe using fts5(
          title, text, content='articles', content_rowid='id',
          tokenize="unicode61 remove_diacritics 2 separators 'ʻʼʹʽ'");
        create virtual table watchlist_probe_en using fts5(
          title_en, text_en, content='articles', content_rowid='id',
          tokenize="porter unicode61 remove_diacritics 2 separators 'ʻʼʹʽ'");

        -- An article (part) to match: a row lives here only while its trigger runs.
        create table watchlist_pending (article integer not null, matched_in text not null);

        create trigger watchlist_pending_original after insert on watchlist_pending
        when new.matched_in = 'original' begin
          insert into watchlist_probe (watchlist_probe) values ('delete-all');
          insert into watchlist_probe (rowid, title, text) select id, title, text from articles where id = new.article;
          delete from watchlist_hits where article = new.article and matched_in = 'original' and not exists (
            select 1 from watchlist_terms t join watchlist_probe on watchlist_probe match t.fts_query
            where t.watchlist = watchlist_hits.watchlist and t.term = watchlist_hits.term);
          insert into watchlist_hits (article, watchlist, term, matched_in, snippet, matched_at)
            select new.article, t.watchlist, t.term, 'original', snippet(watchlist_probe, -1, '⟦', '⟧', '…', 16),
                   strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
            from watchlist_terms t join watchlist_probe on watchlist_probe match t.fts_query where true
            on conflict (article, watchlist, term, matched_in) do update set snippet = excluded.snippet;
          delete from watchlist_pending;
        end;

        create trigger watchlist_pending_english after insert on watchlist_pending
        when new.matched_in = 'english' begin
          insert into watchlist_probe_en (watchlist_probe_en) values ('delete-all');
          insert into watchlist_probe_en (rowid, title_en, text_en) select id, title_en, text_en from articles where id = new.article;
          delete from watchlist_hits where article = new.article and matched_in = 'english' and not exists (
            select 1 from watchlist_terms t join watchlist_probe_en on watchlist_probe_en match t.fts_query
            where t.watchlist = watchlist_hits.watchlist and t.term = watchlist_hits.term);
          insert into watchlist_hits (article, watchlist, term, matched_in, snippet, matched_at)
            select new.article, t.watchlist, t.term, 'english', snippet(watchlist_probe_en, -1, '⟦', '⟧', '…', 16),
                   strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
            from watchlist_terms t join watchlist_probe_en on watchlist_probe_en match t.fts_query where true
            on conflict (article, watchlist, term, matched_in) do update set snippet = excluded.snippet;
          delete from watchlist_pending;
        end;

        create trigger watchlist_ai after insert on articles when exists (select 1 from watchlist_terms) begin
          insert into watchlist_pending values (new.id, 'original');
          insert into watchlist_pending select new.id, 'english' where coalesce(new.title_en, new.text_en) is not null;
        end;
        create trigger watchlist_original_au after update of title, text on articles
        when exists (select 1 from watchlist_terms) begin
          insert into watchlist_pending values (new.id, 'original');
        end;
        create trigger watchlist_english_au after update of title_en, text_en on articles
        when exists (select 1 from watchlist_terms) begin
          insert into watchlist_pending values (new.id, 'english');
        end;
        """
    )


@migrations()
def m650_alerts(db: Database) -> None:
    """What ``newsmon alerts`` has sent, per destination, so a re-run never repeats a message.

    ``alert_destinations.since`` bounds the first run: hits matched more than a day
    before a destination was first used are history, not news.
    """
    db.executescript(
        """
        create table alert_destinations (name text primary key, since text not null);
        create table alert_hits_sent (
          destination text not null references alert_destinations(name) on delete cascade,
          hit integer not null references watchlist_hits(id) on delete cascade,
          sent_at text not null,
          primary key (destination, hit)
        );
        create index alert_hits_sent_hit on alert_hits_sent (hit);
        create table alert_source_notices (
          destination text not null references alert_destinations(name) on delete cascade,
          source text not null,
          problem text not null,
          sent_at text not null,
          primary key (destination, source, problem)
        );
        create table alert_digests (
          destination text not null references alert_destinations(name) on delete cascade,
          day text not null,
          sent_at text not null,
          primary key (destination, day)
        );
        """
    )


@migrations()
def m651_front_page_indexes(db: Database) -> None:
    """The front page and dashboard ask for today's hits and the last day's articles: index both times."""
    db.execute("create index if not exists watchlist_hits_matched_at on watchlist_hits (matched_at)")
    db.execute("create index if not exists articles_fetched_at on articles (fetched_at)")


@migrations()
def m660_stories_entities(db: Database) -> None:
    """Stories (articles about one event, across languages) and the places and organisations articles name.

    See ``storage.stories`` and ``storage.entities``. ``story_terms`` is the
    candidate index (each article's top terms by day), ``story_vectors`` the
    TF-IDF vectors compared, ``story_df`` the document frequencies (term ''
    counts documents). ``newsmon stories --recompute`` fills them for articles
    stored before this migration.
    """
    db.executescript(
        """
        create table stories (
          id integer primary key,
          title text,          -- English headline (the earliest article with English)
          first_seen text,     -- earliest publication (or first-stored) time of its articles
          last_seen text,
          articles integer not null default 0,
          sources integer not null default 0,
          languages text,
          updated_at text
        );
        create index stories_last_seen on stories (last_seen);
        alter table articles add column story_id integer;
        create index articles_story_id on articles (story_id);
        create table story_terms (term text not null, day text not null, article_id integer not null,
          primary key (term, day, article_id)) without rowid;
        create index story_terms_article on story_terms (article_id);
        create table story_vectors (article_id integer not null, space text not null, day text not null, vector text not null,
          primary key (article_id, space));
        create table story_df (term text primary key, df integer not null) without rowid;
        create table article_entities (
          id integer primary key,
          article_id integer not null references articles(id) on delete cascade,
          kind text not null,          -- place or org
          name text not null,          -- normalised (English) name
          form text not null,          -- as written in the article (first mention)
          found_in text not null,      -- title, text, title_en or text_en
          mentions integer not null default 1,
          place_kind text,             -- country, region or city
          country text,
          region text,
          lat real,
          lon real,
          self_described integer not null default 0,
          note text
        );
        create index article_entities_article on article_entities (article_id);
        create index article_entities_name on article_entities (kind, name);

        -- The story page: one row per article of a story (filter on story), with its places and organisations.
        create view story_articles as
        select a.story_id as story, s.title as story_title, a.id as article,
               coalesce(a.title_en, a.title) as title_en, a.source, a.lang,
               coalesce(a.published_at, a.published) as published, a.fetched_at, a.url, a.duplicate_of,
               (select group_concat(name, '; ') from (select distinct name from article_entities e
                  where e.article_id = a.id and e.kind = 'place' order by name)) as places,
               (select group_concat(name, '; ') from (select distinct name from article_entities e
                  where e.article_id = a.id and e.kind = 'org' order by name)) as organisations,
               s.first_seen, s.last_seen
        from articles a join stories s on s.id = a.story_id;
        """
    )


@migrations()
def m670_workbench_scale_indexes(db: Database) -> None:
    """Indexes for what the workbench asks of a million articles: its facets, filters, sorts and feeds.

    Each facet counts one column over the table (or over a filter): an index holding
    that column answers from the index alone instead of reading every article's row,
    whose text comes first. Two indexes hold every facet column, one led by the language
    and one by the source (the filters analysts use most, e.g. "Uzbek by script"), so the
    facets of the whole table and of one language or source read no row; ``kind`` and
    ``script`` get their own (the whole table's facets, without a sort); ``(source, fetched_at)`` each source's last new article (``source_health``);
    ``(lang, published)`` serves the newest articles of one language;
    ``updated_at`` the latest feed; ``coalesce(published, fetched_at)`` the canned
    queries that list by date; ``watchlist_hits_feed`` a watchlist's feed, which groups
    all of that watchlist's hits by article before reading the 50 newest articles.
    Figures in BENCHMARKS.md, "At scale — the workbench".
    """
    db.executescript(
        """
        -- every facet column, led by the two filters analysts use most: facets within a
        -- language or a source are then counted from the index alone (the first also holds
        -- what the per-day and untranslated summaries read, so they scan it, not the table)
        create index if not exists articles_lang_facets
          on articles (lang, script, source, country, kind, translation_status, published, fetched_at, translation_note);
        create index if not exists articles_source_facets
          on articles (source, lang, script, country, kind, translation_status, published);
        create index if not exists articles_lang_published on articles (lang, published);
        create index if not exists articles_kind on articles (kind);
        create index if not exists articles_script on articles (script);
        -- source_health's last new article per source (the front page, sources health)
        create index if not exists articles_source_fetched_at on articles (source, fetched_at);
        create index if not exists articles_updated_at on articles (updated_at);
        create index if not exists articles_date on articles (coalesce(published, fetched_at));
        create index if not exists watchlist_hits_feed on watchlist_hits (watchlist, article, matched_at, term);
        """
    )


@migrations()
def m680_scaleout_status(db: Database) -> None:
    """Scale-out state per source (written by `newsmon ingest` from Redis), shown in ``source_health``.

    The view is recreated with the same columns plus three: whether the source is due, being
    crawled (and by which worker) or idle, and when ingest last looked.
    """
    db.execute(
        """
        create table if not exists scaleout_sources (
          source text primary key,
          state text not null,
          worker text,
          lease_expires_at text,
          last_completed_at text,
          updated_at text not null
        )
        """
    )
    db.execute("drop view if exists source_health")
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
          (select sum(errors) from (select errors from crawl_runs r where r.source = s.name order by r.id desc limit 5)) as errors_last_5_runs,
          o.state as scaleout_state,
          o.worker as scaleout_worker,
          o.updated_at as scaleout_updated_at
        from sources s left join scaleout_sources o on o.source = s.name
        """
    )


@migrations()
def m690_article_counts(db: Database) -> None:
    """Stored article counts, kept exact by triggers, so the workbench counts without scanning.

    At a million articles each facet of the articles table read a million-entry index
    (60–120 ms each, six per page) and "Articles per source per day" grouped every
    article (0.8 s). ``article_facet_counts`` holds how many articles have each
    combination of the six facet columns; ``article_day_counts`` how many each source
    has per day (publication date, else fetch date) and how many of them have English.
    A few hundred to a few thousand rows each, whatever the number of articles.

    Triggers add the new row's values and subtract the old ones on insert, delete and
    an update of a counted column (a translation saved, a language re-identified, a
    source's country changed): each is a signed delta, so the order SQLite fires them
    in (``articles_workbench_ai`` updates country and kind right after the insert)
    does not matter, and a combination whose count reaches 0 is deleted. The key of
    ``article_facet_counts`` is the ``quote()`` of the six values: a UNIQUE constraint
    would not group NULLs. Figures in BENCHMARKS.md, "The workbench at 1,000,000 articles".
    """
    columns = ("source", "country", "kind", "lang", "script", "translation_status")

    def key(row: str) -> str:
        return " || ',' || ".join(f"quote({row}.{c})" for c in columns)

    def facet_delta(row: str, sign: str) -> str:
        return f"""
          insert into article_facet_counts (key, {', '.join(columns)}, articles)
            values ({key(row)}, {', '.join(f'{row}.{c}' for c in columns)}, {sign}1)
            on conflict (key) do update set articles = articles + excluded.articles;
          delete from article_facet_counts where key = {key(row)} and articles = 0;"""

    def day(row: str) -> str:
        return f"substr(coalesce({row}.published, {row}.fetched_at), 1, 10)"

    def english(row: str) -> str:
        return f"coalesce({row}.translation_status in ('translated', 'original'), 0)"

    def day_delta(row: str, sign: str) -> str:
        return f"""
          insert into article_day_counts (day, source, articles, with_english)
            values ({day(row)}, {row}.source, {sign}1, {sign}{english(row)})
            on conflict (day, source) do update set articles = articles + excluded.articles,
              with_english = with_english + excluded.with_english;
          delete from article_day_counts where day = {day(row)} and source = {row}.source and articles = 0;"""

    facet_changed = " or ".join(f"old.{c} is not new.{c}" for c in columns)
    day_changed = f"{day('old')} is not {day('new')} or old.source is not new.source or {english('old')} != {english('new')}"
    db.executescript(
        f"""
        create table article_facet_counts (
          key text primary key,  -- quote() of the six columns, comma-separated
          source text, country text, kind text, lang text, script text, translation_status text,
          articles integer not null
        ) without rowid;
        create table article_day_counts (
          day text not null,     -- substr(coalesce(published, fetched_at), 1, 10)
          source text not null,
          articles integer not null,
          with_english integer not null,  -- translation_status translated or original
          primary key (day, source)
        ) without rowid;
        insert into article_facet_counts (key, {', '.join(columns)}, articles)
          select {key('a')}, {', '.join(columns)}, count(*)
          from articles a group by {', '.join(columns)};
        insert into article_day_counts (day, source, articles, with_english)
          select {day('a')} as day, source, count(*), sum({english('a')})
          from articles a group by day, source;
        create trigger article_counts_ai after insert on articles begin
          {facet_delta('new', '+')}
          {day_delta('new', '+')}
        end;
        create trigger article_counts_ad after delete on articles begin
          {facet_delta('old', '-')}
          {day_delta('old', '-')}
        end;
        create trigger article_facet_counts_au
        after update of {', '.join(columns)} on articles when {facet_changed} begin
          {facet_delta('old', '-')}
          {facet_delta('new', '+')}
        end;
        create trigger article_day_counts_au
        after update of published, fetched_at, source, translation_status on articles when {day_changed} begin
          {day_delta('old', '-')}
          {day_delta('new', '+')}
        end;
        """
    )


@migrations()
def m691_untranslated_index(db: Database) -> None:
    """A partial index of the articles without English, for "Untranslated articles by language and reason".

    The summary groups the untranslated articles (a fifth of them at a million) by
    language, script, status and reason with their newest date: it scanned an index of
    every article (0.3–0.6 s). This one holds only the rows the query's WHERE selects (the
    same expression, so SQLite uses it), and everything it reads.
    """
    db.execute(
        """
        create index if not exists articles_untranslated
          on articles (lang, script, translation_status, translation_note, published, fetched_at)
          where coalesce(translation_status, 'pending') not in ('translated', 'original')
        """
    )


@migrations()
def m700_article_delete_cleanup(db: Database) -> None:
    """Deleting an article (with SQL: newsmon itself never deletes) takes what points at it along.

    Left behind, its story would count an article it no longer has, its index rows would
    fill candidate buckets, and its copies would point ``duplicate_of`` at a row that is
    gone: the earliest remaining copy becomes their original (by publication time in UTC,
    then first stored). ``story_df`` keeps counting the deleted text (a document frequency,
    not a reference); ``newsmon stories --recompute`` recounts it.
    """
    seen = (
        "case when length(coalesce(published_at, published, fetched_at)) = 10 then coalesce(published_at, published) "
        "else strftime('%Y-%m-%dT%H:%M:%S+00:00', coalesce(published_at, published, fetched_at)) end"
    )
    earliest_copy = (
        "select c.id from articles c where c.duplicate_of = old.id "
        "order by julianday(coalesce(c.published_at, c.published)) is null, "
        "julianday(coalesce(c.published_at, c.published)), c.id limit 1"
    )
    db.executescript(
        f"""
        create trigger articles_related_ad after delete on articles begin
          delete from story_terms where article_id = old.id;
          delete from story_vectors where article_id = old.id;
          delete from article_entities where article_id = old.id;
          delete from article_lsh where article_id = old.id;
          delete from article_versions where article_id = old.id;
          update articles set duplicate_of = ({earliest_copy})
            where duplicate_of = old.id and id != ({earliest_copy});
          update articles set duplicate_of = null where duplicate_of = old.id;
          delete from stories where id = old.story_id
            and not exists (select 1 from articles where story_id = old.story_id);
          update stories set
            title = (select coalesce(title_en, title) from articles where story_id = old.story_id
                     order by title_en is null, duplicate_of is not null, coalesce(published_at, published, fetched_at), id limit 1),
            first_seen = (select min({seen}) from articles where story_id = old.story_id),
            last_seen = (select max({seen}) from articles where story_id = old.story_id),
            articles = (select count(*) from articles where story_id = old.story_id),
            sources = (select count(distinct source) from articles where story_id = old.story_id),
            languages = (select group_concat(lang, ', ') from
                           (select distinct lang from articles where story_id = old.story_id order by lang)),
            updated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
          where id = old.story_id;
        end;
        """
    )
