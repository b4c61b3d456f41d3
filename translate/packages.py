"""Installing, listing and removing Argos Translate packages (``.argosmodel`` zips).

Argos packages are read and installed here, without the ``argostranslate``
library: its declared dependencies pull stanza and torch (several GB) for a
``translate()`` newsmon never uses, and its installer extracts straight into the
packages folder. newsmon shares Argos's packages folder and index, and reads the
package format Argos documents (``metadata.json`` next to ``model/`` and a
tokenizer), validating every field it knows before trusting it.

An archive is checked before anything is written (zip, member paths, symlinks,
total size and compression ratio, metadata, folder name agreeing with the
metadata's languages), extracted into a staging folder inside the models folder,
loaded once with CTranslate2, and moved into place with one rename, so a bad or
interrupted archive leaves nothing and never replaces another language pair.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
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

#: Refuse archives that unpack to more than this (the largest Argos packages unpack to ~300 MB).
MAX_UNPACKED_BYTES = 2 * 1024**3
#: Refuse members packed more tightly than this (model weights barely compress; a zip bomb packs ~1000:1).
MAX_COMPRESSION_RATIO = 50
#: Members smaller than this are not held to the ratio (a few KB of JSON or text compress well).
RATIO_FREE_BYTES = 1024**2
MAX_MEMBERS = 10_000
#: Refuse index files and downloads larger than these.
MAX_INDEX_BYTES = 16 * 1024**2
MAX_DOWNLOAD_BYTES = 2 * 1024**3
DOWNLOAD_TIMEOUT = 60.0
#: Argos's own defaults (argostranslate.settings), used when no folder or index is named.
ARGOS_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"

TARGET_LANG = "en"
_LANG = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")


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


def argos_packages_dir() -> Path:
    """Argos's packages folder: ``$ARGOS_PACKAGES_DIR``, else ``<XDG data>/argos-translate/packages``."""
    if os.environ.get("ARGOS_PACKAGES_DIR"):
        return Path(os.environ["ARGOS_PACKAGES_DIR"]).expanduser()
    home = Path(os.environ["SNAP_USER_DATA"]) if "SNAP" in os.environ and "SNAP_USER_DATA" in os.environ else Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return data / "argos-translate" / "packages"


def resolve_models_dir(value: str | os.PathLike | None = None) -> Path:
    """Flag, then ``$NEWSMON_MODELS_DIR``, then Argos's own packages folder."""
    chosen = value or os.environ.get("NEWSMON_MODELS_DIR")
    return Path(chosen).expanduser() if chosen else argos_packages_dir()


def default_index_url() -> str:
    """``$NEWSMON_MODELS_INDEX``, else Argos's index (``$ARGOS_PACKAGE_INDEX`` or its default)."""
    return os.environ.get("NEWSMON_MODELS_INDEX") or os.environ.get("ARGOS_PACKAGE_INDEX") or ARGOS_INDEX


# --- metadata.json ---------------------------------------------------------------------

#: Argos's metadata fields and their JSON types; other keys are ignored.
_STRING_FIELDS = ("package_version", "argos_version", "from_code", "from_name", "to_code", "to_name",
                  "type", "code", "target_prefix")
_LIST_FIELDS = ("links", "languages", "dependencies", "source_languages", "target_languages", "from_codes", "to_codes")


