"""The same file twice is one filing; a run over an empty landing changes nothing."""

from __future__ import annotations

import shutil

import duckdb
from conftest import TODAY, land

from sources import raw_store
from sources.intake import run_intake


def _counts(home) -> dict[str, int]:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        return {
            name: con.execute(f"select count(*) from {raw_store.SCHEMA}.{name}").fetchone()[0]
            for name in raw_store.TABLES
        }


def test_files_sent_again_add_no_filing(ingested, tmp_path):
    home = ingested.home.__class__(tmp_path / "home")
    land(ingested.corpus, home)
    first = run_intake(home, today=TODAY)
    before = _counts(home)
    archived = sorted(p.name for p in home.archive.iterdir())

    land(ingested.corpus, home)  # every file arrives a second time
    again = run_intake(home, today=TODAY)
    after = _counts(home)

    assert again.filings_accepted == 0
    assert {f.outcome for f in again.files} <= {"duplicate", "quarantined", "partly quarantined"}
    assert [f.outcome != "duplicate" for f in again.files] == [
        f.outcome != "ingested" for f in first.files
    ]
    for table in (
        "filings",
        *(s for s in raw_store.TABLES if s not in ("filings", "arrivals", "rejections")),
    ):
        assert after[table] == before[table], table
    assert after["arrivals"] == 2 * before["arrivals"]  # every arrival is on record
    assert sorted(p.name for p in home.archive.iterdir()) == archived


def test_the_same_content_under_two_names_in_one_run(home, xlsx_ingested):
    source = next(
        f.path for f in xlsx_ingested.corpus.files if f.expect == ["accept"] and f.format == "xlsx"
    )
    shutil.copy2(source, home.landing / "报表.xlsx")
    shutil.copy2(source, home.landing / "报表 - 副本.xlsx")
    report = run_intake(home, today=TODAY)
    assert sorted(f.outcome for f in report.files) == ["duplicate", "ingested"]
    assert _counts(home)["filings"] == 1
    assert len([p for p in home.archive.iterdir() if p.suffix != ".jsonl"]) == 1


def test_an_empty_landing_is_a_no_op(home):
    run_intake(home, today=TODAY)
    before = _counts(home)
    report = run_intake(home, today=TODAY)
    assert report.files == [] and _counts(home) == before


def test_editor_lock_files_are_left_alone(home):
    (home.landing / "~$报表.xlsx").write_bytes(b"lock")
    (home.landing / "upload.xlsx.part").write_bytes(b"half")
    report = run_intake(home, today=TODAY)
    assert report.files == []
    assert sorted(report.ignored) == ["upload.xlsx.part", "~$报表.xlsx"]
    assert (home.landing / "~$报表.xlsx").exists()
