"""Turning what people type into safe SQLite FTS5 queries.

Two FTS5 tables index the articles (see migration ``m300_workbench`` in
``storage/schema.py``): ``articles_fts`` over the originals and their English
(``unicode61 remove_diacritics 2``, no stemming, so Russian, Uzbek, Kazakh and
Italian words are indexed as written) and ``articles_en_fts`` over the English
only, with the Porter stemmer. Both treat every Uzbek apostrophe variant
(ʻ ʼ ' ` ‘ ’) as a word separator, so ``o'g'irlik`` and ``oʻgʻirlik`` index and
query alike: the phrase ``o g irlik``.

The functions here never produce an FTS5 syntax error: each word is quoted
(apostrophes, hyphens and dots are then handled by the tokenizer, as in the
text), a trailing ``*`` asks for a prefix, ``"..."`` keeps a phrase and ``OR``
between words is kept. Datasette calls :func:`search_query` as the SQL
function ``newsmon_search_query`` (registered by the newsmon Datasette plugin).
"""

from __future__ import annotations

import re

#: Marks around the matched words in stored and displayed snippets. Readable as
#: plain text; the Datasette plugin turns them into ``<mark>``.
MARK_START = "⟦"
MARK_END = "⟧"

#: FTS5 query that matches nothing (an empty phrase), used for empty input.
MATCH_NOTHING = '""'

_BITS_RE = re.compile(r'"[^"]*"?|\S+')


class SearchQueryError(ValueError):
    """A watchlist term that has no word in it (it could never match)."""


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _phrase(bit: str) -> str | None:
    """One typed word or ``"phrase"`` as a quoted FTS5 phrase, ``*`` kept as a prefix."""
    prefix = bit.endswith("*") and len(bit) > 1
    body = bit[:-1] if prefix else bit
    if body.startswith('"'):
        body = body[1:-1] if body.endswith('"') and len(body) > 1 else body[1:]
    body = body.strip()
    if not _has_word(body):
        return None
    return _quote(body) + (" *" if prefix else "")


def search_query(text: str | None) -> str:
    """What an analyst typed → an FTS5 query: all words must match (``OR`` allowed)."""
    parts: list[str] = []
    for bit in _BITS_RE.findall(text or ""):
        if bit == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        phrase = _phrase(bit)
        if phrase:
            parts.append(phrase)
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts) if parts else MATCH_NOTHING


def term_query(term: str) -> str:
    """A watchlist term → an FTS5 phrase query: its words in order; a final ``*`` is a prefix.

    Raises :class:`SearchQueryError` for a term without a letter or digit.
    """
    words = " ".join(term.split())
    prefix = words.endswith("*")
    body = words.rstrip("*").strip().strip('"').strip()
    if not _has_word(body):
        raise SearchQueryError(f"term {term!r} has no letter or digit")
    return _quote(body) + (" *" if prefix else "")
