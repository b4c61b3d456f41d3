"""Turning a response body into text: the charset Scrapy chose, checked for mojibake.

Scrapy (w3lib) decodes by BOM, then the HTTP header, then ``<meta charset>``. Small
sites in our region often declare the wrong charset (a header saying utf-8 over a
windows-1251 page, a meta left over from a KOI8-R template), and some store text
that was already garbled. So the decoded text is scored for the marks a wrong
charset leaves; if it looks garbled, the other declared charset and the usual
charsets of our languages are tried, and the least garbled plausible decoding wins.
If none is plausible the page is refused with ``MojibakeError`` rather than stored.

Both the crawl and ``newsmon fetch`` call ``page_text`` so they see exactly the same text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

logger = logging.getLogger(__name__)

#: Charsets tried when the declared one gives garbled text, in order of preference on a tie.
CANDIDATES = ("utf-8", "cp1251", "koi8-r", "kz1048", "ptcp154", "cp1252")

#: A decoding is plausible when its garble score is at most this many characters...
MAX_BAD_CHARS = 3
#: ...or at most this share of its non-ASCII characters. Measured: real translated text in our
#: languages, typed with Latin look-alikes and keyboard substitutions, scores at most 1.2%
#: (benchmarks/mojibake_fp.py, BENCHMARKS.md); every wrong decoding of the fixtures at least 3.4%.
MAX_BAD_RATIO = 0.02


class PageDecodeError(ValueError):
    """The body cannot be turned into the text of an HTML page; ``kind`` is the counter name."""

    kind = "undecodable"


class MojibakeError(PageDecodeError):
    """No charset decodes the body into plausible text: the page is garbled at the source."""

    kind = "mojibake"


class BinaryBodyError(PageDecodeError):
    """The body is a binary file (PDF, image, archive) served as HTML."""

    kind = "not_html"


#: File signatures of the binaries servers most often mislabel as text/html.
BINARY_SIGNATURES = {
    b"%PDF-": "PDF",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or DOCX/XLSX)",
    b"\xd0\xcf\x11\xe0": "MS Office document",
    b"\x1f\x8b": "gzip data",
    b"Rar!": "RAR archive",
    b"RIFF": "RIFF media (WebP image, WAV, AVI)",
}


def check_not_binary(body: bytes) -> None:
    """Raise ``BinaryBodyError`` for a known file signature, or NUL bytes (never in an HTML page)."""
    head = body[:1024].lstrip()
    for signature, name in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise BinaryBodyError(f"binary content ({name}) served as an HTML page")
    if b"\x00" in body[:4096] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has NULs
        raise BinaryBodyError("binary content (NUL bytes) served as an HTML page")


def _chars(data: bytes, encoding: str) -> str:
    return data.decode(encoding, errors="ignore")


# Our alphabets: Russian, plus Kazakh and Uzbek Cyrillic letters.
_KK_ONLY = "әңөұүһӘҢӨҰҮҺ"
_UZ_ONLY = "ўҳЎҲ"
_CYR_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + "ғқі" + "әңөұүһўҳ"
_CYR_UPPER = _CYR_LOWER.upper()
_HIGH = bytes(range(0x80, 0x100))
_CONT = bytes(range(0x80, 0xC0))  # UTF-8 continuation bytes

# Character classes, one bit each, looked up per code point in one table.
_BAD = 1  # U+FFFD (undecodable bytes), C1 controls (cp1252 read as latin-1), box drawing (UTF-8 read as KOI8-R)
_LEAD2_1252 = 1 << 1  # UTF-8 lead bytes as cp1252 shows them: "Ð", "Ñ", "Ã"
_LEAD3_1252 = 1 << 2  # "â" of "â€™"
_CONT_1252 = 1 << 3  # continuation bytes as cp1252 shows them: "¿", "€", "™"
_LEAD2_1251 = 1 << 4  # UTF-8 lead bytes as cp1251 shows them: "Р", "С"
_CONT_1251 = 1 << 5  # continuation bytes as cp1251 shows them: "џ", "ё", "°"
_ACCENTED = 1 << 6  # Latin-1 letters: cp1251 read as cp1252 gives runs of them, "Ïîëèöèÿ"
_CYRILLIC = 1 << 7
_SYMBOL = 1 << 8  # codepage symbols that never sit inside a word: "±", "‰", "µ"
_LOWER = 1 << 9
_UPPER = 1 << 10
_FOREIGN = 1 << 11  # Cyrillic letters of no language we monitor: "ј", "ќ", "є", "ҙ"
_KK = 1 << 12
_UZ = 1 << 13
_LATIN = 1 << 14  # ASCII letters
_COMMON = 1 << 15  # the most frequent Cyrillic letters of Russian, Kazakh and Uzbek

#: Share of the Cyrillic letters of real text in our languages that are ``_COMMON`` ones:
#: 0.61-0.74 measured on the fixture pages; KOI8-R read as cp1251 gives about 0.37.
MIN_COMMON_SHARE = 0.45
#: Below this many Cyrillic letters, letter frequencies say nothing.
MIN_LETTERS_FOR_FREQUENCY = 100

_CLASSES: dict[int, str] = {
    _BAD: "\ufffd" + "".join(map(chr, range(0x80, 0xA0))) + "".join(map(chr, range(0x2500, 0x25A0))) + "⌠⌡∙√≈≤≥",
    _LEAD2_1252: _chars(bytes(range(0xC2, 0xE0)), "cp1252"),
    _LEAD3_1252: _chars(bytes(range(0xE0, 0xF0)), "cp1252"),
    _CONT_1252: _chars(_CONT, "cp1252"),
    _LEAD2_1251: _chars(bytes(range(0xC2, 0xE0)), "cp1251"),
    _CONT_1251: "".join(c for c in _chars(_CONT, "cp1251") if c not in "ІіЎў"),
    _ACCENTED: "".join(c for c in map(chr, range(0xC0, 0x100)) if c not in "×÷"),
    _CYRILLIC: "".join(map(chr, range(0x400, 0x500))),
    _SYMBOL: "‚ƒ„†‡ˆ‰‹›•˜™¤¦§¬®°±µ¶·¹²³¼½¾¡¿",
    _LOWER: _CYR_LOWER,
    _UPPER: _CYR_UPPER,
    _KK: _KK_ONLY,
    _UZ: _UZ_ONLY,
    _LATIN: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    _COMMON: "оеаинтсрвлы" + "оеаинтсрвлы".upper(),
}
_CLASSES[_FOREIGN] = "".join(
    c
    for enc in ("cp1251", "koi8-r", "kz1048", "ptcp154")
    for c in _chars(_HIGH, enc)
    if "\u0400" <= c <= "\u04ff" and c not in _CYR_LOWER + _CYR_UPPER
)
_TABLE = np.zeros(0x10001, dtype=np.uint16)  # the BMP, and one slot for everything above it
for _bit, _members in _CLASSES.items():
    _TABLE[[ord(c) for c in _members]] |= _bit


@dataclass(frozen=True)
class Garble:
    """How garbled a decoded text looks: ``bad`` suspicious characters among ``non_ascii``."""

    bad: int
    non_ascii: int

    @property
    def ratio(self) -> float:
        return self.bad / self.non_ascii if self.non_ascii else 0.0

    @property
    def plausible(self) -> bool:
        return self.bad <= MAX_BAD_CHARS or self.ratio <= MAX_BAD_RATIO


def garble(text: str) -> Garble:
    """Count the characters of ``text`` that look like the work of a wrong charset.

    Vectorised over code points (about 1 ms for a 150 KB page), so every page is checked.
    """
    if text.isascii():
        return Garble(0, 0)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cls = _TABLE[np.minimum(points, 0x10000)]

    def has(bit: int) -> np.ndarray:
        return (cls & bit) != 0

    def pairs(first: np.ndarray, second: np.ndarray) -> int:
        return int(np.count_nonzero(first[:-1] & second[1:]))

    cont_1252, cyr, upper, lower, accented = has(_CONT_1252), has(_CYRILLIC), has(_UPPER), has(_LOWER), has(_ACCENTED)
    bad = int(np.count_nonzero(has(_BAD)))
    # UTF-8 read as cp1252 ("Ð¿Ñ€", "â€™") or as cp1251 ("РџРѕ"): two or three characters per letter
    bad += 2 * pairs(has(_LEAD2_1252), cont_1252)
    bad += 3 * int(np.count_nonzero(has(_LEAD3_1252)[:-2] & cont_1252[1:-1] & cont_1252[2:]))
    bad += 2 * pairs(has(_LEAD2_1251), has(_CONT_1251))
    # cp1251/KOI8-R read as cp1252: runs of three or more accented letters ("Ïîëèöèÿ")
    middle = accented[:-2] & accented[1:-1] & accented[2:]
    in_run = np.zeros(len(cls), dtype=bool)
    in_run[:-2] |= middle
    in_run[1:-1] |= middle
    in_run[2:] |= middle
    bad += int(np.count_nonzero(in_run))
    # codepage symbols inside a Cyrillic word: Kazakh letters of ptcp154 read as cp1251 ("±", "‰")
    bad += int(np.count_nonzero(cyr[:-2] & has(_SYMBOL)[1:-1] & cyr[2:]))
    # lower then upper inside a word, and capitals outnumbering small letters: cp1251 and KOI8-R
    # swap the cases, so either read as the other is mostly capitals ("пОЛИЦИЯ")
    bad += pairs(lower, upper)
    bad += max(0, int(np.count_nonzero(upper)) - int(np.count_nonzero(lower)))
    # letter frequencies: a permuted alphabet (one Cyrillic codepage read as another) lacks
    # the common letters; each missing one counts twice (it stands for a wrong letter)
    letters = int(np.count_nonzero(upper | lower))
    if letters >= MIN_LETTERS_FOR_FREQUENCY:
        bad += 2 * max(0, int(MIN_COMMON_SHARE * letters) - int(np.count_nonzero(has(_COMMON))))
    # a Latin letter next to a Cyrillic one in a mostly Latin text: Latin-1 read as cp1251 ("perchй").
    # In a mostly Cyrillic text the Latin letters are typed (Kazakh "бiлiм" with Latin i, look-alike
    # "о"/"o" swaps): ASCII bytes read the same in every charset, so no misdecoding puts them there.
    latin = has(_LATIN)
    if int(np.count_nonzero(latin)) > int(np.count_nonzero(cyr)):
        bad += pairs(latin, cyr) + pairs(cyr, latin)
    # letters of no language we monitor, only in texts with "ы" (Russian, Kazakh): Serbian,
    # Macedonian and Ukrainian have no "ы" and legitimately use "ј", "ќ", "є"
    if "ы" in text or "Ы" in text:
        bad += int(np.count_nonzero(has(_FOREIGN)))
    # no text mixes Kazakh-only and Uzbek-only letters: the minority is misread
    bad += min(int(np.count_nonzero(has(_KK))), int(np.count_nonzero(has(_UZ))))
    return Garble(bad, int(np.count_nonzero(points > 0x7F)))


def declared_encodings(content_type: str | None, body: bytes) -> list[str]:
    """Charsets the response declares, in Scrapy's order: BOM, HTTP header, ``<meta>``."""
    found = [read_bom(body)[0], http_content_type_encoding(content_type), html_body_declared_encoding(body)]
    return list(dict.fromkeys(e for e in found if e))


