"""Translation speed: Argos's way of running a package vs newsmon's batched path (run by hand).

Builds (once, cached) a full-size random-weight package with the architecture of
Argos's ru→en model: Transformer-base, 6+6 layers, d_model 512, 8 heads, FFN
2048, a 50,000-token shared vocabulary, int8. Then translates the same news
sentences:

  (a) the way ``argostranslate.translate`` does (re-implemented here from
      argostranslate 1.11's translate.py, not imported: it pulls torch): one
      ``translate_batch`` call per paragraph, ``max_batch_size=32`` with
      ``batch_type="tokens"``, beam 4, ``length_penalty=0.2``,
      ``compute_type="auto"``, ``inter_threads=1``, ``intra_threads=0``;
  (b) newsmon's path (``translate.engine.ArgosTranslator``, fed batches of
      ``DEFAULT_BATCH_SENTENCES`` sentences like the worker) at beam 4, and
  (c) the same at beam 2 and 1 (greedy, newsmon's default).

Random weights never stop on their own, so every path is forced to generate the
same number of tokens per sentence (``min_decoding_length = max_decoding_length``).

    .venv/bin/python benchmarks/translate_bench.py            # ~10 minutes on 2 cores
    .venv/bin/python benchmarks/translate_bench.py --sweep    # also batch sizes for newsmon's default
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.translation_models import build_package_dir  # noqa: E402
from translate.engine import ArgosTranslator, EngineOptions  # noqa: E402
from translate.packages import read_package  # noqa: E402
from translate.sentences import split_sentences  # noqa: E402
from translate.worker import DEFAULT_BATCH_SENTENCES  # noqa: E402

# --- fixture text: Russian police/cybercrime news sentences, written for this benchmark -----

PLACES = [
    "Ташкентской области", "Самаркандской области", "Алматы", "Астаны", "Карагандинской области",
    "Ферганской долины", "Бухарской области", "Шымкента", "Наманганской области", "Павлодара",
    "Андижанской области", "Актобе", "Хорезмской области", "Костаная", "Кашкадарьинской области",
]
AMOUNTS = ["двести тысяч", "полтора миллиона", "три миллиона", "восемьсот тысяч", "двенадцать миллионов", "сорок тысяч"]
COUNTS = ["двое", "трое", "четверо", "пятеро", "шестеро", "семеро"]
TEMPLATES = [
    "Сотрудники полиции {place} задержали {count} подозреваемых в мошенничестве с банковскими картами, сообщает пресс-служба ведомства.",
    "По данным следствия, злоумышленники звонили пенсионерам {place} и представлялись сотрудниками службы безопасности банка.",
    "Ущерб от действий группы превысил {amount} рублей, пострадавшими признаны жители нескольких районов {place}.",
    "При обыске у задержанных изъяты ноутбуки, мобильные телефоны, десятки сим-карт и черновые записи с номерами потерпевших.",
    "В отношении подозреваемых возбуждено уголовное дело по статье о мошенничестве, совершённом организованной группой.",
    "Полиция {place} напоминает, что сотрудники банков никогда не просят сообщить код из СМС-сообщения.",
    "Специалисты киберпатруля {place} выявили сеть поддельных сайтов, на которых продавались несуществующие авиабилеты.",
    "Покупатели переводили деньги по ссылке из мессенджера, однако билеты так и не получили, а сайты вскоре перестали открываться.",
    "Всего с начала года в {place} зарегистрировано более {amount} рублей ущерба от интернет-мошенничества.",
    "Следователи установили, что организатор схемы арендовал серверы за рубежом и регулярно менял доменные имена.",
    "Житель {place} лишился сбережений после того, как установил на телефон приложение, присланное незнакомцем.",
    "По просьбе полиции провайдеры ограничили доступ к {count} сайтам, через которые собирались данные банковских карт.",
    "{count} студентов колледжа в {place} подозреваются во взломе аккаунтов в социальных сетях и вымогательстве.",
    "Они рассылали друзьям владельцев сообщения с просьбой занять деньги и указывали номер чужой карты.",
    "Министерство внутренних дел {place} предупредило о новой волне звонков от имени сотрудников налоговой службы.",
    "Мошенники сообщают о якобы положенной компенсации и просят назвать данные паспорта и карты для её перевода.",
    "В {place} прошла неделя кибербезопасности, во время которой полицейские провели занятия в школах и колледжах.",
    "Школьникам рассказали, как распознать фишинговую ссылку и почему нельзя сообщать пароли даже знакомым.",
    "Суд {place} приговорил организатора финансовой пирамиды к восьми годам лишения свободы и штрафу.",
    "Вкладчики пирамиды, которых насчитывается несколько тысяч, смогут потребовать возмещения ущерба в гражданском порядке.",
    "Оперативники {place} задержали курьера, который забирал наличные у обманутых пожилых людей.",
    "Задержанный признался, что получал инструкции через анонимный канал и оставлял себе десятую часть суммы.",
    "Полиция просит откликнуться всех, кто пострадал от действий этой группы, и обратиться в ближайший отдел.",
    "На территории {place} изъято оборудование для майнинга криптовалюты, подключённое к электросети в обход счётчика.",
    "Сумма ущерба, причинённого энергетической компании, по предварительной оценке составляет {amount} рублей.",
    "Сотрудники отдела по борьбе с торговлей людьми {place} освободили {count} граждан, которых удерживали в колл-центре.",
    "Пострадавших заставляли совершать звонки по заранее подготовленным сценариям и угрожали им расправой.",
    "Киберполиция {place} зафиксировала попытку атаки на информационную систему городской больницы.",
    "Благодаря резервным копиям работа больницы была восстановлена в течение суток, данные пациентов не пострадали.",
    "Эксперты советуют включить двухфакторную аутентификацию и регулярно обновлять программное обеспечение.",
]


def all_sentences() -> list[str]:
    """Every distinct sentence the templates make (625)."""
    made = {
        template.format(place=place, amount=amount, count=count)
        for template in TEMPLATES
        for place, amount, count in itertools.product(PLACES, AMOUNTS, COUNTS)
    }
    return sorted(sentence[0].upper() + sentence[1:] for sentence in made)


def news_paragraphs(count: int, seed: int = 1) -> list[str]:
    """``count`` distinct sentences grouped into 2-4-sentence paragraphs."""
    rng = random.Random(seed)
    pool = all_sentences()
    if count > len(pool):
        raise ValueError(f"at most {len(pool)} distinct sentences")
    sentences = rng.sample(pool, count)
    paragraphs = []
    i = 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    return paragraphs


# --- the two paths -------------------------------------------------------------------------


def argos_way(model_dir: Path, sp, paragraphs: list[str], *, length: int, beam: int = 4) -> tuple[float, int, int]:
    """What argostranslate 1.11 ``apply_packaged_translation`` does, paragraph by paragraph (its beam is 4)."""
    import ctranslate2

    translator = ctranslate2.Translator(str(model_dir), device="cpu", inter_threads=1, intra_threads=0, compute_type="auto")
    sentences_done = tokens = 0
    started = time.perf_counter()
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)  # Argos uses MiniSBD/stanza here; same sentences for both paths
        tokenized = [sp.encode(s, out_type=str) for s in sentences]
        results = translator.translate_batch(
            tokenized, replace_unknowns=True, max_batch_size=32, batch_type="tokens",
            beam_size=beam, num_hypotheses=1, length_penalty=0.2, return_scores=True,
            min_decoding_length=length, max_decoding_length=length,
        )
        for result in results:
            sp.decode_pieces(result.hypotheses[0])
            tokens += len(result.hypotheses[0])
        sentences_done += len(sentences)
    return time.perf_counter() - started, sentences_done, tokens


def newsmon_way(package, paragraphs: list[str], *, beam: int, length: int, batch_tokens: int | None = None) -> tuple[float, int, int]:
    options = EngineOptions(beam_size=beam, min_decoding_length=length, max_decoding_length=length, tokens_per_batch=batch_tokens)
    translator = ArgosTranslator(package, options).load()
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    started = time.perf_counter()
    for start in range(0, len(sentences), DEFAULT_BATCH_SENTENCES):  # the worker's batches
        translator.translate_batch(sentences[start : start + DEFAULT_BATCH_SENTENCES], "ru")
    return time.perf_counter() - started, len(sentences), translator.stats.target_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="run every path this many times, keep the best (shared machines are noisy)")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/newsmon-translate-bench"))
    parser.add_argument("--default-beam", type=int, default=None, help="newsmon's default (from translate.engine)")
    parser.add_argument("--sweep", action="store_true", help="also time other batch sizes at the default beam")
    parser.add_argument("--equal-only", action="store_true", help="only the like-with-like pairs: beam 4 and greedy, each both ways")
    args = parser.parse_args()

    import sentencepiece as spm

    from translate.engine import DEFAULT_BEAM

    default_beam = args.default_beam or DEFAULT_BEAM
    paragraphs = news_paragraphs(args.sentences)
    pkg_dir = args.cache_dir / "translate-ru_en-9_9"
    if not (pkg_dir / "model" / "model.bin").exists():
        print("building the full-size random model (once) ...", flush=True)
        # SentencePiece (BPE) trained on the sentences themselves: about one token per word,
        # close to a real 50k-vocabulary model on news text; the vocabulary is padded to 50,000.
        build_package_dir(
            args.cache_dir, from_code="ru", version="9.9", lines=all_sentences(), vocab_size=8000, sp_model_type="bpe", pad_vocabulary_to=50_000,
            layers=6, heads=8, d_model=512, ffn=2048, eos_bias=0.0,
        )
    package = read_package(pkg_dir)
    sp = spm.SentencePieceProcessor(model_file=str(pkg_dir / "sentencepiece.model"))
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    lengths = [len(sp.encode(s)) for s in sentences]
    length = round(statistics.mean(lengths))
    print(f"{len(sentences)} sentences in {len(paragraphs)} paragraphs; source tokens per sentence: "
          f"mean {statistics.mean(lengths):.1f}, min {min(lengths)}, max {max(lengths)}; "
          f"every path generates exactly {length} tokens per sentence", flush=True)

    configs = [("(a) Argos way: per paragraph, beam 4, 32-token batches",
                lambda: argos_way(pkg_dir / "model", sp, paragraphs, length=length)),
               # Like with like: Argos's way at newsmon's default beam (issue 17).
               ("(a1) Argos way: per paragraph, greedy, 32-token batches",
                lambda: argos_way(pkg_dir / "model", sp, paragraphs, length=length, beam=1))]
    for beam in sorted({4, 1, default_beam} if args.equal_only else {4, 2, 1, default_beam}, reverse=True):
        label = "(b) newsmon: batched, beam 4" if beam == 4 else f"(c) newsmon: batched, beam {beam}"
        configs.append((label + (" (default)" if beam == default_beam else ""),
                        lambda beam=beam: newsmon_way(package, paragraphs, beam=beam, length=length)))
    if args.sweep:
        for beam in (4, default_beam):
            for batch_tokens in (1024, 2048, 4096, 8192):
                configs.append((f"    newsmon beam {beam}, max_batch_tokens {batch_tokens}",
                                lambda beam=beam, bt=batch_tokens: newsmon_way(package, paragraphs, beam=beam, length=length, batch_tokens=bt)))

    newsmon_way(package, paragraphs[:2], beam=1, length=4)  # load the model before timing
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.rounds} round(s), every path once per round, best kept", flush=True)
    best: dict[str, tuple[float, float, int, int]] = {}
    for round_no in range(1, args.rounds + 1):
        for name, run in configs:
            cpu = time.process_time()
            seconds, n, tokens = run()
            cpu = time.process_time() - cpu
            print(f"round {round_no}: {name:<48} {seconds:7.1f} s wall {cpu:7.1f} s CPU  {n / seconds:6.2f} sentences/s"
                  f"  (load {os.getloadavg()[0]:.1f})", flush=True)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, cpu, n, tokens)
    base_wall, base_cpu, base_n, _ = best[configs[0][0]]
    print()
    print(f"{'best of ' + str(args.rounds):<56} {'s':>7} {'sent/s':>8} {'tok/s':>8} {'CPU s':>7}  ratio (wall) ratio (CPU)")
    for name, _run in configs:
        seconds, cpu, n, tokens = best[name]
        print(f"{name.strip():<56} {seconds:7.1f} {n / seconds:8.2f} {tokens / seconds:8.1f} {cpu:7.1f}"
              f"  {base_wall / seconds:8.1f}×  {base_cpu / cpu:8.1f}×")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
