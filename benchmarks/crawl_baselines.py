"""newsmon crawl against the two crawlers a user would write instead, on the same pages, interleaved.

Issue 17: a baseline must be something a user would pick. Three crawlers crawl one generated
site (benchmarks/sitegen.py, served by a separate process on 127.0.0.1), each into its own
fresh SQLite file, in rounds whose order alternates (ABC, CBA, ...), so the machine's drift
hits all three alike:

  loop     a plain loop: ``requests`` + ``trafilatura.extract`` with its defaults + ``langdetect``
           + ``sqlite3`` (one insert and commit per article); sequential, one process;
  spider   a plain Scrapy ``CrawlSpider`` following listing links, ``trafilatura.extract``
           (defaults) and ``langdetect`` in the callback, an item pipeline writing SQLite;
           Scrapy's default concurrency, robots.txt obeyed; one process;
  newsmon  ``newsmon crawl --no-translate`` with the site as one local-mirror source, as the default
           install runs it: natasha (the optional ``ner`` extra, which the test extras install) is
           hidden from it unless ``--ner``.

Per run: articles stored, wall time, pages/s, CPU seconds of the crawler and every process it
started (the kernel's count for the reaped tree, not the site server) per stored article, peak
RSS of the tree, the machine's load average; then what each stored, scored against the
generated pages by extract_quality.score_stored (paragraph recall per template family, pages
carrying chrome, language right). On a shared machine CPU per page is the steadier figure.

Usage:
    .venv/bin/python benchmarks/crawl_baselines.py [--pages 800] [--rounds 2] [--out DIR] [--json FILE]
        [--newsmon-tree before=DIR]   # also newsmon from another source tree: a before/after on the same pages
        [--ner]                       # let newsmon use natasha (the ner extra) if installed
    .venv/bin/python benchmarks/crawl_baselines.py loop|spider DB START_URL... [--max-pages N]
        (one baseline crawler alone: what the benchmark runs as a subprocess)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import sitegen  # noqa: E402

CRAWLERS = ("loop", "spider", "newsmon")
#: The baselines' table: what the user's own code would create (newsmon's has these columns too).
SCHEMA = "create table articles (url text primary key, text text, lang text)"


# -- the two baselines, as a user would write them ------------------------------------------------

def _detect(text: str) -> str | None:
    from langdetect import LangDetectException, detect

    try:
        return detect(text)
    except LangDetectException:
        return None


def plain_loop(db: Path, starts: list[str], max_pages: int) -> int:
    """requests + trafilatura + langdetect + sqlite3, one page after the other; returns articles stored."""
    import requests
    import trafilatura
    from langdetect import DetectorFactory
    from lxml import html as lxml_html

    DetectorFactory.seed = 0  # langdetect is random otherwise
    article, follow = re.compile(sitegen.ARTICLE_URLS), re.compile(sitegen.FOLLOW_URLS)
    host = urlsplit(starts[0]).netloc
    con = sqlite3.connect(db)
    con.execute(SCHEMA)
    session = requests.Session()
    queue, seen, fetched, stored = deque(starts), set(starts), 0, 0
    while queue and fetched < max_pages:
        url = queue.popleft()
        response = session.get(url, timeout=30)
        fetched += 1
        if response.status_code != 200:
            continue
        if article.search(urlsplit(url).path):
            text = trafilatura.extract(response.text)
            if text:
                con.execute("insert or replace into articles values (?, ?, ?)", (url, text, _detect(text)))
                con.commit()
                stored += 1
            continue
        for href in lxml_html.fromstring(response.content).xpath("//a/@href"):
            link = urljoin(url, href).split("#")[0]
            path = urlsplit(link).path
            if link not in seen and urlsplit(link).netloc == host and (article.search(path) or follow.search(path)):
                seen.add(link)
                queue.append(link)
    con.close()
    return stored


def plain_spider(db: Path, starts: list[str], max_pages: int) -> None:
    """A Scrapy CrawlSpider with trafilatura and langdetect in the callback and a SQLite pipeline."""
    import trafilatura
    from langdetect import DetectorFactory
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.spiders import CrawlSpider, Rule

    DetectorFactory.seed = 0

    class SQLitePipeline:
        def open_spider(self, spider):
            self.con = sqlite3.connect(db)
            self.con.execute(SCHEMA)

        def process_item(self, item, spider):
            self.con.execute("insert or replace into articles values (?, ?, ?)", (item["url"], item["text"], item["lang"]))
            self.con.commit()
            return item

        def close_spider(self, spider):
            self.con.close()

    class NewsSpider(CrawlSpider):
        name = "news"
        start_urls = starts
        allowed_domains = [urlsplit(starts[0]).hostname]
        rules = (
            Rule(LinkExtractor(allow=sitegen.ARTICLE_URLS), callback="parse_article"),
            Rule(LinkExtractor(allow=sitegen.FOLLOW_URLS), follow=True),
        )

        def parse_article(self, response):
            text = trafilatura.extract(response.text)
            if text:
                yield {"url": response.url, "text": text, "lang": _detect(text)}

    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "CLOSESPIDER_PAGECOUNT": max_pages, "ITEM_PIPELINES": {SQLitePipeline: 300},
    })
    process.crawl(NewsSpider)
    process.start()


# -- the benchmark ---------------------------------------------------------------------------------

def command_for(name: str, db: Path, sources: Path, starts: list[str], max_pages: int) -> list[str]:
    from benchmarks.crawl_bench import newsmon_command

    if name.startswith("newsmon"):
        return newsmon_command(db, sources)
    return [sys.executable, str(Path(__file__).resolve()), name, str(db), *starts, "--max-pages", str(max_pages)]


def read_stored(db: Path) -> tuple[dict[str, str], dict[str, str | None]]:
    if not db.exists():
        return {}, {}
    con = sqlite3.connect(db)
    try:
        rows = con.execute("select url, text, lang from articles").fetchall()
    finally:
        con.close()
    return {url: text or "" for url, text, _ in rows}, {url: lang for url, _, lang in rows}


def without_ner_extra(workdir: Path) -> dict[str, str]:
    """An environment in which ``import natasha`` fails, as in the default install (no ``ner`` extra).

    The test extras install natasha, and storage/entities.py then tags every Russian article
    with it when storing (README "Stories and entities"): a cost only that optional extra adds.
    """
    stub = workdir / "no-ner" / "natasha"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text('raise ImportError("natasha hidden by crawl_baselines.py (no ner extra)")\n')
    path = os.pathsep.join(p for p in (str(stub.parent), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def one_run(name: str, workdir: Path, manifest: dict, base_url: str, timeout: float, *, ner: bool,
            tree: Path | None = None) -> dict:
    """One crawler's run into a fresh database; ``tree``: run newsmon's code from that source tree."""
    from benchmarks.crawl_bench import run_crawl, system_busy_seconds
    from benchmarks.extract_quality import score_stored

    workdir.mkdir(parents=True)
    env = {} if ner or not name.startswith("newsmon") else without_ner_extra(workdir)
    if tree is not None:  # ahead of the editable install (the crawl runs in workdir, so '' is not the checkout)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(tree)) if p)
    db, sources = workdir / f"{name}.db", workdir / "sources.toml"
    sources.write_text(sitegen.sources_toml(base_url, manifest), encoding="utf-8")
    starts = [base_url + p for p in manifest["start_paths"]]
    budget = len(manifest["articles"]) + len(manifest["listings"]) + 10
    load_before, busy0 = os.getloadavg()[0], system_busy_seconds()
    crawl = run_crawl(command_for(name, db, sources, starts, budget), workdir, None, timeout=timeout, env=env)
    busy = system_busy_seconds() - busy0
    texts, langs = read_stored(db)
    quality = score_stored(texts, manifest, base_url, langs)
    stored = sum(q["pages"] for q in quality.values())
    cpu = max(crawl["tree_cpu_seconds"], crawl["main_cpu_seconds"] + crawl["workers_cpu_seconds"])
    return {
        "crawler": name, "stored": stored, "rows": len(texts), "seconds": crawl["seconds"],
        "pages_per_s": stored / crawl["seconds"], "cpu_seconds": cpu,
        "main_cpu_seconds": crawl["main_cpu_seconds"], "children_cpu_seconds": crawl["workers_cpu_seconds"],
        "cpu_ms_per_page": 1000 * cpu / max(1, stored), "peak_tree_rss": crawl["peak_tree_rss"],
        "returncode": crawl["returncode"], "timed_out": crawl["timed_out"], "stderr": crawl["stderr"][-1000:],
        "load_before": load_before, "load_after": os.getloadavg()[0],
        "other_cores": max(0.0, busy - cpu) / crawl["seconds"], "quality": quality,
    }


def quality_cells(quality: dict) -> str:
    """Paragraph recall per template family, pages with chrome and with the language right."""
    pages = sum(q["pages"] for q in quality.values())
    recall = " / ".join(f"{q['found'] / max(1, q['paragraphs']):.1%}" for _, q in sorted(quality.items()))
    leaky = sum(q["leaky"] for q in quality.values())
    lang_ok = sum(q["lang_ok"] for q in quality.values())
    return f"{recall} | {leaky} | {lang_ok / max(1, pages):.1%}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("loop", "spider"):
        one = argparse.ArgumentParser(prog="crawl_baselines.py " + sys.argv[1])
        one.add_argument("db", type=Path)
        one.add_argument("starts", nargs="+")
        one.add_argument("--max-pages", type=int, default=2000)
        args = one.parse_args(sys.argv[2:])
        (plain_loop if sys.argv[1] == "loop" else plain_spider)(args.db, args.starts, args.max_pages)
        return

    from benchmarks.crawl_bench import machine, revision, start_server

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=800, help="article pages to generate (default 800)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three crawlers (default 2)")
    parser.add_argument("--crawlers", default=",".join(CRAWLERS), help="comma-separated subset of " + ", ".join(CRAWLERS))
    parser.add_argument("--timeout", type=float, default=600, help="seconds one crawler may run before it is killed")
    parser.add_argument("--out", type=Path, help="directory for the site and the databases (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write every run's figures to this file")
    parser.add_argument("--newsmon-tree", action="append", default=[], metavar="LABEL=DIR",
                        help="also run newsmon from another source tree (e.g. `git archive REV | tar -x -C DIR`) "
                        "as crawler newsmon@LABEL, for a before/after on the same pages")
    parser.add_argument("--ner", action="store_true", help="let newsmon use natasha if installed (the ner extra); "
                        "by default it is hidden, as in the default install")
    args = parser.parse_args()
    crawlers = [c for c in args.crawlers.split(",") if c]
    if not set(crawlers) <= set(CRAWLERS):
        parser.error(f"--crawlers: choose among {', '.join(CRAWLERS)}")
    trees: dict[str, Path] = {}
    for value in args.newsmon_tree:
        label, _, folder = value.partition("=")
        if not folder or not (Path(folder) / "newsmon" / "cli.py").exists():
            parser.error(f"--newsmon-tree {value}: give LABEL=DIR, DIR a newsmon source tree")
        trees[f"newsmon@{label}"] = Path(folder).resolve()
    crawlers += list(trees)

    tmp = None if args.out else tempfile.TemporaryDirectory(prefix="newsmon-baselines-")
    out = args.out or Path(tmp.name)
    out.mkdir(parents=True, exist_ok=True)
    print(f"crawl baselines · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {machine()} · revision {revision()}")
    manifest = sitegen.build_site(out, pages=args.pages, seed=args.seed)
    themes = sorted({a.get("theme") or "any" for a in manifest["articles"]})
    print(f"site: {len(manifest['articles'])} article pages, {len(manifest['listings'])} listing pages; "
          f"recall columns: {' / '.join(themes)}; newsmon {'with' if args.ner else 'without'} the ner extra (natasha)")
    server, base_url = start_server(out / "site")
    runs = []
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    print("| round | crawler | stored | s | pages/s | CPU ms/page (main + children) | peak RSS MB | recall (" + " / ".join(themes)
          + ") | pages with chrome | language right | load avg | other cores |")
    print("|---" * 12 + "|")
    try:
        for number in range(1, args.rounds + 1):
            order = crawlers if number % 2 else crawlers[::-1]
            for name in order:
                run = one_run(name, out / f"run-{stamp}" / f"{number}-{name}", manifest, base_url, args.timeout, ner=args.ner,
                              tree=trees.get(name))
                run["round"] = number
                runs.append(run)
                print(f"| {number} | {name} | {run['stored']} | {run['seconds']:.1f} | {run['pages_per_s']:.1f} "
                      f"| {run['cpu_ms_per_page']:.1f} ({1000 * run['main_cpu_seconds'] / max(1, run['stored']):.0f} + "
                      f"{1000 * run['children_cpu_seconds'] / max(1, run['stored']):.0f}) | {run['peak_tree_rss'] / 2**20:.0f} | {quality_cells(run['quality'])} "
                      f"| {run['load_before']:.1f}–{run['load_after']:.1f} | {run['other_cores']:.2f} |", flush=True)
                if run["returncode"] or run["timed_out"]:
                    print(f"    {name}: exit {run['returncode']}{', killed at the timeout' if run['timed_out'] else ''}: "
                          f"{run['stderr'][-300:]}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("\nmedians over rounds:")
    for name in crawlers:
        mine = [r for r in runs if r["crawler"] == name]
        print(f"  {name}: {statistics.median(r['pages_per_s'] for r in mine):.1f} pages/s, "
              f"{statistics.median(r['cpu_ms_per_page'] for r in mine):.1f} CPU ms/page")
    if "newsmon" in crawlers:
        for name in (c for c in crawlers if c != "newsmon"):  # other newsmon trees included
            speed = [n["pages_per_s"] / b["pages_per_s"] for n, b in zip(
                (r for r in runs if r["crawler"] == "newsmon"), (r for r in runs if r["crawler"] == name))]
            cpu = [n["cpu_ms_per_page"] / b["cpu_ms_per_page"] for n, b in zip(
                (r for r in runs if r["crawler"] == "newsmon"), (r for r in runs if r["crawler"] == name))]
            print(f"  newsmon / {name}, same round: throughput {' '.join(f'{x:.2f}×' for x in speed)}; "
                  f"CPU per page {' '.join(f'{x:.2f}×' for x in cpu)}")
    if args.json:
        args.json.write_text(json.dumps({"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                         "machine": machine(), "revision": revision(), "pages": args.pages,
                                         "runs": runs}, indent=1, default=str), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()
    if any(r["returncode"] or r["timed_out"] for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
