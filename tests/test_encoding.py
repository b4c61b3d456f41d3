"""Decoding pages whose charset is declared in the header only, the meta only, or wrongly.

The matrix test is also the measurement behind ``MAX_BAD_RATIO``: every fixture
article (Russian, Kazakh, Uzbek in both scripts, English, Italian) in every charset
that can hold it, declared every way (right, wrong, missing; header, meta, both
disagreeing), must decode to its own text; and text garbled at the source must be
refused. Run it with ``-s`` to see the worst scores.
"""

from __future__ import annotations

import html

import pytest

from crawler.encoding import (
    CANDIDATES,
    MAX_BAD_RATIO,
    BinaryBodyError,
    MojibakeError,
    declared_encodings,
    garble,
    page_text,
)
from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.fixtures.badsites import CHARSET_ARTICLES, KK_KZ1048, RU_CP1251, UZ_WRONG_HEADER
from tests.fixtures.sites import article_page

ALL = CHARSET_ARTICLES + EN_ARTICLES + RU_ARTICLES + IT_ARTICLES


def has_article(text: str, article) -> bool:
    return html.escape(article.title) in text and all(html.escape(p) in text for p in article.paragraphs)


def encodable(article, encoding: str) -> bytes | None:
    try:
        return article_page(article, [], charset=None).encode(encoding)
    except UnicodeEncodeError:
        return None


def with_meta(body: bytes, charset: str) -> bytes:
    return body.replace(b"<head>", f'<head><meta charset="{charset}">'.encode(), 1)


@pytest.mark.parametrize("article", ALL, ids=lambda a: a.slug)
def test_every_charset_declared_every_way_decodes_to_the_article(article):
    cases = 0
    for true in CANDIDATES:
        body = encodable(article, true)
        if body is None:
            continue
        for declared in (None, *CANDIDATES):
            variants = {"none": ("text/html", body)}
            if declared:
                variants = {
                    "header": (f"text/html; charset={declared}", body),
                    "meta": ("text/html", with_meta(body, declared)),
                    "wrong header, right meta": (f"text/html; charset={declared}", with_meta(body, true)),
                    "right header, wrong meta": (f"text/html; charset={true}", with_meta(body, declared)),
                }
            for how, (content_type, data) in variants.items():
                text, encoding = page_text(content_type, data)
                assert has_article(text, article), (article.slug, true, declared, how, encoding)
                cases += 1
    assert cases >= 25  # UTF-8 and at least one legacy charset, declared 25 ways each


def test_right_decodings_score_clean_and_wrong_ones_garbled():
    """The measurement: a right decoding of an article scores near zero, a wrong one far above."""
    worst_right, best_wrong = 0.0, 1.0
    for article in CHARSET_ARTICLES + RU_ARTICLES:  # the pages with enough non-ASCII text to judge
        for true in CANDIDATES:
            body = encodable(article, true)
            if body is None:
                continue
            for read_as in CANDIDATES:
                text = body.decode(read_as, errors="replace")
                score = garble(text)
                if has_article(text, article):
                    worst_right = max(worst_right, score.ratio)
                else:
                    best_wrong = min(best_wrong, score.ratio)
    print(f"\nworst right decoding {worst_right:.2%}, best wrong decoding {best_wrong:.2%}, limit {MAX_BAD_RATIO:.0%}")
    assert worst_right < MAX_BAD_RATIO / 4
    # every wrong decoding scores above the limit: each one alone would be refused as mojibake
    assert best_wrong > MAX_BAD_RATIO


@pytest.mark.parametrize("misread_as", ["cp1252", "cp1251", "koi8-r"])
@pytest.mark.parametrize("article", [RU_CP1251, KK_KZ1048, UZ_WRONG_HEADER], ids=lambda a: a.slug)
def test_text_garbled_at_the_source_is_refused(article, misread_as):
    """UTF-8 read as a single-byte charset and saved again as UTF-8 ("Ð¿Ñ€Ð¸", "РџРѕР»"): no charset repairs it."""
    page = article_page(article, [], charset="utf-8")
    garbled = page.encode("utf-8").decode(misread_as, errors="replace").encode("utf-8")
    with pytest.raises(MojibakeError) as caught:
        page_text("text/html; charset=utf-8", garbled)
    assert caught.value.kind == "mojibake"
    assert "utf-8" in str(caught.value)


def test_text_cut_inside_its_characters_is_refused():
    """A CMS that cut UTF-8 text byte-wise: every Cyrillic letter lost its second byte."""
    body = article_page(RU_CP1251, [], charset="utf-8").encode("utf-8")
    broken = bytes(b for b in body if not 0x80 <= b <= 0xBF)
    with pytest.raises(MojibakeError):
        page_text("text/html; charset=utf-8", broken)


