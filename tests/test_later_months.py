"""A correction and the months after it; a rejection and what it rested on.

- A correction (or a late filing) for an earlier period is checked against
  the accepted later periods of the year (B6 forward): it may not make their
  monthly values negative. The park sends them corrected together, and
  filings of one run are decided together.
- A filing rejected because of its reference is decided again when that
  reference is corrected, waived or rejected; a rejected file sent again is
  decided again, and says so; a waiver added later is taken.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from scenario import Scenario, blocking

from expectations.check_frames import ACCEPTED
from expectations.waivers import Waiver
from parkstat.warehouse import build_candidate
from sources import template as t

OUTPUT = t.IND_OUTPUT
FEB, MARCH, APRIL, MAY = (dt.date(2025, m, 1) for m in (2, 3, 4, 5))


def _scale(s: Scenario, filing, factor: float) -> None:
    """The park's output (and its chains) × factor, every edit kept: a revised month."""
    revised = s.econ_filing(filing.period, filing.revision, filing.filed_date, {OUTPUT: factor})
    filing.sheets = revised.sheets


def _factor_above(s: Scenario, period, other, margin: float) -> float:
    """The output factor that puts `period`'s output `margin` above `other`'s."""
    mine = s.get(s.clean(period), "indicators", OUTPUT, "value_ytd")
    return s.get(other, "indicators", OUTPUT, "value_ytd") * (1 + margin) / mine


def _months(s: Scenario, *periods):
    return [s.send(s.clean(p)) for p in periods]


def _april_after_a_march_too_high(s: Scenario):
    """February, a March filed 4 % above the April to come, April as it is: the path of
    April, which is rejected against March (B6)."""
    march = s.clean(MARCH)
    _scale(s, march, _factor_above(s, MARCH, s.clean(APRIL), 0.04))
    s.send(s.clean(FEB))
    s.send(march)
    return s.send(s.clean(APRIL))


def test_a_correction_above_the_accepted_later_month_is_rejected_naming_it(home):
    s = Scenario(home)
    _months(s, FEB, MARCH, APRIL)
    april = s.clean(APRIL)
    s.run()
    correction = s.clean(MARCH, revision=1, filed=dt.date(2025, 5, 20))
    _scale(s, correction, _factor_above(s, MARCH, april, 0.03))
    verdict = s.run_one(correction)
    assert verdict.status == "rejected" and blocking(verdict) == ["B6"]
    said = [p.message for p in verdict.problems if p.rule == "B6"]
    assert any(f"{OUTPUT}: " in m and "later period(s) 2025-04" in m for m in said), said

    built = build_candidate(home)  # April's monthly value keeps the accepted March
    with duckdb.connect(str(built.candidate), read_only=True) as con:
        months = con.execute(
            "select period, value_month from marts.fct_park_indicators "
            "where indicator = ? order by period",
            [OUTPUT],
        ).fetchall()
    assert all(m > 0 for _, m in months)


def test_a_correction_sent_together_with_the_later_month_is_accepted(home):
    s = Scenario(home)
    _months(s, FEB, MARCH, APRIL)
    s.run()
    april = s.clean(APRIL, revision=1, filed=dt.date(2025, 5, 21))
    _scale(s, april, 1.10)
    march = s.clean(MARCH, revision=1, filed=dt.date(2025, 5, 20))
    _scale(s, march, _factor_above(s, MARCH, s.clean(APRIL), 0.03))  # above the old April
    paths = [s.send(march), s.send(april)]
    decided = s.run()
    assert [decided.of(p).status for p in paths] == ["accepted", "accepted"]


def test_of_two_corrections_that_contradict_each_other_the_breaking_one_is_sent_back(home):
    """March corrected above the April that was there and above April's own correction:
    the March correction breaks April either way and is rejected; April's correction,
    consistent with the March that stays, is accepted. Nothing published falls."""
    s = Scenario(home)
    _months(s, FEB, MARCH, APRIL)
    s.run()
    march = s.clean(MARCH, revision=1, filed=dt.date(2025, 5, 20))
    _scale(s, march, _factor_above(s, MARCH, s.clean(APRIL), 0.05))
    april = s.clean(APRIL, revision=1, filed=dt.date(2025, 5, 21))
    _scale(s, april, 1.02)  # below the corrected March
    paths = [s.send(march), s.send(april)]
    decided = s.run()
    assert [(decided.of(p).status, blocking(decided.of(p))) for p in paths] == [
        ("rejected", ["B6"]),
        ("accepted", []),
    ]
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        outputs = con.execute(
            f"""
            select i.value_ytd from ({ACCEPTED}) f join raw.indicators i using (filing_id)
            where i.indicator = ? order by f.period""",
            [OUTPUT],
        ).fetchall()
    assert outputs == sorted(outputs)


def test_a_rejection_is_decided_again_when_its_reference_is_corrected(home):
    """March filed too high: April (right) is rejected against it; March corrected, April
    is decided again and accepted — no need to send it again."""
    s = Scenario(home)
    april_path = _april_after_a_march_too_high(s)
    first = s.run()
    assert first.of(april_path).status == "rejected"
    fixed = s.send(s.clean(MARCH, revision=1, filed=dt.date(2025, 5, 12)))
    again = s.run()
    assert again.of(fixed).status == "accepted"
    april = again.of(april_path)
    assert (april.status, april.because, april.was) == ("accepted", "reference", "rejected")
    [reason] = home.quarantine.glob(f"*__{april_path.name}.reason.txt")
    assert "decided again" in reason.read_text(encoding="utf-8")


def test_a_rejected_file_sent_again_is_decided_again_and_says_so(home):
    s = Scenario(home)
    april_path = _april_after_a_march_too_high(s)
    same = april_path.read_bytes()
    s.run()
    resent = home.landing / "April again.xlsx"
    resent.write_bytes(same)  # the park sends the very same April again
    intake = s.take()
    assert intake.files[0].outcome == "re-sent" and intake.files[0].resent
    decided = s.decide()
    [verdict] = decided.report.verdicts
    assert (verdict.status, verdict.because, verdict.was) == ("rejected", "re-sent", "rejected")


def test_a_waiver_added_later_is_taken_without_sending_the_file_again(home):
    s = Scenario(home)
    april_path = _april_after_a_march_too_high(s)
    assert s.run().of(april_path).status == "rejected"
    waiver = Waiver(
        s.park, APRIL, "B6", "3月数据核实无误, 4月口径调整", "张三", dt.date(2025, 5, 15)
    )
    decided = s.decide(waivers=[waiver])
    verdict = decided.of(april_path)
    assert (verdict.status, verdict.because) == ("waived", "waiver")


def test_an_unchanged_rejection_is_not_recorded_again(home):
    s = Scenario(home)
    _april_after_a_march_too_high(s)
    s.run()
    may = s.send(s.clean(MAY))  # the park's year moves on; April's reference does not change
    decided = s.run()
    assert [v.file_name for v in decided.report.verdicts] == [may.name]
