"""URL canonicalisation: one URL per article, whatever link or redirect led to it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    """Drop the fragment and tracking parameters; lower-case scheme and host.

    The rest of the query is kept in its order: some sites put the article id there.
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    netloc = parts.netloc.lower()
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query, doseq=True), ""))


def repair_glued_url(url: str) -> str:
    """``https://site.kzhttps://other.kz/x`` → ``https://other.kz/x``.

    Some sitemaps (seen on tengrinews.kz) glue the site's own prefix in front of
    an absolute URL; the last scheme in the string starts the real address.
    """
    start = max(url.rfind("http://"), url.rfind("https://"))
    return url[start:] if start > 0 else url


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
