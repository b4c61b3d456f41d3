"""Watchlists: named lists of terms, matched against every article's original and English text.

The file (TOML, one ``[[watchlist]]`` table each) is loaded and validated here
and mirrored into the ``watchlists`` and ``watchlist_terms`` tables by
:func:`sync_watchlists`. Matching at ingest happens in SQL: the article
triggers of migration ``m610_watchlist_probe`` index the new or changed article
alone in a probe FTS5 table (the tokenizer of the search index) and run every
stored term (an FTS5 phrase query) there, so crawl, fetch and translation all
record hits without calling anything, at a cost that does not grow with the
table. A term therefore matches exactly as a search does: case and accents
ignored, Uzbek apostrophe variants alike, a trailing ``*`` for a prefix
(Russian stems), English stemming on the English.

Syncing a new or changed watchlist re-checks every stored article against it;
hits that still match keep their first ``matched_at``, so feeds stay stable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from storage.articles import utc_now
from storage.atomic import write_transaction
from storage.search import SearchQueryError, term_query

logger = logging.getLogger(__name__)

WATCHLIST_KEYS = {
    "name": "unique id: lower-case letters, digits, '-' and '_' (used in feed URLs)",
    "description": "what the list is for, shown to analysts (optional)",
    "terms": "words or phrases in any language and script; a trailing * matches a prefix",
}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class WatchlistError(ValueError):
    """The watchlists file is missing, unreadable or has an invalid entry."""


@dataclass(frozen=True)
class Watchlist:
    name: str
    terms: tuple[str, ...]
    description: str = ""

    @property
    def queries(self) -> tuple[str, ...]:
        """One FTS5 phrase query per term (raises SearchQueryError for a term without a word)."""
        return tuple(term_query(term) for term in self.terms)

    @property
    def definition_hash(self) -> str:
        data = json.dumps([self.description, list(self.terms)], ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rechecked: dict[str, int] = field(default_factory=dict)  # name -> hits after the re-check

    def summary_lines(self) -> list[str]:
        lines = []
        for name, hits in self.rechecked.items():
            state = "added" if name in self.added else "changed" if name in self.changed else "re-checked"
            lines.append(f"{name}: {state}, {hits} hit(s)")
        lines += [f"{name}: removed" for name in self.removed]
        lines += [f"{name}: unchanged" for name in self.unchanged if name not in self.rechecked]
        return lines


def _entry(path: Path, index: int, raw: object) -> Watchlist:
    if not isinstance(raw, dict):
        raise WatchlistError(f"{path}: watchlist #{index} is not a table")
    label = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index}"
    where = f"{path}: watchlist {label}"
    unknown = sorted(set(raw) - set(WATCHLIST_KEYS))
    if unknown:
        raise WatchlistError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(WATCHLIST_KEYS)})")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise WatchlistError(f"{where}: key 'name' must be {WATCHLIST_KEYS['name']}")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise WatchlistError(f"{where}: key 'description' must be a string")
    terms = raw.get("terms")
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise WatchlistError(f"{where}: key 'terms' must be a non-empty list of strings")
    cleaned: list[str] = []
    for term in terms:
        term = " ".join(term.split())
        if term in cleaned:
            continue
        try:
            term_query(term)
        except SearchQueryError as exc:
            raise WatchlistError(f"{where}: key 'terms': {exc}") from None
        cleaned.append(term)
    return Watchlist(name=name, description=description.strip(), terms=tuple(cleaned))


def load_watchlists(path: str | Path) -> list[Watchlist]:
    """Read and validate the watchlists file; errors name the file, the watchlist and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WatchlistError(f"{path}: watchlists file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read watchlists file: {exc}") from None
    unknown = sorted(set(data) - {"watchlist"})
    if unknown:
        raise WatchlistError(f"{path}: unknown top-level key {unknown[0]!r} (expected [[watchlist]] tables)")
    entries = data.get("watchlist", [])
    if not isinstance(entries, list):
        raise WatchlistError(f"{path}: 'watchlist' must be an array of tables ([[watchlist]])")
    watchlists = [_entry(path, i, raw) for i, raw in enumerate(entries, 1)]
    seen: set[str] = set()
    for wl in watchlists:
        if wl.name in seen:
            raise WatchlistError(f"{path}: watchlist {wl.name}: key 'name' is used twice")
        seen.add(wl.name)
    return watchlists


