"""The published marts keep the shape BI reads: each table's grain is its primary key, its
joins to the dimensions are foreign keys, and its column types are those its dbt contract
declares — a model whose column type changes does not build.

The keys are read from the published sample (duckdb_constraints()): the published file is
made from the candidate's own DDL, so what it shows the candidate had too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import yaml

from parkstat.dbt_process import DBT_PATH_ENV, DBT_PROJECT, DbtProcess, dbt_vars
from parkstat.published_file import MART_SCHEMA
from sources import reference

MARTS = DBT_PROJECT / "models" / "marts"
MART_MODELS = sorted(p.stem for p in MARTS.glob("*/*.sql"))

# One row of each table per these columns (its primary key).
GRAIN = {
    "dim_park": ["park_version_key"],
    "dim_period": ["period"],
    "dim_indicator": ["indicator"],
    "dim_industry_chain": ["chain"],
    "dim_tax_type": ["tax_type"],
    "dim_trade_partner": ["partner"],
    "dim_investor_origin": ["investor_origin"],
    "dim_filing": ["filing_id"],
    "fct_park_indicators": ["park_code", "period", "indicator"],
    "fct_industrial_output": ["park_code", "period", "chain"],
    "fct_tax_revenue": ["park_code", "period", "tax_type"],
    "fct_foreign_trade": ["park_code", "period", "partner", "flow"],
    "fct_investment_project": ["park_code", "project_code"],
    "mart_park_scorecard": ["park_code", "period"],
    "mart_coverage": ["period", "scope", "area"],
    "mart_region_totals": ["region_type", "region", "period", "indicator"],
}
# A column of these names in a fact or mart table joins the dimension keyed by it.
JOINS = {
    "park_version_key": ("dim_park", "park_version_key"),
    "period": ("dim_period", "period"),
    "indicator": ("dim_indicator", "indicator"),
    "chain": ("dim_industry_chain", "chain"),
    "tax_type": ("dim_tax_type", "tax_type"),
    "partner": ("dim_trade_partner", "partner"),
    "filing_id": ("dim_filing", "filing_id"),
    "investor_origin": ("dim_investor_origin", "investor_origin"),
    # A project's milestones are report periods too.
    "signed_first_seen_period": ("dim_period", "period"),
    "started_first_seen_period": ("dim_period", "period"),
    "production_first_seen_period": ("dim_period", "period"),
    "last_seen_period": ("dim_period", "period"),
}


def _published(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, [MART_SCHEMA, MART_MODELS]).fetchall()


def _declared_types() -> dict[str, list[tuple[str, str]]]:
    """Each mart model's columns and data types as its contract (its yml) declares them."""
    declared = {}
    for path in sorted(MARTS.glob("*/_*__models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            declared[model["name"]] = [
                (c["name"], c.get("data_type", "").upper()) for c in model["columns"]
            ]
    return declared


def _keys(path: Path, kind: str) -> list[tuple]:
    return _published(
        path,
        "select table_name, constraint_column_names, referenced_table, referenced_column_names "
        "from duckdb_constraints() where schema_name = ? and list_contains(?, table_name) "
        f"and constraint_type = '{kind}'",
    )


def test_every_mart_has_its_grain_as_primary_key(published_sample):
    assert sorted(GRAIN) == MART_MODELS  # a new mart declares its grain here too
    primary = {t: c for t, c, _, _ in _keys(published_sample.published_db, "PRIMARY KEY")}
    assert primary == GRAIN


def test_facts_and_marts_join_the_dimensions_by_foreign_keys(published_sample):
    foreign = {
        (t, tuple(c), to, tuple(to_c))
        for t, c, to, to_c in _keys(published_sample.published_db, "FOREIGN KEY")
    }
    columns = _published(
        published_sample.published_db,
        "select table_name, column_name from duckdb_columns() where schema_name = ? "
        "and list_contains(?, table_name)",
    )
    expected = {
        (t, (c,), JOINS[c][0], (JOINS[c][1],))
        for t, c in columns
        if c in JOINS and not t.startswith("dim_")
    }
    assert foreign == expected


def test_the_published_column_types_are_the_contracts(published_sample):
    published = {}
    for table, column, kind in _published(
        published_sample.published_db,
        "select table_name, column_name, data_type from duckdb_columns() "
        "where schema_name = ? and list_contains(?, table_name) order by table_name, column_index",
    ):
        published.setdefault(table, []).append((column, kind))
    declared = _declared_types()
    assert {m: declared[m] for m in MART_MODELS} == published


def test_a_model_whose_column_type_changes_does_not_build(tmp_path):
    """dim_tax_type's sort_order turned into text: dbt refuses it by the contract, while
    dim_trade_partner, built in the same run, is unchanged and builds."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "marts" / "shared" / "dim_tax_type.sql"
    sql = model.read_text(encoding="utf-8")
    assert sql.count("        sort_order\n") == 1
    model.write_text(
        sql.replace("        sort_order\n", "        cast(sort_order as varchar) as sort_order\n"),
        encoding="utf-8",
    )
    warehouse = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        reference.write(con)  # all either model reads
    args = ["run", "--select", "dim_tax_type", "dim_trade_partner",
            "--project-dir", str(project), "--profiles-dir", str(project), "--vars", dbt_vars(),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--quiet"]  # fmt: skip
    dbt = DbtProcess()
    try:
        result = dbt.invoke(args, {DBT_PATH_ENV: str(warehouse)})
    finally:
        dbt.close()
    said = {n.name: (n.status, n.message or "") for n in result.nodes}
    assert not result.success
    assert said["dim_trade_partner"][0] == "success", said
    status, message = said["dim_tax_type"]
    assert status == "error", said
    assert "enforced contract that failed" in message and "sort_order" in message, message
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "dim_trade_partner" in built and "dim_tax_type" not in built
