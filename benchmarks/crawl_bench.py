"""Crawl throughput: newsmon crawl of a generated local site vs a bare trafilatura loop.

Issue 5's target: (b) ``newsmon crawl --no-translate`` of the site runs at
≥ 1.0× the pages per second of (a) a bare loop of ``trafilatura.extract`` over
the same HTML files on one core, with the options newsmon passes (captured from
crawler/extract.py, so this follows any change there).

One run:
  1. generates the site once (benchmarks/sitegen.py: ≥1,000 article pages of 50-150 KB,
     listing pages with pagination, robots.txt) into --out or a temporary directory;
  2. (a) times the bare trafilatura loop on one core (again after the crawl: the ratio uses both,
     as this kind of VM drifts); for context also newsmon's whole
     per-page step (extract + checks + language id) on one core;
  3. serves the site from a separate process (its own GIL) on 127.0.0.1;
  4. (b) runs the real CLI, ``newsmon crawl --no-translate --db <fresh> --sources <generated>``,
     polling the process tree's memory (main process and its extraction workers) and CPU;
  5. checks every article page was stored, prints pages/s, the ratio and peak memory.

Usage:
    .venv/bin/python benchmarks/crawl_bench.py [--pages 1000] [--out DIR] [--profile FILE.svg]
Exit status 1 when not every article was stored or the crawl failed; the ratio is reported,
not asserted (it is a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from benchmarks import sitegen  # noqa: E402
from benchmarks.extract_quality import (  # noqa: E402
    newsmon_trafilatura_options,
    one_core,
    options_for_extract,
    score_stored,
)

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- process-tree sampling (Linux /proc) ---------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(pid: int) -> list[int]:
    children = _children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _rss_pss_cpu(pid: int) -> tuple[int, int, float] | None:
    """Resident and proportional set size (bytes) and CPU seconds (user+system) of one process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        rss = int(fields[21]) * PAGE_SIZE
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        pss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        pss = int(line.split()[1]) * 1024
                        break
        except OSError:
            pss = rss
        return rss, pss, cpu
    except (OSError, IndexError, ValueError):
        return None


def system_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_for_idle(max_seconds: float, *, threshold: float = 0.3) -> None:
    """On a shared machine: wait (up to ``max_seconds``) until other processes use < ``threshold`` cores."""
    started = time.monotonic()
    said = 0.0
    while True:
        before = system_busy_seconds()
        time.sleep(5)
        cores = (system_busy_seconds() - before) / 5
        waited = time.monotonic() - started
        if cores < threshold:
            if waited > 10:
                print(f"    (waited {waited:.0f} s for an idle machine)")
            return
        if waited > max_seconds:
            print(f"    (still {cores:.1f} cores busy after waiting {max_seconds:.0f} s: measuring anyway)")
            return
        if waited - said >= 60:
            said = waited
            print(f"    waiting for an idle machine ({cores:.1f} cores busy)", flush=True)


@dataclass
class TreeSampler:
    """Polls a process and its descendants: peak memory (main and whole tree) and CPU seconds per process."""

    pid: int
    interval: float = 0.1
    peak_main_rss: int = 0
    peak_tree_rss: int = 0
    peak_tree_pss: int = 0
    max_processes: int = 0
    cpu: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "TreeSampler":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        rss_sum = pss_sum = 0
        pids = _tree(self.pid)
        alive = 0
        for pid in pids:
            figures = _rss_pss_cpu(pid)
            if figures is None:
                continue
            rss, pss, cpu = figures
            if rss == 0:  # a zombie waiting to be reaped
                continue
            alive += 1
            rss_sum += rss
            pss_sum += pss
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)
            if pid == self.pid:
                self.peak_main_rss = max(self.peak_main_rss, rss)
        self.peak_tree_rss = max(self.peak_tree_rss, rss_sum)
        self.peak_tree_pss = max(self.peak_tree_pss, pss_sum)
        self.max_processes = max(self.max_processes, alive)

    @property
    def main_cpu(self) -> float:
        return self.cpu.get(self.pid, 0.0)

    @property
    def children_cpu(self) -> float:
        return sum(v for k, v in self.cpu.items() if k != self.pid)


# -- the measurements ------------------------------------------------------------------------------

