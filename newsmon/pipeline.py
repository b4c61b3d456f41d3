"""The steps every page goes through, shared by ``newsmon crawl`` and ``newsmon fetch``.

page → extract → identify language → (translate) → store. Each entry point calls
these functions; none re-implements a step.
"""

from __future__ import annotations

import sqlite_utils

from crawler.extract import extract_article
from crawler.items import Article, Page
from crawler.pagecheck import check_article
from storage.articles import Outcome, upsert_article
from translate.langid import detect_language


def identify_language(article: Article, *, hint: str | None = None) -> Article:
    """Fill ``lang``, ``script`` and ``lang_confidence`` from title and text."""
    guess = detect_language(f"{article.title}\n{article.text}", hint=hint, html_lang=article.html_lang)
    article.lang = guess.lang
    article.script = guess.script
    article.lang_confidence = guess.confidence
    return article


def article_from_page(page: Page) -> Article:
    """Extract and identify; raises ``crawler.extract.ExtractionError`` when there is no article."""
    article = extract_article(page)
    check_article(page, article)
    article.extra.update(etag=page.etag, last_modified=page.last_modified)
    return identify_language(article, hint=page.language_hint or None)


def store_article(db: sqlite_utils.Database, article: Article) -> Outcome:
    return upsert_article(db, article)
