"""Model installs against a hostile archive, index or mirror (issue 11), each replayed on loopback.

Each attack is built here from a real package (random weights, see
tests/translation_models.py) and served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import newsmon_env, run_newsmon
from tests.fixtures.server import FixtureServer, Route
from tests.translation_models import build_package_dir, cached_argosmodel
from translate import packages
from translate.packages import PackageError, install_archive, install_from_index, installed_packages


def models(*args: str, models_dir: Path, env: dict | None = None):
    return run_newsmon("models", *args, "--models-dir", str(models_dir), env=env)


def hidden_leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.glob(".newsmon-*")) if models_dir.exists() else []


@pytest.fixture(scope="module")
def ru_dir(tmp_path_factory) -> Path:
    return build_package_dir(tmp_path_factory.mktemp("hostile-build"), from_code="ru")


def repack(pkg_dir: Path, archive: Path, *, top: str | None = None, metadata: object = None,
           replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """``pkg_dir`` zipped under ``top``, with metadata.json or other members replaced or added."""
    top = top or pkg_dir.name
    replace = dict(replace or {})
    if metadata is not None:
        replace["metadata.json"] = json.dumps(metadata).encode()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(pkg_dir.rglob("*")):
            rel = path.relative_to(pkg_dir).as_posix()
            if path.is_file():
                zf.writestr(f"{top}/{rel}", replace.pop(rel, None) or path.read_bytes())
        for rel, data in {**replace, **(extra or {})}.items():
            zf.writestr(f"{top}/{rel}", data)
    return archive


def test_zip_bomb_is_refused_before_extracting(tmp_path, ru_dir):
    archive = tmp_path / "translate-ru_en-1_0.argosmodel"
    repack(ru_dir, archive)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(f"{ru_dir.name}/model/padding.bin", "w") as out:
        for _ in range(64):
            out.write(b"\0" * 1024**2)  # 64 MB of zeros pack into ~64 KB
    assert archive.stat().st_size < 2 * 1024**2
    models_dir = tmp_path / "models"
    result = models("install", str(archive), models_dir=models_dir)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"newsmon: {archive}: member '{ru_dir.name}/model/padding.bin' is compressed ")
    assert "zip bomb" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not models_dir.exists() or list(models_dir.iterdir()) == []
    # the total is capped too, whatever the ratio
    with pytest.raises(PackageError, match="unpacks to .* bytes"):
        install_archive(archive, models_dir, max_unpacked_bytes=10 * 1024**2, max_ratio=10**6)


def test_archive_named_for_one_language_with_metadata_of_another_is_refused(tmp_path, tmp_path_factory, ru_dir):
    models_dir = tmp_path / "models"
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    before = {p.name: (p / "metadata.json").read_text() for p in models_dir.iterdir()}
    italian = {"package_version": "9.0", "from_code": "it", "to_code": "en", "type": "translate"}
    # folder named for Russian, metadata says Italian
    folder = repack(ru_dir, tmp_path / "ru.argosmodel", top="translate-ru_en-1_0", metadata=italian)
    # file named for Russian, neutral folder, Italian metadata
    named = repack(ru_dir, tmp_path / "translate-ru_en-9_0.argosmodel", top="package", metadata=italian)
    result = models("install", str(folder), str(named), models_dir=models_dir)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stderr
    assert lines[0] == f"newsmon: {folder}: named 'translate-ru_en-1_0' but its metadata.json says it→en"
    assert lines[1] == f"newsmon: {named}: named '{named.name}' but its metadata.json says it→en"
    # a neutral name may not replace another pair either
    shutil.copytree(models_dir / "translate-ru_en-1_0", models_dir / "package")
    before["package"] = before["translate-ru_en-1_0"]
    neutral = repack(ru_dir, tmp_path / "neutral.argosmodel", top="package", metadata=italian)
    again = models("install", str(neutral), models_dir=models_dir)
    assert again.returncode == 1
    assert "would replace" in again.stderr and "a ru→en package, with it→en; refusing" in again.stderr
    assert {p.name: (p / "metadata.json").read_text() for p in models_dir.iterdir()} == before


@pytest.mark.parametrize("metadata, reason", [
    ({"from_code": ["ru"], "to_code": "en"}, "metadata.json: 'from_code' must be a string, not a list"),
    ({"from_code": "ru", "to_code": "en", "package_version": 2}, "metadata.json: 'package_version' must be a string, not a number"),
    ({"from_code": "ru", "to_code": "en", "links": "http://x"}, "metadata.json: 'links' must be a list, not a string"),
    ({"from_code": "../../ru", "to_code": "en"}, "metadata.json: from_code '../../ru' is not a language code"),
    (["ru", "en"], "metadata.json is not a JSON object"),
])
def test_invalid_metadata_is_one_line(tmp_path, ru_dir, metadata, reason):
    archive = repack(ru_dir, tmp_path / "pkg.argosmodel", metadata=metadata)
    models_dir = tmp_path / "models"
    result = models("install", str(archive), models_dir=models_dir)
    assert result.returncode == 1
    assert result.stderr.strip() == f"newsmon: {archive}: {reason}"
    assert "Traceback" not in result.stderr
    assert not models_dir.exists() or list(models_dir.iterdir()) == []


def test_installed_folder_with_invalid_metadata_is_skipped_with_a_warning(tmp_path, ru_dir, caplog):
    broken = tmp_path / "models" / "translate-ru_en-1_0"
    shutil.copytree(ru_dir, broken)
    (broken / "metadata.json").write_text(json.dumps({"from_code": ["ru"], "to_code": "en"}))
    assert installed_packages(tmp_path / "models") == []
    assert "'from_code' must be a string, not a list" in caplog.text
    listing = models("list", models_dir=tmp_path / "models", env={"NEWSMON_DB": str(tmp_path / "none.db")})
    assert listing.returncode == 0 and "Traceback" not in listing.stderr


def test_garbage_model_bin_is_refused_at_install(tmp_path, ru_dir):
    archive = repack(ru_dir, tmp_path / "translate-ru_en-1_0.argosmodel", replace={"model/model.bin": b"not a model " * 100})
    models_dir = tmp_path / "models"
    result = models("install", str(archive), models_dir=models_dir)
    assert result.returncode == 1
    assert result.stderr.startswith(f"newsmon: {archive}: CTranslate2 cannot load model.bin (")
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(models_dir.iterdir()) == []


def test_remote_index_links_only_http_and_downloads_are_capped(tmp_path, tmp_path_factory, monkeypatch):
    archive = cached_argosmodel(tmp_path_factory, "ru")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the index")
    server = FixtureServer({}).start()
    models_dir = tmp_path / "models"
    try:
        def index(*links: str) -> str:
            server.routes["/index.json"] = Route(json.dumps([
                {"type": "translate", "from_code": "ru", "to_code": "en", "package_version": "1.0", "links": list(links)},
            ]), content_type="application/json")
            return server.url("/index.json")

        for link in ("file:///dev/zero", f"file://{secret}", "ftp://127.0.0.1/x.argosmodel"):
            with pytest.raises(PackageError, match="a remote index may link http.s. only"):
                install_from_index("ru", models_dir, index=index(link))
        # a path in a remote index is a path on that server, never a local file
        with pytest.raises(PackageError, match=r"http://127\.0\.0\.1:\d+/.*/secret.txt: download failed \(Not Found\)"):
            install_from_index("ru", models_dir, index=index(str(secret)))
        # a redirect off the web is not followed
        server.routes["/redirect.argosmodel"] = Route(status=302, headers={"Location": "ftp://127.0.0.1/translate-ru_en-1_0.argosmodel"})
        with pytest.raises(PackageError, match="only http.s. is followed"):
            install_from_index("ru", models_dir, index=index(server.url("/redirect.argosmodel")))
        # every download has a size cap, checked while streaming
        server.routes["/translate-ru_en-1_0.argosmodel"] = Route(archive.read_bytes(), content_type="application/zip")
        monkeypatch.setattr(packages, "MAX_DOWNLOAD_BYTES", 1000)
        with pytest.raises(PackageError, match="larger than 1000 bytes"):
            install_from_index("ru", models_dir, index=index(server.url("/translate-ru_en-1_0.argosmodel")))
        monkeypatch.undo()
        # an index entry listed for ru whose archive says it is Italian is refused
        italian = repack(build_package_dir(tmp_path / "it", from_code="it"), tmp_path / "x.argosmodel", top="package")
        server.routes["/package.argosmodel"] = Route(italian.read_bytes(), content_type="application/zip")
        with pytest.raises(PackageError, match="listed for ru→en but its metadata.json says it→en"):
            install_from_index("ru", models_dir, index=index(server.url("/package.argosmodel")))
        assert not list(models_dir.iterdir())
        # downloads land inside the models folder: nothing in $TMPDIR, no temporary path in the message
        tmpdir = tmp_path / "tmpdir"
        tmpdir.mkdir()
        bad = models("install", "ru", "--index", index(server.url("/missing.argosmodel")), models_dir=models_dir,
                     env={"TMPDIR": str(tmpdir)})
        assert bad.returncode == 1 and ".newsmon-" not in bad.stderr and "/tmp" not in bad.stderr.replace(str(tmp_path), "")
        good = models("install", "ru", "--index", index(server.url("/translate-ru_en-1_0.argosmodel")),
                      models_dir=models_dir, env={"TMPDIR": str(tmpdir)})
        assert good.returncode == 0, good.stderr
        assert list(tmpdir.iterdir()) == [] and hidden_leftovers(models_dir) == []
    finally:
        server.stop()
    assert not any("secret" in p.name for p in models_dir.rglob("*"))


def test_local_index_may_name_local_files_but_never_a_device(tmp_path, tmp_path_factory):
    archive = cached_argosmodel(tmp_path_factory, "ru")
    local = tmp_path / "mirror"
    local.mkdir()
    shutil.copy(archive, local / archive.name)
    entries = [{"type": "translate", "from_code": "ru", "to_code": "en", "package_version": "1.0", "links": [archive.name]}]
    (local / "index.json").write_text(json.dumps(entries))
    models_dir = tmp_path / "models"
    assert install_from_index("ru", models_dir, index=str(local / "index.json")).name == "translate-ru_en"
    secret = tmp_path / "secret.txt"
    secret.write_text("not a package")
    for link in ("/dev/zero", f"file://{secret}", "../secret.txt"):
        entries[0]["links"] = [link]
        (local / "index.json").write_text(json.dumps(entries))
        with pytest.raises(PackageError, match="outside the index's folder"):
            install_from_index("ru", models_dir, index=str(local / "index.json"))
    os.mkfifo(local / "pipe.argosmodel")  # inside the folder, but no regular file
    entries[0]["links"] = ["pipe.argosmodel"]
    (local / "index.json").write_text(json.dumps(entries))
    with pytest.raises(PackageError, match="pipe.argosmodel: not a regular file"):
        install_from_index("ru", models_dir, index=str(local / "index.json"))
    with pytest.raises(PackageError, match="not a regular file"):
        install_from_index("ru", models_dir, index="/dev/zero")


def test_disk_full_while_extracting_says_disk_full(tmp_path, tmp_path_factory):
    """A 64 KB tmpfs (a private mount namespace) fills up during extraction."""
    archive = cached_argosmodel(tmp_path_factory, "ru")
    small = tmp_path / "small"
    small.mkdir()
    script = f'mount -t tmpfs -o size=64k tmpfs {small} && exec "$0" -m newsmon models install {archive} --models-dir {small}/models'
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here (unshare -rm)")
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, sys.executable], capture_output=True, text=True,
                            timeout=120, env=newsmon_env(None), cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == f"newsmon: {archive}: disk full while extracting into {small}/models"
