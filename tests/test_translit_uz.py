"""Uzbek Cyrillic → Latin before NLLB translation: the letters and rules NLLB's Uzbek Latin expects."""

from __future__ import annotations

import pytest

from translate.translit_uz import has_cyrillic, to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        # ў ғ қ ҳ and the digraphs
        ("Ўзбекистон Республикаси Ички ишлар вазирлиги хабар берди.",
         "Oʻzbekiston Respublikasi Ichki ishlar vazirligi xabar berdi."),
        ("Қашқадарё вилоятида ўғрилик содир этган шахс ушланди.",
         "Qashqadaryo viloyatida oʻgʻrilik sodir etgan shaxs ushlandi."),
        ("Ғаллаорол туманида ҳокимият биноси олдида йиғилиш бўлди.",
         "Gʻallaorol tumanida hokimiyat binosi oldida yigʻilish boʻldi."),
        ("Чорвоқ сув омбори яқинида шубҳали машина тўхтатилди.",
         "Chorvoq suv ombori yaqinida shubhali mashina toʻxtatildi."),
        # ё ю я, е at a word start and after a vowel → ye, after a consonant → e
        ("Ёшлар юристлар билан янги ер участкалари ҳақида гаплашди.",
         "Yoshlar yuristlar bilan yangi yer uchastkalari haqida gaplashdi."),
        ("Европа давлатлари билан ҳамкорлик масаласи кўриб чиқилди.",
         "Yevropa davlatlari bilan hamkorlik masalasi koʻrib chiqildi."),
        ("Шавкат Мирзиёев телефон фирибгарлиги ҳақида гапирди.",
         "Shavkat Mirziyoyev telefon firibgarligi haqida gapirdi."),
        # ц: s at a word start, ts after a vowel; ъ → ʼ; ь dropped
        ("Цирк ёнида милиция ходими маъруза қилди.",
         "Sirk yonida militsiya xodimi maʼruza qildi."),
        ("Сентябрь ойида компьютер жиноятлари сони ошди, деди шеър муаллифи.",
         "Sentyabr oyida kompyuter jinoyatlari soni oshdi, dedi sheʼr muallifi."),
        # сҳ is s + h, not the digraph sh
        ("Исҳоқ исмли гумонланувчи ҳибсга олинди.", "Isʼhoq ismli gumonlanuvchi hibsga olindi."),
        # upper case inside an all-caps word stays all caps
        ("ТОШКЕНТ ШАҲРИДА ЖИНОЯТ ОЧИЛДИ", "TOSHKENT SHAHRIDA JINOYAT OCHILDI"),
    ],
)
def test_cyrillic_sentences(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin
    assert not has_cyrillic(to_latin(cyrillic))


def test_numbers_urls_and_latin_words_are_kept() -> None:
    text = "2026 йил 5 ноябрь куни www.iiv.uz сайтида ва info@iiv.uz манзилида IIV маълум қилди."
    out = to_latin(text)
    assert out == "2026 yil 5 noyabr kuni www.iiv.uz saytida va info@iiv.uz manzilida IIV maʼlum qildi."


def test_latin_text_is_passed_on_as_written() -> None:
    for text in ("Toshkent shahrida o'g'rilik sodir etildi.", "Oʻzbekiston IIV maʼlumotiga koʻra", ""):
        assert to_latin(text) is text


def test_has_cyrillic() -> None:
    assert has_cyrillic("Toshkent, Ўзбекистон")
    assert has_cyrillic("ҳ")
    assert not has_cyrillic("Toshkent shahrida oʻgʻrilik")
