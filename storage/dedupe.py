"""Near-duplicate texts (syndicated releases): MinHash signatures with LSH bands in SQLite.

A ministry release republished by three outlets keeps most of its word
trigrams even when each outlet adds its own intro or sign-off. MinHash
(datasketch's ``affine32`` scheme: a MurmurHash3 pre-mix, then bijective
``a·x + b mod 2^32`` permutations) estimates the Jaccard similarity of two
texts' trigram sets. LSH bands (``article_lsh``) find the candidates with an
index lookup; each bucket holds at most ``MAX_BUCKET`` articles and gives at most
``PER_BAND`` of its oldest, so the work per article and the bucket sizes stay
bounded however large the table or a cluster of copies grows. Every candidate is
verified by estimated Jaccard before a link.

The original of a cluster is its earliest *published* copy; when times are
missing or equal, the first crawled. A copy that turns out to be older than
the cluster's original takes its place (the links are re-pointed).

Parameters measured with ``benchmarks/dedupe_bench.py`` (generated police and
fraud news in English, Russian, Uzbek and Kazakh; BENCHMARKS.md, "At scale").
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlite_utils

logger = logging.getLogger(__name__)

NUM_PERM = 128
#: 18 bands of 7 rows (126 of the 128 values): datasketch's ``_optimal_param(0.7, 128,
#: fp_weight=0.2, fn_weight=0.8)``. A pair becomes a candidate with probability
#: 1-(1-J^7)^18: 0.79 at J=0.7, 0.986 at 0.8, 0.004 at 0.3, 2e-6 at 0.1 (unrelated texts
#: on one topic share 0.02-0.10 of their trigrams), so buckets hold copies, not topics.
BANDS = 18
ROWS = 7
#: Oldest members read from each matching bucket: a release copied 500 times costs
#: the 501st copy at most BANDS × PER_BAND signature comparisons (in practice PER_BAND,
#: since every band returns the same oldest members).
PER_BAND = 8
#: Members kept per bucket. Only the oldest ``PER_BAND`` are ever read; the rest stand in
#: when an old member's text changes. Texts sharing a stock paragraph ("the police urge
#: residents...") fill a bucket as N grows; the cap keeps every bucket this small.
MAX_BUCKET = 2 * PER_BAND
#: Estimated Jaccard similarity of word-trigram sets from which a text counts as a copy.
#: A copy with an added intro and sign-off keeps about 0.9; different stories on the
#: same topic stay below 0.15 (benchmarks/dedupe_bench.py).
THRESHOLD = 0.7
#: Shorter texts are too generic to call duplicates (one-line notices).
MIN_CHARS = 200
#: Fixed seed: signatures must stay comparable across runs and machines.
SEED = 20261128

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str) -> set[str]:
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


@functools.cache
def _template():
    """datasketch's MinHash class, hash function and permutations, on first use.

    Imported here, not at the top: ``import datasketch`` pulls in scipy (0.6 s of CPU), which
    every process importing the crawl's modules paid, extraction workers included, that
    never compute a signature (benchmarks/crawl_baselines.py).
    """
    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32

    return MinHash, sha1_hash32, MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=sha1_hash32, scheme="affine32").permutations


def minhash(text: str) -> np.ndarray:
    """128 MinHash values (uint32) over the text's word trigrams."""
    MinHash, sha1_hash32, permutations = _template()
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=sha1_hash32, permutations=permutations, scheme="affine32")
    sketch.update_batch([s.encode() for s in _shingles(text)])
    return sketch.hashvalues


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    if len(a) != len(b):
        return 0.0  # a signature of an older scheme: never comparable
    return float(np.mean(a == b))


def band_keys(signature: np.ndarray) -> list[tuple[int, int]]:
    """``(band, key)`` pairs: texts with an equal key in any band are candidates."""
    values = signature.astype("<u4")
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append((band, int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)))
    return keys


