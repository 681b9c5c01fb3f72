"""Planted defects: one per filing, each kind at least once when there are enough filings.

A defect goes into a filing with no correction, from March on, whose
previous period of the same year is filed cleanly — so B6 and B7 have an
accepted figure to compare with — and that is not itself the reference of
another defect. The truth is changed with the cell: a rejected filing's
truth says what was planted, not what a reader could store.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sources import template as t
from sources.normalise import CellError, period, period_label
from sources.registry import Registry, ResolveError

from .economy import (
    DOMESTIC_FUNDS,
    HITECH_REVENUE,
    INDUSTRIAL_TAX,
    NEW_ENTERPRISES,
    OUTPUT,
    REVENUE,
    SIGNED,
    TAX,
    TRADE,
)
from .plan import Pending, Slot, Submission, late_date
from .presentation import amount_cells, growth_cells, set_value, value
from .truth import build_filing

UNKNOWN_PARK = "湘潭未来科技城"  # not on the registry: B2


@dataclass(frozen=True)
class Fault:
    rule: str
    variant: str
    formats: tuple[str, ...] = ("xlsx", "csv")


FAULTS = (
    Fault("B1", "not_a_workbook", ("xlsx",)),
    Fault("B1", "missing_sheet", ("xlsx",)),
    Fault("B1", "missing_column", ("xlsx",)),
    Fault("B1", "csv_missing_column", ("csv",)),
    Fault("B2", "unknown_park"),
    Fault("B2", "bad_period"),
    Fault("B2", "future_period"),
    Fault("B2", "january_alone"),
    Fault("B3", "approx_number"),
    Fault("B3", "garbled_number"),
    Fault("B4", "negative_amount"),
    Fault("B4", "negative_count"),
    Fault("B5", "chain_total"),
    Fault("B5", "industrial_tax_over_total"),
    Fault("B5", "partner_total"),
    Fault("B5", "trade_sum"),
    Fault("B5", "prior_tax_total"),
    Fault("B6", "ytd_decrease"),
    Fault("B7", "unit_slip"),
    Fault("W1", "growth_moved"),
    Fault("W2", "growth_out_of_range"),
    Fault("W4", "signed_count_mismatch", ("xlsx",)),
    Fault("W5", "not_filed"),
)
FAULT_BY_VARIANT = {f.variant: f for f in FAULTS}


def _previous(p: dt.date) -> dt.date | None:
    return None if p.month <= 2 else p.replace(month=p.month - 1)


class Planner:
    def __init__(self, slots: list[Slot], rng: random.Random):
        self.slots, self.rng = slots, rng
        self.index = {(s.code, s.period): s for s in slots}

    def previous(self, slot: Slot) -> Slot | None:
        p = _previous(slot.period)
        return self.index.get((slot.code, p)) if p else None

    def eligible(self, slot: Slot, fault: Fault) -> bool:
        if slot.protected or slot.reference or not slot.clean:
            return False
        if slot.period.month < (4 if fault.variant == "ytd_decrease" else 3):
            return False
        prev = self.previous(slot)
        if prev is None or not prev.clean:
            return False
        if fault.variant == "signed_count_mismatch":
            book = slot.econ.projects
            return book is not None and book.signed_count(slot.period.year, slot.period.month) > 0
        return True

    def force_late(self, today: dt.date) -> None:
        """W3 must appear: make one ordinary filing late if chance made none."""
        if any(s.late for s in self.slots):
            return
        for slot in self.rng.sample(self.slots, len(self.slots)):
            if slot.clean and not slot.protected and not slot.reference:
                late = late_date(self.rng, slot.period, today)
                if late is not None:
                    slot.filed, slot.late = late, True
                    return

    def plan(self, share: float, fmt: str, units: int) -> None:
        kinds = [f for f in FAULTS if fmt in f.formats]
        rules = list(dict.fromkeys(f.rule for f in kinds))
        firsts = [next(f for f in kinds if f.rule == r) for r in rules]
        sequence = firsts + [f for f in kinds if f not in firsts]
        target = max(len(sequence), round(share * units))
        while len(sequence) < target:
            sequence.append(self.rng.choice(kinds))
        for fault in sequence:
            candidates = [s for s in self.slots if self.eligible(s, fault)]
            if fault.rule in ("W1", "W2"):
                # With last year's filing in the sample W1 fires however the
                # warehouse computes its growth (from it, or from 上年同期).
                based = [s for s in candidates if self._last_year(s)]
                candidates = based or candidates
            if not candidates:
                continue
            slot = self.rng.choice(candidates)
            slot.fault = (fault.rule, fault.variant)
            prev = self.previous(slot)
            assert prev is not None
            prev.reference = True
            last_year = self._last_year(slot)
            if fault.rule in ("W1", "W2") and last_year is not None:
                last_year.reference = True

    def _last_year(self, slot: Slot) -> Slot | None:
        """The same park and month last year, when it is in the sample and filed cleanly."""
        last = self.index.get((slot.code, slot.period.replace(year=slot.period.year - 1)))
        return last if last is not None and last.clean else None


def _garbage(rng: random.Random) -> bytes:
    head = "<html><body>系统导出失败 export failed (synthetic)</body></html>\n".encode()
    return head + rng.randbytes(1500)


def _garbled(v: float) -> str:
    s = str(int(round(abs(v)))).rjust(5, "1")
    return f"{s[:2]},{s[2]}a{s[3:]}"


def _delta(v: float) -> float:
    """Well over what rounding explains (B5: 1 万元 for figures filed in 万元)."""
    return round(max(50.0, abs(v) * 0.03), 1)


def _future_label(today: dt.date) -> str:
    first = today.replace(day=1)
    if first.month == 1:  # January alone is B2 for another reason
        first = first.replace(month=2)
    return period_label(first)


def plant(sub: Submission, rng: random.Random, today: dt.date, registry: Registry) -> None:
    """Put the slot's planted defect into its original submission; set expect and rules."""
    assert sub.slot.fault is not None
    rule, variant = sub.slot.fault
    f, slot = sub.filing, sub.slot
    y, m = slot.period.year, slot.period.month
    target: tuple = ("file",)
    note = ""

    def cell(key, new, text=None) -> tuple:
        set_value(sub, key, new)
        if text is not None:
            sub.cells[key] = text
        sub.used_cells.add(key)
        return ("cell", key)

    if variant == "not_a_workbook":
        sub.raw_bytes = _garbage(rng)
        note = "named .xlsx but not a workbook"
    elif variant == "missing_sheet":
        assert sub.wb is not None
        sub.wb.omit_sheets = frozenset({t.TAX_SHEET.key})
        target, note = ("sheet", t.TAX_SHEET.key), f"sheet {t.TAX_SHEET.name} left out"
    elif variant == "missing_column":
        assert sub.wb is not None
        col = t.INDICATOR_SHEET.columns[3]  # 上年同期
        sub.wb.omit_columns = {t.INDICATOR_SHEET.key: frozenset({col.field})}
        target = ("sheet_column", t.INDICATOR_SHEET.key, col.field)
        note = f"{t.INDICATOR_SHEET.name} has no column {col.header}"
    elif variant == "csv_missing_column":
        value_column = t.CSV_COLUMNS[7]  # 数值
        sub.own_file, sub.csv_omit = True, (value_column,)
        target, note = ("csv_header", value_column), f"the CSV has no column {value_column}"
    elif variant == "unknown_park":
        try:
            registry.resolve(None, UNKNOWN_PARK)
            raise AssertionError(f"{UNKNOWN_PARK} resolves")
        except ResolveError:
            pass
        sub.set_cover(t.COVER_PARK_CODE, None)
        sub.set_cover(t.COVER_PARK_NAME, UNKNOWN_PARK)
        f.park_name, f.park_code = UNKNOWN_PARK, None
        target = sub.cover_target(t.COVER_PARK_NAME)
        note = f"park name on no registry row; the filing of {slot.code} for this period is lost"
    elif variant in ("bad_period", "future_period", "january_alone"):
        label = {
            "bad_period": f"{y}年第{(m - 1) // 3 + 1}季度",
            "future_period": _future_label(today),
            "january_alone": f"{y}年1月",
        }[variant]
        try:
            period(label, today)
            raise AssertionError(f"period {label} parses")
        except CellError:
            pass
        sub.set_cover(t.COVER_PERIOD, label)
        target, note = sub.cover_target(t.COVER_PERIOD), f"报告期 {label} instead of {y}-{m:02d}"
    elif variant in ("approx_number", "garbled_number"):
        cells = [k for k in amount_cells(sub) if k[2].endswith("ytd") and "prior" not in k[2]]
        key = rng.choice(cells)
        v = value(sub, key)
        text = f"约{round(v)}" if variant == "approx_number" else _garbled(v)
        target, note = cell(key, None, text), f"{text} is not a number"
    elif variant == "negative_amount":
        key = ("indicators", rng.choice((REVENUE, HITECH_REVENUE, DOMESTIC_FUNDS)), "value_ytd")
        target, note = cell(key, -value(sub, key)), "negative amount"
    elif variant == "negative_count":
        key = ("indicators", NEW_ENTERPRISES, "value_ytd")
        target, note = cell(key, -value(sub, key)), "negative count"
    elif variant in ("chain_total", "partner_total", "trade_sum", "prior_tax_total"):
        key = {
            "chain_total": (t.CHAIN_SHEET.key, t.TOTAL_ROW, "output_ytd"),
            "partner_total": (t.TRADE_SHEET.key, t.TOTAL_ROW, "export_ytd"),
            "trade_sum": (t.INDICATOR_SHEET.key, TRADE, "value_ytd"),
            "prior_tax_total": (t.TAX_SHEET.key, t.TOTAL_ROW, "tax_prior_ytd"),
        }[variant]
        v = value(sub, key)
        d = _delta(v)
        target = cell(key, round(v + d, 1))
        sheet = t.SHEET_BY_KEY[key[0]]
        header = next(c.header for c in sheet.columns if c.field == key[2])
        note = f"{sheet.name} {key[1]} {header} raised by {d} 万元: its balance edit fails"
    elif variant == "industrial_tax_over_total":
        total = value(sub, ("indicators", TAX, "value_ytd"))
        new = round(total * rng.uniform(1.02, 1.1), 1)
        target = cell(("indicators", INDUSTRIAL_TAX, "value_ytd"), new)
        note = f"其中:工业税收 {new} > 税收总额 {total}"
    elif variant == "ytd_decrease":
        before = slot.econ.ytd[OUTPUT][(y, m - 1)]
        now = slot.econ.ytd[OUTPUT][(y, m)]
        factor = round(before * rng.uniform(0.96, 0.99)) / now
        sub.filing = f = build_filing(
            slot.econ, slot.period, f.filed_date, f.park_name, 0, {OUTPUT: factor}
        )
        target = ("cell", ("indicators", OUTPUT, "value_ytd"))
        note = (
            f"规模工业总产值 and its chains scaled below {before / 10} 万元 accepted for "
            f"{y}-{m - 1:02d}; balance edits still hold"
        )
    elif variant == "unit_slip":
        key = ("indicators", DOMESTIC_FUNDS, "value_ytd")
        target, note = cell(key, round(value(sub, key) * 10_000, 1)), "内资到位资金 typed in 元"
    elif variant in ("growth_moved", "growth_out_of_range"):
        key = rng.choice(growth_cells(sub, with_amounts=True))
        old = value(sub, key)
        if variant == "growth_moved":
            shift = rng.uniform(4, 9) * rng.choice((-1, 1))
            if not -45 < old + shift < 95:
                shift = -shift
            new = round(old + shift, 2)
        else:
            new = round(rng.uniform(120, 400) if rng.random() < 0.7 else -rng.uniform(60, 90), 2)
        target, note = cell(key, new), f"同比增长 {old} changed to {new}"
    elif variant == "signed_count_mismatch":
        rows = f.sheets[t.PROJECT_SHEET.key]
        signed = [r for r in rows if r["signed_date"].year == y]
        rows.remove(signed[-1])
        target = ("cell", ("indicators", SIGNED, "value_ytd"))
        note = f"{t.PROJECT_SHEET.name} lists {len(signed) - 1} projects signed this year"
    else:
        raise ValueError(variant)

    sub.expect = "reject" if t.RULES[rule].blocking else "warn"
    # A growth cell far out of range also differs from the computed growth.
    sub.rules = [rule, "W1"] if rule == "W2" else [rule]
    sub.pending.append(Pending("fault", rule, target, note, variant))
