"""`newsmon models setup` and `make run`: the models the sources need, installed once, from loopback mirrors.

An Argos index (ru, de) and a Hub-style repository (the tiny NLLB model, see
tests/test_nllb.py) are served on 127.0.0.1; the sources are Uzbek and Kazakh sites on
loopback plus a Russian source nobody answers for (a failing source).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import ROOT, newsmon_env, run_newsmon
from tests.fixtures.server import FixtureServer, Route
from tests.test_nllb import HubMirror, nllb_source, regional_site, write_pin  # noqa: F401 - fixtures
from tests.translation_models import cached_argosmodel

DEAD_RU_SOURCE = """
[[source]]
name = "fixture-ru-down"
country = "RU"
kind = "police"
language = "ru"
start_urls = ["{dead}/ru/"]
article_urls = '/ru/news/[\\w-]+$'
download_delay = 0
"""


@pytest.fixture
def mirrors(tmp_path, tmp_path_factory, nllb_source, regional_site):  # noqa: F811 - fixtures from test_nllb
    """Argos index + packages and the Hub on one loopback server; env pointing newsmon at them."""
    server = FixtureServer({}).start()
    entries = []
    for lang in ("ru", "de"):
        archive = cached_argosmodel(tmp_path_factory, lang)
        server.routes[f"/argos/{archive.name}"] = Route(archive.read_bytes(), content_type="application/zip")
        entries.append({"type": "translate", "from_code": lang, "to_code": "en", "package_version": "1.0",
                        "links": [archive.name]})
    server.routes["/argos/index.json"] = Route(json.dumps(entries), content_type="application/json")
    mirror = HubMirror(server, nllb_source)
    site, sources = regional_site
    dead = FixtureServer({}).start()
    dead.stop()
    sources.write_text(sources.read_text(encoding="utf-8") + DEAD_RU_SOURCE.format(dead=dead.base_url), encoding="utf-8")
    env = {"NEWSMON_MODELS_DIR": str(tmp_path / "models"), "NEWSMON_MODELS_INDEX": server.url("/argos/index.json"),
           "HF_ENDPOINT": server.base_url, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_TELEMETRY": "1",
           "NEWSMON_NLLB_PIN": str(write_pin(tmp_path / "pin.json", mirror)),
           "NEWSMON_SOURCES": str(sources), "NEWSMON_DB": str(tmp_path / "newsmon.db")}
    yield server, env
    server.stop()


def test_setup_installs_exactly_what_the_sources_need_once(tmp_path, mirrors):
    server, env = mirrors
    refused = run_newsmon("models", "setup", env=env)
    assert refused.returncode == 1
    assert refused.stdout == "models: ru installed translate-ru_en 1.0\n"
    assert refused.stderr.splitlines() == [
        f"models: {lang} not installed: NLLB-200 is CC-BY-NC-4.0 (non-commercial use only); "
        "`newsmon models install kk uz --accept-license` accepts it and fetches 1 MB" for lang in ("kk", "uz")]
    assert not any("/resolve/" in p for p in server.paths())  # nothing fetched before acceptance

    accepted = run_newsmon("models", "setup", env={**env, "NEWSMON_ACCEPT_NLLB_LICENSE": "1"})
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.splitlines()[0] == "models: ru ready (translate-ru_en 1.0)"
    assert accepted.stdout.splitlines()[1].startswith("models: kk installed nllb-200-test ")
    fetched = [p for p in server.paths() if p.endswith(".argosmodel")]
    assert fetched == ["/argos/translate-ru_en-1_0.argosmodel"]  # de is in the index, no source needs it

    requests = len(server.log)
    again = run_newsmon("models", "setup", env=env)
    assert again.returncode == 0 and len(server.log) == requests  # all ready: no network at all
    assert [line.split(" (")[0] for line in again.stdout.splitlines()] == [
        "models: kk ready", "models: ru ready", "models: uz ready"]


def test_setup_offline_says_one_line_per_language(tmp_path, mirrors):
    _, env = mirrors
    closed = FixtureServer({}).start()
    closed.stop()
    offline = {**env, "NEWSMON_MODELS_INDEX": closed.url("/index.json"), "HF_ENDPOINT": closed.base_url,
               "NEWSMON_ACCEPT_NLLB_LICENSE": "1"}
    result = run_newsmon("models", "setup", env=offline)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("models: ") and "not installed" in line]
    assert [line.split()[1] for line in lines] == ["ru", "kk", "uz"]
    assert f"{closed.url('/index.json')}: download failed" in lines[0]
    assert f"cannot fetch from {closed.base_url}/newsmon-tests/nllb-200-tiny-ct2" in lines[1]


def fake_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A VENV for the Makefile whose newsmon is this test's interpreter; pip only logs its calls."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    os.symlink(sys.executable, venv / "bin" / "python")
    newsmon = venv / "bin" / "newsmon"
    newsmon.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m newsmon "$@"\n')
    pip_log = tmp_path / "pip-calls"
    pip = venv / "bin" / "pip"
    pip.write_text(f'#!/bin/sh\necho "$@" >> "{pip_log}"\n')
    for script in (newsmon, pip):
        script.chmod(0o755)
    return venv, pip_log


def make_run(venv: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "run", f"VENV={venv}"], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, env=newsmon_env(env))


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_installs_once_translates_and_survives_a_failing_source(tmp_path, mirrors):
    server, env = mirrors
    env = {**env, "NEWSMON_ACCEPT_NLLB_LICENSE": "1"}
    venv, pip_log = fake_venv(tmp_path)
    first = make_run(venv, env)
    assert first.returncode == 0, first.stderr  # the Russian source failed: the make does not
    assert "newsmon: source fixture-ru-down failed" in first.stderr
    assert "models: ru installed translate-ru_en 1.0" in first.stdout
    assert (venv / ".models-installed").exists()
    rows = list(sqlite_utils.Database(env["NEWSMON_DB"]).query("select lang, title_en, text_en from articles"))
    assert sorted(r["lang"] for r in rows) == ["kk", "uz", "uz"]
    assert all(r["title_en"] and r["text_en"] for r in rows)
    assert [line for line in first.stdout.splitlines() if line.startswith("translation: ")] == [
        line for line in first.stdout.splitlines() if line.startswith("translation: translated 3 (kk 1, uz 2)")]

    requests = len(server.log)
    second = make_run(venv, env)
    assert second.returncode == 0, second.stderr
    assert "models: " not in second.stdout and len(server.log) == requests  # the stamp: no second install
    assert pip_log.read_text().splitlines() == ["install --quiet -e ."]  # installed once, not on every call


def test_crawl_installs_what_it_met_only_when_allowed(tmp_path, mirrors):
    """No silent downloads after a crawl, unless $NEWSMON_AUTO_INSTALL_MODELS allows them (unattended servers)."""
    server, env = mirrors
    env = {**env, "NEWSMON_ACCEPT_NLLB_LICENSE": "1"}
    plain = run_newsmon("crawl", "fixture-uz", "fixture-kk", env=env)
    assert plain.returncode == 0, plain.stderr
    assert not any("/resolve/" in p for p in server.paths())
    assert plain.stdout.splitlines()[-1] == "translation: translated 0; waiting for a model: uz 2, kk 1 (newsmon models install uz kk)"
    auto = run_newsmon("crawl", "fixture-uz", "fixture-kk", env={**env, "NEWSMON_AUTO_INSTALL_MODELS": "1"})
    assert auto.returncode == 0, auto.stderr
    assert "models: kk installed nllb-200-test" in auto.stdout
    assert auto.stdout.splitlines()[-1].startswith("translation: translated 3 (kk 1, uz 2)"), auto.stdout
