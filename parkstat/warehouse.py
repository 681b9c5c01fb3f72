"""Build the marts with dbt into a candidate file, then publish its marts by one atomic rename.

The working file (raw layer) is copied to a candidate; dbt builds staging,
intermediate and marts in the candidate (in the run's dbt process,
parkstat/dbt_process.py) and runs every data test; the unit tests, which
check the models' SQL rather than the month's data, run in the test suite.
Only a candidate that built and passed is published: its marts alone are
exported into a new file beside the published one (parkstat/published_file.py),
which then replaces it with os.replace: BI readers holding the old file keep
reading it, new connections see the new one, and nobody ever sees a half-built
warehouse.
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from expectations import audit_store
from parkstat import crash_points, vintages
from parkstat.dbt_process import DbtResult, run_dbt
from parkstat.home import Home
from parkstat.published_file import MART_SCHEMA, describe, export_marts
from sources import raw_store
from sources.durable import into_place, partial
from sources.storage_errors import is_storage_error, stopped


class BuildFailed(RuntimeError):
    """dbt could not build the candidate, or one of its tests failed."""


@dataclass
class BuildResult:
    candidate: Path
    seconds: float
    models: int = 0
    tests_passed: int = 0
    failures: list[str] = field(default_factory=list)
    docs: Path | None = None


def wal(path: Path) -> Path:
    """A DuckDB file's write-ahead log, beside it."""
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    for p in (path, wal(path)):
        p.unlink(missing_ok=True)


def build_candidate(home: Home) -> BuildResult:
    """Copy the raw layer to a fresh candidate, run `dbt build` on it, then write dbt docs."""
    started = time.perf_counter()
    candidate = home.candidate_db
    # A run killed earlier may have left a candidate, or marts half exported: start clean.
    _remove(candidate)
    _remove(partial(home.published_db))
    with raw_store.connect(home.working_db) as con:
        audit_store.ensure(con)  # dbt reads the decisions, even before any were made
    try:
        shutil.copyfile(home.working_db, candidate)
    except OSError as e:
        _remove(candidate)
        if is_storage_error(e):
            raise stopped(e, "copying the raw layer into the candidate") from e
        raise
    crash_points.reached("build:copied")
    # Unit tests check the models' SQL, not the month's data: they run in the
    # test suite (unit_tests below), not in every month's build.
    result = run_dbt(home, "build", "--exclude-resource-type", "unit_test")
    crash_points.reached("build:built")
    build = BuildResult(candidate, 0.0)
    for node in result.nodes:
        if node.resource_type == "model" and node.status == "success":
            build.models += 1
        elif node.status == "pass":
            build.tests_passed += 1
        elif node.status in ("error", "fail"):
            build.failures.append(f"{node.name}: {node.status} — {node.message}")
    if not result.success:
        if result.exception is not None and not build.failures:
            build.failures.append(result.exception)
        said = "; ".join(build.failures)
        _remove(candidate)
        if is_storage_error(RuntimeError(said)):
            raise stopped(RuntimeError(said[:200]), "building the candidate")
        raise BuildFailed("dbt build failed: " + said)
    build.docs = write_docs(home)
    build.seconds = time.perf_counter() - started
    return build


def write_docs(home: Home) -> Path:
    """dbt docs as one HTML file with its catalog inside, readable without a server."""
    # --no-compile: `build` has just compiled every node into the same target.
    result = run_dbt(home, "docs", "generate", "--static", "--no-compile")
    if not result.success:
        raise BuildFailed(f"dbt docs generate failed: {result.exception}")
    target = home.reports / "dbt-docs" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(home.warehouse / "dbt" / "target" / "static_index.html", target)
    return target


def unit_tests(home: Home) -> DbtResult:
    """Run the dbt unit tests (the models' SQL on fixed inputs) against the built candidate."""
    return run_dbt(home, "test", "--select", "test_type:unit")


