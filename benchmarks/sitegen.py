"""A generated regional news site for the crawl benchmarks, and a static server for it.

Pages look like real regional news pages, because extraction cost depends on the
whole page, not just the article: mega-menus with hundreds of links, a language
switcher, inline CSS and JS, JSON-LD, share bars, related and most-read boxes,
comments with a form, a cookie banner, a big footer and an inline app-state blob
that brings each article page to a size drawn between 50 and 150 KB. Pages name their
parts with a CMS's semantic classes and tags (share-bar, comments, <nav>, <footer>; 40%),
with utility classes on plain divs (as Tailwind-styled sites do; 40%), or like old
government-site templates (terse class names, divs, the article one block of text split by
<br><br>; 20%), so extraction cannot lean on class names or <p> alone.

Article text is built from the hand-written paragraphs in tests/fixtures/articles.py
and tests/data/langid/*.jsonl (when present), recombined sentence by sentence per
page with one page-specific sentence, so no two pages carry the same text. The
manifest records each article's expected paragraphs and the chrome snippets on
its page, for extract_quality.py.

Usage (normally driven by crawl_bench.py):
    python benchmarks/sitegen.py build DIR [--pages 1000] [--seed 7]
    python benchmarks/sitegen.py serve DIR/site [--port 0]   # prints "serving http://127.0.0.1:PORT/"
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Bump when the generated pages change, so a reused --out directory is rebuilt.
GENERATOR_VERSION = 5
ARTICLES_PER_LISTING = 20
PAGE_BYTES = (50_000, 150_000)

# Site sections: URL prefix -> (language tag in the manifest, <html lang>, langid data file, share of pages).
SECTIONS = {
    "ru": ("ru", "ru", "ru.jsonl", 0.30),
    "oz": ("uz-Latn", "uz", "uz-Latn.jsonl", 0.20),
    "uz": ("uz-Cyrl", "uz-Cyrl", "uz-Cyrl.jsonl", 0.15),
    "en": ("en", "en", "en.jsonl", 0.20),
    "it": ("it", "it", "it.jsonl", 0.15),
}

# Interface text of the site, written for this benchmark. Keys marked in CHROME_KEYS
# are chrome that must never reach an extracted article.
UI = {
    "ru": {
        "site": "Вести Долины", "home": "Главная", "news": "Новости", "search": "Поиск по сайту",
        "login": "Войти", "comments": "Комментарии", "leave_comment": "Оставить комментарий",
        "send": "Отправить", "name": "Ваше имя", "related": "Читайте также", "most_read": "Самое читаемое",
        "share": "Поделиться в соцсетях", "rights": "Все права защищены",
        "newsletter": "Подпишитесь на нашу рассылку и получайте главное за день",
        "cookie": "Сайт использует файлы cookie, чтобы вам было удобнее читать новости.",
        "reprint": "Перепечатка материалов разрешена только с активной ссылкой на источник.",
        "address": "Адрес редакции: Ташкент, улица Навои, дом 12",
        "telegram": "Подписывайтесь на наш канал в Telegram",
        "tags": "Теги", "views": "просмотров", "photo": "Фото: пресс-служба", "next": "Следующая",
        "prev": "Предыдущая", "ads": "Реклама на сайте", "about": "О редакции", "rates": "Курсы валют",
        "weather": "Погода", "all_news": "Все новости",
    },
    "oz": {
        "site": "Vodiy Xabarlari", "home": "Bosh sahifa", "news": "Yangiliklar", "search": "Saytdan qidirish",
        "login": "Kirish", "comments": "Izohlar", "leave_comment": "Izoh qoldiring",
        "send": "Yuborish", "name": "Ismingiz", "related": "Mavzuga oid maqolalar", "most_read": "Eng koʻp oʻqilganlar",
        "share": "Ijtimoiy tarmoqlarda ulashing", "rights": "Barcha huquqlar himoyalangan",
        "newsletter": "Axborotnomamizga obuna boʻling va kun yangiliklarini oling",
        "cookie": "Sayt yangiliklarni qulay oʻqishingiz uchun cookie fayllaridan foydalanadi.",
        "reprint": "Materiallardan foydalanilganda manbaga faol havola berish shart.",
        "address": "Tahririyat manzili: Toshkent, Navoiy koʻchasi, 12-uy",
        "telegram": "Telegram kanalimizga obuna boʻling",
        "tags": "Teglar", "views": "marta koʻrildi", "photo": "Surat: matbuot xizmati", "next": "Keyingi",
        "prev": "Oldingi", "ads": "Saytda reklama", "about": "Tahririyat haqida", "rates": "Valyuta kurslari",
        "weather": "Ob-havo", "all_news": "Barcha yangiliklar",
    },
    "uz": {
        "site": "Водий Хабарлари", "home": "Бош саҳифа", "news": "Янгиликлар", "search": "Сайтдан қидириш",
        "login": "Кириш", "comments": "Изоҳлар", "leave_comment": "Изоҳ қолдиринг",
        "send": "Юбориш", "name": "Исмингиз", "related": "Мавзуга оид мақолалар", "most_read": "Энг кўп ўқилганлар",
        "share": "Ижтимоий тармоқларда улашинг", "rights": "Барча ҳуқуқлар ҳимояланган",
        "newsletter": "Ахборотномамизга обуна бўлинг ва кун янгиликларини олинг",
        "cookie": "Сайт янгиликларни қулай ўқишингиз учун cookie файлларидан фойдаланади.",
        "reprint": "Материаллардан фойдаланилганда манбага фаол ҳавола бериш шарт.",
        "address": "Таҳририят манзили: Тошкент, Навоий кўчаси, 12-уй",
        "telegram": "Telegram каналимизга обуна бўлинг",
        "tags": "Теглар", "views": "марта кўрилди", "photo": "Сурат: матбуот хизмати", "next": "Кейинги",
        "prev": "Олдинги", "ads": "Сайтда реклама", "about": "Таҳририят ҳақида", "rates": "Валюта курслари",
        "weather": "Об-ҳаво", "all_news": "Барча янгиликлар",
    },
    "en": {
        "site": "Valley Herald", "home": "Home", "news": "News", "search": "Search the site",
        "login": "Sign in", "comments": "Comments", "leave_comment": "Leave a comment",
        "send": "Send", "name": "Your name", "related": "Related articles", "most_read": "Most read",
        "share": "Share on social networks", "rights": "All rights reserved",
        "newsletter": "Subscribe to our newsletter and get the day's top stories",
        "cookie": "This site uses cookies to make reading the news more convenient.",
        "reprint": "Republishing is allowed only with an active link to the source.",
        "address": "Editorial office: 12 Navoi Street, Tashkent",
        "telegram": "Follow our channel on Telegram",
        "tags": "Tags", "views": "views", "photo": "Photo: press service", "next": "Next",
        "prev": "Previous", "ads": "Advertising", "about": "About us", "rates": "Exchange rates",
        "weather": "Weather", "all_news": "All news",
    },
    "it": {
        "site": "Gazzetta della Valle", "home": "Home", "news": "Notizie", "search": "Cerca nel sito",
        "login": "Accedi", "comments": "Commenti", "leave_comment": "Lascia un commento",
        "send": "Invia", "name": "Il tuo nome", "related": "Articoli correlati", "most_read": "I più letti",
        "share": "Condividi sui social", "rights": "Tutti i diritti riservati",
        "newsletter": "Iscriviti alla nostra newsletter e ricevi le notizie del giorno",
        "cookie": "Questo sito utilizza i cookie per rendere più comoda la lettura delle notizie.",
        "reprint": "La riproduzione dei contenuti è consentita solo con un link attivo alla fonte.",
        "address": "Redazione: via Navoi 12, Tashkent",
        "telegram": "Seguici sul nostro canale Telegram",
        "tags": "Tag", "views": "visualizzazioni", "photo": "Foto: ufficio stampa", "next": "Successiva",
        "prev": "Precedente", "ads": "Pubblicità", "about": "Chi siamo", "rates": "Cambi valuta",
        "weather": "Meteo", "all_news": "Tutte le notizie",
    },
}
CHROME_KEYS = ("leave_comment", "related", "most_read", "share", "rights", "newsletter", "cookie", "reprint", "address", "telegram")

CATEGORIES = {
    "ru": "Политика Экономика Общество Происшествия Криминал Технологии Спорт Культура Здоровье Образование Транспорт Мир",
    "oz": "Siyosat Iqtisodiyot Jamiyat Hodisalar Jinoyat Texnologiyalar Sport Madaniyat Salomatlik Taʼlim Transport Dunyo",
    "uz": "Сиёсат Иқтисодиёт Жамият Ҳодисалар Жиноят Технологиялар Спорт Маданият Саломатлик Таълим Транспорт Дунё",
    "en": "Politics Economy Society Incidents Crime Technology Sport Culture Health Education Transport World",
    "it": "Politica Economia Società Cronaca Criminalità Tecnologia Sport Cultura Salute Istruzione Trasporti Mondo",
}
REGIONS = {
    "ru": "Ташкент|Ташкентская область|Андижан|Бухара|Фергана|Джизак|Кашкадарья|Хорезм|Наманган|Навои|Самарканд|Сурхандарья|Сырдарья|Каракалпакстан",
    "oz": "Toshkent|Toshkent viloyati|Andijon|Buxoro|Fargʻona|Jizzax|Qashqadaryo|Xorazm|Namangan|Navoiy|Samarqand|Surxondaryo|Sirdaryo|Qoraqalpogʻiston",
    "uz": "Тошкент|Тошкент вилояти|Андижон|Бухоро|Фарғона|Жиззах|Қашқадарё|Хоразм|Наманган|Навоий|Самарқанд|Сурхондарё|Сирдарё|Қорақалпоғистон",
    "en": "Tashkent|Tashkent Region|Andijan|Bukhara|Fergana|Jizzakh|Kashkadarya|Khorezm|Namangan|Navoi|Samarkand|Surkhandarya|Syrdarya|Karakalpakstan",
    "it": "Tashkent|Regione di Tashkent|Andijan|Bukhara|Fergana|Jizzakh|Kashkadarya|Khorezm|Namangan|Navoi|Samarcanda|Surkhandarya|Syrdarya|Karakalpakstan",
}
AUTHORS = {
    "ru": ["Анна Смирнова", "Дмитрий Ким", "Елена Юсупова", "Сергей Павлов", "Пресс-служба ГУВД"],
    "oz": ["Dilnoza Karimova", "Jasur Rahimov", "Malika Tosheva", "Bekzod Ergashev", "IIBB matbuot xizmati"],
    "uz": ["Дилноза Каримова", "Жасур Раҳимов", "Малика Тошева", "Бекзод Эргашев", "ИИББ матбуот хизмати"],
    "en": ["Laura Bennett", "Timur Sadykov", "Olivia Grant", "Rustam Aliev", "Police press office"],
    "it": ["Giulia Ferri", "Marco Rinaldi", "Chiara Colombo", "Luca Marino", "Ufficio stampa della Questura"],
}
# Reader comments, written for this benchmark: chrome, never article text.
COMMENTS = {
    "ru": [
        "Наконец-то взялись за этих мошенников, давно пора.",
        "У моей соседки так же украли деньги с карты, никто не помог.",
        "Интересно, а деньги пострадавшим вернут или нет?",
        "Спасибо редакции за то, что пишете о таких схемах.",
        "Хорошо бы ещё рассказали, куда обращаться в таких случаях.",
        "Опять одно и то же, а звонки всё равно продолжаются каждый день.",
    ],
    "oz": [
        "Nihoyat bu firibgarlarga chora koʻrildi, allaqachon vaqti edi.",
        "Qoʻshnimning kartasidan ham xuddi shunday pul yechib olishdi.",
        "Jabrlanganlarga pullari qaytariladimi yoki yoʻqmi, qiziq.",
        "Bunday sxemalar haqida yozayotganingiz uchun rahmat.",
        "Bunday hollarda qayerga murojaat qilishni ham yozsangiz yaxshi boʻlardi.",
        "Yana oʻsha gap, qoʻngʻiroqlar esa har kuni davom etyapti.",
    ],
    "uz": [
        "Ниҳоят бу фирибгарларга чора кўрилди, аллақачон вақти эди.",
        "Қўшнимнинг картасидан ҳам худди шундай пул ечиб олишди.",
        "Жабрланганларга пуллари қайтариладими ёки йўқми, қизиқ.",
        "Бундай схемалар ҳақида ёзаётганингиз учун раҳмат.",
        "Бундай ҳолларда қаерга мурожаат қилишни ҳам ёзсангиз яхши бўларди.",
        "Яна ўша гап, қўнғироқлар эса ҳар куни давом этяпти.",
    ],
    "en": [
        "About time somebody went after these crooks.",
        "My neighbour lost money from her card the same way and nobody helped.",
        "I wonder whether the victims will ever get their money back.",
        "Thanks for writing about these schemes, people need to know.",
        "It would help to say where to report this kind of call.",
        "Same story again, and the calls keep coming every single day.",
    ],
    "it": [
        "Era ora che qualcuno fermasse questi truffatori.",
        "Alla mia vicina hanno svuotato la carta nello stesso modo e nessuno l'ha aiutata.",
        "Chissà se le vittime riavranno mai i loro soldi.",
        "Grazie per scrivere di queste truffe, bisogna saperlo.",
        "Sarebbe utile indicare a chi rivolgersi in questi casi.",
        "Sempre la stessa storia, e le telefonate continuano ogni giorno.",
    ],
}
COMMENTERS = ["Aziz_88", "nadia.k", "Farrux", "Olga T.", "marco_bs", "Timur", "user2049", "Dilya"]
# One sentence per page with numbers of its own, so every page's text is unique.
CASE_SENTENCES = {
    "ru": [
        "Материалы проверки зарегистрированы под номером {n}.",
        "По данным ведомства, с начала года поступило {n} похожих обращений.",
        "Уголовное дело № {n} передано в следственный отдел.",
    ],
    "oz": [
        "Tekshiruv materiallari {n}-raqam bilan roʻyxatga olingan.",
        "Idora maʼlumotlariga koʻra, yil boshidan buyon {n} ta shunga oʻxshash murojaat kelib tushgan.",
        "{n}-sonli jinoyat ishi tergov boʻlimiga yuborildi.",
    ],
    "uz": [
        "Текширув материаллари {n}-рақам билан рўйхатга олинган.",
        "Идора маълумотларига кўра, йил бошидан буён {n} та шунга ўхшаш мурожаат келиб тушган.",
        "{n}-сонли жиноят иши тергов бўлимига юборилди.",
    ],
    "en": [
        "The case has been registered under number {n}.",
        "According to the department, {n} similar complaints have been received since January.",
        "Criminal case No. {n} has been passed to investigators.",
    ],
    "it": [
        "Il fascicolo è stato registrato con il numero {n}.",
        "Secondo il dipartimento, da gennaio sono arrivate {n} segnalazioni simili.",
        "Il procedimento n. {n} è stato trasmesso agli inquirenti.",
    ],
}

_SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+(?=[\"«“A-ZА-ЯЁЎҚҒҲ0-9])")


@dataclass
class TextPool:
    """Sentences and titles of one language, from the repository's hand-written fixtures."""

    sentences: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


