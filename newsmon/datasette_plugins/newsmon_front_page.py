"""The way into the workbench: the front page, the queries page and the articles table's first screen.

- The home page (``templates/index.html``) shows today's watchlist hits, the newest
  articles with their English titles, the sources needing attention, and links to
  every canned query, feed and the dashboard.
- The database page lists the analysts' queries and the Atom feeds apart.
- ``/<db>/articles`` without a column choice opens with the columns an analyst reads
  first; the others stay one click away (Datasette's column menu, or ``?_nocol=``). A
  search of a very common word opens newest stored first, without total and facets.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import escape_fts

from storage.runs import SILENT_DAYS, attention_sql

#: What the articles table shows first; every other column is reachable from the column menu.
FIRST_COLUMNS = ("published", "source", "title_en", "title", "lang", "script", "translation_status", "country", "url")
#: Rows per list on the front page.
FRONT_PAGE_ROWS = 10
DASHBOARD = "overview"

_HITS_TODAY = """
select h.watchlist, h.term, h.matched_at, a.id as article, a.source, a.lang,
       coalesce(a.title_en, a.title) as title, a.url
from watchlist_hits h join articles a on a.id = h.article
where h.matched_at >= date('now')
group by h.article, h.watchlist
order by h.matched_at desc
limit :limit
"""
_NEWEST = """
select id as article, published, source, lang, title_en, title, url
from articles
where published is not null
order by published desc, id desc
limit :limit
"""
_ATTENTION = attention_sql(SILENT_DAYS)


def is_feed(query_name: str) -> bool:
    return query_name.endswith("_feed") or query_name.startswith("watchlist_feed_")


def analysts_database(datasette) -> str | None:
    names = [name for name in datasette.databases if name != "_internal"]
    return names[0] if names else None


async def split_queries(datasette, database: str, actor) -> tuple[list[dict], list[dict]]:
    """(the analysts' canned queries, the Atom feed queries), in metadata order."""
    queries = list((await datasette.get_canned_queries(database, actor)).values())
    return [q for q in queries if not is_feed(q["name"])], [q for q in queries if is_feed(q["name"])]


async def front_page(datasette, request) -> dict:
    database = analysts_database(datasette)
    if database is None:
        return {}
    db = datasette.get_database(database)
    queries, feeds = await split_queries(datasette, database, request.actor if request else None)
    found = {"front_database": database, "front_queries": queries, "front_feeds": feeds, "front_dashboard": DASHBOARD}
    if not await db.table_exists("articles"):
        return found
    params = {"limit": FRONT_PAGE_ROWS}
    found["front_hits"] = [dict(r) for r in (await db.execute(_HITS_TODAY, params)).rows]
    found["front_newest"] = [dict(r) for r in (await db.execute(_NEWEST, params)).rows]
    attention = await db.execute(_ATTENTION)
    found["front_attention"] = [dict(r) for r in attention.rows]
    return found


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template == "index.html":
        async def index_vars():
            return await front_page(datasette, request)

        return index_vars
    if template == "database.html" and database:
        async def database_vars():
            queries, feeds = await split_queries(datasette, database, request.actor if request else None)
            return {"queries": queries, "feed_queries": feeds}

        return database_vars
    return {}


#: A table search matching more articles than this opens newest stored first, without the
#: total and the facets: each of those reads every match (seconds for a common word at a
#: million articles, BENCHMARKS.md "At scale — the workbench"); a rarer word gets the usual page.
COMMON_SEARCH = 10_000


def opening_query(query: str, *, common_search: bool = False) -> str | None:
    """The query string ``/<db>/articles?query`` is redirected to, or None to serve it as is.

    No column choice: ``FIRST_COLUMNS``. A search for a common word (``common_search``)
    with no sort chosen: newest stored first (``_sort_desc=id``, read in the index's order,
    stopping after one page), no total (``_nocount``) and no facets (``_nofacet``).
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    names = {name for name, _ in pairs}
    added = []
    if "_col" not in names and "_nocol" not in names:
        added += [("_col", c) for c in FIRST_COLUMNS]
    if common_search and not names & {"_sort", "_sort_desc", "_nocount", "_nofacet"}:
        added += [("_sort_desc", "id"), ("_nocount", "1"), ("_nofacet", "1")]
    if not added:
        return None
    return (query + "&" if query else "") + urlencode(added)


async def is_common_search(datasette, database: str, query: str) -> bool:
    """Whether the table search in ``query`` (no sort chosen) matches more than ``COMMON_SEARCH`` articles.

    FTS5 counts a word's matches from its index alone (about 20 ms for 300,000 matches).
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    search = next((value for name, value in pairs if name == "_search" and value.strip()), None)
    if search is None or any(name in ("_sort", "_sort_desc", "_nocount", "_nofacet") for name, _ in pairs):
        return False
    try:
        result = await datasette.get_database(database).execute(
            "select count(*) from (select rowid from articles_fts where articles_fts match :q limit :limit)",
            {"q": escape_fts(search), "limit": COMMON_SEARCH + 1}, custom_time_limit=500,
        )
    except QueryInterrupted:
        return True
    except sqlite3.Error:  # Datasette's own page reports what is wrong with the search
        return False
    return result.first()[0] > COMMON_SEARCH


@hookimpl
def asgi_wrapper(datasette):
    """``/<db>/articles`` opens with ``FIRST_COLUMNS``, and a common word's search newest first."""

    def wrap(app):
        async def first_columns(scope, receive, send):
            if scope["type"] == "http" and scope["method"] == "GET":
                query = scope.get("query_string", b"").decode("latin-1")
                database = analysts_database(datasette)
                if database and scope["path"] == f"/{database}/articles":
                    common = await is_common_search(datasette, database, query)
                    if (changed := opening_query(query, common_search=common)) is not None:
                        location = f"/{database}/articles?{changed}"
                        await send({"type": "http.response.start", "status": 302,
                                    "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")]})
                        await send({"type": "http.response.body", "body": b""})
                        return
            await app(scope, receive, send)

        return first_columns

    return wrap
