"""``newsmon serve`` in headless Chromium: the real command, the real Datasette, a real browser.

Starts ``newsmon serve`` on the fixture database (tests/fixture_db.py), then drives Debian's
/usr/bin/chromium through Playwright: the articles table, a facet, full-text search in English,
Russian and Uzbek Latin (with another apostrophe than the text's), a canned query with
highlighted snippets, the article page, the Atom feeds and read-only SQL. Screenshots go to
each test's temp folder; assertions are on page content.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.conftest import ROOT, WORKBENCH_DB

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
DB = WORKBENCH_DB


# Shared by the session (tests/conftest.py); these names are what the browser test modules use.
@pytest.fixture
def fixture_path(workbench_db) -> Path:
    return workbench_db


@pytest.fixture
def server(workbench_server) -> str:
    return workbench_server


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.shots = tmp_path  # where shot() saves
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(page.shots / f"{name}.png"), full_page=True)


def column(page, name: str) -> list[str]:
    return page.locator(f"table.rows-and-columns td.col-{name}").all_inner_texts()


def heading(page) -> str:
    return page.locator("h3").first.inner_text()


def url_of(fixture_path: Path, key: str) -> str:
    with sqlite3.connect(fixture_path) as conn:
        return conn.execute("select url from articles where url like ?", [f"%/{key}"]).fetchone()[0]


def test_articles_table_lists_rows_newest_first(server, page, fixture_path):
    page.goto(f"{server}/{DB}/articles")
    shot(page, "articles")
    assert page.locator("h1").first.inner_text().strip() == "Articles"
    assert heading(page).startswith("48 rows") and "sorted by published descending" in heading(page)
    published = column(page, "published")
    assert len(published) == 48 and published == sorted(published, reverse=True)
    assert "What each column means" in page.content()


def test_facet_narrows_to_one_source(server, page):
    page.goto(f"{server}/{DB}/articles")
    facet = page.locator(".facet-info[data-column='source']")
    facet.get_by_role("link", name="uz-xabar", exact=True).click()
    page.wait_for_url("**source=uz-xabar**")
    shot(page, "facet-source")
    assert heading(page).startswith("6 rows")
    assert set(column(page, "source")) == {"uz-xabar"}
    assert set(column(page, "script")) == {"Cyrl"}
    for name in ("country", "kind", "lang", "script"):  # the other facets are there too
        assert page.locator(f".facet-info[data-column='{name}']").count() == 1


def search_articles(page, server, text: str) -> list[str]:
    page.goto(f"{server}/{DB}/articles")
    page.locator("input#_search").fill(text)
    page.locator("input#_search").press("Enter")
    page.wait_for_url("**_search=**")
    return column(page, "url")


def test_search_articles_in_english(server, page, fixture_path):
    urls = search_articles(page, server, "ransomware")
    shot(page, "search-en")
    # the English original and the Russian article through its translation
    assert set(urls) == {url_of(fixture_path, "en-europol-ransomware"), url_of(fixture_path, "ru-hospital-ransomware")}


def test_search_articles_in_russian(server, page, fixture_path):
    urls = search_articles(page, server, "мошенников")
    shot(page, "search-ru")
    assert urls == [url_of(fixture_path, "ru-cyberpatrol")]
    assert "Киберпатруль задержал группу телефонных мошенников" in page.content()


def test_search_articles_in_uzbek_latin_with_another_apostrophe(server, page, fixture_path):
    # the text writes oʻgʻirlik (U+02BB); the analyst types an ASCII apostrophe
    urls = search_articles(page, server, "o'g'irlik")
    shot(page, "search-uz")
    assert urls == [url_of(fixture_path, "uz-phone-theft")]
    assert "Chilonzorda telefon oʻgʻirligi fosh etildi" in page.content()


def test_search_everything_highlights_and_opens_the_article(server, page, fixture_path):
    page.goto(f"{server}/{DB}")
    page.get_by_role("link", name="Search everything").click()
    page.locator("input[name='q']").fill("thefts")
    page.get_by_role("button", name="Run SQL").click()
    page.wait_for_url("**q=thefts**")
    shot(page, "search-everything")
    assert page.locator("td.col-english_snippet mark").first.inner_text().lower() == "thefts"
    assert column(page, "original_url") == [url_of(fixture_path, "uz-phone-theft")]

    page.locator("td.col-article a").first.click()
    page.wait_for_url("**/articles/*")
    shot(page, "article")
    assert page.locator("h1.article-title").inner_text() == "Phone theft ring uncovered in Chilonzor"
    assert "Twelve stolen mobile phones" in page.locator("section.english").inner_text()
    original = page.locator("section.original")
    assert "Original (uz, Latn)" in original.inner_text() and "Oʻgʻirlangan oʻn ikkita" in original.inner_text()
    assert page.locator("a.original-link").get_attribute("href") == url_of(fixture_path, "uz-phone-theft")
    assert "uz-iiv" in page.locator(".newsmon-article .meta").first.inner_text()
    assert "2026-11-18" in page.locator(".newsmon-article .meta").first.inner_text()
    hits = page.locator("ul.hits").inner_text()
    assert "theft" in hits and "o'g'irl*" in hits
    chrome = page.locator("details.chrome-removed")
    assert "Manzil:" not in original.inner_text().split("Site chrome removed")[0]
    chrome.locator("summary").click()
    assert "Manzil: Toshkent shahri" in chrome.inner_text()


def test_canned_queries_sources_health_and_untranslated(server, page):
    page.goto(f"{server}/{DB}/sources_health")
    shot(page, "sources-health")
    sources = column(page, "source")
    assert sources[0] == "kz-habar" and len(sources) == 6  # the failing source first
    assert "http_403 on every start URL" in page.content()
    page.goto(f"{server}/{DB}/untranslated")
    assert "no installed translation model for kk→en" in page.content()


def parse_atom(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{element}") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for element in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{element}") or "").strip(), element
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return root


def test_atom_feeds(server, page, fixture_path):
    page.goto(f"{server}/{DB}/watchlist_feed_theft")
    atom_link = page.get_by_role("link", name="atom", exact=True)
    assert atom_link.count() == 1
    response = page.request.get(atom_link.evaluate("a => a.href"))
    assert response.ok
    root = parse_atom(response.body())
    assert root.findtext(f"{ATOM}title") == "newsmon watchlist: theft"
    with sqlite3.connect(fixture_path) as conn:
        expected = {r[0] for r in conn.execute(
            "select distinct a.url from watchlist_hits h join articles a on a.id = h.article where h.watchlist = 'theft'")}
        all_urls = {r[0] for r in conn.execute("select url from articles")}
    entries = {e.findtext(f"{ATOM}id"): e for e in root.findall(f"{ATOM}entry")}
    assert set(entries) == expected and url_of(fixture_path, "uz-phone-theft") in expected
    assert url_of(fixture_path, "uz-overloaded-lorries") not in expected
    theft = entries[url_of(fixture_path, "uz-phone-theft")]
    assert theft.findtext(f"{ATOM}title") == "Phone theft ring uncovered in Chilonzor"
    assert theft.find(f"{ATOM}link").get("href") == url_of(fixture_path, "uz-phone-theft")

    response = page.request.get(f"{server}/{DB}/latest_feed.atom")
    root = parse_atom(response.body())
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)) == len(all_urls) and set(ids) == all_urls  # 48 articles, feed limit 50


def test_read_only_with_time_limit(server, page):
    page.goto(f"{server}/{DB}?sql=delete+from+articles")
    shot(page, "write-refused")
    assert "Statement must be a SELECT" in page.content()
    page.goto(f"{server}/{DB}?sql=" + urllib.request.quote("select count(*) as n from articles"))
    assert column(page, "n") == ["48"]
    settings = page.request.get(f"{server}/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == 3000


#: Run inside a new network namespace (``unshare --net``): loopback up, plus an address
#: of the namespace's own that stands for "this machine seen from the network". Nothing
#: is changed outside the namespace and no packet leaves it.
OTHER_ADDRESS = "10.213.7.1"
PROBE = f"""
import json, socket, subprocess, sys
from pathlib import Path
from tests.serve_process import running_serve
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", "{OTHER_ADDRESS}/32", "dev", "lo"], check=True)
extra = tuple(sys.argv[2:])
with running_serve(Path(sys.argv[1]), extra_args=extra) as (base, _):
    port = int(base.rsplit(":", 1)[1])
    try:
        socket.create_connection(("{OTHER_ADDRESS}", port), timeout=5).close()
        other = True
    except OSError:
        other = False
print(json.dumps({{"other_address_reachable": other}}))
"""


def reachable_from_other_address(fixture_path: Path, *extra_args: str) -> bool:
    """Start `newsmon serve` in a fresh network namespace; can a client reach it on a non-loopback address?"""
    for tool in ("unshare", "ip"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: run scripts/install-system-deps.sh (make test does)")
    result = subprocess.run(
        ["unshare", "--net", "--", sys.executable, "-c", PROBE, str(fixture_path), *extra_args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0 and "unshare failed" in result.stderr:
        pytest.skip(f"the kernel refused a network namespace: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["other_address_reachable"]


def test_not_reachable_from_other_machines(fixture_path):
    # the probe can see a server that listens on every address (so the check below can fail)...
    assert reachable_from_other_address(fixture_path, "--host", "0.0.0.0")
    # ...and by default newsmon serve listens on loopback only
    assert not reachable_from_other_address(fixture_path)
