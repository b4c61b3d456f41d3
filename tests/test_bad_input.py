"""Bad input never hurts: the real crawl against a site that misbehaves on purpose.

One crawl (module-scoped) of four sources in one run: the bad site, a source whose
server refuses connections, one that answers 500 to everything, and the good
fixture site. Each bad input must be counted under its kind in ``crawl_runs``,
named with its URL in the log, and never stored; the charset pages must be stored
with their real text. A second crawl then turns three stored articles' pages bad
(challenge page, 500, soft 404) and checks the stored rows are untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
import sqlite_utils

from tests.conftest import ROOT
from tests.fixtures.articles import IT_ARTICLES
from tests.fixtures.badsites import (
    BROKEN_MARKUP_PATH,
    CHARSET_ARTICLES,
    CONTROL_CHAR_ARTICLE,
    REDIRECT_TARGET_ARTICLE,
    REDIRECT_TARGET_PATH,
    SKIPPED_BY_EXTENSION,
    EXPECTED_ERRORS,
    STORED_CHARSET_PATHS,
    VICTIM_ARTICLES,
    bad_site,
    bad_sources_toml,
    turn_victims_bad,
)
from tests.fixtures.server import FixtureServer, Route
from tests.fixtures.sites import article_path, news_site, sources_toml

#: Small limits so the size cap, timeout and redirect cases happen quickly. The timeout is not
#: smaller: with two test files crawling at once on two cores, a 2 s deadline once caught an
#: ordinary redirect answer (counted `timeout`, not `offsite_redirect`).
OVERRIDES = {"DOWNLOAD_MAXSIZE": 200_000, "DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 0, "REDIRECT_MAX_TIMES": 5}

#: Redirect loops through URLs already requested (A → A, A → B → A): Scrapy's duplicate filter
#: drops the looping request; the spider counts it as ``redirect_loop`` on ``request_dropped``
#: (see ``crawler.errors.dropped_redirect``).
DROPPED_LOOPS = ("/a/petlya", "/a/krug-1")

RUNNER = """
import json, sys
from newsmon.cli import configure_logging
configure_logging(1, False)  # INFO, as `newsmon -v crawl` and --log-file: one line per bad input
from crawler.run import run_crawl
from crawler.sources import load_sources
wanted = sys.argv[4].split(",")
sources = [s for s in load_sources(sys.argv[1]) if s.name in wanted]
for result in run_crawl(sources, db_path=sys.argv[2], settings_overrides=json.loads(sys.argv[3])):
    print(result.summary_line())
