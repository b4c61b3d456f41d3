"""URL canonicalisation and repair: one URL per article."""

from __future__ import annotations

import pytest

from crawler.extract import canonical_url
from crawler.urls import canonicalize, repair_glued_url, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.ORG/news/1?utm_source=tg&utm_medium=social", "https://example.org/news/1"),
        ("https://example.org/news/1#comments", "https://example.org/news/1"),
        ("https://example.org/news/view?alias=42&fbclid=abc&yclid=9", "https://example.org/news/view?alias=42"),
        ("https://example.org/news/view?id=7&page=2", "https://example.org/news/view?id=7&page=2"),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


def test_repair_glued_sitemap_url():
    assert repair_glued_url("https://tengrinews.kzhttps://tengrisport.kz/news/a-1/") == "https://tengrisport.kz/news/a-1/"
    assert repair_glued_url("https://tengrinews.kz/news/a-1/") == "https://tengrinews.kz/news/a-1/"


def test_canonical_link_is_trusted_only_on_the_same_site_and_not_the_home_page():
    page = "https://www.example.org/ru/news/15?utm_source=x"
    html = '<html><head><link rel="canonical" href="https://example.org/ru/news/15-slug"></head></html>'
    assert canonical_url(html, page) == "https://example.org/ru/news/15-slug"
    assert canonical_url(html.replace("example.org/ru/news/15-slug", "other.org/a"), page) == "https://www.example.org/ru/news/15"
    assert canonical_url(html.replace("/ru/news/15-slug", "/"), page) == "https://www.example.org/ru/news/15"
    assert canonical_url("<html></html>", page) == "https://www.example.org/ru/news/15"
    assert same_site("http://www.a.kz/x", "https://a.kz/y") and not same_site("https://a.kz", "https://b.kz")


def test_glued_url_repair_leaves_urls_in_the_query_alone():
    assert repair_glued_url("https://site.kz/share?url=https://other.kz/x") == "https://site.kz/share?url=https://other.kz/x"
    assert repair_glued_url("https://site.kz/go/https://other.kz/x") == "https://site.kz/go/https://other.kz/x"
    assert repair_glued_url("http://a.kzhttp://b.kz/x?id=1") == "http://b.kz/x?id=1"


def test_canonical_link_with_an_escaped_ampersand_is_one_url():
    page = "https://example.org/news/view?id=5&lang=ru"
    html = '<html><head><link rel="canonical" href="https://example.org/news/view?id=5&amp;lang=ru"></head></html>'
    assert canonical_url(html, page) == page


def test_raw_cyrillic_and_percent_encoded_urls_are_one_url():
    fetched = "https://example.kz/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/15?q=%D1%82%D0%B5%D1%81%D1%82"
    html = '<html><head><link rel="canonical" href="https://example.kz/новости/15?q=тест"></head></html>'
    assert canonical_url(html, fetched) == fetched == canonicalize(fetched)
    assert canonicalize("https://Пример.РФ/a") == "https://xn--e1afmkfd.xn--p1ai/a"


def test_canonicalize_keeps_the_query_as_encoded():
    url = "https://example.org/a?path=a/b:c&q=%D0%BF&empty=&utm_source=x"
    assert canonicalize(url) == "https://example.org/a?path=a/b:c&q=%D0%BF&empty="
