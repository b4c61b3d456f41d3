"""Migrations: one process at a time on the same file, in numeric order, independent of live code."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import sqlite_utils

import storage.schema
from storage.dedupe import BANDS
from storage.atomic import migration_number
from storage.schema import migrations

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"storage", "crawler", "translate", "newsmon"}

#: Opens the database (migrating it) once the parent says go, so both processes start together.
CHILD = """
import sys
from storage import open_db
print("ready", flush=True)
sys.stdin.readline()
db = open_db(sys.argv[1])
print("migrated", [r[0] for r in db.execute("select name from _sqlite_migrations order by id")], flush=True)
"""


def old_database(path: Path, articles: int) -> None:
    """A file as left by an install before m510: its articles have no MinHash and no LSH rows yet."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    migrations.apply(db, stop_before="m510_minhash_duplicates")
    rng = random.Random(10)
    words = ["water", "supply", "district", "repairs", "council", "budget", "road", "school", "report", "winter"]
    db["sources"].insert({"name": "src", "country": "KZ", "kind": "news"}, pk="name")
    with db.atomic():
        for i in range(articles):
            text = " ".join(rng.choice(words) for _ in range(80))
            db["articles"].insert(
                {"url": f"https://src.example/{i}", "source": "src", "title": f"Report {i}", "text": text,
                 "fetched_at": "2026-11-01T00:00:00+00:00", "content_hash": str(i)}
            )
    db.close()


def test_two_processes_migrating_an_old_database_at_once_both_succeed(tmp_path):
    path = tmp_path / "old.db"
    # m510 signs every stored article: long enough that the second process reads the
    # pending list while the first is still migrating.
    old_database(path, 3000)
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=300) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (out, err) in zip(children, results):
        assert child.returncode == 0, err
        assert "migrated" in out
    db = sqlite_utils.Database(path)
    applied = [r[0] for r in db.execute("select name from _sqlite_migrations")]
    assert sorted(applied) == sorted(m.name for m in migrations._migrations)  # each exactly once
    signed = db.execute("select count(*) from articles where minhash is not null").fetchone()[0]
    assert signed == 3000
    # m601's re-check (run once by whichever process got the lock first) indexed each article once
    assert db.execute("select count(*) from article_lsh").fetchone()[0] == BANDS * signed
    assert db.execute("select count(*) from pending_tasks").fetchone()[0] == 0
    assert migrations.pending(db) == []
    db.close()


def test_pending_migrations_run_in_numeric_order(tmp_path):
    db = sqlite_utils.Database(tmp_path / "new.db")
    names = [m.name for m in migrations.pending(db)]
    assert names == sorted(names, key=migration_number)
    migrations.apply(db)
    applied = [r[0] for r in db.execute("select name from _sqlite_migrations order by id")]
    assert applied == sorted(applied, key=migration_number)
    assert migrations.pending(db) == []


def test_the_schema_module_imports_no_live_project_code():
    """A migration must do the same whenever it runs: it may not call code that later changes."""
    tree = ast.parse(Path(storage.schema.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    live = {name for name in imported if name.split(".")[0] in PROJECT_PACKAGES}
    assert live == {"storage.atomic"}  # the runner itself, not anything a migration calls
