"""A newsmon database built by code, for the workbench tests (metadata, watchlists, browser).

Hand-written articles in Russian, Uzbek (Latin and Cyrillic), Kazakh, English and
Italian, with English translations, untranslated ones (pending, no model, failed),
filler articles from a fixed seed, crawl runs and watchlists. Every write goes
through the real migrations and storage functions, so the triggers that keep
search and watchlist hits in step are exercised as in a crawl.

Write one to disk and open it by hand:

    .venv/bin/python -m tests.fixture_db /tmp/fixture.db
    .venv/bin/newsmon serve --db /tmp/fixture.db --watchlists /tmp/fixture-watchlists.toml
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from storage.records import Article
from storage import open_db
from storage.articles import upsert_article
from storage.watchlists import load_watchlists, sync_watchlists

SEED = 6
FILLER_ARTICLES = 36

SOURCES = [
    # name, country, kind, language, host
    ("uz-iiv", "UZ", "police", "uz", "uz-iiv.example"),
    ("uz-xabar", "UZ", "news", "uz", "uz-xabar.example"),
    ("ru-vesti", "RU", "news", "ru", "ru-vesti.example"),
    ("kz-habar", "KZ", "news", "kk", "kz-habar.example"),
    ("intl-wire", "intl", "intl", "en", "intl-wire.example"),
    ("it-polizia", "IT", "police", "it", "it-polizia.example"),
]
HOSTS = {name: host for name, _, _, _, host in SOURCES}


@dataclass(frozen=True)
class FixtureArticle:
    key: str
    source: str
    lang: str
    script: str
    published: str
    title: str
    text: str
    title_en: str | None = None
    text_en: str | None = None
    status: str = "translated"  # translated, original, pending, no_model, failed
    note: str | None = None
    chrome_removed: str | None = None  # a footer the crawl learned and stripped (storage/boilerplate.py)

    @property
    def url(self) -> str:
        return f"https://{HOSTS[self.source]}/news/{self.published[:10].replace('-', '/')}/{self.key}"


ARTICLES = [
    FixtureArticle(
        key="uz-phone-theft", source="uz-iiv", lang="uz", script="Latn", published="2026-11-18T09:30:00+05:00",
        title="Chilonzorda telefon oʻgʻirligi fosh etildi",
        text="Chilonzor tumani ichki ishlar xodimlari bozorda oʻgʻirlik sodir etgan ikki kishini ushladi.\n"
             "Oʻgʻirlangan oʻn ikkita uyali telefon egalariga qaytarildi. Tergov davom etmoqda.",
        title_en="Phone theft ring uncovered in Chilonzor",
        text_en="Police in Chilonzor district detained two people who committed thefts at a bazaar.\n"
                "Twelve stolen mobile phones were returned to their owners. The investigation continues.",
        chrome_removed="Bizning Telegram kanalimizga obuna boʻling\nManzil: Toshkent shahri, Yunusobod tumani, 1-uy",
    ),
    FixtureArticle(
        key="uz-overloaded-lorries", source="uz-iiv", lang="uz", script="Latn", published="2026-11-17T11:00:00+05:00",
        title="Yo‘l patrul xizmati ortiqcha yuk tashigan mashinalarni to‘xtatdi",
        text="Yo‘l patrul xizmati xodimlari Toshkent halqa yo‘lida yuk mashinalarini tekshirdi.\n"
             "Uchta mashinaning og‘irligi ruxsat etilganidan oshgani aniqlandi. Haydovchilarga jarima solindi.",
        title_en="Road patrol stops overloaded lorries",
        text_en="Road patrol officers checked lorries on the Tashkent ring road.\n"
                "The weight of three lorries exceeded the permitted limit. The drivers were fined.",
    ),
    FixtureArticle(
        key="uz-samarkand-fraud", source="uz-xabar", lang="uz", script="Cyrl", published="2026-11-16T15:20:00+05:00",
        title="Самарқандда фирибгарлар гуруҳи қўлга олинди",
        text="Самарқанд вилоятида телефон орқали фуқароларни алдаган фирибгарлар гуруҳи қўлга олинди.\n"
             "Улар банк ходими номидан қўнғироқ қилиб, карта маълумотларини сўраган.",
        title_en="Group of fraudsters detained in Samarkand",
        text_en="In Samarkand region a group of fraudsters who deceived citizens by phone was detained.\n"
                "They called pretending to be bank employees and asked for card details.",
    ),
    FixtureArticle(
        key="uz-andijan-car", source="uz-xabar", lang="uz", script="Cyrl", published="2026-11-19T08:10:00+05:00",
        title="Андижонда ўғирланган автомобиль топилди",
        text="Андижон шаҳрида икки кун олдин ўғирланган автомобиль ички ишлар ходимлари томонидан топилди.\n"
             "Автомобиль эгасига қайтарилди.",
        status="pending",
    ),
    FixtureArticle(
        key="ru-cyberpatrol", source="ru-vesti", lang="ru", script="Cyrl", published="2026-11-18T14:00:00+03:00",
        title="Киберпатруль задержал группу телефонных мошенников",
        text="Сотрудники киберпатруля задержали в Подмосковье пятерых мошенников, которые звонили пенсионерам от имени банка.\n"
             "По данным полиции, ущерб превысил два миллиона рублей.",
        title_en="Cyber patrol detains a gang of phone scammers",
        text_en="Cyber patrol officers detained five fraudsters near Moscow who called pensioners on behalf of a bank.\n"
                "According to the police, the damage exceeded two million roubles.",
    ),
    FixtureArticle(
        key="ru-hospital-ransomware", source="ru-vesti", lang="ru", script="Cyrl", published="2026-11-15T10:45:00+03:00",
        title="Вирус-вымогатель остановил работу больницы",
        text="Атака вируса-вымогателя на прошлой неделе парализовала информационную систему областной больницы.\n"
             "Хакеры потребовали выкуп в криптовалюте.",
        title_en="Ransomware halts a regional hospital",
        text_en="A ransomware attack last week paralysed the information system of a regional hospital.\n"
                "The hackers demanded a ransom in cryptocurrency.",
    ),
    FixtureArticle(
        key="kz-almaty-online-fraud", source="kz-habar", lang="kk", script="Cyrl", published="2026-11-18T12:00:00+05:00",
        title="Алматыда интернет алаяқтары ұсталды",
        text="Алматы полициясы интернетте тауар сатамыз деп алдаған алаяқтарды ұстады.\n"
             "Жәбірленушілер саны жиырмадан асады.",
        status="no_model", note="no installed translation model for kk→en",
    ),
    FixtureArticle(
        key="kz-karaganda-car-theft", source="kz-habar", lang="kk", script="Cyrl", published="2026-11-14T09:00:00+05:00",
        title="Қарағандыда көлік ұрлығы ашылды",
        text="Қарағанды облысында көлік ұрлаумен айналысқан топ ұсталды.\nТергеу жалғасуда.",
        status="no_model", note="no installed translation model for kk→en",
    ),
    FixtureArticle(
        key="en-europol-ransomware", source="intl-wire", lang="en", script="Latn", published="2026-11-19T16:00:00+00:00",
        title="Europol takes down a ransomware group's servers",
        text="An international operation coordinated by Europol took down servers used by a ransomware group.\n"
             "Investigators say the group attacked hospitals and schools in several countries.",
        status="original",
    ),
    FixtureArticle(
        key="en-banana-cocaine", source="intl-wire", lang="en", script="Latn", published="2026-11-12T07:30:00+00:00",
        title="Customs seize cocaine hidden in a banana shipment",
        text="Customs officers seized two tonnes of cocaine hidden in a banana shipment at the port.\n"
             "The drug trafficking network behind it operated across three continents.",
        status="original",
    ),
    FixtureArticle(
        key="it-sms-truffa", source="it-polizia", lang="it", script="Latn", published="2026-11-17T13:15:00+01:00",
        title="Truffa degli SMS: la Polizia Postale denuncia tre persone",
        text="La Polizia Postale ha denunciato tre persone per una truffa basata su falsi SMS bancari.\n"
             "Le vittime ricevevano un link a una pagina che imitava quella della banca.",
        title_en="SMS scam: Postal Police report three people",
        text_en="The Postal Police reported three people for a scam based on fake bank text messages.\n"
                "Victims received a link to a page imitating the bank's.",
    ),
    FixtureArticle(
        key="it-gioielleria", source="it-polizia", lang="it", script="Latn", published="2026-11-13T18:40:00+01:00",
        title="Furto in gioielleria, arrestati due giovani",
        text="I carabinieri hanno arrestato due giovani dopo il furto in una gioielleria del centro.\n"
             "La refurtiva è stata recuperata.",
        status="failed", note="translation failed: the model returned an empty text",
    ),
]

#: Filler: daily bulletins per language (no watchlist term in them), English when translated.
FILLER = {
    ("uz", "Latn"): ("Kunlik xabarnoma №{n}", "Viloyatda jamoat tartibi saqlandi.\nXabarnoma raqami {n}, navbatchi {k}."),
    ("uz", "Cyrl"): ("Кунлик хабарнома №{n}", "Вилоятда жамоат тартиби сақланди.\nХабарнома рақами {n}, навбатчи {k}."),
    ("ru", "Cyrl"): ("Сводка происшествий №{n}", "За сутки серьёзных происшествий не зарегистрировано.\nСводка номер {n}, дежурный {k}."),
    ("kk", "Cyrl"): ("Күнделікті хабарлама №{n}", "Өңірде қоғамдық тәртіп сақталды.\nХабарлама нөмірі {n}, кезекші {k}."),
    ("en", "Latn"): ("Daily police bulletin no. {n}", "No serious incidents were recorded in the region.\nBulletin number {n}, duty officer {k}."),
    ("it", "Latn"): ("Bollettino quotidiano n. {n}", "Nessun incidente grave registrato nella regione.\nBollettino numero {n}, agente di turno {k}."),
}
FILLER_EN = FILLER[("en", "Latn")]
SOURCE_LANG = {
    "uz-iiv": ("uz", "Latn"), "uz-xabar": ("uz", "Cyrl"), "ru-vesti": ("ru", "Cyrl"),
    "kz-habar": ("kk", "Cyrl"), "intl-wire": ("en", "Latn"), "it-polizia": ("it", "Latn"),
}

WATCHLISTS_TOML = """\
# Watchlists of the fixture database (tests/fixture_db.py).
[[watchlist]]
name = "theft"
description = "Theft in every language of the fixture."
terms = ["theft*", "stolen", "o'g'irl*", "ўғирл*", "краж*", "ұрл*", "furto"]

