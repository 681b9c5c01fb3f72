"""A run killed at any crash point loses nothing, takes nothing twice, and the next run
publishes what an uninterrupted run publishes.

For every point in parkstat/crash_points.py (a point added there is covered here
without a change): a fresh home gets a small corpus with planted faults, `parkstat run`
is killed there (SIGKILL to its whole process group: the temporary Prefect server and
the dbt process die with it), then run again, and the home is compared with one where
the same corpus ran once, uninterrupted. A third run, with nothing new, must start
(no stale lock) and publish. `pytest -m slow tests/test_crash_points.py -s` prints
one line per point: first run's return code, the second and third runs' exit codes,
and whether every invariant held.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil
import pytest
from conftest import TODAY

from expectations import audit_store
from parkstat import crash_points
from parkstat.home import Home
from sources import raw_store
from sources.arrivals_log import ARRIVALS
from sources.durable import PARTIAL
from sources.generate import GenerateResult, generate

pytestmark = pytest.mark.slow

PARKSTAT = [sys.executable, "-m", "parkstat.cli"]
# The run to kill takes its files in batches of 4 and validates one park a batch, so
# that "intake:committed" and "validate:batch" leave later batches undone, as in a
# large month (a batch decides as each park alone: test_validation_batches.py).
KILLED = [
    sys.executable,
    "-c",
    "import sys; from expectations import validate_filings; from sources import intake; "
    "intake.BATCH_FILES = 4; validate_filings.BATCH_FILINGS = 1; "
    "from parkstat.cli import main; sys.argv[0] = 'parkstat'; main()",
]
# 3 parks, 2025年1-4月 to 1-6月, seed 9: 11 files — two quarantined on arrival (B1, B2),
# two corrections (one rejected by validation, B6), two accepted with warnings (W3, W6).
CORPUS = dict(start=dt.date(2025, 4, 1), end=dt.date(2025, 6, 1), parks=3, seed=9, faults=0.3)
# Raw columns that say when and by which run a file was taken, or which landing/ inode it
# was: they differ between any two homes. Arrival times (arrived_at, arrived_on) come
# from the files' times in landing/, which shutil.copy2 keeps: those must be equal.
TAKEN_WHEN = {"received_at", "run_id", "landing_identity"}
# Decisions are made once each: the same rows, but for when and in which run.
DECIDED_WHEN = {"decided_at", "run_id"}
# The published marts are the same, but for when their files were taken in (dim_filing)
# and when and by which publication each figure was published (parkstat/vintages.py).
PUBLISHED_WHEN = {
    "received_at",
    "published_at",
    "publication_id",
    "superseded_at",
    "superseded_by_publication",
}
# Marks every process of one run (inherited by its children), to find any that outlive it.
RUN_MARK = "PARKSTAT_CRASH_TEST_RUN"
PUBLISHED = {0, 3}  # parkstat run: published, published with some filings rejected


@dataclass
class Run:
    returncode: int
    seconds: float
    output: str


def _run(home: Home, log: Path, crash_at: str | None = None) -> Run:
    """`parkstat run --home` in a session of its own, so that a crash point's killpg
    takes the run's process group and not pytest."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env.pop(crash_points.ENV_VAR, None)
    if crash_at:
        env[crash_points.ENV_VAR] = crash_at
    env[RUN_MARK] = uuid.uuid4().hex
    started = time.perf_counter()
    # Output to a file, not a pipe: a child that outlived the run would hold a pipe open.
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*(KILLED if crash_at else PARKSTAT), "run", "--home", str(home.root)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    seconds = time.perf_counter() - started
    survivors = _survivors(proc.pid, env[RUN_MARK])
    output = log.read_text(encoding="utf-8", errors="replace")
    assert not survivors, f"processes outlived the run {crash_at or ''}: {survivors}\n{output}"
    return Run(proc.returncode, seconds, output)


