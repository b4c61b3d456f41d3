"""Sentence splitting, cutting long sentences, and the engine on a real (random-weight) model."""

from __future__ import annotations

import pytest

from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES
from tests.translation_models import cached_argosmodel
from translate.engine import ArgosTranslator, EngineError, EngineOptions, bpe_word_start, chunk_tokens
from translate.packages import install_archive, models_by_language
from translate.registry import Registry
from translate.sentences import join_text, split_sentences, split_text


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("Задержан И. Петров. Он признался.", ["Задержан И. Петров.", "Он признался."]),
        ("В 2025 г. возбуждено дело. Ущерб 3.5 млн руб. и более.", ["В 2025 г. возбуждено дело.", "Ущерб 3.5 млн руб. и более."]),
        ("Он сказал: «Хватит!» Потом ушёл.", ["Он сказал: «Хватит!»", "Потом ушёл."]),
        ("«Почему?» — спросил он. — Не знаю.", ["«Почему?» — спросил он.", "— Не знаю."]),
        ("Il dott. Rossi ha parlato. Poi il Sig. Bianchi.", ["Il dott. Rossi ha parlato.", "Poi il Sig. Bianchi."]),
        ("See www.example.com for details. Call 102.", ["See www.example.com for details.", "Call 102."]),
        ("Mr. Smith arrived at 5 p.m. yesterday. It rained...", ["Mr. Smith arrived at 5 p.m. yesterday.", "It rained..."]),
        ("no final point here", ["no final point here"]),
        ("   ", []),
    ],
)
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected


def test_split_and_join_keep_every_paragraph_and_word():
    for article in RU_ARTICLES + IT_ARTICLES + EN_ARTICLES:
        text = "\n".join(article.paragraphs)
        parts = split_text(text)
        assert len(parts) == len(article.paragraphs)
        assert join_text(parts) == text
    assert join_text(split_text("Один.\n\nДва. Три.")) == "Один.\n\nДва. Три."


def test_chunk_tokens_cuts_at_clause_then_word_boundaries_and_keeps_all():
    tokens = [f"▁w{i}" for i in range(10)] + ["▁x", ","] + [f"▁v{i}" for i in range(10)]
    pieces = chunk_tokens(tokens, 14)
    assert [t for p in pieces for t in p] == tokens
    assert all(len(p) <= 14 for p in pieces)
    assert pieces[0][-1] == ","  # the comma in the second half of the window
    glued = ["▁a"] + ["b"] * 30  # one long word: no boundary, cut at the budget
    assert [len(p) for p in chunk_tokens(glued, 8)] == [8, 8, 8, 7]
    assert chunk_tokens(["▁a", "▁b"], 8) == [["▁a", "▁b"]]


def test_chunk_tokens_never_cuts_inside_a_bpe_word():
    words = [["Поли@@", "ци@@", "я"], ["за@@", "держ@@", "ала"], ["трёх"], ["мо@@", "шен@@", "ни@@", "ков"], [","],
             ["которые"], ["зво@@", "ни@@", "ли"], ["пенсио@@", "нерам"], ["."]]
    tokens = [t for word in words for t in word]
    pieces = chunk_tokens(tokens, 8, bpe_word_start)
    assert [t for p in pieces for t in p] == tokens and all(len(p) <= 8 for p in pieces)
    for piece in pieces[:-1]:
        assert not piece[-1].endswith("@@"), pieces
    assert pieces[1][-1] == ","  # a clause break in the window is preferred to the last word start



@pytest.fixture(scope="module")
def ru_model(tmp_path_factory):
    models_dir = tmp_path_factory.mktemp("units-models")
    return install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)


def test_engine_translates_in_order_and_cuts_long_sentences(ru_model):
    paragraph = " ".join(RU_ARTICLES[0].paragraphs)  # one very long "sentence"
    sentences = ["Задержан житель.", paragraph, "", "Возбуждено уголовное дело."]
    short = ArgosTranslator(ru_model, EngineOptions(max_input_tokens=40)).load()
    out = short.translate_batch(sentences, "ru")
    assert len(out) == 4 and out[2] == ""
    assert short.stats.long_sentences == 1
    assert short.stats.pieces > 4 - 1  # the long one became several CTranslate2 inputs
    whole = ArgosTranslator(ru_model, EngineOptions(max_input_tokens=1000)).load()
    again = whole.translate_batch(sentences, "ru")
    assert whole.stats.long_sentences == 0
    # Same model, same decoding: the sentences that were not cut translate identically.
    assert again[0] == out[0] and again[3] == out[3]
    with pytest.raises(EngineError):
        whole.translate_batch(["Ciao."], "it")


def test_engine_output_lengths_are_forced_when_asked(ru_model):
    fixed = ArgosTranslator(ru_model, EngineOptions(min_decoding_length=12, max_decoding_length=12)).load()
    fixed.translate_batch(["Задержан житель.", "Возбуждено дело о мошенничестве в сети."], "ru")
    assert fixed.stats.target_tokens == 24


def test_registry_picks_newest_usable_package(tmp_path, tmp_path_factory):
    models_dir = tmp_path / "models"
    install_archive(cached_argosmodel(tmp_path_factory, "ru"), models_dir)
    install_archive(cached_argosmodel(tmp_path_factory, "ru", version="1.10"), models_dir)
    assert models_by_language(models_dir)["ru"].version == "1.10"  # 1.10 > 1.9 > 1.0, as versions
    registry = Registry(models_dir)
    assert registry.languages() == {"ru"} and not registry.has("it") and not registry.has(None)
    translator = registry.translator("ru")
    assert translator.model == "translate-ru_en 1.10" and translator.engine == "argos-ctranslate2"
    assert registry.translator("ru") is translator  # loaded once
