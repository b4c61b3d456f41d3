"""Items: plain data passed between the spider, extraction and storage."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field


def text_hash(title: str | None, text: str) -> str:
    """The content hash of an article's title and text (stored rows and items alike)."""
    digest = hashlib.sha256()
    digest.update((title or "").encode())
    digest.update(b"\x00")
    digest.update(text.encode())
    return digest.hexdigest()


@dataclass
class Page:
    """A fetched HTML page that may be an article, already decoded to ``str``.

    Scrapy decodes the body (HTTP header, then ``<meta charset>``, then BOM);
    extraction works on this text so trafilatura never guesses the encoding.
    """

    url: str  # where the page was finally fetched from (after redirects)
    source: str
    html: str
    requested_url: str = ""  # the URL that was asked for, before redirects
    encoding: str = ""
    language_hint: str = ""  # the source's `language`: evidence, not truth
    etag: str | None = None  # HTTP validators, for the next run's conditional GET
    last_modified: str | None = None


@dataclass
class Article:
    """An extracted article, ready to be identified, translated and stored."""

    url: str  # canonical URL
    source: str
    title: str
    text: str
    fetched_url: str = ""
    published: str | None = None  # the date, YYYY-MM-DD
    published_at: str | None = None  # the full ISO 8601 timestamp (with offset) when the page gives one
    published_source: str | None = None  # meta, json-ld, time, url or text: where the date came from
    author: str | None = None
    html_lang: str | None = None
    lang: str | None = None
    script: str | None = None
    lang_confidence: float | None = None
    title_en: str | None = None
    text_en: str | None = None
    translation_status: str | None = None
    translation_engine: str | None = None
    translation_model: str | None = None
    translation_note: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Changes exactly when the title or text changes."""
        return text_hash(self.title, self.text)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data.pop("extra")
        return data
