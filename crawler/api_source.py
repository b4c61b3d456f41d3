"""JSON API sources: a declarative mapping (the source's ``api`` table) from items to articles.

Some sites are JavaScript front ends over a public JSON API (UzA, gov.kz): the API
is the easy and polite way in. The mapping says where the list is, how it pages,
and which field gives each article field; this module reads one API page into
``GivenPage`` records whose URL is the public article URL, never the API URL.
No spider per site: the generic spider requests the pages and calls these functions.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any
from urllib.parse import quote, urljoin

from w3lib.url import add_or_replace_parameter

from crawler.extract import ExtractionError
from crawler.given import GivenPage, normalize_date
from crawler.sources import ApiMapping, Source
from crawler.urls import canonicalize

_TEMPLATE_FIELD_RE = re.compile(r"\{([^{}]+)\}")
_LANG_RE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


class ApiError(ExtractionError):
    """An API page or item that cannot be read; ``kind`` names it for the run's counters."""


def page_url(api: ApiMapping, page_no: int) -> str:
    """The URL of list page ``page_no`` (the endpoint with its page and page-size parameters)."""
    url = api.endpoint
    if api.page_param:
        url = add_or_replace_parameter(url, api.page_param, str(page_no))
    if api.per_page is not None:
        url = add_or_replace_parameter(url, api.per_page_param, str(api.per_page))
    return url


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path (``data.items``, ``files.0.name``), or ``None``."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def api_items(api: ApiMapping, body: bytes) -> list[Any]:
    """The items of one API page; ``ApiError`` when the body is not JSON or has no list there."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError("bad_json", f"the API answer is not JSON: {exc}") from None
    items = lookup(data, api.items) if api.items else data
    if not isinstance(items, list):
        where = f"at {api.items!r}" if api.items else "at the top"
        raise ApiError("api_no_items", f"the API answer has no list of items {where}")
    return items


def _language(value: Any) -> str | None:
    match = _LANG_RE.match(value) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def _plain(value: Any) -> str:
    """A title as plain text: tags dropped, entities decoded, spaces collapsed."""
    return _SPACE_RE.sub(" ", html_lib.unescape(_TAG_RE.sub(" ", str(value)))).strip()


def _fill(template: str, item: dict, lang: str | None) -> str:
    """``url_template`` with each ``{field}`` replaced by the item's value (``{lang}``: the item's language)."""

    def value(match: re.Match) -> str:
        found = lookup(item, match.group(1))
        if found is None and match.group(1) in ("lang", "language"):
            found = lang
        if found is None or isinstance(found, (dict, list)) or str(found) == "":
            raise ApiError("api_bad_item", f"item has no {match.group(1)!r} for the url_template")
        return quote(str(found), safe="/-_.~")

    return _TEMPLATE_FIELD_RE.sub(value, template)


def given_page(api: ApiMapping, item: Any, *, source: Source, api_url: str) -> GivenPage:
    """One item as a ``GivenPage`` at its public URL; ``ApiError`` (``api_bad_item``) when a field is missing."""
    if not isinstance(item, dict):
        raise ApiError("api_bad_item", "item is not a JSON object")
    item_lang = _language(lookup(item, api.language)) if api.language else None
    lang = item_lang or source.language
    if api.url_template:
        url = _fill(api.url_template, item, lang)
    else:
        link = lookup(item, api.url or "")
        if not isinstance(link, str) or not link.strip():
            raise ApiError("api_bad_item", f"item has no {api.url!r} URL")
        url = urljoin(api_url, link.strip())
    url = canonicalize(url)
    if not url.startswith(("http://", "https://")):
        raise ApiError("api_bad_item", f"item URL is not http(s): {url!r}")
    title = lookup(item, api.title)
    title = _plain(title) if isinstance(title, (str, int, float)) else ""
    if not title:
        raise ApiError("api_bad_item", f"{url}: item has no {api.title!r} title")
    body_field = api.html or api.text or ""
    body = lookup(item, body_field)
    if not isinstance(body, str) or not body.strip():
        raise ApiError("api_bad_item", f"{url}: item has no {body_field!r} body")
    return GivenPage(
        url=url,
        requested_url=url,
        source=source.name,
        html="",
        language_hint=source.language or "",
        title=title,
        published=normalize_date(lookup(item, api.date)) if api.date else None,
        lang=item_lang,
        body_html=body if api.html else None,
        text=html_lib.unescape(body) if api.text else None,
    )
