"""Generate -> intake: every accepted filing's raw values equal the generator's truth."""

from __future__ import annotations

import math

import duckdb
from conftest import intake_expect

from sources import raw_store
from sources import template as t


def _raw_rows(home) -> dict:
    """(park, period, revision, sheet key, row key) -> stored row, from the raw layer."""
    rows = {}
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        for sheet in t.DATA_SHEETS:
            fields = [c.field for c in sheet.columns]
            cur = con.execute(
                f"select park_code, period, revision, {', '.join(fields)} "
                f"from {raw_store.SCHEMA}.{sheet.raw_table}"
            )
            for park, period, revision, *values in cur.fetchall():
                row = dict(zip(fields, values, strict=True))
                rows[(park, period, revision, sheet.key, row[fields[0]])] = row
    return rows


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)
    return a == b


def test_raw_values_equal_the_generators_truth(ingested):
    raw = _raw_rows(ingested.home)
    compared = cells = 0
    for generated in ingested.corpus.files:
        for filing, _, rules in generated.outcomes():
            if intake_expect(rules) == "reject":
                continue
            for sheet in t.DATA_SHEETS:
                truth_rows = filing.rows(sheet.key)
                for truth in truth_rows:
                    key_field = sheet.key_column.field
                    stored = raw[
                        (
                            filing.park_code,
                            filing.period,
                            filing.revision,
                            sheet.key,
                            truth[key_field],
                        )
                    ]
                    for col in sheet.columns:
                        expected = truth.get(col.field)
                        assert _same(stored[col.field], expected), (
                            generated.path.name,
                            sheet.name,
                            truth[key_field],
                            col.field,
                            stored[col.field],
                            expected,
                        )
                        cells += 1
                compared += len(truth_rows)
    assert compared > 1000 and cells > 5000


def test_no_row_is_stored_that_the_truth_does_not_have(ingested):
    truth_keys = {
        (f.park_code, f.period, f.revision, s.key, r[s.key_column.field])
        for g in ingested.corpus.files
        for f, _, rules in g.outcomes()
        if intake_expect(rules) == "accept"
        for s in t.DATA_SHEETS
        for r in f.rows(s.key)
    }
    assert set(_raw_rows(ingested.home)) == truth_keys


def test_cover_facts_are_kept(ingested):
    with duckdb.connect(str(ingested.home.working_db), read_only=True) as con:
        stored = {
            (r[0], r[1], r[2]): r[3]
            for r in con.execute(
                "select park_code, period, revision, filed_date from raw.filings"
            ).fetchall()
        }
    truth = {
        (f.park_code, f.period, f.revision): f.filed_date
        for g in ingested.corpus.files
        for f, _, rules in g.outcomes()
        if intake_expect(rules) == "accept"
    }
    assert stored == truth
