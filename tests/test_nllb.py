"""NLLB-200 route for Uzbek (both scripts) and Kazakh: real install path, real CTranslate2 inference.

The model is a tiny random-weight Transformer of NLLB's shape family (shared vocabulary
with language tokens, decoding from </s> with an eng_Latn target prefix), built at test
time; its English is gibberish by design, so the tests assert structure and behaviour.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.articles import EN_ARTICLES, FixtureArticle
from tests.fixtures.server import FixtureServer, Route
from tests.fixtures.sites import sitemap
from tests.translation_models import NLLB_TEST_LANGUAGES, cached_argosmodel, cached_nllb_dir, train_sentencepiece
from translate.engine import EngineError, EngineOptions, clear_cache
from translate.nllb import ENGINE_NLLB, NllbError, NllbTranslator, install_nllb, installed_nllb_models, read_vocabulary
from translate.packages import install_archive, installed_packages
from translate.registry import Registry
from translate.translit_uz import has_cyrillic, to_latin

# --- fixture articles (written for these tests) -------------------------------------------

UZ_LATN = FixtureArticle(
    slug="bank-kartalari-guruh", lang="uz", published="2026-11-17", author="Matbuot xizmati",
    title="Toshkentda bank kartalaridan pul oʻgʻirlagan guruh qoʻlga olindi",
    paragraphs=(
        "Ichki ishlar organlari xodimlari fuqarolarning bank kartalaridan masofadan turib pul oʻgʻirlagan uch nafar "
        "shaxsni qoʻlga oldi. Ular oʻzlarini bank xodimi sifatida tanishtirib, SMS orqali kelgan kodlarni soʻrashgan.",
        "Dastlabki maʼlumotlarga koʻra, jabrlanuvchilar soni qirqdan oshadi, yetkazilgan zarar esa qariyb ikki yuz "
        "million soʻmni tashkil etadi. Tintuv vaqtida oʻn ikki dona mobil telefon va yigirmadan ortiq SIM-karta topildi.",
        "Mazkur holat yuzasidan Jinoyat kodeksining tegishli moddasi bilan jinoyat ishi qoʻzgʻatildi. Ichki ishlar "
        "vazirligi fuqarolarni hech kimga karta maʼlumotlari va tasdiqlash kodlarini bermaslikka chaqiradi.",
    ),
)
UZ_CYRL = FixtureArticle(
    slug="internet-firibgar-ushlandi", lang="uz", published="2026-11-16", author="Матбуот хизмати",
    title="Самарқандда интернет орқали фирибгарлик қилган йигит ушланди",
    paragraphs=(
        "Самарқанд вилояти ички ишлар бошқармаси ходимлари ижтимоий тармоқларда сохта дўкон очиб, харидорларни "
        "алдаган йигирма тўрт ёшли йигитни қўлга олди. У олдиндан тўлов олиб, маҳсулотни юбормаган.",
        "Тергов маълумотларига кўра, фирибгар ўн саккиз нафар фуқарони алдаб, уларга жами ўттиз миллион сўмдан "
        "ортиқ зарар етказган. Унинг ҳисобидаги маблағлар хатланди.",
        "Ушбу ҳолат юзасидан жиноят иши қўзғатилиб, тергов ҳаракатлари давом эттирилмоқда. Ички ишлар органлари "
        "фуқароларни нотаниш сайтлардан харид қилишда эҳтиёт бўлишга чақиради.",
    ),
)
KK = FixtureArticle(
    slug="telefon-alayaqtary", lang="kk", published="2026-11-15", author="Баспасөз қызметі",
    title="Алматыда телефон алаяқтарының тобы ұсталды",
    paragraphs=(
        "Алматы қаласы полиция департаментінің қызметкерлері азаматтарды телефон арқылы алдаған төрт адамнан "
        "тұратын топты ұстады. Күдіктілер өздерін банк қызметкерлері ретінде таныстырып, карта деректерін сұраған.",
        "Алдын ала мәліметтер бойынша, зардап шеккендердің саны отыздан асады, ал келтірілген залал жиырма миллион "
        "теңгеден асады. Тінту кезінде он телефон мен жиырма SIM-карта тәркіленді.",
        "Осы дерек бойынша Қылмыстық кодекстің тиісті бабымен қылмыстық іс қозғалды. Полиция азаматтарды бөгде "
        "адамдарға банк картасының деректерін айтпауға шақырады.",
    ),
)
PATHS = {UZ_LATN.slug: "/oz/yangiliklar/", UZ_CYRL.slug: "/uz/yangiliklar/", KK.slug: "/kk/zhanalyqtar/"}


def training_lines() -> list[str]:
    """The tiny model's SentencePiece text: Uzbek as the model reads it (Latin), Kazakh, English."""
    lines = []
    for article in (UZ_LATN, UZ_CYRL, KK, *EN_ARTICLES):
        for line in (article.title, *article.paragraphs):
            lines.append(to_latin(line) if article.lang == "uz" else line)
    return lines


