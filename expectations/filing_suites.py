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
from sources import lateness
from sources import template as t


@dataclass(frozen=True)
class Check:
    rule: str
    expectation: gxe.Expectation
    # How a failing row reads to a steward, from the row's values.
    says: Callable[[dict], str]

    @property
    def name(self) -> str:
        """Told apart within a suite (a rule may have two checks): the expectation's meta."""
        return self.expectation.meta.get("check", self.rule)


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


def _slip_references(r: dict) -> str:
    """What a B7 value was measured against: the references that made it a slip."""
    said = []
    if r["ref_value"] == r["ref_value"] and r["ref_value"]:  # not NaN, positive
        said.append(
            f"{r['value'] / r['ref_value']:,.0f}x the {_n(r['ref_value'])} accepted for "
            f"{r['ref_period']:%Y-%m}"
        )
    if r["year_ago"] == r["year_ago"] and r["year_ago"]:
        said.append(
            f"{r['value'] / r['year_ago']:,.0f}x its level a year ago ({_n(r['year_ago'])})"
        )
    elif r["scale"] == r["scale"] and r["scale"]:
        said.append(f"above the park's largest figure last accepted ({_n(r['scale'])})")
    return " and ".join(said)


def _growth_said(r: dict) -> str:
    if r["derived"]:
        return f"growth not reported, derived {_n(r['growth'])} % from its own 上年同期"
    return f"reported {_n(r['growth'])} %"


def _cover_said(r: dict) -> str:
    filed = r["filed_date"]
    return "" if filed != filed or filed is None else f" (its cover says {filed:%Y-%m-%d})"


def _pct_apart(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.2f} %" if b else "against 0"


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
                    ignore_row_if="either_value_is_missing",
                    meta={"rule": "B6", "check": "B6 earlier"},
                    description="A YTD figure is not below the accepted earlier period",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['value'])} below {_n(r['ref_value'])} "
                    f"accepted for {r['ref_period']:%Y-%m}"
                ),
            ),
            Check(
                "B6",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="later_min",
                    column_B="value",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta={"rule": "B6", "check": "B6 later"},
                    description="A YTD figure is not above an accepted later period",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['value'])} above what is accepted for the later "
                    f"period(s) {r['later_broken']} — their monthly values would fall below "
                    "zero; send them corrected together with this one"
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
                    meta={"rule": "B7", "check": "B7 value"},
                    description=f"An amount is at most {t.UNIT_SLIP_FACTOR:g}x its references",
                ),
                lambda r: (
                    f"{r['item']}: {_n(r['value'])} is {_slip_references(r)} (元 typed as 万元?)"
                ),
            ),
            Check(
                "B7",
                gxe.ExpectColumnValuesToBeBetween(
                    column="prior_ratio",
                    max_value=t.UNIT_SLIP_FACTOR,
                    meta={"rule": "B7", "check": "B7 prior"},
                    description=f"上年同期 is at most {t.UNIT_SLIP_FACTOR:g}x last year's accepted",
                ),
                lambda r: (
                    f"{r['item']} 上年同期: {_n(r['prior'])} is {r['prior_ratio']:,.0f}x the "
                    f"{_n(r['last_value'])} accepted for {r['last_period']:%Y-%m} "
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
                    description=f"Growth within {t.GROWTH_GAP_PP:g} points (beyond rounding) "
                    "of growth against last year's accepted filing",
                ),
                lambda r: (
                    f"{r['item']}: {_growth_said(r)}, computed {_n(r['computed'])} % against "
                    "last year's accepted filing"
                ),
            ),
            Check(
                "W2",
                gxe.ExpectColumnValuesToBeBetween(
                    column="growth",
                    min_value=t.GROWTH_RANGE_PCT[0],
                    max_value=t.GROWTH_RANGE_PCT[1],
                    meta={"rule": "W2"},
                    description="Growth within the plausible range (template.GROWTH_RANGE_PCT)",
                ),
                lambda r: f"{r['item']}: {_growth_said(r)}",
            ),
            Check(
                "W6",
                gxe.ExpectColumnValuesToBeBetween(
                    column="own_base_excess",
                    max_value=0,
                    meta={"rule": "W6"},
                    description="Reported growth agrees with its own 本年累计 and 上年同期 "
                    "within their rounding",
                ),
                lambda r: (
                    f"{r['item']}: reported {_n(r['reported'])} %, but its own 本年累计 "
                    f"{_n(r['ytd'])} and 上年同期 {_n(r['prior'])} give {_n(r['own_base'])} %"
                ),
            ),
            Check(
                "W9",
                gxe.ExpectColumnValuesToBeNull(
                    column="amount_filed",
                    meta={"rule": "W9"},
                    description="A growth-only row has no figures in its amount cells",
                ),
                lambda r: (
                    f"{r['item']} is reported as growth only: {_n(r['amount_filed'])} in its "
                    "amount cells is not stored as an amount; its growth is kept"
                ),
            ),
        ),
    ),
    Suite(
        "filing_prior_base",
        False,
        check_frames.prior_base,
        (
            Check(
                "W7",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="allowed",
                    column_B="gap",
                    or_equal=True,
                    meta={"rule": "W7"},
                    description="上年同期 equals last year's accepted figure within rounding",
                ),
                lambda r: (
                    f"{r['item']}: 上年同期 {_n(r['prior'])} {r['unit']}, but "
                    f"{_n(r['last_ytd'])} was filed and accepted for {r['last_period']:%Y-%m} "
                    f"({_pct_apart(r['prior'], r['last_ytd'])}; restated scope?)"
                ),
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
                gxe.ExpectColumnValuesToBeInSet(
                    column="is_late",
                    value_set=[False],
                    meta={"rule": "W3"},
                    description="The park's first filing for the period arrived by the due date",
                ),
                lambda r: (
                    f"filed {r['filed_date']:%Y-%m-%d} by its cover (a backfill: arrival "
                    f"says nothing), due {r['due_date']:%Y-%m-%d}"
                    if r["late_basis"] == lateness.BY_COVER_DATE
                    else f"arrived {r['arrived_on']:%Y-%m-%d}, due {r['due_date']:%Y-%m-%d}"
                    + _cover_said(r)
                ),
            ),
            Check(
                "W8",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="arrived_on",
                    column_B="filed_date",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta={"rule": "W8"},
                    description="The cover's 填报日期 is not after the file's arrival",
                ),
                lambda r: (
                    f"the cover says filed {r['filed_date']:%Y-%m-%d}, but the file arrived "
                    f"{r['arrived_on']:%Y-%m-%d}"
                ),
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
