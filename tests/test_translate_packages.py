"""`newsmon models install|list|remove`: real archives, a real local index, hostile archives."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_newsmon
from tests.fixtures.server import FixtureServer, Route
from tests.translation_models import build_package_dir, cached_argosmodel, zip_package
from translate.packages import PackageError, check_archive, install_archive


def models(*args: str, models_dir: Path, env: dict | None = None):
    return run_newsmon("models", *args, "--models-dir", str(models_dir), env=env)


def leftovers(models_dir: Path) -> list[str]:
    return [p.name for p in models_dir.parent.iterdir() if p.name.startswith(".newsmon-")]


def test_install_list_remove_from_file(tmp_path, tmp_path_factory):
    models_dir = tmp_path / "models"
    archive = cached_argosmodel(tmp_path_factory, "ru")
    result = models("install", str(archive), models_dir=models_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("installed translate-ru_en 1.0 (ru→en) in ")
    installed = models_dir / "translate-ru_en-1_0"
    assert (installed / "model" / "model.bin").is_file() and (installed / "sentencepiece.model").is_file()
    listing = models("list", "--db", str(tmp_path / "none.db"), models_dir=models_dir)
    assert listing.returncode == 0, listing.stderr
    assert "translate-ru_en" in listing.stdout and "ru→en  ok" in listing.stdout
    # Reinstalling (an upgrade of the same folder) replaces it whole.
    assert models("install", str(archive), models_dir=models_dir).returncode == 0
    assert sorted(p.name for p in models_dir.iterdir()) == ["translate-ru_en-1_0"]
    removed = models("remove", "ru", models_dir=models_dir)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == "removed translate-ru_en 1.0 (ru→en)"
    assert list(models_dir.iterdir()) == [] and leftovers(models_dir) == []
    again = models("remove", "ru", models_dir=models_dir)
    assert again.returncode == 1 and "no installed package matches 'ru'" in again.stderr


def _hostile(tmp_path: Path, pkg_dir: Path, kind: str) -> Path:
    archive = tmp_path / f"{kind}.argosmodel"
    top = pkg_dir.name
    if kind == "not-a-zip":
        archive.write_text("this is not a zip file")
        return archive
    if kind == "truncated":
        whole = zip_package(pkg_dir, tmp_path / "whole.zip").read_bytes()
        archive.write_bytes(whole[: len(whole) // 2])
        return archive
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(pkg_dir.rglob("*")):
            rel = path.relative_to(pkg_dir).as_posix()
            if path.is_dir() or (kind in ("no-metadata", "german") and rel == "metadata.json") or (kind == "no-model" and rel.startswith("model/")):
                continue
            if kind == "no-tokenizer" and rel == "sentencepiece.model":
                continue
            zf.write(path, f"{top}/{rel}")
        if kind == "zip-slip":
            zf.writestr(f"{top}/../../evil.txt", "owned")
        elif kind == "absolute":
            zf.writestr(str(tmp_path / "evil.txt"), "owned")
        elif kind == "symlink":
            info = zipfile.ZipInfo(f"{top}/model/link")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
        elif kind == "two-folders":
            zf.writestr("other/metadata.json", "{}")
        elif kind == "german":
            zf.writestr(f"{top}/metadata.json", json.dumps({"from_code": "ru", "to_code": "de"}))
    return archive


HOSTILE = {
    "not-a-zip": "not a zip archive",
    "truncated": "not a zip archive",
    "zip-slip": "escapes the package folder",
    "absolute": "has an absolute path",
    "symlink": "is a symlink",
    "two-folders": "expected one top-level package folder",
    "no-metadata": "no metadata.json",
    "no-model": "no CTranslate2 model",
    "no-tokenizer": "no tokenizer (sentencepiece.model or bpe.model)",
    "german": "newsmon needs →en",
}


def test_hostile_archives_are_rejected_and_nothing_is_installed(tmp_path):
    pkg_dir = build_package_dir(tmp_path / "build", from_code="ru")
    models_dir = tmp_path / "models"
    archives = [_hostile(tmp_path, pkg_dir, kind) for kind in HOSTILE]
    # one process for all of them: each failure is reported, the others still tried
    result = models("install", *map(str, archives), models_dir=models_dir)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(HOSTILE)
    for line, archive, reason in zip(lines, archives, HOSTILE.values()):
        assert line.startswith(f"newsmon: {archive}: "), line
        assert reason in line, line
    assert not models_dir.exists() or list(models_dir.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()
    assert leftovers(models_dir) == []


def test_absurd_sizes_are_rejected_before_extracting(tmp_path):
    archive = tmp_path / "bomb.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("translate-ru_en/metadata.json", json.dumps({"from_code": "ru", "to_code": "en"}))
        zf.writestr("translate-ru_en/model/model.bin", b"\0" * (8 * 1024 * 1024))
    assert archive.stat().st_size < 100_000
    with pytest.raises(PackageError, match="unpacks to .* bytes"):
        install_archive(archive, tmp_path / "models", max_unpacked_bytes=1024 * 1024)
    with pytest.raises(PackageError, match="members"):
        check_archive(archive, max_members=1)
    assert not (tmp_path / "models").exists() or list((tmp_path / "models").iterdir()) == []


def test_install_from_local_http_index(tmp_path, tmp_path_factory):
    archive = cached_argosmodel(tmp_path_factory, "ru")
    server = FixtureServer({}).start()
    try:
        index = [
            {"type": "translate", "from_code": "ru", "to_code": "en", "package_version": "1.0",
             "argos_version": "1.0", "from_name": "Russian", "to_name": "English",
             "links": [server.url("/packages/translate-ru_en-1_0.argosmodel")]},
            {"type": "translate", "from_code": "en", "to_code": "ru", "package_version": "1.0",
             "links": [server.url("/packages/translate-en_ru-1_0.argosmodel")]},
            {"type": "translate", "from_code": "it", "to_code": "en", "package_version": "1.0",
             "links": [server.url("/packages/missing.argosmodel")]},
        ]
        server.routes["/index.json"] = Route(json.dumps(index), content_type="application/json")
        server.routes["/packages/translate-ru_en-1_0.argosmodel"] = Route(archive.read_bytes(), content_type="application/zip")
        models_dir = tmp_path / "models"
        index_url = server.url("/index.json")
        result = models("install", "ru", "--index", index_url, models_dir=models_dir)
        assert result.returncode == 0, result.stderr
        assert "installed translate-ru_en 1.0 (ru→en)" in result.stdout
        assert "/packages/translate-ru_en-1_0.argosmodel" in server.paths()
        # the index folder form (Argos's ARGOS_PACKAGE_INDEX style) and the env variable work too
        again = run_newsmon("models", "install", "ru", "--models-dir", str(models_dir),
                            env={"NEWSMON_MODELS_INDEX": server.url("/")})
        assert again.returncode == 0, again.stderr
        # a package URL directly; a broken download is refused like a broken file
        server.routes["/packages/broken.argosmodel"] = Route(b"PK\x03\x04 not really", content_type="application/zip")
        direct = models("install", server.url("/packages/translate-ru_en-1_0.argosmodel"), server.url("/packages/broken.argosmodel"),
                        models_dir=models_dir)
        assert direct.returncode == 1 and "installed translate-ru_en 1.0" in direct.stdout
        assert direct.stderr.strip() == f"newsmon: {server.url('/packages/broken.argosmodel')}: not a zip archive"
        missing = models("install", "de", "it", "--index", index_url, models_dir=models_dir)
        assert missing.returncode == 1
        lines = missing.stderr.strip().splitlines()
        assert lines[0] == f"newsmon: no de→en package in the index {index_url}"
        assert "missing.argosmodel: download failed" in lines[1]
        assert sorted(p.name for p in models_dir.iterdir()) == ["translate-ru_en-1_0"]
        assert leftovers(models_dir) == []
    finally:
        server.stop()