def load_pools() -> dict[str, TextPool]:
    """Per section: every fixture sentence and title in that language (fixture articles + langid data)."""
    from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES

    pools = {section: TextPool() for section in SECTIONS}
    for section, articles in (("en", EN_ARTICLES), ("ru", RU_ARTICLES), ("it", IT_ARTICLES)):
        for article in articles:
            pools[section].titles.append(article.title)
            for paragraph in article.paragraphs:
                pools[section].sentences.extend(_split_sentences(paragraph))
    data_dir = ROOT / "tests" / "data" / "langid"
    for section, (_, _, filename, _) in SECTIONS.items():
        path = data_dir / filename
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("kind") == "title":
                pools[section].titles.append(record["text"].strip())
            elif record.get("kind") == "paragraph":
                pools[section].sentences.extend(_split_sentences(record["text"]))
    for section, pool in pools.items():
        pool.sentences = sorted({s for s in pool.sentences if len(s) >= 25})
        pool.titles = sorted(set(pool.titles))
        if len(pool.sentences) < 12 or not pool.titles:
            raise SystemExit(f"sitegen: not enough fixture text for section {section!r} "
                             f"({len(pool.sentences)} sentences): is tests/data/langid/ present?")
    return pools


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


@dataclass
class ArticleSpec:
    n: int
    section: str
    lang: str  # expected language tag: ru, uz-Latn, uz-Cyrl, en, it
    path: str
    title: str
    published: str
    author: str
    paragraphs: list[str]
    chrome: list[str] = field(default_factory=list)  # text on the page that is not the article
    theme: str = ""  # semantic or utility class names (see Theme)
    file: str = ""
    size: int = 0