"""
SOURCES = ("bad-site", "refused", "all-500", "fixture-it")


def run_crawl_subprocess(sources_path, db_path, names) -> subprocess.CompletedProcess:
    """The library's real ``run_crawl`` in its own process (Scrapy's reactor runs once per process)."""
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(sources_path), str(db_path), json.dumps(OVERRIDES), ",".join(names)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


def down_site() -> dict[str, Route]:
    return {path: Route("<h1>500 Internal Server Error</h1>", status=500) for path in ("/robots.txt", "/", "/rss")}


class Crawl:
    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory.mktemp("bad_input")
        self.bad = FixtureServer({}).start()
        self.bad.routes.update(bad_site(self.bad.base_url))
        self.down = FixtureServer(down_site()).start()
        self.good = FixtureServer({}).start()
        self.good.routes.update(news_site(self.good.base_url))
        self.sources = self.tmp / "sources.toml"
        self.sources.write_text(
            bad_sources_toml(self.bad.base_url, self.down.base_url) + sources_toml(self.good.base_url), encoding="utf-8"
        )
        self.db_path = self.tmp / "crawl.db"
        self.first = run_crawl_subprocess(self.sources, self.db_path, SOURCES)
        self.db = sqlite_utils.Database(self.db_path)
        self.victims_before = self.victim_rows()
        self.log_mark = len(self.bad.log)
        turn_victims_bad(self.bad.routes)
        self.second = run_crawl_subprocess(self.sources, self.db_path, ["bad-site"])

    def url(self, path: str) -> str:
        return self.bad.url(path)

    def runs(self, source: str) -> list[dict]:
        return list(self.db.query("select * from crawl_runs where source = ? order by id", [source]))

    def victim_rows(self) -> dict[str, dict]:
        urls = [self.url(article_path(a)) for a in VICTIM_ARTICLES]
        rows = self.db.query(f"select * from articles where url in ({','.join('?' * len(urls))})", urls)
        return {row["url"]: row for row in rows}

    def stop(self):
        for server in (self.bad, self.down, self.good):
            server.stop()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    run = Crawl(tmp_path_factory)
    yield run
    run.stop()


def test_the_crawl_ran_and_summarised_every_source(crawl):
    lines = crawl.first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == list(SOURCES), crawl.first.stderr[-3000:]
    assert lines[0].startswith("bad-site: ok: ")


def test_charset_pages_are_stored_with_their_text(crawl):
    for path, article in STORED_CHARSET_PATHS.items():
        row = next(crawl.db.query("select * from articles where url = ?", [crawl.url(path)]), None)
        assert row is not None, f"{path} not stored; log: {crawl.first.stderr[-2000:]}"
        assert row["title"] == article.title, path
        for paragraph in article.paragraphs:
            assert paragraph in row["text"], (path, paragraph)


def written_text(crawl, title: str) -> str:
    """The text this test suite wrote for the page titled ``title``: judged without the product's scorer."""
    articles = [*CHARSET_ARTICLES, *VICTIM_ARTICLES, *IT_ARTICLES, CONTROL_CHAR_ARTICLE, REDIRECT_TARGET_ARTICLE]
    for article in articles:
        if article.title == title:
            return article.title + "".join(article.paragraphs)
    broken = crawl.bad.routes[BROKEN_MARKUP_PATH].payload().decode("utf-8")
    assert title in broken, f"stored title {title!r} is no page's title: garbled?"
    return broken


def test_nothing_stored_is_garbled(crawl):
    """Every stored character is one the fixture text has: a misdecoding brings characters it never had."""
    rows = list(crawl.db.query("select url, title, text from articles"))
    assert rows
    for row in rows:
        foreign = set(f"{row['title']}{row['text']}") - set(written_text(crawl, row["title"])) - set(" \n|")  # layout: lines, table cells
        assert not foreign, (row["url"], sorted(foreign))


def test_a_control_character_and_a_redirected_listing_lose_no_article(crawl):
    for path, article in ((article_path(CONTROL_CHAR_ARTICLE), CONTROL_CHAR_ARTICLE),
                          (REDIRECT_TARGET_PATH, REDIRECT_TARGET_ARTICLE)):
        row = next(crawl.db.query("select * from articles where url = ?", [crawl.url(path)]), None)
        assert row is not None, f"{path} not stored"
        assert row["title"] == article.title
        for paragraph in article.paragraphs:
            assert paragraph.replace("\x01", "") in row["text"], (path, paragraph)


def test_only_articles_are_stored(crawl):
    stored = {row["url"] for row in crawl.db.query("select url from articles where source = 'bad-site'")}
    expected = {crawl.url(p) for p in STORED_CHARSET_PATHS} | {crawl.url(BROKEN_MARKUP_PATH)}
    expected |= {crawl.url(article_path(a)) for a in VICTIM_ARTICLES}
    expected |= {crawl.url(article_path(CONTROL_CHAR_ARTICLE)), crawl.url(REDIRECT_TARGET_PATH)}
    assert stored == expected


def test_links_to_files_are_never_requested(crawl):
    assert SKIPPED_BY_EXTENSION not in crawl.bad.paths()


def test_broken_markup_with_a_real_article_is_repaired_and_stored(crawl):
    row = next(crawl.db.query("select * from articles where url = ?", [crawl.url(BROKEN_MARKUP_PATH)]))
    assert row["title"] == "Кража кабеля с подстанции раскрыта"
    assert "признательные показания" in row["text"]


def test_each_bad_input_is_counted_under_its_kind(crawl):
    run = crawl.runs("bad-site")[0]
    by_kind = json.loads(run["errors_by_kind"])
    expected = Counter(EXPECTED_ERRORS.values())
    loops = by_kind.pop("redirect_loop", 0)
    assert loops == expected.pop("redirect_loop") + len(DROPPED_LOOPS)
    assert by_kind == dict(expected)
    assert run["status"] == "ok"


