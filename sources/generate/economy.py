"""Synthetic park economies: annual levels, seasonality and the year-to-date series they give.

Each park gets, for every year from the year before the first report year,
an annual level per headline amount (growing by −10 % … +25 % a year) and
twelve monthly weights (low in January/February, high in December). The YTD
for month N is level × cumulative weight, so it never falls within a year.
Breakdowns (chains, tax types, partners) are shares of their total fixed for
the year, so they grow with it. Amounts are held in integer tenths of their
unit (0.1 万元), which is how they are rounded when filed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sources import template as t
from sources.registry import Park

from .projects import ProjectBook, draw_projects


def _ind(name: str) -> str:
    """An indicator the model gives an economic meaning to, checked against the template.

    template.py names only some indicators (IND_OUTPUT …); the others are
    looked up here by their template name so a rename there fails loudly.
    """
    if name not in t.INDICATOR_BY_NAME:
        raise ImportError(f"indicator '{name}' is not in template.INDICATORS")
    return name


REVENUE = _ind("技工贸总收入")
OUTPUT = t.IND_OUTPUT
VALUE_ADDED = _ind("规模工业增加值")
HITECH_REVENUE = _ind("高新技术产业营业收入")
TAX = t.IND_TAX
INDUSTRIAL_TAX = _ind("其中:工业税收")
FAI = _ind("固定资产投资")
INDUSTRIAL_INV = _ind("其中:产业投资")
TRADE = t.IND_TRADE
EXPORT = t.IND_EXPORT
IMPORT = t.IND_IMPORT
FDI = t.IND_FDI
DOMESTIC_FUNDS = _ind("内资到位资金")
SIGNED = t.IND_SIGNED
CONTRACT = t.IND_CONTRACT
ENTERPRISES = _ind("规模以上工业企业数")
NEW_ENTERPRISES = _ind("新增规模以上工业企业数")
HITECH_ENTERPRISES = _ind("高新技术企业数")
EMPLOYEES = _ind("从业人员")

# Amounts with a series of their own; the others derive from these.
SERIES = (REVENUE, OUTPUT, HITECH_REVENUE, TAX, FAI, TRADE, FDI, DOMESTIC_FUNDS)
STOCKS = (ENTERPRISES, HITECH_ENTERPRISES, EMPLOYEES)
# Restatement groups: one factor per park and year for a total and its parts,
# so that sub-items stay below their parent in 上年同期 too.
GROUP_OF = {
    REVENUE: REVENUE,
    OUTPUT: OUTPUT,
    HITECH_REVENUE: HITECH_REVENUE,
    TAX: TAX,
    INDUSTRIAL_TAX: TAX,
    FAI: FAI,
    INDUSTRIAL_INV: FAI,
    TRADE: TRADE,
    EXPORT: TRADE,
    IMPORT: TRADE,
    FDI: FDI,
    DOMESTIC_FUNDS: DOMESTIC_FUNDS,
}

GROWTH_RANGE = (-0.10, 0.25)  # annual level growth
# 上年同期 is restated to this year's scope of above-scale enterprises: the
# above-scale output (and its chains) of some park-years is last year's figure
# × (1 ± a share in this range); every other base is last year's figure as
# filed. Kept small enough that growth against last year's filing stays within
# W1's 2 points of the reported one; the restatement itself is W7 (honest).
RESTATED_GROUPS = (OUTPUT,)
RESTATED_SHARE = 0.35
RESTATEMENT = (0.002, 0.008)
# Monthly weights: Spring Festival lows, year-end highs; investment is more back-loaded.
# fmt: off
PRODUCTION_SEASON = (.066, .058, .085, .082, .084, .09, .082, .082, .088, .086, .09, .107)
INVESTMENT_SEASON = (.045, .045, .08, .08, .085, .1, .078, .082, .098, .085, .095, .127)
# fmt: on
SEASON_OF = {FAI: INVESTMENT_SEASON, FDI: INVESTMENT_SEASON, DOMESTIC_FUNDS: INVESTMENT_SEASON}

# Reference park for the calibration (domain notes: 2025 1–7月 规模工业总产值
# 218.8亿元, +5.25 %, 上年同期 2078859.9 万元; 进出口 6.73亿元; 外资 2000万美元).
TIANYI = "HN430305"
TIANYI_OUTPUT_2025_07 = 21_880_000  # tenths of 万元 = 2188000.0 万元
TIANYI_OUTPUT_2024_07 = 20_788_599  # restated base filed in 2025 (factor 1.0)


@dataclass
class ParkEconomy:
    park: Park
    years: list[int]
    chains: tuple[str, ...]  # leading chains, then 其他
    partners: tuple[str, ...]
    ytd: dict[str, dict[tuple[int, int], int]]  # series -> (year, month) -> tenths
    chain_shares: dict[int, list[float]]
    chain_firm_shares: dict[int, list[float]]
    tax_shares: dict[int, list[float]]
    export_shares: dict[int, list[float]]
    import_shares: dict[int, list[float]]
    ratios: dict[str, dict[int, float]]  # INDUSTRIAL_TAX / INDUSTRIAL_INV / EXPORT -> year -> share
    restate: dict[tuple[int, str], float]  # (year, group) -> factor on last year's YTD
    stocks: dict[str, dict[tuple[int, int], int]]  # month-end levels
    new_firms: dict[tuple[int, int], int]  # 新增规模以上工业企业数, YTD
    deflator: dict[int, float]  # pp between nominal output growth and real VA growth
    va_noise: dict[tuple[int, int], float] = field(default_factory=dict)
    projects: ProjectBook | None = None


def _jitter(rng: random.Random, weights: tuple[float, ...] | list[float], spread: float):
    w = [x * rng.uniform(1 - spread, 1 + spread) for x in weights]
    total = sum(w)
    return [x / total for x in w]


def _cumulative(weights: list[float]) -> list[float]:
    out, run = [], 0.0
    for w in weights:
        run += w
        out.append(run)
    out[-1] = 1.0
    return out


def _shares(rng: random.Random, n: int, floor: float) -> list[float]:
    raw = [rng.uniform(0.4, 1.6) for _ in range(n)]
    total = sum(raw)
    return [floor + (1 - floor * n) * x / total for x in raw]


def _scale(park: Park, rng: random.Random) -> float:
    """Annual above-scale output (万元) by the kind of park."""
    if park.park_type == "综合保税区":
        return rng.uniform(4e5, 2.5e6)
    if park.park_type == "工业集中区":
        return rng.uniform(7e5, 2.5e6)
    if park.level == "国家级":
        return rng.uniform(5e6, 1.8e7)
    return rng.uniform(1.5e6, 5.5e6)


# A park whose foreign investment arrives after February (lumpy_fdi): its January
# and February FDI are these shares of the year's, a few 万美元 — genuinely small.
LUMPY_EARLY_SHARES = {1: 0.0002, 2: 0.0005}


def build_economy(park: Park, years: list[int], seed: int, lumpy_fdi: bool = False) -> ParkEconomy:
    """One park's synthetic economy for `years`, deterministic for (seed, park code)."""
    rng = random.Random(f"{seed}:economy:{park.code}")
    first = years[0]
    chains = (*park.leading_chains, t.OTHER_ROW)
    partners = _partners()
    bonded = park.park_type == "综合保税区"
    output0 = _scale(park, rng)
    if park.code == TIANYI:
        output0 = 3.4e6  # so that its other figures are in proportion to the calibrated output
    ratio = {
        REVENUE: rng.uniform(1.15, 1.5),
        OUTPUT: 1.0,
        HITECH_REVENUE: rng.uniform(0.25, 0.6),
        TAX: rng.uniform(0.02, 0.05),
        FAI: rng.uniform(0.08, 0.25),
        TRADE: rng.uniform(0.6, 1.5) if bonded else rng.uniform(0.02, 0.2),
        FDI: rng.uniform(0.0006, 0.002),  # 万美元 per 万元 of output
        DOMESTIC_FUNDS: rng.uniform(0.05, 0.18),
    }
    if park.code == TIANYI:
        # About 6.73亿元 of trade and 2000万美元 of FDI by July 2025.
        ratio[TRADE], ratio[FDI] = 0.031, 0.00092
    base_season = {s: _jitter(rng, s, 0.1) for s in (PRODUCTION_SEASON, INVESTMENT_SEASON)}

    # Output growth per year; the other series follow it loosely.
    out_growth = {y: rng.uniform(-0.06, 0.2) for y in years}
    ytd: dict[str, dict[tuple[int, int], int]] = {}
    for series in SERIES:
        season = base_season[SEASON_OF.get(series, PRODUCTION_SEASON)]
        level = output0 * ratio[series]
        levels: dict[int, float] = {}
        for y in years:
            if y > first:
                g = out_growth[y] + rng.uniform(-0.05, 0.05)
                level *= 1 + min(max(g, GROWTH_RANGE[0]), GROWTH_RANGE[1])
            levels[y] = level
        cum = {y: _cumulative(_jitter(rng, season, 0.04)) for y in years}
        if park.code == TIANYI and series == OUTPUT and 2025 in years:
            levels[2025] = TIANYI_OUTPUT_2025_07 / 10 / cum[2025][6]
            levels[2024] = TIANYI_OUTPUT_2024_07 / 10 / cum[2024][6]
            for y in sorted((y for y in years if y < 2024), reverse=True):
                levels[y] = levels[y + 1] / (1 + out_growth[y + 1])
            for y in (y for y in years if y > 2025):
                levels[y] = levels[y - 1] * (1 + out_growth[y])
        ytd[series] = {
            (y, m): round(levels[y] * 10 * cum[y][m - 1]) for y in years for m in range(1, 13)
        }
    if park.code == TIANYI and 2025 in years:
        ytd[OUTPUT][(2025, 7)] = TIANYI_OUTPUT_2025_07
        ytd[OUTPUT][(2024, 7)] = TIANYI_OUTPUT_2024_07
    if lumpy_fdi:
        for y in years:
            for m, share in LUMPY_EARLY_SHARES.items():
                ytd[FDI][(y, m)] = max(1, round(ytd[FDI][(y, 12)] * share))

    def yearly(fn):
        return {y: fn() for y in years}

    other_share = rng.uniform(0.03, 0.05) if park.code == TIANYI else rng.uniform(0.04, 0.15)
    lead = _shares(rng, len(chains) - 1, 0.08)
    chain_base = [s * (1 - other_share) for s in lead] + [other_share]
    chain_shares = yearly(lambda: _jitter(rng, chain_base, 0.06))
    firm_base = _jitter(rng, chain_base, 0.2)
    chain_firm_shares = yearly(lambda: _jitter(rng, firm_base, 0.03))
    tax_base = [rng.uniform(0.38, 0.5), rng.uniform(0.18, 0.28), rng.uniform(0.04, 0.07)]
    tax_base.append(1 - sum(tax_base))
    tax_shares = yearly(lambda: _jitter(rng, tax_base, 0.06))
    export_base = _shares(rng, len(partners), 0.03)
    import_base = _shares(rng, len(partners), 0.03)
    export_shares = yearly(lambda: _jitter(rng, export_base, 0.08))
    import_shares = yearly(lambda: _jitter(rng, import_base, 0.08))
    ind_tax = rng.uniform(0.55, 0.8)
    ind_inv = rng.uniform(0.5, 0.8)
    export = rng.uniform(0.5, 0.75)
    ratios = {
        INDUSTRIAL_TAX: yearly(lambda: ind_tax * rng.uniform(0.97, 1.03)),
        INDUSTRIAL_INV: yearly(lambda: ind_inv * rng.uniform(0.97, 1.03)),
        EXPORT: yearly(lambda: export * rng.uniform(0.96, 1.04)),
    }
    restate = {}
    for y in years:
        for g in dict.fromkeys(GROUP_OF.values()):  # in a fixed order: each draws its numbers
            restated, size, sign = (
                rng.random() < RESTATED_SHARE,
                rng.uniform(*RESTATEMENT),
                rng.choice((-1, 1)),
            )
            restate[(y, g)] = 1 + sign * size if restated and g in RESTATED_GROUPS else 1.0
    if park.code == TIANYI and 2025 in years:
        restate[(2025, OUTPUT)] = 1.0

    # Stocks: month-end levels drifting with a yearly trend (they may fall).
    firms0 = output0 / rng.uniform(25_000, 45_000)
    if park.code == TIANYI:
        firms0 = 142
    trend = rng.uniform(-0.02, 0.08)
    hitech_share = rng.uniform(0.3, 0.5)
    per_firm = rng.uniform(150, 300)
    stocks: dict[str, dict[tuple[int, int], int]] = {s: {} for s in STOCKS}
    for y in years:
        for m in range(1, 13):
            age = (y - first) + m / 12
            firms = firms0 * (1 + trend) ** age
            stocks[ENTERPRISES][(y, m)] = max(8, round(firms + rng.uniform(-1.5, 1.5)))
            stocks[HITECH_ENTERPRISES][(y, m)] = max(
                3, round(firms * hitech_share * (1 + 0.02 * age) + rng.uniform(-1, 1))
            )
            stocks[EMPLOYEES][(y, m)] = round(firms * per_firm * rng.uniform(0.98, 1.02))

    new_firms = _new_firm_series(rng, years, firms0)
    deflator = {y: rng.uniform(0.5, 3.0) for y in years}
    va_noise = {(y, m): rng.uniform(-1.2, 1.2) for y in years for m in range(1, 13)}
    economy = ParkEconomy(
        park=park,
        years=years,
        chains=chains,
        partners=partners,
        ytd=ytd,
        chain_shares=chain_shares,
        chain_firm_shares=chain_firm_shares,
        tax_shares=tax_shares,
        export_shares=export_shares,
        import_shares=import_shares,
        ratios=ratios,
        restate=restate,
        stocks=stocks,
        new_firms=new_firms,
        deflator=deflator,
        va_noise=va_noise,
    )
    economy.projects = draw_projects(park, years, seed)
    return economy


