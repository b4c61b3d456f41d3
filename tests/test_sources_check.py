"""``newsmon sources check``: real CLI, real Scrapy, replays and broken sites on loopback.

One run checks a working source (UzA's replay) beside six broken ones, each broken
in one way a real site breaks: the feed answers 404, no link matches ``article_urls``,
a block page, a script shell, robots.txt refusing the articles, feed items dated in
the future.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_newsmon
from tests.fixtures.replay import Answer, ReplayProxy, load_replays

CHALLENGE = (
    "<html><head><title>Just a moment...</title></head><body>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
    "Checking your browser before accessing the site.</body></html>"
)
SHELL = (
    "<!DOCTYPE html><html><head><title>Portal</title><script src='/static/app.4f1c.js'></script></head>"
    "<body><div id='app'></div><noscript>Enable JavaScript</noscript></body></html>"
)
ARTICLE = (
    "<html lang='en'><head><title>{title}</title><meta property='og:title' content='{title}'>"
    "<meta property='article:published_time' content='2026-11-20T10:00:00+00:00'></head><body><article>"
    "<h1>{title}</h1><p>Officers visited three schools this week to talk about safe passwords and phishing.</p>"
    "<p>Pupils practised spotting fake login pages and reporting them to a teacher.</p></article></body></html>"
)


def _rss(link: str, date: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>t</title><link>https://future.example/</link>"
        f"<description>d</description><item><title>Safe passwords week</title><link>{link}</link>"
        f"<pubDate>{date}</pubDate></item></channel></rss>"
    )


BROKEN_SOURCES = """
[[source]]
name = "uza-uz"
country = "UZ"
kind = "news"
language = "uz"
feeds = ["https://uza.uz/uz/rss"]
start_urls = ["https://uza.uz/oz/"]
article_urls = '^https://uza\\.uz/(oz|uz|ru|en)/posts/[\\w-]+_\\d+$'

[[source]]
name = "feed-404"
country = "KZ"
kind = "news"
feeds = ["https://feed404.example/rss/"]
article_urls = '/news/\\d+$'

[[source]]
name = "no-matches"
country = "KZ"
kind = "news"
start_urls = ["https://nomatch.example/"]
article_urls = '^https://nomatch\\.example/news/\\d+$'

[[source]]
name = "blocked"
country = "RU"
kind = "news"
start_urls = ["https://blocked.example/", "https://blocked.example/latest"]
article_urls = '/news/\\d+$'

[[source]]
name = "shell"
country = "UZ"
kind = "ministry"
start_urls = ["https://shell.example/"]
article_urls = '/news/\\d+$'

[[source]]
name = "robots"
country = "IT"
kind = "police"
start_urls = ["https://robots.example/index.html"]
article_urls = '^https://robots\\.example/news/\\d+$'

[[source]]
name = "switched-off"
country = "KZ"
kind = "news"
enabled = false
feeds = ["https://feed404.example/old.xml"]
article_urls = '/news/\\d+$'

