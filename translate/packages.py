"""Installing, listing and removing Argos Translate packages (``.argosmodel`` zips).

Metadata is read with ``argostranslate.package`` (its ``Package`` and
``AvailablePackage`` classes), so newsmon sees packages exactly as Argos does and
shares its packages folder. Installing and removing are done here, not with
``argostranslate.package.install_from_path``/``uninstall``: those import
``argostranslate.translate`` (stanza, torch) to clear a cache, and extract
straight into the packages folder, so a bad or interrupted archive leaves a
half-installed package. Here an archive is checked first (zip, member paths,
symlinks, sizes, required files), extracted into a staging folder next to the
packages folder, and moved into place with one rename.

``argostranslate.settings`` reads the environment when imported, so it is
imported lazily, only to find Argos's default folder and index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

logger = logging.getLogger(__name__)

#: Refuse archives that unpack to more than this (the largest Argos packages are ~300 MB).
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_MEMBERS = 10_000
#: Refuse index files and downloads larger than these.
MAX_INDEX_BYTES = 16 * 1024**2
MAX_DOWNLOAD_BYTES = 2 * 1024**3
DOWNLOAD_TIMEOUT = 60.0

TARGET_LANG = "en"


class PackageError(Exception):
    """A package could not be installed, found or removed; the message is one line."""


@dataclass(frozen=True)
class InstalledModel:
    """An installed Argos package, as newsmon uses it."""

    name: str  # argospm name, e.g. "translate-ru_en"
    version: str
    from_code: str
    to_code: str
    path: Path
    tokenizer: str  # "sentencepiece", "bpe" or "none"
    target_prefix: str = ""

    @property
    def label(self) -> str:
        """Provenance stored with each translation: ``<package> <version>``."""
        return f"{self.name} {self.version}"

    @property
    def usable(self) -> bool:
        return self.problem is None

    @property
    def problem(self) -> str | None:
        if self.to_code != TARGET_LANG:
            return f"translates to {self.to_code}, not English"
        if self.tokenizer not in ("sentencepiece", "bpe"):
            return "has no tokenizer (sentencepiece.model or bpe.model)"
        if not (self.path / "model" / "model.bin").is_file():
            return "has no model/model.bin"
        return None


def _argos_settings():
    from argostranslate import settings  # noqa: PLC0415 - reads the environment on import

    return settings


def resolve_models_dir(value: str | os.PathLike | None = None) -> Path:
    """Flag, then ``$NEWSMON_MODELS_DIR``, then Argos's own packages folder.

    The chosen folder is also given to Argos (``ARGOS_PACKAGES_DIR``) before its
    settings are first imported, so both agree on where packages live.
    """
    chosen = value or os.environ.get("NEWSMON_MODELS_DIR")
    if chosen:
        path = Path(chosen).expanduser()
        os.environ.setdefault("ARGOS_PACKAGES_DIR", str(path))
        return path
    return Path(_argos_settings().package_data_dir)


def default_index_url() -> str:
    """``$NEWSMON_MODELS_INDEX``, else Argos's index (``$ARGOS_PACKAGE_INDEX`` or its default)."""
    return os.environ.get("NEWSMON_MODELS_INDEX") or _argos_settings().remote_package_index


def _tokenizer_kind(path: Path) -> str:
    if (path / "sentencepiece.model").is_file():
        return "sentencepiece"
    if (path / "bpe.model").is_file():
        return "bpe"
    return "none"


def read_package(path: Path) -> InstalledModel:
    """Read one package folder through ``argostranslate.package.Package``."""
    from argostranslate.package import Package, argospm_package_name  # noqa: PLC0415

    try:
        pkg = Package(path)
    except (OSError, ValueError) as exc:
        raise PackageError(f"{path}: not an Argos package ({exc})") from None
    if not pkg.from_code or not pkg.to_code:
        raise PackageError(f"{path}: metadata.json has no from_code/to_code")
    return InstalledModel(
        name=argospm_package_name(pkg),
        version=str(pkg.package_version or "0"),
        from_code=pkg.from_code,
        to_code=pkg.to_code,
        path=path,
        tokenizer=_tokenizer_kind(path),
        target_prefix=getattr(pkg, "target_prefix", "") or "",
    )


