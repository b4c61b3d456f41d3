"""Shared test fixtures: the fixture site on a real local HTTP server, and CLI runners."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.fixtures.server import FixtureServer
from tests.fixtures.sites import news_site, sources_toml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site_server():
    """The three-language fixture site on 127.0.0.1, fresh request log per test."""
    server = FixtureServer({}).start()
    server.routes.update(news_site(server.base_url))
    yield server
    server.stop()


@pytest.fixture
def site_sources(tmp_path, site_server) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(site_server.base_url), encoding="utf-8")
    return path


#: An empty models folder: tests see no translation model unless they install one,
#: whatever is installed in this machine's Argos folder.
NO_MODELS_DIR = Path(tempfile.mkdtemp(prefix="newsmon-test-no-models-"))


def newsmon_env(env: dict | None = None) -> dict[str, str]:
    """The environment for a ``newsmon`` subprocess: none of the caller's NEWSMON_/ARGOS_ settings."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMON_", "ARGOS_"))}
    full_env["NEWSMON_MODELS_DIR"] = str(NO_MODELS_DIR)
    full_env.update(env or {})
    return full_env


def run_newsmon(*args: str, env: dict | None = None, timeout: float = 180, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real ``newsmon`` command in a subprocess (its own reactor, its own process)."""
    return subprocess.run(
        [sys.executable, "-m", "newsmon", *args],
        capture_output=True, text=True, timeout=timeout, env=newsmon_env(env), cwd=cwd or ROOT,
    )


# The workbench in a browser (tests/test_serve_browser.py, test_stories_browser.py, test_workbench_ui.py):
# one fixture database and one `newsmon serve` per session (per xdist worker), one Chromium per
# module. The tests only read: the database file is never written, Datasette serves it read-only.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
WORKBENCH_DB = "newsmon"  # the fixture file is newsmon.db, so Datasette calls the database "newsmon"


@pytest.fixture(scope="session")
def workbench_db(tmp_path_factory) -> Path:
    """The fixture database of tests/fixture_db.py, with its watchlists file beside it."""
    from tests.fixture_db import build_fixture_db

    path = tmp_path_factory.mktemp("serve") / f"{WORKBENCH_DB}.db"
    build_fixture_db(path).close()
    return path


@pytest.fixture(scope="session")
def workbench_server(workbench_db):
    """The real `newsmon serve` on the fixture database, in a subprocess; yields its base URL."""
    from tests.serve_process import running_serve

    watchlists = workbench_db.with_name(f"{WORKBENCH_DB}-watchlists.toml")
    with running_serve(workbench_db, extra_args=("--watchlists", str(watchlists))) as (base, _):
        yield base


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium driven by Playwright, per test file.

    Not per session: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, and a later file's ``asyncio.run`` in the same xdist worker then fails
    ("cannot be called from a running event loop").
    """
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make test does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