def validate_metadata(metadata: object, where: str) -> dict:
    """Check a package's metadata against Argos's format; raises ``PackageError`` naming the field.

    ``from_code``/``to_code`` are required language codes, the known text fields
    are strings, the known list fields are lists, and ``links`` lists strings.
    """
    if not isinstance(metadata, dict):
        raise PackageError(f"{where}: metadata.json is not a JSON object")
    for key in _STRING_FIELDS:
        if key in metadata and not isinstance(metadata[key], str):
            raise PackageError(f"{where}: metadata.json: {key!r} must be a string, not {_json_type(metadata[key])}")
    for key in _LIST_FIELDS:
        if key in metadata and not isinstance(metadata[key], list):
            raise PackageError(f"{where}: metadata.json: {key!r} must be a list, not {_json_type(metadata[key])}")
    if not all(isinstance(link, str) for link in metadata.get("links", [])):
        raise PackageError(f"{where}: metadata.json: 'links' must list strings")
    for key in ("from_code", "to_code"):
        if not metadata.get(key):
            raise PackageError(f"{where}: metadata.json has no {key}")
        if not _LANG.match(metadata[key]):
            raise PackageError(f"{where}: metadata.json: {key} {metadata[key][:40]!r} is not a language code")
    return metadata


def _json_type(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def package_name(metadata: dict) -> str:
    """argospm's name for a package: ``<type>-<from>_<to>``."""
    return f"{metadata.get('type', 'translate')}-{metadata['from_code']}_{metadata['to_code']}"


def name_agrees(name: str, from_code: str, to_code: str) -> bool:
    """Whether a folder or file name either names no language pair or names this one (``translate-ru_en-1_9``)."""
    pairs = re.findall(r"(?<![a-z])([a-z]{2,3})_([a-z]{2,3})(?![a-z])", name.lower())
    return not pairs or (from_code.lower(), to_code.lower()) in pairs


def _tokenizer_kind(path: Path) -> str:
    if (path / "sentencepiece.model").is_file():
        return "sentencepiece"
    if (path / "bpe.model").is_file():
        return "bpe"
    return "none"


def read_metadata(path: Path) -> dict:
    """A package folder's validated ``metadata.json``."""
    try:
        raw = (path / "metadata.json").read_text(encoding="utf-8")
        metadata = json.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"{path}: not an Argos package (metadata.json: {' '.join(str(exc).split())})") from None
    return validate_metadata(metadata, str(path))


