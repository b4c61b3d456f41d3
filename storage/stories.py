"""Stories: the articles that report the same event, in any language and from any source.

Each article is compared in two spaces: its English (translation or original)
and, for non-English articles, its original text against originals in the same
language. A space is a TF-IDF vector of the article's content words (cut to a
six-letter stem, so «Ташкенте»/«Ташкент» and "arrested"/"arrest" meet; title
words count twice), with the inverse document frequency read from
``story_df`` as the database stood when the article was stored.

Candidates come from an index, never a scan: each article's top
``INDEX_TERMS`` terms are written to ``story_terms`` with its day, and a new
article reads, for each of its own top terms, at most ``PER_TERM`` articles
within ``WINDOW_DAYS`` days. The work per article is therefore bounded by
``INDEX_TERMS × PER_TERM`` index rows and ``MAX_CANDIDATES`` cosine scores,
however large the database grows (benchmarks/stories_bench.py).

A new article joins the story of its most similar candidate when the cosine
reaches ``THRESHOLD_EN`` (English) or ``THRESHOLD_ORIGINAL`` (same language);
otherwise it starts a story of its own. A syndicated copy (``duplicate_of``)
always joins its original's story. Thresholds were tuned on the tuned part of
tests/data/stories/ (benchmarks/stories_eval.py, BENCHMARKS.md "Stories").
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from storage.entities import FIELDS, extract_entities

logger = logging.getLogger(__name__)

#: Articles published (or, without a date, first stored) this many days apart can share a story.
WINDOW_DAYS = 3
#: Longest a story may span (first to last article): an event of a week, not a topic. Bounds
#: chains of look-alike articles (daily bulletins) and so the size of a story.
STORY_DAYS = 7
#: Terms of each article written to the index (its highest TF-IDF weights).
INDEX_TERMS = 12
#: Newest articles read per index term: bounds the candidates of a common term.
PER_TERM = 40
#: Candidates scored per space (those sharing the most index terms).
MAX_CANDIDATES = 60
#: Terms kept in an article's stored vector.
VECTOR_TERMS = 80
#: Cosine from which an article joins a candidate's story (English space).
THRESHOLD_EN = 0.30
#: The same, comparing originals in one language (no translation noise, so stricter).
THRESHOLD_ORIGINAL = 0.30
#: Stem length: words are cut to this many letters (a crude, language-blind stemmer).
STEM = 6
#: Texts shorter than this (title + text) get no vector: too little to compare.
MIN_CHARS = 80

_WORD_RE = re.compile(r"\w+", re.UNICODE)

# Function words and newsroom filler that say nothing about which event it is.
_STOP = {
    "en": """a about above after again against all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had has have
        having he her here hers herself him himself his how i if in into is it its itself just me more most my
        no nor not now of off on once only or other our ours out over own said same says she should so some such
        than that the their theirs them then there these they this those through to too under until up very was
        we were what when where which while who whom why will with would you your year years also according
        reported report reports told week day days today yesterday new news statement press service
        informed official officials""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
        вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь
        опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
        чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь
        этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой
        хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо
        свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между также это года
        году сообщает сообщили сообщил сообщается пресс служба службы данным""",
    "uz": """va bilan uchun ham bu shu u esa edi deb bo'lgan bo'ldi qilib qildi yil yilda kuni haqida tomonidan
        ekan bor yo'q emas lekin ammo yoki hamda bir ikki uch mazkur ushbu xabar bergan berdi ma'lum qilindi
        ва билан учун ҳам бу шу у эса эди деб бўлган бўлди қилиб қилди йил йилда куни ҳақида томонидан
        экан бор йўқ эмас лекин аммо ёки ҳамда бир икки уч мазкур ушбу хабар берган берди маълум қилинди""",
    "kk": """және мен бен пен үшін бұл осы ол да де ма ме ба бе па пе туралы бойынша жылы жыл күні деп болды
        болған еді бар жоқ емес бірақ немесе бір екі үш хабарлады хабарлайды мәлім""",
    "it": """il lo la i gli le un uno una di a da in con su per tra fra e o ma che non si è sono era del della dei
        delle degli al alla ai alle dal dalla nel nella nei sul sulla come anche più questo questa quello quella
        essere stato stata ha hanno dopo anno anni giorno""",
}
_STOPWORDS = {w for words in _STOP.values() for w in words.split()}


def _tokens(text: str) -> list[str]:
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold().replace("ʻ", "'").replace("ʼ", "'"))
    out = []
    for word in words:
        if word in _STOPWORDS or len(word) < 3 and not word.isdigit():
            continue
        if word.isdigit() and len(word) < 2:
            continue
        out.append(word[:STEM])
    return out


def term_counts(title: str | None, text: str | None, *, prefix: str = "") -> Counter:
    """Stemmed content words of title (counted twice) and text, each prefixed with its space."""
    counts = Counter(prefix + t for t in _tokens(text or ""))
    for t in _tokens(title or ""):
        counts[prefix + t] += 2
    return counts


def _idf(df: int, total: int) -> float:
    return math.log((total + 1) / (df + 1)) + 1.0


def weigh(counts: Counter, df: dict[str, int], total: int) -> dict[str, float]:
    """Sublinear TF × IDF, the ``VECTOR_TERMS`` heaviest, scaled to unit length."""
    weights = {t: (1 + math.log(c)) * _idf(df.get(t, 0), total) for t, c in counts.items()}
    top = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:VECTOR_TERMS])
    norm = math.sqrt(sum(w * w for w in top.values())) or 1.0
    return {t: round(w / norm, 5) for t, w in top.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two unit vectors (sparse dicts)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _day(row: dict) -> str:
    value = row.get("published") or (row.get("published_at") or "")[:10] or (row.get("fetched_at") or "")[:10]
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return (row.get("fetched_at") or "1970-01-01")[:10]


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _spaces(row: dict) -> dict[str, Counter]:
    """The article's comparable spaces: ``en`` (its English) and its original language."""
    spaces: dict[str, Counter] = {}
    if row.get("text_en") and len((row.get("title_en") or "") + row["text_en"]) >= MIN_CHARS:
        spaces["en"] = term_counts(row.get("title_en"), row["text_en"])
    lang = row.get("lang")
    if lang and lang != "en" and len((row.get("title") or "") + (row.get("text") or "")) >= MIN_CHARS:
        spaces[lang] = term_counts(row.get("title"), row.get("text"), prefix=f"{lang}:")
    return spaces


