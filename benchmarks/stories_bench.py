"""Stories at scale: the cost of assigning one new article a story (and its entities) as the database grows.

Run by hand (figures go to BENCHMARKS.md, "Stories"):

    .venv/bin/python benchmarks/stories_bench.py --articles 10000

Two corpora. ``zipf`` (the default, for the cost): English-like articles of 150
words drawn from a Zipf-distributed vocabulary of 40,000 words, each with a few
rare words of its own (names, places, amounts); with probability ``--rewrites``
an article is another outlet's report of a recent event (half the earlier
article's words, all of its rare ones). ``newsgen``: unrelated generated police
and fraud news in English, Russian, Uzbek and Kazakh (``tests/fixtures/newsgen.py``),
built from one shared set of a dozen sentence templates per language, each
followed with probability ``--copies`` by a republished copy: the worst case for
a bag-of-words comparison. ``--per-day`` articles per publication day. Everything is stored through ``upsert_article``
into a SQLite file, each in its own transaction, as the crawl stores it. At each
checkpoint the last ``--sample`` inserts are summarised:

- story ms: time in the story and entity step (``storage.stories.update_article``);
- insert ms: the whole ``upsert_article`` (dedupe, search index, watchlists, stories);
- candidates: articles scored per new article (bounded by the index, not the table);
- false grouping: unrelated originals that share a story with another original.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
from collections import Counter
import sys
import tempfile
import time
from datetime import date, timedelta
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import storage.articles  # noqa: E402
import storage.stories  # noqa: E402
from storage import open_db  # noqa: E402
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, upsert_article  # noqa: E402
from storage.records import Article  # noqa: E402
from tests.fixtures.newsgen import copy_of, stories  # noqa: E402

BASE_DAY = date(2026, 1, 1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))]


@dataclass(frozen=True)
class Item:
    lang: str
    text: str
    event: int  # articles with one event are one story; -1: a republished copy (its original's event)


def zipf_corpus(total: int, *, per_day: int, rewrites: float, seed: int) -> list[Item]:
    """Pseudo-English articles; a share of them re-report a recent event."""
    rng = random.Random(seed)
    letters = "etaoinshrdlucmfwypvbgk"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(40000)]
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(vocabulary))))
    items: list[Item] = []
    events: list[tuple[list[str], list[str]]] = []
    for i in range(total):
        if events and rng.random() < rewrites:
            event = rng.randrange(max(0, len(events) - per_day), len(events))
            common, rare = events[event]
            words = rng.sample(common, len(common) // 2) + rng.choices(vocabulary, cum_weights=weights, k=75) + rare * 3
        else:
            event = len(events)
            common = rng.choices(vocabulary, cum_weights=weights, k=150)
            rare = [f"{rng.choice(letters).upper()}{rng.randrange(10**6):06d}" for _ in range(5)]
            events.append((common, rare))
            words = common + rare * 3
        rng.shuffle(words)
        items.append(Item("en", " ".join(words), event))
    return items


def newsgen_corpus(total: int, *, copies: float, seed: int) -> list[Item]:
    rng = random.Random(seed)
    originals = stories(total, seed=seed)
    items: list[Item] = []
    for i, story in enumerate(originals):
        items.append(Item(story.lang, story.text, i))
        if rng.random() < copies:
            j = rng.randrange(max(0, i - 100), i + 1)
            items.append(Item(originals[j].lang, copy_of(originals[j], rng), j))
    return items


def run(items: list[Item], *, checkpoints: list[int], per_day: int, sample: int) -> list[dict]:
    story_ms: list[float] = []
    candidates: list[int] = []
    hook = storage.articles.update_story
    find = storage.stories._candidates

    def timed_hook(db, article_id):
        start = time.perf_counter()
        hook(db, article_id)
        story_ms.append((time.perf_counter() - start) * 1000)

    def counted(db, article_id, day, vector):
        found = find(db, article_id, day, vector)
        candidates.append(len(found))
        return found

    storage.articles.update_story = timed_hook
    storage.stories._candidates = counted
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "stories.db")
            ensure_adhoc_source(db)
            insert_ms: list[float] = []
            events: list[int] = []
            for n, item in enumerate(items):
                day = (BASE_DAY + timedelta(days=n // per_day)).isoformat()
                start = time.perf_counter()
                upsert_article(db, Article(url=f"https://example.org/{n}", source=ADHOC_SOURCE, title=item.text[:60],
                                           text=item.text, lang=item.lang, published=day))
                insert_ms.append((time.perf_counter() - start) * 1000)
                events.append(item.event)
                if n + 1 in checkpoints:
                    found = [r[0] for r in db.execute("select story_id from articles order by id")]
                    pairs_found = Counter(found)
                    pairs_true = Counter(events)
                    both = Counter(zip(found, events))
                    same_found = sum(k * (k - 1) // 2 for k in pairs_found.values())
                    same_true = sum(k * (k - 1) // 2 for k in pairs_true.values())
                    same_both = sum(k * (k - 1) // 2 for k in both.values())
                    results.append({
                        "articles": n + 1,
                        "story_ms_median": statistics.median(story_ms[-sample:]),
                        "story_ms_p95": percentile(story_ms[-sample:], 0.95),
                        "insert_ms_median": statistics.median(insert_ms[-sample:]),
                        "candidates_mean": statistics.fmean(candidates[-sample:]),
                        "candidates_max": max(candidates[-sample:]),
                        "precision": same_both / same_found if same_found else 1.0,
                        "recall": same_both / same_true if same_true else 1.0,
                        "stories": db.execute("select count(*) from stories").fetchone()[0],
                        "largest": max(pairs_found.values()),
                    })
                    print(results[-1], file=sys.stderr, flush=True)
            db.close()
    finally:
        storage.articles.update_story = hook
        storage.stories._candidates = find
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10000, help="Articles stored in all.")
    parser.add_argument("--corpus", choices=["zipf", "newsgen"], default="zipf")
    parser.add_argument("--checkpoints", type=int, nargs="*", default=None, help="Sizes to report at (default: 1,000, 10,000, ...).")
    parser.add_argument("--per-day", type=int, default=100, help="Articles published per day.")
    parser.add_argument("--rewrites", type=float, default=0.3, help="zipf: share of articles re-reporting a recent event.")
    parser.add_argument("--copies", type=float, default=0.1, help="newsgen: chance that a copy follows each story.")
    parser.add_argument("--sample", type=int, default=500, help="Inserts summarised at each checkpoint.")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    checkpoints = args.checkpoints or [n for n in (1000, 10000, 100000) if n <= args.articles]
    if args.corpus == "zipf":
        items = zipf_corpus(args.articles, per_day=args.per_day, rewrites=args.rewrites, seed=args.seed)
    else:
        items = newsgen_corpus(args.articles, copies=args.copies, seed=args.seed)[: args.articles]
    print(f"corpus {args.corpus}, {args.per_day} articles a day")
    print("| articles stored | story + entities ms (median / p95) | upsert_article ms (median) | candidates (mean / max) "
          "| pairwise precision / recall | stories (largest) |")
    print("|---|---|---|---|---|---|")
    for r in run(items, checkpoints=checkpoints, per_day=args.per_day, sample=args.sample):
        print(f"| {r['articles']:,} | {r['story_ms_median']:.1f} / {r['story_ms_p95']:.1f} | {r['insert_ms_median']:.1f} "
              f"| {r['candidates_mean']:.1f} / {r['candidates_max']} | {r['precision']:.3f} / {r['recall']:.3f} "
              f"| {r['stories']:,} ({r['largest']}) |", flush=True)


if __name__ == "__main__":
    main()
