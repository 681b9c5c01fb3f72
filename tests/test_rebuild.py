"""The archive is the source of truth: the warehouse rebuilt from archive/ alone publishes the
marts that were published, and a damaged warehouse file is refused with what to do."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import TODAY

from expectations.mart_suites import validate_marts
from expectations.validate_filings import validate_filings
from parkstat.home import Home
from parkstat.rebuild import CannotRebuild, replay
from parkstat.warehouse import (
    WarehouseDamaged,
    build_candidate,
    check_readable,
    publication_row,
    publish,
    record_publication,
)
from sources import arrivals_log
from sources.generate import generate
from sources.intake import run_intake

RUNS = [  # (run id, first and last period of the files that land before it)
    ("20250310T010000Z", dt.date(2025, 2, 1), dt.date(2025, 3, 1)),
    ("20250410T010000Z", dt.date(2025, 4, 1), dt.date(2025, 5, 1)),
]


def _run(home: Home, run_id: str) -> None:
    """A month's run, its stages called as plain functions, with the archive's run record."""
    arrivals_log.record_run(home, run_id, TODAY, False, None)
    taken = run_intake(home, today=TODAY, run_id=run_id)
    validation = validate_filings(home, run_id)
    _publish(home, run_id, len(taken.files), taken.filings_rejected, validation.verdicts)


def _publish(home: Home, run_id: str, files: int, rejected: int, verdicts) -> None:
    built = build_candidate(home)
    audit = validate_marts(home, built.candidate, run_id)
    assert audit.passed, audit.summary()
    row = publication_row(
        run_id, built.candidate, files, rejected, verdicts, len(audit.suites), home.published_db
    )
    record_publication(home, built.candidate, row)
    publish(home, built.candidate)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rebuild")
    home = Home(tmp / "home").ensure()
    for n, (run_id, first, last) in enumerate(RUNS):
        corpus = generate(
            tmp / f"gen{n}", first, last, parks=4, seed=77 + n, faults=0.3, today=TODAY
        )
        for f in corpus.files:
            shutil.copy2(f.path, home.landing / f.path.name)
        _run(home, run_id)
    before = Home(tmp / "before").ensure()  # the working and the published file, as they were
    for which in ("working_db", "published_db"):
        shutil.copyfile(getattr(home, which), getattr(before, which))
    return home, before


def _tables(con, database: str, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ? "
            "order by 1",
            [database, schema],
        ).fetchall()
    ]


# Where each layer is: the published file holds the marts alone.
LAYERS = (("published_db", "marts"), ("working_db", "raw"), ("working_db", "audit"))


def _differences(before: Home, after: Home) -> dict[str, tuple[int, int, int]]:
    """Tables whose rows differ: (rows, only before, only after); the marts but the
    publication log, the raw layer whole, the decisions but their time."""
    found = {}
    for which, schema in LAYERS:
        found |= _schema_differences(getattr(before, which), getattr(after, which), schema)
    return found


def _schema_differences(before, after, schema: str) -> dict[str, tuple[int, int, int]]:
    """The tables of `schema` whose rows differ between the files `before` and `after`."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as a (read_only)")
    con.execute(f"attach '{after}' as b (read_only)")
    found = {}
    tables = _tables(con, "a", schema)
    assert tables == _tables(con, "b", schema)
    for table in tables:
        if (schema, table) == ("marts", "publications"):
            continue
        cols = ", ".join(
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where database_name = 'a' "
                "and schema_name = ? and table_name = ? and column_name not in "
                "('decided_at', 'run_id')",
                [schema, table],
            ).fetchall()
        )
        a, b = f"a.{schema}.{table}", f"b.{schema}.{table}"
        counts = con.execute(f"""
            select (select count(*) from {a}),
                   (select count(*) from (select {cols} from {a} except all
                                          select {cols} from {b})),
                   (select count(*) from (select {cols} from {b} except all
                                          select {cols} from {a}))
        """).fetchone()
        if counts[1] or counts[2]:
            found[f"{schema}.{table}"] = counts
    return found


def test_the_warehouse_rebuilt_from_the_archive_publishes_what_was_published(two_runs):
    home, before = two_runs
    with duckdb.connect(str(before.working_db), read_only=True) as con:
        rejected = con.execute("select count(*) from raw.rejections").fetchone()[0]
        decisions = con.execute("select count(distinct status) from audit.filing_decisions")
        assert rejected and decisions.fetchone()[0] >= 2  # quarantine and rejections were there
    home.working_db.unlink()
    replayed = replay(home)
    assert (replayed.runs, replayed.kept_aside) == (len(RUNS), None)
    _publish(home, "rebuild", 0, 0, [])
    assert _differences(before, home) == {}
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.publications").fetchone()[0] == 3


def test_a_rebuild_keeps_the_file_it_replaces_and_says_what_is_missing(two_runs, tmp_path):
    home, _ = two_runs
    copy = Home(tmp_path / "copy")
    shutil.copytree(home.root, copy.root)
    replayed = replay(copy)
    assert replayed.kept_aside and replayed.kept_aside.name.startswith("working.duckdb.before-")
    next(p for p in copy.archive.iterdir() if p.suffix == ".xlsx").unlink()
    with pytest.raises(CannotRebuild, match="1 archived file"):
        replay(copy)
    (copy.archive / arrivals_log.ARRIVALS).unlink()
    with pytest.raises(CannotRebuild, match="nothing to rebuild from"):
        replay(copy)


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
@pytest.mark.parametrize("which", ["working_db", "published_db"])
def test_a_damaged_warehouse_file_is_refused_with_what_to_do(two_runs, tmp_path, damage, which):
    home, _ = two_runs
    copy = Home(tmp_path / "copy")
    shutil.copytree(home.root, copy.root)
    path = getattr(copy, which)
    if damage == "truncated":
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 3)
    else:
        path.write_bytes(b"\0" * 4096 + b"this is not a database" * 100)
    with pytest.raises(WarehouseDamaged, match="parkstat rebuild"):
        check_readable(copy)
    done = subprocess.run(
        [sys.executable, "-m", "parkstat.cli", "run", "--home", str(copy.root)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [said] = done.stderr.strip().splitlines()
    assert said.startswith("not run — ") and "parkstat rebuild" in said


@pytest.mark.slow
def test_parkstat_rebuild_after_the_working_file_is_lost(two_runs, tmp_path):
    """The command as an office runs it, its Prefect flow and temporary server included."""
    home, before = two_runs
    copy = Home(tmp_path / "copy")
    shutil.copytree(home.root, copy.root)
    copy.working_db.unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    done = subprocess.run(
        [sys.executable, "-m", "parkstat.cli", "rebuild", "--home", str(copy.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode in (0, 3), done.stdout + done.stderr
    assert f"rebuilt {copy.working_db} from {copy.archive}: " in done.stdout
    assert _differences(before, copy) == {}