def to_blob(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def signature_of(text: str) -> np.ndarray | None:
    """The text's signature, or None for texts too short to compare."""
    return minhash(text) if len(text) >= MIN_CHARS else None


def index_signature(db: sqlite_utils.Database, article_id: int, signature: np.ndarray | None) -> None:
    """Replace the article's LSH keys (none for texts too short to compare, none in full buckets). Does not commit."""
    db.conn.execute("delete from article_lsh where article_id = ?", [article_id])
    if signature is None:
        return
    for band, key in band_keys(signature):
        (members,) = db.conn.execute(
            "select count(*) from (select 1 from article_lsh where band = ? and key = ? limit ?)", [band, key, MAX_BUCKET]
        ).fetchone()
        if members < MAX_BUCKET:
            db.conn.execute("insert or ignore into article_lsh (band, key, article_id) values (?, ?, ?)", [band, key, article_id])


def candidate_ids(db: sqlite_utils.Database, signature: np.ndarray, *, exclude_id: int | None = None) -> set[int]:
    """Articles sharing a band with the signature: the oldest ``PER_BAND`` of each matching bucket."""
    ids: set[int] = set()
    for band, key in band_keys(signature):
        ids.update(
            row[0]
            for row in db.conn.execute(
                "select article_id from article_lsh where band = ? and key = ? and article_id != ? order by article_id limit ?",
                [band, key, exclude_id or -1, PER_BAND],
            )
        )
    return ids


def copies_of(db: sqlite_utils.Database, signature: np.ndarray, *, exclude_id: int | None = None) -> list[dict]:
    """Stored articles whose signature is at least ``THRESHOLD`` similar (bounded candidate set)."""
    ids = candidate_ids(db, signature, exclude_id=exclude_id)
    if not ids:
        return []
    rows = db.conn.execute(
        "select id, minhash, duplicate_of from articles where id in (select value from json_each(?)) and minhash is not null",
        [f"[{','.join(map(str, ids))}]"],
    )
    return [
        {"id": article_id, "duplicate_of": duplicate_of}
        for article_id, blob, duplicate_of in rows
        if similarity(signature, from_blob(blob)) >= THRESHOLD
    ]


def _instant(value: str) -> datetime | None:
    """An aware datetime for a timestamp with an offset; None for a date or a local time."""
    if "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def published_before(a: str | None, b: str | None) -> bool | None:
    """Whether publication time ``a`` is strictly before ``b``; None when unknown or equal.

    Two timestamps with offsets compare as instants; otherwise the dates as the pages give them.
    """
    if not a or not b:
        return None
    ta, tb = _instant(a), _instant(b)
    if ta is not None and tb is not None:
        return None if ta == tb else ta < tb
    return None if a[:10] == b[:10] else a[:10] < b[:10]


def _is_earlier(a_id: int, a_published: str | None, b_id: int, b_published: str | None) -> bool:
    """The original rule: earliest published; first crawled (lower id) when times are missing or equal."""
    before = published_before(a_published, b_published)
    return a_id < b_id if before is None else before


def link_copies(db: sqlite_utils.Database, article_id: int, signature: np.ndarray | None, *, published: str | None) -> int | None:
    """Index the article's signature and set ``duplicate_of`` for it and its cluster. Does not commit.

    ``published`` is the article's publication time (timestamp or date). Returns
    the id of the cluster's original when the article is a copy, else None.
    """
    index_signature(db, article_id, signature)
    matches = copies_of(db, signature, exclude_id=article_id) if signature is not None else []
    roots: dict[int, str | None] = {}
    for row in matches:
        root = row["duplicate_of"] or row["id"]
        if root != article_id:  # an updated original still matches its own copies
            roots.setdefault(root, None)
    if not roots:
        db.conn.execute("update articles set duplicate_of = null where id = ? and duplicate_of is not null", [article_id])
        return None
    for root, when in db.conn.execute(
        "select id, coalesce(published_at, published) from articles where id in (select value from json_each(?))",
        [f"[{','.join(map(str, roots))}]"],
    ):
        roots[root] = when
    original = next(iter(roots))
    for root, when in roots.items():
        if _is_earlier(root, when, original, roots[original]):
            original = root
    if _is_earlier(article_id, published, original, roots[original]):
        # This copy is older than the cluster's original: it becomes the original.
        db.conn.execute(
            "update articles set duplicate_of = ? where id = ? or duplicate_of = ?", [article_id, original, original]
        )
        db.conn.execute("update articles set duplicate_of = null where id = ?", [article_id])
        return None
    db.conn.execute("update articles set duplicate_of = ? where id = ?", [original, article_id])
    return original


@dataclass
class RecheckReport:
    """What ``recheck`` changed."""

    articles: int = 0
    signatures_updated: int = 0
    links_cleared: int = 0  # was a copy, is not
    links_set: int = 0  # was not a copy, is
    links_changed: int = 0  # a copy of another original
    copies: int = 0  # articles with duplicate_of after the re-check

    def summary(self) -> str:
        return (
            f"{self.articles} article(s) checked, {self.signatures_updated} signature(s) recomputed; "
            f"duplicate links: {self.links_cleared} cleared, {self.links_set} set, {self.links_changed} re-pointed; "
            f"{self.copies} copies in all"
        )


def recheck(db: sqlite_utils.Database) -> RecheckReport:
    """Recompute every signature and LSH key, then relink every article as if stored again in crawl order.

    Repairs links made by an older signature scheme. Does not commit: the caller
    holds the transaction (a migration, or ``newsmon dedupe --recheck``).
    """
    report = RecheckReport()
    before = dict(db.conn.execute("select id, duplicate_of from articles"))
    db.conn.execute("delete from article_lsh")
    db.conn.execute("update articles set duplicate_of = null where duplicate_of is not null")
    last = 0
    # Batches by id, not one open cursor: the loop updates the table it reads.
    while batch := db.conn.execute(
        "select id, text, minhash, coalesce(published_at, published) from articles where id > ? order by id limit 500", [last]
    ).fetchall():
        last = batch[-1][0]
        for article_id, text, blob, published in batch:
            signature = signature_of(text or "")
            new_blob = to_blob(signature) if signature is not None else None
            if new_blob != blob:
                db.conn.execute("update articles set minhash = ? where id = ?", [new_blob, article_id])
                report.signatures_updated += 1
            link_copies(db, article_id, signature, published=published)
            report.articles += 1
    for article_id, duplicate_of in db.conn.execute("select id, duplicate_of from articles"):
        old = before.get(article_id)
        if old and not duplicate_of:
            report.links_cleared += 1
        elif duplicate_of and not old:
            report.links_set += 1
        elif old and duplicate_of and old != duplicate_of:
            report.links_changed += 1
        report.copies += duplicate_of is not None
    return report