@pytest.fixture(scope="session")
def nllb_source(tmp_path_factory) -> Path:
    """A converted-NLLB-style folder (read-only: copy it before breaking it)."""
    return cached_nllb_dir(tmp_path_factory, training_lines())


@pytest.fixture
def models_dir(tmp_path) -> Path:
    clear_cache()
    return tmp_path / "models"


def article_url(article: FixtureArticle) -> str:
    return PATHS[article.slug] + article.slug


def article_page(article: FixtureArticle) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{article.lang}"><head><meta charset="utf-8"><title>{html.escape(article.title)}</title>
<meta property="article:published_time" content="{article.published}T10:00:00+05:00"></head>
<body><header><nav><a href="/">Bosh sahifa</a> <a href="/uz/">Ўзбекча</a> <a href="/kk/">Қазақша</a></nav></header>
<main><article><h1>{html.escape(article.title)}</h1><time datetime="{article.published}">{article.published}</time>
<div class="body">{body}</div></article></main><footer>© 2026</footer></body></html>"""


SOURCES = """
[[source]]
name = "fixture-uz"
country = "UZ"
kind = "police"
language = "uz"
sitemaps = ["{base}/uz-sitemap.xml"]
article_urls = '/(uz|oz)/yangiliklar/[\\w-]+$'
download_delay = 0
local_mirror = true  # a server on this machine: no politeness needed (README: local mirrors)

