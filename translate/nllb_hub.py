"""NLLB-200 for Uzbek, Kazakh and their neighbours, fetched ready-converted from the Hugging Face Hub.

No torch: a CTranslate2 conversion of ``facebook/nllb-200-distilled-600M`` published on
the Hub is downloaded file by file through ``huggingface_hub`` (``HF_ENDPOINT`` and its
other settings honoured, so a mirror works), each file checked, then installed through
``translate.nllb.install_nllb`` like a local folder (checked, loaded once, one rename).

What is fetched is data, not code: a ``HubPin`` (repository, revision, file → SHA-256).
A file whose pinned hash is unknown is checked against the content address the Hub
gives for it at that immutable revision (the LFS SHA-256, or the git blob SHA-1 of a
small file). The weights are CC-BY-NC-4.0: nothing is fetched before the licence has been
accepted once (``--accept-license``, remembered in the models folder, or
``$NEWSMON_ACCEPT_NLLB_LICENSE=1``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from translate.nllb import NllbError, NllbModel, install_nllb, sha256_file
from translate.packages import disk_full, staging_dir

logger = logging.getLogger(__name__)

LICENSE_FILE = ".newsmon-accepted-licenses"
ACCEPT_ENV = "NEWSMON_ACCEPT_NLLB_LICENSE"
PIN_ENV = "NEWSMON_NLLB_PIN"
#: Refuse any one file larger than this (model.bin of the 600M int8 conversion is ~600 MB).
MAX_FILE_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class HubPin:
    """Which files of which repository revision make the model, and their SHA-256 (``None``: ask the Hub)."""

    name: str
    repo_id: str
    revision: str
    files: dict[str, str | None]
    license: str
    license_url: str
    approx_size: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict, where: str) -> "HubPin":
        try:
            pin = cls(name=str(data["name"]), repo_id=str(data["repo_id"]), revision=str(data["revision"]),
                      files=dict(data["files"]), license=str(data["license"]), license_url=str(data.get("license_url", "")),
                      approx_size=str(data.get("approx_size", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise NllbError(f"{where}: not a model pin ({exc})") from None
        if not re.fullmatch(r"[0-9a-f]{40}", pin.revision):
            raise NllbError(f"{where}: the revision must be a full commit hash, not {pin.revision!r}")
        for name, digest in pin.files.items():
            if "/" in name or name.startswith(".") or (digest is not None and not re.fullmatch(r"[0-9a-f]{64}", str(digest))):
                raise NllbError(f"{where}: bad file entry {name!r}")
        return pin


#: The default: entai2965's CTranslate2 conversion of NLLB-200 distilled 600M (int8 weights).
#: UNVERIFIED here (no Hub access when this was written): the revision is the one its
#: model card history shows; the SHA-256 values are left to the Hub's own content
#: addresses at that revision. Replace with a pin file ($NEWSMON_NLLB_PIN) once checked.
DEFAULT_PIN = HubPin(
    name="nllb-200-distilled-600M",
    repo_id="entai2965/nllb-200-distilled-600M-ctranslate2",
    revision="86876131d0a16b17ced0a5c558fdc3e4613ae545",
    files={"model.bin": None, "config.json": None, "shared_vocabulary.json": None, "sentencepiece.bpe.model": None},
    license="CC-BY-NC-4.0",
    license_url="https://creativecommons.org/licenses/by-nc/4.0/",
    approx_size="about 620 MB",
)


def current_pin() -> HubPin:
    """``$NEWSMON_NLLB_PIN`` (a JSON file with the pin's fields), else ``DEFAULT_PIN``."""
    path = os.environ.get(PIN_ENV)
    if not path:
        return DEFAULT_PIN
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise NllbError(f"{path}: unreadable model pin ({exc})") from None
    return HubPin.from_json(data, path)


def license_text(pin: HubPin) -> str:
    return (f"{pin.name} ({pin.repo_id}, {pin.approx_size or 'size unknown'}) is licensed {pin.license} "
            f"({pin.license_url}): non-commercial use only.")


def license_accepted(pin: HubPin, models_dir: Path) -> bool:
    if os.environ.get(ACCEPT_ENV, "").strip().lower() in ("1", "yes", "true"):
        return True
    try:
        lines = (models_dir / LICENSE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return f"{pin.repo_id} {pin.license}" in lines


def accept_license(pin: HubPin, models_dir: Path) -> None:
    """Remember the acceptance in the models folder (one line per repository and licence)."""
    if license_accepted(pin, models_dir):
        return
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / LICENSE_FILE, "a", encoding="utf-8") as f:
        f.write(f"{pin.repo_id} {pin.license}\n")


def _git_blob_sha1(path: Path) -> str:
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _check_file(path: Path, name: str, pinned: str | None, hub_etag: str | None, pin: HubPin) -> None:
    """The pinned SHA-256, else the Hub's content address at the pinned revision."""
    where = f"{pin.repo_id}@{pin.revision[:12]}/{name}"
    if pinned:
        actual = sha256_file(path)
        if actual != pinned:
            raise NllbError(f"{where}: SHA-256 {actual[:16]}… does not match the pinned {pinned[:16]}…; nothing installed")
        return
    etag = (hub_etag or "").strip('"').removeprefix("W/").strip('"')
    if re.fullmatch(r"[0-9a-f]{64}", etag):
        actual = sha256_file(path)
    elif re.fullmatch(r"[0-9a-f]{40}", etag):
        actual = _git_blob_sha1(path)
    else:
        raise NllbError(f"{where}: no pinned hash and the Hub gave no content hash; nothing installed")
    if actual != etag:
        raise NllbError(f"{where}: content hash {actual[:16]}… does not match the Hub's {etag[:16]}…; nothing installed")


def _hub_error(exc: Exception, pin: HubPin) -> NllbError:
    from huggingface_hub import constants  # noqa: PLC0415

    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return NllbError(f"{pin.name}: cannot fetch from {constants.ENDPOINT}/{pin.repo_id} ({type(exc).__name__}: {reason})")


def fetch_and_install(models_dir: Path, *, pin: HubPin | None = None, accept: bool = False,
                      progress: bool = True) -> NllbModel:
    """Download the pinned files into a staging folder inside ``models_dir``, check them, install.

    Raises ``NllbError`` (one line) when the licence is not accepted (nothing is
    downloaded), the Hub cannot be reached, or a file's hash does not match (the
    staging folder is removed: nothing is left).
    """
    pin = pin or current_pin()
    if accept:
        accept_license(pin, models_dir)
    if not license_accepted(pin, models_dir):
        raise NllbError(f"{pin.name}: not downloaded: its licence is {pin.license} (non-commercial); accept it once with "
                        f"`newsmon models install uz kk --accept-license` (or {ACCEPT_ENV}=1)")
    import httpx2  # noqa: PLC0415 - huggingface_hub's HTTP client
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url  # noqa: PLC0415
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError  # noqa: PLC0415

    staging = staging_dir(models_dir, ".newsmon-hub-")
    try:
        folder = staging / pin.name
        for name, pinned in pin.files.items():
            try:
                meta = get_hf_file_metadata(hf_hub_url(pin.repo_id, name, revision=pin.revision))
                if meta.size is None or meta.size > MAX_FILE_BYTES:
                    raise NllbError(f"{pin.repo_id}/{name}: size {meta.size} is unknown or more than {MAX_FILE_BYTES} bytes")
                logger.info("downloading %s/%s (%s bytes)", pin.repo_id, name, meta.size)
                path = Path(hf_hub_download(pin.repo_id, name, revision=pin.revision, local_dir=folder))
            except OSError as exc:
                if disk_full(exc):
                    raise NllbError(f"{pin.name}: disk full while downloading {name} into {models_dir}") from None
                raise _hub_error(exc, pin) from None
            except (HfHubHTTPError, LocalEntryNotFoundError, httpx2.HTTPError, ValueError) as exc:
                raise _hub_error(exc, pin) from None
            _check_file(path, name, pinned, meta.etag, pin)
        shutil.rmtree(folder / ".cache", ignore_errors=True)
        return install_nllb(folder, models_dir, name=pin.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
