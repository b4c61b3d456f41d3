"""Language identification: which language and script an article is in.

langdetect with a fixed seed, so the same text always gets the same answer.
(The languages issue extends this for Uzbek and Kazakh, which langdetect lacks.)
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from langdetect import DetectorFactory, LangDetectException, detect_langs

logger = logging.getLogger(__name__)

DetectorFactory.seed = 0


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None  # ISO 639-1, None when nothing could be said
    script: str | None  # ISO 15924: Latn, Cyrl, Arab, ...
    confidence: float = 0.0


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            script = "Latn"
        elif name.startswith("CYRILLIC"):
            script = "Cyrl"
        elif name.startswith("ARABIC"):
            script = "Arab"
        else:
            script = name.split(" ", 1)[0].title() or None
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get) if counts else None


def detect_language(text: str, *, hint: str | None = None, html_lang: str | None = None) -> LanguageGuess:
    """Identify the language of ``text``; ``hint`` and ``html_lang`` are evidence, not truth."""
    script = dominant_script(text)
    try:
        candidates = detect_langs(text)
    except LangDetectException:
        return LanguageGuess(lang=hint or html_lang, script=script, confidence=0.0)
    best = candidates[0]
    lang = best.lang.split("-")[0]
    return LanguageGuess(lang=lang, script=script, confidence=round(best.prob, 4))
