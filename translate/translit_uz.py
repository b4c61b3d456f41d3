"""Uzbek Cyrillic → Uzbek Latin, so that NLLB-200 (which knows Uzbek only as ``uzn_Latn``) can read it.

The rules are alifbo's (a maintained, dependency-free Uzbek transliterator, tested on
13,000+ cases): ў→oʻ, ғ→gʻ, қ→q, ҳ→h, ш→sh, ч→ch, ё→yo, ю→yu, я→ya, е→ye at a word
start and after a vowel (else e), ц→s at a word start (else ts), ъ→ʼ, ь dropped, сҳ→sʼh
(so that it is not read as sh), URLs and e-mail addresses untouched. alifbo converts to the
2026 Latin alphabet (ş, ç, ö, ğ); ``to_old_latin`` turns that into the Latin alphabet in
use on Uzbek sites today (sh, ch, oʻ, gʻ), which is what NLLB was trained on.

Only text that contains Cyrillic letters is converted: Latin text is passed on as written.
"""

from __future__ import annotations

import re

from alifbo import from_cyrillic, to_old_latin

_CYRILLIC = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def to_latin(text: str) -> str:
    """Uzbek text in either script → Uzbek Latin (current alphabet, with oʻ gʻ sh ch)."""
    if not has_cyrillic(text):
        return text
    return to_old_latin(from_cyrillic(text).text).text
