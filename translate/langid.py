"""Language identification: which language and script an article is in.

No single detector covers the region: langdetect has no Uzbek or Kazakh, fastText's lite
model calls Uzbek Cyrillic Russian, CLD2 gives up on short titles. So the answer is a
weighted vote (see BENCHMARKS.md for how each part and the vote measure):

1. keep the words of the text's dominant script (an English menu around a Russian article
   does not vote), repairing Latin look-alikes typed inside Cyrillic words;
2. add the votes of CLD2, fastText lid.176 lite (and langdetect on close calls), the evidence of
   orthographic and function-word rules (``translate.langid_rules``), and a small prior
   for the source's ``language`` hint and the page's ``<html lang>``: evidence, not truth,
   so they only decide when the text itself is ambiguous or a word or two long;
3. weaken languages whose alphabet lacks many of the text's letters (a vote for Russian on
   a text full of ў and ҳ) and languages no monitored source writes in (Occitan, Waray),
   keep only languages written in that script, pick the best.

Deterministic: same text, same hints, same answer. Nothing is downloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from translate.langid_models import (
    LANGDETECT_LANGUAGES,
    cld2_votes,
    fasttext_votes,
    langdetect_votes,
    normalise_code,
)
from translate.langid_rules import foreign_factor, rule_scores
from translate.langid_script import dominant_script, prepare

__all__ = ["WEIGHTS", "LanguageGuess", "choose", "detect_language", "dominant_script", "language_votes"]

logger = logging.getLogger(__name__)

WEIGHTS: Mapping[str, float] = {
    "cld2": 1.0,
    "fasttext": 1.0,
    "langdetect": 0.4,
    "rules": 1.0,
    "hint": 0.15,  # the source's language: enough to break a tie, never to outvote the text
    "html_lang": 0.1,
}
# Below this many letters (a word or two) the text says little: the statistical detectors
# count less (down to half) and the hints more (up to SHORT_HINT_BOOST times their weight),
# both in proportion to how short the text is. Orthographic rules keep their weight.
SHORT_LETTERS = 30
SHORT_HINT_BOOST = 8.0
_STATISTICAL = ("cld2", "fasttext", "langdetect")
# Languages detectors name for short Italian, English or Turkic titles (CLD2: Occitan for
# "Arrestato l'ex vicesindaco", Waray, Corsican, Romansh) but that no monitored source writes
# in: their votes count this much. They can still win on a text that is clearly theirs.
RARE_LANGUAGES = frozenset(
    "oc co war rm ia ie la eo vo sco ceb gd gv kw br fy lb an ast scn nap vec lmo pms fur lij sc"
    " jbo nds frr wa li bar hsb dsb min ilo pam su jv mg sn zu xh st tn ts ht".split()
)
RARE_FACTOR = 0.4
# langdetect is slow (about 10 ms a text, five times the rest together) and adds nothing when
# the others agree: it is only asked when the two best languages are this close, and both are
# languages it has profiles for (it has none for Uzbek, Kazakh, Kyrgyz, Tajik, Turkmen).
TIE_MARGIN = 0.3
# Long pages: the first characters of the dominant-script text are plenty, and bound the cost.
MAX_CHARS = 5000

# Languages that are only (in practice) written in one script: a vote for them in another
# script's text is noise (an English word, a Russian quote). Unlisted languages stay allowed.
_CYRILLIC_ONLY = {
    "ru", "uk", "be", "bg", "mk", "ky", "tg", "mn", "tt", "ba", "cv", "ce", "os", "sah", "kv", "udm", "av", "lez",
}
_ARABIC_ONLY = {"ar", "fa", "ur", "ps", "ug", "ckb", "sd", "arz", "azb", "pnb", "mzn"}
_CYRILLIC_TOO = {"kk", "uz", "sr", "az", "tk", "ky", "tg"} | _CYRILLIC_ONLY

# Site codes seen in the wild for our languages (``oz`` for Uzbek Latin, ``kz`` for Kazakh).
_HINT_ALIASES = {"oz": "uz", "kz": "kk", "ua": "uk", "by": "be", "tj": "tg", "kg": "ky", "ir": "fa", "per": "fa"}


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None  # ISO 639-1 (639-3 where no 2-letter code exists), None when nothing could be said
    script: str | None  # ISO 15924: Latn, Cyrl, Arab, ...
    confidence: float = 0.0  # share of all votes that went to ``lang`` (0..1)
    method: str = "vote"  # "vote", "hint" (no letters: the hint was all there was) or "none"


def _allowed(lang: str, script: str | None) -> bool:
    if script == "Latn":
        return lang not in _CYRILLIC_ONLY and lang not in _ARABIC_ONLY
    if script == "Cyrl":
        return lang in _CYRILLIC_TOO
    if script == "Arab":
        return lang in _ARABIC_ONLY or lang in {"ku", "ks", "kk", "uz", "tk", "az", "ms"}
    return True


def hint_code(value: str | None) -> str | None:
    """``'ru-RU'`` → ``'ru'``, ``'oz'`` → ``'uz'``: a site's language label as an ISO code."""
    code = normalise_code(value)
    return _HINT_ALIASES.get(code, code) if code else None


