"""Over the fault corpus: every file ends in exactly one place, every B1-B4 with its rule."""

from __future__ import annotations

import hashlib

import duckdb
from conftest import INTAKE_RULES, intake_expect


def test_every_file_is_archived_byte_for_byte_and_landing_is_empty(ingested):
    home, corpus = ingested.home, ingested.corpus
    assert list(home.landing.iterdir()) == []
    for f in corpus.files:
        data = f.path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert (home.archive / f"{sha}{f.path.suffix.lower()}").read_bytes() == data


def test_every_file_ends_in_exactly_one_place(ingested):
    home, report = ingested.home, ingested.report
    assert len(report.files) == len(ingested.corpus.files)
    quarantined = {p.name for p in home.quarantine.iterdir() if not p.name.endswith(".reason.txt")}
    for outcome in report.files:
        in_quarantine = any(q.endswith(f"__{outcome.file_name}") for q in quarantined)
        if outcome.outcome == "ingested":
            assert outcome.accepted and not outcome.problems and not in_quarantine
        elif outcome.outcome == "quarantined":
            assert not outcome.accepted and outcome.problems and in_quarantine
            assert (home.quarantine / f"{outcome.quarantine_path.name}.reason.txt").exists()
        else:  # a long CSV with some park-periods rejected
            assert outcome.outcome == "partly quarantined"
            assert outcome.accepted and outcome.problems and in_quarantine
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        arrivals = con.execute("select count(*) from raw.arrivals").fetchone()[0]
        filings = con.execute("select count(*) from raw.filings").fetchone()[0]
    assert arrivals == len(report.files)
    assert filings == report.filings_accepted


def test_each_filing_is_accepted_or_rejected_as_the_manifest_says(ingested):
    """Precision and recall of intake's rejections over the corpus are both 1."""
    by_file = {f.file_name: f for f in ingested.report.files}
    planted = 0
    for generated in ingested.corpus.files:
        outcome = by_file[generated.path.name]
        accepted = {(park, period, rev) for park, period, rev in outcome.accepted}
        rules_found = {p.rule for p in outcome.problems}
        for filing, _, rules in generated.outcomes():
            key = (filing.park_code, filing.period, filing.revision)
            if intake_expect(rules) == "accept":
                assert key in accepted, (generated.path.name, key, outcome.problems)
            else:
                planted += 1
                assert key not in accepted, (generated.path.name, key)
                expected = INTAKE_RULES & set(rules)
                assert expected <= rules_found, (generated.path.name, expected, rules_found)
    assert planted >= len(INTAKE_RULES)  # every intake rule was planted at least once


def test_every_planted_intake_fault_is_named_where_it_is(ingested):
    """The problem names the file, and the sheet, row and column the manifest planted it in."""
    by_file = {f.file_name: f for f in ingested.report.files}
    faults = [
        m for m in ingested.corpus.manifest if m["kind"] == "fault" and m["rule"] in INTAKE_RULES
    ]
    assert {m["rule"] for m in faults} == INTAKE_RULES
    for m in faults:
        problems = [p for p in by_file[m["file"]].problems if p.rule == m["rule"]]
        assert problems, m
        if m.get("row") and m["rule"] != "B1":
            assert any(p.row == m["row"] for p in problems), (m, problems)
        reason = next(ingested.home.quarantine.glob(f"*__{m['file']}.reason.txt")).read_text()
        assert m["file"] in reason and m["rule"] in reason
        for p in problems:
            assert p.sentence() in reason


def test_rejections_are_recorded_for_the_stewards(ingested):
    with duckdb.connect(str(ingested.home.working_db), read_only=True) as con:
        rows = con.execute(
            "select file_name, rule, message from raw.rejections order by arrival_seq"
        ).fetchall()
    problems = [(f.file_name, p.rule, p.message) for f in ingested.report.files for p in f.problems]
    assert rows == problems
