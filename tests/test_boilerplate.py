"""Recurring chrome (a footer extraction let through) is learned per source and language and
stripped from the edges of stored articles, earlier ones included; an article's own text never is."""

from __future__ import annotations

import pytest

from storage.records import Article, text_hash
from storage import open_db
from storage.articles import ADHOC_SOURCE, ensure_adhoc_source, upsert_article
from storage.boilerplate import MIN_ARTICLES, edge_lines, line_key, strip_chrome

FOOTER = [
    "Подпишитесь на нашу рассылку и получайте главное за день",
    "Адрес редакции: Ташкент, улица Навои, дом 12",
    "© 2014–2026 Вести Долины. Все права защищены.",
]
UZ_FOOTER = ["Tahririyat manzili: Toshkent, Navoiy koʻchasi, 12-uy", "© 2026 Vodiy Xabarlari. Barcha huquqlar himoyalangan."]
STOCK = "Полиция напоминает: не сообщайте никому коды из SMS."

# Bodies long enough to be articles, each different.
BODIES = [
    [f"Сотрудники отдела {n} задержали подозреваемого в мошенничестве с банковскими картами в районе {n}.",
     f"По данным следствия, ущерб составил {n * 3} миллиона сумов; возбуждено уголовное дело номер {1000 + n}."]
    for n in range(1, 61)
]


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "b.db")
    with db.conn:
        db["sources"].insert_all(
            [{"name": "valley", "country": "UZ", "kind": "news"}, {"name": "other", "country": "UZ", "kind": "news"}], pk="name"
        )
    yield db
    db.close()


def article(n: int, lines: list[str], *, source: str = "valley", lang: str = "ru", **fields) -> Article:
    return Article(url=f"https://valley.example/news/{source}-{lang}-{n}", source=source, title=f"Новость {n}",
                   text="\n".join(lines), lang=lang, **fields)


def stored(db, n: int, *, source: str = "valley", lang: str = "ru") -> dict:
    return next(db.query(
        "select text, text_en, chrome_removed, content_hash, title from articles where url = ?",
        [f"https://valley.example/news/{source}-{lang}-{n}"],
    ))


def test_a_footer_under_every_article_is_stripped_from_all_of_them(db):
    for n in range(MIN_ARTICLES + 2):
        upsert_article(db, article(n, BODIES[n] + FOOTER))
    for n in range(MIN_ARTICLES + 2):
        row = stored(db, n)
        assert row["text"] == "\n".join(BODIES[n]), f"article {n}"
        assert row["chrome_removed"] == "\n".join(FOOTER)
        assert row["content_hash"] == text_hash(row["title"], row["text"])
    # the cleaned articles are no longer found by the footer's words
    found = db.execute("select count(*) from articles_fts where articles_fts match 'редакции'").fetchone()[0]
    assert found == 0
    # refetching the same page finds it unchanged: the stored hash is that of the cleaned text
    assert upsert_article(db, article(0, BODIES[0] + FOOTER)) == "unchanged"
    # a real change is still an update, and the footer stays off
    assert upsert_article(db, article(0, BODIES[0] + ["Дополнено: задержан второй участник схемы."] + FOOTER)) == "updated"
    assert stored(db, 0)["text"].endswith("Дополнено: задержан второй участник схемы.")


def test_before_the_footer_recurs_enough_nothing_is_stripped(db):
    for n in range(MIN_ARTICLES - 1):
        upsert_article(db, article(n, BODIES[n] + FOOTER))
    assert all(stored(db, n)["text"].endswith(FOOTER[-1]) for n in range(MIN_ARTICLES - 1))
    assert all(stored(db, n)["chrome_removed"] is None for n in range(MIN_ARTICLES - 1))


def test_a_stock_sentence_next_to_different_text_is_kept(db):
    # Police end many items with the same reminder, but after a different sentence each time.
    for n in range(MIN_ARTICLES + 3):
        upsert_article(db, article(n, BODIES[n] + [STOCK]))
    for n in range(MIN_ARTICLES + 3):
        assert stored(db, n)["text"].endswith(STOCK)


def test_chrome_lines_in_the_middle_of_a_text_are_kept(db):
    for n in range(MIN_ARTICLES):
        upsert_article(db, article(n, BODIES[n] + FOOTER))
    middle = [BODIES[8][0], *FOOTER[:2], BODIES[8][1]]
    upsert_article(db, article(8, middle + FOOTER))
    assert stored(db, 8)["text"] == "\n".join(middle)


def test_stripping_never_leaves_less_than_an_article(db):
    for n in range(MIN_ARTICLES):
        upsert_article(db, article(n, BODIES[n] + FOOTER))
    short = ["Короткое сообщение пресс-службы."]
    upsert_article(db, article(9, short + FOOTER))
    assert stored(db, 9)["text"] == "\n".join(short + FOOTER)