def read_package(path: Path) -> InstalledModel:
    """Read one package folder (its ``metadata.json`` and which tokenizer it ships)."""
    metadata = read_metadata(path)
    return InstalledModel(
        name=package_name(metadata),
        version=metadata.get("package_version") or "0",
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        path=path,
        tokenizer=_tokenizer_kind(path),
        target_prefix=metadata.get("target_prefix", ""),
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
            model = read_package(child)
        except PackageError as exc:
            logger.warning("%s", exc)
            continue
        if model.name.startswith("translate-"):
            found.append(model)
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


def _check_sizes(archive: Path, infos: list[zipfile.ZipInfo], max_unpacked_bytes: int, max_ratio: float) -> None:
    """Total unpacked size and per-member compression ratio, from the headers (``_extract`` holds them to it)."""
    total = sum(info.file_size for info in infos)
    if total > max_unpacked_bytes:
        raise PackageError(f"{archive}: unpacks to {total} bytes (more than {max_unpacked_bytes})")
    for info in infos:
        if info.file_size > RATIO_FREE_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise PackageError(f"{archive}: member {info.filename!r} is compressed {ratio:.0f}:1 "
                               f"(more than {max_ratio:g}:1): refusing a zip bomb")


def check_archive(
    archive: Path, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES, max_members: int = MAX_MEMBERS,
    max_ratio: float = MAX_COMPRESSION_RATIO, expect_from: str | None = None,
) -> tuple[str, dict]:
    """Check an ``.argosmodel`` before anything is extracted; returns its top folder and metadata.

    Raises ``PackageError`` for a bad zip, member paths outside one top folder
    (absolute, ``..``, symlinks), absurd sizes or compression ratios, invalid
    metadata, a folder or file name naming another language pair than the
    metadata, a source language other than ``expect_from``, or missing model/tokenizer.
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
            _check_sizes(archive, infos, max_unpacked_bytes, max_ratio)
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
            if zf.getinfo(f"{top}/metadata.json").file_size > 1024**2:
                raise PackageError(f"{archive}: metadata.json is larger than 1 MB")
            try:
                metadata = json.loads(zf.read(f"{top}/metadata.json"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise PackageError(f"{archive}: metadata.json is not valid JSON ({exc})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise PackageError(f"{archive}: broken zip archive ({exc})") from None
    validate_metadata(metadata, str(archive))
    from_code, to_code = metadata["from_code"], metadata["to_code"]
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"{archive}: a {metadata.get('type')!r} package, not a translation model")
    if to_code != TARGET_LANG:
        raise PackageError(f"{archive}: translates {from_code}→{to_code}; newsmon needs →{TARGET_LANG}")
    for name in (top, archive.name):
        if not name_agrees(name, from_code, to_code):
            raise PackageError(f"{archive}: named {name!r} but its metadata.json says {from_code}→{to_code}")
    if expect_from and from_code != expect_from:
        raise PackageError(f"{archive}: listed for {expect_from}→{TARGET_LANG} but its metadata.json says {from_code}→{to_code}")
    if "sentencepiece.model" not in files and "bpe.model" not in files:
        raise PackageError(f"{archive}: no tokenizer (sentencepiece.model or bpe.model) in the package")
    return top, metadata


def _extract(archive: Path, dest: Path, *, max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Extract member by member, never trusting the header sizes."""
    total = 0
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
                    total += len(chunk)
                    if written > info.file_size or total > max_unpacked_bytes:
                        raise PackageError(f"{archive}: member {info.filename!r} is larger than declared")
                    out.write(chunk)


def disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def try_load_ctranslate2(folder: Path, *, source: object) -> None:
    """Load a model once with CTranslate2 before it is moved into place: a garbage model.bin fails here."""
    import ctranslate2  # noqa: PLC0415

    try:
        translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8")
    except (RuntimeError, ValueError, OSError) as exc:
        raise PackageError(f"{source}: CTranslate2 cannot load model.bin ({' '.join(str(exc).split())[:200]})") from None
    del translator


def staging_dir(models_dir: Path, prefix: str) -> Path:
    """A private hidden folder inside ``models_dir``: downloads and extraction never leave it."""
    models_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=models_dir))


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


def _check_replaceable(target: Path, metadata: dict, source: object) -> None:
    """Never replace a folder holding another language pair (or something that is no package)."""
    if not target.exists():
        return
    try:
        current = read_metadata(target)
    except PackageError:
        raise PackageError(f"{source}: {target} exists and is not a readable Argos package; not replacing it") from None
    pair = (metadata["from_code"], metadata["to_code"])
    if (current["from_code"], current["to_code"]) != pair:
        raise PackageError(f"{source}: would replace {target}, a {current['from_code']}→{current['to_code']} package, "
                           f"with {pair[0]}→{pair[1]}; refusing")


def install_archive(archive: Path, models_dir: Path, *, shown_as: str | None = None, expect_from: str | None = None,
                    **limits) -> InstalledModel:
    """Check, extract to a staging folder, load once, and move into ``models_dir`` in one rename.

    An older version of the same package is replaced; on any error nothing
    changes in ``models_dir``. ``shown_as`` names the archive in messages (a URL
    instead of the download's path).
    """
    archive = Path(archive)
    source = shown_as or str(archive)
    try:
        top, metadata = check_archive(archive, expect_from=expect_from, **limits)
    except PackageError as exc:
        raise PackageError(str(exc).replace(str(archive), source)) from None
    target = models_dir / top
    _check_replaceable(target, metadata, source)
    staging = staging_dir(models_dir, ".newsmon-install-")
    try:
        try:
            _extract(archive, staging, **{k: v for k, v in limits.items() if k == "max_unpacked_bytes"})
        except OSError as exc:
            if disk_full(exc):
                raise PackageError(f"{source}: disk full while extracting into {models_dir}") from None
            raise PackageError(f"{source}: extracting failed ({exc.strerror or exc})") from None
        except (zipfile.BadZipFile, EOFError) as exc:
            raise PackageError(f"{source}: broken zip archive ({exc})") from None
        staged = staging / top
        model = read_package(staged)
        try_load_ctranslate2(staged / "model", source=source)
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
        trash = staging_dir(models_dir, ".newsmon-remove-")
        path.rename(trash / path.name)
        shutil.rmtree(trash, ignore_errors=True)
    return matches


