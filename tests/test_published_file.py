"""The published file holds the candidate's marts alone — tables with their rows, comments
and keys, and views — and replaces the published one whole, or not at all.

The candidate here is made by hand, with the layers a real one has and a primary
and a foreign key, as dbt model contracts will declare them.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import duckdb
import pytest

from parkstat import published_file
from parkstat.home import Home
from parkstat.published_file import ViewBeyondMarts, export_marts
from parkstat.warehouse import publish
from sources.durable import partial
from sources.storage_errors import StorageFailed

# Created referenced last: alphabetical order would put the foreign key before its table.
CANDIDATE = """
create schema raw; create schema audit; create schema reference;
create schema staging; create schema intermediate; create schema marts;
create table raw.filings (filing_id varchar, park_code varchar);
insert into raw.filings values ('f1', 'HN1'), ('f2', 'HN2');
create table audit.filing_decisions (filing_id varchar, status varchar);
create table reference.parks (park_code varchar);
create view staging.stg_raw__filings as select * from raw.filings;
create table intermediate.int_filings_ranked as select * from raw.filings;
create table marts.park (park_code varchar primary key, park_name varchar not null);
insert into marts.park values ('HN1', '天易经开区'), ('HN2', '湘潭高新区');
create table marts.fct_output (
    park_code varchar references marts.park (park_code),
    period date,
    value_ytd double,
    periods date[],
    primary key (park_code, period)
);
insert into marts.fct_output values
    ('HN1', date '2025-02-01', 12.5, [date '2025-02-01']),
    ('HN2', date '2025-02-01', null, []);
create view marts.output_by_park as
    select p.park_name, o.period, o.value_ytd
    from marts.fct_output o join marts.park p using (park_code);
comment on table marts.fct_output is 'Output (产值), one row per park''s period.';
comment on column marts.fct_output.value_ytd is 'Year to date (本年累计), 万元.';
comment on view marts.output_by_park is 'Output with the park''s name.';
comment on column marts.output_by_park.park_name is 'Full name (园区全称).';
"""
OWN_SCHEMAS = {"main", "information_schema", "pg_catalog"}


def _candidate(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(CANDIDATE)
    return path


def _catalog(path: Path) -> dict:
    """What a reader of `path` finds in it: schemas, objects, rows, keys and comments."""
    asked = {
        "schemas": "select schema_name from duckdb_schemas() where database_name = ?",
        "tables": "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = ?",
        "views": "select schema_name, view_name, comment from duckdb_views() "
        "where database_name = ? and not internal",
        "columns": "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = ?",
        "keys": "select table_name, constraint_type, constraint_text from duckdb_constraints() "
        "where database_name = ? and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY')",
    }
    with duckdb.connect(str(path), read_only=True) as con:
        db = con.execute("select current_database()").fetchone()[0]
        found = {k: sorted(con.execute(sql, [db]).fetchall(), key=repr) for k, sql in asked.items()}
        for name in ("fct_output", "output_by_park"):
            found[name] = sorted(con.execute(f"select * from marts.{name}").fetchall(), key=repr)
    found["schemas"] = {r[0] for r in found["schemas"]} - OWN_SCHEMAS
    return found


def _marts_only(catalog: dict) -> dict:
    keep = dict(catalog)
    keep["schemas"] = {"marts"}
    keep["tables"] = [t for t in catalog["tables"] if t[0] == "marts"]
    keep["views"] = [v for v in catalog["views"] if v[0] == "marts"]
    names = {t[1] for t in keep["tables"] + keep["views"]}
    keep["columns"] = [c for c in catalog["columns"] if c[0] in names]
    return keep


def test_the_export_holds_the_marts_alone_with_their_rows_comments_keys_and_views(tmp_path):
    candidate = _candidate(tmp_path / "candidate.duckdb")
    target = tmp_path / "published.duckdb"
    export_marts(candidate, target)
    assert not (tmp_path / "published.duckdb.wal").exists()
    exported = _catalog(target)
    assert exported == _marts_only(_catalog(candidate))
    assert exported["schemas"] == {"marts"}
    assert {(t, kind) for t, kind, _ in exported["keys"]} >= {
        ("park", "PRIMARY KEY"),
        ("fct_output", "PRIMARY KEY"),
        ("fct_output", "FOREIGN KEY"),
    }
    with duckdb.connect(str(target)) as con:  # the keys hold, not only their names
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into marts.park values ('HN1', 'twice')")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into marts.fct_output values ('HN9', date '2025-03-01', 1, [])")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
    # The storage format DuckDB 1.1 reads (read by DuckDB 1.1 itself: test_old_clients.py).
    assert published_file.PUBLISHED_STORAGE == "v1.1.0"
    assert tags["storage_version"] == "v1.0.0+"


def test_the_export_goes_into_a_new_file_only(tmp_path):
    candidate = _candidate(tmp_path / "candidate.duckdb")
    target = tmp_path / "published.duckdb"
    target.write_bytes(b"")
    with pytest.raises(FileExistsError):
        export_marts(candidate, target)


def test_a_view_of_the_marts_over_another_layer_stops_the_export(tmp_path):
    candidate = _candidate(tmp_path / "candidate.duckdb")
    with duckdb.connect(str(candidate)) as con:
        con.execute("create view marts.filings as select * from staging.stg_raw__filings")
    with pytest.raises(ViewBeyondMarts, match="marts.filings"):
        export_marts(candidate, tmp_path / "published.duckdb")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_replaces_the_published_file_by_the_marts_and_removes_the_candidate(tmp_path):
    home = Home(tmp_path / "home").ensure()
    candidate = _candidate(home.candidate_db)
    marts = _marts_only(_catalog(candidate))
    assert publish(home, candidate) == home.published_db
    assert _catalog(home.published_db) == marts
    assert sorted(p.name for p in home.warehouse.iterdir()) == ["parkstat.duckdb"]


def test_a_full_disk_while_exporting_leaves_the_published_file_and_no_partial(
    tmp_path, monkeypatch
):
    home = Home(tmp_path / "home").ensure()
    publish(home, _candidate(home.candidate_db))
    before = _digest(home.published_db)

    def disk_full(candidate: Path, target: Path) -> None:
        target.write_bytes(b"half an export")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("parkstat.warehouse.export_marts", disk_full)
    candidate = _candidate(home.candidate_db)
    with pytest.raises(StorageFailed, match="writing the published marts"):
        publish(home, candidate)
    assert _digest(home.published_db) == before
    assert not partial(home.published_db).exists()
    assert candidate.exists()  # the run stopped: the next one builds again
