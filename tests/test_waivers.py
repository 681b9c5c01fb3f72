"""A steward's waiver turns a rejection into an acceptance, and says so."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from conftest import END, START, TODAY

from expectations.validate_filings import validate_filings
from expectations.waivers import Waiver, WaiverError, load
from parkstat.home import Home
from parkstat.stewards_report import write_report
from parkstat.warehouse import build_candidate
from sources.generate import generate
from sources.intake import run_intake


def test_a_waived_filing_is_accepted_and_reaches_the_marts(tmp_path):
    corpus = generate(tmp_path / "gen", START, END, parks=6, seed=101, faults=0.12, today=TODAY)
    b6 = next(e for e in corpus.manifest if e["kind"] == "fault" and e["rule"] == "B6")
    period = dt.date.fromisoformat(b6["period"] + "-01")
    waiver = Waiver(
        park=b6["park_code"],
        period=period,
        rule="B6",
        reason="口径调整, 已核实",
        by="张三",
        date=dt.date(2025, 6, 1),
    )
    home = Home(tmp_path / "home").ensure()
    for f in corpus.files:
        shutil.copy2(f.path, home.landing / f.path.name)
    run_intake(home, today=TODAY)
    report = validate_filings(home, "waived", waivers=[waiver])

    [verdict] = [v for v in report.verdicts if v.file_name == b6["file"]]
    assert verdict.status == "waived" and verdict.rules == ["B6"]
    assert verdict.waivers == [waiver]
    assert not list(home.quarantine.glob(f"*__{b6['file']}*"))
    others = [v for v in report.verdicts if v.status == "rejected"]
    assert others, "the waiver covers that filing's B6 only"

    built = build_candidate(home)
    with duckdb.connect(str(built.candidate), read_only=True) as con:
        in_marts = con.execute(
            "select count(*) from marts.fct_park_indicators where filing_id = ?",
            [verdict.filing_id],
        ).fetchone()[0]
        waived = con.execute(
            "select waived_rules from audit.filing_decisions where filing_id = ?",
            [verdict.filing_id],
        ).fetchone()[0]
    assert in_marts > 0 and waived == ["B6"]

    write_report(home, {"run_id": "waived"})
    page = (home.reports / "index.html").read_text(encoding="utf-8")
    assert "B6 waived by 张三 on 2025-06-01: 口径调整, 已核实" in page


def test_a_waiver_for_another_file_does_not_apply():
    waiver = Waiver(
        "HN430305",
        dt.date(2025, 4, 1),
        "B6",
        "r",
        "张三",
        dt.date(2025, 6, 1),
        file_sha256="abc123",
    )
    assert waiver.covers("HN430305", dt.date(2025, 4, 1), "B6", "abc123ff")
    assert not waiver.covers("HN430305", dt.date(2025, 4, 1), "B6", "ffabc123")
    assert not waiver.covers("HN430305", dt.date(2025, 4, 1), "B5", "abc123ff")


def test_the_repository_waivers_file_loads():
    assert isinstance(load(), list)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (
            "{park: HN430305, period: 2025-04, rule: B3, reason: r, by: 张三, date: 2025-06-01}",
            "B3 cannot be waived",
        ),
        (
            "{park: HN430305, period: 2025-04, rule: B6, by: 张三, date: 2025-06-01}",
            "missing reason",
        ),
        (
            "{park: HN430305, period: 四月, rule: B6, reason: r, by: 张三, date: 2025-06-01}",
            "is not YYYY-MM",
        ),
    ],
)
def test_a_bad_waiver_is_refused_with_its_place(tmp_path, entry, says):
    path = tmp_path / "waivers.yml"
    path.write_text(f"waivers:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(WaiverError, match=says) as e:
        load(path)
    assert "waivers.yml, waiver 1" in str(e.value)
