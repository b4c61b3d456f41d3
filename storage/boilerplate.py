"""Site chrome that extraction let through, learned from what recurs across one source's articles.

On pages built from utility classes with no ``<article>`` element, trafilatura
keeps the footer's address, copyright and newsletter lines on about half the
pages (BENCHMARKS.md, "Extraction settings"), and no extraction setting removes
them. Such chrome comes in blocks: the same lines, in the same order, at the
start or end of article after article. An article's own sentences do not: a
stock closing sentence recurs, but next to a different sentence each time.

So, per source and language (a multilingual site has one footer per language),
the lines near each new article's edges and their adjacent pairs are counted. Both
lines of a pair count as chrome once the pair has been seen in ``MIN_ARTICLES``
articles and in at least ``MIN_TOGETHER`` of the articles where either line was
seen: footer lines nearly always come with their neighbours, while a stock
sentence that happens to stand above a leaked footer on some pages stands above
other text on many more, and stays.

Chrome is stripped from the edges only, never from the middle of a text, never
down to less than ``MIN_REMAINING_CHARS``; what was stripped is kept in
``articles.chrome_removed``, so nothing is lost. When a line starts to count, the
source's recent articles already stored with it are cleaned too, their English
included.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

import sqlite_utils

from storage.records import text_hash
from storage.dedupe import index_signature, signature_of, to_blob

logger = logging.getLogger(__name__)

#: Lines looked at, at each end of a text.
EDGE_LINES = 6
#: Longer lines are prose, not chrome.
MAX_LINE_CHARS = 300
#: Articles a pair of adjacent lines must recur in to count as chrome.
MIN_ARTICLES = 5
#: Share of its lines' articles in which the pair appears.
MIN_TOGETHER = 0.5
#: Stripping stops rather than leave less text than this (extraction's own minimum).
MIN_REMAINING_CHARS = 80
#: Stored articles re-checked, newest first, when a line starts to count as chrome.
RECLEAN_RECENT = 500
#: Lines and pairs seen once and not again for this many new articles of their source are forgotten.
FORGET_AFTER = 2000

_SPACE_RE = re.compile(r"\s+")


def line_key(line: str) -> str:
    """The same key for a line however its case, Unicode form and spacing vary."""
    normal = _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", line)).strip().casefold()
    return hashlib.blake2b(normal.encode(), digest_size=8).hexdigest()


def edge_lines(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The short lines among the first and last ``EDGE_LINES`` (key → line), and their adjacent pairs (keys)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    short: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for edge in (lines[:EDGE_LINES], lines[-EDGE_LINES:]):
        keys = [line_key(line) if len(line) <= MAX_LINE_CHARS else None for line in edge]
        short.update((key, line) for key, line in zip(keys, edge) if key)
        for first, second in zip(keys, keys[1:]):
            if first and second and (first, second) not in pairs:
                pairs.append((first, second))
    return short, pairs


@dataclass
class Stripped:
    """A text with chrome lines taken off its edges, and which of its lines went."""

    text: str
    kept: list[int]  # indices of the kept lines in ``text.split("\\n")`` of the original
    total: int  # lines in the original
    removed: str  # the stripped lines, for ``articles.chrome_removed``

    def apply(self, other: str | None) -> str | None:
        """The same lines removed from a parallel text (a translation keeps the paragraph count).

        A text with another line count is not parallel and is returned as it is.
        """
        if other is None or len(other.split("\n")) != self.total:
            return other
        lines = other.split("\n")
        return "\n".join(lines[i] for i in self.kept)


def strip_chrome(text: str, chrome: set[str]) -> Stripped | None:
    """``text`` without chrome lines at its start and end, or None if there is nothing to strip.

    Blank lines between chrome lines go with them. Stripping that would leave
    less than ``MIN_REMAINING_CHARS`` of text is not done: such a text is more
    likely a short notice than a page of chrome.
    """
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or line_key(lines[start]) in chrome):
        start += 1
    while end > start and (not lines[end - 1].strip() or line_key(lines[end - 1]) in chrome):
        end -= 1
    if start == 0 and end == len(lines):
        return None
    kept = list(range(start, end))
    stripped = "\n".join(lines[i] for i in kept)
    if len(stripped.strip()) < MIN_REMAINING_CHARS:
        return None
    removed = "\n".join(line for line in lines[:start] + lines[end:] if line.strip())
    return Stripped(stripped, kept, len(lines), removed)


def chrome_lines(db: sqlite_utils.Database, source: str, lang: str | None) -> set[str]:
    """Keys of the lines that count as chrome for ``source``'s articles in ``lang`` now."""
    keys: set[str] = set()
    for first, second in db.execute(
        """
        select p.first_key, p.second_key from boilerplate_pairs p
        join boilerplate_lines a on a.source = p.source and a.lang = p.lang and a.key = p.first_key
        join boilerplate_lines b on b.source = p.source and b.lang = p.lang and b.key = p.second_key
        where p.source = ? and p.lang = ? and p.articles >= ? and p.articles >= ? * max(a.articles, b.articles)
        """,
        [source, lang or "", MIN_ARTICLES, MIN_TOGETHER],
    ):
        keys.update((first, second))
    return keys


