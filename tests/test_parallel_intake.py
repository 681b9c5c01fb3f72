"""Files read by worker processes land exactly as files read one by one."""

from __future__ import annotations

import duckdb
import pytest

from parkstat.home import Home
from sources import intake, raw_store
from tests.conftest import TODAY, land


def _landed(home: Home) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        landed = {}
        for table in raw_store.TABLES:
            if table != "arrivals":  # arrival times differ, and nothing else in it is read
                rows = con.execute(f"select * exclude (received_at) from raw.{table}").fetchall()
                landed[table] = sorted(map(repr, rows))
        return landed


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_worker_processes_read_as_one_process_does(fmt, request, tmp_path, monkeypatch):
    corpus = request.getfixturevalue(f"{fmt}_ingested").corpus
    one, many = Home(tmp_path / "one").ensure(), Home(tmp_path / "many").ensure()
    land(corpus, one)
    land(corpus, many)
    intake.run_intake(one, today=TODAY)
    monkeypatch.setattr(intake, "PARALLEL_FROM_BYTES", 0)
    report = intake.run_intake(many, today=TODAY)
    assert report.rows > 1000
    assert _landed(one) == _landed(many)


def test_a_file_written_to_after_it_was_archived_stays_in_landing(
    xlsx_ingested, tmp_path, monkeypatch
):
    """An upload still going on: what was archived is taken as it was; the file, grown since,
    stays in landing/ and the next run takes it as what it has become."""
    home = Home(tmp_path / "home").ensure()
    land(xlsx_ingested.corpus, home)
    read = intake._read
    grown = []

    def read_then_grow(path, name, sha, registry, today):
        reading = read(path, name, sha, registry, today)
        if not grown:
            landed = home.landing / name
            landed.write_bytes(landed.read_bytes() + b"\0")  # the upload goes on
            grown.append(name)
        return reading

    monkeypatch.setattr(intake, "_read", read_then_grow)
    report = intake.run_intake(home, today=TODAY)
    assert report.changing == grown
    assert [p.name for p in home.landing.iterdir()] == grown
    assert len(report.files) == len(xlsx_ingested.corpus.files)
