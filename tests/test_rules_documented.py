"""The README's rules tables say what sources/template.py holds: every rule, its thresholds."""

from __future__ import annotations

import re

from parkstat.dbt_process import DBT_PROJECT
from sources import template as t

README = (DBT_PROJECT.parent / "README.md").read_text(encoding="utf-8")


def _row(code: str) -> str:
    [row] = re.findall(rf"^\| {code} \|.*$", README, re.M)
    return row


def test_every_rule_has_a_row_in_the_readme():
    rows = {code for code in re.findall(r"^\| ([BWE]\d) \|", README, re.M)}
    assert rows == set(t.RULES)


def test_the_readme_states_the_templates_thresholds():
    assert f"{t.UNIT_SLIP_FACTOR:g} ×" in _row("B7")
    assert f"更正次数 above {t.MAX_REVISION}" in _row("B3")
    assert f"{t.BALANCE_TOLERANCE_WAN:g} 万元" in _row("B5")
    assert f"{t.GROWTH_GAP_PP:g} points" in _row("W1")
    low, high = t.GROWTH_RANGE_PCT
    assert f"−{-low:g} % … +{high:g} %" in _row("W2")
    assert re.search(rf"the {t.DUE_DAY}th of the\s+following\s+month", README)
