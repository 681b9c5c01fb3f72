"""Validating many parks in one batch decides exactly as one park at a time.

The batch is decided in rounds (expectations/validate_filings.py); this
checks the claim on the fault corpus, whose planted B6/B7 rejections make a
filing's reference depend on an earlier verdict of the same batch, and whose
corrections sent together depend on each other.
"""

from __future__ import annotations

import shutil

from expectations import validate_filings as vf
from parkstat.home import Home


def _verdicts(ingested, tmp_path, name: str) -> dict:
    home = Home(tmp_path / name)
    shutil.copytree(ingested.home.root, home.root)
    report = vf.validate_filings(home, name, waivers=[])
    return {v.filing_id: (v.status, tuple(v.rules)) for v in report.verdicts}


def test_one_batch_decides_as_park_by_park(csv_ingested, tmp_path, monkeypatch):
    batched = _verdicts(csv_ingested, tmp_path, "batched")
    monkeypatch.setattr(vf, "BATCH_FILINGS", 1)  # every park a batch of its own
    one_by_one = _verdicts(csv_ingested, tmp_path, "one-by-one")
    assert batched == one_by_one
    statuses = [s for s, _ in batched.values()]
    assert statuses.count(vf.REJECTED) >= 1 and statuses.count(vf.ACCEPTED) >= 10
    later_rules = {r for _, rules in batched.values() for r in rules}
    assert {"B6", "B7"} & later_rules, later_rules
