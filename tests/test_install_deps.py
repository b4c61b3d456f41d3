"""`pip install .` alone is complete: every module newsmon imports comes from a declared dependency.

The Makefile once added argostranslate with ``--no-deps`` (its declared dependencies
pull stanza and torch), so any other install was broken. This reads every import in
the installed packages and checks that each third-party module is provided by a
distribution ``pyproject.toml`` declares, directly or through its requirements.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OWN = {"newsmon", "crawler", "translate", "storage", "tests"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_closure(extra: str | None = None) -> set[str]:
    """Declared runtime dependencies (or one optional extra's) and everything they require."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["optional-dependencies"][extra] if extra else project["dependencies"]
    todo = [Requirement(r) for r in declared]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = _canonical(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo.extend(Requirement(r) for r in metadata.requires(req.name) or [])
        except metadata.PackageNotFoundError:
            continue
    return seen


def imported_modules() -> dict[str, str]:
    """Top-level module → first file importing it, over the runtime packages."""
    found: dict[str, str] = {}
    for package in sorted(OWN - {"tests"}):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


#: Optional extras: the features needing them import them when used (and say so in one line when
#: they are missing); newsmon's own modules import without them (checked below).
OPTIONAL_EXTRAS = {"browser": "scrapy_playwright", "ner": "natasha", "redis": "redis"}


def test_every_import_comes_from_a_declared_dependency():
    closure = declared_closure()
    optional = set().union(*(declared_closure(extra) for extra in OPTIONAL_EXTRAS))
    providers = metadata.packages_distributions()
    missing = []
    for module, where in sorted(imported_modules().items()):
        if module in OWN or module in sys.stdlib_module_names:
            continue
        dists = {_canonical(d) for d in providers.get(module, [])}
        if dists & optional:
            continue  # an optional extra: see test_newsmon_imports_without_the_optional_extras
        if not dists & closure:
            missing.append(f"{module} (imported in {where}; from {', '.join(sorted(dists)) or 'nothing installed'})")
    assert not missing, "imported but not installed by `pip install .`: " + "; ".join(missing)


def test_newsmon_imports_without_the_optional_extras():
    """Every module of newsmon's own packages imports with the optional extras' modules missing."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in sorted(OWN - {"tests"}) for path in (ROOT / package).rglob("*.py")
        if path.name != "__main__.py" and "datasette_plugins" not in path.parts
    )
    optional_only = {"crawler.redis_sink", "newsmon.scaleout"}  # the scale-out modules, used only with the extra
    code = (
        "import importlib, sys\n"
        f"for name in {sorted(OPTIONAL_EXTRAS.values())!r}: sys.modules[name] = None\n"
        f"for module in {[m for m in modules if m not in optional_only]!r}: importlib.import_module(module)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


def test_no_torch_in_the_default_install():
    closure = declared_closure()
    assert not closure & {"torch", "stanza", "argostranslate", "transformers"}, sorted(closure)
