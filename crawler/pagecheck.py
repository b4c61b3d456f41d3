"""Pages that look like articles but are not: block/challenge pages and soft 404s.

Called after extraction, so the checks see the page title and the extracted text.
"""

from __future__ import annotations

from crawler.items import Article, Page


def check_article(page: Page, article: Article) -> None:
    """Raise ``crawler.extract.ExtractionError`` when the page is not a real article."""
    return None
