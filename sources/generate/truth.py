"""A park's filing for a report month, built from its synthetic economy: the truth.

Totals come from the economy's series; their parts are split off the rounded
total so that chain rows sum to 规模工业总产值, tax types to 税收总额 and
partners to 出口 / 进口 exactly. 上年同期 restates last year's parts by one
factor per group and sums them, so the balance edits hold for it too.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sources import template as t
from sources.filing import Filing, Row

from .economy import (
    CONTRACT,
    DOMESTIC_FUNDS,
    ENTERPRISES,
    EXPORT,
    FAI,
    FDI,
    GROUP_OF,
    HITECH_REVENUE,
    IMPORT,
    INDUSTRIAL_INV,
    INDUSTRIAL_TAX,
    NEW_ENTERPRISES,
    OUTPUT,
    REVENUE,
    SERIES,
    SIGNED,
    STOCKS,
    TAX,
    TRADE,
    VALUE_ADDED,
    ParkEconomy,
)


def allocate(total: int, shares: list[float]) -> list[int]:
    """Split `total` by `shares` into integers that sum to it exactly (largest remainder)."""
    raw = [total * s for s in shares]
    parts = [math.floor(x) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[:rest]:
        parts[i] += 1
    return parts


@dataclass
class Snapshot:
    """A month's year-to-date amounts in tenths of their unit, and the enterprise counts."""

    ind: dict[str, int]  # sheet-2 amounts by indicator name
    chains: list[int]
    chain_firms: list[int]
    tax: list[int]
    exports: list[int]
    imports: list[int]


def snapshot(econ: ParkEconomy, y: int, m: int, revise: dict[str, float] | None = None) -> Snapshot:
    """This year's figures for (y, m); `revise` scales whole series (a filing later corrected)."""
    tot = {s: econ.ytd[s][(y, m)] for s in SERIES}
    for series, factor in (revise or {}).items():
        tot[series] = round(tot[series] * factor)
    export = round(tot[TRADE] * econ.ratios[EXPORT][y])
    ind = dict(tot)
    ind[INDUSTRIAL_TAX] = round(tot[TAX] * econ.ratios[INDUSTRIAL_TAX][y])
    ind[INDUSTRIAL_INV] = round(tot[FAI] * econ.ratios[INDUSTRIAL_INV][y])
    ind[EXPORT], ind[IMPORT] = export, tot[TRADE] - export
    return Snapshot(
        ind=ind,
        chains=allocate(tot[OUTPUT], econ.chain_shares[y]),
        chain_firms=allocate(econ.stocks[ENTERPRISES][(y, m)], econ.chain_firm_shares[y]),
        tax=allocate(tot[TAX], econ.tax_shares[y]),
        exports=allocate(ind[EXPORT], econ.export_shares[y]),
        imports=allocate(ind[IMPORT], econ.import_shares[y]),
    )


def prior_snapshot(econ: ParkEconomy, y: int, m: int) -> Snapshot:
    """上年同期: last year's YTD restated (one factor per group), totals summed from parts."""
    last = snapshot(econ, y - 1, m)

    def restated(values: list[int], group: str) -> list[int]:
        return [round(v * econ.restate[(y, group)]) for v in values]

    chains = restated(last.chains, OUTPUT)
    tax = restated(last.tax, TAX)
    exports, imports = restated(last.exports, TRADE), restated(last.imports, TRADE)
    ind = {
        s: round(last.ind[s] * econ.restate[(y, GROUP_OF[s])])
        for s in (REVENUE, HITECH_REVENUE, FAI, INDUSTRIAL_INV, INDUSTRIAL_TAX, FDI, DOMESTIC_FUNDS)
    }
    ind[OUTPUT], ind[TAX] = sum(chains), sum(tax)
    ind[EXPORT], ind[IMPORT] = sum(exports), sum(imports)
    ind[TRADE] = ind[EXPORT] + ind[IMPORT]
    return Snapshot(ind, chains, last.chain_firms, tax, exports, imports)


def growth(this: float | None, prior: float | None) -> float | None:
    """同比增长(%) as parks report it: two decimals; none without a positive base."""
    if this is None or not prior or prior <= 0:
        return None
    return round((this / prior - 1) * 100, 2)


def _row(name: str, unit: str, this: float | None, prior: float | None) -> Row:
    return {
        "indicator": name,
        "unit": unit,
        "value_ytd": this,
        "value_prior_ytd": prior,
        "yoy_reported_pct": growth(this, prior),
    }