def _add_votes(votes: dict[str, float], new: Mapping[str, float], weight: float) -> None:
    for lang, score in new.items():
        votes[lang] = votes.get(lang, 0.0) + weight * score


def _close_call(votes: Mapping[str, float], script: str | None) -> bool:
    ranked = sorted((score, lang) for lang, score in votes.items() if _allowed(lang, script))[::-1]
    if len(ranked) < 2 or ranked[0][0] - ranked[1][0] >= TIE_MARGIN:
        return False
    return ranked[0][1] in LANGDETECT_LANGUAGES and ranked[1][1] in LANGDETECT_LANGUAGES


def language_votes(
    text: str,
    *,
    hint: str | None = None,
    html_lang: str | None = None,
    weights: Mapping[str, float] = WEIGHTS,
) -> tuple[str | None, dict[str, float]]:
    """The dominant script and each language's summed, weighted evidence (for debugging, the benchmark)."""
    prepared = prepare(text)
    shortness = max(0.0, 1.0 - prepared.letters / SHORT_LETTERS)
    weights = {name: w * (1.0 - 0.5 * shortness) if name in _STATISTICAL else w
               for name, w in weights.items()}
    votes: dict[str, float] = {}
    if prepared.text:
        sample = prepared.text[:MAX_CHARS]
        voters: dict[str, Callable[[], dict[str, float]]] = {
            "cld2": lambda: cld2_votes(sample),
            "fasttext": lambda: fasttext_votes(sample),
            "rules": lambda: rule_scores(prepared),
        }
        for name, voter in voters.items():
            if weights.get(name):
                _add_votes(votes, voter(), weights[name])
        if weights.get("langdetect") and _close_call(votes, prepared.script):
            _add_votes(votes, langdetect_votes(sample), weights["langdetect"])
        # A detector's vote for Russian on a text full of ў and ҳ is a vote it cannot mean.
        votes = {lang: score * foreign_factor(prepared, lang) for lang, score in votes.items()}
        votes = {lang: score * (RARE_FACTOR if lang in RARE_LANGUAGES else 1.0)
                 for lang, score in votes.items()}
    for name, value in (("hint", hint), ("html_lang", html_lang)):
        code = hint_code(value)
        if code:
            weight = weights.get(name, 0.0) * (1.0 + SHORT_HINT_BOOST * shortness)
            votes[code] = votes.get(code, 0.0) + weight
    allowed = {lang: score for lang, score in votes.items() if _allowed(lang, prepared.script)}
    return prepared.script, allowed


def detect_language(text: str, *, hint: str | None = None, html_lang: str | None = None) -> LanguageGuess:
    """Identify the language and script of ``text``; ``hint`` and ``html_lang`` are evidence, not truth."""
    script, votes = language_votes(text, hint=hint, html_lang=html_lang)
    return choose(script, votes, hint=hint, html_lang=html_lang)


def choose(
    script: str | None, votes: dict[str, float], *, hint: str | None = None, html_lang: str | None = None
) -> LanguageGuess:
    """The best-voted language (ties broken alphabetically, so always the same one)."""
    if script is None:
        fallback = hint_code(hint) or hint_code(html_lang)
        return LanguageGuess(lang=fallback, script=None, confidence=0.0, method="hint" if fallback else "none")
    # Rules may vote against a language (Russian without Russian grammar): only positive votes count.
    positive = {lang: score for lang, score in votes.items() if score > 0}
    if not positive:
        return LanguageGuess(lang=None, script=script, confidence=0.0, method="none")
    # Sorting first makes ties deterministic (alphabetical), whatever the dict order.
    best = max(sorted(positive), key=positive.__getitem__)
    confidence = round(positive[best] / sum(positive.values()), 4)
    logger.debug("language votes %s → %s", {k: round(v, 3) for k, v in votes.items()}, best)
    return LanguageGuess(lang=best, script=script, confidence=confidence)
