"""URL canonicalisation: one URL per article, whatever link or redirect led to it."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import safe_url_string

#: Query parameters that only track where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
        "mc_cid", "mc_eid", "_openstat", "igshid", "spm", "_ga", "_gl", "utm",
    }
)
TRACKING_PREFIXES = ("utm_",)


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """Percent-encoded as Scrapy requests it; no fragment or tracking parameters; lower-case scheme and host.

    ``w3lib.url.safe_url_string`` (what Scrapy applies to every request URL) encodes raw
    Cyrillic paths and queries as UTF-8 and IDNA host names, so a canonical link written
    in raw Cyrillic and the fetched, percent-encoded URL are the same string. The rest
    of the query is kept as it is, in its order: some sites put the article id there.
    """
    parts = urlsplit(safe_url_string(url.strip()))
    pairs = [p for p in parts.query.split("&") if p and not is_tracking_param(unquote_plus(p.split("=", 1)[0]))]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "&".join(pairs), ""))


#: A scheme glued inside another URL's host: ``https://site.kzhttps://other.kz/x``.
_GLUED_RE = re.compile(r"^https?://[^/?#]*?(https?://.+)$", re.I)


def repair_glued_url(url: str) -> str:
    """``https://site.kzhttps://other.kz/x`` → ``https://other.kz/x``.

    Some sitemaps (seen on tengrinews.kz) glue the site's own prefix in front of
    an absolute URL. Only a scheme inside the host part is glue: a URL in the path
    or query (``/share?url=https://other.kz/x``) is left alone.
    """
    match = _GLUED_RE.match(url)
    return match.group(1) if match else url


def same_site(a: str, b: str) -> bool:
    """True when both URLs are on the same host, ignoring ``www.`` and the scheme."""
    def host(url: str) -> str:
        name = (urlsplit(url).hostname or "").lower()
        return name[4:] if name.startswith("www.") else name

    return host(a) == host(b) != ""


def host_in_domains(url: str, domains: list[str]) -> bool:
    """True when ``url``'s host is one of ``domains`` or under one; by host name, ignoring the port.

    (Scrapy's ``url_is_from_any_domain`` compares ``host:port`` and would reject a ported host.)
    """
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))
