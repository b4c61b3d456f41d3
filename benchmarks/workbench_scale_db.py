"""A benchmark database of N articles (up to millions) with the real schema, generated fast.

Run by hand; ``benchmarks/workbench_bench_http.py`` times ``newsmon serve`` on the result:

    .venv/bin/python benchmarks/workbench_scale_db.py /tmp/wb1m.db --articles 1000000

The database is created by ``storage.open_db`` (every migration), the bundled watchlists
are stored, then the rows are written with plain ``executemany`` while the triggers on
``articles`` are dropped (they index one row at a time and match watchlists per row: hours
at a million). Afterwards both FTS5 indexes are rebuilt in one pass each (FTS5's
``rebuild``), the stored counts (m690) are counted from the rows, the triggers are restored
from their saved SQL and the schema is compared with what it was before, so the file is what
the crawl would have produced.

Articles (fixed seed): 12 sources over 6 countries and 4 kinds, languages ru, uz
(Latin and Cyrillic), kk, en and it, published over two years, 80–150 words of a
Zipf-distributed synthetic vocabulary per language plus common words (police, fraud,
милиция, ...), English for most (translated or original), and about 4% matching a watchlist
(hits inserted directly, "fraud" the busiest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import logging
import random
import sqlite3
import time
from pathlib import Path

import newsmon.cli  # noqa: F401  (loads newsmon.cli_workbench)
from newsmon.cli_workbench import BUNDLED_WATCHLISTS
from storage import article_counts, open_db
from storage.watchlists import load_watchlists, sync_watchlists

logger = logging.getLogger("workbench_scale_db")

#: name, country, kind, language (the main language of its articles), share of articles
SOURCES = [
    ("uz-police", "UZ", "police", "uz", 12), ("uz-news", "UZ", "news", "uz", 14), ("uz-ministry", "UZ", "ministry", "uz", 5),
    ("ru-police", "RU", "police", "ru", 10), ("ru-news", "RU", "news", "ru", 18), ("ru-ministry", "RU", "ministry", "ru", 4),
    ("kz-police", "KZ", "police", "kk", 6), ("kz-news", "KZ", "news", "ru", 8),
    ("gb-news", "GB", "news", "en", 9), ("intl-wire", "intl", "intl", "en", 6),
    ("it-police", "IT", "police", "it", 5), ("it-news", "IT", "news", "it", 3),
]
#: English words every corpus of this kind is full of; police and fraud are the "common word" searches.
COMMON_EN = ["police", "the", "of", "and", "in", "said", "fraud", "court", "case", "ministry", "citizens",
             "officers", "detained", "investigation", "region", "district", "criminal", "suspect", "report"]
COMMON_NATIVE = {
    "ru": ["полиция", "мошенничество", "суд", "задержан", "района", "уголовное", "дело", "граждан"],
    "uz-Latn": ["politsiya", "firibgarlik", "sud", "hibsga", "tuman", "jinoyat", "ish", "fuqarolar"],
    "uz-Cyrl": ["полиция", "фирибгарлик", "суд", "ҳибсга", "туман", "жиноят", "иш", "фуқаролар"],
    "kk": ["полиция", "алаяқтық", "сот", "ұсталды", "аудан", "қылмыстық", "іс", "азаматтар"],
    "it": ["polizia", "truffa", "tribunale", "arrestato", "provincia", "indagine", "caso", "cittadini"],
}
ALPHABETS = {
    "Latn": "abcdefghijklmnoprstuvxyz",
    "Cyrl": "абвгдежзиклмнопрстуфхцчшщыэюя",
    "kk": "абвгдежзиклмнопрстуфхцчшыіәғқңөұүһ",
    "uzc": "абвгдежзиклмнопрстуфхчшэюяўқғҳ",
}
#: Watchlist terms written into some texts (and recorded as hits): (watchlist, term, word), busiest first.
WATCHED = [("fraud", "fraud*", "fraudsters"), ("fraud", "мошенни*", "мошенники"), ("theft", "theft*", "thefts"),
           ("cybercrime", "phishing", "phishing"), ("fraud", "firibgar*", "firibgarlar"), ("cybercrime", "ransomware", "ransomware")]
ARTICLE_COLUMNS = [
    "id", "url", "fetched_url", "source", "title", "text", "lang", "script", "lang_confidence", "html_lang",
    "published", "published_at", "published_source", "author", "fetched_at", "updated_at", "content_hash",
    "title_en", "text_en", "translation_status", "translation_engine", "translation_model", "translation_note",
    "translated_at", "country", "kind", "versions",
]


def zipf_vocabulary(rng: random.Random, alphabet: str, size: int) -> tuple[list[str], list[float]]:
    """Words and cumulative Zipf weights: a few very common words, a long tail of rare ones."""
    words = list(dict.fromkeys("".join(rng.choice(alphabet) for _ in range(rng.randint(3, 11))) for _ in range(size)))
    return words, list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))


class Corpus:
    """Synthetic texts per language variant, with common words mixed in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocab = {
            "en": zipf_vocabulary(rng, ALPHABETS["Latn"], 30000),
            "ru": zipf_vocabulary(rng, ALPHABETS["Cyrl"], 30000),
            "uz-Latn": zipf_vocabulary(rng, ALPHABETS["Latn"] + "ʻ", 30000),
            "uz-Cyrl": zipf_vocabulary(rng, ALPHABETS["uzc"], 30000),
            "kk": zipf_vocabulary(rng, ALPHABETS["kk"], 30000),
            "it": zipf_vocabulary(rng, ALPHABETS["Latn"], 30000),
        }

    def words(self, variant: str, count: int) -> list[str]:
        vocab, weights = self.vocab[variant]
        words = self.rng.choices(vocab, cum_weights=weights, k=count)
        common = COMMON_EN if variant == "en" else COMMON_NATIVE[variant]
        for _ in range(count // 12):
            words[self.rng.randrange(count)] = self.rng.choice(common)
        return words


def articles(n: int, seed: int = 17):
    """Rows in ARTICLE_COLUMNS order, and the (article, watchlist, term, matched_in, snippet) hits."""
    rng = random.Random(seed)
    corpus = Corpus(rng)
    sources = [s for s in SOURCES for _ in range(s[4])]
    start = dt.datetime(2024, 12, 1, tzinfo=dt.timezone.utc)
    span = (dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc) - start).total_seconds()
    for i in range(1, n + 1):
        name, country, kind, lang, _ = rng.choice(sources)
        if lang == "uz":
            variant, script = ("uz-Cyrl", "Cyrl") if rng.random() < 0.35 else ("uz-Latn", "Latn")
        elif lang in ("ru", "kk"):
            variant, script = lang, "Cyrl"
        else:
            variant, script = lang, "Latn"
        # Publication times grow denser towards now (more sources later), in order of id roughly.
        when = start + dt.timedelta(seconds=span * (i / n) ** 0.8 + rng.uniform(-3600, 3600))
        fetched = when + dt.timedelta(minutes=rng.randint(5, 180))
        text = corpus.words(variant, rng.randint(80, 150))
        title = corpus.words(variant, rng.randint(5, 10))
        hits = []
        if rng.random() < 0.04:
            watchlist, term, word = WATCHED[min(int(rng.expovariate(0.8)), len(WATCHED) - 1)]
            text.insert(rng.randrange(len(text)), word)
            hits.append((i, watchlist, term, "original", f"… {text[0]} ⟦{word}⟧ …", fetched.isoformat(timespec="seconds")))
        text_str, title_str = " ".join(text), " ".join(title).capitalize()
        roll = rng.random()
        if lang == "en":
            status, title_en, text_en, engine = "original", title_str, text_str, "original"
        elif roll < 0.78:
            status, engine = "translated", "argos"
            title_en = " ".join(corpus.words("en", len(title))).capitalize()
            text_en = " ".join(corpus.words("en", len(text)))
        else:
            status, title_en, text_en, engine = ("pending" if roll < 0.9 else "no_model"), None, None, None
        url = f"https://{name}.example/{when:%Y/%m}/{i}"
        yield (
            (i, url, url, name, title_str, text_str, lang, script, round(rng.uniform(0.7, 1.0), 3), lang,
             f"{when:%Y-%m-%d}", when.isoformat(timespec="seconds"), "meta", None,
             fetched.isoformat(timespec="seconds"), fetched.isoformat(timespec="seconds"),
             hashlib.sha256(f"{title_str}\n{text_str}".encode()).hexdigest(),
             title_en, text_en, status, engine, "argos-translate 1.9" if engine == "argos" else None,
             "no model for this language" if status == "no_model" else None,
             fetched.isoformat(timespec="seconds") if engine else None, country, kind, 1),
            hits,
        )


def schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("select type, name, tbl_name, sql from sqlite_master order by type, name").fetchall()


def generate(path: Path, n: int, *, batch: int = 20000) -> None:
    db = open_db(path)
    sync_watchlists(db, load_watchlists(BUNDLED_WATCHLISTS))
    with db.conn:
        for name, country, kind, lang, _ in SOURCES:
            db["sources"].insert({"name": name, "country": country, "kind": kind, "language": lang,
                                  "updated_at": "2026-11-28T00:00:00+00:00"}, pk="name")
    db.close()

    conn = sqlite3.connect(path, isolation_level=None)
    before = schema(conn)
    triggers = conn.execute("select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'articles'").fetchall()
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -400000")
    conn.execute("begin")
    for name, _ in triggers:
        conn.execute(f"drop trigger {name}")
    started = time.perf_counter()
    insert = f"insert into articles ({', '.join(ARTICLE_COLUMNS)}) values ({', '.join('?' * len(ARTICLE_COLUMNS))})"
    insert_hit = ("insert into watchlist_hits (article, watchlist, term, matched_in, snippet, matched_at) "
                  "values (?, ?, ?, ?, ?, ?)")
    rows = articles(n)
    done = 0
    while chunk := list(itertools.islice(rows, batch)):
        conn.executemany(insert, [row for row, _ in chunk])
        conn.executemany(insert_hit, [hit for _, hits in chunk for hit in hits])
        done += len(chunk)
        if done % 100000 < batch:
            logger.info("%d articles (%.0f s)", done, time.perf_counter() - started)
    logger.info("rows written in %.0f s; rebuilding the FTS indexes", time.perf_counter() - started)
    for table in ("articles_fts", "articles_en_fts"):
        conn.execute(f"insert into {table}({table}) values ('rebuild')")
        logger.info("%s rebuilt (%.0f s)", table, time.perf_counter() - started)
    # The stored counts (m690) are kept by triggers, which were off: count once, from the rows.
    article_counts.refill(conn)
    logger.info("stored counts refilled (%.0f s)", time.perf_counter() - started)
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("commit")
    after = schema(conn)
    if after != before:
        raise SystemExit(f"schema changed: {set(before) ^ set(after)}")
    conn.execute("pragma synchronous = normal")
    conn.close()
    logger.info("done: %d articles in %.0f s, schema intact", n, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--articles", type=int, default=200000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.path.exists():
        raise SystemExit(f"{args.path} exists: give a new file")
    generate(args.path, args.articles)


if __name__ == "__main__":
    main()
