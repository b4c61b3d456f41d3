"""Argos-format packages built at test time: random-weight CTranslate2 Transformers.

A SentencePiece model is trained on a few lines of text, a Transformer with
random weights is declared through CTranslate2's own spec API (the layout its
OpenNMT-py converter writes, which is what Argos packages contain), saved, and
zipped with ``metadata.json`` into a real ``.argosmodel``. The translations are
gibberish by design; everything around them is real. Also used by
``benchmarks/translate_bench.py`` for a full-size model.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES


def fixture_lines(lang: str) -> list[str]:
    articles = {"ru": RU_ARTICLES, "it": IT_ARTICLES, "en": EN_ARTICLES}.get(lang, RU_ARTICLES + IT_ARTICLES)
    return [a.title for a in articles] + [p for a in articles for p in a.paragraphs]


def train_sentencepiece(lines: Iterable[str], path: Path, *, vocab_size: int = 300, model_type: str = "unigram") -> Path:
    """Train a SentencePiece model on ``lines`` (a soft vocabulary limit: small texts allowed).

    ``model_type="bpe"`` merges up to whole words on a small text, which gives
    token counts per sentence like a real 50k-vocabulary model on news.
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type=model_type,
        bos_id=1,
        eos_id=2,
        unk_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    return path


def sentencepiece_vocabulary(sp_model: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_ctranslate2_model(
    out_dir: Path,
    vocabulary: list[str],
    *,
    layers: int = 2,
    heads: int = 2,
    d_model: int = 32,
    ffn: int = 64,
    seed: int = 0,
    quantization: str = "int8",
    eos_bias: float = 0.0,
    config: dict | None = None,
) -> Path:
    """Save a pre-norm Transformer (OpenNMT-py layout) with random weights and a shared vocabulary.

    ``eos_bias`` raises the end-of-sentence logit so that random outputs end after
    a few tokens, as real translations do, instead of running to the length cap.
    ``config`` sets ``config.json`` values (e.g. NLLB's ``decoder_start_token``).
    """
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    vocab = len(vocabulary)

    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)

    def norm(spec) -> None:
        spec.gamma = np.ones(d_model, dtype=np.float32)
        spec.beta = np.zeros(d_model, dtype=np.float32)

    def linear(spec, rows: int, cols: int) -> None:
        spec.weight = w(rows, cols)
        spec.bias = np.zeros(rows, dtype=np.float32)

    def ffn_layer(spec) -> None:
        norm(spec.layer_norm)
        linear(spec.linear_0, ffn, d_model)
        linear(spec.linear_1, d_model, ffn)

    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads)
    spec.encoder.embeddings[0].weight = w(vocab, d_model)
    norm(spec.encoder.layer_norm)
    for layer in spec.encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d_model, d_model)
        linear(layer.self_attention.linear[1], d_model, d_model)
        ffn_layer(layer.ffn)
    spec.decoder.embeddings.weight = w(vocab, d_model)
    norm(spec.decoder.layer_norm)
    linear(spec.decoder.projection, vocab, d_model)
    spec.decoder.projection.bias[vocabulary.index("</s>")] = eos_bias
    for layer in spec.decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d_model, d_model)
        linear(layer.self_attention.linear[1], d_model, d_model)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d_model, d_model)
        linear(layer.attention.linear[1], 2 * d_model, d_model)
        linear(layer.attention.linear[2], d_model, d_model)
        ffn_layer(layer.ffn)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    for key, value in (config or {}).items():
        setattr(spec.config, key, value)
    spec.validate()
    spec.optimize(quantization=quantization)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))
    return out_dir


def train_bpe_codes(lines: Iterable[str], path: Path, *, from_code: str, symbols: int = 300) -> Path:
    """subword-nmt BPE codes learned on Moses-tokenised ``lines``: the ``bpe.model`` of a BPE Argos package."""
    import io

    from sacremoses import MosesTokenizer
    from subword_nmt.learn_bpe import learn_bpe

    moses = MosesTokenizer(from_code)
    text = "\n".join(" ".join(moses.tokenize(line)) for line in lines)
    with path.open("w", encoding="utf-8") as codes:
        learn_bpe(io.StringIO(text), codes, symbols, min_frequency=2)
    return path


def bpe_vocabulary(codes: Path, lines: Iterable[str], *, from_code: str) -> list[str]:
    """Every piece the BPE codec (Argos's BPE steps) makes of ``lines``, after the special tokens."""
    from translate.engine import BpeCodec

    bpe = BpeCodec(codes, from_code, "en")
    pieces = sorted({piece for line in lines for piece in bpe.encode_one(line)})
    return ["<unk>", "<s>", "</s>", *pieces]


