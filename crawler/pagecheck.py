"""Pages that look like articles but are not: block/challenge pages and soft 404s.

Anti-bot services (Cloudflare, DDoS-Guard, StormWall, Qrator, Imperva) answer with
a challenge page, often with status 200; CMSs answer a missing article with a
"page not found" page, also often with status 200. Neither may ever be stored as
an article, and neither may overwrite an article already stored.

``check_page`` runs before extraction, on the page title and the raw HTML (cheap:
a title regex and a few substring tests), because such pages usually have too
little text to extract and would otherwise be counted as "no article text".
``check_article`` runs after extraction on the extracted title and text.
Both raise ``crawler.extract.ExtractionError`` with kind ``blocked`` or ``soft_404``.

Matching is deliberately narrow, so real news about blocking or hacking is never
refused: a title must *be* a block/404 title (one of its " | "-separated parts,
not merely contain the words), markup markers count only on pages with little
text, and text phrases only in short texts.
"""

from __future__ import annotations

import html as html_lib
import re

from crawler.extract import ExtractionError
from storage.records import Article, Page

BLOCKED = "blocked"
SOFT_404 = "soft_404"
NEEDS_JAVASCRIPT = "needs_javascript"

#: Whole title parts of challenge and block pages (lower case; trailing dots and ellipses ignored).
BLOCK_TITLES = (
    # English (Cloudflare, Imperva, Akamai, Sucuri, generic WAFs)
    r"just a moment", r"attention required!?", r"access denied", r"access to this page has been denied",
    r"403 forbidden", r"forbidden", r"error 403", r"you have been blocked", r"sorry, you have been blocked",
    r"please wait", r"checking your browser", r"ddos-guard", r"ddos protection by ddos-guard", r"stormwall",
    r"security check", r"bot verification", r"verifying you are human", r"are you a robot\??",
    r"human verification", r"pardon our interruption", r"request rejected", r"request unsuccessful",
    r"captcha", r"one more step", r"site blocked", r"website is blocked",
    # Russian (Cloudflare's own translation, DDoS-Guard, StormWall, Qrator, hosting panels)
    r"один момент", r"пожалуйста, подождите", r"подождите", r"проверка браузера", r"проверка безопасности",
    r"доступ запрещ[её]н", r"доступ ограничен", r"доступ закрыт", r"вы заблокированы", r"ваш ip заблокирован",
    r"ошибка 403", r"403 доступ запрещ[её]н", r"защита от ddos", r"проверка на робота", r"вы не робот\??",
    # Italian, Uzbek, Kazakh
    r"accesso negato", r"un momento", r"kirish taqiqlangan", r"ruxsat berilmagan", r"кириш тақиқланган",
    r"кіруге тыйым салынған", r"қолжетімділік шектелген",
)

#: Whole title parts of "not found" pages.
NOT_FOUND_TITLES = (
    r"(error |ошибка |errore |xato |қате )?404( error| ошибка| errore)?", r"404 not found", r"not found",
    r"page not found", r"page not found \(404\)", r"404 page not found", r"nothing found", r"oops!? page not found",
    r"the page (you requested|you are looking for) (could not be found|does not exist)",
    r"страница не найдена", r"404 страница не найдена", r"ошибка 404 страница не найдена", r"страница не существует",
    r"запрашиваемая страница не найдена", r"новость не найдена", r"материал не найден", r"запись не найдена",
    r"pagina non trovata", r"errore 404 pagina non trovata", r"la pagina non esiste", r"pagina non disponibile",
    r"sahifa topilmadi", r"sahifa mavjud emas", r"xatolik 404", r"саҳифа топилмади", r"саҳифа мавжуд эмас",
    r"бет табылмады", r"парақ табылмады", r"сұралған бет табылмады",
)

#: Markup only challenge pages carry (scripts and form ids of the anti-bot services).
BLOCK_MARKERS = (
    "/cdn-cgi/challenge-platform/", "_cf_chl_opt", "cf-browser-verification", "cf_chl_", "cf-error-details",
    "challenge-form", "ddos-guard.net", "/.well-known/ddos-guard/", "__ddg", "stormwall.pro", "swp_token",
    "qrator", "_Incapsula_Resource", "incapsula incident", "sucuri_cloudproxy", "/_Incapsula_",
)

