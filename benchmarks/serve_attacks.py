"""What the workbench's attacks cost the server now, and what the checked SQL functions cost analysts.

Run by hand (figures go to BENCHMARKS.md):

    .venv/bin/python benchmarks/serve_attacks.py

1. Starts the real ``newsmon serve`` on the fixture database (tests/fixture_db.py), its
   address space capped at 2 GiB, and sends each attack of tests/test_security_workbench.py
   one after the other: status, response size, seconds, and the server's peak RSS after it.
2. In-process, times ``instr``/``replace`` (checked in Python, then run by SQLite) against
   SQLite's own over generated article-sized texts (20,000 rows of ~3 KB): the price of
   the checks on a scan.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the tests package is importable from the checkout
    sys.path.insert(0, str(ROOT))

from newsmon.workbench_limits import limit_connection  # noqa: E402
from tests.fixture_db import build_fixture_db  # noqa: E402
from tests.serve_process import running_serve  # noqa: E402
from tests.test_security_workbench import ATTACKS  # noqa: E402

EXTRA = {
    "printf width 2,000,000,000": "select printf('%.*c', 2000000000, 'x')",
    "normal page: 5 articles as JSON": None,
}


def peak_mib(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) // 1024


def attacks() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "newsmon.db"
        build_fixture_db(db).close()
        with running_serve(db, max_memory=2 * 1024**3) as (base, process):
            print(f"idle: peak RSS {peak_mib(process.pid)} MiB")
            print("| attack | status | bytes | seconds | server peak RSS |\n| --- | --- | --- | --- | --- |")
            cases = {name: sql for name, (sql, _) in ATTACKS.items()} | EXTRA
            for name, sql in cases.items():
                url = f"{base}/newsmon/articles.json?_size=5" if sql is None else \
                    f"{base}/newsmon.json?" + urllib.parse.urlencode({"sql": sql})
                start = time.monotonic()
                try:
                    with urllib.request.urlopen(url, timeout=300) as response:
                        status, size = response.status, len(response.read())
                except urllib.error.HTTPError as exc:
                    status, size = exc.code, len(exc.read())
                print(f"| {name} | {status} | {size:,} | {time.monotonic() - start:.2f} | {peak_mib(process.pid)} MiB |")


def checked_function_cost(rows: int = 20_000) -> None:
    texts = [("Police in the region reported %d thefts this week. " % i) * 60 for i in range(rows)]  # ~3 KB each
    for label, conn in (("SQLite's own", sqlite3.connect(":memory:")), ("checked", sqlite3.connect(":memory:"))):
        if label == "checked":
            limit_connection(conn)
        conn.execute("create table t (text)")
        conn.executemany("insert into t values (?)", [(t,) for t in texts])
        for sql in ("select count(*) from t where instr(text, 'thefts') > 0",
                    "select sum(length(replace(text, 'Police', 'Polizia'))) from t"):
            start = time.monotonic()
            conn.execute(sql).fetchone()
            print(f"{label:>12}: {sql[:60]:<60} {(time.monotonic() - start) / rows * 1e6:6.1f} µs/row")
        conn.close()


if __name__ == "__main__":
    attacks()
    checked_function_cost()