def _document_frequencies(db: sqlite_utils.Database, terms: list[str]) -> tuple[dict[str, int], int]:
    df: dict[str, int] = {}
    for start in range(0, len(terms), 500):
        chunk = terms[start : start + 500]
        df.update(db.conn.execute(
            "select term, df from story_df where term in (select value from json_each(?))", [json.dumps(chunk)]
        ).fetchall())
    (total,) = db.conn.execute("select coalesce(max(df), 0) from story_df where term = ''").fetchone()
    return df, total


def _count_document(db: sqlite_utils.Database, terms: list[str]) -> None:
    """One more document containing these terms (``''`` counts documents)."""
    db.conn.executemany(
        "insert into story_df (term, df) values (?, 1) on conflict (term) do update set df = df + 1",
        [(t,) for t in ["", *terms]],
    )


def _index(db: sqlite_utils.Database, article_id: int, space: str, day: str, vector: dict[str, float]) -> None:
    """Store the vector and replace the article's index terms in this space."""
    old = db.conn.execute("select vector from story_vectors where article_id = ? and space = ?", [article_id, space]).fetchone()
    if old:
        db.conn.executemany(
            "delete from story_terms where term = ? and article_id = ?", [(t, article_id) for t in list(json.loads(old[0]))[:INDEX_TERMS]]
        )
    db.conn.execute(
        "insert or replace into story_vectors (article_id, space, day, vector) values (?, ?, ?, ?)",
        [article_id, space, day, json.dumps(vector, ensure_ascii=False)],
    )
    db.conn.executemany(
        "insert or ignore into story_terms (term, day, article_id) values (?, ?, ?)",
        [(t, day, article_id) for t in list(vector)[:INDEX_TERMS]],
    )