def _survivors(pgid: int, mark: str, patience: float = 10.0) -> list[str]:
    """Live processes of the run's group, or carrying its mark (children that left the
    group), once the kernel has had `patience` seconds to deliver the kill."""
    deadline = time.monotonic() + patience
    while True:
        found = []
        for p in psutil.process_iter(["pid", "cmdline", "status"]):
            try:
                if p.info["status"] == psutil.STATUS_ZOMBIE:
                    continue  # dead, only not yet reaped by whoever adopted it
                ours = os.getpgid(p.pid) == pgid or p.environ().get(RUN_MARK) == mark
            except (psutil.Error, ProcessLookupError, PermissionError):
                continue
            if ours:
                found.append(f"{p.pid} {' '.join(p.info['cmdline'] or [])[:160]}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> GenerateResult:
    return generate(tmp_path_factory.mktemp("crash-corpus"), today=TODAY, **CORPUS)


@pytest.fixture(scope="module")
def prefect_db(tmp_path_factory) -> Path:
    """A migrated, empty Prefect database: each home starts with a copy of it.

    Otherwise every fresh home's temporary server migrates its own database first
    (15-40 s on a busy 2-core machine), which is Prefect's business, not the run's."""
    root = tmp_path_factory.mktemp("prefect-seed")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(root), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env["DO_NOT_TRACK"] = "1"
    subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "server", "database", "upgrade", "-y"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return root / "prefect.db"


def _fresh_home(root: Path, corpus: GenerateResult, prefect_db: Path) -> Home:
    home = Home(root).ensure()
    for f in corpus.files:  # the filings, not the manifest; with their times (arrival)
        shutil.copy2(f.path, home.landing / f.path.name)
    shutil.copyfile(prefect_db, home.prefect / "prefect.db")
    return home


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus, prefect_db) -> Home:
    """The same corpus, run once and never interrupted."""
    root = tmp_path_factory.mktemp("crash-reference")
    home = _fresh_home(root / "home", corpus, prefect_db)
    run = _run(home, root / "run.log")
    assert run.returncode in PUBLISHED, run.output
    print(f"\nreference run: exit {run.returncode} in {run.seconds:.0f} s")
    return home


@pytest.mark.parametrize("point", list(crash_points.POINTS))
def test_a_run_killed_at_a_crash_point_loses_nothing_and_the_next_publishes_the_same(
    point, corpus, prefect_db, reference, tmp_path
):
    home = _fresh_home(tmp_path / "home", corpus, prefect_db)
    killed = _run(home, tmp_path / "killed.log", crash_at=point)
    assert killed.returncode == -signal.SIGKILL, f"not killed at {point}:\n{killed.output}"
    second = _run(home, tmp_path / "second.log")
    assert second.returncode in PUBLISHED, second.output
    problems = _differences(home, reference, corpus)
    arrivals = _count(home.working_db, "raw.arrivals")
    # Nothing left holding the warehouse, and nothing left to take.
    third = _run(home, tmp_path / "third.log")
    if third.returncode != 0:
        problems.append(f"a third run, with nothing new, exited {third.returncode}")
    if _count(home.working_db, "raw.arrivals") != arrivals:
        problems.append("a third run, with nothing new, took files in")
    print(
        f"\n{point:<17} killed {killed.returncode:>3} ({killed.seconds:3.0f} s)  "
        f"second {second.returncode} ({second.seconds:3.0f} s)  "
        f"third {third.returncode} ({third.seconds:3.0f} s)  "
        + ("invariants held" if not problems else f"FAILED: {'; '.join(problems)}")
    )
    assert not problems, "\n".join([*problems, second.output])


