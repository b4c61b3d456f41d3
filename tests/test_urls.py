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