def _partners() -> tuple[str, ...]:
    return t.DEFAULT_TRADE_PARTNERS


def ratio_ok(later: float, earlier: float, low: float = 0.55, high: float = 1.9) -> bool:
    """Year-on-year ratio safely inside the W2 range (−50 % … +100 %)."""
    return earlier > 0 and later > 0 and low <= later / earlier <= high


def _new_firm_series(
    rng: random.Random, years: list[int], firms0: float
) -> dict[tuple[int, int], int]:
    """Newly above-scale firms, YTD: at least one by February, growth kept inside W2's range."""
    season = _cumulative(_jitter(rng, PRODUCTION_SEASON, 0.05))  # same shape every year
    out: dict[tuple[int, int], int] = {}
    previous: list[int] | None = None
    for y in years:
        series = None
        for _ in range(50):
            n = max(8, round(firms0 * rng.uniform(0.06, 0.12)))
            if previous is not None:
                n = max(8, round(previous[-1] * rng.uniform(0.9, 1.2)))
            cand = [max(1, round(n * c)) for c in season]
            if previous is None or all(
                ratio_ok(a, b) for a, b in zip(cand[1:], previous[1:], strict=True)
            ):
                series = cand
                break
        if series is None:  # same as last year: growth 0 %
            series = list(previous)  # type: ignore[arg-type]
        for m in range(1, 13):
            out[(y, m)] = series[m - 1]
        previous = series
    return out