def test_each_bad_input_is_one_log_line_with_url_and_reason(crawl):
    log = crawl.first.stderr.splitlines()
    for path, kind in EXPECTED_ERRORS.items():
        url = crawl.url(path)
        if kind == "redirect_loop":  # logged under the hop where Scrapy gave up, not the first URL
            url = url.rstrip("0123456789")
        lines = [line for line in log if f"bad-site: {url}" in line]
        assert lines, f"no log line for {path} ({kind})"
    for path in STORED_CHARSET_PATHS:
        assert not [line for line in log if crawl.url(path) + ":" in line], path


def test_summary_line_names_the_kinds(crawl):
    line = crawl.first.stdout.splitlines()[0]
    for kind in ("mojibake", "not_html", "too_large", "blocked", "soft_404", "xml_bomb", "malformed_feed",
                 "malformed_sitemap", "timeout", "http_500", "redirect_loop", "truncated", "redirect_refused",
                 "offsite_redirect"):
        assert f"{kind} " in line, (kind, line)


def test_failing_sources_fail_alone(crawl):
    refused, down, good = crawl.runs("refused")[0], crawl.runs("all-500")[0], crawl.runs("fixture-it")[0]
    assert refused["status"] == "failed" and json.loads(refused["errors_by_kind"]) == {"connection_refused": 1}
    assert "127.0.0.1:9" in refused["error"]
    assert down["status"] == "failed" and set(json.loads(down["errors_by_kind"])) == {"http_500"}
    assert good["status"] == "ok" and good["articles_new"] == len(IT_ARTICLES)
    titles = {r["title"] for r in crawl.db.query("select title from articles where source = 'fixture-it'")}
    assert titles == {a.title for a in IT_ARTICLES}


def test_stored_articles_survive_their_page_turning_bad(crawl):
    assert len(crawl.victims_before) == len(VICTIM_ARTICLES)
    second_run_paths = [entry.path for entry in crawl.bad.log[crawl.log_mark:]]
    for article in VICTIM_ARTICLES:
        assert article_path(article) in second_run_paths, "the victim was not re-requested: nothing tested"
    after = crawl.victim_rows()
    for url, before in crawl.victims_before.items():
        for column in ("content_hash", "title", "text", "updated_at", "lang"):
            assert after[url][column] == before[column], (url, column)
    second_log = crawl.second.stderr
    challenge, error, soft = (crawl.url(article_path(a)) for a in VICTIM_ARTICLES)
    assert f"bad-site: {challenge}: a block or challenge page, not an article" in second_log
    assert f"bad-site: {error}: HTTP 500" in second_log
    assert f"bad-site: {soft}: a 'page not found' page (soft 404), not an article" in second_log
    by_kind = json.loads(crawl.runs("bad-site")[-1]["errors_by_kind"])
    assert by_kind["blocked"] >= 1 and by_kind["soft_404"] >= 1 and by_kind["http_500"] >= 2


def test_fetch_refuses_the_same_pages_and_recovers_the_same_charsets(crawl, tmp_path):
    """``newsmon fetch`` shares decoding and checks with the crawl."""
    from tests.conftest import run_newsmon
    from tests.fixtures.badsites import RU_WRONG_HEADER

    db_path = tmp_path / "fetch.db"
    cases = {
        "/ru/novosti/mojibake-dvazhdy-utf8": "garbled text in every likely charset",
        "/a/pdf-pod-vidom-html": "binary content (PDF) served as an HTML page",
        "/a/challenge-cloudflare-en": "a block or challenge page, not an article",
        "/a/ne-naidena-ru-title": "soft 404",
    }
    for path, reason in cases.items():
        result = run_newsmon("fetch", "--db", str(db_path), crawl.url(path))
        assert result.returncode == 1, (path, result.stdout)
        assert reason in result.stderr and crawl.url(path) in result.stderr, (path, result.stderr)
    result = run_newsmon("fetch", "--json", "--no-store", "--db", str(db_path), crawl.url(article_path(RU_WRONG_HEADER)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == RU_WRONG_HEADER.title  # header says utf-8, page is windows-1251

