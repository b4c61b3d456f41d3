"""Running translation models: CTranslate2 directly, many sentences per call.

Argos's own ``translate()`` batches only within one paragraph (and imports
stanza/torch); here sentences from many articles go to one ``translate_batch``
call, which sorts them by length and packs them into token-sized batches. Each
model is loaded once per process (``load_translator`` caches it).

Any engine offers ``translate_batch(sentences, src_lang) -> list[str]`` plus
``engine`` and ``model`` strings for provenance (the ``Translator`` protocol), so
other model kinds (e.g. a multilingual model with language tokens) plug in
through ``translate.registry``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from translate.packages import InstalledModel

logger = logging.getLogger(__name__)

#: Greedy search: see BENCHMARKS.md ("Translation") for the measured speed-up and why.
DEFAULT_BEAM = 1
#: Source tokens times beam size per CTranslate2 batch (batch_type="tokens"): 4096 at greedy,
#: 1024 at beam 4 measured fastest in benchmarks/translate_bench.py --sweep.
DEFAULT_BATCH_TOKENS = 4096
#: Longer sentences are cut into pieces of at most this many tokens (never truncated).
DEFAULT_MAX_INPUT_TOKENS = 150
ENGINE_ARGOS = "argos-ctranslate2"


class EngineError(Exception):
    """A model could not be loaded or run; the message is one line."""


class Translator(Protocol):
    """What the worker needs from any translation engine."""

    engine: str  # e.g. "argos-ctranslate2"
    model: str  # provenance, e.g. "translate-ru_en 1.9"

    def translate_batch(self, sentences: Sequence[str], src_lang: str) -> list[str]:
        """Translate each sentence to English; same length and order as the input."""
        ...


@dataclass(frozen=True)
class EngineOptions:
    device: str = "cpu"  # "cpu" or "cuda"
    compute_type: str | None = None  # default: int8 on CPU, "auto" on CUDA
    beam_size: int = DEFAULT_BEAM
    tokens_per_batch: int | None = None  # default: DEFAULT_BATCH_TOKENS / beam_size (see max_batch_tokens)
    max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS
    max_decoding_length: int | None = None  # default: twice max_input_tokens
    min_decoding_length: int = 1  # benchmarks force equal output lengths with this
    intra_threads: int = 0  # 0: CTranslate2's default (all cores, at most 4)
    length_penalty: float = 0.2  # what Argos uses for its packages

    @property
    def resolved_compute_type(self) -> str:
        return self.compute_type or ("int8" if self.device == "cpu" else "auto")

    @property
    def max_batch_tokens(self) -> int:
        """CTranslate2's ``max_batch_size`` (in source tokens): beam search multiplies the rows by the beam."""
        return self.tokens_per_batch or max(256, DEFAULT_BATCH_TOKENS // self.beam_size)

    @property
    def decoding_cap(self) -> int:
        return self.max_decoding_length or 2 * self.max_input_tokens + 10

    def with_(self, **changes) -> "EngineOptions":
        return replace(self, **changes)


_cache_lock = threading.Lock()
_translators: dict[tuple, object] = {}
_tokenizers: dict[str, object] = {}


def load_translator(model_dir: Path, options: EngineOptions):
    """One ``ctranslate2.Translator`` per model, device and compute type per process."""
    key = (str(model_dir), options.device, options.resolved_compute_type, options.intra_threads)
    with _cache_lock:
        if key not in _translators:
            import ctranslate2  # noqa: PLC0415 - heavy; only when translating

            try:
                _translators[key] = ctranslate2.Translator(
                    str(model_dir),
                    device=options.device,
                    compute_type=options.resolved_compute_type,
                    intra_threads=options.intra_threads,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise EngineError(f"cannot load the CTranslate2 model in {model_dir}: {exc}") from None
            logger.info("loaded %s on %s (%s)", model_dir, options.device, options.resolved_compute_type)
        return _translators[key]


def load_tokenizer(path: Path):
    with _cache_lock:
        if str(path) not in _tokenizers:
            import sentencepiece  # noqa: PLC0415

            try:
                _tokenizers[str(path)] = sentencepiece.SentencePieceProcessor(model_file=str(path))
            except (RuntimeError, OSError) as exc:
                raise EngineError(f"cannot load the SentencePiece model {path}: {exc}") from None
        return _tokenizers[str(path)]


def sentencepiece_word_start(tokens: list[str], i: int) -> bool:
    return tokens[i].startswith("▁")


def bpe_word_start(tokens: list[str], i: int) -> bool:
    return not tokens[i - 1].endswith("@@")


class SentencePieceCodec:
    """SentencePiece pieces (``sentencepiece.model``), the tokenizer of most Argos packages."""

    word_start = staticmethod(sentencepiece_word_start)

    def __init__(self, path: Path):
        self._sp = load_tokenizer(path)

    def encode(self, sentences: Sequence[str]) -> list[list[str]]:
        return self._sp.encode(list(sentences), out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return self._sp.decode_pieces(tokens).strip()


class BpeCodec:
    """Moses tokens split with subword-nmt BPE codes (``bpe.model``), as some Argos packages ship.

    The same steps as Argos's ``BPETokenizer`` (Moses punctuation normalising and
    tokenising from sacremoses, then subword-nmt's ``apply_bpe``, of which Argos
    bundles a copy), so the pieces are exactly those the model was trained on.
    """

    word_start = staticmethod(bpe_word_start)

    def __init__(self, path: Path, from_code: str, to_code: str):
        from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer  # noqa: PLC0415
        from subword_nmt.apply_bpe import BPE  # noqa: PLC0415

        self._normalizer = MosesPunctNormalizer(from_code)
        self._tokenizer = MosesTokenizer(from_code)
        self._detokenizer = MosesDetokenizer(to_code)
        try:
            with open(path, encoding="utf-8") as codes:
                self._bpe = BPE(codes)
        except (OSError, ValueError, UnicodeDecodeError, SystemExit) as exc:  # apply_bpe exits on a bad line
            raise EngineError(f"cannot load the BPE codes {path}: {exc}") from None

    def encode_one(self, sentence: str) -> list[str]:
        tokens = " ".join(self._tokenizer.tokenize(self._normalizer.normalize(sentence)))
        return self._bpe.segment_tokens(tokens.strip("\r\n ").split(" "))

    def encode(self, sentences: Sequence[str]) -> list[list[str]]:
        return [self.encode_one(sentence) if sentence.strip() else [] for sentence in sentences]

    def decode(self, tokens: list[str]) -> str:
        if tokens and tokens[-1].endswith("@@"):  # a word left open at the end (cut piece, odd model)
            tokens = [*tokens[:-1], tokens[-1][:-2]]
        if not tokens:
            return ""
        return self._detokenizer.detokenize(" ".join(tokens).replace("@@ ", "").split(" ")).strip()


def load_codec(package: InstalledModel) -> SentencePieceCodec | BpeCodec:
    """The package's tokenizer, loaded once per process."""
    if package.tokenizer == "bpe":
        key = f"bpe:{package.path / 'bpe.model'}"
        with _cache_lock:
            if key not in _tokenizers:
                _tokenizers[key] = BpeCodec(package.path / "bpe.model", package.from_code, package.to_code)
            return _tokenizers[key]
    return SentencePieceCodec(package.path / "sentencepiece.model")


def clear_cache() -> None:
    """Forget loaded models (after ``models remove``, and in tests)."""
    with _cache_lock:
        _translators.clear()
        _tokenizers.clear()


_BREAK_AFTER = (",", ";", ":", "—", "–", ")", "»")


def chunk_tokens(
    tokens: list[str], budget: int, word_start: Callable[[list[str], int], bool] = sentencepiece_word_start
) -> list[list[str]]:
    """Cut a too-long token list into pieces of at most ``budget`` tokens.

    Cuts go at a word start (a ``▁`` piece for SentencePiece, a piece not
    following ``@@`` for BPE) after a comma, semicolon, colon or dash when one
    is in the second half of the window, else at the last word start, else at
    the budget. Every token is kept.
    """
    if budget < 2:
        raise ValueError("budget must be at least 2 tokens")
    pieces = []
    start = 0
    while len(tokens) - start > budget:
        window_end = start + budget
        cut = None
        for i in range(window_end, start + budget // 2, -1):
            if word_start(tokens, i) and tokens[i - 1].endswith(_BREAK_AFTER):
                cut = i
                break
        if cut is None:
            for i in range(window_end, start + budget // 2, -1):
                if word_start(tokens, i):
                    cut = i
                    break
        cut = cut or window_end
        pieces.append(tokens[start:cut])
        start = cut
    pieces.append(tokens[start:])
    return pieces


@dataclass
class EngineStats:
    sentences: int = 0
    pieces: int = 0  # CTranslate2 inputs: sentences plus the extra pieces of long ones
    long_sentences: int = 0  # sentences cut into pieces
    source_tokens: int = 0
    target_tokens: int = 0

    def record(self, sentences: int, inputs: list[list[str]], outputs: list[list[str]]) -> None:
        self.sentences += sentences
        self.pieces += len(inputs)
        self.source_tokens += sum(len(i) for i in inputs)
        self.target_tokens += sum(len(o) for o in outputs)


def cut_sentences(
    encoded: list[list[str]], budget: int, word_start: Callable[[list[str], int], bool], stats: EngineStats
) -> tuple[list[list[str]], list[int]]:
    """Each sentence's tokens as model inputs, long ones cut into pieces (``chunk_tokens``),
    and the index of the sentence each input belongs to."""
    inputs: list[list[str]] = []
    owner: list[int] = []
    for index, tokens in enumerate(encoded):
        parts = chunk_tokens(tokens, budget, word_start) if tokens else []
        if len(parts) > 1:
            stats.long_sentences += 1
            logger.debug("sentence of %d tokens cut into %d pieces", len(tokens), len(parts))
        inputs.extend(parts)
        owner.extend([index] * len(parts))
    return inputs, owner


def join_pieces(count: int, owner: list[int], texts: list[str]) -> list[str]:
    """The translated pieces of ``count`` sentences joined back, one string per sentence."""
    out: list[list[str]] = [[] for _ in range(count)]
    for index, text in zip(owner, texts):
        out[index].append(text)
    return [" ".join(parts) for parts in out]


def run_ctranslate2(ct2, batch: list[list[str]], options: EngineOptions, *, target_prefix: str = "") -> list[list[str]]:
    """One CTranslate2 call over token lists, as they are: the best hypothesis of each (prefix included)."""
    if not batch:
        return []
    results = ct2.translate_batch(
        batch,
        target_prefix=[[target_prefix]] * len(batch) if target_prefix else None,
        max_batch_size=options.max_batch_tokens,
        batch_type="tokens",
        beam_size=options.beam_size,
        length_penalty=options.length_penalty,
        max_input_length=0,  # never truncate: long inputs were cut into pieces
        max_decoding_length=options.decoding_cap,
        min_decoding_length=options.min_decoding_length,
        replace_unknowns=True,
    )
    return [result.hypotheses[0] for result in results]


@dataclass
class ArgosTranslator:
    """An Argos package (CTranslate2 model + SentencePiece or BPE tokenizer) run by CTranslate2."""

    package: InstalledModel
    options: EngineOptions = field(default_factory=EngineOptions)
    engine: str = ENGINE_ARGOS
    stats: EngineStats = field(default_factory=EngineStats)

    @property
    def model(self) -> str:
        return self.package.label

    def load(self) -> "ArgosTranslator":
        """Load model and tokenizer now (errors surface here, not mid-batch)."""
        if self.package.problem:
            raise EngineError(f"{self.package.label}: {self.package.problem}")
        self._codec = load_codec(self.package)
        self._ct2 = load_translator(self.package.path / "model", self.options)
        return self

    def encode(self, sentences: Sequence[str]) -> list[list[str]]:
        if not hasattr(self, "_codec"):
            self.load()
        return self._codec.encode(sentences)

    def decode(self, tokens: list[str]) -> str:
        return self._codec.decode(tokens)

    def translate_tokens(self, batch: list[list[str]]) -> list[list[str]]:
        """Translate token lists as they are (one CTranslate2 call)."""
        if not hasattr(self, "_ct2"):
            self.load()
        prefix = self.package.target_prefix
        hypotheses = run_ctranslate2(self._ct2, batch, self.options, target_prefix=prefix)
        return [hyp[1:] if prefix and hyp and hyp[0] == prefix else hyp for hyp in hypotheses]

    def translate_batch(self, sentences: Sequence[str], src_lang: str) -> list[str]:
        if src_lang != self.package.from_code:
            raise EngineError(f"{self.package.label} translates {self.package.from_code}, not {src_lang}")
        encoded = self.encode(sentences)
        pieces, owner = cut_sentences(encoded, self.options.max_input_tokens, self._codec.word_start, self.stats)
        translated = self.translate_tokens(pieces)
        self.stats.record(len(sentences), pieces, translated)
        return join_pieces(len(sentences), owner, [self.decode(tokens) for tokens in translated])