def learn(db: sqlite_utils.Database, source: str, lang: str | None, text: str) -> tuple[dict[str, str], set[str]]:
    """Count a new article's edge lines and pairs.

    Returns the lines (key → line) that start to count as chrome with this
    article, and the source's chrome (``chrome_lines``) after it. Call once per
    new article, inside the caller's transaction.
    """
    lang = lang or ""
    before = chrome_lines(db, source, lang)
    seen = db.execute(
        "insert into boilerplate_sources (source, lang, articles) values (?, ?, 1) "
        "on conflict (source, lang) do update set articles = articles + 1 returning articles",
        [source, lang],
    ).fetchone()[0]
    lines, pairs = edge_lines(text)
    db.conn.executemany(
        """
        insert into boilerplate_lines (source, lang, key, line, articles, last_seen) values (?, ?, ?, ?, 1, ?)
        on conflict (source, lang, key) do update set articles = articles + 1, last_seen = excluded.last_seen
        """,
        [(source, lang, key, line, seen) for key, line in lines.items()],
    )
    db.conn.executemany(
        """
        insert into boilerplate_pairs (source, lang, first_key, second_key, articles, last_seen) values (?, ?, ?, ?, 1, ?)
        on conflict (source, lang, first_key, second_key) do update set articles = articles + 1, last_seen = excluded.last_seen
        """,
        [(source, lang, first, second, seen) for first, second in pairs],
    )
    if seen % 500 == 0:
        for table in ("boilerplate_lines", "boilerplate_pairs"):
            db.execute(
                f"delete from {table} where source = ? and lang = ? and articles = 1 and last_seen < ?",
                [source, lang, seen - FORGET_AFTER],
            )
    after = chrome_lines(db, source, lang)
    return {key: lines[key] for key in after - before if key in lines}, after


def clean_stored(
    db: sqlite_utils.Database, source: str, lang: str | None, new_chrome: dict[str, str], chrome: set[str]
) -> int:
    """Strip chrome from the source's recent stored articles that contain one of ``new_chrome``'s lines.

    The English loses the same paragraphs. Not a change of the page, so no
    version is kept and the translation stays. Returns the articles cleaned.
    """
    if not new_chrome:
        return 0
    contains = " or ".join("instr(text, ?) > 0" for _ in new_chrome)
    rows = list(
        db.query(
            f"select id, title, text, text_en, chrome_removed from articles where id in ("
            f"select id from articles where source = ? and coalesce(lang, '') = ? order by id desc limit ?) and ({contains})",
            [source, lang or "", RECLEAN_RECENT, *new_chrome.values()],
        )
    )
    cleaned = 0
    for row in rows:
        stripped = strip_chrome(row["text"], chrome)
        if stripped is None:
            continue
        signature = signature_of(stripped.text)
        db["articles"].update(
            row["id"],
            {
                "text": stripped.text,
                "text_en": stripped.apply(row["text_en"]),
                "chrome_removed": "\n".join(filter(None, [row["chrome_removed"], stripped.removed])),
                "content_hash": text_hash(row["title"], stripped.text),
                "minhash": to_blob(signature) if signature is not None else None,
            },
        )
        index_signature(db, row["id"], signature)
        cleaned += 1
    if cleaned:
        logger.info("%s: %d stored article(s) cleaned of %d recurring chrome line(s)", source, cleaned, len(new_chrome))
    return cleaned

