"""Near-duplicate texts (syndicated releases) via 64-bit SimHash in four indexed bands.

Two texts whose SimHashes differ in at most ``MAX_DISTANCE`` bits share at least
one 16-bit band (pigeonhole), so candidates come from an index lookup, and the
check stays cheap however large the table grows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import sqlite_utils

BANDS = 4
MAX_DISTANCE = 3
#: Shorter texts are too generic to call duplicates (one-line notices).
MIN_CHARS = 200

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _features(text: str) -> list[str]:
    normalized = unicodedata.normalize("NFKC", text).casefold()
    words = _WORD_RE.findall(normalized)
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def simhash(text: str) -> int:
    weights = [0] * 64
    for feature in _features(text):
        value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def bands(value: int) -> list[int]:
    return [(value >> (16 * i)) & 0xFFFF for i in range(BANDS)]


def fingerprint_columns(text: str) -> dict:
    value = simhash(text)
    columns = {"simhash": f"{value:016x}"}
    columns.update({f"simhash_band{i}": band for i, band in enumerate(bands(value))})
    return columns


def find_original(db: sqlite_utils.Database, text: str, columns: dict, *, exclude_id: int | None = None) -> int | None:
    """The id of the first-seen article with (nearly) the same text, or None."""
    if len(text) < MIN_CHARS:
        return None
    value = int(columns["simhash"], 16)
    where = " or ".join(f"simhash_band{i} = :b{i}" for i in range(BANDS))
    params = {f"b{i}": columns[f"simhash_band{i}"] for i in range(BANDS)}
    params["exclude"] = exclude_id or -1
    best: int | None = None
    for row in db.query(
        f"select id, simhash, duplicate_of from articles where ({where}) and id != :exclude and length(text) >= {MIN_CHARS}",
        params,
    ):
        if row["simhash"] and bin(int(row["simhash"], 16) ^ value).count("1") <= MAX_DISTANCE:
            original = row["duplicate_of"] or row["id"]
            best = original if best is None else min(best, original)
    return best
