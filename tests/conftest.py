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
