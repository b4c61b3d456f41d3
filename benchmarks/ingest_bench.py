"""What storing one article costs as the database grows, with 200 watchlist terms.

Run by hand (figures go to BENCHMARKS.md, "At scale", ingest cost):

    .venv/bin/python benchmarks/ingest_bench.py --sizes 0,200000 --dir /var/tmp/newsmon-ingest

For each size a database of that many generated articles is built once (kept in
``--dir`` and reused), then ``--measure`` new articles are stored through
``upsert_article``, each in its own transaction as the crawl stores them, and
half of them get their English the way the translator writes it. Then
``sync_watchlists(..., recheck_all=True)`` (``newsmon watchlists sync --all``)
is timed. Articles (fixed seed) are ~320 words from a Zipf-distributed
synthetic vocabulary in Latin or Cyrillic letters, with a watchlist word in a
few percent of them; the 200 terms are the bundled ones plus generated words,
prefixes and phrases of every frequency. The base rows are written in bulk
(indexes and triggers on, no MinHash rows: duplicate detection's own cost is
``storage.dedupe``'s subject).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import random
import sqlite3
import statistics
import time
from pathlib import Path

from newsmon.cli_workbench import BUNDLED_WATCHLISTS
from storage import open_db
from storage.articles import upsert_article
from storage.records import Article
from storage.watchlists import Watchlist, load_watchlists, sync_watchlists

LATIN = "abcdefghijklmnoprstuvxyz"
CYRILLIC = "абвгдежзиклмнопрстуфхчшыэюяқўғҳұң"
#: Real words that the bundled terms match, mixed into a few articles.
TOPICAL = ["fraudsters", "fraud", "theft", "stolen", "ransomware", "phishing", "drugs", "кража", "кражи",
           "мошенники", "наркотики", "хакеры", "o'g'irlik", "firibgarlar", "ўғирлик", "ұрлық", "алаяқтар"]
WORDS_PER_ARTICLE = 320
BULK_BATCH = 2000


class Corpus:
    """Generated article texts: a Zipf vocabulary per script, fixed seed."""

    def __init__(self, seed: int = 17, size: int = 30000) -> None:
        self.rng = random.Random(seed)
        self.vocab = {alphabet: self._vocabulary(alphabet, size) for alphabet in (LATIN, CYRILLIC)}
        weights = [1 / (rank + 1) for rank in range(size)]
        self.cumulative = list(itertools.accumulate(weights))

    def _vocabulary(self, alphabet: str, size: int) -> list[str]:
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(2, 11))))
        return sorted(words, key=lambda w: (len(w), w))  # short words are the common ones

    def words(self, alphabet: str, n: int) -> list[str]:
        vocab, total = self.vocab[alphabet], self.cumulative[-1]
        return [vocab[bisect.bisect(self.cumulative, self.rng.random() * total)] for _ in range(n)]

    def article(self, i: int) -> tuple[str, str, str]:
        """(lang, title, text); every third article is English."""
        lang, alphabet = [("en", LATIN), ("ru", CYRILLIC), ("uz", LATIN)][i % 3]
        words = self.words(alphabet, WORDS_PER_ARTICLE)
        if self.rng.random() < 0.05:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(TOPICAL))
        sentences = [" ".join(words[k : k + 16]).capitalize() + "." for k in range(0, len(words), 16)]
        return lang, " ".join(words[:8]).capitalize(), " ".join(sentences)

    def english(self) -> tuple[str, str]:
        words = self.words(LATIN, WORDS_PER_ARTICLE)
        return " ".join(words[:8]).capitalize(), " ".join(words) + "."


def terms(corpus: Corpus, count: int = 200) -> list[Watchlist]:
    """The bundled watchlists plus a generated one that brings the total to ``count`` terms."""
    bundled = load_watchlists(BUNDLED_WATCHLISTS)
    have = sum(len(wl.terms) for wl in bundled)
    rng = random.Random(5)
    extra: list[str] = []
    while len(extra) < count - have:
        alphabet = rng.choice([LATIN, CYRILLIC])
        rank = int(math.exp(rng.uniform(math.log(1000), math.log(len(corpus.vocab[alphabet])))))  # log-uniform
        word = corpus.vocab[alphabet][rank]
        kind = rng.random()
        if kind < 0.3 and len(word) > 3:
            term = word[: max(3, len(word) - 3)] + "*"  # a stem: several words share it
        elif kind < 0.45:
            term = f"{word} {corpus.vocab[alphabet][rng.randrange(500)]}"  # a phrase
        else:
            term = word
        if term not in extra:
            extra.append(term)
    return [*bundled, Watchlist(name="generated", terms=tuple(extra))]


def build(path: Path, size: int, corpus: Corpus, watchlists: list[Watchlist]) -> None:
    """A database of ``size`` articles (half of the non-English translated), written in bulk."""
    db = open_db(path)
    db["sources"].insert({"name": "s", "country": "UZ", "kind": "news"}, pk="name", ignore=True)
    start = time.perf_counter()
    for batch in range(0, size, BULK_BATCH):
        rows = []
        for i in range(batch, min(size, batch + BULK_BATCH)):
            lang, title, text = corpus.article(i)
            title_en, text_en = (title, text) if lang == "en" else corpus.english() if i % 2 else (None, None)
            rows.append((f"https://s.example/base/{i}", "s", title, text, lang, title_en, text_en, str(i)))
        with db.atomic():
            db.conn.executemany(
                "insert into articles (url, source, title, text, lang, title_en, text_en, content_hash, fetched_at) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, '2026-11-01T00:00:00+00:00')",
                rows,
            )
        if batch and batch % 50000 == 0:
            print(f"  built {batch} articles, {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    sync_watchlists(db, watchlists)
    print(f"  first watchlist sync: {time.perf_counter() - start:.1f} s", flush=True)
    db.close()


def repeat(path: Path, size: int, smaller: Path, watchlists: list[Watchlist]) -> None:
    """A database of ``size`` articles made of a smaller one's generated rows, repeated.

    Generating text in Python is most of the cost of ``build``; the copies are indexed by the
    same triggers. Duplicate detection does not run on these rows, as in ``build``.
    """
    # SQLite's backup, not a file copy: a copy of the main file alone misses what is still in the
    # WAL (a copy taken while another run wrote the smaller database came out malformed).
    with sqlite3.connect(smaller) as source, sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    target.close()
    db = open_db(path)
    sync_watchlists(db, [])  # matched once at the end, not row by row
    base = db.execute("select count(*) from articles where url like 'https://s.example/base/%'").fetchone()[0]
    start = time.perf_counter()
    for copy in range(1, -(-size // base)):
        with db.atomic():
            db.execute(
                "insert into articles (url, source, title, text, lang, title_en, text_en, content_hash, fetched_at) "
                "select replace(url, '/base/', '/base' || :copy || '/'), source, title, text, lang, title_en, text_en, "
                "content_hash || '-' || :copy, fetched_at from articles "
                "where url like 'https://s.example/base/%' and id <= (select min(id) from articles) + :left - 1",
                {"copy": copy, "left": min(base, size - copy * base)},
            )
        print(f"  copy {copy}: {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    sync_watchlists(db, watchlists)
    print(f"  first watchlist sync: {time.perf_counter() - start:.1f} s", flush=True)
    db.close()


def measure(path: Path, corpus: Corpus, watchlists: list[Watchlist], count: int, label: str) -> dict[str, float]:
    db = open_db(path)
    sync_watchlists(db, watchlists)
    stored, translated = [], []
    for k in range(count):
        lang, title, text = corpus.article(k)
        article = Article(url=f"https://s.example/{label}/{k}", source="s", title=title, text=text, lang=lang)
        start = time.perf_counter()
        upsert_article(db, article)
        stored.append(time.perf_counter() - start)
    ids = [r[0] for r in db.execute("select id from articles where url like ? and lang != 'en'", [f"https://s.example/{label}/%"])]
    for article_id in ids[: count // 2]:
        title_en, text_en = corpus.english()
        start = time.perf_counter()
        with db.atomic():
            db.execute("update articles set title_en = ?, text_en = ?, translation_status = 'translated' where id = ?",
                       [title_en, text_en, article_id])
        translated.append(time.perf_counter() - start)
    start = time.perf_counter()
    report = sync_watchlists(db, watchlists, recheck_all=True)
    recheck = time.perf_counter() - start
    db.close()
    ms = sorted(t * 1000 for t in stored)
    return {
        "store_median_ms": statistics.median(ms),
        "store_p95_ms": ms[int(len(ms) * 0.95) - 1],
        "translate_median_ms": statistics.median(translated) * 1000 if translated else 0.0,
        "recheck_s": recheck,
        "hits": sum(report.rechecked.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,200000", help="comma-separated article counts")
    parser.add_argument("--measure", type=int, default=200, help="articles stored and timed at each size")
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=Path("/var/tmp/newsmon-ingest-bench"),
                        help="where the generated databases are kept between runs")
    parser.add_argument("--repeat-from", type=int, default=0, metavar="N",
                        help="build larger sizes by repeating the rows of the N-article database (faster)")
    parser.add_argument("--label", default="run", help="URL prefix of the measured articles (one per run)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()
    watchlists = terms(corpus, args.terms)
    print(f"terms: {sum(len(wl.terms) for wl in watchlists)}")
    for size in (int(s) for s in args.sizes.split(",")):
        path = args.dir / f"ingest-{size}.db"
        smaller = args.dir / f"ingest-{args.repeat_from}.db" if args.repeat_from else None
        if not path.exists():
            print(f"building {size} articles in {path}", flush=True)
            start = time.perf_counter()
            if smaller and smaller.exists() and size > args.repeat_from:
                repeat(path, size, smaller, watchlists)
            else:
                build(path, size, corpus, watchlists)
            print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
        result = measure(path, Corpus(seed=size + 1), watchlists, args.measure, f"{args.label}-{time.time_ns()}")
        print(
            f"{size:>9} articles: store median {result['store_median_ms']:.1f} ms, p95 {result['store_p95_ms']:.1f} ms; "
            f"English arrives {result['translate_median_ms']:.1f} ms; "
            f"sync --all {result['recheck_s']:.1f} s ({result['hits']} hits)",
            flush=True,
        )


if __name__ == "__main__":
    main()