PUBLICATIONS = f"{MART_SCHEMA}.publications"
_PUBLICATION_COLUMNS = {
    "publication_id": ("varchar", "The run that published (发布编号)."),
    "published_at": ("timestamp", "When the file was published (发布时间, UTC)."),
    "first_period": ("date", "Earliest report period in the marts (起始报告期)."),
    "last_period": ("date", "Latest report period in the marts (最新报告期)."),
    "periods_updated": ("date[]", "Periods with filings decided in this run (本次审核报告期)."),
    "periods_changed": (
        "date[]",
        "Periods whose published figures changed in this publication, monthly values and "
        "growth against last year included (本次数据有变化的报告期).",
    ),
    "files_received": ("integer", "Files taken from landing in this run (收到文件数)."),
    "filings_accepted": ("integer", "Filings accepted without warnings (接受)."),
    "filings_warned": ("integer", "Filings accepted with warnings (接受但有警示)."),
    "filings_waived": ("integer", "Filings accepted under a steward's waiver (豁免接受)."),
    "filings_rejected": ("integer", "Filings rejected, on arrival or by validation (拒收)."),
    "suites_passed": ("integer", "Validation suites passed before publishing (通过的校验套件)."),
    "warnings": ("integer", "Warning problems reported to the stewards (警示数)."),
}


class PublishRefused(RuntimeError):
    """The candidate failed its pre-publish validation: the published file is untouched."""


def publication_row(
    run_id: str,
    candidate: Path,
    files_received: int,
    rejected_on_arrival: int,
    verdicts,
    suites_passed: int,
    published: Path | None = None,
) -> dict:
    """What this publication holds and what validation found, for marts.publications;
    `published`: the file it replaces, to tell which periods' figures changed."""
    with duckdb.connect(str(candidate), read_only=True) as con:
        first, last = con.execute(
            f"select min(period), max(period) from {MART_SCHEMA}.dim_period"
        ).fetchone()
        changed = changed_periods(con, published)
    statuses = [v.status for v in verdicts]
    return {
        "publication_id": run_id,
        "published_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "first_period": first,
        "last_period": last,
        "periods_updated": sorted({v.period for v in verdicts}),
        "periods_changed": changed,
        "files_received": files_received,
        "filings_accepted": statuses.count("accepted"),
        "filings_warned": statuses.count("warned"),
        "filings_waived": statuses.count("waived"),
        "filings_rejected": statuses.count("rejected") + rejected_on_arrival,
        "suites_passed": suites_passed,
        "warnings": sum(1 for v in verdicts for p in v.problems if not p.blocking),
    }