#: Phrases of challenge pages, looked for only in short pages (lower case).
BLOCK_PHRASES = (
    "checking your browser", "checking if the site connection is secure", "verify you are human",
    "enable javascript and cookies to continue", "please enable cookies", "ddos protection by",
    "you have been blocked", "access to this page has been denied", "your ip address has been blocked",
    "проверка браузера", "проверяем ваш браузер", "проверка, что вы не робот", "подтвердите, что вы не робот",
    "вы заблокированы", "ваш ip-адрес заблокирован", "ваш ip адрес заблокирован", "защита от ddos",
)

#: Generic block phrases, looked for only in very short pages (nothing but the message).
GENERIC_BLOCK_PHRASES = (
    "access denied", "forbidden", "доступ запрещён", "доступ запрещен", "доступ ограничен",
    "accesso negato", "kirish taqiqlangan", "кіруге тыйым салынған",
)

#: Phrases of "not found" pages, looked for only in short texts (lower case).
NOT_FOUND_PHRASES = (
    "page not found", "page you requested could not be found", "page you are looking for does not exist",
    "страница не найдена", "запрашиваемая страница не найдена", "страница не существует", "такой страницы нет",
    "pagina non trovata", "la pagina richiesta non esiste", "sahifa topilmadi", "sahifa mavjud emas",
    "саҳифа топилмади", "бет табылмады", "сұралған бет табылмады",
)

#: Pages whose visible text is shorter than this are "short" for the marker and phrase checks.
SHORT_PAGE_CHARS = 2000
#: A block-title part ("Access denied | site") counts on pages with less visible text than this
#: (block pages say a sentence or two; a headline's page has the article).
BLOCK_PAGE_CHARS = 1000
#: Pages whose visible text is shorter than this are "very short" for generic phrases.
TINY_PAGE_CHARS = 300
#: Extracted texts shorter than this are "short" for the soft-404 phrase check.
SHORT_TEXT_CHARS = 400

_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*\|\s*")
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1_RE = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)
_SCRIPT_STYLE_RE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
_SCRIPT_TAG_RE = re.compile(r"<script\b", re.I)
# Where single-page apps mount themselves (React, Vue, Next, Nuxt, Gatsby, Angular) and the
# <noscript> note they leave for browsers without JavaScript.
_APP_ROOT_RE = re.compile(r"""<[a-z]+\b[^>]*\bid\s*=\s*["']?(root|app|__next|__nuxt|___gatsby)["'\s>]|<app-root\b|\bng-app\b|<noscript\b""", re.I)
#: A script shell has less visible text than this; a page of that size with scripts but no
#: app root must also load at least ``SHELL_SCRIPTS`` scripts (an app bundle and its runtime).
SHELL_TEXT_CHARS = TINY_PAGE_CHARS
SHELL_SCRIPTS = 2


def _whole(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(patterns) + r")$")


_BLOCK_TITLE_RE = _whole(BLOCK_TITLES)
_NOT_FOUND_TITLE_RE = _whole(NOT_FOUND_TITLES)


def _title_parts(title: str) -> list[str]:
    """The normalised title, then its " | "-separated parts."""
    title = _SPACE_RE.sub(" ", html_lib.unescape(title)).strip().lower()
    parts = [title, *_SEPARATORS.split(title)]
    return [p.strip().rstrip(".…!").strip() for p in parts if p.strip()]


def title_kind(title: str | None) -> tuple[str, bool] | None:
    """``(kind, whole)`` when the title, or one part of it, is a block or not-found title.

    ``whole`` says the whole title matched ("Just a moment..."), not just one part of it
    ("Access denied | example.org"): a block-title part alone is only trusted on short
    pages, since a headline may have a part like "доступ ограничен".
    """
    if not title:
        return None
    parts = _title_parts(title)
    for kind, pattern in ((BLOCKED, _BLOCK_TITLE_RE), (SOFT_404, _NOT_FOUND_TITLE_RE)):
        matched = [i for i, part in enumerate(parts) if pattern.match(part)]
        if matched:
            return kind, matched[0] == 0
    return None


def visible_text(html: str) -> str:
    """Rough visible text of a page (scripts, styles and tags removed), for length checks."""
    return _SPACE_RE.sub(" ", html_lib.unescape(_TAG_RE.sub(" ", _SCRIPT_STYLE_RE.sub(" ", html)))).strip()


def _has_phrase(text: str, phrases: tuple[str, ...]) -> str | None:
    lowered = text.lower()
    return next((p for p in phrases if p in lowered), None)


def _first(pattern: re.Pattern, html: str) -> str:
    match = pattern.search(html)
    return _SPACE_RE.sub(" ", html_lib.unescape(_TAG_RE.sub(" ", match.group(1)))).strip() if match else ""