# --- downloads and the package index -----------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib would also follow ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise PackageError(f"{req.full_url}: redirects to {newurl[:200]}; only http(s) is followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_HttpOnlyRedirects())


def _is_remote(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme in ("http", "https")


def _local_path(location: str) -> Path:
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(location).path)) if location.startswith("file:") else Path(location)


def _read_local(location: str, limit: int) -> Path:
    """A local file the user named: a regular file (never a device such as /dev/zero), at most ``limit`` bytes."""
    path = _local_path(location)
    try:
        info = path.stat()
    except OSError:
        raise PackageError(f"{location}: no such file") from None
    if not stat.S_ISREG(info.st_mode):
        raise PackageError(f"{location}: not a regular file")
    if info.st_size > limit:
        raise PackageError(f"{location}: larger than {limit} bytes")
    return path


def _stream(url: str, out, *, limit: int, progress: bool = False) -> None:
    """Copy ``url`` (http or https only) into ``out``, refusing more than ``limit`` bytes.

    ``progress`` shows a byte progress bar on a terminal (tqdm; nothing when not a TTY).
    """
    from tqdm import tqdm  # noqa: PLC0415

    if not _is_remote(url):
        raise PackageError(f"{url[:200]}: only http(s) links are followed")
    try:
        with _opener.open(urllib.request.Request(url, headers={"User-Agent": "newsmon"}), timeout=DOWNLOAD_TIMEOUT) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise PackageError(f"{url}: larger than {limit} bytes")
            name = PurePosixPath(urllib.parse.urlsplit(url).path).name[-40:]
            with tqdm(total=int(declared) if declared and declared.isdigit() else None, unit="B", unit_scale=True,
                      desc=name, disable=None if progress else True, leave=False) as bar:
                written = 0
                while chunk := response.read(1024 * 1024):
                    written += len(chunk)
                    if written > limit:
                        raise PackageError(f"{url}: larger than {limit} bytes")
                    out.write(chunk)
                    bar.update(len(chunk))
    except OSError as exc:  # URLError and HTTPError are OSErrors
        if disk_full(exc):
            raise PackageError(f"{url}: disk full while downloading") from None
        reason = getattr(exc, "reason", None) or exc.strerror or exc
        raise PackageError(f"{url}: download failed ({reason})") from None
    except ValueError as exc:
        raise PackageError(f"{url}: download failed ({exc})") from None


def _download_to(url: str, dest: Path) -> None:
    """Stream an http(s) ``url`` to ``dest`` (inside the models folder), at most MAX_DOWNLOAD_BYTES."""
    with open(dest, "wb") as out:
        _stream(url, out, limit=MAX_DOWNLOAD_BYTES, progress=True)


def index_url(value: str) -> str:
    """An index folder URL (Argos style, ending in ``/``) means its ``index.json``."""
    return value + "index.json" if value.endswith("/") else value


def load_index(url: str) -> list:
    """The package index: a JSON list of package metadata (Argos's index format).

    An http(s) URL, or a local file the user named (a path or ``file://``).
    """
    url = index_url(url)
    if _is_remote(url):
        import io  # noqa: PLC0415

        buffer = io.BytesIO()
        _stream(url, buffer, limit=MAX_INDEX_BYTES)
        data = buffer.getvalue()
    elif "://" in url and not url.startswith("file:"):
        raise PackageError(f"{url}: unsupported URL scheme {urllib.parse.urlsplit(url).scheme!r}")
    else:
        data = _read_local(url, MAX_INDEX_BYTES).read_bytes()
    try:
        index = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageError(f"{url}: not a JSON package index ({exc})") from None
    if not isinstance(index, list):
        raise PackageError(f"{url}: not a package index (expected a JSON list)")
    return index


