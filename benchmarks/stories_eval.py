"""Pairwise precision and recall of stories on the evaluation set (tests/data/stories/).

Run by hand (figures go to BENCHMARKS.md, "Stories"):

    .venv/bin/python benchmarks/stories_eval.py

For each part (``tuned``: the thresholds were chosen on it; ``heldout``: never
used for tuning) every article is stored through ``upsert_article`` into a fresh
SQLite file, three ways: with its English at ingest; without, the English
written afterwards by ``save_translations`` (as the translator does); and after
``recompute`` (``newsmon stories --recompute``). A pair of articles is counted
right when both are in one story and the set says they report one event.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.stories import recompute  # noqa: E402
from tests.fixtures.stories_eval import load, score, store  # noqa: E402


def main() -> None:
    print("| part | articles | languages | stories (+ unrelated) | English at ingest | English later | after recompute |")
    print("|---|---|---|---|---|---|---|")
    for part in ("tuned", "heldout"):
        items = load(part)
        cells = []
        for later in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                db = store(Path(tmp) / "eval.db", items, translate_later=later)
                s = score(db, items)
                cells.append(f"{s.precision:.3f} / {s.recall:.3f}")
                if not later:
                    with db.conn:
                        recompute(db)
                    r = score(db, items)
                db.close()
        cells.append(f"{r.precision:.3f} / {r.recall:.3f}")
        stories = {i["story"] for i in items}
        solo = sum(s.startswith("solo-") for s in stories)
        langs = ", ".join(sorted({i["lang"] for i in items}))
        print(f"| {part} | {len(items)} | {langs} | {len(stories) - solo} (+ {solo}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
