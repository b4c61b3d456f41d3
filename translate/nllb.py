"""NLLB-200 models converted to CTranslate2: English for the languages Argos has no package for.

Argos's index has ru→en and it→en but no Uzbek, Kazakh, Tajik, Kyrgyz or Turkmen. One
multilingual NLLB-200 model covers all of them; ``translate.registry`` asks it only for
languages no Argos package serves (Argos comes first).

Installed from a folder made by ``ct2-transformers-converter`` (``model.bin``,
``config.json``, ``shared_vocabulary.json`` or ``.txt``) plus the model's
``sentencepiece.bpe.model``. The folder is checked (files, config, the language tokens
in the vocabulary, the SentencePiece file matching the vocabulary, the model loading)
and copied to ``<models dir>/.<name>/`` (the name always says "nllb") through a staging
folder and one rename, so a failed install leaves nothing behind. The leading dot keeps
newsmon's Argos listing, which reads every visible folder there as an Argos package,
from reporting it as a broken one; the ``metadata.json`` written next to the model has
``type: newsmon-nllb``, so Argos's own tools read it and skip it.

Source format: ``[src_lang] + pieces + ["</s>"]``, the convention of the NLLB paper
(§6.1.1) and of transformers' ``NllbTokenizer`` since April 2023 (its earlier, now
"legacy" mode put the language last: ``pieces + ["</s>", src_lang]``). Decoding starts
from ``</s>`` (the converter's ``decoder_start_token``) with the target prefix
``eng_Latn``, which is stripped from the output. Uzbek in Cyrillic script is
transliterated to Latin first (NLLB knows Uzbek only as ``uzn_Latn``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from translate.engine import (
    EngineError,
    EngineOptions,
    EngineStats,
    cut_sentences,
    join_pieces,
    load_tokenizer,
    load_translator,
    run_ctranslate2,
    sentencepiece_word_start,
)
from translate.packages import PackageError, staging_dir, swap_into_place, try_load_ctranslate2
from translate.translit_uz import to_latin

logger = logging.getLogger(__name__)

ENGINE_NLLB = "nllb-ctranslate2"
METADATA_TYPE = "newsmon-nllb"
FOLDER_PREFIX = "."
TARGET_TOKEN = "eng_Latn"
EOS = "</s>"
TOKENIZER_FILE = "sentencepiece.bpe.model"
VOCABULARY_FILES = ("shared_vocabulary.json", "shared_vocabulary.txt")
REQUIRED_FILES = ("model.bin", "config.json", TOKENIZER_FILE)
#: Copied along when present: the model card says where the weights come from and their licence.
OPTIONAL_FILES = ("README.md", "LICENSE", "LICENSE.md", "LICENSE.txt", "tokenizer_config.json")

#: ISO 639-1 (as language identification stores it) → NLLB-200 (FLORES-200) language token.
#: Argos packages come first wherever both exist.
NLLB_CODES = {
    "uz": "uzn_Latn",  # Northern Uzbek; Cyrillic text is transliterated first
    "kk": "kaz_Cyrl",
    "tg": "tgk_Cyrl",
    "ky": "kir_Cyrl",
    "tk": "tuk_Latn",
    "ru": "rus_Cyrl",
    "uk": "ukr_Cyrl",
    "be": "bel_Cyrl",
    "tr": "tur_Latn",
    "az": "azj_Latn",  # North Azerbaijani
    "fa": "pes_Arab",  # Western Persian
    "ar": "arb_Arab",  # Modern Standard Arabic
    "ug": "uig_Arab",
    "tt": "tat_Cyrl",
    "mn": "khk_Cyrl",  # Halh Mongolian
    "ka": "kat_Geor",
    "hy": "hye_Armn",
    "zh": "zho_Hans",
    "it": "ita_Latn",
    "de": "deu_Latn",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "pl": "pol_Latn",
}
#: Languages no Argos package is known for: the install hint points at NLLB.
NLLB_FIRST = ("uz", "kk", "tg", "ky", "tk")

_LANGUAGE_TOKEN = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_SPECIAL_TOKENS = frozenset({"<s>", "</s>", "<pad>", "<unk>", "<mask>"})
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
#: At least this share of the SentencePiece pieces must be in the model's vocabulary.
MIN_PIECE_COVERAGE = 0.9


class NllbError(PackageError):
    """An NLLB model folder is unusable or could not be installed; the message is one line."""


@dataclass(frozen=True)
class NllbModel:
    """An installed NLLB model, as the registry and the translator use it."""

    name: str  # e.g. "nllb-200-distilled-600M"
    version: str  # first 12 hex digits of model.bin's SHA-256: which weights made a translation
    path: Path
    language_tokens: frozenset[str]
    installed_at: str = ""

    @property
    def label(self) -> str:
        """Provenance stored with each translation: ``<name> <version>``."""
        return f"{self.name} {self.version}"

    @property
    def languages(self) -> dict[str, str]:
        """ISO code → NLLB token for every language this model can translate to English."""
        if TARGET_TOKEN not in self.language_tokens:
            return {}
        return {lang: token for lang, token in NLLB_CODES.items() if token in self.language_tokens}


def nllb_install_command(lang: str) -> str | None:
    """The install command for languages only an NLLB model serves (``None`` for the others)."""
    return f"newsmon models install {lang}" if lang in NLLB_FIRST else None


# --- checking a model folder ------------------------------------------------------------


def read_vocabulary(folder: Path) -> list[str]:
    """The shared vocabulary the converter wrote (JSON list, or one token per line in older versions)."""
    for name in VOCABULARY_FILES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            if name.endswith(".json"):
                tokens = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                    raise NllbError(f"{path}: not a JSON list of tokens")
                return tokens
            return path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise NllbError(f"{path}: unreadable vocabulary ({exc})") from None
    if any((folder / f"{side}_vocabulary.{ext}").is_file() for side in ("source", "target") for ext in ("json", "txt")):
        raise NllbError(f"{folder}: separate source and target vocabularies; an NLLB model has one shared vocabulary")
    raise NllbError(f"{folder}: no shared_vocabulary.json (or .txt): not a converted CTranslate2 NLLB model")


def _check_tokenizer(folder: Path, vocabulary: set[str]) -> None:
    import sentencepiece  # noqa: PLC0415

    path = folder / TOKENIZER_FILE
    try:
        sp = sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (RuntimeError, OSError) as exc:
        raise NllbError(f"{path}: not a SentencePiece model ({' '.join(str(exc).split())})") from None
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]
    known = sum(piece in vocabulary for piece in pieces)
    if not pieces or known < MIN_PIECE_COVERAGE * len(pieces):
        raise NllbError(f"{path}: only {known} of its {len(pieces)} pieces are in the model's vocabulary: "
                        "not this model's SentencePiece file")


def check_model_dir(folder: Path) -> frozenset[str]:
    """Check a converted NLLB folder before anything is copied; returns its language tokens.

    Raises ``NllbError`` naming the folder and the reason: a missing file, an unreadable
    ``config.json`` or vocabulary, no ``eng_Latn`` token, none of the languages newsmon
    maps, or a SentencePiece file that does not belong to this vocabulary.
    """
    if not folder.is_dir():
        raise NllbError(f"{folder}: no such folder")
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            hint = " (copy it from the original model, e.g. facebook/nllb-200-distilled-600M)" if name == TOKENIZER_FILE else ""
            raise NllbError(f"{folder}: no {name}{hint}")
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise NllbError(f"{folder / 'config.json'}: not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise NllbError(f"{folder / 'config.json'}: not a CTranslate2 model config (expected a JSON object)")
    vocabulary = read_vocabulary(folder)
    tokens = set(vocabulary)
    if EOS not in tokens:
        raise NllbError(f"{folder}: the vocabulary has no {EOS} token")
    if TARGET_TOKEN not in tokens:
        raise NllbError(f"{folder}: the vocabulary has no {TARGET_TOKEN} token: not an NLLB model that translates to English")
    language_tokens = frozenset(t for t in tokens if _LANGUAGE_TOKEN.match(t))
    if not set(NLLB_CODES.values()) & language_tokens:
        wanted = ", ".join(NLLB_CODES[lang] for lang in NLLB_FIRST)
        raise NllbError(f"{folder}: the vocabulary has none of the language tokens newsmon uses ({wanted}, ...)")
    _check_tokenizer(folder, tokens)
    return language_tokens


# --- installing, listing, removing ------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def model_name(folder: Path, name: str | None = None) -> str:
    """A folder-safe name; one that does not say "nllb" gets it as a prefix."""
    cleaned = _NAME_CHARS.sub("-", name or folder.resolve().name).strip(".-")[:80] or "model"
    return cleaned if "nllb" in cleaned.lower() else f"nllb-{cleaned}"


def _try_load(folder: Path, *, source: Path) -> None:
    """Load the copied model once with CTranslate2: a truncated or foreign model.bin fails here."""
    try:
        try_load_ctranslate2(folder, source=source)
    except PackageError as exc:
        raise NllbError(str(exc)) from None


def install_nllb(source: Path, models_dir: Path, *, name: str | None = None) -> NllbModel:
    """Check ``source``, copy it into ``models_dir`` through a staging folder, and rename it into place.

    A model of the same name is replaced; on any error ``models_dir`` is unchanged.
    """
    source = Path(source)
    language_tokens = check_model_dir(source)
    name = model_name(source, name)
    staging = staging_dir(models_dir, ".newsmon-install-")
    target = models_dir / f"{FOLDER_PREFIX}{name}"
    try:
        staged = staging / target.name
        staged.mkdir()
        vocabulary_file = next(n for n in VOCABULARY_FILES if (source / n).is_file())
        try:
            for file_name in (*REQUIRED_FILES, vocabulary_file, *OPTIONAL_FILES):
                if (source / file_name).is_file():
                    shutil.copyfile(source / file_name, staged / file_name)
        except OSError as exc:
            raise NllbError(f"{source}: copying the model failed ({exc})") from None
        _try_load(staged, source=source)
        version = sha256_file(staged / "model.bin")[:12]
        metadata = {
            "type": METADATA_TYPE,
            "name": name,
            "package_version": version,
            "engine": ENGINE_NLLB,
            "language_tokens": sorted(language_tokens),
            "installed_from": str(source.resolve()),
            "installed_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        (staged / "metadata.json").write_text(json.dumps(metadata, indent=1), encoding="utf-8")
        swap_into_place(staged, target, staging=staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    model = read_model(target)
    logger.info("installed %s (%s) into %s", model.label, ", ".join(model.languages), target)
    return model


def read_model(folder: Path) -> NllbModel:
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise NllbError(f"{folder}: unreadable metadata.json ({exc})") from None
    if not isinstance(metadata, dict) or metadata.get("type") != METADATA_TYPE:
        raise NllbError(f"{folder}: not an NLLB model installed by newsmon")
    return NllbModel(
        name=str(metadata.get("name") or folder.name.removeprefix(FOLDER_PREFIX)),
        version=str(metadata.get("package_version") or "0"),
        path=folder,
        language_tokens=frozenset(metadata.get("language_tokens") or ()),
        installed_at=str(metadata.get("installed_at") or ""),
    )


def installed_nllb_models(models_dir: Path) -> list[NllbModel]:
    """Installed NLLB models, the most recently installed first (it serves a language first)."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in sorted(models_dir.glob(f"{FOLDER_PREFIX}*")):
        if child.name.startswith(".newsmon-") or not (child / "metadata.json").is_file():
            continue  # an install in progress, or not a model (e.g. some other tool's hidden folder)
        try:
            found.append(read_model(child))
        except NllbError as exc:
            logger.warning("%s", exc)
    return sorted(found, key=lambda m: m.installed_at, reverse=True)