def plan_articles(pages: int, seed: int, pools: dict[str, TextPool]) -> list[ArticleSpec]:
    """Decide each article's section, title and paragraphs (text only, no HTML yet)."""
    rng = random.Random(seed)
    sections = list(SECTIONS)
    weights = [SECTIONS[s][3] for s in sections]
    newest = datetime(2026, 11, 20, 18, 0)
    specs = []
    for n in range(pages):
        section = rng.choices(sections, weights)[0]
        pool = pools[section]
        published = newest - timedelta(hours=2 * n, minutes=rng.randrange(60))
        count = rng.randint(3, 10)
        sentences = rng.sample(pool.sentences, min(len(pool.sentences), count * 3))
        case = rng.choice(CASE_SENTENCES[section]).format(n=10_000 + n * 37 + rng.randrange(30))
        paragraphs = []
        for index in range(count):
            take = sentences[index * 3 : index * 3 + rng.randint(1, 3)] or [rng.choice(pool.sentences)]
            if index == count // 2:
                take = [*take, case]
            paragraphs.append(" ".join(take))
        title = rng.choice(pool.titles)
        slug = f"{n}-" + "-".join(re.findall(r"[a-z]+", title.lower())[:5] or ["news"])
        specs.append(ArticleSpec(
            n=n, section=section, lang=SECTIONS[section][0],
            path=f"/{section}/news/{published:%Y/%m/%d}/{slug}/",
            title=title, published=published.strftime("%Y-%m-%dT%H:%M:00+05:00"),
            author=rng.choice(AUTHORS[section]), paragraphs=paragraphs,
        ))
    return specs


