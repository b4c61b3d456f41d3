"""Which engine translates which language: installed models → translators, loaded on first use.

Providers list the models they can offer per source language. The Argos
package provider comes first; other model kinds (a multilingual CTranslate2
model for languages Argos lacks) append a provider to ``PROVIDERS`` and only
fill languages no earlier provider covers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from translate.engine import ArgosTranslator, EngineOptions, Translator
from translate.nllb import NllbTranslator, installed_nllb_models, nllb_install_command
from translate.packages import models_by_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelEntry:
    """One model available for a language, not loaded yet."""

    lang: str
    label: str  # provenance, e.g. "translate-ru_en 1.9"; entries with one label share one translator
    load: Callable[[], Translator]


Provider = Callable[[Path, EngineOptions], list[ModelEntry]]


def argos_provider(models_dir: Path, options: EngineOptions) -> list[ModelEntry]:
    """One entry per source language with a usable Argos package (newest version)."""
    return [
        ModelEntry(lang, model.label, lambda model=model: ArgosTranslator(model, options).load())
        for lang, model in models_by_language(models_dir).items()
    ]


def nllb_provider(models_dir: Path, options: EngineOptions) -> list[ModelEntry]:
    """One entry per language an installed NLLB-200 model knows (``translate.nllb``)."""
    return [
        ModelEntry(lang, model.label, lambda model=model: NllbTranslator(model, options).load())
        for model in installed_nllb_models(models_dir)
        for lang in model.languages
    ]


PROVIDERS: list[Provider] = [argos_provider, nllb_provider]


def install_command(lang: str) -> str:
    """The command that installs a model for ``lang`` (Argos index, or an NLLB folder)."""
    return nllb_install_command(lang) or f"newsmon models install {lang}"


def waiting_line(waiting: dict) -> str:
    """``waiting for a model: uz 40, kk 7 (newsmon models install uz kk)``, the largest first; "" when none wait."""
    counts = sorted(((lang, n) for lang, n in waiting.items() if n), key=lambda kv: (-kv[1], str(kv[0])))
    if not counts:
        return ""
    langs = [lang for lang, _ in counts if lang]
    command = f" (newsmon models install {' '.join(langs)})" if langs else ""
    return "waiting for a model: " + ", ".join(f"{lang or '?'} {n}" for lang, n in counts) + command


def install_hint(lang: str | None) -> str:
    """The reason stored for articles no installed model can translate."""
    if not lang:
        return "language not identified: no model can be chosen"
    hint = f"no model for {lang}→en: run `{install_command(lang)}`"
    return hint + " (see README: NLLB-200)" if nllb_install_command(lang) else hint


@dataclass
class Registry:
    """Language → translator for one run; each translator is loaded once, when first needed."""

    models_dir: Path
    options: EngineOptions = field(default_factory=EngineOptions)
    providers: list[Provider] | None = None
    _entries: dict[str, ModelEntry] | None = None
    _loaded: dict[str, Translator] = field(default_factory=dict)

    @property
    def entries(self) -> dict[str, ModelEntry]:
        if self._entries is None:
            self._entries = {}
            for provider in self.providers if self.providers is not None else PROVIDERS:
                for entry in provider(self.models_dir, self.options):
                    self._entries.setdefault(entry.lang, entry)
        return self._entries

    def languages(self) -> set[str]:
        return set(self.entries)

    def has(self, lang: str | None) -> bool:
        return bool(lang) and lang in self.entries

    def translator(self, lang: str) -> Translator:
        """The loaded translator for ``lang``; raises ``KeyError`` without a model, ``EngineError`` if it cannot load."""
        entry = self.entries[lang]
        if entry.label not in self._loaded:
            self._loaded[entry.label] = entry.load()
        return self._loaded[entry.label]
