"""Feeds and sitemaps with a DTD are refused wherever it hides, and each parser expands no entity.

Unit level on ``crawler.xmlsafe`` (the scan, then feedparser and lxml reached directly,
as if the scan had missed), and one crawl against a hostile feed and sitemap served on
loopback, whose DTD comes after a 70 KB comment (the old guard looked at 64 KB).
"""

from __future__ import annotations

import json

import feedparser
import pytest
import sqlite_utils
from defusedxml import DefusedXmlException

from crawler.xmlsafe import BadXml, HardenedSitemap, has_dtd, parse_feed, parse_sitemap
from tests.conftest import run_newsmon
from tests.fixtures.server import FixtureServer, Route

LAUGHS = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
PADDING = "<!--" + "padding " * 9000 + "-->"  # 72 KB of comment before the DOCTYPE
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def feed(base: str, *, dtd: str = "", before_root: str = "", title: str = "Lenta") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{before_root}{dtd}<rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link><description>d</description>"
            f"<item><title>{title}</title><link>{base}/a/one</link></item></channel></rss>").encode()


def sitemap(base: str, *, dtd: str = "", before_root: str = "", loc_tail: str = "one") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{before_root}{dtd}<urlset xmlns="{SITEMAP_NS}">'
            f"<url><loc>{base}/a/{loc_tail}</loc></url></urlset>").encode()


BOMB_DTD = f"<!DOCTYPE rss [{LAUGHS}]>"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOPSECRET-7731", encoding="utf-8")
    return path


@pytest.mark.parametrize("place", ["after a 72 KB comment", "after a 72 KB processing instruction", "after the root"])
def test_dtd_anywhere_is_refused(place):
    before = {"after a 72 KB comment": PADDING, "after a 72 KB processing instruction": "<?pad " + "x" * 72000 + "?>"}
    if place == "after the root":
        feed_body = feed("http://s.example") + BOMB_DTD.encode()
        sitemap_body = sitemap("http://s.example") + BOMB_DTD.encode()
    else:
        feed_body = feed("http://s.example", dtd=BOMB_DTD, before_root=before[place], title="&lol9;")
        sitemap_body = sitemap("http://s.example", dtd=BOMB_DTD, before_root=before[place], loc_tail="&lol9;")
    with pytest.raises(BadXml) as refused:
        parse_feed(feed_body, url="http://s.example/rss")
    assert refused.value.kind == "xml_bomb"
    with pytest.raises(BadXml) as refused:
        parse_sitemap(sitemap_body)
    assert refused.value.kind == "xml_bomb"


def test_any_doctype_is_refused_even_without_entities():
    body = feed("http://s.example", dtd='<!DOCTYPE rss SYSTEM "http://s.example/rss.dtd">', before_root=PADDING)
    with pytest.raises(BadXml):
        parse_feed(body, url="http://s.example/rss")
    assert has_dtd(body.decode().encode("utf-16"))  # UTF-16 documents are read as text too


def test_html_page_at_a_feed_url_is_counted_as_not_a_feed():
    page = b'<!DOCTYPE html>\n<html lang="ru"><head><title>Glavnaya</title></head><body><p>Novosti</p></body></html>'
    with pytest.raises(BadXml) as refused:
        parse_feed(page, url="http://s.example/rss")
    assert refused.value.kind == "malformed_feed"
    with pytest.raises(BadXml) as refused:
        parse_sitemap(page.replace(b"<!DOCTYPE html>", b'<!doctype html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                                                    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'))
    assert refused.value.kind == "malformed_sitemap"
    with pytest.raises(BadXml) as refused:  # an html doctype with an internal subset is a DTD like any other
        parse_feed(page.replace(b"<!DOCTYPE html>", b'<!DOCTYPE html [<!ENTITY a "b">]>'), url="http://s.example/rss")
    assert refused.value.kind == "xml_bomb"


def test_doctype_inside_cdata_or_comment_is_text_not_a_dtd():
    body = feed("http://s.example", title="How to start a page: <![CDATA[<!DOCTYPE html>]]>",
                before_root="<!-- <!DOCTYPE rss [<!ENTITY x 'y'>]> -->")
    parsed = parse_feed(body, url="http://s.example/rss")
    assert parsed.entries[0].title == "How to start a page: <!DOCTYPE html>"
    assert not has_dtd(b"<!--" * 100_000)  # unclosed comments: one pass, nothing found


def test_feedparser_strict_parser_refuses_dtds_itself(secret):
    # reached directly, as if the scan had missed the DTD: the defused expat reader stops it
    bomb = feed("http://s.example", dtd=BOMB_DTD, before_root=PADDING, title="&lol9;")
    with pytest.raises(DefusedXmlException):
        feedparser.parse(bomb)
    xxe = feed("http://s.example", dtd=f'<!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>', title="&s;")
    with pytest.raises(DefusedXmlException):
        feedparser.parse(xxe)


def test_feedparser_loose_parser_expands_no_declared_entity(secret):
    # a syntax error before the DTD sends feedparser to its loose parser, which knows only HTML's entities
    broken = feed("http://s.example", dtd=f'<!DOCTYPE rss [{LAUGHS}<!ENTITY s SYSTEM "{secret.as_uri()}">]>',
                  before_root="<oops", title="&lol2; &s;")
    parsed = feedparser.parse(broken)
    text = json.dumps(parsed, default=str)
    assert "lollol" not in text and "TOPSECRET" not in text


def test_sitemap_parser_refuses_dtds_and_reads_no_file(secret):
    for dtd in (f"<!DOCTYPE urlset [{LAUGHS}]>", f'<!DOCTYPE urlset [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'):
        with pytest.raises(BadXml):  # reached directly, as if the scan had missed the DTD
            HardenedSitemap(sitemap("http://s.example", dtd=dtd, before_root=PADDING, loc_tail="&lol9;&s;"))
    ok = HardenedSitemap(sitemap("http://s.example"))
    assert ok.type == "urlset" and [u["loc"] for u in ok] == ["http://s.example/a/one"]


def test_crawl_refuses_a_dtd_hidden_after_a_long_comment(tmp_path, secret):
    server = FixtureServer({}).start()
    base = server.base_url
    try:
        server.routes.update({
            "/robots.txt": Route("User-agent: *\nAllow: /\n", content_type="text/plain"),
            "/rss.xml": Route(feed(base, dtd=BOMB_DTD, before_root=PADDING, title="&lol9;"),
                              content_type="application/rss+xml"),
            "/sitemap.xml": Route(sitemap(base, dtd=f'<!DOCTYPE urlset [<!ENTITY s SYSTEM "{secret.as_uri()}">]>',
                                          before_root=PADDING, loc_tail="&s;"), content_type="application/xml"),
        })
        sources = tmp_path / "sources.toml"
        sources.write_text(f"""
[[source]]
name = "hostile"
country = "KZ"
kind = "news"
feeds = ["{base}/rss.xml"]
sitemaps = ["{base}/sitemap.xml"]
article_urls = '/a/'
download_delay = 0
""", encoding="utf-8")
        db_path = tmp_path / "crawl.db"
        result = run_newsmon("crawl", "--no-translate", "--sources", str(sources), "--db", str(db_path), timeout=120)
        assert result.returncode in (0, 1), result.stderr[-2000:]
        run = next(sqlite_utils.Database(db_path).query("select * from crawl_runs where source = 'hostile'"))
        assert json.loads(run["errors_by_kind"]).get("xml_bomb") == 2, run
        assert not [entry.path for entry in server.log if entry.path.startswith("/a/")]  # no entry was followed
    finally:
        server.stop()