def bare_trafilatura_loop(pages: list[tuple[str, str]], options: dict) -> dict:
    """(a): ``trafilatura.extract`` over every page, one after the other, on one core."""
    trafilatura.extract(pages[0][1], url=pages[0][0], **options)  # warm-up: lazy imports and caches
    with one_core() as cpu:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        extracted = sum(trafilatura.extract(html, url=url, **options) is not None for url, html in pages)
        wall, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"pages": len(pages), "extracted": extracted, "seconds": wall, "cpu_seconds": cpu_s,
            "pages_per_s": len(pages) / wall, "cpu": cpu}


def newsmon_page_loop(pages: list[tuple[str, str]]) -> dict:
    """For context: newsmon's whole per-page step (``article_from_page``) on one core."""
    from crawler.extract import ExtractionError
    from storage.records import Page
    from crawler.steps import article_from_page

    def one(url: str, html: str) -> bool:
        try:
            article_from_page(Page(url=url, requested_url=url, source="bench", html=html, encoding="utf-8"))
        except ExtractionError:
            return False
        return True

    one(*pages[0])
    with one_core():
        wall0 = time.perf_counter()
        extracted = sum(one(url, html) for url, html in pages)
        wall = time.perf_counter() - wall0
    return {"pages": len(pages), "extracted": extracted, "seconds": wall, "pages_per_s": len(pages) / wall}


def start_server(site: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, str(Path(sitegen.__file__)), "serve", str(site)],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline().strip()
    if not line.startswith("serving "):
        server.kill()
        raise SystemExit(f"crawl_bench: the site server did not start (said {line!r})")
    return server, line.split(" ", 1)[1].rstrip("/")


def newsmon_command(db: Path, sources: Path) -> list[str]:
    exe = Path(sys.executable).with_name("newsmon")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "newsmon"]
    help_text = subprocess.run([*base, "crawl", "--help"], capture_output=True, text=True).stdout
    flags = ["--no-translate"] if "--no-translate" in help_text else []
    if not flags:
        print("crawl_bench: note: this newsmon has no `crawl --no-translate`; crawling without it")
    return [*base, "crawl", *flags, "--db", str(db), "--sources", str(sources)]


def run_crawl(command: list[str], workdir: Path, profile: Path | None, *, timeout: float | None = None,
              env: dict[str, str] | None = None) -> dict:
    """(b), or any crawler command: run as a subprocess, with its process tree sampled.

    ``timeout`` bounds the run: its whole process group is killed then (``timed_out``).
    ``tree_cpu_seconds`` is the kernel's count for the crawler and every descendant it reaped.
    ``env`` adds to the environment (whose ``NEWSMON_*`` variables are left out).
    """
    stdout, stderr = open(workdir / "crawl.stdout", "w+"), open(workdir / "crawl.stderr", "w+")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}, **(env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=workdir, start_new_session=True)
    sampler = TreeSampler(proc.pid).start()
    killer, killed = None, threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(proc.pid, signal.SIGKILL)

    if timeout is not None:
        killer = threading.Timer(timeout, kill)
        killer.start()
    spy = None
    if profile is not None:
        exe = Path(sys.executable).with_name("py-spy")
        spy = subprocess.Popen([str(exe) if exe.exists() else "py-spy", "record", "--pid", str(proc.pid), "--subprocesses", "--rate", "100",
                                "--nonblocking", "--format", {".txt": "raw", ".json": "speedscope"}.get(profile.suffix, "flamegraph"),
                                "-o", str(profile)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    _, status, rusage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if killer is not None:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    stdout.seek(0), stderr.seek(0)
    result = {
        "returncode": proc.returncode, "seconds": seconds, "stdout": stdout.read().strip(),
        "stderr": stderr.read().strip()[-3000:],
        "peak_main_rss": sampler.peak_main_rss, "peak_tree_rss": sampler.peak_tree_rss,
        "peak_tree_pss": sampler.peak_tree_pss, "max_processes": sampler.max_processes,
        # rusage of wait4 would include the reaped workers: the sampler's per-process figures do not.
        "main_cpu_seconds": sampler.main_cpu,
        "workers_cpu_seconds": sampler.children_cpu,
        "tree_cpu_seconds": rusage.ru_utime + rusage.ru_stime, "timed_out": killed.is_set(),
    }
    stdout.close(), stderr.close()
    return result


def check_database(db: Path, manifest: dict, base_url: str) -> dict:
    expected = {base_url + a["path"] for a in manifest["articles"]}
    con = sqlite3.connect(db)
    try:
        texts = {row[0]: row[1] or "" for row in con.execute("select url, text from articles")}
        stored = set(texts)
        count = con.execute("select count(*) from articles").fetchone()[0]
        duplicates = con.execute("select count(*) from articles where duplicate_of is not null").fetchone()[0]
        runs = [dict(zip([c[0] for c in cur.description], row))
                for cur in [con.execute("select * from crawl_runs order by id")] for row in cur.fetchall()]
    finally:
        con.close()
    crawl_seconds = None
    if runs and runs[-1].get("started_at") and runs[-1].get("finished_at"):
        start = datetime.fromisoformat(runs[-1]["started_at"])
        end = datetime.fromisoformat(runs[-1]["finished_at"])
        crawl_seconds = (end - start).total_seconds()
    quality = score_stored(texts, manifest, base_url)
    return {"stored": count, "duplicates_linked": duplicates, "quality": quality, "missing": sorted(expected - stored),
            "unexpected": sorted(stored - expected), "run": runs[-1] if runs else None,
            "crawl_seconds_from_crawl_runs": crawl_seconds}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model or platform.processor()}), {memory:.0f} GB RAM, Python {platform.python_version()}"


