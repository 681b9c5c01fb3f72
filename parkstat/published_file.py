"""The published DuckDB file: the candidate's marts alone, in a file old clients open.

The candidate holds the raw layer, the validation decisions and dbt's staging
and intermediate models beside the marts, because dbt and the pre-publish
suites need them. BI users need only the marts: `export_marts` writes a fresh
file with schema `marts` and nothing else — every table with its rows, its
comments and its constraints (primary and foreign keys declared by the models'
contracts), and every view.
"""

from __future__ import annotations

import graphlib
from pathlib import Path

import duckdb

MART_SCHEMA = "marts"
# BI tools' DuckDB drivers ship DuckDB 1.1 to 1.4, and a DuckDB opens no file written in a
# storage format newer than its own (1.1.3 refuses one written for v1.4.0): the published
# file is written for the oldest. The working file keeps its own, newer format
# (sources/raw_store.py STORAGE_COMPATIBILITY): only parkstat opens it.
PUBLISHED_STORAGE = "v1.1.0"
# The candidate, attached to the new file while its marts are copied.
_SOURCE = "candidate"


def export_marts(candidate: Path, target: Path) -> None:
    """Write the candidate's schema `marts` into a new DuckDB file at `target`,
    checkpointed and closed: no .wal is left beside it."""
    if target.exists():
        # The storage format is chosen when a file is created: an old file keeps its own.
        raise FileExistsError(f"{target} exists: the marts are exported into a new file")
    with duckdb.connect(
        str(target), config={"storage_compatibility_version": PUBLISHED_STORAGE}
    ) as con:
        con.execute(f"attach {_literal(str(candidate))} as {_SOURCE} (read_only)")
        con.execute(f"create schema {MART_SCHEMA}")
        for table, ddl in _tables(con):
            con.execute(ddl)  # the candidate's own DDL: its constraints come with it
            name = f"{MART_SCHEMA}.{_quoted(table)}"
            con.execute(f"insert into {name} select * from {_SOURCE}.{name}")
        for view, ddl in _views(con):
            try:
                con.execute(ddl)
            except duckdb.CatalogException as e:
                raise ViewBeyondMarts(
                    f"view {MART_SCHEMA}.{view} reads what the published file does not hold "
                    f"(only the marts are published): {e}"
                ) from e
        _copy_comments(con)
        con.execute(f"detach {_SOURCE}")
        con.execute("checkpoint")


class ViewBeyondMarts(RuntimeError):
    """A view of the marts reads another layer of the candidate (staging, raw…): BI users
    would get an error for it, so the publish does instead."""


def _tables(con) -> list[tuple[str, str]]:
    """The candidate's mart tables and their DDL, each after the tables it references
    (a foreign key needs its table, with its rows, first)."""
    ddl = dict(
        con.execute(
            "select table_name, sql from duckdb_tables() where database_name = ? "
            "and schema_name = ? order by table_name",
            [_SOURCE, MART_SCHEMA],
        ).fetchall()
    )
    order = graphlib.TopologicalSorter({table: set() for table in ddl})
    for table, referenced in con.execute(
        "select table_name, referenced_table from duckdb_constraints() "
        "where database_name = ? and schema_name = ? and constraint_type = 'FOREIGN KEY'",
        [_SOURCE, MART_SCHEMA],
    ).fetchall():
        if referenced != table:
            order.add(table, referenced)
    return [(table, ddl[table]) for table in order.static_order()]


def _views(con) -> list[tuple[str, str]]:
    """The candidate's mart views and their DDL in the order they were created, so that a
    view over another comes after it. DuckDB writes a view's DDL without its database's
    name, so it reads the new file's tables."""
    return con.execute(
        "select view_name, sql from duckdb_views() where database_name = ? "
        "and schema_name = ? and not internal order by view_oid",
        [_SOURCE, MART_SCHEMA],
    ).fetchall()


def _copy_comments(con) -> None:
    """The tables', views' and columns' comments (the models' descriptions): the DDL
    does not carry them."""
    for kind, name, comment in con.execute(
        "select 'table', table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name = ? and comment is not null "
        "union all select 'view', view_name, comment from duckdb_views() "
        "where database_name = ? and schema_name = ? and comment is not null",
        [_SOURCE, MART_SCHEMA] * 2,
    ).fetchall():
        con.execute(f"comment on {kind} {MART_SCHEMA}.{_quoted(name)} is {_literal(comment)}")
    for table, column, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and comment is not null",
        [_SOURCE, MART_SCHEMA],
    ).fetchall():
        con.execute(
            f"comment on column {MART_SCHEMA}.{_quoted(table)}.{_quoted(column)} "
            f"is {_literal(comment)}"
        )


def describe(con, kind: str, name: str, comment: str, columns: dict[str, str]) -> None:
    """Comment a table or view (`kind`) and its columns — what BI tools show of a relation
    that parkstat writes itself rather than dbt (publications, vintages, revisions)."""
    con.execute(f"comment on {kind} {name} is {_literal(comment)}")
    for column, words in columns.items():
        con.execute(f"comment on column {name}.{_quoted(column)} is {_literal(words)}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
