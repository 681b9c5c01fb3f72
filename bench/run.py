"""Generate the workloads, run them through parkstat, print the tables.

    parkstat bench --size quick|full [--work DIR] [--only KEY ...]

Every run is a real `parkstat backfill` / `parkstat run` in its own process,
against its own state folder, with its own temporary Prefect server. A run
that does not publish stops the benchmark with exit code 1 (a stage error);
a missed target is printed, not failed: the figures are the point.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import psutil

from bench.baseline import Baseline, read_and_insert
from bench.measure import Measured, run_parkstat
from bench.national_registry import write_national_registry
from bench.tables import print_report
from bench.workloads import PLANS, Corpus, Plan

REPO = Path(__file__).resolve().parent.parent


def run_benchmark(size: str, work: Path, only: tuple[str, ...] = ()) -> dict:
    plan: Plan = PLANS[size]
    work.mkdir(parents=True, exist_ok=True)
    registry = write_national_registry(work / "national-registry" / "parks.csv")
    results: dict = {"size": size, "machine": machine(), "commit": commit(), "workloads": {}}
    corpora: dict[Corpus, tuple[Path, dict]] = {}
    histories: dict[tuple, Path] = {}  # (corpus, history) -> a home holding that history
    for w in plan.workloads:
        if only and w.key not in only:
            continue
        print(f"== {w.title}", flush=True)
        if w.corpus not in corpora:
            corpora[w.corpus] = _generate(w.corpus, work, registry)
        files, periods = corpora[w.corpus]
        env = {"CI": "1", **({"PARKSTAT_REGISTRY": str(registry)} if w.corpus.national else {})}
        history = [f for f in files if w.history[0] <= periods[f.name] <= w.history[1]]
        home = work / "homes" / w.key
        shutil.rmtree(home, ignore_errors=True)
        runs: list[Measured] = []
        held = histories.get((w.corpus, w.history))
        if held is not None:
            shutil.copytree(held, home)  # the same history already taken in: not measured again
        else:
            source = _folder(work / "sources" / f"{w.key}-history", history)
            runs.append(run_parkstat("backfill", ["backfill", "--source", str(source)], home, env))
            histories[(w.corpus, w.history)] = home
        baseline_files = history
        if w.month:
            month = [f for f in files if periods[f.name] == w.month]
            home_month = home
            if held is None:  # keep the history's home for the workloads after this one
                home_month = work / "homes" / f"{w.key}-month"
                shutil.rmtree(home_month, ignore_errors=True)
                shutil.copytree(home, home_month)
            for f in month:
                shutil.copy2(f, home_month / "landing" / f.name)
            runs.append(run_parkstat("month", ["run"], home_month, env))
            baseline_files = month
        baseline = read_and_insert(baseline_files, work / "baseline.duckdb")
        results["workloads"][w.key] = {
            "title": w.title,
            "target_seconds": w.target_seconds,
            "target_rss_gib": w.target_rss_gib,
            "runs": [asdict(r) for r in runs],
            "baseline": asdict(baseline),
        }
        _say(runs, baseline)
    (work / "bench-results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_report(results, plan)
    return results


def _generate(corpus: Corpus, work: Path, registry: Path) -> tuple[list[Path], dict[str, str]]:
    """Write the corpus (unless an earlier run of the benchmark did); files and their periods."""
    from sources.registry import PARKS_CSV, Registry

    out = (
        work
        / "corpora"
        / (
            f"{'national' if corpus.national else 'province'}-{corpus.parks}-"
            f"{corpus.first}-{corpus.last}-{corpus.fmt}"
        )
    )
    manifest = out / "manifest.json"
    if not manifest.exists():
        from sources.generate import generate

        last = dt.date.fromisoformat(f"{corpus.last}-01")
        # The day after the last month's filings were due: every filing has arrived.
        today = (last + dt.timedelta(days=45)).replace(day=20)
        started = time.perf_counter()
        generate(
            out, dt.date.fromisoformat(f"{corpus.first}-01"), last,
            parks=corpus.parks, seed=2026, fmt=corpus.fmt, today=today,
            registry=Registry.from_csv(registry if corpus.national else PARKS_CSV),
        )  # fmt: skip
        print(f"   generated {out.name} in {time.perf_counter() - started:.0f} s", flush=True)
    listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    files, periods = [], {}
    for entry in listed:
        months = {f["period"] for f in entry["filings"]}
        if len(months) != 1:  # a long CSV of several months: by its latest
            months = {max(months)}
        files.append(out / entry["file"])
        periods[entry["file"]] = months.pop()
    return files, periods


def _folder(path: Path, files: list[Path]) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    for f in files:
        os.link(f, path / f.name)  # hard links: the backfill copies them into landing/
    return path


def _say(runs: list[Measured], baseline: Baseline) -> None:
    for r in runs:
        print(f"   {r.label}: {r.wall:.1f} s wall, peak {r.peak_rss / 2**20:,.0f} MiB", flush=True)
    print(f"   baseline: {baseline.files} files in {baseline.seconds:.1f} s", flush=True)


def machine() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")
