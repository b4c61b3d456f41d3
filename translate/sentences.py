"""Sentence splitting without models: rules for news prose, paragraphs kept.

Why not a library: stanza and spaCy need torch or downloaded models, and pysbd
has had no release since 2021 and has no Uzbek. News text is already split into
paragraphs; within one, a sentence ends at ``. ! ? …`` (and closing quotes)
followed by a capital letter, a digit, an opening quote or a dash, unless the
word before the point is an abbreviation or an initial. A wrong split costs a
little translation quality, never text: joining the pieces gives the paragraph back.
"""

from __future__ import annotations

import re

# Lower-case abbreviations that end with a point but rarely end a sentence.
ABBREVIATIONS = frozenset(
    """
    г гг ул им тыс млн млрд руб коп стр рис ст обл пр др проф акад доц ген полк тел кв корп пос просп
    напр см св мин макс max min
    sig sigg dott dr prof avv ing on sen gen art pag ecc cfr tel vol ca dott.ssa
    mr mrs ms jr sr st vs etc inc ltd co corp no nos gov col lt sgt capt rep dept est approx fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    y yy sh mln mlrd
    """.split()
)

_END = re.compile(r"[.!?…]+[»\"'”’)\]]*")
_OPENERS = "«\"“„‘'([—–-"


def _next_starts_sentence(text: str, pos: int) -> bool:
    """Whether what follows ``pos`` (after whitespace) looks like a sentence start."""
    i = pos
    while i < len(text) and text[i] in _OPENERS + " \u00a0":
        i += 1
    if i >= len(text):
        return False
    char = text[i]
    return char.isupper() or char.isdigit()


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the word ending at ``end`` (just before a point) is an abbreviation or initial."""
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1
    word = text[start:end]
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial (И. Петров) or a one-letter abbreviation (т. е.)
    last = word.rsplit(".", 1)[-1]
    return word.lower() in ABBREVIATIONS or last.lower() in ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences; ``" ".join`` of the result is the paragraph, whitespace normalised."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    sentences = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if end >= len(text) or not text[end].isspace():
            continue
        if not _next_starts_sentence(text, end):
            continue
        if match.group().startswith(".") and len(match.group().rstrip("»\"'”’)]")) == 1 and _is_abbreviation(text, match.start()):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def split_text(text: str) -> list[list[str]]:
    """Paragraphs (newline-separated, empty ones kept) → sentences per paragraph."""
    return [split_sentences(paragraph) for paragraph in text.split("\n")]


def join_text(paragraphs: list[list[str]]) -> str:
    """The inverse of ``split_text`` for translated sentences: same paragraph count."""
    return "\n".join(" ".join(s for s in sentences if s) for sentences in paragraphs)
