"""`newsmon translate`: pending → English with real (random-weight) models, resumable, deduplicated."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from storage.records import Article
from storage import open_db
from storage.articles import ensure_adhoc_source, upsert_article
from tests.conftest import ROOT, run_newsmon
from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES, FixtureArticle
from tests.translation_models import cached_argosmodel
from translate.engine import clear_cache
from translate.packages import install_archive
from translate.registry import Registry
from translate.sentences import split_sentences
from translate.worker import translate_pending

BOILERPLATE = "Подписывайтесь на наш канал, чтобы первыми узнавать новости."


def make_db(path: Path, articles: list[FixtureArticle], *, extra_paragraph: str | None = None) -> Path:
    db = open_db(path)
    ensure_adhoc_source(db)
    for i, a in enumerate(articles):
        paragraphs = list(a.paragraphs) + ([extra_paragraph] if extra_paragraph else [])
        upsert_article(db, Article(url=f"http://127.0.0.1/{a.lang}/{i}/{a.slug}", source="adhoc", title=a.title,
                                   text="\n".join(paragraphs), lang=a.lang, script="Cyrl" if a.lang == "ru" else "Latn"))
    db.close()
    return path


def rows(db_path: Path, where: str = "1") -> list[dict]:
    return list(sqlite_utils.Database(db_path).query(f"select * from articles where {where} order by id"))


def translate(db_path: Path, models_dir: Path, *args: str):
    return run_newsmon("translate", "--db", str(db_path), "--models-dir", str(models_dir), *args)


def assert_translated(row: dict, model: str) -> None:
    assert row["translation_status"] == "translated", row["translation_note"]
    assert row["translation_engine"] == "argos-ctranslate2" and row["translation_model"] == model
    assert row["translated_at"] and row["translation_note"] is None
    assert row["text_en"] is not None and row["title_en"] is not None
    assert len(row["text_en"].split("\n")) == len(row["text"].split("\n"))  # paragraphs kept
    assert row["text_en"] != row["text"]


def assert_interrupted_then_resumed(db_path: Path, models_dir: Path, *, total: int, model: str) -> None:
    """Some articles fully translated, the rest untouched; the next run does exactly the rest."""
    done = rows(db_path, "translation_status = 'translated'")
    pending = rows(db_path, "translation_status = 'pending'")
    assert done and pending and len(done) + len(pending) == total
    for row in done:
        assert_translated(row, model)
    for row in pending:
        assert row["text_en"] is None and row["title_en"] is None
        assert row["translated_at"] is None and row["translation_model"] is None
    result = translate(db_path, models_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"translation: translated {len(pending)} (ru {len(pending)})"), result.stdout
    for row in rows(db_path):
        assert_translated(row, model)


@pytest.fixture
def models_dir(tmp_path):
    return tmp_path / "models"


def test_pending_to_translated_missing_model_then_installed_then_retranslate(tmp_path, tmp_path_factory, models_dir):
    db_path = make_db(tmp_path / "t.db", RU_ARTICLES + IT_ARTICLES + EN_ARTICLES[:1])
    assert {r["translation_status"] for r in rows(db_path, "lang != 'en'")} == {"pending"}
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)

    first = translate(db_path, models_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("translation: translated 3 (ru 3), "), first.stdout
    assert first.stdout.rstrip().endswith("; waiting for a model: it 2 (newsmon models install it)"), first.stdout
    for row in rows(db_path, "lang = 'ru'"):
        assert_translated(row, "translate-ru_en 1.0")
    for row in rows(db_path, "lang = 'it'"):
        assert row["translation_status"] == "no_model" and row["text_en"] is None
        assert row["translation_note"] == "no model for it→en: run `newsmon models install it`"
    english = rows(db_path, "lang = 'en'")[0]
    assert english["translation_status"] == "original" and english["text_en"] == english["text"]
    listing = run_newsmon("models", "list", "--db", str(db_path), "--models-dir", str(models_dir))
    assert "ru   3 article(s) (translated 3) — translatable with translate-ru_en 1.0" in listing.stdout
    assert "it   2 article(s) (no model 2) — no model for it→en" in listing.stdout
    assert listing.stdout.endswith("waiting for a model: it 2 (newsmon models install it)\n")

    # Nothing left to do: a second run translates nothing and leaves the rows alone.
    before = {r["id"]: r["translated_at"] for r in rows(db_path)}
    # ...and still says what waits for which model (every run, not only the run that found them).
    assert translate(db_path, models_dir).stdout == (
        "translation: translated 0; waiting for a model: it 2 (newsmon models install it)\n")
    assert {r["id"]: r["translated_at"] for r in rows(db_path)} == before

    # Installing the Italian model picks up the no_model articles.
    install_archive(cached_argosmodel(tmp_path_factory, "it"), models_dir)
    second = translate(db_path, models_dir)
    assert second.stdout.startswith("translation: translated 2 (it 2)"), second.stdout
    for row in rows(db_path, "lang = 'it'"):
        assert_translated(row, "translate-it_en 1.0")

    # A newer Russian model: --retranslate redoes translated articles with it (newest first, --limit).
    install_archive(cached_argosmodel(tmp_path_factory, "ru", version="1.1", seed=7), models_dir)
    third = translate(db_path, models_dir, "--retranslate", "--limit", "4")  # the 2 Italian + 2 newest Russian
    assert third.stdout.startswith("translation: translated 4 (it 2, ru 2)"), third.stdout
    models_used = [r["translation_model"] for r in rows(db_path, "lang = 'ru'")]
    assert models_used == ["translate-ru_en 1.0", "translate-ru_en 1.1", "translate-ru_en 1.1"]
    assert rows(db_path, "lang = 'en'")[0]["translation_status"] == "original"


def test_a_bpe_package_installs_and_translates_end_to_end(tmp_path, tmp_path_factory, models_dir):
    # Some Argos packages ship subword-nmt BPE codes (bpe.model) instead of SentencePiece.
    db_path = make_db(tmp_path / "bpe.db", RU_ARTICLES)
    installed = run_newsmon("models", "install", str(cached_argosmodel(tmp_path_factory, "ru", tokenizer="bpe")),
                            "--models-dir", str(models_dir))
    assert installed.returncode == 0, installed.stderr
    assert (models_dir / "translate-ru_en-1_0" / "bpe.model").is_file()
    result = translate(db_path, models_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"translation: translated {len(RU_ARTICLES)} (ru {len(RU_ARTICLES)})"), result.stdout
    for row in rows(db_path):
        assert_translated(row, "translate-ru_en 1.0")
        assert "@@" not in row["text_en"] and "@@" not in row["title_en"]  # BPE joiners undone
    listing = run_newsmon("models", "list", "--db", str(db_path), "--models-dir", str(models_dir))
    assert "translatable with translate-ru_en 1.0" in listing.stdout


def test_identical_sentences_are_translated_once_per_run(tmp_path, tmp_path_factory, models_dir):
    db_path = make_db(tmp_path / "d.db", RU_ARTICLES, extra_paragraph=BOILERPLATE)
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    sent: list[str] = []

    registry = Registry(models_dir)
    real = registry.translator("ru")

    class Recording:  # the real engine, recording what reaches it
        engine, model = real.engine, real.model

        def translate_batch(self, sentences, src_lang):
            sent.extend(sentences)
            return real.translate_batch(sentences, src_lang)

    registry._loaded[real.model] = Recording()
    db = open_db(db_path)
    summary = translate_pending(db, registry, batch_sentences=4)  # several batches: the cache spans them
    db.close()
    expected = [s for a in RU_ARTICLES for s in split_sentences(a.title) + [x for p in a.paragraphs for x in split_sentences(p)]]
    assert summary.sentences == len(expected) + len(RU_ARTICLES)
    assert summary.unique_sentences == len(set(expected)) + 1 == len(sent) == len(set(sent))
    assert sent.count(BOILERPLATE) == 1
    endings = {r["text_en"].split("\n")[-1] for r in rows(db_path)}
    assert len(endings) == 1  # the boilerplate paragraph has one English everywhere


def test_interrupted_run_keeps_committed_batches_and_resumes(tmp_path, tmp_path_factory, models_dir):
    articles = RU_ARTICLES * 3
    db_path = make_db(tmp_path / "i.db", articles)
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    registry = Registry(models_dir)
    real = registry.translator("ru")
    calls = []

    class StopsAtSecondBatch:  # Ctrl-C arriving while the second batch is being translated
        engine, model = real.engine, real.model

        def translate_batch(self, sentences, src_lang):
            calls.append(len(sentences))
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real.translate_batch(sentences, src_lang)

    registry._loaded[real.model] = StopsAtSecondBatch()
    db = open_db(db_path)
    with pytest.raises(KeyboardInterrupt):
        translate_pending(db, registry, batch_sentences=10)
    db.close()
    assert_interrupted_then_resumed(db_path, models_dir, total=len(articles), model="translate-ru_en 1.0")


def numbered(articles: list[FixtureArticle]) -> list[FixtureArticle]:
    """Copies whose every sentence is distinct, so no batch is answered from the run's cache."""
    out = []
    for i, a in enumerate(articles):
        paragraphs = tuple(" ".join(f"{s[:-1]} (эпизод {i}-{j}-{k})." for k, s in enumerate(split_sentences(p)))
                           for j, p in enumerate(a.paragraphs))
        out.append(FixtureArticle(f"{a.slug}-{i}", a.lang, f"{a.title} ({i})", a.published, a.author, paragraphs))
    return out