[[source]]
name = "fixture-kk"
country = "KZ"
kind = "police"
language = "kk"
sitemaps = ["{base}/kk-sitemap.xml"]
article_urls = '/kk/zhanalyqtar/[\\w-]+$'
download_delay = 0
local_mirror = true  # a server on this machine: no politeness needed (README: local mirrors)
"""


@pytest.fixture
def regional_site(tmp_path):
    """Uzbek (Latin and Cyrillic) and Kazakh articles on 127.0.0.1, and a sources file for them."""
    server = FixtureServer({}).start()
    routes = {article_url(a): Route(article_page(a)) for a in (UZ_LATN, UZ_CYRL, KK)}
    routes["/robots.txt"] = Route("User-agent: *\nAllow: /\n", content_type="text/plain")
    routes["/uz-sitemap.xml"] = Route(sitemap(server.base_url, [article_url(UZ_LATN), article_url(UZ_CYRL)]),
                                      content_type="application/xml")
    routes["/kk-sitemap.xml"] = Route(sitemap(server.base_url, [article_url(KK)]), content_type="application/xml")
    server.routes.update(routes)
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(base=server.base_url), encoding="utf-8")
    yield server, sources
    server.stop()


# --- the translator: what the model is given, what comes back --------------------------


def test_source_tokens_language_token_transliteration_and_cutting(nllb_source, models_dir):
    model = install_nllb(nllb_source, models_dir)
    translator = NllbTranslator(model).load()
    cyrillic = UZ_CYRL.paragraphs[0]
    inputs, owner = translator.source_tokens([cyrillic, UZ_LATN.title, ""], "uz")
    assert owner == [0, 1]  # an empty sentence gives the model nothing
    for tokens in inputs:
        assert tokens[0] == "uzn_Latn" and tokens[-1] == "</s>"
        assert not any(has_cyrillic(t) for t in tokens), tokens
    # The Cyrillic paragraph reaches the model exactly as its Latin transliteration does.
    assert inputs[0] == translator.source_tokens([to_latin(cyrillic)], "uz")[0][0]

    kk_inputs, _ = translator.source_tokens([KK.paragraphs[0]], "kk")
    assert kk_inputs[0][0] == "kaz_Cyrl" and kk_inputs[0][-1] == "</s>"
    assert any(has_cyrillic(t) for t in kk_inputs[0])  # Kazakh stays in its own script

    short = NllbTranslator(model, EngineOptions(max_input_tokens=12)).load()
    long_text = " ".join(UZ_LATN.paragraphs)
    pieces, owner = short.source_tokens([long_text], "uz")
    assert len(pieces) > 1 and owner == [0] * len(pieces)
    assert all(len(p) <= 12 and p[0] == "uzn_Latn" and p[-1] == "</s>" for p in pieces)
    assert [t for p in pieces for t in p[1:-1]] == short._sp.encode(long_text, out_type=str)  # cut, never truncated


def test_translate_batch_and_decoding(nllb_source, models_dir):
    translator = NllbTranslator(install_nllb(nllb_source, models_dir)).load()
    sentences = [UZ_CYRL.title, UZ_LATN.title, *UZ_LATN.paragraphs, ""]
    english = translator.translate_batch(sentences, "uz")
    assert len(english) == len(sentences) and english[-1] == ""
    assert any(english[:-1]), "the tiny model is built to end its outputs after a few tokens, not at once"
    for text in english:
        assert not any(token in text for token in (*NLLB_TEST_LANGUAGES, "</s>", "<s>", "<unk>"))
    pieces = translator._sp.encode("Police detained four suspects", out_type=str)
    assert translator.decode(["eng_Latn", *pieces, "kaz_Cyrl", "</s>"]) == "Police detained four suspects"
    assert translator.stats.sentences == len(sentences) and translator.stats.pieces == len(sentences) - 1
    with pytest.raises(EngineError, match="no language token for fr"):
        translator.translate_batch(["Bonjour"], "fr")


def test_argos_first_nllb_fills_the_rest(nllb_source, models_dir, tmp_path_factory, caplog):
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    nllb = install_nllb(nllb_source, models_dir)
    with caplog.at_level(logging.WARNING):
        registry = Registry(models_dir)
        entries = registry.entries
        assert [m.name for m in installed_packages(models_dir)] == ["translate-ru_en"]
    assert not caplog.records, "the NLLB folder must not look like a broken Argos package"
    assert entries["ru"].label == "translate-ru_en 1.0"  # Argos comes first
    for lang in ("uz", "kk", "tg", "ky", "tk", "it"):
        assert entries[lang].label == nllb.label
    assert registry.translator("uz") is registry.translator("kk")  # one model loaded once
    assert registry.translator("uz").engine == ENGINE_NLLB
    assert registry.translator("ru").engine == "argos-ctranslate2"
    # The NLLB folder's metadata.json says it is no Argos translate package (Argos's tools skip it too).
    assert json.loads(next(models_dir.glob(".nllb*/metadata.json")).read_text())["type"] == "newsmon-nllb"


# --- end to end: crawl, no model, install through the CLI, translate ------------------------


def rows_by_slug(db_path: Path) -> dict[str, dict]:
    return {row["url"].rsplit("/", 1)[-1]: row for row in sqlite_utils.Database(db_path).query("select * from articles")}


def test_crawl_without_model_then_install_nllb_then_translate(tmp_path, regional_site, nllb_source):
    server, sources = regional_site
    models_dir, db_path = tmp_path / "models", tmp_path / "n.db"
    env = {"NEWSMON_MODELS_DIR": str(models_dir)}
    crawl = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources), env=env)
    assert crawl.returncode == 0, crawl.stderr
    assert "; waiting for a model: uz 2, kk 1 (newsmon models install uz kk)" in crawl.stdout
    rows = rows_by_slug(db_path)
    assert {(r["lang"], r["script"]) for r in rows.values()} == {("uz", "Latn"), ("uz", "Cyrl"), ("kk", "Cyrl")}
    for row in rows.values():
        assert row["translation_status"] == "no_model" and row["text_en"] is None
        assert row["translation_note"] == (f"no model for {row['lang']}→en: run "
                                           f"`newsmon models install {row['lang']}` (see README: NLLB-200)")

    listing = run_newsmon("models", "list", "--db", str(db_path), env=env)
    assert re.search(r"^  uz +2 article\(s\) \(no model 2\) — no model for uz→en: run `newsmon models install uz`",
                     listing.stdout, re.M)

    installed = run_newsmon("models", "install", "nllb", "--from", str(nllb_source), env=env)
    assert installed.returncode == 0, installed.stderr
    (model,) = installed_nllb_models(models_dir)
    assert installed.stdout == f"installed {model.label} (uz kk tg ky tk ru it→en) in {model.path}\n"
    assert model.name == "nllb-200-test" and re.fullmatch(r"[0-9a-f]{12}", model.version)

    listing = run_newsmon("models", "list", "--db", str(db_path), env=env)
    assert f"  {model.name:<22} {model.version:<8} uz kk tg ky tk ru it→en  ok (NLLB)" in listing.stdout
    assert re.search(rf"^  uz +2 article\(s\) \(no model 2\) — translatable with {model.label}$", listing.stdout, re.M)
    assert re.search(rf"^  kk +1 article\(s\) \(no model 1\) — translatable with {model.label}$", listing.stdout, re.M)

    result = run_newsmon("translate", "--db", str(db_path), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("translation: translated 3 (kk 1, uz 2)"), result.stdout
    for slug, article in ((UZ_LATN.slug, UZ_LATN), (UZ_CYRL.slug, UZ_CYRL), (KK.slug, KK)):
        row = rows_by_slug(db_path)[slug]
        assert row["translation_status"] == "translated", row["translation_note"]
        assert row["translation_engine"] == ENGINE_NLLB and row["translation_model"] == model.label
        assert row["translated_at"] and row["translation_note"] is None and row["title_en"] is not None
        assert len(row["text_en"].split("\n")) == len(row["text"].split("\n")) == len(article.paragraphs)
        assert row["text"] == "\n".join(article.paragraphs)  # the original is kept as it was

    again = run_newsmon("translate", "--db", str(db_path), env=env)
    assert again.stdout.startswith("translation: translated 0"), again.stdout

    fetched = run_newsmon("fetch", "--json", "--no-store", server.url(article_url(UZ_CYRL)), env=env)
    record = json.loads(fetched.stdout)
    assert record["lang"] == "uz" and record["script"] == "Cyrl"
    assert record["translation_status"] == "translated" and record["translation_engine"] == ENGINE_NLLB
    assert len(record["text_en"].split("\n")) == len(UZ_CYRL.paragraphs)


# --- broken model folders are rejected, nothing half-installed ------------------------------


def _drop_tokens(folder: Path, drop: set[str]) -> None:
    vocabulary = read_vocabulary(folder)
    (folder / "shared_vocabulary.json").write_text(json.dumps([t for t in vocabulary if t not in drop]), encoding="utf-8")


def _foreign_sentencepiece(folder: Path) -> None:
    lines = [p for a in EN_ARTICLES for p in a.paragraphs]
    train_sentencepiece(lines, folder / "sentencepiece.bpe.model", vocab_size=200, model_type="bpe")


BREAKAGES = {
    "no-model-bin": (lambda d: (d / "model.bin").unlink(), "no model.bin"),
    "no-sentencepiece": (lambda d: (d / "sentencepiece.bpe.model").unlink(), "no sentencepiece.bpe.model"),
    "no-vocabulary": (lambda d: (d / "shared_vocabulary.json").unlink(), "no shared_vocabulary.json"),
    "bad-config": (lambda d: (d / "config.json").write_text("{not json", encoding="utf-8"), "config.json: not valid JSON"),
    "no-eng-token": (lambda d: _drop_tokens(d, {"eng_Latn"}), "the vocabulary has no eng_Latn token"),
    "no-source-tokens": (lambda d: _drop_tokens(d, set(NLLB_TEST_LANGUAGES) - {"eng_Latn"}),
                         "the vocabulary has none of the language tokens newsmon uses"),
    "foreign-sentencepiece": (_foreign_sentencepiece, "not this model's SentencePiece file"),
    "garbage-model-bin": (lambda d: (d / "model.bin").write_bytes(b"\x00garbage" * 100), "CTranslate2 cannot load model.bin"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_model_dir_is_rejected_and_nothing_changes(breakage, nllb_source, models_dir, tmp_path):
    installed = install_nllb(nllb_source, models_dir, name="nllb-200-test")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "broken" not in p.parts)
    broken = tmp_path / "broken" / "nllb-200-test"
    shutil.copytree(nllb_source, broken)
    damage, reason = BREAKAGES[breakage]
    damage(broken)
    with pytest.raises(NllbError) as caught:
        install_nllb(broken, models_dir)  # same name: would replace the installed model
    message = str(caught.value)
    assert str(broken) in message and reason in message and "\n" not in message
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "broken" not in p.parts)
    assert after == before  # no staging folder left, the installed model untouched
    assert installed_nllb_models(models_dir) == [installed]


def test_cli_rejects_a_broken_folder_with_one_line(nllb_source, tmp_path):
    broken = tmp_path / "nllb-broken"
    shutil.copytree(nllb_source, broken)
    _drop_tokens(broken, {"eng_Latn"})
    models_dir = tmp_path / "models"
    result = run_newsmon("models", "install", "nllb", "--from", str(broken), "--models-dir", str(models_dir))
    assert result.returncode == 1
    assert result.stderr == f"newsmon: {broken}: the vocabulary has no eng_Latn token: not an NLLB model that translates to English\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nllb-broken"]  # no models folder, no staging left

    # without --from, `nllb` means the Hub route: nothing is fetched before the licence is accepted
    hub = run_newsmon("models", "install", "nllb", "--models-dir", str(models_dir), env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert hub.returncode == 1 and "newsmon: nllb-200-distilled-600M: not downloaded: its licence is CC-BY-NC-4.0" in hub.stderr
    stray = run_newsmon("models", "install", "ru", "--from", str(broken), "--models-dir", str(models_dir))
    assert stray.returncode == 2 and "--from and --name go with the target `nllb`" in stray.stderr


def test_reinstall_replaces_and_remove(nllb_source, models_dir):
    first = install_nllb(nllb_source, models_dir)
    second = install_nllb(nllb_source, models_dir)
    assert installed_nllb_models(models_dir) == [second] and second.path == first.path
    assert sorted(p.name for p in models_dir.iterdir()) == [".nllb-200-test"]
    result = run_newsmon("models", "remove", "nllb", "--models-dir", str(models_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"removed {second.label} (uz kk tg ky tk ru it→en)\n"
    assert installed_nllb_models(models_dir) == [] and not Registry(models_dir).has("uz")


# --- `newsmon models install uz kk`: a Hub-style mirror on loopback -------------------------

HUB_REPO = "newsmon-tests/nllb-200-tiny-ct2"
HUB_REVISION = "0123456789abcdef0123456789abcdef01234567"
HUB_FILES = ("model.bin", "config.json", "shared_vocabulary.json", "sentencepiece.bpe.model", "LICENSE")
#: huggingface_hub writes downloads in 10 MB chunks and resumes from the last whole chunk, so the
#: file cut mid-way is a 12 MB LICENSE (copied along with the model like a real model card's).
BIG_FILE_BYTES = 12 * 1024**2


class HubMirror:
    """The two endpoints hf_hub_download uses: HEAD and GET ``/{repo}/resolve/{revision}/{file}``.

    Answers like the Hub for an LFS file: ``X-Repo-Commit``, the SHA-256 as ``ETag``,
    ``Content-Length`` and ranges. ``cut_once`` names files whose first full GET
    stops after 11 MB with the connection closed (a network drop).
    """

    def __init__(self, server: FixtureServer, folder: Path, *, cut_once: tuple[str, ...] = ()):
        self.server, self.cut_once = server, set(cut_once)
        self.blobs = {name: (folder / name).read_bytes() for name in HUB_FILES if name != "LICENSE"}
        self.blobs["LICENSE"] = b"Random weights for newsmon's tests; licence text padding.\n" * (BIG_FILE_BYTES // 58)
        for name in HUB_FILES:
            server.routes[f"/{HUB_REPO}/resolve/{HUB_REVISION}/{name}"] = Route(handler=lambda h, name=name: self.answer(h, name))

    def sha256(self, name: str) -> str:
        import hashlib

        return hashlib.sha256(self.blobs[name]).hexdigest()

    def answer(self, handler, name: str) -> None:
        data = self.blobs[name]
        ranged = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range", ""))
        start = int(ranged.group(1)) if ranged else 0
        handler.send_response(206 if ranged else 200)
        handler.send_header("X-Repo-Commit", HUB_REVISION)
        handler.send_header("ETag", f'"{self.sha256(name)}"')
        handler.send_header("Accept-Ranges", "bytes")
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data) - start))
        if ranged:
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        handler.end_headers()
        if handler.command != "GET":
            return
        if name in self.cut_once and not ranged:
            self.cut_once.discard(name)
            handler.wfile.write(data[: 11 * 1024**2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(data[start:])

    def gets(self) -> list[tuple[str, str | None]]:
        return [(e.path.rsplit("/", 1)[-1], e.headers.get("Range")) for e in self.server.log if e.method == "GET"]


def write_pin(path: Path, mirror: HubMirror, **changes) -> Path:
    pin = {"name": "nllb-200-test", "repo_id": HUB_REPO, "revision": HUB_REVISION,
           "files": {name: mirror.sha256(name) for name in HUB_FILES}, "license": "CC-BY-NC-4.0",
           "license_url": "https://creativecommons.org/licenses/by-nc/4.0/", "approx_size": "1 MB", **changes}
    path.write_text(json.dumps(pin), encoding="utf-8")
    return path


@pytest.fixture
def hub(tmp_path, nllb_source):
    server = FixtureServer({}).start()
    mirror = HubMirror(server, nllb_source, cut_once=("LICENSE",))
    env = {"HF_ENDPOINT": server.base_url, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_TELEMETRY": "1",
           "NEWSMON_NLLB_PIN": str(write_pin(tmp_path / "pin.json", mirror)), "NEWSMON_MODELS_DIR": str(tmp_path / "models")}
    yield mirror, env
    server.stop()


def test_hub_install_needs_the_licence_accepted_then_resumes_and_translates(tmp_path, hub, regional_site):
    mirror, env = hub
    models_dir, db_path = tmp_path / "models", tmp_path / "n.db"
    server, sources = regional_site
    refused = run_newsmon("models", "install", "uz", "kk", env=env)
    assert refused.returncode == 1
    licence, error = refused.stderr.strip().splitlines()
    assert licence.startswith("uz kk: nllb-200-test (newsmon-tests/nllb-200-tiny-ct2, 1 MB) is licensed CC-BY-NC-4.0")
    assert error.startswith("newsmon: nllb-200-test: not downloaded: its licence is CC-BY-NC-4.0")
    assert "--accept-license" in error and mirror.gets() == [] and not mirror.server.log

    crawl = run_newsmon("crawl", "--db", str(db_path), "--sources", str(sources), env=env)
    assert "; waiting for a model: uz 2, kk 1 (newsmon models install uz kk)" in crawl.stdout, crawl.stdout

    installed = run_newsmon("models", "install", "uz", "kk", "--accept-license", env=env)
    assert installed.returncode == 0, installed.stderr
    (model,) = installed_nllb_models(models_dir)
    assert installed.stdout.startswith(f"installed {model.label} (uz kk tg ky tk ru it→en)")
    # LICENSE was cut after 11 MB once: the download went on from its last whole 10 MB chunk
    assert [r for f, r in mirror.gets() if f == "LICENSE"] == [None, f"bytes={10 * 1024**2}-"]
    assert sorted(p.name for p in models_dir.iterdir()) == [".newsmon-accepted-licenses", model.path.name]
    for name in HUB_FILES:
        assert (model.path / name).read_bytes() == mirror.blobs[name]

    result = run_newsmon("translate", "--db", str(db_path), env=env)
    assert result.stdout.startswith("translation: translated 3 (kk 1, uz 2)"), result.stdout
    assert "waiting" not in result.stdout
    for slug in (UZ_LATN.slug, UZ_CYRL.slug, KK.slug):
        row = rows_by_slug(db_path)[slug]
        assert row["translation_status"] == "translated" and row["title_en"] and row["text_en"]
        assert row["translation_model"] == model.label
    # accepted once: remembered in the models folder
    assert run_newsmon("models", "install", "kk", env=env).returncode == 0


def test_hub_hash_mismatch_is_refused_and_leaves_nothing(tmp_path, hub):
    mirror, env = hub
    models_dir = tmp_path / "models"
    write_pin(Path(env["NEWSMON_NLLB_PIN"]), mirror, files={**{n: mirror.sha256(n) for n in HUB_FILES}, "config.json": "0" * 64})
    result = run_newsmon("models", "install", "uz", "--accept-license", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"newsmon: {HUB_REPO}@{HUB_REVISION[:12]}/config.json: SHA-256 "
        f"{mirror.sha256('config.json')[:16]}… does not match the pinned {'0' * 16}…; nothing installed")
    assert sorted(p.name for p in models_dir.iterdir()) == [".newsmon-accepted-licenses"]


def test_hub_offline_is_one_line(tmp_path, hub):
    _, env = hub
    closed = FixtureServer({}).start()
    closed.stop()  # a port nobody listens on
    result = run_newsmon("models", "install", "uz", "kk", "--accept-license", env={**env, "HF_ENDPOINT": closed.base_url})
    assert result.returncode == 1
    licence, error = result.stderr.strip().splitlines()
    assert error.startswith(f"newsmon: nllb-200-test: cannot fetch from {closed.base_url}/{HUB_REPO} (")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".newsmon-accepted-licenses"]
