"""What a DuckDB client reads from a published parkstat file, as one line of JSON.

tests/test_old_clients.py runs this with an old DuckDB (the one BI drivers ship)
and with parkstat's own, and compares: every table and view of schema `marts`
with its comment, its columns and their comments, its row count and a digest
of all its rows; and which schemas hold anything. Standard library and
duckdb only, for any DuckDB 1.x.

    python read_published.py warehouse/parkstat.duckdb
"""

import hashlib
import json
import sys

import duckdb


def read(path: str) -> dict:
    con = duckdb.connect(path, read_only=True)
    db = con.execute("select current_database()").fetchone()[0]
    schemas = [
        r[0]
        for r in con.execute(
            "select schema_name from duckdb_schemas() where database_name = ? order by 1", [db]
        ).fetchall()
    ]
    relations = con.execute(
        "select schema_name, table_name, 'table', comment from duckdb_tables() "
        "where database_name = ? "
        "union all select schema_name, view_name, 'view', comment from duckdb_views() "
        "where database_name = ? and not internal order by 1, 2",
        [db, db],
    ).fetchall()
    found = {}
    for schema, name, kind, comment in relations:
        columns = con.execute(
            "select column_name, comment from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [db, schema, name],
        ).fetchall()
        rows = con.execute(f'select * from "{schema}"."{name}"').fetchall()
        # Python's repr of what the client returned: the same values give the same text.
        text = "\n".join(sorted(repr(row) for row in rows))
        found[f"{schema}.{name}"] = {
            "kind": kind,
            "comment": comment,
            "columns": [column for column, _ in columns],
            "column_comments": {column: said for column, said in columns if said},
            "rows": len(rows),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    con.close()
    return {"duckdb": duckdb.__version__, "schemas": schemas, "relations": found}


if __name__ == "__main__":
    print(json.dumps(read(sys.argv[1]), ensure_ascii=False))
