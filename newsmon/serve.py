"""``newsmon serve``: Datasette over the database, with the bundled metadata.

Datasette names a database after its file, so the bundled metadata (written
for ``newsmon``) is re-keyed to the actual file's name before serving.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

#: Datasette settings that keep a shared instance safe and responsive.
SAFE_SETTINGS = {
    "sql_time_limit_ms": "3000",
    "max_returned_rows": "1000",
    "allow_download": "off",
    "default_page_size": "50",
}


def bundled_metadata() -> dict:
    text = Path(__file__).with_name("metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def metadata_for(db_path: Path) -> dict:
    metadata = bundled_metadata()
    databases = metadata.get("databases", {})
    if "newsmon" in databases and db_path.stem != "newsmon":
        databases[db_path.stem] = databases.pop("newsmon")
    return metadata


def datasette_command(db_path: Path, *, host: str, port: int, metadata_path: Path) -> list[str]:
    command = [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(metadata_path),
        "--host", host,
        "--port", str(port),
    ]
    for name, value in SAFE_SETTINGS.items():
        command += ["--setting", name, value]
    return command


def serve(db_path: Path, *, host: str, port: int) -> None:
    """Replace this process with Datasette (so signals and exit codes are Datasette's)."""
    metadata = metadata_for(db_path)
    handle, name = tempfile.mkstemp(prefix="newsmon-metadata-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        json.dump(metadata, f, ensure_ascii=False)
    command = datasette_command(db_path, host=host, port=port, metadata_path=Path(name))
    os.execv(command[0], command)
