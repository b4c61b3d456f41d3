"""Scripts and text preparation for language identification.

Statistical detectors see whatever they are given: an English menu around a Russian
article pulls them towards English, a Latin ``i`` typed inside a Kazakh word hides the
Kazakh ``і``. So before anything guesses a language we find the dominant script, repair
look-alike letters inside words of that script, and keep only the words written in it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# Latin letters typed inside Cyrillic words (Russian keyboards lack Kazakh і, lazy typing, OCR).
_LATIN_TO_CYRILLIC = str.maketrans(
    "aceiopxyABCEHIKMOPTX",
    "асеіорхуАВСЕНІКМОРТХ",
)
# Cyrillic look-alikes inside Latin words (rarer, but seen in copy-pasted titles).
_CYRILLIC_TO_LATIN = str.maketrans("асеорхуАВСЕНКМОРТХ", "aceopxyABCEHKMOPTX")

# A word: letters, with apostrophes inside (Uzbek oʻ, gʻ, maʼlum; Italian l'ufficio). Hyphens split.
# Quoted speech: a Russian quote inside an Uzbek article says nothing about the article.
_QUOTE = re.compile(r"«[^»]{1,600}»|“[^”]{1,600}”|„[^“”]{1,600}[“”]|\"[^\"\n]{1,600}\"")
# Quotes are set aside only in paragraph-sized texts (in a title the quote is the title)
# and only when the rest still holds this share of the letters.
QUOTE_MIN_LETTERS = 200
QUOTE_REST_SHARE = 0.5
_WORD = re.compile(r"[^\W\d_]+(?:['’‘ʻʼ`´][^\W\d_]+)*", re.UNICODE)


# First word of a letter's Unicode name → ISO 15924 code (the scripts we need to tell apart).
_NAME_TO_SCRIPT = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "GREEK": "Grek", "HEBREW": "Hebr",
    "ARMENIAN": "Armn", "GEORGIAN": "Geor", "CJK": "Hani", "HIRAGANA": "Jpan", "KATAKANA": "Jpan",
    "HANGUL": "Hang", "DEVANAGARI": "Deva",
}


@functools.lru_cache(maxsize=4096)
def char_script(char: str) -> str | None:
    """ISO 15924 code of one letter (other scripts: the first word of its Unicode name)."""
    if not char.isalpha():
        return None
    if char in "ʻʼ":  # modifier letters used as Uzbek apostrophes: part of Latin words
        return "Latn"
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return _NAME_TO_SCRIPT.get(word) or (word.title()[:4] if word else None)


def script_counts(text: str) -> dict[str, int]:
    """Letters per script, in the order the scripts first appear."""
    counts: dict[str, int] = {}
    for char, n in Counter(text).items():  # one pass in C, then one lookup per distinct character
        script = char_script(char)
        if script:
            counts[script] = counts.get(script, 0) + n
    return counts


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in (ties: the first seen)."""
    counts = script_counts(text)
    return max(counts, key=counts.__getitem__) if counts else None


@dataclass(frozen=True)
class PreparedText:
    """Text reduced to the words of its dominant script, plus what was measured on the way."""

    text: str  # the dominant-script words, one space between them, line breaks kept as ". "
    script: str | None
    letters: int  # letters in the dominant script
    share: float  # dominant-script letters / all letters


#: A word of basic Cyrillic letters only (``_WORD`` matched letters, so no signs or marks remain).
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")


def _in_script(word: str, script: str) -> str | None:
    """``word`` if most of its letters are in ``script`` (look-alikes repaired), else None."""
    # Most words are in one script: ASCII letters are all Latin, U+0400-U+04FF letters all
    # Cyrillic. Telling them without counting per character halves prepare()'s time.
    if word.isascii():
        return word if script == "Latn" else None
    if _CYRILLIC_WORD.fullmatch(word):
        return word if script == "Cyrl" else None
    counts = script_counts(word)
    mine = counts.get(script, 0)
    if not mine or mine < max(counts.values()):
        return None
    if len(counts) > 1:
        if script == "Cyrl":
            return word.translate(_LATIN_TO_CYRILLIC)
        if script == "Latn":
            return word.translate(_CYRILLIC_TO_LATIN)
    return word


def _without_quotes(text: str) -> str:
    rest = _QUOTE.sub(" ", text)
    before = sum(script_counts(text).values())
    after = sum(script_counts(rest).values())
    return rest if before >= QUOTE_MIN_LETTERS and after >= QUOTE_REST_SHARE * before else text


# Beyond this many characters a page adds cost, not evidence.
MAX_INPUT = 20_000


def prepare(text: str) -> PreparedText:
    """Keep the words of the dominant script, with look-alike letters repaired, quotes set aside."""
    text = _without_quotes(unicodedata.normalize("NFC", text[:MAX_INPUT]))
    counts = script_counts(text)
    total = sum(counts.values())
    if not total:
        return PreparedText(text="", script=None, letters=0, share=0.0)
    script = max(counts, key=counts.__getitem__)
    lines = []
    for line in text.splitlines():
        kept = [word for match in _WORD.finditer(line) if (word := _in_script(match.group(0), script))]
        if kept:
            lines.append(" ".join(kept))
    kept_text = ". ".join(lines)
    letters = script_counts(kept_text).get(script, 0)
    return PreparedText(text=kept_text, script=script, letters=letters, share=counts[script] / total)
