"""One writer per warehouse; a killed run leaves the published file; reruns change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from conftest import land_generated, publish_month

from parkstat.home import Home
from parkstat.writer_lock import WarehouseBusy, writer_lock


def _holder(home: Home) -> subprocess.Popen:
    """Another process holding the writer lock until told to stop."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from parkstat.home import Home
        from parkstat.writer_lock import writer_lock
        with writer_lock(Home(Path({str(home.root)!r}))):
            print("holding", flush=True)
            sys.stdin.readline()
    """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_writer_is_refused_while_one_holds_the_warehouse(tmp_path):
    home = Home(tmp_path / "home").ensure()
    holder = _holder(home)
    try:
        busy = pytest.raises(WarehouseBusy, match=r"another parkstat run is writing .* \(pid \d+")
        with busy, writer_lock(home):
            pass
    finally:
        holder.stdin.write("done\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    with writer_lock(home):  # free again once the first run is over
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    home = Home(tmp_path / "home").ensure()
    holder = _holder(home)
    holder.kill()
    holder.wait(timeout=30)
    with writer_lock(home):
        pass


def test_the_cli_refuses_a_second_run_with_its_own_exit_code(tmp_path):
    home = Home(tmp_path / "home").ensure()
    holder = _holder(home)
    env = {**os.environ, "PARKSTAT_HOME": str(home.root)}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_HOME", None)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "parkstat.cli", "run"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    finally:
        holder.stdin.write("done\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert run.returncode == 4, run.stdout + run.stderr
    assert "another parkstat run is writing" in run.stderr
    assert not home.published_db.exists()


@pytest.fixture
def published_home(tmp_path):
    home = Home(tmp_path / "home")
    corpus = land_generated(home, tmp_path / "gen", dt.date(2025, 2, 1), dt.date(2025, 4, 1), 77)
    publish_month(home, "first")
    return home, corpus


def _marts(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "and table_name <> 'publications'"
            ).fetchall()
        ]
        return {
            t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in tables
        }


def test_rerunning_a_month_changes_no_mart(published_home):
    home, corpus = published_home
    before = _marts(home.published_db)
    for f in corpus.files:  # the same month's files arrive again
        shutil.copy2(f.path, home.landing / f.path.name)
    publish_month(home, "again")
    assert _marts(home.published_db) == before


def test_a_run_killed_mid_build_leaves_the_published_file_and_the_next_run_succeeds(published_home):
    home, _ = published_home
    digest = hashlib.sha256(home.published_db.read_bytes()).hexdigest()
    build = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        from pathlib import Path
        from parkstat.home import Home
        from parkstat.warehouse import build_candidate
        build_candidate(Home(Path({str(home.root)!r})))
    """),
        ]
    )
    deadline = time.monotonic() + 120
    candidate = home.warehouse / "candidate.duckdb"
    while not candidate.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # dbt is building in the candidate now
    assert build.poll() is None, "the build finished before it could be killed"
    os.kill(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    assert hashlib.sha256(home.published_db.read_bytes()).hexdigest() == digest
    publish_month(home, "after the kill")
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        ids = [
            r[0]
            for r in con.execute(
                "select publication_id from marts.publications order by published_at"
            ).fetchall()
        ]
    assert ids == ["first", "after the kill"]
