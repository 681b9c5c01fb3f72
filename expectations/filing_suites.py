"""The filing suites: the template's rules B5-B7 and W1-W4 as Great Expectations.

One suite per check frame (expectations/check_frames.py), named after what
it protects. Blocking and warning rules live in separate suites: a failed
blocking suite rejects the filing, a failed warning suite is reported. Every
threshold is read from sources/template.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import great_expectations.expectations as gxe
import pandas as pd

from expectations import check_frames
from sources import template as t


@dataclass(frozen=True)
class Check:
    rule: str
    expectation: gxe.Expectation
    # How a failing row reads to a steward, from the row's values.
    says: Callable[[dict], str]


@dataclass(frozen=True)
class Suite:
    name: str
    blocking: bool
    frame: Callable[..., pd.DataFrame]
    checks: tuple[Check, ...]
    # Validate only the rows where this boolean column of the frame is true:
    # B6 and B7 share one history frame, each keeping the rows it is about.
    rows: str | None = None

    def select(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.rows is None:
            return frame
        flags = ["is_cumulative", "is_amount"]
        return frame[frame[self.rows]].drop(columns=flags).reset_index(drop=True)


def _n(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


FILING_SUITES: tuple[Suite, ...] = (
    Suite(
        "filing_balance",
        True,
        check_frames.balance,
        (
            Check(
                "B5",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="allowed",
                    column_B="gap",
                    or_equal=True,
                    meta={"rule": "B5"},
                    description="Balance edits hold within what rounding explains (half the "
                    "last digit of each figure as filed, at least "
                    f"{t.BALANCE_TOLERANCE_WAN:g} 万元)",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['parent'])} against {_n(r['other'])}, "
                    f"off by {_n(r['gap'])} 万元 — rounding explains {_n(r['allowed'])}"
                ),
            ),
        ),
    ),
    Suite(
        "filing_ytd_history",
        True,
        check_frames.history,
        (
            Check(
                "B6",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="value",
                    column_B="ref_value",
                    or_equal=True,
                    meta={"rule": "B6"},
                    description="A YTD figure is not below the accepted earlier period",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['value'])} below {_n(r['ref_value'])} "
                    f"accepted for {r['ref_period']:%Y-%m}"
                ),
            ),
        ),
        rows="is_cumulative",
    ),
    Suite(
        "filing_unit_slip",
        True,
        check_frames.history,
        (
            Check(
                "B7",
                gxe.ExpectColumnValuesToBeBetween(
                    column="ratio",
                    max_value=t.UNIT_SLIP_FACTOR,
                    meta={"rule": "B7"},
                    description=f"An amount is at most {t.UNIT_SLIP_FACTOR:g}x the last accepted",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['value'])} is {r['ratio']:,.0f}x the "
                    f"{_n(r['ref_value'])} accepted for {r['ref_period']:%Y-%m} "
                    "(元 typed as 万元?)"
                ),
            ),
        ),
        rows="is_amount",
    ),
    Suite(
        "filing_growth",
        False,
        check_frames.growth,
        (
            Check(
                "W1",
                gxe.ExpectColumnValuesToBeBetween(
                    column="gap",
                    max_value=t.GROWTH_GAP_PP,
                    meta={"rule": "W1"},
                    description=f"Reported growth within {t.GROWTH_GAP_PP:g} points of computed",
                ),
                lambda r: (
                    f"{r['item']}: reported {_n(r['reported'])} %, computed "
                    f"{_n(r['computed'])} % against {r['computed_against']}"
                ),
            ),
            Check(
                "W2",
                gxe.ExpectColumnValuesToBeBetween(
                    column="reported",
                    min_value=t.GROWTH_RANGE_PCT[0],
                    max_value=t.GROWTH_RANGE_PCT[1],
                    meta={"rule": "W2"},
                    description="Growth within the plausible range (template.GROWTH_RANGE_PCT)",
                ),
                lambda r: f"{r['item']}: growth {_n(r['reported'])} %",
            ),
        ),
    ),
    Suite(
        "filing_timeliness",
        False,
        check_frames.timeliness,
        (
            Check(
                "W3",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="due_date",
                    column_B="filed_date",
                    or_equal=True,
                    meta={"rule": "W3"},
                    description="Filed by the due date",
                ),
                lambda r: f"filed {r['filed_date']:%Y-%m-%d}, due {r['due_date']:%Y-%m-%d}",
            ),
        ),
    ),
    Suite(
        "filing_projects",
        False,
        check_frames.projects,
        (
            Check(
                "W4",
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A="reported",
                    column_B="counted",
                    meta={"rule": "W4"},
                    description=f"{t.IND_SIGNED} equals the projects signed this year on sheet 6",
                ),
                lambda r: (
                    f"{t.IND_SIGNED} {_n(r['reported'])}, but {t.PROJECT_SHEET.name} lists "
                    f"{_n(r['counted'])} signed this year"
                ),
            ),
        ),
    ),
)
