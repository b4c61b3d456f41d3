"""Golden replays: every bundled source crawled from its replay, on loopback, with the real CLI.

One ``newsmon crawl`` over the bundled sources file (unchanged: real hosts, real
``article_urls``) runs once for the module, every request going through the
replay proxy (``tests/fixtures/replay.py``); each source is then checked against
its ``tests/replays/<name>/replay.toml``: title, date, language and script, the
first and last sentence of the body, and no navigation, share, comment or footer text.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
import sqlite_utils

from crawler.sources import default_sources_path, load_sources
from tests.conftest import ROOT, run_newsmon
from tests.fixtures.replay import ReplayProxy, load_replays

SOURCES = {s.name: s for s in load_sources(default_sources_path())}
REPLAYS = load_replays()


def test_every_bundled_source_has_a_replay_and_every_replay_a_source():
    assert sorted(set(SOURCES) - set(REPLAYS)) == [], "bundled sources without a replay in tests/replays/"
    assert sorted(set(REPLAYS) - set(SOURCES)) == [], "replays of sources that are not bundled"


def test_readme_sources_table_lists_every_bundled_source():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| country | sources (name: site) |", 1)[1].split("\n\n", 1)[0]
    assert sorted(n for n in SOURCES if f"`{n}`" not in table) == []


def test_every_replay_says_what_it_was_modelled_on():
    for name, replay in REPLAYS.items():
        assert len(replay.modelled_on) > 20, name


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of every bundled source (enabled or not) through the replay proxy."""
    answers = {url: answer for replay in REPLAYS.values() for url, answer in replay.answers.items()}
    proxy = ReplayProxy(answers).start()
    db_path = tmp_path_factory.mktemp("replays") / "replays.db"
    try:
        result = run_newsmon("crawl", "--db", str(db_path), "--no-translate", *sorted(SOURCES), env=proxy.env())
    finally:
        proxy.stop()
    summaries = {line.split(":", 1)[0]: line for line in result.stdout.splitlines() if ": " in line}
    rows: dict[str, dict] = {row["url"]: row for row in sqlite_utils.Database(db_path).query("select * from articles")}
    return result, summaries, rows, list(proxy.requested), answers


def test_the_crawl_asked_only_for_replayed_urls(crawled):
    result, _, _, requested, answers = crawled
    assert result.returncode == 0, result.stderr
    served = {unquote(u) for u in answers}
    unknown = sorted({u for u in requested if unquote(u) not in served and urlsplit(u).path != "/robots.txt"})
    assert unknown == [], "requests outside the replays (an article_urls or follow_urls regex too broad?)"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_replay(crawled, name):
    _, summaries, rows, _, _ = crawled
    replay = REPLAYS[name]
    summary = summaries.get(name, "")
    assert summary.startswith(f"{name}: ok:") and "errors 0" in summary, summary
    stored = {url for url, row in rows.items() if row["source"] == name}
    assert stored == {a["url"] for a in replay.articles}
    for expected in replay.articles:
        row = rows[expected["url"]]
        where = f"{name}: {expected['url']}"
        assert row["title"] == expected["title"], where
        assert (row["published"] or "")[:10] == expected["published"], where
        assert (row["lang"], row["script"]) == (expected["lang"], expected["script"]), where
        text = row["text"]
        assert text.startswith(expected["first"]), (where, text[:200])
        assert text.endswith(expected["last"]), (where, text[-200:])
        for snippet in expected["must_not_contain"]:
            assert snippet not in text, (where, snippet)
