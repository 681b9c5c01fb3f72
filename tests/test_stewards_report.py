"""The stewards' report: the status matrix and every problem with its rule and place."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from parkstat.cli import main
from parkstat.stewards_report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(xlsx_validated):
    ingested, validation = xlsx_validated
    page = write_report(
        ingested.home, {"run_id": "corpus", "published": "test", "note": "synthetic"}
    )
    return ingested, validation, page


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_matrix_says_what_each_park_filed(report):
    ingested, validation, _ = report
    cells = {(r["park_code"], r["period"]): r for r in _csv(ingested.home.reports / "status.csv")}
    for v in validation.verdicts:
        cell = cells[(v.park_code, f"{v.period:%Y-%m}")]
        if v.status == "rejected":
            assert cell["status"] in ("rejected", "accepted", "warned")  # a correction may win
            if cell["status"] == "rejected":
                assert set(cell["rules"].split()) == {p.rule for p in v.problems if p.blocking}
    for park, period in ingested.corpus.missing:  # W5: not filed, shown as missing
        assert cells[(park, f"{period:%Y-%m}")]["status"] == "missing"
    late = [r for r in cells.values() if r["late"] == "True"]
    assert late, "the corpus has late filings"


def test_every_problem_names_rule_file_sheet_and_row(report):
    ingested, validation, _ = report
    rows = _csv(ingested.home.reports / "problems.csv")
    from_validation = [r for r in rows if r["stage"] == "validation"]
    assert len(from_validation) == sum(len(v.problems) for v in validation.verdicts)
    for r in from_validation:
        assert r["rule"] and r["rule_zh"] and r["rule_en"] and r["file_name"] and r["message"]
        if r["rule"] not in ("W3", "W8"):  # about the file's arrival and its cover
            assert r["sheet"] and r["row_number"]
    intake = [r for r in rows if r["stage"] == "intake"]
    assert {r["rule"] for r in intake} == {"B1", "B2", "B3", "B4"}
    summary = json.loads((ingested.home.reports / "run.json").read_text(encoding="utf-8"))
    assert summary["problems"] == len(rows) and summary["cells"]["rejected"] > 0


def test_status_prints_the_matrix_for_a_period(report):
    ingested, _, _ = report
    cell = next(
        r
        for r in _csv(ingested.home.reports / "status.csv")
        if r["status"] == "rejected" and r["file_name"]
    )
    result = CliRunner().invoke(
        main, ["status", "--home", str(ingested.home.root), "--period", cell["period"]]
    )
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if cell["file_name"] in x]
    assert "✗ 已拒收 rejected" in line and cell["rules"] in line and cell["park"] in line


def test_the_page_renders_in_a_real_browser(report, tmp_path):
    _, validation, page = report
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it")
        pytest.skip("chromium is not installed here")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert '<table id="matrix">' in dom and "Filing status matrix" in dom
    rejected = next(v for v in validation.verdicts if v.status == "rejected")
    reason = next(p for p in rejected.problems if p.blocking)
    assert reason.message.split(":")[0] in dom  # the rule's words and the values are visible
    assert rejected.file_name in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=1400,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
