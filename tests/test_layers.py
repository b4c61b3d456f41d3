"""No package imports upward: storage ← translate ← crawler ← newsmon (docs/ARCHITECTURE)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Each package and the packages above it, which it must never import.
ABOVE = {
    "storage": {"translate", "crawler", "newsmon"},
    "translate": {"crawler", "newsmon"},
    "crawler": {"newsmon"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module a file imports, at any depth (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_no_package_imports_upward(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & ABOVE[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