def build_package_dir(
    root: Path,
    *,
    from_code: str,
    to_code: str = "en",
    version: str = "1.0",
    lines: list[str] | None = None,
    vocab_size: int = 300,
    sp_model_type: str = "unigram",
    tokenizer: str = "sentencepiece",
    pad_vocabulary_to: int | None = None,
    seed: int = 0,
    eos_bias: float = 2.0,
    **model_args,
) -> Path:
    """An installed-layout package folder ``translate-<from>_<to>-<version>/`` under ``root``.

    ``tokenizer="bpe"`` ships subword-nmt codes (``bpe.model``) instead of SentencePiece.
    """
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    pkg = root / name
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    lines = lines or fixture_lines(from_code)
    if tokenizer == "bpe":
        codes = train_bpe_codes(lines, pkg / "bpe.model", from_code=from_code, symbols=vocab_size)
        vocabulary = bpe_vocabulary(codes, lines, from_code=from_code)
    else:
        sp_path = train_sentencepiece(lines, pkg / "sentencepiece.model", vocab_size=vocab_size, model_type=sp_model_type)
        vocabulary = sentencepiece_vocabulary(sp_path)
    if pad_vocabulary_to and pad_vocabulary_to > len(vocabulary):
        # Tokens the tokenizer never produces: they give the model its real output-layer size.
        vocabulary += [f"<extra_{i}>" for i in range(pad_vocabulary_to - len(vocabulary))]
    build_ctranslate2_model(pkg / "model", vocabulary, seed=seed, eos_bias=eos_bias, **model_args)
    metadata = {
        "package_version": version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": from_code.upper(),
        "to_code": to_code,
        "to_name": to_code.upper(),
        "type": "translate",
    }
    (pkg / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    (pkg / "README.md").write_text("Random weights, built for newsmon's tests.\n", encoding="utf-8")
    return pkg


def zip_package(pkg_dir: Path, archive: Path) -> Path:
    """Zip a package folder the way Argos distributes them: one top-level folder."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(pkg_dir, pkg_dir.name + "/")
        for path in sorted(pkg_dir.rglob("*")):
            zf.write(path, f"{pkg_dir.name}/{path.relative_to(pkg_dir).as_posix()}" + ("/" if path.is_dir() else ""))
    return archive


def build_argosmodel(out_dir: Path, *, from_code: str, version: str = "1.0", **kwargs) -> Path:
    """A real ``.argosmodel`` file for ``from_code``→en."""
    pkg = build_package_dir(out_dir / "build", from_code=from_code, version=version, **kwargs)
    return zip_package(pkg, out_dir / f"{pkg.name}.argosmodel")


@contextlib.contextmanager
def session_cache(tmp_path_factory, name: str) -> Iterator[Path]:
    """``name`` in the session's temp folder, held under a lock: build there what is missing.

    Under pytest-xdist, the folder every worker's temp folder is in (this run's own), so a
    model is built once per run, not once per worker; the lock keeps two workers from
    building the same one at the same time.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "models-cache" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path


def cached_argosmodel(tmp_path_factory, from_code: str, *, version: str = "1.0", **kwargs) -> Path:
    """Build each package once per test session (shared by every test module and xdist worker)."""
    key = "-".join([from_code, version] + [f"{k}={v}" for k, v in sorted(kwargs.items())])
    with session_cache(tmp_path_factory, f"argos-{key}") as out_dir:
        found = sorted(out_dir.glob("*.argosmodel")) if out_dir.exists() else []
        if found:
            return found[0]
        out_dir.mkdir(parents=True, exist_ok=True)
        return build_argosmodel(out_dir, from_code=from_code, version=version, **kwargs)


#: What ``ct2-transformers-converter`` writes for an NLLB (M2M-100) model: decoding starts from </s>.
NLLB_CONFIG = {"decoder_start_token": "</s>", "add_source_bos": False, "add_source_eos": False}
NLLB_TEST_LANGUAGES = ("eng_Latn", "uzn_Latn", "kaz_Cyrl", "tgk_Cyrl", "kir_Cyrl", "tuk_Latn", "rus_Cyrl", "ita_Latn")


def build_nllb_dir(
    out_dir: Path,
    lines: list[str],
    *,
    language_tokens: Iterable[str] = NLLB_TEST_LANGUAGES,
    vocab_size: int = 400,
    eos_bias: float = 1.0,
    max_output_tokens: int = 40,
    **model_args,
) -> Path:
    """A folder as ``ct2-transformers-converter`` makes it for NLLB-200, with random weights.

    The shared vocabulary is laid out like NLLB's: ``<s> <pad> </s> <unk>``, the
    SentencePiece pieces, the language tokens, ``<mask>``; the SentencePiece file
    (BPE, like NLLB's) is ``sentencepiece.bpe.model`` next to the model. Random greedy
    decoders either stop at once or loop to the length cap, so seeds are tried until
    one gives every line of ``lines`` a non-empty output shorter than ``max_output_tokens``.
    """
    import ctranslate2
    import sentencepiece as spm

    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    sp_path = train_sentencepiece(lines, out_dir / "sentencepiece.bpe.model", vocab_size=vocab_size, model_type="bpe")
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]
    language_tokens = tuple(language_tokens)
    vocabulary = ["<s>", "<pad>", "</s>", "<unk>", *pieces, *language_tokens, "<mask>"]
    source_token = next(t for t in language_tokens if t != "eng_Latn")
    source = [[source_token, *sp.encode(line, out_type=str), "</s>"] for line in lines]
    for seed in range(50):
        build_ctranslate2_model(out_dir, vocabulary, seed=seed, eos_bias=eos_bias, config=NLLB_CONFIG, **model_args)
        results = ctranslate2.Translator(str(out_dir)).translate_batch(
            source, target_prefix=[["eng_Latn"]] * len(source), max_decoding_length=max_output_tokens)
        if all(1 < len(r.hypotheses[0]) < max_output_tokens for r in results):
            return out_dir
    raise RuntimeError("no seed gave short, non-empty outputs")


def cached_nllb_dir(tmp_path_factory, lines: list[str], **kwargs) -> Path:
    """Build the NLLB folder once per test session; tests get it read-only (copy before changing it)."""
    with session_cache(tmp_path_factory, "nllb") as root:
        out_dir = root / "nllb-200-test"
        if not (out_dir / "model.bin").is_file():
            build_nllb_dir(out_dir, lines, **kwargs)
        return out_dir