def _candidates(db: sqlite_utils.Database, article_id: int, day: str, vector: dict[str, float]) -> list[int]:
    """Articles in the time window sharing index terms with the vector, most shared first (bounded)."""
    hits: Counter = Counter()
    low, high = _shift(day, -WINDOW_DAYS), _shift(day, WINDOW_DAYS)
    for term in list(vector)[:INDEX_TERMS]:
        for (other,) in db.conn.execute(
            "select article_id from story_terms where term = ? and day between ? and ? and article_id != ? "
            "order by day desc limit ?",
            [term, low, high, article_id, PER_TERM],
        ):
            hits[other] += 1
    return [other for other, n in hits.most_common(MAX_CANDIDATES) if n >= 2]


def _best_match(db: sqlite_utils.Database, article_id: int, space: str, day: str, vector: dict[str, float]) -> tuple[int, float] | None:
    ids = _candidates(db, article_id, day, vector)
    if not ids:
        return None
    best: tuple[int, float] | None = None
    for other, blob in db.conn.execute(
        "select article_id, vector from story_vectors where space = ? and article_id in (select value from json_each(?))",
        [space, json.dumps(ids)],
    ):
        score = cosine(vector, json.loads(blob))
        if best is None or score > best[1] or score == best[1] and other < best[0]:
            best = (other, score)
    return best


#: When an article was seen, in UTC so that times with different offsets compare; a bare date stays a date.
_SEEN = (
    "case when length(coalesce(published_at, published, fetched_at)) = 10 then coalesce(published_at, published) "
    "else strftime('%Y-%m-%dT%H:%M:%S+00:00', coalesce(published_at, published, fetched_at)) end"
)


def refresh_story(db: sqlite_utils.Database, story_id: int | None) -> None:
    """Recompute a story's headline, times and counts from its articles; drop it when it has none."""
    if story_id is None:
        return
    (members,) = db.conn.execute("select count(*) from articles where story_id = ?", [story_id]).fetchone()
    if not members:
        db.conn.execute("delete from stories where id = ?", [story_id])
        return
    db.conn.execute(
        f"""update stories set
             title = (select coalesce(title_en, title) from articles where story_id = :s
                      order by title_en is null, duplicate_of is not null, coalesce(published_at, published, fetched_at), id limit 1),
             first_seen = (select min({_SEEN}) from articles where story_id = :s),
             last_seen = (select max({_SEEN}) from articles where story_id = :s),
             articles = :n,
             sources = (select count(distinct source) from articles where story_id = :s),
             languages = (select group_concat(lang, ', ') from (select distinct lang from articles where story_id = :s order by lang)),
             updated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
           where id = :s""",
        {"s": story_id, "n": members},
    )


def _move(db: sqlite_utils.Database, article_id: int, old: int | None, new: int) -> None:
    if old == new:
        refresh_story(db, new)
        return
    db.conn.execute("update articles set story_id = ? where id = ? or duplicate_of = ?", [new, article_id, article_id])
    refresh_story(db, new)
    refresh_story(db, old)


def _new_story(db: sqlite_utils.Database) -> int:
    return db.conn.execute("insert into stories (articles, sources) values (0, 0)").lastrowid


