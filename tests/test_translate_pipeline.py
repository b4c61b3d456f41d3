"""Translation inside `newsmon crawl` and `newsmon fetch` (real crawl, real models)."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from tests.conftest import run_newsmon
from tests.fixtures.articles import IT_ARTICLES, RU_ARTICLES
from tests.fixtures.sites import article_path
from tests.translation_models import cached_argosmodel
from translate.packages import install_archive


@pytest.fixture
def ru_models(tmp_path, tmp_path_factory):
    models_dir = tmp_path / "models"
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    return models_dir


def by_lang(db_path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in sqlite_utils.Database(db_path).query("select * from articles"):
        out.setdefault(row["lang"], []).append(row)
    return out


def test_crawl_translates_what_it_stored(tmp_path, site_server, site_sources, ru_models):
    db_path = tmp_path / "c.db"
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(site_sources),
                         env={"NEWSMON_MODELS_DIR": str(ru_models)})
    assert result.returncode == 0, result.stderr
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith(f"translation: translated {len(RU_ARTICLES)} (ru {len(RU_ARTICLES)}), "), summary
    assert summary.endswith(f"; waiting for a model: it {len(IT_ARTICLES)} (newsmon models install it)"), summary
    rows = by_lang(db_path)
    for row in rows["ru"]:
        assert row["translation_status"] == "translated" and row["translation_model"] == "translate-ru_en 1.0"
        assert len(row["text_en"].split("\n")) == len(row["text"].split("\n"))
    assert {r["translation_status"] for r in rows["it"]} == {"no_model"}
    assert {r["translation_status"] for r in rows["en"]} == {"original"}


def test_crawl_no_translate_leaves_articles_pending(tmp_path, site_server, site_sources, ru_models):
    db_path = tmp_path / "n.db"
    result = run_newsmon("crawl", "--no-translate", "--db", str(db_path), "--sources", str(site_sources), "fixture-ru",
                         env={"NEWSMON_MODELS_DIR": str(ru_models)})
    assert result.returncode == 0, result.stderr
    assert "translation:" not in result.stdout
    assert {r["translation_status"] for r in by_lang(db_path)["ru"]} == {"pending"}


def test_crawl_with_broken_model_keeps_crawled_articles(tmp_path, site_server, site_sources, ru_models):
    (next(ru_models.iterdir()) / "model" / "model.bin").write_bytes(b"garbage")
    db_path = tmp_path / "b.db"
    result = run_newsmon("crawl", "--db", str(db_path), "--sources", str(site_sources), "fixture-ru",
                         env={"NEWSMON_MODELS_DIR": str(ru_models)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("fixture-ru: ok: ")
    rows = by_lang(db_path)["ru"]
    assert len(rows) == len(RU_ARTICLES)
    for row in rows:
        assert row["translation_status"] == "failed" and "cannot load the CTranslate2 model" in row["translation_note"]
        assert row["text"]


def test_fetch_translates_the_article_stored_and_not_stored(tmp_path, site_server, ru_models):
    env = {"NEWSMON_MODELS_DIR": str(ru_models)}
    article = RU_ARTICLES[0]
    url = site_server.url(article_path(article))
    db_path = tmp_path / "f.db"
    stored = run_newsmon("fetch", "--json", "--db", str(db_path), url, env=env)
    assert stored.returncode == 0, stored.stderr
    record = json.loads(stored.stdout)
    assert record["stored"] == "new" and record["translation_status"] == "translated"
    assert record["translation_model"] == "translate-ru_en 1.0" and record["translation_engine"] == "argos-ctranslate2"
    assert len(record["text_en"].split("\n")) == len(article.paragraphs) and record["title_en"]
    row = next(sqlite_utils.Database(db_path).query("select * from articles"))
    assert row["text_en"] == record["text_en"] and row["translated_at"]

    no_store = run_newsmon("fetch", "--json", "--no-store", "--db", str(tmp_path / "x.db"), url, env=env)
    record = json.loads(no_store.stdout)
    assert record["stored"] is None and record["translation_status"] == "translated"
    assert len(record["text_en"].split("\n")) == len(article.paragraphs)
    assert not (tmp_path / "x.db").exists()

    readable = run_newsmon("fetch", "--no-store", site_server.url(article_path(IT_ARTICLES[0])), env=env)
    assert "(no English yet: no model for it→en: run `newsmon models install it`)" in readable.stdout


def test_crawl_and_fetch_take_models_dir_like_translate(tmp_path, site_server, site_sources, ru_models):
    """`--models-dir` on crawl and fetch too (the environment's folder is an empty one here)."""
    db_path = tmp_path / "m.db"
    crawled = run_newsmon("crawl", "--db", str(db_path), "--sources", str(site_sources), "--models-dir", str(ru_models),
                          "fixture-ru")
    assert crawled.returncode == 0, crawled.stderr
    assert crawled.stdout.splitlines()[-1].startswith(f"translation: translated {len(RU_ARTICLES)} (ru {len(RU_ARTICLES)})")
    fetched = run_newsmon("fetch", "--json", "--no-store", "--models-dir", str(ru_models),
                          site_server.url(article_path(RU_ARTICLES[0])))
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["translation_model"] == "translate-ru_en 1.0"