def revision() -> str:
    """The commit measured, and whether the working tree had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes" if dirty else "")


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000, help="article pages to generate (default 1000)")
    parser.add_argument("--out", type=Path, help="directory for the site, database and results (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-newsmon-loop", action="store_true", help="skip the one-core article_from_page loop")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each measurement, wait up to this long for other processes to go quiet")
    parser.add_argument("--profile", type=Path, help="also record the crawl with py-spy: .svg flame graph, .txt collapsed stacks, "
                        ".json speedscope (figures then include its overhead)")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"newsmon crawl benchmark · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {machine()}")
    print(f"revision {revision()}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    t0 = time.perf_counter()
    manifest = sitegen.build_site(out, pages=args.pages, seed=args.seed)
    site = out / "site"
    sizes = [a["size"] for a in manifest["articles"]]
    print(f"site: {len(sizes)} article pages ({min(sizes) // 1000}-{max(sizes) // 1000} KB, mean {sum(sizes) / len(sizes) / 1000:.0f} KB, "
          f"{sum(sizes) / 2**20:.0f} MB), {len(manifest['listings'])} listing pages · {site} ({time.perf_counter() - t0:.0f} s)")

    # (a) the same HTML, as text, with newsmon's options.
    pages = [("http://127.0.0.1" + a["path"], (site / a["file"]).read_text(encoding="utf-8")) for a in manifest["articles"]]
    captured = newsmon_trafilatura_options()
    options, dropped = options_for_extract(captured)
    shown = {k: (f"[{len(v)} xpaths]" if k == "prune_xpath" and v else v) for k, v in options.items()}
    print(f"trafilatura {trafilatura.__version__} options (from crawler/extract.py): {shown}"
          + (f"; not accepted by extract(): {dropped}" if dropped else ""))
    if args.wait_idle:
        wait_for_idle(args.wait_idle)
    bare = bare_trafilatura_loop(pages, options)
    print(f"(a) bare trafilatura.extract loop, one core (cpu {bare['cpu']}): {bare['pages']} pages in {bare['seconds']:.1f} s "
          f"= {bare['pages_per_s']:.1f} pages/s (cpu {bare['cpu_seconds']:.1f} s; {bare['extracted']} with text)")
    if bare["cpu_seconds"] < 0.9 * bare["seconds"]:
        print(f"    WARNING: the loop got only {100 * bare['cpu_seconds'] / bare['seconds']:.0f}% of its core: "
              "other processes are running, these figures are not reliable")
    pipeline = None
    if not args.skip_newsmon_loop:
        pipeline = newsmon_page_loop(pages)
        print(f"    for context, newsmon's article_from_page (extract + checks + language id), one core: "
              f"{pipeline['pages_per_s']:.1f} pages/s ({1000 * pipeline['seconds'] / pipeline['pages']:.0f} ms/page, "
              f"{pipeline['extracted']} articles)")

    # (b) the real CLI against the site served by another process.
    server, base_url = start_server(site)
    try:
        workdir = out / f"run-{datetime.now():%Y%m%d-%H%M%S}"
        workdir.mkdir()
        db, sources = workdir / "bench.db", workdir / "sources.toml"
        sources.write_text(sitegen.sources_toml(base_url, manifest), encoding="utf-8")
        command = newsmon_command(db, sources)
        if args.wait_idle:
            wait_for_idle(args.wait_idle)
        server_cpu0, busy0 = _rss_pss_cpu(server.pid)[2], system_busy_seconds()
        crawl = run_crawl(command, workdir, args.profile)
        server_cpu, busy = _rss_pss_cpu(server.pid)[2] - server_cpu0, system_busy_seconds() - busy0
    finally:
        server.terminate()
        server.wait(timeout=10)
    checked = check_database(db, manifest, base_url) if db.exists() else {"stored": 0, "missing": [], "run": None,
                                                                           "duplicates_linked": 0, "unexpected": [],
                                                                           "crawl_seconds_from_crawl_runs": None}
    stored = checked["stored"]
    crawl_rate = stored / crawl["seconds"]
    # (a) again, after the crawl: this VM's speed drifts by ±15% over minutes; the ratio uses both runs.
    bare_after = bare_trafilatura_loop(pages, options)
    del pages
    bare_rate = (bare["pages"] + bare_after["pages"]) / (bare["seconds"] + bare_after["seconds"])
    print(f"(b) {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(command[:3]))} ... : "
          f"{stored} articles stored in {crawl['seconds']:.1f} s wall = {crawl_rate:.1f} pages/s"
          + (f" (crawl_runs: {checked['crawl_seconds_from_crawl_runs']:.0f} s from start to finish)"
             if checked["crawl_seconds_from_crawl_runs"] is not None else ""))
    print(f"    summary: {crawl['stdout'] or '(none)'}")
    if checked.get("quality"):
        print("    stored text vs the generated pages: " + "; ".join(
            f"{theme} pages {q['found'] / max(1, q['paragraphs']):.1%} of paragraphs, {q['complete']}/{q['pages']} complete, "
            f"{q['leaky']} with chrome" for theme, q in sorted(checked["quality"].items())))
    print(f"    CPU: main process {crawl['main_cpu_seconds']:.1f} s ({100 * crawl['main_cpu_seconds'] / crawl['seconds']:.0f}% of one core), "
          f"extraction workers {crawl['workers_cpu_seconds']:.1f} s, site server {server_cpu:.1f} s")
    others = busy - crawl["main_cpu_seconds"] - crawl["workers_cpu_seconds"] - server_cpu
    print(f"    machine: {busy:.1f} CPU-s used of {os.cpu_count() * crawl['seconds']:.1f} available; other processes {max(0.0, others):.1f} s")
    if others > 0.2 * crawl["seconds"]:  # over a tenth of the two cores
        print("    WARNING: other processes used the CPU during the crawl: these figures are not reliable")
    print(f"    peak memory: main process {mb(crawl['peak_main_rss'])} RSS; whole tree ({crawl['max_processes']} processes) "
          f"{mb(crawl['peak_tree_rss'])} RSS, {mb(crawl['peak_tree_pss'])} PSS")
    print(f"(a) again after the crawl: {bare_after['pages_per_s']:.1f} pages/s (cpu {bare_after['cpu_seconds']:.1f} s "
          f"in {bare_after['seconds']:.1f} s); both runs: {bare_rate:.1f} pages/s")
    ratio = crawl_rate / bare_rate
    print(f"ratio (b)/(a) = {crawl_rate:.1f}/{bare_rate:.1f} = {ratio:.2f} (target ≥ 1.00: {'met' if ratio >= 1.0 else 'NOT met'})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(), "revision": revision(),
        "command": " ".join(sys.argv), "crawl_command": command, "trafilatura": trafilatura.__version__,
        "pages": len(sizes), "listing_pages": len(manifest["listings"]), "mean_page_bytes": sum(sizes) / len(sizes),
        "bare": bare, "bare_after": bare_after, "bare_pages_per_s": bare_rate, "newsmon_page_loop": pipeline, "crawl": crawl, "server_cpu_seconds": server_cpu, "machine_busy_cpu_seconds": busy,
        "check": {k: v for k, v in checked.items() if k not in ("missing", "unexpected")},
        "missing": checked["missing"][:50], "ratio": ratio, "load_after": os.getloadavg(),
    }
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    keep = args.out is not None or args.profile is not None
    if keep:
        print(f"results: {out / 'results.json'}" + (f"; profile: {args.profile}" if args.profile else ""))

    failures = []
    if crawl["returncode"] != 0:
        failures.append(f"newsmon crawl exited with {crawl['returncode']}: {crawl['stderr'][-500:]}")
    if stored != len(sizes) or checked["missing"]:
        failures.append(f"articles stored: {stored}, expected {len(sizes)}; missing {len(checked['missing'])} "
                        f"(e.g. {checked['missing'][:3]}); unexpected {len(checked['unexpected'])}")
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        print(f"kept for inspection: {out}", file=sys.stderr)
        sys.exit(1)
    if not keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