# -- HTML -----------------------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _css(rng: random.Random) -> str:
    """Inline CSS of the size real themes inline (critical CSS), varied per page."""
    props = ["margin:0 auto", "padding:4px 8px", "display:flex", "color:#1a1a1a", "font-size:14px",
             "line-height:1.45", "border-bottom:1px solid #e5e5e5", "background:#fafafa", "gap:12px",
             "text-decoration:none", "font-weight:600", "grid-template-columns:repeat(4,1fr)"]
    blocks = ["header", "menu", "card", "ticker", "footer", "aside", "teaser", "badge", "btn", "share", "comment"]
    rules = []
    for i in range(rng.randint(120, 260)):
        selector = f".{rng.choice(blocks)}__{rng.choice(['item', 'link', 'title', 'wrap', 'icon'])}--{i}"
        rules.append(selector + "{" + ";".join(rng.sample(props, 3)) + "}")
    return "<style>" + "".join(rules) + "</style>"


def _js(rng: random.Random, size: int) -> str:
    """A fake minified analytics/ads bundle of about ``size`` bytes."""
    parts, total = [], 0
    names = "abcdefghijklmnopqrstuvwxyz"
    while total < size:
        name = "".join(rng.choice(names) for _ in range(3))
        part = (f"function {name}{total}(e,t){{var n=e||{{}};if(!n.{name})return t&&t(null);"
                f"for(var r=0;r<n.{name}.length;r++){{n.q.push([\"{name}\",r,{rng.randrange(10**6)}])}}return n}}")
        parts.append(part)
        total += len(part)
    return "<script>" + ";".join(parts) + "</script>"


def _state_blob(rng: random.Random, size: int) -> str:
    """``window.__APP_STATE__``: the JSON state single-page news front-ends embed; pads a page to its size."""
    items, total = [], 0
    while total < size:
        item = {
            "id": rng.randrange(10**7), "views": rng.randrange(10**5),
            "banner": {"w": rng.choice([300, 728, 970]), "h": rng.choice([90, 250, 600]),
                       "src": f"/static/b/{rng.getrandbits(64):016x}.webp"},
            "slot": f"adfox_{rng.getrandbits(40):010x}", "flags": rng.sample(["lazy", "sticky", "mobile", "amp", "native"], 2),
        }
        text = json.dumps(item, separators=(",", ":"))
        items.append(text)
        total += len(text) + 1
    return "<script>window.__APP_STATE__={\"slots\":[" + ",".join(items) + "]};</script>"


@dataclass(frozen=True)
class Theme:
    """How a page names its parts: a CMS's semantic classes and tags, or utility classes on plain divs.

    Half the pages use each: prune rules keyed on class words (share, comment, related...)
    only help on the first kind, so the second measures trafilatura's own boilerplate removal.
    """

    name: str
    classes: dict[str, str]
    tags: dict[str, str]
    ids: bool

    def c(self, key: str) -> str:
        value = self.classes.get(key, "")
        return f' class="{value}"' if value else ""

    def tag(self, key: str) -> str:
        return self.tags.get(key, "div")

    def id(self, value: str) -> str:
        return f' id="{value}"' if self.ids else ""


_PARTS = ("topbar header logo lang_switcher search nav menu menu_item menu_link menu_sub ticker layout content "
          "breadcrumbs article article_title article_meta article_author article_views article_body lead figure "
          "read_also tags tag share share_btn comments comment comment_author comment_date comment_text "
          "comment_reply comment_form related teaser teaser_title sidebar most_read views banner cookie newsletter "
          "footer footer_cols footer_address footer_reprint footer_copy cards card card_title card_lead pagination").split()