[[watchlist]]
name = "fraud"
description = "Fraud and scams."
terms = ["fraud*", "scam*", "мошенни*", "фирибгар*", "алаяқ*", "truffa"]

[[watchlist]]
name = "ransomware"
description = "Ransomware attacks."
terms = ["ransomware", "вирус-вымогател*"]
"""


def filler_articles(rng: random.Random) -> list[FixtureArticle]:
    articles = []
    names = [s[0] for s in SOURCES]
    for n in range(1, FILLER_ARTICLES + 1):
        source = rng.choice(names)
        lang, script = SOURCE_LANG[source]
        day = rng.randint(1, 20)
        hour = rng.randint(6, 21)
        duty = rng.randint(100, 999)
        title, text = FILLER[(lang, script)]
        status = "original" if lang == "en" else rng.choice(["translated", "translated", "translated", "pending"])
        translated = status == "translated"
        articles.append(
            FixtureArticle(
                key=f"bulletin-{n}", source=source, lang=lang, script=script,
                published=f"2026-11-{day:02d}T{hour:02d}:00:00+00:00",
                title=title.format(n=n), text=text.format(n=n, k=duty),
                title_en=FILLER_EN[0].format(n=n) if translated else None,
                text_en=FILLER_EN[1].format(n=n, k=duty) if translated else None,
                status=status,
            )
        )
    return articles


def all_articles(seed: int = SEED) -> list[FixtureArticle]:
    return ARTICLES + filler_articles(random.Random(seed))


def _store(db: sqlite_utils.Database, item: FixtureArticle, fetched_at: str) -> int:
    article = Article(
        url=item.url, source=item.source, title=item.title, text=item.text, fetched_url=item.url,
        published=item.published, author=None, html_lang=item.lang, lang=item.lang, script=item.script,
        lang_confidence=0.99,
    )
    upsert_article(db, article, now=fetched_at)
    article_id = db.execute("select id from articles where url = ?", [item.url]).fetchone()[0]
    # Then the translation, as the translator writes it: an UPDATE of the English columns.
    if item.status == "translated":
        values = {"title_en": item.title_en, "text_en": item.text_en, "translation_engine": "argos",
                  "translation_model": f"translate-{item.lang}_en-1_9", "translation_note": None,
                  "translated_at": fetched_at}
    elif item.status == "original":
        values = {"title_en": item.title, "text_en": item.text, "translation_engine": "original",
                  "translation_note": "the article is in English", "translated_at": fetched_at}
    else:
        values = {"title_en": None, "text_en": None, "translation_note": item.note}
    with db.conn:
        db["articles"].update(article_id, {"translation_status": item.status, "chrome_removed": item.chrome_removed, **values})
    return article_id


def _crawl_runs(db: sqlite_utils.Database) -> None:
    rows = []
    for i, (name, *_rest) in enumerate(SOURCES):
        for day in (19, 20):
            failed = name == "kz-habar" and day == 20
            rows.append({
                "run_id": f"run-2026-11-{day}", "source": name,
                "started_at": f"2026-11-{day}T06:0{i}:00+00:00", "finished_at": f"2026-11-{day}T06:1{i}:00+00:00",
                "status": "failed" if failed else "ok",
                "pages": 0 if failed else 20 + i, "articles_new": 0 if failed else 2,
                "articles_updated": 0, "articles_unchanged": 0 if failed else 18 + i, "not_articles": 0,
                "errors": 3 if failed else i % 2, "errors_by_kind": '{"http_403": 3}' if failed else "{}",
                "error": "http_403 on every start URL (blocked?)" if failed else None,
            })
    with db.conn:
        db["crawl_runs"].insert_all(rows)


def write_watchlists(path: Path) -> Path:
    path.write_text(WATCHLISTS_TOML, encoding="utf-8")
    return path


def build_fixture_db(path: Path, *, seed: int = SEED, watchlists_path: Path | None = None) -> sqlite_utils.Database:
    """Create the fixture database at ``path`` (and its watchlists file); returns it open."""
    watchlists_path = watchlists_path or path.with_name(f"{path.stem}-watchlists.toml")
    write_watchlists(watchlists_path)
    db = open_db(path)
    with db.conn:
        db["sources"].insert_all(
            [{"name": n, "country": c, "kind": k, "language": lang, "start_urls": f'["https://{host}/news/"]',
              "feeds": "[]", "sitemaps": "[]", "article_urls": f"^https://{host}/news/", "follow_urls": None,
              "settings": "{}", "updated_at": "2026-11-01T00:00:00+00:00"}
             for n, c, k, lang, host in SOURCES],
            pk="name",
        )
    # Watchlists first, so that hits are recorded at ingest, as in a crawl.
    sync_watchlists(db, load_watchlists(watchlists_path))
    for i, item in enumerate(all_articles(seed)):
        _store(db, item, fetched_at=f"2026-11-20T{6 + i // 60:02d}:{i % 60:02d}:00+00:00")
    _crawl_runs(db)
    return db


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.fixture_db PATH.db", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if path.exists():
        print(f"{path} exists; remove it first", file=sys.stderr)
        return 2
    db = build_fixture_db(path)
    count = db["articles"].count
    db.close()
    print(f"{path}: {count} articles; watchlists in {path.with_name(path.stem + '-watchlists.toml')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
