"""The NLLB parts of ``newsmon models install/list/remove`` (called from ``newsmon.cli_models``)."""

from __future__ import annotations

from pathlib import Path

import click


def install_nllb_from(source: Path | None, models_dir: Path, *, name: str | None = None) -> None:
    """``newsmon models install nllb --from DIR``; raises ``PackageError`` with one line."""
    from translate.nllb import NllbError, install_nllb

    if source is None:
        raise NllbError("nllb: needs --from DIR, a converted NLLB-200 model folder (see README)")
    model = install_nllb(source, models_dir, name=name)
    click.echo(f"installed {model.label} ({' '.join(model.languages)}→en) in {model.path}")


def install_nllb_from_hub(models_dir: Path, *, accept: bool, langs: list[str]) -> None:
    """``newsmon models install uz kk``: print the licence, then fetch the pinned model (once accepted)."""
    from translate.nllb_hub import current_pin, fetch_and_install, license_text

    pin = current_pin()
    click.echo(f"{' '.join(langs)}: {license_text(pin)}", err=True)
    model = fetch_and_install(models_dir, pin=pin, accept=accept)
    click.echo(f"installed {model.label} ({' '.join(model.languages)}→en) in {model.path}")


def nllb_list_lines(models_dir: Path) -> list[str]:
    """One line per installed NLLB model for ``newsmon models list``: which languages it serves."""
    from translate.nllb import installed_nllb_models
    from translate.packages import models_by_language

    argos = set(models_by_language(models_dir))
    lines = []
    for model in installed_nllb_models(models_dir):
        served = [lang for lang in model.languages if lang not in argos]
        line = f"  {model.name:<22} {model.version:<8} {' '.join(served) or '-'}→en  ok (NLLB)"
        shadowed = [lang for lang in model.languages if lang in argos]
        if shadowed:
            line += f"; {' '.join(shadowed)} by their Argos packages"
        lines.append(line)
    return lines


def remove_nllb_matching(code: str, models_dir: Path) -> bool:
    """Remove the NLLB models named ``code`` (``nllb``: all); False when none matches."""
    from translate.nllb import remove_nllb

    removed = remove_nllb(code, models_dir)
    for model in removed:
        click.echo(f"removed {model.label} ({' '.join(model.languages)}→en)")
    return bool(removed)
