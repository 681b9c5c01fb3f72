"""The audit schema of the working DuckDB: what validation decided about each filing, and why.

Decisions are appended, never changed: a filing is decided when it arrives,
and a rejected one again when what it was judged against changes (its
reference corrected, waived or rejected, a waiver added for it, the file
sent again); its current decision is the latest (CURRENT_DECISIONS). A
correction is a new filing with its own decisions. Only filings whose
current decision is accepted, warned or waived reach the marts (dbt reads
the same current decisions).
"""

from __future__ import annotations

import pyarrow as pa

from sources.raw_store import add_missing_columns

SCHEMA = "audit"

ACCEPTED, WARNED, WAIVED, REJECTED = "accepted", "warned", "waived", "rejected"
PUBLISHABLE = (ACCEPTED, WARNED, WAIVED)

DECISIONS = pa.schema(
    [
        ("filing_id", pa.string()),
        ("status", pa.string()),
        ("blocking_rules", pa.list_(pa.string())),
        ("warning_rules", pa.list_(pa.string())),
        ("waived_rules", pa.list_(pa.string())),
        ("run_id", pa.string()),
        ("decided_at", pa.timestamp("us")),
        # Why it was decided in that run: arrived | re-sent | waiver | reference
        ("decided_because", pa.string()),
    ]
)

# Each filing's current decision: the latest of its decisions.
CURRENT_DECISIONS = f"""
    select * from {SCHEMA}.filing_decisions
    qualify row_number() over (partition by filing_id order by decided_at desc) = 1
"""
ARRIVED, RESENT, WAIVER, REFERENCE = "arrived", "re-sent", "waiver", "reference"

PROBLEMS = pa.schema(
    [
        ("filing_id", pa.string()),
        ("park_code", pa.string()),
        ("period", pa.date32()),
        ("file_name", pa.string()),
        ("sheet", pa.string()),
        ("row_number", pa.int32()),
        ("rule", pa.string()),
        ("blocking", pa.bool_()),
        ("waived", pa.bool_()),
        ("waiver", pa.string()),  # who waived it, when and why
        ("message", pa.string()),
        ("run_id", pa.string()),
    ]
)

TABLES = {"filing_decisions": DECISIONS, "validation_problems": PROBLEMS}

_SQL_TYPES = {pa.string(): "varchar", pa.date32(): "date", pa.int32(): "integer",
              pa.bool_(): "boolean", pa.timestamp("us"): "timestamp",
              pa.list_(pa.string()): "varchar[]"}  # fmt: skip


def ensure(con) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    columns = {name: [(f.name, _SQL_TYPES[f.type]) for f in s] for name, s in TABLES.items()}
    for name, cols in columns.items():
        con.execute(
            f"create table if not exists {SCHEMA}.{name} "
            f"({', '.join(f'{c} {sql_type}' for c, sql_type in cols)})"
        )
    add_missing_columns(con, SCHEMA, columns)


def append(con, name: str, rows: list[dict]) -> None:
    if not rows:
        return
    batch = pa.Table.from_pylist(rows, schema=TABLES[name])  # noqa: F841 (read by duckdb)
    cols = ", ".join(TABLES[name].names)
    con.execute(f"insert into {SCHEMA}.{name} ({cols}) select {cols} from batch")
