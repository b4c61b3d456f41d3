"""Site chrome that extraction let through, learned from what recurs across one source's articles.

On pages built from utility classes with no ``<article>`` element, trafilatura
keeps the footer's address, copyright and newsletter lines on about half the
pages (BENCHMARKS.md, "Extraction settings"), and no extraction setting removes
them. Such chrome comes in blocks: the same lines, in the same order, at the
start or end of article after article. An article's own sentences do not: a
stock closing sentence recurs, but next to a different sentence each time.

So, per source and language (a multilingual site has one footer per language),
every new article's pairs of adjacent lines near its edges are counted, and both
lines of a pair seen in ``MIN_ARTICLES`` articles count as chrome. Chrome is
stripped from the edges only, never from the middle of a text, never down to less
than ``MIN_REMAINING_CHARS``; what was stripped is kept in ``articles.chrome_removed``,
so nothing is lost. When a pair starts to count, the source's recent articles
already stored with it are cleaned too, their English included.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

import sqlite_utils

from crawler.items import text_hash
from storage.dedupe import MIN_CHARS, index_signature, minhash, to_blob

logger = logging.getLogger(__name__)

#: Lines looked at, at each end of a text.
EDGE_LINES = 6
#: Longer lines are prose, not chrome.
MAX_LINE_CHARS = 300
#: Articles a pair of adjacent lines must recur in to count as chrome.
MIN_ARTICLES = 5
#: Stripping stops rather than leave less text than this (extraction's own minimum).
MIN_REMAINING_CHARS = 80
#: Stored articles re-checked, newest first, when a pair starts to count as chrome.
RECLEAN_RECENT = 500
#: Pairs seen once and not again for this many new articles of their source are forgotten.
FORGET_AFTER = 2000

_SPACE_RE = re.compile(r"\s+")


def line_key(line: str) -> str:
    """The same key for a line however its case, Unicode form and spacing vary."""
    normal = _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", line)).strip().casefold()
    return hashlib.blake2b(normal.encode(), digest_size=8).hexdigest()


def edge_pairs(text: str) -> list[tuple[str, str]]:
    """Adjacent pairs of short lines among the first and the last ``EDGE_LINES`` lines, each pair once."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    pairs: list[tuple[str, str]] = []
    for edge in (lines[:EDGE_LINES], lines[-EDGE_LINES:]):
        for first, second in zip(edge, edge[1:]):
            if len(first) <= MAX_LINE_CHARS and len(second) <= MAX_LINE_CHARS and (first, second) not in pairs:
                pairs.append((first, second))
    return pairs


@dataclass
class Stripped:
    """A text with chrome lines taken off its edges, and which of its lines went."""

    text: str
    kept: list[int]  # indices of the kept lines in ``text.split("\\n")`` of the original
    removed: str  # the stripped lines, for ``articles.chrome_removed``

    def apply(self, other: str | None) -> str | None:
        """The same lines removed from a parallel text (the translation keeps paragraph count)."""
        if other is None:
            return None
        lines = other.split("\n")
        if len(lines) <= max(self.kept, default=-1):
            return other
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
    return Stripped(stripped, kept, removed)


def chrome_lines(db: sqlite_utils.Database, source: str, lang: str | None) -> set[str]:
    """Keys of the lines that count as chrome for ``source``'s articles in ``lang`` now."""
    keys: set[str] = set()
    for first, second in db.execute(
        "select first_key, second_key from boilerplate_pairs where source = ? and lang = ? and articles >= ?",
        [source, lang or "", MIN_ARTICLES],
    ):
        keys.update((first, second))
    return keys


def learn(db: sqlite_utils.Database, source: str, lang: str | None, text: str) -> dict[str, str]:
    """Count a new article's edge pairs; return the lines (key → line) that now start to count as chrome.

    Call once per new article, inside the caller's transaction.
    """
    lang = lang or ""
    seen = db.execute(
        "insert into boilerplate_sources (source, lang, articles) values (?, ?, 1) "
        "on conflict (source, lang) do update set articles = articles + 1 returning articles",
        [source, lang],
    ).fetchone()[0]
    new_chrome: dict[str, str] = {}
    for first, second in edge_pairs(text):
        keys = (line_key(first), line_key(second))
        count = db.execute(
            """
            insert into boilerplate_pairs (source, lang, first_key, second_key, first_line, second_line, articles, last_seen)
            values (?, ?, ?, ?, ?, ?, 1, ?)
            on conflict (source, lang, first_key, second_key) do update set articles = articles + 1, last_seen = excluded.last_seen
            returning articles
            """,
            [source, lang, *keys, first, second, seen],
        ).fetchone()[0]
        if count == MIN_ARTICLES:
            new_chrome.update(zip(keys, (first, second)))
    if seen % 500 == 0:
        db.execute(
            "delete from boilerplate_pairs where source = ? and lang = ? and articles = 1 and last_seen < ?",
            [source, lang, seen - FORGET_AFTER],
        )
    return new_chrome


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
        signature = minhash(stripped.text) if len(stripped.text) >= MIN_CHARS else None
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

