"""Extraction quality and speed under a few trafilatura settings, to choose them with measurements.

Runs newsmon's own extraction (``crawler.extract.extract_article``) over
  * the fixture site's article pages (tests/fixtures/sites.py), and
  * generated benchmark pages (benchmarks/sitegen.py), whose paragraphs and chrome are known,
once per setting, with trafilatura's options overridden on top of the ones
extract.py really passes (captured from a real call, so this follows extract.py
when it changes). Per setting and page set it prints CPU time per page (one core),
paragraph recall, chrome leakage, titles/dates found and pages given up on.

Usage:
    .venv/bin/python benchmarks/extract_quality.py [--pages 300] [--site DIR] [--json FILE]
``--site`` reuses a directory built by crawl_bench.py or sitegen.py (its manifest decides the pages).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

import crawler.extract as newsmon_extract  # noqa: E402
from storage.records import Page  # noqa: E402

def one_prune_expression(options: dict) -> dict:
    """newsmon's prune_xpath list as one XPath: one tree walk instead of one per expression.

    ``//*[P1]``, ``//*[P2]``... become ``//*[@class or @id][(P1) or (P2)...]`` (the guard only
    when every predicate tests nothing but @class/@id), other expressions are joined with ``|``.
    """
    xpaths = options.get("prune_xpath") or []
    xpaths = [xpaths] if isinstance(xpaths, str) else list(xpaths)
    single = [x.startswith("//*[") and x.endswith("]") and " | " not in x for x in xpaths]  # a union: already joined
    predicates = [x[4:-1] for x, one in zip(xpaths, single) if one]
    others = [x for x, one in zip(xpaths, single) if not one]
    if not predicates:
        return {}
    attributes = {a for p in predicates for a in re.findall(r"@([\w-]+)", p)}
    guard = "[@class or @id]" if attributes <= {"class", "id"} else ""
    combined = "//*" + guard + "[" + " or ".join(f"({p})" for p in predicates) + "]"
    return {"prune_xpath": [" | ".join([combined, *others])]}


#: Settings compared, as overrides of newsmon's current options (a callable derives them from those).
VARIANTS: dict[str, dict | Callable[[dict], dict]] = {
    "newsmon (current)": {},
    "favor_precision=False": {"favor_precision": False},
    "favor_recall=True": {"favor_precision": False, "favor_recall": True},
    "fast=True": {"fast": True},
    "fast=True, favor_precision=False": {"fast": True, "favor_precision": False},
    "include_tables=False": {"include_tables": False},
    "no prune_xpath": {"prune_xpath": None},
    "prune_xpath as one expression": one_prune_expression,
    "fast=True, prune_xpath as one expression": lambda options: {"fast": True, **one_prune_expression(options)},
}
_PATCHED_NAMES = ("bare_extraction", "extract")


@contextlib.contextmanager
def trafilatura_calls(*, overrides: dict | None = None, record: list | None = None) -> Iterator[None]:
    """While active, calls extract.py makes to trafilatura get ``overrides`` and are recorded.

    Patches ``trafilatura.bare_extraction``/``extract`` (and the same names in
    crawler.extract, should it import them directly); restored on exit.
    """
    saved = []
    for module in (trafilatura, newsmon_extract):
        for name in _PATCHED_NAMES:
            real = getattr(module, name, None)
            if not callable(real):
                continue
            saved.append((module, name, real))

            def patched(*args, _real=real, _name=name, **kwargs):
                if record is not None:
                    record.append((_name, dict(kwargs)))
                kwargs.update(overrides or {})
                return _real(*args, **kwargs)

            setattr(module, name, patched)
    try:
        yield
    finally:
        for module, name, real in reversed(saved):
            setattr(module, name, real)


def newsmon_trafilatura_options() -> dict:
    """The keyword options extract.py passes to trafilatura, captured from one real extraction (``url`` removed)."""
    from tests.fixtures.articles import EN_ARTICLES
    from tests.fixtures.sites import article_page

    calls: list = []
    page = Page(url="http://127.0.0.1/en/news/sample", source="bench", html=article_page(EN_ARTICLES[0], []))
    with trafilatura_calls(record=calls):
        newsmon_extract.extract_article(page)
    if not calls:
        raise SystemExit("extract_quality: crawler.extract.extract_article made no trafilatura call that could be captured")
    options = dict(calls[0][1])
    options.pop("url", None)
    return options


def options_for_extract(options: dict) -> tuple[dict, list[str]]:
    """``options`` restricted to what ``trafilatura.extract`` accepts, and the names left out."""
    accepted = inspect.signature(trafilatura.extract).parameters
    kept = {k: v for k, v in options.items() if k in accepted}
    return kept, sorted(set(options) - set(kept))


@contextlib.contextmanager
def one_core() -> Iterator[int]:
    """Pin this process to one CPU (the measurement is 'on one core'); restored on exit."""
    if not hasattr(os, "sched_getaffinity"):
        yield -1
        return
    saved = os.sched_getaffinity(0)
    cpu = min(saved)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, saved)


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def score_stored(texts: Mapping[str, str], manifest: dict, base_url: str,
                 langs: Mapping[str, str | None] | None = None) -> dict[str, dict]:
    """What a crawler stored (``texts`` by URL) against the generated pages, per template family.

    Per family: pages stored, paragraphs expected and found, pages with every paragraph,
    pages carrying any of their chrome snippets, and (given ``langs``) pages whose stored
    language has the manifest's primary subtag (``uz`` for ``uz-Latn``).
    """
    quality: dict[str, dict] = {}
    for article in manifest["articles"]:
        url = base_url + article["path"]
        text = texts.get(url)
        if text is None:
            continue
        text = normalize(text)
        q = quality.setdefault(article.get("theme") or "any",
                               {"pages": 0, "paragraphs": 0, "found": 0, "complete": 0, "leaky": 0, "lang_ok": 0})
        found = sum(normalize(p) in text for p in article["paragraphs"])
        q["pages"] += 1
        q["paragraphs"] += len(article["paragraphs"])
        q["found"] += found
        q["complete"] += found == len(article["paragraphs"])
        q["leaky"] += any(normalize(c) in text for c in article["chrome"])
        if langs is not None:
            q["lang_ok"] += (langs.get(url) or "").split("-")[0] == article["lang"].split("-")[0]
    return quality


@dataclass
class Case:
    """One page with what extraction should find (paragraphs, title, date) and must not (chrome)."""

    url: str
    html: str
    title: str
    published: str
    paragraphs: list[str]
    chrome: list[str]


@dataclass
class Score:
    seconds: list[float] = field(default_factory=list)
    expected: int = 0
    found: int = 0
    complete_pages: int = 0
    leaks: int = 0
    leaky_pages: int = 0
    titles_ok: int = 0
    dates_ok: int = 0
    failed: int = 0
    leaked: dict = field(default_factory=dict)

    def row(self, pages: int) -> dict:
        return {
            "ms_per_page": round(1000 * statistics.fmean(self.seconds), 1),
            "recall": round(self.found / self.expected, 4) if self.expected else 0.0,
            "complete_pages": self.complete_pages,
            "chrome_leaks": self.leaks,
            "leaky_pages": self.leaky_pages,
            "titles_ok": self.titles_ok,
            "dates_ok": self.dates_ok,
            "no_article": self.failed,
            "pages": pages,
            "top_leaks": dict(sorted(self.leaked.items(), key=lambda kv: -kv[1])[:5]),
        }


def fixture_cases() -> list[Case]:
    from tests.fixtures.articles import CHROME_SNIPPETS, EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
    from tests.fixtures.sites import article_page, article_path

    articles = EN_ARTICLES + RU_ARTICLES + IT_ARTICLES
    cases = []
    for article in articles:
        related = [a for a in articles if a.lang == article.lang and a is not article][:2]
        cases.append(Case(
            url="http://127.0.0.1:8000" + article_path(article), html=article_page(article, related),
            title=article.title, published=article.published, paragraphs=list(article.paragraphs),
            chrome=list(CHROME_SNIPPETS) + [a.title for a in related],
        ))
    return cases


def bench_cases(site: Path, limit: int | None = None) -> dict[str, list[Case]]:
    """Generated pages by theme (semantic CMS class names, or utility classes on plain divs)."""
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    cases: dict[str, list[Case]] = {}
    for article in manifest["articles"][:limit]:
        cases.setdefault(f"generated, {article.get('theme') or 'any'} classes", []).append(Case(
            url="http://127.0.0.1:8000" + article["path"],
            html=(site / "site" / article["file"]).read_text(encoding="utf-8"),
            title=article["title"], published=article["published"][:10],
            paragraphs=article["paragraphs"], chrome=article["chrome"],
        ))
    return cases


def score(cases: list[Case], variants: dict[str, dict]) -> dict[str, Score]:
    """Every variant on every page, interleaved page by page so load drift hits all variants alike."""
    from crawler.extract import ExtractionError, extract_article

    results = {name: Score() for name in variants}
    for name, overrides in variants.items():  # warm-up: lazy imports, compiled expressions
        with trafilatura_calls(overrides=overrides):
            extract_article(Page(url=cases[0].url, source="bench", html=cases[0].html))
    for case in cases:
        for name, overrides in variants.items():
            result = results[name]
            result.expected += len(case.paragraphs)
            with trafilatura_calls(overrides=overrides):
                started = time.process_time()
                try:
                    article = extract_article(Page(url=case.url, source="bench", html=case.html))
                except ExtractionError:
                    article = None
                result.seconds.append(time.process_time() - started)
            if article is None:
                result.failed += 1
                continue
            text = normalize(article.text)
            found = sum(normalize(p) in text for p in case.paragraphs)
            result.found += found
            result.complete_pages += found == len(case.paragraphs)
            leaks = [c for c in case.chrome if normalize(c) in text]
            result.leaks += len(leaks)
            result.leaky_pages += bool(leaks)
            for leak in leaks:
                result.leaked[leak] = result.leaked.get(leak, 0) + 1
            result.titles_ok += normalize(article.title) == normalize(case.title)
            result.dates_ok += (article.published or "")[:10] == case.published[:10]
    return results


def langid_ms_per_page(cases: list[Case]) -> float:
    """Time of the language-identification step newsmon runs after extraction (for context)."""
    from crawler.extract import ExtractionError, extract_article
    from crawler.steps import identify_language

    articles = []
    for case in cases:
        with contextlib.suppress(ExtractionError):
            articles.append(extract_article(Page(url=case.url, source="bench", html=case.html)))
    started = time.process_time()
    for article in articles:
        identify_language(article)
    return 1000 * (time.process_time() - started) / max(1, len(articles))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300, help="generated pages to score (default 300)")
    parser.add_argument("--site", type=Path, help="reuse a generated site directory (has manifest.json)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="first wait up to this long for other processes to go quiet")
    args = parser.parse_args()

    from benchmarks import sitegen

    tmp = None
    site = args.site
    if site is None:
        tmp = tempfile.TemporaryDirectory(prefix="newsmon-quality-")
        site = Path(tmp.name)
        sitegen.build_site(site, pages=args.pages, seed=args.seed)
    sets = {"fixture site": fixture_cases(), **dict(sorted(bench_cases(site, args.pages).items()))}
    base = newsmon_trafilatura_options()
    print(f"trafilatura {trafilatura.__version__}; newsmon's options: "
          + ", ".join(f"{k}={'[%d xpaths]' % len(v) if k == 'prune_xpath' and v else v!r}" for k, v in base.items()))
    print("pages: " + ", ".join(f"{name} {len(cases)}" for name, cases in sets.items()) + "\n")
    results: dict = {"trafilatura": trafilatura.__version__, "options": {k: v for k, v in base.items() if k != "prune_xpath"},
                     "variants": {}}
    header = ("| setting | pages | CPU ms/page | paragraph recall | complete pages | chrome leaks (pages) "
              "| titles ok | dates ok | no article |")
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    variants = {}
    for label, variant in VARIANTS.items():
        overrides = variant(base) if callable(variant) else variant
        same = all(base.get(k) == v for k, v in overrides.items())
        variants[label + (" (= current)" if overrides and same else "")] = overrides
    if args.wait_idle:
        from benchmarks.crawl_bench import wait_for_idle

        wait_for_idle(args.wait_idle)
    with one_core():
        by_set = {set_name: score(cases, variants) for set_name, cases in sets.items()}
        for name in variants:
            results["variants"][name] = {}
            for set_name, cases in sets.items():
                row = by_set[set_name][name].row(len(cases))
                results["variants"][name][set_name] = row
                print(f"| {name} · {set_name} | {row['pages']} | {row['ms_per_page']} | {row['recall']:.1%} "
                      f"| {row['complete_pages']} | {row['chrome_leaks']} ({row['leaky_pages']}) | {row['titles_ok']} "
                      f"| {row['dates_ok']} | {row['no_article']} |", flush=True)
        generated = [case for name, cases in sets.items() if name.startswith("generated") for case in cases]
        results["langid_ms_per_page"] = round(langid_ms_per_page(generated), 1)
    print(f"\nlanguage identification after extraction (crawler.steps.identify_language): "
          f"{results['langid_ms_per_page']} ms/page on the generated pages")
    for name, by_set in results["variants"].items():
        for set_name, row in by_set.items():
            if row["top_leaks"]:
                print(f"leaks · {name} · {set_name}: " + "; ".join(f"{k[:50]!r} ×{v}" for k, v in row["top_leaks"].items()))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
