"""The raw layer in the working DuckDB: every filing as received, with lineage on every row.

Tables are derived from the template's column specs, so a column added to
the template appears here without a second definition. Nothing in raw is
updated or deleted: a correction is a new filing that supersedes the earlier
one for its park and period (by revision, then filing date, then arrival).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from sources import template as t

SCHEMA = "raw"
# The working file stays readable by DuckDB 1.4 (the published file, by 1.1 and later:
# parkstat/published_file.py PUBLISHED_STORAGE).
STORAGE_COMPATIBILITY = "v1.4.0"

_KIND_TYPES = {
    "key": pa.string(),
    "text": pa.string(),
    "chain": pa.string(),
    "unit": pa.string(),
    "stage": pa.string(),
    "amount": pa.float64(),
    "count": pa.float64(),
    "pct": pa.float64(),
    "date": pa.date32(),
    "flag": pa.bool_(),
}
_ARROW_TO_SQL = {
    pa.string(): "varchar",
    pa.float64(): "double",
    pa.date32(): "date",
    pa.bool_(): "boolean",
    pa.int64(): "bigint",
    pa.int32(): "integer",
    pa.timestamp("us"): "timestamp",
}

# On every data row: which filing, which cell row, and the filing's identity.
LINEAGE = pa.schema(
    [
        ("filing_id", pa.string()),
        ("file_name", pa.string()),
        ("sheet", pa.string()),
        ("row_number", pa.int32()),
        ("park_code", pa.string()),
        ("period", pa.date32()),
        ("filed_date", pa.date32()),
        ("revision", pa.int32()),
        ("received_at", pa.timestamp("us")),
    ]
)

FILINGS = pa.schema(
    [
        ("filing_id", pa.string()),
        ("file_sha256", pa.string()),
        ("file_name", pa.string()),
        ("file_format", pa.string()),
        ("encoding", pa.string()),
        ("park_code", pa.string()),
        ("park_name_filed", pa.string()),
        ("period", pa.date32()),
        ("filed_date", pa.date32()),
        ("due_date", pa.date32()),
        ("revision", pa.int32()),
        ("received_at", pa.timestamp("us")),
        ("arrival_seq", pa.int64()),
        # When its file arrived in landing/ (UTC) and on which office day; whether it
        # was late and what that was judged by (sources/lateness.py).
        ("arrived_at", pa.timestamp("us")),
        ("arrived_on", pa.date32()),
        ("is_late", pa.bool_()),
        ("late_basis", pa.string()),
    ]
)

ARRIVALS = pa.schema(
    [
        ("arrival_seq", pa.int64()),
        ("file_sha256", pa.string()),
        ("file_name", pa.string()),
        ("size_bytes", pa.int64()),
        ("received_at", pa.timestamp("us")),
        ("archive_path", pa.string()),
        ("outcome", pa.string()),
        ("filings_accepted", pa.int32()),
        ("filings_rejected", pa.int32()),
        ("filings_duplicate", pa.int32()),
        ("quarantine_path", pa.string()),
        ("arrived_at", pa.timestamp("us")),  # the file's time in landing/ (UTC)
        ("taken_by", pa.string()),  # run | backfill
        ("run_id", pa.string()),  # the run that took it
        # The file in landing/ when it was taken (device, inode, size, time): a file a
        # killed run committed but did not remove is known again, and only removed.
        ("landing_identity", pa.string()),
    ]
)

REJECTIONS = pa.schema(
    [
        ("arrival_seq", pa.int64()),
        ("file_sha256", pa.string()),
        ("file_name", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("park_filed", pa.string()),
        ("period_filed", pa.string()),
        ("sheet", pa.string()),
        ("row_number", pa.int32()),
        ("column_name", pa.string()),
        ("rule", pa.string()),
        ("message", pa.string()),
        ("value", pa.string()),
    ]
)


def sheet_schema(sheet: t.Sheet) -> pa.Schema:
    """Lineage, the template's columns, then each figure's precision as filed (step_field)."""
    steps = [(c.step_field, pa.float64()) for c in sheet.columns if c.step_field]
    return pa.schema([*LINEAGE, *((c.field, _KIND_TYPES[c.kind]) for c in sheet.columns), *steps])


TABLES: dict[str, pa.Schema] = {
    "filings": FILINGS,
    "arrivals": ARRIVALS,
    "rejections": REJECTIONS,
    **{s.raw_table: sheet_schema(s) for s in t.DATA_SHEETS},
}


def _ddl(name: str, schema: pa.Schema) -> str:
    cols = ",\n  ".join(f"{name} {sql_type}" for name, sql_type in _columns(schema))
    return f"create table if not exists {SCHEMA}.{name} (\n  {cols}\n)"


@contextmanager
def connect(path: Path, read_only: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    config = (
        {}
        if read_only or path.exists()
        else {"storage_compatibility_version": STORAGE_COMPATIBILITY}
    )
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    try:
        if not read_only:
            con.execute(f"create schema if not exists {SCHEMA}")
            for name, schema in TABLES.items():
                con.execute(_ddl(name, schema))
            add_missing_columns(con, SCHEMA, {name: _columns(t) for name, t in TABLES.items()})
        yield con
    finally:
        con.close()


def _columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(f.name, _ARROW_TO_SQL[f.type]) for f in schema]


def add_missing_columns(con, schema: str, tables: dict[str, list[tuple[str, str]]]) -> None:
    """Columns a newer parkstat added to a table of an older warehouse (NULL in its old rows)."""
    have = set(
        con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = ?",
            [schema],
        ).fetchall()
    )
    for name, columns in tables.items():
        for column, sql_type in columns:
            if (name, column) not in have:
                con.execute(f"alter table {schema}.{name} add column {column} {sql_type}")


def filing_ids(con) -> set[str]:
    return {r[0] for r in con.execute(f"select filing_id from {SCHEMA}.filings").fetchall()}


def filed_park_periods(con) -> set[tuple[str, object]]:
    """Every park and period with a filing in the raw layer."""
    return set(con.execute(f"select distinct park_code, period from {SCHEMA}.filings").fetchall())


def rejected_filing_ids(con) -> set[str]:
    """Filings whose current decision is a rejection (none before validation ever ran)."""
    held = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' "
        "and table_name = 'filing_decisions' and database_name = current_database()"
    ).fetchone()[0]
    if not held:
        return set()
    return {
        r[0]
        for r in con.execute("""
            select filing_id from audit.filing_decisions
            qualify row_number() over (partition by filing_id order by decided_at desc) = 1
                and status = 'rejected'
        """).fetchall()
    }


def landing_identities(con) -> set[str]:
    """The landing/ files (device, inode, size, time) whose arrivals are committed."""
    return {
        r[0]
        for r in con.execute(
            f"select landing_identity from {SCHEMA}.arrivals where landing_identity is not null"
        ).fetchall()
    }


def next_arrival_seq(con) -> int:
    return con.execute(
        f"select coalesce(max(arrival_seq), 0) + 1 from {SCHEMA}.arrivals"
    ).fetchone()[0]


def append(con, rows_by_table: dict[str, Iterable[dict]]) -> dict[str, int]:
    """Insert every table's rows in one transaction; returns rows written per table."""
    written = {}
    con.execute("begin transaction")
    try:
        for name, rows in rows_by_table.items():
            rows = list(rows)
            if not rows:
                continue
            schema = TABLES[name]
            batch = pa.Table.from_pylist(rows, schema=schema)  # noqa: F841 (read by duckdb)
            cols = ", ".join(schema.names)
            con.execute(f"insert into {SCHEMA}.{name} ({cols}) select {cols} from batch")
            written[name] = len(rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return written
