"""The published file opens in the DuckDB that BI drivers ship, and reads the same there.

BI drivers ship DuckDB 1.1 to 1.4; the oldest, DuckDB 1.1.3, is installed by
`make old-client` (`make test` does it first) into .venv-duckdb-1.1, from the
hashed lock in tests/clients/. It reads every table and view of a published
sample with tests/clients/read_published.py, and parkstat's own DuckDB must read
the same: the same tables and views, comments, columns and rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
OLD_CLIENT = TESTS.parent / ".venv-duckdb-1.1" / "bin" / "python"
READ = TESTS / "clients" / "read_published.py"
# Schemas every DuckDB file shows, whatever it holds.
DUCKDB_OWN = {"main", "information_schema", "pg_catalog"}


def _read(python: Path | str, path: Path) -> dict:
    done = subprocess.run(
        [str(python), str(READ), str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="session")  # before the sample is published: a skip costs nothing
def old_client() -> Path:
    if not OLD_CLIENT.exists():
        said = f"{OLD_CLIENT} is missing: run `make old-client` (make test does it first)"
        if os.environ.get("CI"):
            pytest.fail(said)
        pytest.skip(said)
    return OLD_CLIENT


@pytest.fixture(scope="module")
def read_by_parkstat(published_sample) -> dict:
    return _read(sys.executable, published_sample.published_db)


def test_the_published_file_holds_the_marts_alone(read_by_parkstat):
    assert set(read_by_parkstat["schemas"]) <= DUCKDB_OWN | {"marts"}
    relations = read_by_parkstat["relations"]
    assert {name.split(".")[0] for name in relations} == {"marts"}
    assert {"marts.fct_park_indicators", "marts.dim_park", "marts.publications"} <= set(relations)
    assert relations["marts.fct_park_indicators"]["rows"] > 0
    # The models' descriptions came along as comments.
    assert all(r["comment"] and r["column_comments"] for r in relations.values()), relations


def test_duckdb_1_1_reads_every_mart_as_parkstat_does(
    old_client, published_sample, read_by_parkstat
):
    old = _read(old_client, published_sample.published_db)
    assert old["duckdb"] == "1.1.3"
    # DuckDB 1.1 lists its own schemas with each file's, DuckDB 2 does not.
    assert set(old["schemas"]) - DUCKDB_OWN == set(read_by_parkstat["schemas"]) - DUCKDB_OWN
    assert old["relations"] == read_by_parkstat["relations"]