def test_a_few_odd_characters_do_not_refuse_a_page():
    page = article_page(RU_ARTICLES[0], [], charset="utf-8")
    page = page.replace("</main>", "<p>Cp. \ufffd and ■ and ј in a quote</p></main>")
    text, encoding = page_text("text/html; charset=utf-8", page.encode())
    assert encoding == "utf-8" and has_article(text, RU_ARTICLES[0])


def test_serbian_and_ukrainian_letters_are_not_garble():
    serbian = "Полиција је ухапсила осумњиченог за превару путем интернета. Њихова истрага траје." * 5
    ukrainian = "Поліція затримала підозрюваного у шахрайстві. Її слідчі з'ясовують обставини. Ґрунтовна перевірка триває." * 5
    for text in (serbian, ukrainian):
        assert garble(text).bad == 0
        assert page_text("text/html; charset=utf-8", text.encode())[0] == text


def test_ascii_and_declared_order():
    assert page_text("text/html", b"<p>plain ascii</p>")[0] == "<p>plain ascii</p>"
    body = b'\xef\xbb\xbf<meta charset="koi8-r"><p>\xd0\xbf</p>'
    assert declared_encodings("text/html; charset=cp1251", body) == ["utf-8", "cp1251", "koi8-r"]
    assert page_text("text/html; charset=cp1251", body)[0] == '<meta charset="koi8-r"><p>п</p>'


def test_unknown_declared_charset_falls_back_to_candidates():
    body = with_meta(encodable(RU_CP1251, "cp1251"), "x-no-such-charset")
    text, encoding = page_text("text/html; charset=x-no-such-charset", body)
    assert has_article(text, RU_CP1251) and encoding == "cp1251"


@pytest.mark.parametrize(
    "body, name",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (b"<html>\x00\x00\x00\x01\x02", "NUL bytes"),
    ],
)
def test_binary_files_served_as_html_are_refused(body, name):
    with pytest.raises(BinaryBodyError) as caught:
        page_text("text/html", body)
    assert caught.value.kind == "not_html" and name in str(caught.value)


def test_utf16_with_bom_is_text():
    page = article_page(RU_ARTICLES[0], [], charset=None)
    text, encoding = page_text("text/html", "\ufeff".encode("utf-16-le") + page.encode("utf-16-le"))
    assert encoding.startswith("utf-16") and has_article(text, RU_ARTICLES[0])


#: Written for this test: a Kazakh police item typed the way many sites type it.
KK_TYPED = (
    "Алматы қаласының полиция департаменті интернет арқылы алаяқтық жасаған күдіктіні ұстады. "
    "Тергеушілердің айтуынша, ол әлеуметтік желіде жалған дүкен ашып, тұрғындардан алдын ала төлем алған. "
    "Зардап шеккендердің саны отыздан асады, келтірілген залал он екі миллион теңгеге жетеді. "
    "Полиция сатып алушыларға белгісіз сайттарда төлем жасамауды және банк карталарының деректерін "
    "ешкімге бермеуді ескертеді. Қылмыстық іс қозғалды, күдікті екі айға қамауға алынды."
)


@pytest.mark.parametrize(
    "typed",
    [
        KK_TYPED.replace("і", "i").replace("І", "I"),  # Latin i for і: refused as 5.6% "garbled" before
        KK_TYPED.replace("і", "i").replace("ң", "н"),
        KK_TYPED.replace("о", "o").replace("р", "p"),  # Latin look-alikes inside most words
    ],
    ids=["latin-i", "latin-i-and-n", "look-alikes-in-words"],
)
def test_cyrillic_typed_with_latin_letters_is_not_mojibake(typed):
    """ASCII letters read the same in every charset: inside Cyrillic words they were typed, not misdecoded."""
    page = f"<html><body><p>{typed}</p></body></html>"
    text, encoding = page_text("text/html; charset=utf-8", page.encode("utf-8"))
    assert text == page and encoding == "utf-8"


def test_latin_text_read_as_cp1251_is_still_caught():
    """The rule the look-alikes used to trip: Latin-1 read as cp1251 ("perchй") in a Latin text."""
    italian = "La polizia ha arrestato un uomo perché vendeva telefoni rubati, è stato già denunciato. " * 4
    score = garble(italian.encode("latin-1").decode("cp1251"))
    assert not score.plausible
    assert page_text("text/html; charset=windows-1251", italian.encode("latin-1"))[0] == italian