SEMANTIC = Theme(
    name="semantic",
    classes={part: part.replace("_", "-") for part in _PARTS} | {
        "lang_switcher": "lang-switcher", "nav": "main-menu", "comments": "comments", "comment_form": "comment-form",
        "related": "related-articles", "share": "share-bar", "cookie": "cookie-banner", "footer": "site-footer",
        "header": "site-header", "most_read": "most-read", "read_also": "read-also",
    },
    tags={"header": "header", "nav": "nav", "content": "main", "article": "article", "sidebar": "aside", "footer": "footer"},
    ids=True,
)
UTILITY = Theme(
    name="utility",
    classes={
        "topbar": "flex justify-between text-xs bg-gray-100 px-4 py-1", "header": "sticky top-0 z-40 bg-white shadow",
        "logo": "w-44", "lang_switcher": "flex gap-2 text-xs uppercase", "search": "hidden md:block",
        "nav": "hidden lg:flex gap-6 font-semibold", "menu": "flex flex-wrap", "menu_item": "group relative",
        "menu_link": "hover:text-red-700", "menu_sub": "absolute hidden group-hover:grid grid-cols-3 gap-2 p-4 bg-white",
        "ticker": "overflow-hidden whitespace-nowrap text-sm border-y", "layout": "container mx-auto grid grid-cols-12 gap-8",
        "content": "col-span-12 lg:col-span-8", "breadcrumbs": "text-xs text-gray-500 mb-2",
        "article_title": "text-3xl font-bold leading-tight", "article_meta": "flex gap-4 text-sm text-gray-500",
        "article_author": "font-medium", "article_views": "ml-auto", "article_body": "prose prose-lg max-w-none",
        "lead": "font-semibold", "figure": "my-6", "read_also": "border-l-4 border-red-700 pl-4 my-6 text-sm",
        "tags": "flex flex-wrap gap-2 mt-6", "tag": "rounded bg-gray-100 px-2 py-1 text-xs",
        "share": "flex items-center gap-3 mt-6", "share_btn": "rounded-full p-2 bg-gray-100",
        "comments": "mt-10 border-t pt-6", "comment": "py-4 border-b", "comment_author": "font-semibold",
        "comment_date": "text-xs text-gray-400", "comment_text": "mt-1", "comment_reply": "text-xs",
        "comment_form": "mt-6 grid gap-3", "related": "mt-10", "teaser": "flex gap-3",
        "teaser_title": "font-semibold leading-snug", "sidebar": "col-span-12 lg:col-span-4", "most_read": "sticky top-24",
        "views": "text-xs text-gray-400", "banner": "my-6 bg-gray-50 text-center",
        "cookie": "fixed bottom-0 inset-x-0 bg-gray-900 text-white p-4", "newsletter": "bg-red-50 p-6 my-10",
        "footer": "bg-gray-900 text-gray-300 mt-16 py-10", "footer_cols": "grid grid-cols-4 gap-6",
        "footer_address": "text-xs", "footer_reprint": "text-xs", "footer_copy": "text-xs mt-4",
        "cards": "divide-y", "card": "flex gap-4 py-4", "card_title": "text-lg font-bold", "card_lead": "text-gray-600",
        "pagination": "flex gap-2 justify-center my-8",
    },
    tags={},
    ids=False,
)


LEGACY = Theme(
    name="legacy",
    classes={
        "topbar": "top", "header": "hdr", "logo": "lg", "lang_switcher": "langs", "nav": "topmenu", "menu": "m1",
        "menu_sub": "m2", "ticker": "run", "layout": "wrap", "content": "center_col", "sidebar": "right_col",
        "breadcrumbs": "path", "article_title": "ttl", "article_meta": "dt", "article_body": "txt",
        "read_also": "more", "tags": "kw", "share": "soc", "comments": "otz", "comment": "o1", "comment_form": "frm",
        "related": "also", "most_read": "popular", "banner": "bnr", "cookie": "cook", "newsletter": "subscr",
        "footer": "bottom", "footer_cols": "b1", "cards": "lst", "card": "it", "pagination": "pages",
    },
    tags={},
    ids=False,
)
#: Share of article pages per theme: modern CMSs, utility-class front ends, old government-site templates.
THEMES = ((SEMANTIC, 0.4), (UTILITY, 0.4), (LEGACY, 0.2))