def find_in_index(index: list, lang: str) -> dict | None:
    """The newest valid ``translate`` entry from ``lang`` to English in the index (invalid entries are skipped)."""
    candidates = []
    for entry in index:
        try:
            validate_metadata(entry, "index entry")
        except PackageError as exc:
            logger.debug("%s", exc)
            continue
        if entry.get("type", "translate") == "translate" and entry["from_code"] == lang \
                and entry["to_code"] == TARGET_LANG and entry.get("links"):
            candidates.append(entry)
    if not candidates:
        return None
    return max(candidates, key=lambda e: _version_key(e.get("package_version", "")))


def index_languages(index: list) -> set[str]:
    """Source languages the index has an English package for."""
    return {lang for lang in {e.get("from_code") for e in index if isinstance(e, dict)}
            if isinstance(lang, str) and find_in_index(index, lang) is not None}


def _resolve_link(index: str, link: str) -> str:
    """A link as the index means it: relative links against the index; remote indexes link http(s) only."""
    if _is_remote(index):
        resolved = urllib.parse.urljoin(index, link)
        if not _is_remote(resolved):
            raise PackageError(f"{index}: links to {link[:200]}; a remote index may link http(s) only")
        return resolved
    if _is_remote(link):
        return link
    if "://" in link and not link.startswith("file:"):
        raise PackageError(f"{index}: links to {link[:200]}; only http(s) links or files next to the index")
    folder = _local_path(index).resolve().parent
    resolved = (folder / _local_path(link)).resolve()
    if not resolved.is_relative_to(folder):
        raise PackageError(f"{index}: links to {link[:200]}, outside the index's folder {folder}")
    return str(resolved)


def _fetch_archive(link: str, dest: Path) -> None:
    if _is_remote(link):
        _download_to(link, dest)
        return
    if "://" in link and not link.startswith("file:"):
        raise PackageError(f"{link[:200]}: unsupported URL scheme")
    shutil.copyfile(_read_local(link, MAX_DOWNLOAD_BYTES), dest)


def install_from_url(url: str, models_dir: Path) -> InstalledModel:
    """Download one ``.argosmodel`` (http or https) and install it like a file."""
    staging = staging_dir(models_dir, ".newsmon-download-")
    try:
        archive = staging / _archive_name(url)
        _download_to(url, archive)
        return install_archive(archive, models_dir, shown_as=url)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _archive_name(url: str) -> str:
    """The download's file name: the URL's last segment, so its pair is checked against the metadata."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(urllib.parse.urlsplit(url).path).name)[:100]
    return name if name.endswith(".argosmodel") else "package.argosmodel"


def install_from_index(lang: str, models_dir: Path, *, index: str, entries: list | None = None) -> InstalledModel:
    """Download the ``lang``→en package listed in ``index`` and install it like a file."""
    url = index_url(index)
    entries = load_index(index) if entries is None else entries
    entry = find_in_index(entries, lang)
    if entry is None:
        raise PackageError(f"no {lang}→{TARGET_LANG} package in the index {url}")
    errors = []
    staging = staging_dir(models_dir, ".newsmon-download-")
    try:
        for link in entry["links"]:
            try:
                link = _resolve_link(url, link)
                archive = staging / _archive_name(link)
                logger.info("downloading %s", link)
                _fetch_archive(link, archive)
            except PackageError as exc:
                errors.append(str(exc))
                continue
            return install_archive(archive, models_dir, shown_as=link, expect_from=lang)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    raise PackageError(errors[-1] if errors else f"{lang}: the index lists no download link")
