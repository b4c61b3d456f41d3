"""The steps every page goes through, shared by ``newsmon crawl`` and ``newsmon fetch``.

page → extract → identify language → (translate) → store. Each entry point calls
these functions; none re-implements a step.
"""

from __future__ import annotations

import sqlite_utils

from crawler.extract import ExtractionError, check_size, extract_article
from crawler.given import GivenPage, article_from_given
from storage.records import Article, Page
from crawler.pagecheck import check_article, check_page, check_script_shell
from storage.articles import Outcome, upsert_article
from translate.langid import detect_language


#: Characters of text language identification reads: a few paragraphs decide as well as a
#: whole article (the evaluation set's paragraphs are shorter) at a fraction of the cost.
LANGID_CHARS = 2000


def identify_language(article: Article, *, hint: str | None = None) -> Article:
    """Fill ``lang``, ``script`` and ``lang_confidence`` from the title and the start of the text."""
    text = article.text if len(article.text) <= LANGID_CHARS else article.text[:LANGID_CHARS].rsplit(" ", 1)[0]
    guess = detect_language(f"{article.title}\n{text}", hint=hint, html_lang=article.html_lang)
    article.lang = guess.lang
    article.script = guess.script
    article.lang_confidence = guess.confidence
    return article


def article_from_page(page: Page) -> Article:
    """Extract and identify; raises ``crawler.extract.ExtractionError`` when there is no article."""
    if isinstance(page, GivenPage):  # an API item or a Telegram post: fields given, body cleaned
        article = article_from_given(page)
    else:
        check_size(page)  # before any parsing: a document of a million elements would take hours
        check_page(page)  # block/challenge pages and soft 404s, before they count as "no article text"
        try:
            article = extract_article(page)
        except ExtractionError as exc:
            if exc.kind == "no_article_text":
                check_script_shell(page)  # a JavaScript app's empty shell: name the fix instead
            raise
    check_article(page, article)
    article.extra.update(etag=page.etag, last_modified=page.last_modified)
    return identify_language(article, hint=page.language_hint or None)


def store_article(db: sqlite_utils.Database, article: Article) -> Outcome:
    return upsert_article(db, article)


def _registry(models_dir=None):
    from translate.packages import resolve_models_dir
    from translate.registry import Registry

    return Registry(resolve_models_dir(models_dir))


def translate_stored(db: sqlite_utils.Database, ids: list[int], *, models_dir=None):
    """Translate stored articles (those of ``ids`` that need English); the rows record the outcome."""
    from translate.worker import translate_pending

    return translate_pending(db, _registry(models_dir), ids=ids)


def translate_article(article: Article, *, models_dir=None) -> Article:
    """Fill an unstored article's English fields (``newsmon fetch --no-store``)."""
    from storage.schema import STATUS_FAILED, STATUS_NO_MODEL, STATUS_ORIGINAL, STATUS_TRANSLATED
    from translate.registry import install_hint
    from translate.worker import translate_texts

    if article.lang == "en":
        article.title_en, article.text_en = article.title, article.text
        article.translation_status, article.translation_engine = STATUS_ORIGINAL, "original"
        article.translation_note = "the article is in English"
        return article
    registry = _registry(models_dir)
    if not registry.has(article.lang):
        article.translation_status, article.translation_note = STATUS_NO_MODEL, install_hint(article.lang)
        return article
    try:
        translator = registry.translator(article.lang)
        article.title_en, article.text_en = translate_texts(translator, article.lang, article.title, article.text)
    except Exception as exc:  # noqa: BLE001 - the article is still shown, with the reason
        article.translation_status, article.translation_note = STATUS_FAILED, f"translation failed: {type(exc).__name__}: {exc}"
        return article
    article.translation_status = STATUS_TRANSLATED
    article.translation_engine, article.translation_model = translator.engine, translator.model
    return article
