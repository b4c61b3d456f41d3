"""Pending articles → English, language by language, in batches across articles.

Each batch (many articles, one language) is split into sentences, identical
sentences are translated once per run, and the results are written in one
transaction: a run killed mid-way keeps every batch it committed and leaves
the rest pending, never a half-written article. Articles in a language without
a model get ``no_model`` and the command that fixes it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlite_utils

from storage.schema import STATUS_FAILED, STATUS_TRANSLATED
from storage.translations import (
    TranslationWrite,
    load_articles,
    mark_original,
    mark_without_model,
    save_translations,
    select_to_translate,
    waiting_for_model,
)
from translate.engine import EngineError, Translator
from translate.registry import Registry, install_hint, waiting_line
from translate.sentences import join_text, split_sentences, split_text

logger = logging.getLogger(__name__)

#: Sentences per committed batch: large enough for CTranslate2 to fill its batches,
#: small enough that an interrupted run loses little work.
DEFAULT_BATCH_SENTENCES = 512
_LOAD_PAGE = 64


@dataclass
class TranslateSummary:
    translated: Counter = field(default_factory=Counter)  # lang -> articles
    original: int = 0
    no_model: Counter = field(default_factory=Counter)  # lang -> articles
    waiting: dict = field(default_factory=dict)  # lang -> articles stored as no_model (this run's and earlier)
    failed: Counter = field(default_factory=Counter)
    skipped_changed: int = 0  # changed by a crawl while being translated: still pending
    sentences: int = 0
    unique_sentences: int = 0  # sentences actually sent to a model
    seconds: float = 0.0

    @property
    def total_translated(self) -> int:
        return sum(self.translated.values())

    def summary_line(self) -> str:
        def by_lang(counter: Counter) -> str:
            return ", ".join(f"{lang or '?'} {n}" for lang, n in sorted(counter.items(), key=lambda kv: str(kv[0])))

        parts = [f"translated {self.total_translated}" + (f" ({by_lang(self.translated)})" if self.translated else "")]
        if self.original:
            parts.append(f"english {self.original}")
        if self.failed:
            parts.append(f"failed {sum(self.failed.values())} ({by_lang(self.failed)})")
        if self.skipped_changed:
            parts.append(f"changed meanwhile {self.skipped_changed}")
        if self.sentences:
            rate = self.unique_sentences / self.seconds if self.seconds else 0.0
            parts.append(f"sentences {self.sentences}, unique {self.unique_sentences}, {rate:.1f}/s")
        waiting = waiting_line(self.waiting or self.no_model)
        return "translation: " + ", ".join(parts) + (f"; {waiting}" if waiting else "")


@dataclass
class _Prepared:
    row: dict
    title: list[str]
    paragraphs: list[list[str]]

    def sentences(self) -> list[str]:
        return self.title + [s for p in self.paragraphs for s in p]


def _prepare(row: dict) -> _Prepared:
    return _Prepared(row, split_sentences(row["title"] or ""), split_text(row["text"] or ""))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


class _Run:
    """One ``translate_pending`` call: the sentence cache and the counters."""

    def __init__(self, db: sqlite_utils.Database, registry: Registry, summary: TranslateSummary):
        self.db = db
        self.registry = registry
        self.summary = summary
        self.cache: dict[tuple[str, str], str] = {}

    def _translate_sentences(self, translator: Translator, lang: str, sentences: list[str]) -> None:
        todo = list(dict.fromkeys(s for s in sentences if (lang, s) not in self.cache))
        self.summary.sentences += len(sentences)
        if not todo:
            return
        out = translator.translate_batch(todo, lang)
        if len(out) != len(todo):
            raise EngineError(f"{translator.model} returned {len(out)} translations for {len(todo)} sentences")
        self.summary.unique_sentences += len(todo)
        self.cache.update({(lang, s): t for s, t in zip(todo, out)})

    def _write_for(self, translator: Translator, lang: str, item: _Prepared) -> TranslationWrite:
        def english(sentences: list[str]) -> list[str]:
            return [self.cache[(lang, s)] for s in sentences]

        return TranslationWrite(
            id=item.row["id"],
            content_hash=item.row["content_hash"],
            status=STATUS_TRANSLATED,
            title_en=" ".join(english(item.title)) if item.row["title"] is not None else None,
            text_en=join_text([english(p) for p in item.paragraphs]),
            engine=translator.engine,
            model=translator.model,
            note=None,
        )

    def translate_batch(self, translator: Translator, lang: str, items: list[_Prepared]) -> None:
        """Translate and commit one batch; on an engine error, article by article."""
        writes = []
        try:
            self._translate_sentences(translator, lang, [s for item in items for s in item.sentences()])
            writes = [self._write_for(translator, lang, item) for item in items]
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the run
            logger.warning("batch of %d %s articles failed (%s); retrying one by one", len(items), lang, _one_line(exc))
            for item in items:
                try:
                    self._translate_sentences(translator, lang, item.sentences())
                    writes.append(self._write_for(translator, lang, item))
                except Exception as item_exc:  # noqa: BLE001
                    writes.append(self.failure(translator, item.row, item_exc))
        self.commit(writes, lang)

    def failure(self, translator: Translator | None, row: dict, exc: BaseException) -> TranslationWrite:
        return TranslationWrite(
            id=row["id"], content_hash=row["content_hash"], status=STATUS_FAILED,
            engine=getattr(translator, "engine", None), model=getattr(translator, "model", None),
            note=f"translation failed: {_one_line(exc)}",
        )

    def commit(self, writes: list[TranslationWrite], lang: str) -> None:
        written = save_translations(self.db, writes)
        self.summary.skipped_changed += len(writes) - written
        for w in writes:
            if w.status == STATUS_TRANSLATED:
                self.summary.translated[lang] += 1
            else:
                self.summary.failed[lang] += 1


def _batches(db: sqlite_utils.Database, ids: list[int], batch_sentences: int):
    """Prepared articles in groups of about ``batch_sentences`` sentences, never splitting an article."""
    batch: list[_Prepared] = []
    count = 0
    for start in range(0, len(ids), _LOAD_PAGE):
        for row in load_articles(db, ids[start : start + _LOAD_PAGE]):
            item = _prepare(row)
            batch.append(item)
            count += len(item.sentences())
            if count >= batch_sentences:
                yield batch
                batch, count = [], 0
    if batch:
        yield batch


def translate_pending(
    db: sqlite_utils.Database,
    registry: Registry,
    *,
    limit: int | None = None,
    retranslate: bool = False,
    ids: Sequence[int] | None = None,
    batch_sentences: int = DEFAULT_BATCH_SENTENCES,
    progress: bool = False,
) -> TranslateSummary:
    """Translate what needs English (or only ``ids``); returns the counts.

    Raises nothing for a bad model or article (those are stored as ``failed``
    with the reason); ``KeyboardInterrupt`` stops after the last committed batch.
    """
    summary = TranslateSummary()
    started = time.monotonic()
    rows = select_to_translate(
        db, languages_with_model=registry.languages(), retranslate=retranslate, limit=limit, ids=ids
    )
    by_lang: dict[str | None, list[int]] = defaultdict(list)
    for row in rows:
        by_lang[row["lang"]].append(row["id"])
    summary.original = mark_original(db, by_lang.pop("en", []))
    for lang in [lang for lang in by_lang if not registry.has(lang)]:
        lang_ids = by_lang.pop(lang)
        mark_without_model(db, lang_ids, install_hint(lang))
        summary.no_model[lang] += len(lang_ids)
    run = _Run(db, registry, summary)
    bar = _progress_bar(sum(len(v) for v in by_lang.values()), enabled=progress)
    try:
        for lang, lang_ids in sorted(by_lang.items()):
            bar.set_postfix_str(lang)
            try:
                translator = registry.translator(lang)
            except Exception as exc:  # noqa: BLE001 - a broken model fails its articles, not the run
                logger.error("cannot load the model for %s: %s", lang, _one_line(exc))
                for batch in _batches(db, lang_ids, batch_sentences):
                    run.commit([run.failure(None, item.row, exc) for item in batch], lang)
                    bar.update(len(batch))
                continue
            for batch in _batches(db, lang_ids, batch_sentences):
                run.translate_batch(translator, lang, batch)
                bar.update(len(batch))
    finally:
        bar.close()
        summary.seconds = time.monotonic() - started
    summary.waiting = waiting_for_model(db)
    return summary


def _progress_bar(total: int, *, enabled: bool):
    from tqdm import tqdm  # noqa: PLC0415

    # disable=None: no bar when stderr is not a terminal (cron logs stay clean).
    return tqdm(total=total, unit="article", desc="translating", disable=None if enabled else True, leave=False)


def translate_texts(translator: Translator, lang: str, title: str | None, text: str) -> tuple[str | None, str]:
    """One article's English without the database (``newsmon fetch --no-store``)."""
    title_sentences = split_sentences(title or "")
    paragraphs = split_text(text)
    unique = list(dict.fromkeys(title_sentences + [s for p in paragraphs for s in p]))
    english = dict(zip(unique, translator.translate_batch(unique, lang))) if unique else {}
    title_en = " ".join(english[s] for s in title_sentences) if title is not None else None
    return title_en, join_text([[english[s] for s in p] for p in paragraphs])
