"""The sources file: validation messages name the source and the key; the bundled file is valid."""

from __future__ import annotations

import pytest

from crawler.sources import SOURCE_KEYS, SourcesError, default_sources_path, load_sources
from tests.conftest import ROOT, run_newsmon

VALID = """
[[source]]
name = "ok"
country = "UZ"
kind = "police"
start_urls = ["https://example.org/news/"]
article_urls = '/news/\\d+$'
"""


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_sources_are_valid():
    sources = load_sources(default_sources_path())
    assert len(sources) >= 8
    assert {s.country for s in sources} >= {"UZ", "KZ", "RU", "IT", "intl"}
    assert len({s.name for s in sources}) == len(sources)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('kind = "tabloid"', "source 'bad': key 'kind'"),
        ('article_urls = "(unclosed"', "source 'bad': key 'article_urls': invalid regex"),
        ('start_urls = ["notaurl"]', "source 'bad': key 'start_urls': not an http(s) URL"),
        ('max_pages = "ten"', "source 'bad': key 'max_pages'"),
        ('colour = "red"', "source 'bad': key 'colour': unknown key"),
        ('language = "Russian"', "source 'bad': key 'language'"),
    ],
)
def test_invalid_entry_names_source_and_key(tmp_path, extra, message):
    base = {
        "name": '"bad"', "country": '"KZ"', "kind": '"news"',
        "start_urls": '["https://example.org/"]', "article_urls": "'/n/\\d+'",
    }
    key = extra.split(" =")[0]
    base[key] = extra.split("= ", 1)[1]
    text = VALID + "\n[[source]]\n" + "\n".join(f"{k} = {v}" for k, v in base.items()) + "\n"
    with pytest.raises(SourcesError) as error:
        load_sources(write(tmp_path, text))
    assert message in str(error.value)


def test_missing_key_and_duplicate_name(tmp_path):
    with pytest.raises(SourcesError, match="source 'x': key 'article_urls': missing"):
        load_sources(write(tmp_path, '[[source]]\nname = "x"\ncountry = "UZ"\nkind = "news"\nstart_urls = ["https://a.org/"]\n'))
    with pytest.raises(SourcesError, match="source 'ok': key 'name': duplicate"):
        load_sources(write(tmp_path, VALID + VALID))


def test_sources_command_lists_and_validates(tmp_path):
    result = run_newsmon("sources", "--sources", str(write(tmp_path, VALID)))
    assert result.returncode == 0
    assert result.stdout.split()[:3] == ["ok", "UZ", "police"]
    assert "valid" in result.stderr
    broken = write(tmp_path, VALID.replace('kind = "police"', 'kind = "gossip"'))
    result = run_newsmon("sources", "--sources", str(broken))
    assert result.returncode == 2
    assert "source 'ok': key 'kind'" in result.stderr
    result = run_newsmon("sources", "--sources", str(tmp_path / "missing.toml"))
    assert result.returncode != 0 and "not found" in result.stderr


def test_readme_documents_every_source_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in SOURCE_KEYS:
        assert f"| `{key}` |" in readme, key


def test_env_var_selects_sources_file(tmp_path):
    result = run_newsmon("sources", env={"NEWSMON_SOURCES": str(write(tmp_path, VALID))})
    assert result.returncode == 0 and result.stdout.startswith("ok")