def remove_nllb(code: str, models_dir: Path) -> list[NllbModel]:
    """Remove the NLLB models named ``code`` (or all of them for ``nllb``); ``[]`` when none matches."""
    matches = [m for m in installed_nllb_models(models_dir) if code in ("nllb", m.name, m.path.name)]
    for model in matches:
        # Rename first so a half-removed folder is never read as a model.
        trash = staging_dir(models_dir, ".newsmon-remove-")
        model.path.rename(trash / model.path.name)
        shutil.rmtree(trash, ignore_errors=True)
    return matches


# --- translating ------------------------------------------------------------------------


def prepare_text(text: str, src_lang: str) -> str:
    """What the model reads: Uzbek in Cyrillic script becomes Uzbek Latin."""
    return to_latin(text) if src_lang == "uz" else text


@dataclass
class NllbTranslator:
    """An NLLB model run by CTranslate2: one model, many source languages, English out."""

    nllb: NllbModel
    options: EngineOptions = field(default_factory=EngineOptions)
    engine: str = ENGINE_NLLB
    stats: EngineStats = field(default_factory=EngineStats)

    @property
    def model(self) -> str:
        return self.nllb.label

    def load(self) -> "NllbTranslator":
        """Load model and tokenizer now (errors surface here, not mid-batch)."""
        self._sp = load_tokenizer(self.nllb.path / TOKENIZER_FILE)
        self._ct2 = load_translator(self.nllb.path, self.options)
        return self

    def source_tokens(self, sentences: Sequence[str], src_lang: str) -> tuple[list[list[str]], list[int]]:
        """The model's inputs, ``[lang] + pieces + [</s>]``, and the sentence each belongs to.

        Sentences longer than ``max_input_tokens`` are cut into several inputs (never truncated).
        """
        token = self.nllb.languages.get(src_lang)
        if token is None:
            raise EngineError(f"{self.model} has no language token for {src_lang}")
        if not hasattr(self, "_sp"):
            self.load()
        encoded = self._sp.encode([prepare_text(s, src_lang) for s in sentences], out_type=str)
        budget = max(2, self.options.max_input_tokens - 2)  # room for the language token and </s>
        pieces, owner = cut_sentences(encoded, budget, sentencepiece_word_start, self.stats)
        inputs = [[token, *piece, EOS] for piece in pieces]
        return inputs, owner

    def decode(self, tokens: list[str]) -> str:
        """Pieces → text, without the target prefix and any special or language token."""
        if tokens and tokens[0] == TARGET_TOKEN:
            tokens = tokens[1:]
        kept = [t for t in tokens if t not in _SPECIAL_TOKENS and not _LANGUAGE_TOKEN.match(t)]
        return self._sp.decode_pieces(kept).strip()

    def translate_batch(self, sentences: Sequence[str], src_lang: str) -> list[str]:
        inputs, owner = self.source_tokens(sentences, src_lang)
        hypotheses = run_ctranslate2(self._ct2, inputs, self.options, target_prefix=TARGET_TOKEN)
        self.stats.record(len(sentences), inputs, hypotheses)
        return join_pieces(len(sentences), owner, [self.decode(hypothesis) for hypothesis in hypotheses])
