"""The audit schema of the working DuckDB: what validation decided about each filing, and why.

Decisions are written once per filing; a later correction is a new filing
with its own decision. Only filings decided accepted, warned or waived reach
the marts (dbt reads audit.filing_decisions).
"""

from __future__ import annotations

import pyarrow as pa

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
    ]
)

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
    for name, schema in TABLES.items():
        cols = ", ".join(f"{f.name} {_SQL_TYPES[f.type]}" for f in schema)
        con.execute(f"create table if not exists {SCHEMA}.{name} ({cols})")


def append(con, name: str, rows: list[dict]) -> None:
    if not rows:
        return
    batch = pa.Table.from_pylist(rows, schema=TABLES[name])  # noqa: F841 (read by duckdb)
    cols = ", ".join(TABLES[name].names)
    con.execute(f"insert into {SCHEMA}.{name} ({cols}) select {cols} from batch")