def installed_packages(models_dir: Path) -> list[InstalledModel]:
    """Every readable package in ``models_dir``; unreadable folders are logged and skipped."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in sorted(models_dir.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        try:
            found.append(read_package(child))
        except PackageError as exc:
            logger.warning("%s", exc)
    return found


def _version_key(version: str):
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def models_by_language(models_dir: Path) -> dict[str, InstalledModel]:
    """The usable package per source language (the newest version when several)."""
    best: dict[str, InstalledModel] = {}
    for model in installed_packages(models_dir):
        if not model.usable:
            continue
        current = best.get(model.from_code)
        if current is None or _version_key(model.version) > _version_key(current.version):
            best[model.from_code] = model
    return best


# --- checking archives -------------------------------------------------------------


def _member_path(info: zipfile.ZipInfo, archive: Path) -> PurePosixPath:
    name = info.filename
    if "\\" in name or "\x00" in name:
        raise PackageError(f"{archive}: member {name!r} has a backslash or NUL in its name")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageError(f"{archive}: member {name!r} has an absolute path")
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts) or not path.parts:
        raise PackageError(f"{archive}: member {name!r} escapes the package folder")
    mode = info.external_attr >> 16
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        kind = "a symlink" if stat.S_ISLNK(mode) else "not a regular file"
        raise PackageError(f"{archive}: member {name!r} is {kind}")
    return path


def check_archive(
    archive: Path, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES, max_members: int = MAX_MEMBERS
) -> str:
    """Check an ``.argosmodel`` before anything is extracted; returns its top folder name.

    Raises ``PackageError`` for a bad zip, member paths outside one top folder
    (absolute, ``..``, symlinks), absurd sizes, or missing metadata/model/tokenizer.
    """
    if not archive.is_file():
        raise PackageError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{archive}: not a zip archive")
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > max_members:
                raise PackageError(f"{archive}: {len(infos)} members (more than {max_members})")
            paths = [_member_path(info, archive) for info in infos]
            names = [str(p) for p in paths]
            if len(set(names)) != len(names):
                raise PackageError(f"{archive}: duplicate member names")
            total = sum(info.file_size for info in infos)
            if total > max_unpacked_bytes:
                raise PackageError(f"{archive}: unpacks to {total} bytes (more than {max_unpacked_bytes})")
            tops = {p.parts[0] for p in paths}
            if len(tops) != 1:
                raise PackageError(f"{archive}: expected one top-level package folder, found {len(tops)}")
            top = tops.pop()
            if top.startswith(".") or any(len(p.parts) == 1 and not info.is_dir() for p, info in zip(paths, infos)):
                raise PackageError(f"{archive}: expected one top-level package folder")
            files = {"/".join(p.parts[1:]) for p, info in zip(paths, infos) if not info.is_dir()}
            if "metadata.json" not in files:
                raise PackageError(f"{archive}: no metadata.json in the package")
            if "model/model.bin" not in files:
                raise PackageError(f"{archive}: no CTranslate2 model (model/model.bin) in the package")
            try:
                metadata = json.loads(zf.read(f"{top}/metadata.json"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise PackageError(f"{archive}: metadata.json is not valid JSON ({exc})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise PackageError(f"{archive}: broken zip archive ({exc})") from None
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
        raise PackageError(f"{archive}: metadata.json has no from_code/to_code")
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"{archive}: a {metadata.get('type')!r} package, not a translation model")
    if metadata["to_code"] != TARGET_LANG:
        raise PackageError(f"{archive}: translates {metadata['from_code']}→{metadata['to_code']}; newsmon needs →{TARGET_LANG}")
    if "sentencepiece.model" not in files and "bpe.model" not in files:
        raise PackageError(f"{archive}: no tokenizer (sentencepiece.model or bpe.model) in the package")
    return top


def _extract(archive: Path, dest: Path) -> None:
    """Extract member by member, never trusting the header sizes."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = dest.joinpath(*PurePosixPath(info.filename).parts)
            if not target.resolve().is_relative_to(dest.resolve()):
                raise PackageError(f"{archive}: member {info.filename!r} escapes the package folder")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    if written > info.file_size:
                        raise PackageError(f"{archive}: member {info.filename!r} is larger than declared")
                    out.write(chunk)


def swap_into_place(staged: Path, target: Path, *, staging: Path) -> None:
    """Replace ``target`` with the fully prepared ``staged`` folder by renames only.

    A reader sees the old folder or the new one, never a half-copied one; if the
    final rename fails the old folder is put back. The replaced folder is left in
    ``staging`` (same file system) for the caller's cleanup.
    """
    previous = staging / ".previous"
    if target.exists():
        target.rename(previous)
    try:
        staged.rename(target)
    except OSError:
        if previous.exists():
            previous.rename(target)
        raise