def changed_periods(con, published: Path | None) -> list[dt.date]:
    """Every period whose rows differ between the candidate's marts (`con`) and the
    published file's — added, removed or changed in any column, so that a corrected
    March lists April too (its monthly value) and next year's March (its growth)."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_columns() where schema_name = ? "
            "and column_name = 'period' and database_name = current_database()",
            [MART_SCHEMA],
        ).fetchall()
    ]
    if published is None or not published.exists():
        return _periods(con, tables, "")
    con.execute(f"attach '{published}' as published (read_only)")
    try:
        changed: set[dt.date] = set()
        for table in tables:
            if _columns(con, "published", table) != _columns(con, None, table):
                changed |= set(_periods(con, [table], ""))  # a new layout: all of it
                changed |= set(_periods(con, [table], "published."))
                continue
            here, there = f"{MART_SCHEMA}.{table}", f"published.{MART_SCHEMA}.{table}"
            changed |= {
                r[0]
                for r in con.execute(f"""
                    select distinct period from (
                        (select * from {here} except select * from {there})
                        union all
                        (select * from {there} except select * from {here}))
                """).fetchall()
            }
        return sorted(changed)
    finally:
        con.execute("detach published")


def _columns(con, database: str | None, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? "
        "and table_name = ? and database_name = coalesce(?, current_database()) "
        "order by column_index",
        [MART_SCHEMA, table, database],
    ).fetchall()


def _periods(con, tables: list[str], database: str) -> list[dt.date]:
    found: set[dt.date] = set()
    for table in tables:
        found |= {
            r[0]
            for r in con.execute(
                f"select distinct period from {database}{MART_SCHEMA}.{table}"
            ).fetchall()
        }
    return sorted(found)


def record_publication(home: Home, candidate: Path, row: dict) -> None:
    """Add this publication, and the figures it publishes (parkstat/vintages.py), to the
    history carried over from the published file."""
    cols = ", ".join(f"{name} {kind}" for name, (kind, _) in _PUBLICATION_COLUMNS.items())
    with duckdb.connect(str(candidate)) as con:
        con.execute(f"create or replace table {PUBLICATIONS} ({cols})")
        held = set()
        attached = home.published_db.exists()
        if attached:
            con.execute(f"attach '{home.published_db}' as published (read_only)")
            held = {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'published' "
                    "and schema_name = ?",
                    [MART_SCHEMA],
                ).fetchall()
            }
        if "publications" in held:
            con.execute(
                f"insert into {PUBLICATIONS} by name select * from published.{PUBLICATIONS}"
            )
        con.execute(
            f"insert into {PUBLICATIONS} ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
        vintages.record(con, row["publication_id"], row["published_at"], vintages.TABLE in held)
        if attached:
            con.execute("detach published")
        describe(
            con,
            "table",
            PUBLICATIONS,
            "One row per publication of this file (发布记录): what it holds and what "
            "validation found.",
            {name: words for name, (_, words) in _PUBLICATION_COLUMNS.items()},
        )


def publish(home: Home, candidate: Path) -> Path:
    """Replace the published warehouse by the candidate's marts in one rename, then
    remove the candidate. The marts are exported into <published>.partial first; a run
    killed meanwhile leaves that, and the next build removes it."""
    exported = partial(home.published_db)
    _remove(exported)
    try:
        export_marts(candidate, exported)
        crash_points.reached("publish:exported")
        into_place(exported, home.published_db)
    except Exception as e:
        _remove(exported)
        if is_storage_error(e):
            raise stopped(e, "writing the published marts") from e
        raise
    _remove(candidate)
    return home.published_db


# DuckDB's file: a 4 kB main header ("DUCK" at byte 8), then two 4 kB database headers of
# which the one with the higher iteration is in force; it says how many blocks of what size
# follow. A file cut short opens (its catalogue is in the first blocks) and fails later.
_HEADER = 4096
_DATABASE_HEADER = struct.Struct("<QQQQQQ")  # checksum, iteration, meta, free list, blocks, size


def _cut_short(path: Path) -> str | None:
    """What is missing from a DuckDB file shorter than its header says, else None."""
    with open(path, "rb") as f:
        head = f.read(3 * _HEADER)
    if len(head) < 3 * _HEADER or head[8:12] != b"DUCK":
        return None  # not DuckDB's file at all: opening it says so
    slots = [_DATABASE_HEADER.unpack_from(head, at) for at in (_HEADER, 2 * _HEADER)]
    _, _, _, _, blocks, block_size = max(slots, key=lambda slot: slot[1])
    expected = 3 * _HEADER + blocks * block_size
    size = path.stat().st_size
    if size >= expected:
        return None
    # A checkpoint gives the free blocks at the end of the file back to the file system
    # and the header goes on counting them (a healthy working file after a run with
    # nothing new: 19 blocks on disk, 27 in the header, 8 free): the file is cut short
    # only when more blocks are missing than are free.
    missing = -(-(expected - size) // block_size)
    with duckdb.connect(str(path), read_only=True) as con:
        free = con.execute(
            "select free_blocks from pragma_database_size() "
            "where database_name = current_database()"
        ).fetchone()[0]
    if missing <= free:
        return None
    return f"the file is cut short: {size:,} bytes of the {expected:,} its header names"


class WarehouseDamaged(RuntimeError):
    """The working or the published file cannot be opened: a run would make it worse."""


def damage(path: Path) -> str | None:
    """What is wrong with the DuckDB file at `path`, in one line; None when it opens whole
    (read only: looking never changes it)."""
    try:
        short = _cut_short(path)
        if short:
            return short
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from duckdb_tables()").fetchone()
    except duckdb.Error as e:
        return (str(e).strip().splitlines() or [""])[0][:200]
    return None


def check_readable(home: Home) -> None:
    """Open the working and the published file (read only) before a run writes anything;
    a damaged one stops the run with what to do instead of a traceback."""
    for path, what in ((home.working_db, "raw layer"), (home.published_db, "published marts")):
        said = path.exists() and damage(path)
        if said:
            raise WarehouseDamaged(
                f"{path} ({what}) is damaged and cannot be opened ({said}); nothing was done. "
                f"Recreate the warehouse from the archive with `parkstat rebuild --home "
                f"{home.root}` (the damaged file is kept beside it)"
            )


def mart_row_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by table_name",
                [MART_SCHEMA],
            ).fetchall()
        ]
        return {
            t: con.execute(f"select count(*) from {MART_SCHEMA}.{t}").fetchone()[0] for t in tables
        }
