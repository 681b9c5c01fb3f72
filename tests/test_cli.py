"""The `parkstat` command as an operator uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from parkstat.cli import main
from sources import template as t

PARKSTAT = [sys.executable, "-m", "parkstat.cli"]


@pytest.mark.parametrize(
    "command", ["template", "generate", "run", "sample", "backfill", "status", "report"]
)
def test_every_command_explains_itself_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"parkstat {command}" in result.output


def test_template_writes_the_blank_v1_workbook(tmp_path):
    out = tmp_path / "月报模板.xlsx"
    result = CliRunner().invoke(main, ["template", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [s.name for s in t.SHEETS]
    for sheet in t.SHEETS:
        header = book.get_sheet_by_name(sheet.name).to_python()[0]
        assert header == [c.header for c in sheet.columns]
    indicators = [r[0] for r in book.get_sheet_by_name("主要指标").to_python()[1:]]
    assert indicators == [i.name for i in t.INDICATORS]


def test_generate_writes_synthetic_files_and_a_manifest(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--out",
            str(tmp_path),
            "--from",
            "2025-02",
            "--to",
            "2025-04",
            "--parks",
            "2",
            "--seed",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert len(list(tmp_path.glob("*.xlsx"))) == 6  # 2 parks x 3 periods, no faults asked
    assert "synthetic" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_bad_month_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path), "--from", "七月"])
    assert result.exit_code != 0 and "is not a month like 2025-07" in result.output


def test_run_takes_landing_into_published_marts_through_prefect(tmp_path):
    """The monthly run end to end, as a process, with Prefect's state inside the home."""
    home = tmp_path / "home"
    gen = subprocess.run(
        [
            *PARKSTAT,
            "generate",
            "--out",
            str(home / "landing"),
            "--from",
            "2025-02",
            "--to",
            "2025-04",
            "--parks",
            "3",
            "--faults",
            "0.3",
            "--seed",
            "9",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "planted fault" in gen.stdout
    for extra in ("manifest.json", "README.txt"):
        (home / "landing" / extra).rename(tmp_path / extra)
    env = {**os.environ, "PARKSTAT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_HOME", None)
    run = subprocess.run([*PARKSTAT, "run"], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 3, run.stdout + run.stderr  # published, some filings rejected
    assert "quarantined" in run.stdout and " B" in run.stdout  # what was rejected, and why
    assert (home / "prefect").is_dir() and any((home / "prefect").iterdir())
    published = home / "warehouse" / "parkstat.duckdb"
    assert f"published marts: {published}" in run.stdout
    assert "stewards' report: " in run.stdout and "prefect run: monthly_run/" in run.stdout
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_park_indicators").fetchone()[0] > 0
    assert list((home / "landing").iterdir()) == []
    assert not Path(home / "warehouse" / "candidate.duckdb").exists()


def test_backfill_takes_a_folder_of_long_csvs_and_publishes_the_periods_asked_once(tmp_path):
    source = tmp_path / "exports"
    subprocess.run(
        [
            *PARKSTAT,
            "generate",
            "--out",
            str(source),
            "--from",
            "2024-02",
            "--to",
            "2024-09",
            "--parks",
            "3",
            "--format",
            "csv",
            "--seed",
            "4",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for extra in ("manifest.json", "README.txt"):
        (source / extra).unlink()
    kept = sorted(p.name for p in source.iterdir())
    home = tmp_path / "home"
    env = {**os.environ, "PARKSTAT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_HOME", None)
    run = subprocess.run(
        [*PARKSTAT, "backfill", "--source", str(source), "--from", "2024-02", "--to", "2024-06"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "left for a later run: 9 filing(s)" in run.stdout  # 3 parks x 2024-07..09
    with duckdb.connect(str(home / "warehouse" / "parkstat.duckdb"), read_only=True) as con:
        periods = con.execute(
            "select min(period), max(period) from marts.fct_park_indicators"
        ).fetchone()
        publications = con.execute("select count(*) from marts.publications").fetchone()[0]
    assert [f"{p:%Y-%m}" for p in periods] == ["2024-02", "2024-06"]
    assert publications == 1
    assert sorted(p.name for p in source.iterdir()) == kept  # the source is left as it was