def test_killed_process_loses_nothing_committed(tmp_path, tmp_path_factory, models_dir):
    articles = numbered(RU_ARTICLES * 5)
    db_path = make_db(tmp_path / "k.db", articles)
    # Random end-of-sentence odds (no EOS bias): outputs run long, so batches take a while.
    install_archive(cached_argosmodel(tmp_path_factory, "ru", version="2.0", eos_bias=0.0, d_model=64, ffn=128), models_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "translate", "--db", str(db_path), "--models-dir", str(models_dir),
         "--batch-size", "8"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if sqlite_utils.Database(db_path).execute("select count(*) from articles where translation_status = 'translated'").fetchone()[0]:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed: make the workload larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_interrupted_then_resumed(db_path, models_dir, total=len(articles), model="translate-ru_en 2.0")


def test_broken_model_marks_articles_failed_and_keeps_them(tmp_path, tmp_path_factory, models_dir):
    db_path = make_db(tmp_path / "b.db", RU_ARTICLES)
    model = install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    (model.path / "model" / "model.bin").write_bytes(b"not a model")
    clear_cache()
    result = translate(db_path, models_dir)
    assert result.returncode == 0, result.stderr
    assert "failed 3 (ru 3)" in result.stdout
    for row, article in zip(rows(db_path), reversed(RU_ARTICLES)):
        assert row["translation_status"] == "failed" and row["text_en"] is None
        assert row["translation_note"].startswith("translation failed: EngineError: cannot load the CTranslate2 model")
        assert row["text"] and row["title"]  # the article itself is untouched
    # a fixed model: failed articles are retried
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    assert translate(db_path, models_dir).stdout.startswith("translation: translated 3 (ru 3)")


def test_cuda_without_a_device_is_one_clear_line(tmp_path, models_dir):
    """CUDA_VISIBLE_DEVICES="" hides every GPU, so this holds on a machine with one too."""
    db_path = make_db(tmp_path / "c.db", RU_ARTICLES[:1])
    result = run_newsmon("translate", "--db", str(db_path), "--models-dir", str(models_dir), "--device", "cuda",
                         env={"CUDA_VISIBLE_DEVICES": ""})
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: --device cuda: CTranslate2 sees no CUDA device"
    assert rows(db_path)[0]["translation_status"] == "pending"


def test_many_articles_without_model_are_marked_in_one_run(tmp_path, models_dir):
    db = open_db(tmp_path / "m.db")
    ensure_adhoc_source(db)
    for i in range(1200):  # more ids than one SQL statement may bind (limited to 999 below)
        upsert_article(db, Article(url=f"http://127.0.0.1/uz/{i}", source="adhoc", title=f"Sarlavha {i}",
                                   text=f"Matn {i}.", lang="uz", script="Latn"))
    db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # as in SQLite builds before 3.32
    summary = translate_pending(db, Registry(models_dir))
    assert summary.no_model == {"uz": 1200}
    statuses = list(db.query("select translation_status, translation_note, count(*) as n from articles group by 1, 2"))
    db.close()
    assert len(statuses) == 1 and statuses[0]["translation_status"] == "no_model" and statuses[0]["n"] == 1200
    assert "uz→en" in statuses[0]["translation_note"]
