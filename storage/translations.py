"""Reading articles that need English and writing translations back, a batch per transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from storage.articles import utc_now
from storage.stories import update_article as update_story
from storage.schema import STATUS_FAILED, STATUS_NO_MODEL, STATUS_ORIGINAL, STATUS_PENDING, STATUS_TRANSLATED


@dataclass
class TranslationWrite:
    """The English for one article, or why there is none."""

    id: int
    content_hash: str  # the text this was made from: a changed article is not overwritten
    status: str
    title_en: str | None = None
    text_en: str | None = None
    engine: str | None = None
    model: str | None = None
    note: str | None = None


def _placeholders(values: Sequence) -> str:
    return ", ".join("?" for _ in values)


_CHUNK = 500  # ids per statement: far below SQLite's limit on bound variables


def _update_ids(db: sqlite_utils.Database, sql: str, params: list, ids: Sequence[int]) -> int:
    """Run ``sql`` (ending in ``id in ({ids})``) over all ``ids`` in one transaction."""
    count = 0
    with db.conn:
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            count += db.conn.execute(sql.format(ids=_placeholders(chunk)), [*params, *chunk]).rowcount
    return count


def select_to_translate(
    db: sqlite_utils.Database,
    *,
    languages_with_model: Iterable[str],
    retranslate: bool = False,
    limit: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[dict]:
    """Ids and languages of articles to translate, newest first.

    Pending and failed articles; ``no_model`` ones whose language now has a
    model; with ``retranslate`` also translated ones in a language with a model.
    """
    if ids is not None and not ids:
        return []
    langs = sorted(set(languages_with_model))
    where = [f"translation_status is null or translation_status in ('{STATUS_PENDING}', '{STATUS_FAILED}')"]
    params: list = []
    if langs:
        where.append(f"(translation_status = '{STATUS_NO_MODEL}' and lang in ({_placeholders(langs)}))")
        params += langs
        if retranslate:
            where.append(f"(translation_status = '{STATUS_TRANSLATED}' and lang in ({_placeholders(langs)}))")
            params += langs
    sql = f"select id, lang from articles where ({' or '.join(where)})"
    if ids is not None:
        sql += f" and id in ({_placeholders(ids)})"
        params += list(ids)
    sql += " order by id desc"
    if limit is not None:
        sql += " limit ?"
        params.append(limit)
    return list(db.query(sql, params))


def load_articles(db: sqlite_utils.Database, ids: Sequence[int]) -> list[dict]:
    """Title, text and content hash of these articles, in the order of ``ids``."""
    if not ids:
        return []
    rows = {
        row["id"]: row
        for row in db.query(
            f"select id, lang, title, text, content_hash from articles where id in ({_placeholders(ids)})", list(ids)
        )
    }
    return [rows[i] for i in ids if i in rows]


def save_translations(db: sqlite_utils.Database, writes: Sequence[TranslationWrite], *, now: str | None = None) -> int:
    """Write a batch in one transaction: all of it is stored, or none of it.

    A row whose text changed since it was read (a crawl updated it meanwhile)
    is skipped: it stays pending for the next run. Returns the rows written.
    """
    now = now or utc_now()
    written = 0
    with db.conn:
        for w in writes:
            cursor = db.conn.execute(
                """update articles set title_en = ?, text_en = ?, translation_status = ?,
                   translation_engine = ?, translation_model = ?, translation_note = ?, translated_at = ?
                   where id = ? and content_hash = ?""",
                [w.title_en, w.text_en, w.status, w.engine, w.model, w.note,
                 now if w.status in (STATUS_TRANSLATED, STATUS_ORIGINAL) else None, w.id, w.content_hash],
            )
            written += cursor.rowcount
            if cursor.rowcount and w.text_en:
                update_story(db, w.id, english_only=True)  # a story may gain the article once its English exists
    return written


def mark_without_model(db: sqlite_utils.Database, ids: Sequence[int], note: str) -> int:
    """Articles no model can translate: status ``no_model`` and the reason, in one transaction."""
    return _update_ids(
        db,
        """update articles set translation_status = ?, translation_note = ?, title_en = null, text_en = null,
           translation_engine = null, translation_model = null, translated_at = null where id in ({ids})""",
        [STATUS_NO_MODEL, note],
        ids,
    )


def mark_original(db: sqlite_utils.Database, ids: Sequence[int]) -> int:
    """English articles: the English is the original text."""
    return _update_ids(
        db,
        """update articles set title_en = title, text_en = text, translation_status = ?,
           translation_engine = 'original', translation_model = null,
           translation_note = 'the article is in English', translated_at = ? where id in ({ids})""",
        [STATUS_ORIGINAL, utc_now()],
        ids,
    )


def waiting_for_model(db: sqlite_utils.Database) -> dict[str | None, int]:
    """Articles stored as ``no_model``, per language: what an install would translate."""
    return {row["lang"]: row["n"] for row in db.query(
        f"select lang, count(*) as n from articles where translation_status = '{STATUS_NO_MODEL}' group by lang")}


def language_overview(db: sqlite_utils.Database) -> list[dict]:
    """Per language: how many articles, and how many in each translation status."""
    return list(
        db.query(
            """select lang, count(*) as articles,
                      sum(translation_status = 'translated') as translated,
                      sum(translation_status = 'original') as original,
                      sum(translation_status is null or translation_status = 'pending') as pending,
                      sum(translation_status = 'no_model') as no_model,
                      sum(translation_status = 'failed') as failed
               from articles group by lang order by articles desc"""
        )
    )