[[source]]
name = "future"
country = "intl"
kind = "intl"
feeds = ["https://future.example/rss.xml"]
article_urls = '^https://future\\.example/news/\\d+$'
"""


def broken_answers() -> dict[str, Answer]:
    answers = dict(load_replays()["uza-uz"].answers)
    html = "text/html; charset=utf-8"
    answers.update({
        "https://nomatch.example/": Answer(b"<html><body><a href='/story/1'>A story</a> <a href='/about'>About</a></body></html>"),
        "https://blocked.example/": Answer(CHALLENGE.encode(), status=403, content_type=html),
        "https://blocked.example/latest": Answer(CHALLENGE.encode()),
        "https://shell.example/": Answer(SHELL.encode()),
        "https://robots.example/robots.txt": Answer(b"User-agent: *\nDisallow: /news/\n", content_type="text/plain"),
        "https://robots.example/index.html": Answer(b"<html><body><a href='/news/1'>One</a> <a href='/news/2'>Two</a></body></html>"),
        "https://future.example/rss.xml": Answer(_rss("https://future.example/news/7", "Mon, 06 Jan 2031 10:00:00 +0000").encode(),
                                                 content_type="application/rss+xml"),
        "https://future.example/news/7": Answer(ARTICLE.format(title="Safe passwords week").encode()),
    })
    return answers


def section(stdout: str, name: str) -> str:
    """The report lines of one source (from its heading to the next heading)."""
    match = re.search(rf"^{re.escape(name)} \(.*?(?=^\S|\Z)", stdout, re.M | re.S)
    assert match, f"no section for {name} in:\n{stdout}"
    return match.group(0)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "sources.toml"
    path.write_text(BROKEN_SOURCES, encoding="utf-8")
    proxy = ReplayProxy(broken_answers()).start()
    try:
        result = run_newsmon("sources", "check", "--sources", str(path), env=proxy.env())
    finally:
        proxy.stop()
    return result


def test_exit_code_and_summary(checked):
    assert checked.returncode == 1, checked.stderr
    assert "7 source(s) checked: 2 gave articles" in checked.stderr
    assert "failed: feed-404, no-matches, blocked, shell, robots" in checked.stderr
    assert "switched-off" not in checked.stdout  # disabled sources are checked only by name


def test_working_source_reports_counts_and_samples(checked):
    text = section(checked.stdout, "uza-uz")
    assert "feed     https://uza.uz/uz/rss: 1 article URL" in text
    assert "listing  https://uza.uz/oz/: 1 article URL" in text
    assert "'Тошкентда киберҷиноятчиликка қарши семинар ўтказилди' · 2026-11-24 · uz/Cyrl · Ички ишлар" in text
    assert "'Bank kartasi firibgarlari Samarqandda qo‘lga olindi' · 2026-11-25 · uz/Latn · Samarqand" in text
    assert "warning" not in text
    assert text.rstrip().endswith("ok: 2 article URLs found, 2 of 2 sampled extracted")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("feed-404", ["https://feed404.example/rss/: http_404", "the feed answers 404", "sitemap", "FAILED"]),
        ("no-matches", ["https://nomatch.example/: 0 article URLs", "0 article URLs: no link on the entry points matches", "FAILED"]),
        ("blocked", ["https://blocked.example/: blocked: HTTP 403", "https://blocked.example/latest: blocked: a block or challenge page",
                     "2 block or challenge page(s)", "FAILED"]),
        ("shell", ["warning: https://shell.example/: a script shell", "needs JavaScript", "FAILED"]),
        ("robots", ["refused by robots.txt", "robots.txt disallows 2 of the URLs", "FAILED"]),
        ("future", ["https://future.example/rss.xml: 1 feed item(s) dated in the future", "ok, with warnings: 1 article URL found"]),
    ],
)
def test_broken_sources_are_named(checked, name, expected):
    text = section(checked.stdout, name)
    for snippet in expected:
        assert snippet in text, (snippet, text)


def test_unknown_name_is_a_usage_error():
    result = run_newsmon("sources", "check", "no-such-source")
    assert result.returncode == 2 and "unknown source(s): no-such-source" in result.stderr


def test_plain_sources_command_still_lists():
    result = run_newsmon("sources")
    assert result.returncode == 0 and result.stdout.startswith("iiv-uz ")


def test_api_and_telegram_sources_report_items_and_samples():
    answers = {url: a for replay in load_replays().values() for url, a in replay.answers.items()}
    proxy = ReplayProxy(answers).start()
    try:
        result = run_newsmon("sources", "check", "uza-api-ru", "cyberpolice-iiv-tg", env=proxy.env())
    finally:
        proxy.stop()
    assert result.returncode == 0, result.stderr
    api = section(result.stdout, "uza-api-ru")
    assert "api      https://api.uza.uz/api/v1/posts/search?q=&_f=json&_l=ru&page=1&per_page=21: 1 article URL" in api
    assert "'В Ташкенте обсудили защиту детей в интернете' · 2026-11-26 · ru/Cyrl" in api
    channel = section(result.stdout, "cyberpolice-iiv-tg")
    assert "telegram https://t.me/s/cyberpolice_iiv: 1 article URL" in channel
    assert "https://t.me/cyberpolice_iiv/1840" in channel and "uz/Latn" in channel
    assert "?before=" not in result.stdout  # the check reads the newest posts only