def _header(section: str, rng: random.Random, ticker: list[ArticleSpec], t: Theme) -> str:
    ui = UI[section]
    categories = CATEGORIES[section].split()
    regions = REGIONS[section].split("|")
    switcher = " | ".join(f'<a href="/{s}/news/" hreflang="{SECTIONS[s][1]}">{label}</a>'
                          for s, label in (("ru", "Русский"), ("oz", "Oʻzbekcha"), ("uz", "Ўзбекча"),
                                           ("en", "English"), ("it", "Italiano")))
    menu = []
    for c, category in enumerate(categories):
        subs = "".join(f'<li><a href="/{section}/category/{c}/region/{r}/">{_e(category)} · {_e(region)}</a></li>'
                       for r, region in enumerate(regions))
        menu.append(f'<li{t.c("menu_item")}><a{t.c("menu_link")} href="/{section}/category/{c}/">{_e(category)}</a>'
                    f'<ul{t.c("menu_sub")}>{subs}</ul></li>')
    ticks = "".join(f'<li><a href="{a.path}">{_e(a.title)}</a></li>' for a in ticker)
    header, nav = t.tag("header"), t.tag("nav")
    return f"""
<div{t.c('topbar')}><span>{datetime(2026, 11, 20):%d.%m.%Y}</span>
<span>{ui['rates']}: USD {12000 + rng.randrange(900)}.{rng.randrange(100):02d} · EUR {13000 + rng.randrange(900)}.{rng.randrange(100):02d}</span>
<span>{ui['weather']}: +{rng.randrange(3, 25)}°</span><a href="/login/">{ui['login']}</a></div>
<{header}{t.c('header')}><div{t.c('logo')}><a href="/{section}/news/"><img src="/static/logo.svg" alt="{ui['site']}" width="180" height="40">{ui['site']}</a></div>
<div{t.c('lang_switcher')}>{switcher}</div>
<form{t.c('search')} action="/search" method="get"><input type="search" name="q" placeholder="{ui['search']}"><button type="submit">⌕</button></form>
<{nav}{t.c('nav')}><ul{t.c('menu')}><li><a href="/{section}/news/">{ui['home']}</a></li>{''.join(menu)}
<li><a href="/{section}/about/">{ui['about']}</a></li><li><a href="/{section}/ads/">{ui['ads']}</a></li></ul></{nav}>
<div{t.c('ticker')}><ul>{ticks}</ul></div></{header}>"""


def _footer(section: str, t: Theme) -> str:
    ui = UI[section]
    categories = "".join(f'<li><a href="/{section}/category/{c}/">{_e(name)}</a></li>'
                         for c, name in enumerate(CATEGORIES[section].split()))
    regions = "".join(f'<li><a href="/{section}/region/{r}/">{_e(name)}</a></li>'
                      for r, name in enumerate(REGIONS[section].split("|")))
    footer = t.tag("footer")
    return f"""
<div{t.c('cookie')}{t.id('cookie-notice')}><p>{ui['cookie']}</p><button>OK</button></div>
<div{t.c('newsletter')}><p>{ui['newsletter']}</p><form action="/subscribe" method="post"><input type="email" name="email"><button>{ui['send']}</button></form></div>
<{footer}{t.c('footer')}><div{t.c('footer_cols')}><ul>{categories}</ul><ul>{regions}</ul>
<ul><li><a href="/{section}/about/">{ui['about']}</a></li><li><a href="/{section}/ads/">{ui['ads']}</a></li><li><a href="https://t.me/valleyherald">{ui['telegram']}</a></li></ul></div>
<p{t.c('footer_address')}>{ui['address']}</p><p{t.c('footer_reprint')}>{ui['reprint']}</p>
<p{t.c('footer_copy')}>© 2014–2026 {ui['site']}. {ui['rights']}. 18+</p></{footer}>"""


def _shell(*, section: str, title: str, head: str, main: str, aside: str, rng: random.Random,
           ticker: list[ArticleSpec], target: int, t: Theme) -> str:
    """The page around ``main``, padded with the inline app-state blob up to ``target`` bytes."""
    lang_attr = SECTIONS[section][1]
    alternates = "".join(f'<link rel="alternate" hreflang="{SECTIONS[s][1]}" href="/{s}/news/">' for s in SECTIONS)
    content, sidebar = t.tag("content"), t.tag("sidebar")
    page = [
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">',
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)} — {UI[section]["site"]}</title>',
        head, alternates, '<link rel="icon" href="/favicon.ico"><link rel="preload" href="/static/fonts/inter.woff2" as="font">',
        _css(rng), _js(rng, rng.randint(3_000, 9_000)), "</head><body>",
        _header(section, rng, ticker, t), f'<div{t.c("layout")}><{content}{t.c("content")}>{main}</{content}>',
        f'<{sidebar}{t.c("sidebar")}>{aside}</{sidebar}></div>', _footer(section, t),
    ]
    tail = _js(rng, rng.randint(2_000, 6_000)) + "</body></html>"
    size = sum(len(p.encode()) for p in page) + len(tail.encode())
    if size < target:
        page.append(_state_blob(rng, target - size))
    page.append(tail)
    return "\n".join(page)


def _most_read(section: str, others: list[ArticleSpec], rng: random.Random, t: Theme) -> str:
    items = "".join(f'<li><a href="{a.path}">{_e(a.title)}</a> <span{t.c("views")}>{rng.randrange(900, 90000)} '
                    f'{UI[section]["views"]}</span></li>' for a in others)
    return f'<div{t.c("most_read")}><h3>{UI[section]["most_read"]}</h3><ol>{items}</ol></div>'


