"""The benchmark's workloads, in two sizes: `full` (the targets) and `quick` (CI).

Each workload is one generated corpus cut into runs: a history taken in by
one backfill, and (for the month workloads) one month run on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The 2018 national catalogue of development zones: the national workload's size.
CATALOGUE_PARKS = 2543
CATALOGUE_NATIONAL = 552


@dataclass(frozen=True)
class Corpus:
    """What the generator writes: parks × report months, in one format."""

    parks: Literal["all"] | int  # the registry's first N parks, or all of them
    first: str  # first report month, YYYY-MM
    last: str  # last report month, YYYY-MM
    fmt: Literal["xlsx", "csv"]
    national: bool = False  # the synthetic catalogue-sized registry instead of Hunan's


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    corpus: Corpus
    history: tuple[str, str]  # report months taken in by one backfill, first and last
    month: str | None = None  # the month run on top of the history; None: the backfill is it
    target_seconds: float | None = None  # of the measured run (the month, else the backfill)
    target_rss_gib: float | None = None


@dataclass(frozen=True)
class Plan:
    workloads: tuple[Workload, ...]
    # The growth check: the same month run on 1 year and on 10 years of history.
    growth_short: str  # workload key with the short history
    growth_long: str  # workload key with the long history
    growth_target: float = 1.5  # long ÷ short, at most


def _plan(province: Literal["all"] | int, national: int, month, years, nat) -> Plan:
    """month: (first, the month); years: (first year, last year, the month after); nat: span."""
    first_year, last_year, after = years
    decade = Corpus(province, f"{first_year}-01", after, "xlsx")
    return Plan(
        (
            Workload(
                "province_month",
                "Province month: one new period on top of the history, workbooks",
                Corpus(province, month[0], month[1], "xlsx"),
                (month[0], _before(month[1])),
                month=month[1],
                target_seconds=30,
            ),
            Workload(
                "province_decade",
                f"Province decade: {first_year}-{last_year} workbooks, one backfill",
                decade,
                (f"{first_year}-01", f"{last_year}-12"),
                target_seconds=300,
            ),
            Workload(
                "national",
                f"National: the synthetic {CATALOGUE_PARKS:,}-park catalogue, long CSVs, "
                "one backfill",
                Corpus(national, nat[0], nat[1], "csv", national=True),
                nat,
                target_seconds=180,
                target_rss_gib=4,
            ),
            Workload(
                "growth_short",
                f"Growth check: {after} on one year of history",
                decade,
                (f"{last_year}-01", f"{last_year}-12"),
                month=after,
            ),
            Workload(
                "growth_long",
                f"Growth check: {after} on {first_year}-{last_year}",
                decade,
                (f"{first_year}-01", f"{last_year}-12"),
                month=after,
            ),
        ),
        "growth_short",
        "growth_long",
    )


def _before(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - (m == 1)}-{(m - 2) % 12 + 1:02d}"


PLANS = {
    "full": _plan(
        "all",
        CATALOGUE_PARKS,
        ("2024-02", "2025-07"),
        (2015, 2024, "2025-02"),
        ("2023-01", "2024-12"),
    ),
    "quick": _plan(6, 120, ("2025-02", "2025-05"), (2023, 2024, "2025-02"), ("2024-01", "2024-04")),
}