def test_footers_are_learned_per_language_and_per_source(db):
    for n in range(MIN_ARTICLES - 2):
        upsert_article(db, article(n, BODIES[n] + FOOTER, lang="ru"))
        upsert_article(db, article(n, BODIES[n] + FOOTER, lang="uz"))
        upsert_article(db, article(n, BODIES[n] + FOOTER, source="other"))
    # the same footer in 3 + 3 + 3 articles, but never MIN_ARTICLES of one source and language
    assert db.execute("select count(*) from articles where chrome_removed is not null").fetchone()[0] == 0
    for n in range(3, 3 + MIN_ARTICLES):
        upsert_article(db, article(n, BODIES[n] + UZ_FOOTER, lang="uz"))
    assert stored(db, 3, lang="uz")["chrome_removed"] == "\n".join(UZ_FOOTER)
    assert stored(db, 0, lang="ru")["text"].endswith(FOOTER[-1])


def test_adhoc_fetches_from_many_sites_never_learn(db):
    ensure_adhoc_source(db)
    for n in range(MIN_ARTICLES + 2):
        upsert_article(db, article(n, BODIES[n] + FOOTER, source=ADHOC_SOURCE))
    assert stored(db, MIN_ARTICLES + 1, source=ADHOC_SOURCE)["text"].endswith(FOOTER[-1])
    assert db.execute("select count(*) from boilerplate_pairs").fetchone()[0] == 0
    assert db.execute("select count(*) from boilerplate_lines").fetchone()[0] == 0


def test_cleaning_stored_articles_keeps_their_translation_aligned(db):
    english = [f"Officers of unit {n} detained a card fraud suspect." for n in range(2)] + [
        "Subscribe to our newsletter", "Editorial office: 12 Navoi Street", "(c) Valley Herald"]
    upsert_article(db, article(0, BODIES[0] + FOOTER, title_en="News 0", text_en="\n".join(english),
                               translation_status="translated", translation_engine="argos"))
    for n in range(1, MIN_ARTICLES):
        upsert_article(db, article(n, BODIES[n] + FOOTER))
    row = stored(db, 0)
    assert row["text"] == "\n".join(BODIES[0])
    assert row["text_en"] == "\n".join(english[:2])
    status = db.execute("select translation_status from articles where url like '%-ru-0'").fetchone()[0]
    assert status == "translated"  # same paragraphs less the chrome: nothing to redo


def test_english_originals_keep_text_en_equal_to_text(db):
    footer = ["Subscribe to our newsletter and get the day's top stories", "Editorial office: 12 Navoi Street, Tashkent"]
    for n in range(MIN_ARTICLES + 1):
        body = [f"Police in district {n} detained a suspect over a parcel delivery scam targeting pensioners.",
                f"The damage is estimated at {n + 2} million sum, investigators said on day {n}."]
        upsert_article(db, article(n, body + footer, lang="en"))
    for n in range(MIN_ARTICLES + 1):
        row = stored(db, n, lang="en")
        assert row["text"] == row["text_en"] and "newsletter" not in row["text"]


def test_a_stock_sentence_above_a_leaked_footer_on_some_pages_is_kept(db):
    # The footer leaks on every other page; police end every third item with the same reminder,
    # so the reminder often stands right above the footer, but more often above other text.
    for n in range(40):
        lines = BODIES[n] + ([STOCK] if n % 3 == 0 else []) + (FOOTER if n % 2 == 0 else [])
        upsert_article(db, article(n, lines))
    for n in range(40):
        row = stored(db, n)
        assert (FOOTER[0] in row["text"]) is False, f"article {n}"
        assert row["text"].endswith(STOCK) == (n % 3 == 0), f"article {n}"


def test_edge_lines_units():
    text = "\n".join(["Menu line", "Body one is long enough.", *[f"Body {i}" for i in range(10)], "Footer a", "Footer b"])
    lines, pairs = edge_lines(text)
    assert (line_key("Menu line"), line_key("Body one is long enough.")) in pairs
    assert (line_key("Footer a"), line_key("Footer b")) in pairs
    assert line_key("Body 5") not in lines and line_key("Body 4") not in lines  # the middle is never looked at
    assert line_key("  FOOTER   a ") == line_key("Footer a")
    assert strip_chrome("a\nb", set()) is None


def test_a_translation_with_other_paragraphs_is_left_whole():
    stripped = strip_chrome("\n".join(BODIES[0] + FOOTER), {line_key(line) for line in FOOTER})
    assert stripped is not None and stripped.removed == "\n".join(FOOTER)
    parallel = "\n".join(["one", "two", "f1", "f2", "f3"])
    assert stripped.apply(parallel) == "one\ntwo"
    assert stripped.apply("one\ntwo\nthree") == "one\ntwo\nthree"