def assign_story(db: sqlite_utils.Database, article_id: int, *, count: bool = True) -> int | None:
    """Put one stored article (and its copies) into a story; returns the story id. Does not commit.

    Called when an article is stored and when its English is written. When the
    article already has a story and matches an article of another one, the two
    stories become one (single link: it belongs to both), so a translation that
    arrives late still brings its story together.
    ``count=False`` when ``story_df`` already counts the article (``recompute``).
    """
    row = db.conn.execute(
        "select id, title, text, title_en, text_en, lang, published, published_at, fetched_at, duplicate_of, story_id "
        "from articles where id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        return None
    keys = ["id", "title", "text", "title_en", "text_en", "lang", "published", "published_at", "fetched_at", "duplicate_of", "story_id"]
    article = dict(zip(keys, row))
    current = article["story_id"]
    day = _day(article)
    spaces = _spaces(article)
    known = {space for (space,) in db.conn.execute("select space from story_vectors where article_id = ?", [article_id])}
    vectors: dict[str, dict[str, float]] = {}
    for space, counts in spaces.items():
        terms = sorted(counts)
        if count and space not in known:
            _count_document(db, terms)
        df, total = _document_frequencies(db, terms)
        vectors[space] = weigh(counts, df, total)
        _index(db, article_id, space, day, vectors[space])

    if article["duplicate_of"]:
        (target,) = db.conn.execute("select story_id from articles where id = ?", [article["duplicate_of"]]).fetchone() or (None,)
        if target is None:
            target = current or _new_story(db)
            db.conn.execute("update articles set story_id = ? where id = ?", [target, article["duplicate_of"]])
        _move(db, article_id, current, target)
        return target
    # The best match of each space (English, original language) that reaches its threshold.
    matches: list[tuple[float, int]] = []
    for space, vector in vectors.items():
        match = _best_match(db, article_id, space, day, vector)
        if match and match[1] >= (THRESHOLD_EN if space == "en" else THRESHOLD_ORIGINAL):
            matches.append((-match[1], match[0]))
    stories: list[int] = [current] if current is not None else []
    earliest, latest = _shift(day, -STORY_DAYS), _shift(day, STORY_DAYS)
    for _, other in sorted(matches):
        (story,) = db.conn.execute("select story_id from articles where id = ?", [other]).fetchone()
        if story is not None and story not in stories and not db.conn.execute(
            "select 1 from stories where id = ? and substr(first_seen, 1, 10) >= ? and substr(last_seen, 1, 10) <= ?",
            [story, earliest, latest],
        ).fetchone():
            continue  # joining would stretch that story beyond STORY_DAYS
        if story is None:  # stored before stories existed: it joins
            story = stories[0] if stories else _new_story(db)
            db.conn.execute("update articles set story_id = ? where id = ? or duplicate_of = ?", [story, other, other])
        if story not in stories:
            stories.append(story)
    if not stories:
        stories.append(_new_story(db))
    # The article belongs to all of them: one story (single link); the largest keeps its id.
    sizes = dict(db.conn.execute(
        "select id, articles from stories where id in (select value from json_each(?))", [json.dumps(stories)]
    ).fetchall())
    target = max(stories, key=lambda s: (sizes.get(s, 0), -s))
    for other in stories:
        if other != target:
            db.conn.execute("update articles set story_id = ? where story_id = ?", [target, other])
            refresh_story(db, other)
    _move(db, article_id, current, target)
    return target


@dataclass
class RecomputeReport:
    """What ``recompute`` did."""

    articles: int = 0
    stories: int = 0
    multi_source: int = 0  # stories carried by two sources or more

    def summary(self) -> str:
        return f"{self.articles} article(s) in {self.stories} stories; {self.multi_source} carried by two sources or more"


def recompute(db: sqlite_utils.Database, *, entities: bool = True) -> RecomputeReport:
    """Rebuild every story (and, with ``entities``, every entity) as if the articles were stored again in order.

    Document frequencies are counted over the whole database first, so early
    articles are weighed as well as late ones. Does not commit: the caller holds
    the transaction (``newsmon stories --recompute``).
    """
    report = RecomputeReport()
    db.conn.execute("update articles set story_id = null where story_id is not null")
    for table in ("stories", "story_terms", "story_vectors", "story_df"):
        db.conn.execute(f"delete from {table}")
    columns = "id, title, text, title_en, text_en, lang, published, published_at, fetched_at"
    keys = [c.strip() for c in columns.split(",")]
    last = 0
    while batch := db.conn.execute(f"select {columns} from articles where id > ? order by id limit 500", [last]).fetchall():
        last = batch[-1][0]
        for values in batch:
            for space, counts in _spaces(dict(zip(keys, values))).items():
                _count_document(db, sorted(counts))
    # The totals are final: every article is weighed against the whole database.
    ids = [r[0] for r in db.conn.execute("select id from articles order by coalesce(published_at, published, fetched_at), id")]
    for article_id in ids:
        assign_story(db, article_id, count=False)
        if entities:
            extract_entities(db, article_id)
        report.articles += 1
    report.stories, report.multi_source = db.conn.execute(
        "select count(*), coalesce(sum(sources >= 2), 0) from stories"
    ).fetchone()
    return report


def update_article(db: sqlite_utils.Database, article_id: int, *, english_only: bool = False,
                   natasha: dict[str, list[dict]] | None = None) -> None:
    """The hook for storage: story and entities of an article just stored, or (``english_only``) translated. Does not commit.

    ``natasha``: its finds made before the transaction (``storage.entities.natasha_finds``), if any.
    """
    assign_story(db, article_id)
    extract_entities(db, article_id, fields=("title_en", "text_en") if english_only else FIELDS, found=natasha)
