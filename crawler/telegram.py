"""Public Telegram channels, read from the server-rendered preview ``t.me/s/<channel>``.

The region's ministries and police often publish first, or only, on Telegram. The
preview page needs no account and no JavaScript: each post is a
``div.tgme_widget_message[data-post="<channel>/<id>"]`` with its text in
``.tgme_widget_message_text`` and its date in ``time[datetime]``; older posts are at
``?before=<smallest id on the page>``. Each post becomes one article whose URL is
its public permalink ``https://t.me/<channel>/<id>``, whatever server served the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html
from parsel import Selector
from w3lib.url import add_or_replace_parameter

from crawler.given import GivenPage, clean_text, normalize_date
from crawler.sources import Source

#: The public home of every permalink (the preview may come from a mirror or a test server).
PERMALINK_BASE = "https://t.me"
#: Titles longer than this are cut at a sentence end or a word boundary.
TITLE_CHARS = 150

_POST_RE = re.compile(r"^([A-Za-z0-9_]+)/(\d+)$")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s)")
# The post's own text, not the quoted text of the post it replies to.
_TEXT_XPATH = (
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' tgme_widget_message_text ')]"
    "[not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' tgme_widget_message_reply ')])]"
)
_DATE_XPATH = (
    ".//time[@datetime][not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), "
    "' tgme_widget_message_reply ')])]/@datetime"
)


@dataclass
class Post:
    id: int
    url: str  # the permalink
    text: str
    published: str | None


def preview_url(base: str, channel: str, before: int | None = None) -> str:
    url = f"{base.rstrip('/')}/s/{channel}"
    return add_or_replace_parameter(url, "before", str(before)) if before is not None else url


def _element_text(element) -> str:
    """The element's text with ``<br>`` as line breaks (a post's lines are its paragraphs)."""
    element = lxml_html.fromstring(lxml_html.tostring(element, encoding="unicode"))
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return clean_text(element.text_content())


def parse_preview(page_html: str) -> tuple[list[Post], list[int]]:
    """The posts with text on a preview page, and the ids of every post on it (for ``?before=``)."""
    posts: list[Post] = []
    ids: list[int] = []
    for message in Selector(text=page_html).css("div.tgme_widget_message[data-post]"):
        match = _POST_RE.match(message.attrib["data-post"].strip())
        if match is None:
            continue
        post_id = int(match.group(2))
        ids.append(post_id)
        texts = message.xpath(_TEXT_XPATH)
        text = _element_text(texts[0].root) if texts else ""
        if not text:  # a photo, sticker or poll without a caption: nothing to read
            continue
        posts.append(
            Post(
                id=post_id,
                url=f"{PERMALINK_BASE}/{match.group(1)}/{post_id}",
                text=text,
                published=normalize_date(message.xpath(_DATE_XPATH).get()),
            )
        )
    return posts, ids


def post_title(text: str) -> str:
    """A title for a post: its first line, cut at the first sentence end when that line is long."""
    line = text.strip().split("\n", 1)[0].strip()
    if len(line) <= TITLE_CHARS:
        return line
    end = _SENTENCE_END_RE.search(line, 20, TITLE_CHARS)
    if end is not None:
        return line[: end.end()]
    return line[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def post_page(post: Post, source: Source) -> GivenPage:
    """A post as a ``GivenPage`` at its permalink: its text is the body, its first line the title."""
    return GivenPage(
        url=post.url,
        requested_url=post.url,
        source=source.name,
        html="",
        language_hint=source.language or "",
        title=post_title(post.text),
        published=post.published,
        origin="telegram",
        text=post.text,
    )
