"""The dbt unit tests (the models' SQL on fixed inputs) pass on a built candidate.

The monthly build leaves them out (they check code, not the month's data),
so they run here, where code changes are checked.
"""

from __future__ import annotations

import shutil

from parkstat.home import Home
from parkstat.warehouse import build_candidate, unit_tests


def test_dbt_unit_tests_pass(xlsx_validated, tmp_path):
    ingested, _ = xlsx_validated
    home = Home(tmp_path / "home")
    shutil.copytree(ingested.home.root, home.root)
    build_candidate(home)
    result = unit_tests(home)
    ran = [n for n in result.nodes if n.resource_type == "unit_test"]
    assert len(ran) >= 7, [n.name for n in result.nodes]
    assert result.success, [(n.name, n.status, n.message) for n in result.nodes]
    assert all(n.status == "pass" for n in ran)