def page_kind(html: str) -> tuple[str, str] | None:
    """``(kind, reason)`` when raw HTML is a block/challenge page or a soft 404, else ``None``."""
    head = html[:200_000]
    text: str | None = None
    for label, pattern in (("page title", _TITLE_RE), ("heading", _H1_RE)):
        title = _first(pattern, head)
        found = title_kind(title)
        if found and not found[1] and found[0] == BLOCKED and text is None:
            text = visible_text(html)
        if found and (found[1] or found[0] == SOFT_404 or len(text or "") < BLOCK_PAGE_CHARS):
            return found[0], f"{label} {title!r}"
    marker = next((m for m in BLOCK_MARKERS if m in html), None)
    if marker is None and len(html) > 20 * SHORT_PAGE_CHARS:
        return None  # a big page with no marker: not worth stripping the tags
    text = visible_text(html) if text is None else text
    if len(text) >= SHORT_PAGE_CHARS:
        return None
    if marker is not None:
        return BLOCKED, f"anti-bot challenge ({marker})"
    phrase = _has_phrase(text, BLOCK_PHRASES)
    if phrase is None and len(text) < TINY_PAGE_CHARS:
        phrase = _has_phrase(text, GENERIC_BLOCK_PHRASES)
    if phrase:
        return BLOCKED, f"block page ({phrase!r})"
    phrase = _has_phrase(text, NOT_FOUND_PHRASES)
    if phrase:
        return SOFT_404, f"not-found page ({phrase!r})"
    return None


def script_shell(html: str) -> str | None:
    """A reason when the page is a JavaScript app's empty shell (scripts, next to no text), else ``None``.

    Such a page has its content fetched by scripts: extraction finds nothing, and the
    fix is the site's JSON API (``[source.api]``) or ``render = "browser"``, which the
    reason says. Checked after the block-page test (challenge pages are scripts too), and
    only on pages where extraction found no text.
    """
    scripts = len(_SCRIPT_TAG_RE.findall(html))
    if not scripts or len(html) > 20 * SHORT_PAGE_CHARS and not _APP_ROOT_RE.search(html):
        return None
    text = visible_text(html)
    if len(text) >= SHELL_TEXT_CHARS or (scripts < SHELL_SCRIPTS and not _APP_ROOT_RE.search(html)):
        return None
    return (
        f"a script shell ({scripts} script{'s' if scripts > 1 else ''}, {len(text)} characters of text): "
        "its content needs JavaScript; map the site's JSON API ([source.api]) or set render = \"browser\""
    )


def empty_listing_kind(html: str) -> tuple[str, str] | None:
    """Why a listing page gave no links: a block page or soft 404, a script shell, or ``None``."""
    found = page_kind(html)
    if found:
        return found[0], _message(*found)
    shell = script_shell(html)
    return (NEEDS_JAVASCRIPT, shell) if shell else None


def _message(kind: str, reason: str) -> str:
    what = "a block or challenge page" if kind == BLOCKED else "a 'page not found' page (soft 404)"
    return f"{what}, not an article: {reason}"


def check_page(page: Page) -> None:
    """Raise ``ExtractionError`` if the fetched page is a block/challenge page or a soft 404."""
    found = page_kind(page.html)
    if found:
        raise ExtractionError(found[0], _message(*found))


def check_script_shell(page: Page) -> None:
    """Raise ``ExtractionError`` (``needs_javascript``) if the page is a script shell.

    Called only when extraction found no text, so an article on a script-heavy page is never lost.
    """
    shell = script_shell(page.html)
    if shell:
        raise ExtractionError(NEEDS_JAVASCRIPT, shell)


def check_article(page: Page, article: Article) -> None:
    """Raise ``ExtractionError`` when the extracted article is a block page or a soft 404."""
    found = title_kind(article.title)
    if found and (found[1] or found[0] == SOFT_404 or len(article.text) < SHORT_TEXT_CHARS):
        raise ExtractionError(found[0], _message(found[0], f"title {article.title!r}"))
    if len(article.text) < SHORT_TEXT_CHARS:
        phrase = _has_phrase(article.text, NOT_FOUND_PHRASES)
        if phrase:
            raise ExtractionError(SOFT_404, _message(SOFT_404, f"text says {phrase!r}"))
        phrase = _has_phrase(article.text, BLOCK_PHRASES)
        if phrase:
            raise ExtractionError(BLOCKED, _message(BLOCKED, f"text says {phrase!r}"))
