"""Column facets of the articles table counted from stored counts, not from a million rows.

Datasette counts a column facet with ``group by`` over the table page's rows: at a
million articles each of the six default facets read a million-entry index (60–120 ms,
all six sharing Datasette's SQL threads). Migration m690 keeps ``article_facet_counts``
(how many articles have each combination of source, country, kind, lang, script and
translation status) exact with triggers, so those facets are a sum over a few hundred rows.

Datasette's own column facet is replaced by a subclass (a wrapper around
``register_facet_classes``): every facet URL analysts use keeps working and looks the
same (``_facet=``, the column menu, the links that filter), and the subclass answers
from the stored counts only when that gives exactly what Datasette would: the facet
column is counted, and the page's only restrictions are equality filters on counted
columns (``lang=ru``, ``script__exact=Cyrl``). Anything else (a search, ``_where``,
another filter, another column) goes to Datasette's ``group by`` as before.

On a later page (``_next=``) the counts are those of the whole selection, like the
total above them (Datasette's own facets count only the rows after the cursor there).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from storage.article_counts import FACET_COLUMNS, FACET_COUNTS_TABLE

#: The tables whose column facets have stored counts: (counts table, counted columns).
STORED = {"articles": (FACET_COUNTS_TABLE, FACET_COLUMNS)}

#: Query-string arguments of a table page that never change which rows it selects.
_ROW_NEUTRAL = {
    "_col", "_nocol", "_sort", "_sort_desc", "_size", "_facet", "_facet_size", "_nocount", "_nofacet",
    "_nosuggest", "_labels", "_nolabels", "_next", "_shape", "_json", "_json_infinity", "_trace",
    "_timelimit", "_ttl", "_stream", "_dl", "_context", "_extra", "_array_nl", "_nl",
}


def equality_filters(query_string: str, counted: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """The page's filters as (column, value) when all are equalities on counted columns, else None.

    Datasette reads every argument not starting with ``_`` (or holding ``__``) as a
    filter, ``column`` or ``column__lookup``; an argument starting with ``_`` may restrict
    the rows too (``_search``, ``_where``, ``_through``) unless it is known not to.
    """
    found = []
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        if key.startswith("_") and "__" not in key:
            if key in _ROW_NEUTRAL or key.startswith("_facet_"):
                continue
            return None
        column, lookup = key.rsplit("__", 1) if "__" in key else (key, "exact")
        if lookup != "exact" or column not in counted:
            return None
        found.append((column, value))
    return found


class StoredCountsColumnFacet(ColumnFacet):
    """Datasette's column facet, counted from ``article_facet_counts`` when that is exact."""

    _skip: frozenset[str] = frozenset()

    def get_configs(self):
        return [c for c in super().get_configs() if self._column(c["config"]) not in self._skip]

    @staticmethod
    def _column(config: dict) -> str:
        return config.get("column") or config["simple"]

    async def _stored(self) -> tuple[str, list[tuple[str, str]], tuple[str, ...]] | None:
        """(counts table, the page's equality filters, counted columns) if this page can use them."""
        if self.table not in STORED:
            return None
        counts_table, counted = STORED[self.table]
        filters = equality_filters(self.request.query_string, counted)
        if filters is None:
            return None
        if not await self.ds.get_database(self.database).table_exists(counts_table):
            return None  # a database not migrated yet (newsmon serve migrates first)
        return counts_table, filters, counted

    async def facet_results(self):
        stored = await self._stored()
        if stored is None:
            return await super().facet_results()
        counts_table, filters, counted = stored
        configs = [c for c in super().get_configs() if self._column(c["config"]) in counted]
        results, timed_out = [], []
        for source_and_config in configs:
            column = self._column(source_and_config["config"])
            try:
                results.append(await self._stored_facet(counts_table, filters, column, source_and_config["source"]))
            except QueryInterrupted:
                timed_out.append(column)
        # Any other column facet of the page: Datasette's own.
        self._skip = frozenset(counted)
        try:
            more, more_timed_out = await super().facet_results()
        finally:
            self._skip = frozenset()
        return results + more, timed_out + more_timed_out

    async def _stored_facet(self, counts_table: str, filters: list[tuple[str, str]], column: str, source: str) -> dict:
        """One facet's values and counts, shaped as ``ColumnFacet.facet_results`` shapes them."""
        facet_size = self.get_facet_size()
        where = [f"{escape_sqlite(c)} = :p{i}" for i, (c, _) in enumerate(filters)]
        params = {f"p{i}": value for i, (_, value) in enumerate(filters)}
        col = escape_sqlite(column)
        sql = (
            f"select {col} as value, sum(articles) as count from {escape_sqlite(counts_table)} "
            f"where {' and '.join(where + [f'{col} is not null'])} "
            f"group by {col} having count > 0 order by count desc, value limit {facet_size + 1}"
        )
        rows = await self.ds.execute(
            self.database, sql, params, truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )
        facet_rows = rows.rows[:facet_size]
        expanded = await self.ds.expand_foreign_keys(self.database, self.table, column, [r["value"] for r in facet_rows])
        qs_pairs = self.get_querystring_pairs()
        values = []
        for row in facet_rows:
            selected = (column, str(row["value"])) in qs_pairs
            if selected:
                toggle_path = path_with_removed_args(self.request, {column: str(row["value"])})
            else:
                toggle_path = path_with_added_args(self.request, {column: row["value"]})
            values.append({
                "value": row["value"],
                "label": expanded.get((column, row["value"]), row["value"]),
                "count": row["count"],
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle_path)),
                "selected": selected,
            })
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
            "results": values,
            "truncated": len(rows) > facet_size,
        }


@hookimpl(hookwrapper=True)
def register_facet_classes():
    """Datasette's column facet is replaced by ``StoredCountsColumnFacet`` (same type, same URLs)."""
    outcome = yield
    outcome.force_result([
        [StoredCountsColumnFacet if klass is ColumnFacet else klass for klass in classes]
        for classes in outcome.get_result()
    ])
