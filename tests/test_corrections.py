"""A correction is a new filing: both are kept, with their revisions and lineage."""

from __future__ import annotations

import duckdb
from conftest import intake_expect


def test_corrections_and_originals_are_both_kept(ingested):
    corrections = {
        (f.park_code, f.period)
        for g in ingested.corpus.files
        for f, _, rules in g.outcomes()
        if f.revision > 0 and intake_expect(rules) == "accept"
    }
    assert corrections, "the corpus plants corrections"
    with duckdb.connect(str(ingested.home.working_db), read_only=True) as con:
        stored = con.execute("""
            select park_code, period, list(revision order by revision), count(distinct filing_id)
            from raw.filings group by park_code, period having max(revision) > 0
        """).fetchall()
        rows_by_revision = dict(
            con.execute("""
            select revision, count(*) from raw.indicators group by revision
        """).fetchall()
        )
    assert {(park, period) for park, period, _, _ in stored} == corrections
    for _, _, revisions, filings in stored:
        assert revisions[0] == 0 and revisions[-1] >= 1 and filings == len(revisions)
    assert rows_by_revision[1] > 0
