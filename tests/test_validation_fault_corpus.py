"""Over the fault corpus: B5-B7 rejected with their rule, W1-W4 reported, no clean filing rejected.

The generator's manifest is the truth. Precision and recall of the rules
that fire, counted over (filing, rule) pairs, must both be 1.0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import intake_expect

from expectations.gx_runner import render_docs
from parkstat.home import Home

VALIDATION_RULES = {"B5", "B6", "B7", "W1", "W2", "W3", "W4", "W6", "W7", "W8", "W9"}
BLOCKING = {"B5", "B6", "B7"}


def _expected_and_fired(validated):
    ingested, report = validated
    verdicts = {(v.park_code, v.period, v.file_name): v for v in report.verdicts}
    expected, fired, statuses = set(), set(), []
    for generated in ingested.corpus.files:
        for filing, _, rules in generated.outcomes():
            if intake_expect(rules) == "reject":
                continue
            key = (filing.park_code, filing.period, generated.path.name)
            verdict = verdicts.pop(key)
            planted = set(rules) & VALIDATION_RULES
            blocking = planted & BLOCKING
            found = set(verdict.rules)
            # On a rejected filing only the blocking rules matter: its warnings are moot.
            if blocking or found & BLOCKING:
                planted, found = blocking, found & BLOCKING
            expected |= {(key, r) for r in planted}
            fired |= {(key, r) for r in found}
            want = "rejected" if blocking else "warned" if planted else "accepted"
            statuses.append((key, want, verdict.status))
    assert verdicts == {}, "every validated filing is one the generator wrote"
    return expected, fired, statuses


def test_precision_and_recall_are_one(validated):
    expected, fired, _ = _expected_and_fired(validated)
    true_positive = len(expected & fired)
    precision = true_positive / len(fired) if fired else 1.0
    recall = true_positive / len(expected) if expected else 1.0
    print(
        f"\nvalidation over the corpus: {len(expected)} planted, {len(fired)} fired, "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    for rule in sorted(VALIDATION_RULES):
        planted = {k for k, r in expected if r == rule}
        hit = {k for k, r in fired if r == rule}
        print(
            f"  {rule}: planted {len(planted)}, fired {len(hit)}, false alarms {len(hit - planted)}"
        )
    assert sorted(fired - expected) == [] and sorted(expected - fired) == []
    assert precision == recall == 1.0
    assert {r for _, r in expected} >= BLOCKING  # every blocking rule was planted


def test_every_filing_gets_the_status_the_manifest_implies(validated):
    _, _, statuses = _expected_and_fired(validated)
    wrong = [s for s in statuses if s[1] != s[2]]
    assert wrong == []
    assert {want for _, want, _ in statuses} == {"accepted", "warned", "rejected"}


def test_the_clean_counterparts_go_through(validated):
    """What a rule must let through, never rejected: a park whose FDI is small in February
    every year, its ordinary later months (B7); two months corrected together (B6)."""
    ingested, _ = validated
    _, _, statuses = _expected_and_fired(validated)
    clean = [e for e in ingested.corpus.manifest if e["kind"] == "clean"]
    assert {e["variant"] for e in clean} == {"lumpy_small_value", "corrected_together"}
    lumpy = {e["park_code"] for e in clean if e["variant"] == "lumpy_small_value"}
    together = {(e["park_code"], e["period"], e["file"]) for e in clean}
    counterparts = [
        (key, want, got)
        for key, want, got in statuses
        if want != "rejected"
        and (key[0] in lumpy or (key[0], f"{key[1]:%Y-%m}", key[2]) in together)
    ]
    assert len(counterparts) > 10
    assert [c for c in counterparts if c[2] == "rejected"] == []


def test_rejected_filings_are_quarantined_with_their_reason(validated):
    ingested, report = validated
    rejected = [v for v in report.verdicts if v.status == "rejected"]
    assert rejected
    for v in rejected:
        [reason] = ingested.home.quarantine.glob(f"*__{v.file_name}.reason.txt")
        text = reason.read_text(encoding="utf-8")
        for p in v.problems:
            if p.rule in BLOCKING:
                assert p.sentence() in text
                assert p.file == v.file_name and p.sheet and p.row


def test_decisions_and_problems_are_on_record(validated):
    ingested, report = validated
    with duckdb.connect(str(ingested.home.working_db), read_only=True) as con:
        decisions = dict(
            con.execute("select filing_id, status from audit.filing_decisions").fetchall()
        )
        problems = con.execute("select count(*) from audit.validation_problems").fetchone()[0]
    assert decisions == {v.filing_id: v.status for v in report.verdicts}
    assert problems == sum(len(v.problems) for v in report.verdicts)


def test_data_docs_are_rendered(validated):
    ingested, report = validated
    page = render_docs(ingested.home, report.gx_runs).read_text(encoding="utf-8")
    assert "filing_balance" in page and "filing_growth" in page
    rendered = list((ingested.home.reports / "data-docs" / "validations").rglob("*.html"))
    assert {p.parent.parent.parent.name for p in rendered} >= {"filing_balance", "filing_growth"}


def test_data_docs_render_only_the_runs_asked_for(xlsx_validated, tmp_path):
    """A month renders its own results: earlier pages are kept, not rendered again."""
    ingested, report = xlsx_validated
    home = Home(tmp_path / "home")
    shutil.copytree(ingested.home.root, home.root)
    pages = home.reports / "data-docs" / "validations"

    def rendered() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in pages.rglob("*.html")}

    render_docs(home, report.gx_runs)
    before = rendered()
    assert {p.parent.parent.name for p in before} == set(report.gx_runs)
    again = report.gx_runs[-1]
    render_docs(home, [again])
    after = rendered()
    assert after.keys() == before.keys()
    changed = {p.parent.parent.name for p in after if after[p] != before[p]}
    assert changed == {again}
