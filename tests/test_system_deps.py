"""scripts/install-system-deps.sh (run by `make test`) waits for another apt run's lock instead of failing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_apt_call_waits_for_the_dpkg_lock(tmp_path):
    """A PATH without chromium, whose apt-get only records its arguments."""
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "apt-calls"
    apt = fake / "apt-get"
    apt.write_text(f'#!{shutil.which("bash")}\necho "$@" >> "{calls}"\n')
    apt.chmod(0o755)
    os.symlink(shutil.which("id"), fake / "id")
    result = subprocess.run([shutil.which("bash"), str(ROOT / "scripts" / "install-system-deps.sh")],
                            capture_output=True, text=True, timeout=60, env={"PATH": str(fake)})
    assert result.returncode == 0, result.stderr
    lines = calls.read_text().splitlines()
    assert len(lines) == 2 and lines[0].endswith("update -qq") and "install" in lines[1]
    for line in lines:
        assert "-o DPkg::Lock::Timeout=600" in line, line