def article_html(spec: ArticleSpec, *, related: list[ArticleSpec], ticker: list[ArticleSpec],
                 most_read: list[ArticleSpec], rng: random.Random) -> str:
    """One article page; also fills ``spec.chrome`` (the page's chrome snippets) and ``spec.theme``."""
    t = rng.choices([theme for theme, _ in THEMES], [share for _, share in THEMES])[0]
    spec.theme = t.name
    section, ui = spec.section, UI[spec.section]
    url = spec.path
    description = spec.paragraphs[0].split(". ")[0]
    json_ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": spec.title,
        "datePublished": spec.published, "dateModified": spec.published, "inLanguage": SECTIONS[section][1],
        "author": {"@type": "Person", "name": spec.author}, "mainEntityOfPage": url, "description": description,
        "image": [f"/media/{spec.n}/cover-1200x630.jpg"],
        "publisher": {"@type": "Organization", "name": ui["site"], "logo": {"@type": "ImageObject", "url": "/static/logo.png"}},
    }
    breadcrumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": ui["home"], "item": f"/{section}/news/"},
        {"@type": "ListItem", "position": 2, "name": ui["news"], "item": f"/{section}/news/"}]}
    head = (f'<meta name="description" content="{_e(description)}"><link rel="canonical" href="{url}">'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{_e(spec.title)}">'
            f'<meta property="og:description" content="{_e(description)}"><meta property="og:url" content="{url}">'
            f'<meta property="og:image" content="/media/{spec.n}/cover-1200x630.jpg">'
            f'<meta property="article:published_time" content="{spec.published}"><meta name="author" content="{_e(spec.author)}">'
            f'<meta name="twitter:card" content="summary_large_image">'
            f'<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False)}</script>'
            f'<script type="application/ld+json">{json.dumps(breadcrumbs, ensure_ascii=False)}</script>')
    body = []
    read_also = related[0] if related and rng.random() < 0.5 else None
    for index, paragraph in enumerate(spec.paragraphs):
        if t is LEGACY:  # old templates: one text block, paragraphs split by <br><br>
            body.append(_e(paragraph) + "<br><br>")
        else:
            body.append(f"<p{t.c('lead') if index == 0 else ''}>{_e(paragraph)}</p>")
        if index == 0:
            body.append(f'<figure{t.c("figure")}><img src="/media/{spec.n}/cover.jpg" alt="" loading="lazy">'
                        f'<figcaption>{ui["photo"]}</figcaption></figure>')
        if read_also is not None and index == len(spec.paragraphs) // 2:
            body.append(f'<div{t.c("read_also")}><span>→</span> <a href="{read_also.path}">{_e(read_also.title)}</a></div>')
    tags = "".join(f'<a{t.c("tag")} href="/{section}/tag/{n}/">#{_e(name)}</a> '
                   for n, name in enumerate(rng.sample(CATEGORIES[section].split(), 3)))
    share = "".join(f'<a{t.c("share_btn")} href="https://{net}.example/share?u={url}" rel="nofollow">{net.title()}</a>'
                    for net in ("telegram", "facebook", "whatsapp", "vk", "x"))
    comments = rng.sample(COMMENTS[section], rng.randint(2, 5))
    comment_html = "".join(
        f'<div{t.c("comment")}><div{t.c("comment_author")}>{rng.choice(COMMENTERS)}</div>'
        f'<time{t.c("comment_date")}>{spec.published[:10]}</time><p{t.c("comment_text")}>{_e(c)}</p>'
        f'<a{t.c("comment_reply")} href="#reply">↩</a></div>' for c in comments)
    related_html = "".join(f'<li{t.c("teaser")}><a href="{a.path}"><img src="/media/{a.n}/thumb.jpg" alt="">'
                           f'<span{t.c("teaser_title")}>{_e(a.title)}</span></a><time>{a.published[:10]}</time></li>'
                           for a in related)
    article = t.tag("article") if t is not UTILITY else rng.choice(("article", "div"))
    main = f"""
<div{t.c('breadcrumbs')}><a href="/{section}/news/">{ui['home']}</a> › <a href="/{section}/news/">{ui['news']}</a></div>
<{article}{t.c('article')}>
<h1{t.c('article_title')}>{_e(spec.title)}</h1>
<div{t.c('article_meta')}><time datetime="{spec.published}">{spec.published[:10]} {spec.published[11:16]}</time>
<span{t.c('article_author')}>{_e(spec.author)}</span> <span{t.c('article_views')}>{rng.randrange(300, 50000)} {ui['views']}</span></div>
<div{t.c('article_body')}>
{chr(10).join(body)}
</div>
<div{t.c('tags')}>{ui['tags']}: {tags}</div>
<div{t.c('share')}><span>{ui['share']}:</span>{share}</div>
</{article}>
<section{t.c('comments')}{t.id('comments')}><h3>{ui['comments']} ({len(comments)})</h3>{comment_html}
<form{t.c('comment_form')} method="post" action="/comment/"><h4>{ui['leave_comment']}</h4>
<input name="name" placeholder="{ui['name']}"><textarea name="text"></textarea><button>{ui['send']}</button></form></section>
<section{t.c('related')}><h3>{ui['related']}</h3><ul>{related_html}</ul></section>"""
    aside = _most_read(section, most_read, rng, t) + f'<div{t.c("banner")}><a href="/{section}/ads/">{ui["ads"]}</a></div>'
    own_text = spec.title + "\n" + "\n".join(spec.paragraphs)
    spec.chrome = [ui[k] for k in CHROME_KEYS] + comments + sorted(
        {a.title for a in [*related, *most_read] if a.title not in own_text})
    target = rng.randint(*PAGE_BYTES)
    return _shell(section=section, title=spec.title, head=head, main=main, aside=aside, rng=rng,
                  ticker=ticker, target=target, t=t)