def _count(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def _differences(home: Home, reference: Home, corpus: GenerateResult) -> list[str]:
    """Every invariant that does not hold after the second run, in words."""
    found: list[str] = []
    expected = {_sha256(f.path) for f in corpus.files}

    # Nothing lost, nothing twice: each file in the archive once, one arrival each.
    archived = collections.Counter(
        _sha256(p) for p in home.archive.iterdir() if p.suffix != ".jsonl"
    )
    if set(archived) != expected or set(archived.values()) != {1}:
        found.append(f"archive holds {dict(archived)}, not each of {len(expected)} files once")
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        arrivals = con.execute("select file_sha256, outcome from raw.arrivals").fetchall()
    with duckdb.connect(str(reference.working_db), read_only=True) as con:
        outcomes = dict(con.execute("select file_sha256, outcome from raw.arrivals").fetchall())
    if collections.Counter(s for s, _ in arrivals) != collections.Counter(expected):
        found.append(f"raw.arrivals is not one arrival per file: {sorted(arrivals)}")
    elif dict(arrivals) != outcomes:
        found.append(f"arrival outcomes {dict(arrivals)} differ from the reference's {outcomes}")
    logged = (home.archive / ARRIVALS).read_text(encoding="utf-8").splitlines()
    if len(logged) != len(arrivals):
        found.append(f"archive/{ARRIVALS} has {len(logged)} lines for {len(arrivals)} arrivals")
    quarantined = {p.name for p in home.quarantine.iterdir()}
    if quarantined != {p.name for p in reference.quarantine.iterdir()}:
        found.append(f"quarantine/ holds {sorted(quarantined)}, unlike the reference")
    else:
        found += _reasons_differ(home, reference)
    if left := sorted(p.name for p in home.landing.iterdir()):
        found.append(f"left in landing/: {left}")

    # The same raw layer, decisions (each made once) and published marts.
    found += _tables_differ(home.working_db, reference.working_db, raw_store.SCHEMA, TAKEN_WHEN)
    found += _decisions_differ(home, reference)
    found += _tables_differ(home.working_db, reference.working_db, audit_store.SCHEMA, DECIDED_WHEN)
    found += _tables_differ(home.published_db, reference.published_db, "marts", PUBLISHED_WHEN)

    # Nothing half-written.
    for name in ("candidate.duckdb", "candidate.duckdb.wal", f"parkstat.duckdb{PARTIAL}.wal"):
        if (home.warehouse / name).exists():
            found.append(f"warehouse/{name} left behind")
    if partial := sorted(str(p.relative_to(home.root)) for p in home.root.rglob(f"*{PARTIAL}")):
        found.append(f"half-written files left: {partial}")
    page = home.reports / "index.html"
    if not page.exists() or not page.read_text(encoding="utf-8").rstrip().endswith("</html>"):
        found.append("reports/index.html is missing or not a complete page")
    return found


def _reasons_differ(home: Home, reference: Home) -> list[str]:
    """The reason files say the same, but for when the file was received: nothing twice."""
    found = []
    for theirs in reference.quarantine.glob("*.reason.txt"):
        ours = home.quarantine / theirs.name
        if _said(ours) != _said(theirs):
            found.append(f"quarantine/{ours.name} differs from the reference's")
    return found


def _said(reason: Path) -> list[str]:
    return [
        line
        for line in reason.read_text(encoding="utf-8").splitlines()
        if not line.startswith("收到 received:")
    ]


def _tables_differ(db: Path, reference_db: Path, schema: str, ignored: set[str]) -> list[str]:
    """Tables of `schema` whose rows differ from the reference's, as multisets, leaving out
    `ignored` columns (and marts.publications, which records the runs themselves)."""
    found = []
    with duckdb.connect() as con:
        con.execute(f"attach '{db}' as here (read_only)")
        con.execute(f"attach '{reference_db}' as there (read_only)")
        columns = collections.defaultdict(dict)
        for database, table, column in con.execute(
            "select database_name, table_name, column_name from duckdb_columns() "
            "where database_name in ('here', 'there') and schema_name = ? "
            "and table_name <> 'publications' order by column_index",
            [schema],
        ).fetchall():
            columns[table].setdefault(database, []).append(column)
        for table, held in sorted(columns.items()):
            if held.get("here") != held.get("there"):
                found.append(f"{schema}.{table} has columns {held}")
                continue
            cols = ", ".join(c for c in held["here"] if c not in ignored)
            here = f"select {cols} from here.{schema}.{table}"
            there = f"select {cols} from there.{schema}.{table}"
            extra, missing = (
                con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
                for a, b in ((here, there), (there, here))
            )
            if extra or missing:
                found.append(f"{schema}.{table}: {extra} row(s) not in the reference's, "
                             f"{missing} of its row(s) missing")  # fmt: skip
    return found


_CURRENT = f"select filing_id, status from ({audit_store.CURRENT_DECISIONS})"


def _decisions_differ(home: Home, reference: Home) -> list[str]:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        ours = dict(con.execute(_CURRENT).fetchall())
    with duckdb.connect(str(reference.working_db), read_only=True) as con:
        theirs = dict(con.execute(_CURRENT).fetchall())
    if ours != theirs:
        return [f"current decisions {ours} differ from the reference's {theirs}"]
    return []
