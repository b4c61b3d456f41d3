"""``newsmon models ...`` and ``newsmon translate``: a thin click layer over ``translate/``."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import click

from newsmon.cli_options import db_option, load_or_fail, resolved_option, sources_option

logger = logging.getLogger(__name__)

_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
#: Stands for every uz/kk/tg/ky/tk (or bare `nllb`) target: one Hub download serves them all.
_HUB = object()


def _resolve_models_dir(value: str | None) -> Path:
    from translate.packages import resolve_models_dir

    return resolve_models_dir(value)


models_dir_option = resolved_option(
    "--models-dir", dest="models_dir", resolve=_resolve_models_dir,
    help="Translation models folder (default: $NEWSMON_MODELS_DIR, else Argos Translate's packages folder).",
)


def _quiet() -> bool:
    return logging.getLogger().level >= logging.ERROR


@click.group("models")
def models() -> None:
    """Install, list and remove translation models (Argos Translate packages)."""


@models.command("list")
@models_dir_option
@db_option
def list_models(models_dir: Path, db_path: Path) -> None:
    """Installed models and, per language in the database, whether it can be translated."""
    from translate.packages import installed_packages
    from translate.registry import Registry, install_hint

    packages = installed_packages(models_dir)
    click.echo(f"models in {models_dir}:")
    for m in packages:
        state = "ok" if m.usable else f"unusable: {m.problem}"
        click.echo(f"  {m.name:<22} {m.version:<8} {m.from_code}→{m.to_code}  {state}")
    from newsmon.cli_nllb import nllb_list_lines

    nllb_lines = nllb_list_lines(models_dir)
    for line in nllb_lines:
        click.echo(line)
    if not packages and not nllb_lines:
        click.echo("  (none: `newsmon models install ru` installs the Russian→English model)")
    if not db_path.exists():
        click.echo(f"no database at {db_path}")
        return
    from storage import open_db
    from storage.translations import language_overview

    registry = Registry(models_dir)
    db = open_db(db_path)
    try:
        overview = language_overview(db)
    finally:
        db.close()
    click.echo(f"languages in {db_path}:")
    for row in overview:
        lang = row["lang"]
        if lang == "en":
            can = "English: kept as is"
        elif registry.has(lang):
            can = f"translatable with {registry.entries[lang].label}"
        else:
            can = install_hint(lang)
        counts = ", ".join(f"{key.replace('_', ' ')} {row[key]}" for key in ("translated", "original", "pending", "no_model", "failed") if row[key])
        click.echo(f"  {lang or '?':<4} {row['articles']} article(s) ({counts}) — {can}")
    if not overview:
        click.echo("  (no articles yet)")
    from translate.registry import waiting_line

    waiting = waiting_line({row["lang"]: row["no_model"] or 0 for row in overview if row["lang"] != "en"})
    if waiting:
        click.echo(waiting)


@models.command("install")
@click.argument("targets", nargs=-1, required=True, metavar="LANG|FILE|URL...")
@click.option("--index", metavar="URL", help="Package index: a URL or file of an Argos index.json (default: $NEWSMON_MODELS_INDEX, else Argos's index).")
@click.option("--from", "from_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With target `nllb`: a converted NLLB-200 CTranslate2 model folder (see README).")
@click.option("--name", "nllb_name", metavar="NAME", help="With target `nllb`: the installed model's name (default: DIR's name).")
@click.option("--accept-license", is_flag=True,
              help="Accept NLLB-200's CC-BY-NC-4.0 licence (remembered in the models folder) so uz/kk/tg/ky/tk can be fetched.")
@models_dir_option
def install(targets: tuple[str, ...], index: str | None, from_dir: Path | None, nllb_name: str | None,
            accept_license: bool, models_dir: Path) -> None:
    """Install LANG→English models from the package index, or .argosmodel files or URLs.

    uz, kk, tg, ky and tk (or `nllb`) fetch one NLLB-200 model from the Hugging Face
    Hub once its licence is accepted; `nllb --from DIR` installs a local folder.
    Each archive is checked before anything is written; a broken or hostile
    one is rejected and leaves the models folder as it was.
    """
    from translate.nllb import NLLB_FIRST
    from translate.packages import PackageError, default_index_url, install_archive, install_from_index, install_from_url

    if (from_dir or nllb_name) and "nllb" not in targets:
        raise click.UsageError("--from and --name go with the target `nllb`: newsmon models install nllb --from DIR")
    hub_langs = [t for t in targets if t in NLLB_FIRST or (t == "nllb" and from_dir is None)]
    targets = tuple(t for t in targets if t not in hub_langs) + ((_HUB,) if hub_langs else ())
    failures = 0
    for target in targets:
        path = Path(target) if isinstance(target, str) else Path()
        try:
            if target is _HUB:
                from newsmon.cli_nllb import install_nllb_from_hub

                install_nllb_from_hub(models_dir, accept=accept_license, langs=[t for t in hub_langs if t != "nllb"] or ["nllb"])
                continue
            if target == "nllb":
                from newsmon.cli_nllb import install_nllb_from

                install_nllb_from(from_dir, models_dir, name=nllb_name)
                continue
            if target.startswith(("http://", "https://")):
                model = install_from_url(target, models_dir)
            elif path.exists() or target.endswith(".argosmodel"):
                model = install_archive(path, models_dir)
            elif _LANG_CODE.match(target):
                model = install_from_index(target, models_dir, index=index or default_index_url())
            else:
                raise PackageError(f"{target}: neither a file nor a language code (like ru, it)")
        except PackageError as exc:
            click.echo(f"newsmon: {exc}", err=True)
            failures += 1
            continue
        click.echo(f"installed {model.label} ({model.from_code}→{model.to_code}) in {model.path}")
    if failures:
        sys.exit(1)
    click.echo("run `newsmon translate` to translate the articles waiting for these models", err=True)


def setup_models(langs: list[str], models_dir: Path, *, index: str, accept: bool) -> list[str]:
    """Install what ``langs`` lack: Argos packages from ``index``, the NLLB model for the rest.

    Returns the languages still without a model; prints one line per language either way.
    """
    from translate.nllb import NLLB_CODES, NLLB_FIRST
    from translate.packages import PackageError, find_in_index, install_from_index, load_index
    from translate.registry import Registry

    registry = Registry(models_dir)
    missing = [lang for lang in langs if not registry.has(lang)]
    for lang in langs:
        if lang not in missing:
            click.echo(f"models: {lang} ready ({registry.entries[lang].label})")
    argos = [lang for lang in missing if lang not in NLLB_FIRST]
    entries, index_problem = [], None
    if argos:
        try:
            entries = load_index(index)
        except PackageError as exc:
            index_problem = str(exc)
    nllb_wanted = [lang for lang in missing if lang in NLLB_FIRST]
    still = []
    for lang in argos:
        if index_problem:
            click.echo(f"models: {lang} not installed: {index_problem}", err=True)
            still.append(lang)
            continue
        if find_in_index(entries, lang) is None:
            if lang in NLLB_CODES:
                nllb_wanted.append(lang)
                continue
            click.echo(f"models: {lang} not installed: no {lang}→en package in the index", err=True)
            still.append(lang)
            continue
        try:
            model = install_from_index(lang, models_dir, index=index, entries=entries)
        except PackageError as exc:
            click.echo(f"models: {lang} not installed: {exc}", err=True)
            still.append(lang)
            continue
        click.echo(f"models: {lang} installed {model.label}")
    if nllb_wanted:
        from translate.nllb_hub import current_pin, fetch_and_install, license_accepted, license_text

        try:
            pin = current_pin()
            if not (accept or license_accepted(pin, models_dir)):
                for lang in nllb_wanted:
                    click.echo(f"models: {lang} not installed: NLLB-200 is {pin.license} (non-commercial use only); "
                               f"`newsmon models install {' '.join(nllb_wanted)} --accept-license` accepts it and fetches "
                               f"{pin.approx_size or 'the model'}", err=True)
                return still + nllb_wanted
            click.echo(f"models: {' '.join(nllb_wanted)}: {license_text(pin)}", err=True)
            model = fetch_and_install(models_dir, pin=pin, accept=accept)
        except PackageError as exc:
            for lang in nllb_wanted:
                click.echo(f"models: {lang} not installed: {exc}", err=True)
            return still + nllb_wanted
        for lang in nllb_wanted:
            click.echo(f"models: {lang} installed {model.label}")
    return still


@models.command("setup")
@sources_option
@click.option("--index", metavar="URL", help="Argos package index (default: $NEWSMON_MODELS_INDEX, else Argos's index).")
@click.option("--accept-license", is_flag=True, help="Accept NLLB-200's CC-BY-NC-4.0 licence for Uzbek, Kazakh and neighbours.")
@models_dir_option
def setup(sources_path: Path, index: str | None, accept_license: bool, models_dir: Path) -> None:
    """Install the models for every language the enabled sources publish in (what `make run` does).

    One line per language: ready, installed, or why not (offline, licence not
    accepted). Exit 0 when every language has a model, 1 otherwise.
    """
    from translate.packages import default_index_url

    sources = load_or_fail(sources_path)
    langs = sorted({s.language for s in sources if s.enabled and s.language and s.language != "en"})
    still = setup_models(langs, models_dir, index=index or default_index_url(), accept=accept_license)
    if still:
        sys.exit(1)


@models.command("remove")
@click.argument("codes", nargs=-1, required=True, metavar="LANG|PACKAGE...")
@models_dir_option
def remove(codes: tuple[str, ...], models_dir: Path) -> None:
    """Remove installed models, by language (ru) or package name (translate-ru_en)."""
    from newsmon.cli_nllb import remove_nllb_matching
    from translate.packages import PackageError, remove_package

    for code in codes:
        if remove_nllb_matching(code, models_dir):
            continue
        try:
            removed = remove_package(code, models_dir)
        except PackageError as exc:
            raise click.ClickException(str(exc)) from None
        for model in removed:
            click.echo(f"removed {model.label} ({model.from_code}→{model.to_code})")


def engine_options(*, device: str = "cpu", beam: int | None = None):
    from translate.engine import EngineOptions

    options = EngineOptions(device=device)
    return options.with_(beam_size=beam) if beam else options


def run_translation(db_path: Path, *, models_dir: Path, options=None, ids=None, **kwargs):
    """Open the database, translate, close: shared by ``translate``, ``crawl`` and ``fetch``."""
    from storage import open_db
    from translate.registry import Registry
    from translate.worker import translate_pending

    db = open_db(db_path)
    try:
        registry = Registry(models_dir, options or engine_options())
        return translate_pending(db, registry, ids=ids, **kwargs)
    finally:
        db.close()


@click.command("translate")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Translate at most N articles (newest first).")
@click.option("--retranslate", is_flag=True, help="Also redo articles already translated (e.g. after installing a newer model).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True, help="Where CTranslate2 runs (int8 on CPU).")
@click.option("--beam", type=click.IntRange(1, 16), default=None, metavar="N", help="Beam size (default: greedy search, see BENCHMARKS.md).")
@click.option("--batch-size", "batch_sentences", type=click.IntRange(min=1), default=None, metavar="N",
              help="Sentences per committed batch (default 512): smaller loses less work when interrupted.")
@models_dir_option
@db_option
def translate(limit: int | None, retranslate: bool, device: str, beam: int | None, batch_sentences: int | None,
              models_dir: Path, db_path: Path) -> None:
    """Translate pending articles to English, in batches, with a progress bar.

    Resumable: every finished batch is committed, so an interrupted run loses
    at most the batch in progress and the next run continues from there.
    """
    from translate.worker import DEFAULT_BATCH_SENTENCES

    if device == "cuda":
        import ctranslate2

        if ctranslate2.get_cuda_device_count() == 0:
            raise click.ClickException("--device cuda: CTranslate2 sees no CUDA device")
    try:
        summary = run_translation(
            db_path, models_dir=models_dir, options=engine_options(device=device, beam=beam),
            limit=limit, retranslate=retranslate, batch_sentences=batch_sentences or DEFAULT_BATCH_SENTENCES,
            progress=not _quiet(),
        )
    except KeyboardInterrupt:
        click.echo("newsmon: translation interrupted; finished batches are stored, "
                   "`newsmon translate` continues with the rest", err=True)
        sys.exit(130)
    click.echo(summary.summary_line())


AUTO_INSTALL_ENV = "NEWSMON_AUTO_INSTALL_MODELS"


def auto_install_models(db_path: Path, models_dir: Path) -> None:
    """With ``$NEWSMON_AUTO_INSTALL_MODELS=1`` (unattended servers): install the models for the
    languages stored articles wait in, as ``models setup`` would (NLLB only once its licence is accepted)."""
    import os

    from storage import open_db
    from storage.translations import language_overview
    from translate.packages import default_index_url
    from translate.registry import Registry

    if os.environ.get(AUTO_INSTALL_ENV, "").strip().lower() not in ("1", "yes", "true"):
        return
    db = open_db(db_path)
    try:
        overview = language_overview(db)
    finally:
        db.close()
    registry = Registry(models_dir)
    langs = sorted(row["lang"] for row in overview if row["lang"] and row["lang"] != "en"
                   and (row["pending"] or row["no_model"]) and not registry.has(row["lang"]))
    if langs:
        setup_models(langs, models_dir, index=default_index_url(), accept=False)


def translate_after_crawl(db_path: Path, models_dir: Path | None = None) -> None:
    """The crawl's translation step: never changes the crawl's outcome, warns on failure."""
    from translate.packages import resolve_models_dir

    models_dir = models_dir or resolve_models_dir()
    try:
        auto_install_models(db_path, models_dir)
        summary = run_translation(db_path, models_dir=models_dir, progress=not _quiet())
    except Exception as exc:  # noqa: BLE001 - crawled data is committed; say so and go on
        logger.debug("translation after crawl failed", exc_info=True)
        click.echo(f"newsmon: warning: translation failed ({type(exc).__name__}: {exc}); "
                   "the crawled articles are stored, run `newsmon translate` later", err=True)
        return
    click.echo(summary.summary_line())
