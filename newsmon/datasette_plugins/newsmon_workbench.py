"""newsmon's Datasette plugin, loaded by ``newsmon serve`` with ``--plugins-dir``.

- ``newsmon_search_query(text)``: the SQL function the "search" canned query
  uses to turn what an analyst typed into a safe FTS5 query.
- Snippets: the ⟦ ⟧ marks around matched words become ``<mark>`` (the rest of
  the value is escaped as usual).
- ``article`` columns of canned queries link to the article page.
- The article page (``templates/row.html``) gets the article's watchlist hits
  and a ``newsmon_highlight`` filter for their snippets.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import urlsafe_components
from markupsafe import Markup, escape

from storage.search import MARK_END, MARK_START, search_query


@hookimpl
def prepare_connection(conn):
    conn.create_function("newsmon_search_query", 1, search_query, deterministic=True)


def highlight(value: str) -> Markup:
    """Escape the value, then turn the snippet marks into ``<mark>`` elements."""
    return Markup(str(escape(value)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["newsmon_highlight"] = highlight


@hookimpl
def render_cell(value, column, table, database, datasette):
    if isinstance(value, str) and MARK_START in value:
        return highlight(value)
    if table is None and column == "article" and isinstance(value, int):
        href = datasette.urls.row(database, "articles", str(value))
        return Markup(f'<a href="{escape(href)}">{value}</a>')
    return None


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "articles" or request is None:
        return {}

    async def article_hits():
        pks = urlsafe_components(request.url_vars.get("pks", ""))
        if len(pks) != 1:
            return {"article_hits": []}
        db = datasette.get_database(database)
        if not await db.table_exists("watchlist_hits"):
            return {"article_hits": []}
        result = await db.execute(
            "select watchlist, term, matched_in, snippet, matched_at from watchlist_hits "
            "where article = ? order by watchlist, term, matched_in",
            [pks[0]],
        )
        return {"article_hits": [dict(row) for row in result.rows]}

    return article_hits
