"""What extraction prunes before trafilatura reads the page: menus that are lists of bare links.

Pages styled with utility classes or old templates name nothing "nav" or "menu"; their menus are
plain ``<ul>`` lists of links. Pruning them first makes every later pass of trafilatura cheaper
(benchmarks/crawl_baselines.py). Lists inside the article are not touched by this pruning
(trafilatura's own precision rules decide about them, as before).
"""

from __future__ import annotations

from lxml import html as lxml_html
from lxml.etree import XPath

from crawler.extract import PRUNE_XPATH, extract_article
from storage.records import Page

SECTIONS = ["Jamiyat", "Iqtisodiyot", "Sport", "Madaniyat", "Dunyo", "Texnologiya"]


def _menu(css: str) -> str:
    """A mega-menu without class names that say so: each item one link, one item with a sub-list."""
    items = "".join(f'<li><a href="/oz/{s.lower()}/">{s}</a></li>' for s in SECTIONS)
    sub = "".join(f'<li><a href="/oz/viloyat/{n}/">Viloyat {n}</a></li>' for n in range(1, 6))
    return f'<div class="{css}"><ul class="flex gap-4">{items}<li class="group"><a href="/oz/viloyat/">Viloyatlar</a><ul>{sub}</ul></li></ul></div>'


ARTICLE = (
    "<p>Toshkent shahar ichki ishlar boshqarmasi xodimlari onlayn firibgarlik guruhini fosh qildi. "
    "Guruh a'zolari soxta do'kon sahifalari orqali fuqarolardan oldindan to'lov yig'ib kelgan.</p>"
    "<p>Tergov davomida quyidagilar aniqlandi:</p>"
    "<ul><li>yigirmadan ortiq soxta sahifa ochilgan;</li><li>jabrlanuvchilar soni qirqdan oshgan;</li>"
    "<li>pullar uchta bank kartasiga o'tkazilgan;</li><li>guruh a'zolari ikki viloyatda yashagan.</li></ul>"
    "<p>Hujjatlar bilan tanishing:</p>"
    '<ul><li><a href="/doc/1.pdf">Qaror</a> — tergov boshlangani haqida</li>'
    '<li><a href="/doc/2.pdf">Bayonnoma</a> — tintuv natijalari</li>'
    '<li><a href="/doc/3.pdf">Ma\'lumotnoma</a> — zarar miqdori</li>'
    '<li><a href="/doc/4.pdf">Ariza</a> — jabrlanuvchilardan biri</li></ul>'
    "<p>Soxta sahifalar:</p>"
    '<ul><li><a href="/evidence/1">Sahifa 1</a> <span>yopilgan</span></li>'
    '<li><a href="/evidence/2">Sahifa 2</a> <span>yopilgan</span></li>'
    '<li><a href="/evidence/3">Sahifa 3</a> <span>tekshirilmoqda</span></li>'
    '<li><a href="/evidence/4">Sahifa 4</a> <span>yopilgan</span></li></ul>'
    "<p>Jinoyat ishi qo'zg'atildi, gumonlanuvchilar qamoqqa olindi. Fuqarolardan notanish saytlarga "
    "oldindan pul o'tkazmaslik so'raladi.</p>"
)


def page_html() -> str:
    return (
        "<!DOCTYPE html><html lang='uz'><head><meta charset='utf-8'><title>Firibgarlar fosh qilindi</title></head>"
        f"<body><div class='sticky top-0'>{_menu('hidden lg:flex')}</div>"
        f"<div class='max-w-3xl mx-auto'><h1>Firibgarlar fosh qilindi</h1>{ARTICLE}</div>"
        f"<div class='bg-gray-900'>{_menu('grid grid-cols-4')}</div></body></html>"
    )


def test_link_menus_are_pruned_and_article_lists_are_not():
    tree = lxml_html.document_fromstring(page_html())
    pruned = XPath(PRUNE_XPATH[0])(tree)
    menus = [e for e in pruned if e.tag == "ul" and e.get("class") == "flex gap-4"]
    assert len(menus) == 2  # both menus, each as a whole (its sub-list inside it)
    assert not [e for e in pruned if e.xpath("ancestor::div[@class='max-w-3xl mx-auto']")]


def test_article_text_is_kept_and_the_menus_are_not():
    article = extract_article(Page(url="http://127.0.0.1/oz/news/2026/11/20/1-firibgarlar/", source="t", html=page_html()))
    assert article.title == "Firibgarlar fosh qilindi"
    for kept in ("onlayn firibgarlik guruhini fosh qildi", "Tergov davomida quyidagilar aniqlandi:",
                 "gumonlanuvchilar qamoqqa olindi"):
        assert kept in article.text, kept
    for dropped in ("Iqtisodiyot", "Texnologiya", "Viloyat 3"):
        assert dropped not in article.text, dropped
