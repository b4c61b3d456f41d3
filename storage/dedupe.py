"""Near-duplicate texts (syndicated releases): MinHash signatures with LSH bands in SQLite.

A ministry release republished by three outlets keeps most of its word
trigrams even when each outlet adds its own intro or sign-off. MinHash
estimates the Jaccard similarity of two texts' trigram sets; LSH bands
(indexed in ``article_lsh``) find the candidates with an index lookup, so
the check stays cheap however large the table grows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import sqlite_utils

NUM_PERM = 64
BANDS = 16  # of 4 rows each: pairs above ~0.5 similarity usually share a band
ROWS = NUM_PERM // BANDS
#: Estimated Jaccard similarity of word-trigram sets from which a text counts as a copy.
THRESHOLD = 0.7
#: Shorter texts are too generic to call duplicates (one-line notices).
MIN_CHARS = 200

_PRIME = np.uint64((1 << 61) - 1)
# Fixed seed: signatures must stay comparable across runs and machines.
_rng = np.random.default_rng(20261123)
_A = _rng.integers(1, 1 << 31, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, NUM_PERM, dtype=np.uint64)
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str) -> set[str]:
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def minhash(text: str) -> np.ndarray:
    """64 minima of universal hashes over the text's word trigrams."""
    shingles = _shingles(text)
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "big") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    # a < 2^31 and x < 2^32: a*x + b stays below 2^64, so uint64 arithmetic is exact.
    return ((hashes[:, None] * _A + _B) % _PRIME).min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return float(np.mean(a == b))


def band_keys(signature: np.ndarray) -> list[tuple[int, int]]:
    """``(band, key)`` pairs: texts with an equal key in any band are candidates."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
        keys.append((band, int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)))
    return keys


def to_blob(signature: np.ndarray) -> bytes:
    return signature.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")


def find_original(db: sqlite_utils.Database, text: str, signature: np.ndarray, *, exclude_id: int | None = None) -> int | None:
    """The id of the first-seen article with (nearly) the same text, or None."""
    if len(text) < MIN_CHARS:
        return None
    keys = band_keys(signature)
    values = ", ".join("(?, ?)" for _ in keys)
    params = [v for key in keys for v in key] + [exclude_id or -1]
    best: int | None = None
    for row in db.query(
        f"""select a.id, a.minhash, a.duplicate_of from articles a
            where a.id in (select l.article_id from article_lsh l join (values {values}) v
                           on l.band = v.column1 and l.key = v.column2)
              and a.id != ? and a.minhash is not null""",
        params,
    ):
        if similarity(signature, from_blob(row["minhash"])) >= THRESHOLD:
            original = row["duplicate_of"] or row["id"]
            best = original if best is None else min(best, original)
    return best


def index_signature(db: sqlite_utils.Database, article_id: int, signature: np.ndarray | None) -> None:
    """Replace the article's LSH keys (no keys for texts too short to compare)."""
    db.execute("delete from article_lsh where article_id = ?", [article_id])
    if signature is not None:
        db.conn.executemany(
            "insert into article_lsh (band, key, article_id) values (?, ?, ?)",
            [(band, key, article_id) for band, key in band_keys(signature)],
        )
