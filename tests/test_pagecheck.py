"""Block/challenge pages and soft 404s are refused; real articles about blocking are not."""

from __future__ import annotations

import pytest

from crawler.extract import ExtractionError
from storage.records import Article, Page
from crawler.pagecheck import check_article, check_page, page_kind, title_kind
from crawler.steps import article_from_page
from tests.fixtures.articles import EN_ARTICLES, RU_ARTICLES
from tests.fixtures.badsites import CHALLENGE_PAGES, SOFT_404_PAGES, UZ_LATIN
from tests.fixtures.sites import article_page


def page(html: str) -> Page:
    return Page(url="http://127.0.0.1/a/1", source="t", html=html)


@pytest.mark.parametrize("name", sorted(CHALLENGE_PAGES))
def test_challenge_pages_are_blocked(name):
    with pytest.raises(ExtractionError) as caught:
        article_from_page(page(CHALLENGE_PAGES[name]))
    assert caught.value.kind == "blocked", str(caught.value)
    assert "not an article" in str(caught.value)


@pytest.mark.parametrize("name", sorted(SOFT_404_PAGES))
def test_soft_404_pages_are_refused(name):
    with pytest.raises(ExtractionError) as caught:
        article_from_page(page(SOFT_404_PAGES[name]))
    assert caught.value.kind == "soft_404", str(caught.value)


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Just a moment...", ("blocked", True)),
        ("Один момент…", ("blocked", True)),
        ("Attention Required! | Cloudflare", ("blocked", False)),
        ("Access denied | example.uz used Cloudflare to restrict access", ("blocked", False)),
        ("404 - Страница не найдена", ("soft_404", False)),
        ("Pagina non trovata – Questura di Roma", ("soft_404", False)),
        ("Sahifa topilmadi", ("soft_404", True)),
        ("Бет табылмады", ("soft_404", True)),
        # headlines that merely mention blocking or 404 are articles
        ("Access denied: hackers lock hospital records", None),
        ("404 мошенника задержаны в Алматы", None),
        ("Хакеры взломали сайт: доступ запрещён", None),
        ("DDoS-атака на сайт акимата отражена", None),
        ("Полиция | Новости", None),
        ("", None),
    ],
)
def test_title_kinds(title, kind):
    assert title_kind(title) == kind


def test_headline_with_a_block_phrase_part_is_kept_on_a_long_page():
    # " — доступ ограничен" is a title part, but the page is a full article
    article = RU_ARTICLES[0]
    html = article_page(article, [])
    html = html.replace(f"<title>{article.title}", "<title>Сайт акимата — доступ ограничен")
    assert page_kind(html) is None


@pytest.mark.parametrize("article", EN_ARTICLES + RU_ARTICLES + [UZ_LATIN], ids=lambda a: a.slug)
def test_real_articles_pass(article):
    stored = article_from_page(page(article_page(article, [])))
    assert stored.title == article.title


def test_article_about_cloudflare_blocking_is_kept():
    text = (
        "Several regional news sites were unreachable for two hours on Tuesday. Visitors saw a page saying "
        "'Checking your browser' and then 'Access denied'; the hosting company said a misconfigured DDoS "
        "protection by an outside provider blocked ordinary readers. Police said no attack had taken place."
    )
    article = Article(url="http://x/a/1", source="t", title="Readers locked out of news sites by faulty DDoS filter", text=text * 2)
    check_article(page("<html></html>"), article)  # no exception


def test_short_extracted_text_saying_not_found_is_soft_404():
    article = Article(url="http://x/a/1", source="t", title="Новости",
                      text="К сожалению, запрашиваемая страница не найдена. Вернитесь на главную страницу сайта.")
    with pytest.raises(ExtractionError) as caught:
        check_article(page("<html></html>"), article)
    assert caught.value.kind == "soft_404"


def test_big_article_page_without_markers_passes():
    html = article_page(RU_ARTICLES[0], []).replace("</main>", "<p>" + "текст " * 20000 + "</p></main>")
    check_page(page(html))  # no exception: a long page with no challenge markup is not a block page
