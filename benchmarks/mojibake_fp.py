"""False "mojibake": how often real text, typed the way real sites type it, is refused.

The garble thresholds (``crawler/encoding.py``) were first measured on the project's own
fixture articles. This measures them on text nobody wrote for newsmon: the gettext
translations Debian installs under ``/usr/share/locale`` (coreutils, GTK, GLib, PAM,
iso-codes ... translated by people, in Kazakh, Uzbek Latin and Cyrillic, Russian,
Kyrgyz, Tajik, Ukrainian), grouped into ~1,500-character documents, then typed with the
substitutions real sites make:

- Kazakh: Latin ``i`` for ``і``; a Russian keyboard (``ң→н``, ``ә→а``, ``ө→о``, ``ү/ұ→у``,
  ``қ→к``, ``ғ→г``, ``һ→х``, ``і→и``); Latin look-alikes (``ə``, ``ө→ɵ``).
- Uzbek Latin: ``oʻ/gʻ`` typed ``o'``, ``o‘``, ``o’``, ``o```.
- Uzbek Cyrillic: a Russian keyboard (``ҳ→х``, ``ў→у``, ``қ→к``, ``ғ→г``).
- Any Cyrillic: Latin look-alike letters mixed into words (``а→a``, ``о→o``, ``е→e``,
  ``р→p``, ``с→c``, ``х→x``, ``у→y``, ``і→i``) in 1 of 5 words.

A document is a false positive when ``page_text`` would refuse it (no plausible decoding:
``garble(text).plausible`` is false). The same documents are also garbled for real
(UTF-8 read as cp1251 / cp1252 / KOI8-R) to check that mojibake is still refused.

    .venv/bin/python benchmarks/mojibake_fp.py [--locale-dir /usr/share/locale]
"""

from __future__ import annotations

import argparse
import gettext
import random
import re
from pathlib import Path

from crawler.encoding import CANDIDATES, MojibakeError, garble, page_text

LOCALES = {"kk": "kk", "uz-Latn": "uz", "uz-Cyrl": "uz@cyrillic", "ru": "ru", "ky": "ky", "tg": "tg", "uk": "uk"}
DOC_CHARS = 1500
MAX_DOCS = 150

_KK_KEYBOARD = str.maketrans("ңәөүұқғһіҢӘӨҮҰҚҒҺІ", "наоуукгхиНАОУУКГХИ")
_UZ_KEYBOARD = str.maketrans("ҳўқғҲЎҚҒ", "хукгХУКГ")
_LOOKALIKE = str.maketrans("аоерсхуіАОЕРСХУІ", "aoepcxyiAOEPCXYI")
_MARKUP = re.compile(r"<[^>]+>|%[-#0-9.]*[a-zA-Z]|\{[^}]*\}|_(?=\w)|&\w+;|\\[nt]")


def documents(locale_dir: Path, folder: str, seed: int) -> list[str]:
    """~1,500-character documents of translated messages (markup and format codes removed)."""
    messages: list[str] = []
    for mo in sorted((locale_dir / folder / "LC_MESSAGES").glob("*.mo")):
        try:
            with mo.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the parsed .mo
        except (OSError, UnicodeDecodeError, gettext.error if hasattr(gettext, "error") else OSError):
            continue
        for key, value in catalog.items():
            if key and isinstance(value, str) and len(value) > 3 and not value.isascii():
                messages.append(_MARKUP.sub("", value).strip())
    random.Random(seed).shuffle(messages)
    docs, current = [], ""
    for message in messages:
        current += message + "\n"
        if len(current) >= DOC_CHARS:
            docs.append(current)
            current = ""
    return docs[:MAX_DOCS]


def lookalikes(text: str, rng: random.Random) -> str:
    """One Latin look-alike letter in 1 of 5 words."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if rng.random() < 0.2:
            spots = [j for j, c in enumerate(word) if c.translate(_LOOKALIKE) != c]
            if spots:
                j = rng.choice(spots)
                words[i] = word[:j] + word[j].translate(_LOOKALIKE) + word[j + 1 :]
    return " ".join(words)


def substitutions(lang: str) -> dict:
    rng = random.Random(7)
    subs = {"as typed": lambda t: t, "latin look-alikes in 1 of 5 words": lambda t: lookalikes(t, rng)}
    if lang == "kk":
        subs["Latin i for і"] = lambda t: t.replace("і", "i").replace("І", "I")
        subs["Russian keyboard (ң→н, ә→а, і→и ...)"] = lambda t: t.translate(_KK_KEYBOARD)
        subs["Latin i, ң→н"] = lambda t: t.replace("і", "i").replace("ң", "н")
        subs["ә→ə, ө→ɵ (Latin look-alikes)"] = lambda t: t.replace("ә", "ə").replace("ө", "ɵ")
    if lang == "uz-Latn":
        for mark in ("'", "‘", "’", "`"):
            subs[f"oʻ typed o{mark}"] = lambda t, m=mark: t.replace("ʻ", m).replace("ʼ", m)
    if lang == "uz-Cyrl":
        subs["Russian keyboard (ҳ→х, ў→у ...)"] = lambda t: t.translate(_UZ_KEYBOARD)
    return subs


def misread(text: str, as_charset: str) -> str:
    return text.encode("utf-8").decode(as_charset, errors="replace")


def decoded_right(docs: list[str]) -> tuple[int, int]:
    """``(right, cases)``: each document in each charset that holds it, declared as every candidate
    charset in the HTTP header, must come back as itself from ``page_text`` (the wrong charset repaired)."""
    right = cases = 0
    for doc in docs:
        for true in CANDIDATES:
            try:
                body = doc.encode(true)
            except UnicodeEncodeError:
                continue
            for declared in CANDIDATES:
                cases += 1
                try:
                    right += page_text(f"text/html; charset={declared}", body)[0] == doc
                except MojibakeError:
                    pass
    return right, cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--locale-dir", type=Path, default=Path("/usr/share/locale"))
    args = parser.parse_args()
    print("| text | substitution | documents | refused (false positives) | worst score |")
    print("| --- | --- | --- | --- | --- |")
    total = refused_total = 0
    detect = detected = 0
    repaired = repair_cases = 0
    for lang, folder in LOCALES.items():
        docs = documents(args.locale_dir, folder, seed=1)
        if not docs:
            continue
        for name, substitute in substitutions(lang).items():
            scores = [garble(substitute(doc)) for doc in docs]
            refused = sum(not s.plausible for s in scores)
            total += len(docs)
            refused_total += refused
            worst = max(s.ratio for s in scores)
            print(f"| {lang} | {name} | {len(docs)} | {refused} ({refused / len(docs):.1%}) | {worst:.2%} |")
        right, cases = decoded_right(docs[:20])
        repaired += right
        repair_cases += cases
        for charset in ("cp1251", "cp1252", "koi8-r"):
            for doc in docs:
                detect += 1
                detected += not garble(misread(doc, charset)).plausible
    print(f"\nfalse positives: {refused_total} of {total} documents ({refused_total / max(total, 1):.2%})")
    print(f"real mojibake (UTF-8 read as cp1251, cp1252, KOI8-R) refused: {detected} of {detect} ({detected / max(detect, 1):.2%})")
    print(f"declared charset right or wrong, decoded to the document: {repaired} of {repair_cases} "
          f"({repaired / max(repair_cases, 1):.2%}; first 20 documents per language)")


if __name__ == "__main__":
    main()