def value_added_growth(econ: ParkEconomy, y: int, m: int) -> float:
    """Real growth of value added: nominal output growth less a deflator, with noise."""
    nominal = econ.ytd[OUTPUT][(y, m)] / econ.ytd[OUTPUT][(y - 1, m)] - 1
    return round(nominal * 100 - econ.deflator[y] + econ.va_noise[(y, m)], 1)


def indicator_rows(econ: ParkEconomy, cur: Snapshot, pri: Snapshot, y: int, m: int) -> list[Row]:
    book = econ.projects
    assert book is not None
    rows = []
    for ind in t.INDICATORS:
        name = ind.name
        if name == VALUE_ADDED:
            row = _row(name, ind.unit, None, None)
            row["yoy_reported_pct"] = value_added_growth(econ, y, m)
        elif name in cur.ind:
            row = _row(name, ind.unit, cur.ind[name] / 10, pri.ind[name] / 10)
        elif name == SIGNED:
            row = _row(
                name, ind.unit, float(book.signed_count(y, m)), float(book.signed_count(y - 1, m))
            )
        elif name == CONTRACT:
            this, prior = book.contract_sum(y, m), book.contract_sum(y - 1, m)
            row = _row(name, ind.unit, this / 10, prior / 10)
        elif name in STOCKS:
            stock = econ.stocks[name]
            row = _row(name, ind.unit, float(stock[(y, m)]), float(stock[(y - 1, m)]))
        elif name == NEW_ENTERPRISES:
            this, prior = econ.new_firms[(y, m)], econ.new_firms[(y - 1, m)]
            row = _row(name, ind.unit, float(this), float(prior))
        else:  # a template indicator the model does not know
            raise KeyError(f"no synthetic series for indicator '{name}'")
        rows.append(row)
    return rows


def breakdown_rows(econ: ParkEconomy, cur: Snapshot, pri: Snapshot) -> dict[str, list[Row]]:
    chains: list[Row] = []
    for i, chain in enumerate(econ.chains):
        this, prior = cur.chains[i] / 10, pri.chains[i] / 10
        chains.append(
            {
                "chain": chain,
                "output_ytd": this,
                "output_prior_ytd": prior,
                "yoy_reported_pct": growth(this, prior),
                "enterprises": float(cur.chain_firms[i]),
            }
        )
    this, prior = sum(cur.chains) / 10, sum(pri.chains) / 10
    chains.append(
        {
            "chain": t.TOTAL_ROW,
            "output_ytd": this,
            "output_prior_ytd": prior,
            "yoy_reported_pct": growth(this, prior),
            "enterprises": float(sum(cur.chain_firms)),
        }
    )
    tax: list[Row] = []
    for name, this_t, prior_t in (
        *zip(t.TAX_TYPES, cur.tax, pri.tax, strict=True),
        (t.TOTAL_ROW, sum(cur.tax), sum(pri.tax)),
    ):
        tax.append(
            {
                "tax_type": name,
                "tax_ytd": this_t / 10,
                "tax_prior_ytd": prior_t / 10,
                "yoy_reported_pct": growth(this_t, prior_t),
            }
        )
    trade: list[Row] = []
    for name, ex, im, pex, pim in (
        *zip(econ.partners, cur.exports, cur.imports, pri.exports, pri.imports, strict=True),
        (t.TOTAL_ROW, sum(cur.exports), sum(cur.imports), sum(pri.exports), sum(pri.imports)),
    ):
        trade.append(
            {
                "partner": name,
                "export_ytd": ex / 10,
                "import_ytd": im / 10,
                "export_prior_ytd": pex / 10,
                "import_prior_ytd": pim / 10,
            }
        )
    return {"chains": chains, "tax": tax, "trade": trade}


def build_filing(
    econ: ParkEconomy,
    period: dt.date,
    filed: dt.date,
    park_name: str,
    revision: int = 0,
    revise: dict[str, float] | None = None,
) -> Filing:
    """The filing of `econ`'s park for `period` in stored form (amounts in 万元, None = missing)."""
    y, m = period.year, period.month
    cur = snapshot(econ, y, m, revise)
    pri = prior_snapshot(econ, y, m)
    assert econ.projects is not None
    sheets = {
        "indicators": indicator_rows(econ, cur, pri, y, m),
        **breakdown_rows(econ, cur, pri),
        "projects": econ.projects.rows(y, m),
    }
    return Filing(
        park_name=park_name,
        period=period,
        filed_date=filed,
        park_code=econ.park.code,
        revision=revision,
        sheets=sheets,
    )