def install_archive(archive: Path, models_dir: Path, **limits) -> InstalledModel:
    """Check, extract to a staging folder and move into ``models_dir`` in one rename.

    An older version of the same package is replaced; on any error nothing
    changes in ``models_dir``.
    """
    archive = Path(archive)
    top = check_archive(archive, **limits)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".newsmon-install-", dir=models_dir.parent))
    try:
        try:
            _extract(archive, staging)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PackageError(f"{archive}: broken zip archive ({exc})") from None
        staged = staging / top
        model = read_package(staged)  # Argos must be able to read it too
        target = models_dir / top
        swap_into_place(staged, target, staging=staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = read_package(target)
    logger.info("installed %s (%s→%s) into %s", installed.label, model.from_code, model.to_code, target)
    return installed


def remove_package(code: str, models_dir: Path) -> list[InstalledModel]:
    """Remove the packages named ``code`` (``translate-ru_en``) or translating from language ``code``."""
    matches = [m for m in installed_packages(models_dir) if code in (m.name, m.from_code, m.path.name)]
    if not matches:
        raise PackageError(f"no installed package matches {code!r} in {models_dir}")
    root = models_dir.resolve()
    for model in matches:
        path = model.path.resolve()
        if path.parent != root:
            raise PackageError(f"{path}: not directly inside {models_dir}; not removing")
        # Rename first so a half-removed folder never looks like a package.
        trash = Path(tempfile.mkdtemp(prefix=".newsmon-remove-", dir=models_dir.parent))
        path.rename(trash / path.name)
        shutil.rmtree(trash, ignore_errors=True)
    return matches


# --- the package index ---------------------------------------------------------------


def _open_url(url: str, *, limit: int) -> bytes:
    if "://" not in url:
        path = Path(url)
        if not path.is_file():
            raise PackageError(f"{url}: no such file")
        if path.stat().st_size > limit:
            raise PackageError(f"{url}: larger than {limit} bytes")
        return path.read_bytes()
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https", "file"):
        raise PackageError(f"{url}: unsupported URL scheme {scheme!r}")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "newsmon"}), timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PackageError(f"{url}: download failed ({reason})") from None
    if len(data) > limit:
        raise PackageError(f"{url}: larger than {limit} bytes")
    return data


def _download_to(url: str, dest: Path) -> None:
    """Stream ``url`` (or a local path) to ``dest``, at most MAX_DOWNLOAD_BYTES."""
    if "://" not in url:
        shutil.copyfile(url, dest)
        return
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "newsmon"}), timeout=DOWNLOAD_TIMEOUT) as response, open(dest, "wb") as out:
            written = 0
            while chunk := response.read(1024 * 1024):
                written += len(chunk)
                if written > MAX_DOWNLOAD_BYTES:
                    raise PackageError(f"{url}: larger than {MAX_DOWNLOAD_BYTES} bytes")
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PackageError(f"{url}: download failed ({reason})") from None


def index_url(value: str) -> str:
    """An index folder URL (Argos style, ending in ``/``) means its ``index.json``."""
    return value + "index.json" if value.endswith("/") else value


def load_index(url: str) -> list:
    """The package index: a JSON list of package metadata (Argos's index format)."""
    url = index_url(url)
    data = _open_url(url, limit=MAX_INDEX_BYTES)
    try:
        index = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageError(f"{url}: not a JSON package index ({exc})") from None
    if not isinstance(index, list):
        raise PackageError(f"{url}: not a package index (expected a JSON list)")
    return index


def find_in_index(index: list, lang: str):
    """The newest ``translate`` package from ``lang`` to English in the index."""
    from argostranslate.package import AvailablePackage  # noqa: PLC0415

    candidates = []
    for entry in index:
        if not isinstance(entry, dict):
            continue
        pkg = AvailablePackage(entry)
        if pkg.type == "translate" and pkg.from_code == lang and pkg.to_code == TARGET_LANG and pkg.links:
            candidates.append(pkg)
    if not candidates:
        return None
    return max(candidates, key=lambda p: _version_key(str(p.package_version)))


def install_from_url(url: str, models_dir: Path) -> InstalledModel:
    """Download one ``.argosmodel`` and install it like a file."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".newsmon-download-", dir=models_dir.parent) as tmp:
        archive = Path(tmp) / "package.argosmodel"
        _download_to(url, archive)
        try:
            return install_archive(archive, models_dir)
        except PackageError as exc:
            raise PackageError(str(exc).replace(str(archive), url)) from None


def install_from_index(lang: str, models_dir: Path, *, index: str) -> InstalledModel:
    """Download the ``lang``→en package listed in ``index`` and install it like a file."""
    entries = load_index(index)
    pkg = find_in_index(entries, lang)
    if pkg is None:
        raise PackageError(f"no {lang}→{TARGET_LANG} package in the index {index_url(index)}")
    models_dir.mkdir(parents=True, exist_ok=True)
    errors = []
    with tempfile.TemporaryDirectory(prefix=".newsmon-download-", dir=models_dir.parent) as tmp:
        archive = Path(tmp) / "package.argosmodel"
        for link in pkg.links:
            if "://" in index:
                link = urllib.parse.urljoin(index_url(index), link)
            elif "://" not in link:
                link = str(Path(index).parent / link)
            try:
                logger.info("downloading %s", link)
                _download_to(link, archive)
            except PackageError as exc:
                errors.append(str(exc))
                continue
            return install_archive(archive, models_dir)
    raise PackageError(errors[-1] if errors else f"{lang}: the index lists no download link")
