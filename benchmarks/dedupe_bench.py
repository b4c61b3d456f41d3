"""Duplicate detection at scale: false positives, recall, bucket sizes and candidates per insert.

Run by hand (figures go to BENCHMARKS.md, "At scale"):

    .venv/bin/python benchmarks/dedupe_bench.py --articles 5000 20000

Stories are generated police and fraud news in English, Russian, Uzbek and Kazakh from
shared sentence templates (``tests/fixtures/newsgen.py``: same-language pairs share 0.19 of
their word trigrams on average), so unrelated stories are as alike as real crime news. After
each story, with probability ``--copies``, a copy of a random earlier story arrives, framed
by an outlet's intro and sign-off. Everything is stored through ``upsert_article`` into a
SQLite file, as the crawl stores it.

- false positives: unrelated stories given a ``duplicate_of`` (all of them are unrelated);
- recall: copies linked into their story's cluster;
- largest bucket: the most articles sharing one LSH (band, key);
- candidates per insert: articles read from the buckets for one new article (before verification).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import open_db  # noqa: E402
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, upsert_article  # noqa: E402
from storage.dedupe import candidate_ids, recheck, signature_of  # noqa: E402
from storage.records import Article  # noqa: E402
from tests.fixtures.newsgen import copy_of, stories  # noqa: E402


def run(n: int, *, copies: float, seed: int) -> dict:
    rng = random.Random(seed)
    originals = stories(n, seed=seed)
    arrivals: list[tuple[int | None, str, str]] = []  # (story copied or None, text, lang)
    for i, story in enumerate(originals):
        arrivals.append((None, story.text, story.lang))
        if rng.random() < copies:
            j = rng.randrange(i + 1)
            arrivals.append((j, copy_of(originals[j], rng), originals[j].lang))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "dedupe.db")
        ensure_adhoc_source(db)
        candidates, insert_ms = [], []
        for k, (_, text, lang) in enumerate(arrivals):
            signature = signature_of(text)
            if signature is not None:
                candidates.append(len(candidate_ids(db, signature)))
            start = time.perf_counter()
            upsert_article(db, Article(url=f"https://example.org/{k}", source=ADHOC_SOURCE, title=f"Story {k}", text=text, lang=lang))
            insert_ms.append((time.perf_counter() - start) * 1000)
        ids = {int(url.rsplit("/", 1)[1]): (i, d) for i, url, d in db.execute("select id, url, duplicate_of from articles")}
        story_arrival = [k for k, (copied, _, _) in enumerate(arrivals) if copied is None]

        def root(k: int) -> int:
            article_id, duplicate_of = ids[k]
            return duplicate_of or article_id

        false_positives = sum(ids[k][1] is not None for k in story_arrival)
        copy_arrivals = [(k, copied) for k, (copied, _, _) in enumerate(arrivals) if copied is not None]
        found = sum(root(k) == root(story_arrival[j]) for k, j in copy_arrivals)
        largest = db.execute("select max(n) from (select count(*) as n from article_lsh group by band, key)").fetchone()[0]
        start = time.perf_counter()
        with db.conn:
            report = recheck(db)
        recheck_s = time.perf_counter() - start
        db.close()
    candidates.sort()
    return {
        "articles": len(arrivals),
        "stories": n,
        "copies": len(copy_arrivals),
        "false_positive_rate": false_positives / n,
        "recall": found / max(1, len(copy_arrivals)),
        "largest_bucket": largest,
        "candidates_mean": statistics.fmean(candidates),
        "candidates_p99": candidates[int(0.99 * (len(candidates) - 1))],
        "candidates_max": candidates[-1],
        "insert_ms_median": statistics.median(insert_ms),
        "recheck_s": recheck_s,
        "recheck_changes": report.links_cleared + report.links_set + report.links_changed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[5000, 20000], help="Unrelated stories per run.")
    parser.add_argument("--copies", type=float, default=0.1, help="Chance that a copy of an earlier story follows each story.")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    print("| stories | copies | false positives | recall | largest bucket | candidates per insert (mean / p99 / max) "
          "| insert ms (median) | recheck s |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.articles:
        r = run(n, copies=args.copies, seed=args.seed)
        print(f"| {r['stories']:,} | {r['copies']:,} | {r['false_positive_rate']:.2%} | {r['recall']:.1%} | {r['largest_bucket']} "
              f"| {r['candidates_mean']:.2f} / {r['candidates_p99']} / {r['candidates_max']} | {r['insert_ms_median']:.1f} "
              f"| {r['recheck_s']:.0f} ({r['recheck_changes']} links changed) |", flush=True)


if __name__ == "__main__":
    main()