def page_text(content_type: str | None, body: bytes) -> tuple[str, str]:
    """``(text, encoding)`` for an HTML body; ``PageDecodeError`` if it is binary or only decodes to garble.

    The fast path is Scrapy's decoding when it shows no mark of a wrong charset;
    otherwise every declared and candidate charset is scored and the least garbled
    one wins (the declared one on a tie), if it is plausible.
    """
    check_not_binary(body)
    encoding, text = html_to_unicode(content_type, body)
    first = garble(text)
    if first.bad == 0:
        return text, encoding
    best_text, best_encoding, best = text, encoding, first
    for candidate in (*declared_encodings(content_type, body), *CANDIDATES):
        if candidate == encoding or best.bad == 0:
            continue
        try:
            decoded = body.decode(candidate, errors="replace")
        except LookupError:  # a declared charset Python does not know
            continue
        score = garble(decoded)
        if score.ratio < best.ratio:
            best_text, best_encoding, best = decoded, candidate, score
    if not best.plausible:
        raise MojibakeError(
            f"garbled text in every likely charset (as declared, {encoding}: "
            f"{first.ratio:.0%} of non-ASCII characters look misdecoded)"
        )
    if best_encoding != encoding:
        logger.info("decoded as %s, not %s as declared (%.0f%% misdecoded)", best_encoding, encoding, first.ratio * 100)
    return best_text.removeprefix("\ufeff"), best_encoding