def listing_html(section: str, items: list[ArticleSpec], *, page: int, pages: int, rng: random.Random,
                 ticker: list[ArticleSpec]) -> str:
    ui, t = UI[section], SEMANTIC if page % 2 else UTILITY
    cards = "".join(
        f'<div{t.c("card")}><a href="{a.path}"><img src="/media/{a.n}/thumb.jpg" alt="">'
        f'<h3{t.c("card_title")}>{_e(a.title)}</h3></a><p{t.c("card_lead")}>{_e(a.paragraphs[0][:160])}…</p>'
        f'<time>{a.published[:10]}</time></div>' for a in items)

    def href(p: int) -> str:
        return f"/{section}/news/" if p == 1 else f"/{section}/news/page/{p}/"

    window = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})
    links = [f'<a href="{href(page - 1)}">« {ui["prev"]}</a>'] if page > 1 else []
    links += [f'<span class="current">{p}</span>' if p == page else f'<a href="{href(p)}">{p}</a>' for p in window]
    if page < pages:
        links.append(f'<a href="{href(page + 1)}">{ui["next"]} »</a>')
    main = (f'<h1>{ui["all_news"]}</h1><div{t.c("cards")}>{cards}</div>'
            f'<div{t.c("pagination")}>{" ".join(links)}</div>')
    return _shell(section=section, title=f'{ui["news"]} — {page}', head=f'<link rel="canonical" href="{href(page)}">',
                  main=main, aside="", rng=rng, ticker=ticker, target=rng.randint(60_000, 120_000), t=t)


ROBOTS_TXT = "User-agent: *\nDisallow: /search\nDisallow: /comment/\nDisallow: /private/\n"


def build_site(out: Path, *, pages: int, seed: int = 7) -> dict:
    """Write the site under ``out/site`` and ``out/manifest.json``; reuse them if already built alike."""
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (manifest.get("version"), manifest.get("pages"), manifest.get("seed")) == (GENERATOR_VERSION, pages, seed):
            return manifest
    site = out / "site"
    pools = load_pools()
    specs = plan_articles(pages, seed, pools)
    by_section: dict[str, list[ArticleSpec]] = {s: [] for s in SECTIONS}
    for spec in specs:
        by_section[spec.section].append(spec)
    rng = random.Random(seed + 1)
    for spec in specs:
        peers = by_section[spec.section]
        related = [a for a in rng.sample(peers, min(len(peers), 9)) if a is not spec][:8]
        ticker = peers[:6]
        most_read = rng.sample(peers, min(len(peers), 10))
        page = article_html(spec, related=related, ticker=ticker, most_read=most_read, rng=rng)
        spec.file = spec.path.strip("/") + "/index.html"
        data = page.encode("utf-8")
        spec.size = len(data)
        (site / spec.file).parent.mkdir(parents=True, exist_ok=True)
        (site / spec.file).write_bytes(data)
    listings = []
    for section, items in by_section.items():
        chunks = [items[i : i + ARTICLES_PER_LISTING] for i in range(0, len(items), ARTICLES_PER_LISTING)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            path = f"/{section}/news/" if number == 1 else f"/{section}/news/page/{number}/"
            target = site / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(listing_html(section, chunk, page=number, pages=len(chunks), rng=rng,
                                           ticker=items[:6]), encoding="utf-8")
            listings.append(path)
    (site / "robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")
    (site / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Valley Herald</title></head><body>"
        + "".join(f'<a href="/{s}/news/">{UI[s]["site"]}</a> ' for s in SECTIONS) + "</body></html>", encoding="utf-8")
    manifest = {
        "version": GENERATOR_VERSION, "pages": pages, "seed": seed,
        "start_paths": [f"/{s}/news/" for s in SECTIONS],
        "listings": listings,
        "articles": [asdict(spec) for spec in specs],
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


#: Article and listing URL paths of the site (regular expressions, searched in the URL).
ARTICLE_URLS = r"/(ru|oz|uz|en|it)/news/\d{4}/\d{2}/\d{2}/\d+-[a-z-]+/$"
FOLLOW_URLS = r"/(ru|oz|uz|en|it)/news/(page/\d+/)?$"


def sources_toml(base_url: str, manifest: dict) -> str:
    """A sources file with one source for the whole site, a local mirror (no politeness, as before it was explicit)."""
    starts = ", ".join(f'"{base_url}{p}"' for p in manifest["start_paths"])
    budget = len(manifest["articles"]) + len(manifest["listings"]) + 10
    return f"""[[source]]
name = "bench"
country = "UZ"
kind = "news"
start_urls = [{starts}]
article_urls = '{ARTICLE_URLS}'
follow_urls = '{FOLLOW_URLS}'
max_pages = {budget}
max_depth = {len(manifest["listings"])}
local_mirror = true
"""


# -- serving --------------------------------------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

    def log_message(self, format, *args):  # noqa: A002
        pass

    def guess_type(self, path):
        if str(path).endswith(".html"):
            return "text/html; charset=utf-8"
        if str(path).endswith(".txt"):
            return "text/plain; charset=utf-8"
        return super().guess_type(path)


def serve(root: Path, port: int = 0) -> None:
    """Serve ``root`` on 127.0.0.1 until killed; prints the base URL first, for the parent to read."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_QuietHandler, directory=str(root)))
    server.daemon_threads = True
    print(f"serving http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="generate the site into DIR")
    build.add_argument("dir", type=Path)
    build.add_argument("--pages", type=int, default=1000)
    build.add_argument("--seed", type=int, default=7)
    serve_cmd = commands.add_parser("serve", help="serve a generated site directory on 127.0.0.1")
    serve_cmd.add_argument("root", type=Path)
    serve_cmd.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.command == "build":
        manifest = build_site(args.dir, pages=args.pages, seed=args.seed)
        sizes = [a["size"] for a in manifest["articles"]]
        print(f"{len(sizes)} articles, {len(manifest['listings'])} listing pages, "
              f"article pages {min(sizes) // 1000}-{max(sizes) // 1000} KB (mean {sum(sizes) // len(sizes) // 1000} KB) in {args.dir}")
    else:
        serve(args.root, args.port)


if __name__ == "__main__":
    main()