# Every stored article against one watchlist's terms, through the search indexes. A snippet
# is built only for a hit not stored yet: building one costs far more than the match, and a
# stored hit's snippet changes only when its article does (the triggers re-match it then).
_MATCH_ORIGINAL = """
    select articles_fts.rowid as article, t.watchlist, t.term, 'original' as matched_in, h.id is null as new,
           case when h.id is null then snippet(articles_fts, -1, '⟦', '⟧', '…', 16) end as snippet
    from watchlist_terms t
    join articles_fts on articles_fts match ('{title text} : (' || t.fts_query || ')')
    left join watchlist_hits h on h.article = articles_fts.rowid and h.watchlist = t.watchlist
      and h.term = t.term and h.matched_in = 'original'
    where t.watchlist = :name
"""
_MATCH_ENGLISH = """
    select articles_en_fts.rowid as article, t.watchlist, t.term, 'english' as matched_in, h.id is null as new,
           case when h.id is null then snippet(articles_en_fts, -1, '⟦', '⟧', '…', 16) end as snippet
    from watchlist_terms t
    join articles_en_fts on articles_en_fts match t.fts_query
    left join watchlist_hits h on h.article = articles_en_fts.rowid and h.watchlist = t.watchlist
      and h.term = t.term and h.matched_in = 'english'
    where t.watchlist = :name
"""


def _store_definition(db: sqlite_utils.Database, wl: Watchlist, now: str) -> None:
    db.execute(
        "insert into watchlists (name, description, terms, definition_hash, updated_at) values (?, ?, ?, ?, ?) "
        "on conflict (name) do update set description = excluded.description, terms = excluded.terms, "
        "definition_hash = excluded.definition_hash, updated_at = excluded.updated_at",
        [wl.name, wl.description, "\n".join(wl.terms), wl.definition_hash, now],
    )
    db.execute("delete from watchlist_terms where watchlist = ?", [wl.name])
    db.conn.executemany(
        "insert into watchlist_terms (watchlist, term, fts_query) values (?, ?, ?)",
        [(wl.name, term, query) for term, query in zip(wl.terms, wl.queries)],
    )


def _recheck(db: sqlite_utils.Database, name: str, now: str) -> int:
    """Match every stored article against one watchlist's terms; returns its hit count."""
    db.execute("create temp table if not exists watchlist_matches (article, watchlist, term, matched_in, new, snippet)")
    db.execute("delete from temp.watchlist_matches")
    for select in (_MATCH_ORIGINAL, _MATCH_ENGLISH):
        db.execute(f"insert into temp.watchlist_matches {select}", {"name": name})
    db.execute(
        "delete from watchlist_hits where watchlist = :name and (article, term, matched_in) not in "
        "(select article, term, matched_in from temp.watchlist_matches)",
        {"name": name},
    )
    db.execute(
        "insert into watchlist_hits (article, watchlist, term, matched_in, snippet, matched_at) "
        "select article, watchlist, term, matched_in, snippet, :now from temp.watchlist_matches where new",
        {"now": now},
    )
    db.execute("update watchlists set checked_at = ? where name = ?", [now, name])
    return db.execute("select count(*) from watchlist_hits where watchlist = ?", [name]).fetchone()[0]


def sync_watchlists(
    db: sqlite_utils.Database, watchlists: list[Watchlist], *, recheck_all: bool = False
) -> SyncReport:
    """Make the database's watchlists those of the file, in one transaction.

    New and changed watchlists are re-checked against every stored article
    (``recheck_all`` re-checks the unchanged ones too); removed ones lose
    their hits.
    """
    now = utc_now()
    report = SyncReport()
    with write_transaction(db):
        stored = {row[0]: row[1] for row in db.execute("select name, definition_hash from watchlists")}
        for wl in watchlists:
            if wl.name not in stored:
                report.added.append(wl.name)
            elif stored[wl.name] != wl.definition_hash:
                report.changed.append(wl.name)
            else:
                report.unchanged.append(wl.name)
                if not recheck_all:
                    continue
            if wl.name in report.added or wl.name in report.changed:
                _store_definition(db, wl, now)
            report.rechecked[wl.name] = _recheck(db, wl.name, now)
        for name in sorted(set(stored) - {wl.name for wl in watchlists}):
            db.execute("delete from watchlist_hits where watchlist = ?", [name])
            db.execute("delete from watchlist_terms where watchlist = ?", [name])
            db.execute("delete from watchlists where name = ?", [name])
            report.removed.append(name)
    for line in report.summary_lines():
        logger.info("watchlists: %s", line)
    return report


def watchlist_stats(db: sqlite_utils.Database) -> dict[str, dict]:
    """Per stored watchlist: definition hash, hits, articles hit and the last hit time."""
    rows = db.query(
        """
        select w.name, w.definition_hash, w.checked_at,
               count(h.id) as hits, count(distinct h.article) as articles, max(h.matched_at) as last_hit
        from watchlists w left join watchlist_hits h on h.watchlist = w.name
        group by w.name
        """
    )
    return {row["name"]: row for row in rows}
