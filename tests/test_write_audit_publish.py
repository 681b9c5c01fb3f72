"""Write, audit, publish: only a candidate that passed its suites replaces the published file."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest
from conftest import TODAY, publish_month

from expectations import mart_suites
from expectations.mart_suites import validate_marts
from expectations.validate_filings import validate_filings
from parkstat.home import Home
from parkstat.warehouse import build_candidate
from sources.generate import generate
from sources.intake import run_intake


def _land(home: Home, start: dt.date, end: dt.date, seed: int, tmp_path) -> None:
    out = tmp_path / f"gen-{start:%Y%m}-{end:%Y%m}"
    corpus = generate(out, start, end, parks=3, seed=seed, today=TODAY)
    home.ensure()
    for f in corpus.files:
        shutil.copy2(f.path, home.landing / f.path.name)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wap")
    home = Home(tmp / "home")
    _land(home, dt.date(2025, 2, 1), dt.date(2025, 4, 1), 41, tmp)
    publish_month(home, "first")
    return home, tmp


def test_a_reader_is_not_blocked_and_then_sees_the_new_publication(published):
    home, tmp = published
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys
        path = {str(home.published_db)!r}
        held = duckdb.connect(path, read_only=True)
        count = "select count(*) from marts.publications"
        print(held.execute(count).fetchone()[0], flush=True)
        sys.stdin.readline()  # the run publishes meanwhile
        print(held.execute(count).fetchone()[0], flush=True)  # the snapshot it holds
        held.close()  # DuckDB keeps one open database per process: reconnect to refresh
        print(duckdb.connect(path, read_only=True).execute(count).fetchone()[0], flush=True)
    """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "1"
        _land(home, dt.date(2025, 5, 1), dt.date(2025, 5, 1), 41, tmp)
        publish_month(home, "second")  # a writer while the reader holds the file open
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"
        assert reader.stdout.readline().strip() == "2"
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        rows = con.execute(
            "select publication_id, filings_accepted + filings_warned, "
            "periods_updated from marts.publications order by published_at"
        ).fetchall()
    assert [r[0] for r in rows] == ["first", "second"]
    assert rows[1][1] == 3 and rows[1][2] == [dt.date(2025, 5, 1)]


def test_a_failing_pre_publish_suite_leaves_the_published_file_byte_identical(
    published, tmp_path, monkeypatch
):
    home, _ = published
    before = _digest(home.published_db)
    _land(home, dt.date(2025, 6, 1), dt.date(2025, 6, 1), 41, tmp_path)
    run_intake(home, today=TODAY)
    validate_filings(home, "third", waivers=[])
    built = build_candidate(home)
    # A grain the tax fact cannot have: many tax types per park and period.
    facts = dict(mart_suites.FACTS)
    facts["fct_tax_revenue"] = (["park_code", "period"], facts["fct_tax_revenue"][1])
    monkeypatch.setattr(mart_suites, "FACTS", facts)
    audit = validate_marts(home, built.candidate, "third")
    assert not audit.passed
    failing = {(f.suite, f.rule) for f in audit.failures}
    assert failing == {("marts_fct_tax_revenue", "grain")}
    row = audit.failures[0].row
    assert {"park_code", "period", "filing_id", "source_file", "source_row"} <= set(row)
    assert _digest(home.published_db) == before


def test_the_next_run_starts_clean_after_a_refused_candidate(published):
    home, _ = published
    # Left by killed runs: a candidate's log, and marts half exported beside the published file.
    left = ["candidate.duckdb.wal", "parkstat.duckdb.partial", "parkstat.duckdb.partial.wal"]
    for name in left:
        (home.warehouse / name).write_bytes(b"left by a killed run")
    built = build_candidate(home)
    assert validate_marts(home, built.candidate, "fourth").passed
    assert not [name for name in left if (home.warehouse / name).exists()]
