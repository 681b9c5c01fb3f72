"""Planted defects: one per filing, each kind at least once when there are enough filings.

A defect goes into a filing with no correction whose references are filed
cleanly and kept so (marked `reference`, never planted themselves): the
previous period of the same year for B6 and B7, the same period last year
for the rules that look a year back, the next month for a correction that
breaks it. Most defects go in from March on; the year's first filing has
ones of its own (a unit slip with no earlier period). The truth is changed
with the cell: a rejected filing's truth says what was planted, not what a
reader could store.

Beside the defects, clean counterparts a rule must let through are planted
too (Planner.counterparts): two months corrected together, where the first
correction alone would break the second month as it stood.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sources import template as t
from sources.normalise import CellError, due_date, period, period_label
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
    VALUE_ADDED,
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
    Fault("B1", "total_row_missing"),
    Fault("B1", "header_in_dollars", ("xlsx",)),
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
    Fault("B5", "blank_part_over_total"),
    Fault("B5", "yi_rounding_gap", ("xlsx",)),
    Fault("B6", "ytd_decrease"),
    Fault("B6", "correction_breaks_later"),
    Fault("B7", "unit_slip"),
    Fault("B7", "unit_slip_first"),
    Fault("B7", "unit_slip_row"),
    Fault("W1", "growth_moved"),
    Fault("W2", "growth_out_of_range"),
    Fault("W3", "arrived_late"),
    Fault("W4", "signed_count_mismatch", ("xlsx",)),
    Fault("W5", "not_filed"),
    Fault("W6", "growth_off_base"),
    Fault("W7", "prior_base_wrong"),
    Fault("W8", "cover_after_arrival"),
    Fault("W9", "value_added_amount"),
)
# Defects planted in the filing's correction (更正), its original left clean.
ON_CORRECTION = {"correction_breaks_later"}
# Defects a filing's year-ago figures must be accepted for: their rule, or the
# W1 they bring, compares with last year's accepted filing.
YEAR_AGO = {"growth_moved", "growth_out_of_range", "unit_slip_row", "prior_base_wrong"}
# W7 against a 上年同期 off by this share (kept small: W1 stays silent).
WRONG_BASE = (0.006, 0.012)
FAULT_BY_VARIANT = {f.variant: f for f in FAULTS}


def _previous(p: dt.date) -> dt.date | None:
    return None if p.month <= 2 else p.replace(month=p.month - 1)


def _next(p: dt.date) -> dt.date | None:
    return None if p.month == 12 else p.replace(month=p.month + 1)


class Planner:
    def __init__(self, slots: list[Slot], rng: random.Random, today: dt.date):
        self.slots, self.rng, self.today = slots, rng, today
        self.index = {(s.code, s.period): s for s in slots}

    def previous(self, slot: Slot) -> Slot | None:
        p = _previous(slot.period)
        return self.index.get((slot.code, p)) if p else None

    def following(self, slot: Slot) -> Slot | None:
        p = _next(slot.period)
        return self.index.get((slot.code, p)) if p else None

    def last_year(self, slot: Slot) -> Slot | None:
        return self.index.get((slot.code, slot.period.replace(year=slot.period.year - 1)))

    def references(self, slot: Slot, fault: Fault) -> list[Slot] | None:
        """The slots `fault` in `slot` is judged against (all clean); None: it cannot go there."""
        v = fault.variant
        if v == "unit_slip_first":
            return [] if slot.period.month == 2 else None
        if v == "growth_off_base":  # no year-ago filing at all: W6 alone
            return [] if self.last_year(slot) is None else None
        if v == "correction_breaks_later":
            following = self.following(slot)
            if following is None or not following.clean:
                return None
            if due_date(following.period) + dt.timedelta(days=5) > self.today:
                return None
            return [following]
        if v == "cover_after_arrival" and slot.filed + dt.timedelta(days=3) > self.today:
            return None
        if v == "arrived_late" and due_date(slot.period) + dt.timedelta(days=1) > self.today:
            return None
        if slot.period.month < (4 if v == "ytd_decrease" else 3):
            return None
        prev = self.previous(slot)
        if prev is None or not prev.clean:
            return None
        refs = [prev]
        if v in YEAR_AGO:
            last = self.last_year(slot)
            if last is None or not last.clean:
                return None
            refs.append(last)
        return refs

    def eligible(self, slot: Slot, fault: Fault) -> bool:
        if slot.protected or slot.reference or not slot.clean:
            return False
        if fault.variant == "signed_count_mismatch":
            book = slot.econ.projects
            if book is None or book.signed_count(slot.period.year, slot.period.month) == 0:
                return False
        return self.references(slot, fault) is not None

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
            if not candidates:
                continue
            slot = self.rng.choice(candidates)
            slot.fault = (fault.rule, fault.variant)
            for ref in self.references(slot, fault) or []:
                ref.reference = True
            if fault.variant in ON_CORRECTION:
                # After every on-time filing of the next month (a long CSV of that month
                # arrives with its last): the next month counted first.
                following = self.following(slot)
                assert following is not None
                slot.corrected = due_date(following.period) + dt.timedelta(
                    days=self.rng.randint(1, 5)
                )
            elif fault.variant == "arrived_late":
                slot.arrived = late_date(self.rng, slot.period, self.today)
            elif fault.variant == "cover_after_arrival":
                slot.arrived = slot.filed
                slot.filed = slot.filed + dt.timedelta(days=self.rng.randint(2, 3))

    def counterparts(self) -> None:
        """Clean counterparts of the defects, which must be accepted.

        Two consecutive months corrected together late in a year on record
        for the first time (no W1 to draw): their originals were preliminary
        and low, so that the first month's correction alone would break the
        second month's original — sent together with its correction, both
        corrections are accepted.
        """
        pairs = [
            (s, nxt)
            for s in self.slots
            if s.period.month >= 9
            and (nxt := self.following(s)) is not None
            and all(x.clean and not x.protected and not x.reference for x in (s, nxt))
            and self.last_year(s) is None
            and due_date(nxt.period) + dt.timedelta(days=5) <= self.today
        ]
        if not pairs:
            return
        first, second = self.rng.choice(pairs)
        y, m = first.period.year, first.period.month
        ratio = first.econ.ytd[OUTPUT][(y, m)] / first.econ.ytd[OUTPUT][(y, m + 1)]
        second.prelim = {OUTPUT: ratio * self.rng.uniform(0.97, 0.99)}  # below first's truth
        first.prelim = {OUTPUT: self.rng.uniform(0.97, 0.99)}
        if first.prelim[OUTPUT] >= second.prelim[OUTPUT] / ratio:  # keep the originals in order
            first.prelim = {OUTPUT: second.prelim[OUTPUT] / ratio * 0.99}
        # Both after every on-time filing of the second month (see plan).
        first.corrected = due_date(second.period) + dt.timedelta(days=self.rng.randint(1, 4))
        second.corrected = first.corrected + dt.timedelta(days=1)
        first.together = second.together = True

    def settle(self) -> None:
        """Whether each slot's same period last year ends accepted (its rules look back)."""
        for slot in self.slots:
            last = self.last_year(slot)
            slot.last_accepted = last is not None and (
                last.fault is None
                or last.fault[1] in ON_CORRECTION
                or not (t.RULES[last.fault[0]].blocking or last.fault[0] == "W5")
            )


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


def planted_in(sub: Submission) -> bool:
    """Whether this submission carries its slot's defect (the original, or for a defect
    of a correction the correction)."""
    fault = sub.slot.fault
    return fault is not None and sub.revision == (1 if fault[1] in ON_CORRECTION else 0)


def plant(sub: Submission, rng: random.Random, today: dt.date, registry: Registry) -> None:
    """Put the slot's planted defect into its submission; set expect and rules."""
    assert sub.slot.fault is not None
    rule, variant = sub.slot.fault
    f, slot = sub.filing, sub.slot
    y, m = slot.period.year, slot.period.month
    target: tuple = ("file",)
    note = ""
    rules = [rule]

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
    elif variant in ("growth_moved", "growth_out_of_range", "growth_off_base"):
        key = rng.choice(growth_cells(sub, with_amounts=True))
        old = value(sub, key)
        if variant != "growth_out_of_range":
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
    elif variant == "total_row_missing":
        sheet = t.SHEET_BY_KEY[rng.choice(("chains", "tax", "trade"))]
        key_field = sheet.key_column.field
        f.sheets[sheet.key] = [r for r in f.rows(sheet.key) if r[key_field] != t.TOTAL_ROW]
        target = ("sheet", sheet.key) if sub.fmt == "xlsx" else ("file",)
        note = f"{sheet.name} has no {t.TOTAL_ROW} row"
    elif variant == "header_in_dollars":
        assert sub.wb is not None
        sub.wb.header_units = {("trade", "export_ytd"): t.UNIT_WAN_USD}
        target = ("header", "trade", "export_ytd")
        note = f"出口本年累计 headed ({t.UNIT_WAN_USD}) over figures in 万元"
    elif variant in ("blank_part_over_total", "yi_rounding_gap"):
        first, second, *_ = (r for r in f.rows("chains") if r["chain"] != t.TOTAL_ROW)
        bump = _delta(value(sub, ("chains", t.TOTAL_ROW, "output_ytd")))
        if variant == "blank_part_over_total":
            bump += first["output_ytd"]
            cell(("chains", first["chain"], "yoy_reported_pct"), None)
            cell(("chains", first["chain"], "output_ytd"), None)
            note = f"产业链 {first['chain']} left blank, {second['chain']} above the rest of 合计"
        else:
            assert sub.wb is not None
            sub.wb.unit_yi_headers, sub.wb.yi_decimals = frozenset({"chains"}), 2
            bump = 10_000.0  # 1亿元: far beyond what rounding to 0.01 亿元 explains
            note = f"产业链产值 in 亿元 with two decimals; {second['chain']} 1亿元 too high"
        target = cell(("chains", second["chain"], "output_ytd"), second["output_ytd"] + bump)
    elif variant == "correction_breaks_later":
        following = econ_ytd(slot, y, m + 1) / econ_ytd(slot, y, m)
        factor = following * rng.uniform(1.02, 1.05)
        sub.filing = f = build_filing(
            slot.econ, slot.period, f.filed_date, f.park_name, sub.revision, {OUTPUT: factor}
        )
        target = ("cell", ("indicators", OUTPUT, "value_ytd"))
        note = f"更正 raises 规模工业总产值 above what is accepted for {y}-{m + 1:02d}"
    elif variant in ("unit_slip_first", "unit_slip_row"):
        fields = ("value_ytd",)
        if variant == "unit_slip_row":  # the whole row: the growth agrees, last year does not
            fields = ("value_ytd", "value_prior_ytd")
        for fld in fields:
            key = ("indicators", DOMESTIC_FUNDS, fld)
            target = cell(key, round(value(sub, key) * 10_000, 1))
        note = f"内资到位资金 {' and '.join(fields)} typed in 元"
    elif variant == "arrived_late":
        assert slot.arrived is not None
        sub.own_file = sub.fmt == "csv"
        target = sub.cover_target(t.COVER_FILED)
        note = f"cover dated {slot.filed}, the file arrived {slot.arrived}"
    elif variant == "cover_after_arrival":
        sub.own_file = sub.fmt == "csv"
        target = sub.cover_target(t.COVER_FILED)
        note = f"cover dated {slot.filed}, after the file arrived {slot.arrived}"
    elif variant == "prior_base_wrong":
        item = rng.choice((REVENUE, HITECH_REVENUE, DOMESTIC_FUNDS))
        ytd, prior = (
            value(sub, ("indicators", item, "value_ytd")),
            value(sub, ("indicators", item, "value_prior_ytd")),
        )
        wrong = round(prior * (1 + rng.choice((-1, 1)) * rng.uniform(*WRONG_BASE)), 1)
        growth = round((ytd / wrong - 1) * 100, t.GROWTH_DECIMALS)
        cell(("indicators", item, "yoy_reported_pct"), growth)
        target = cell(("indicators", item, "value_prior_ytd"), wrong)
        computed = (ytd / prior - 1) * 100  # against last year's accepted figure: the true base
        rules += ["W1"] if abs(growth - computed) > t.GROWTH_GAP_PP else []
        note = f"{item} 上年同期 {wrong} instead of the {prior} filed last year; growth follows it"
    elif variant == "value_added_amount":
        output = value(sub, ("indicators", OUTPUT, "value_ytd"))
        target = cell(("indicators", VALUE_ADDED, "value_ytd"), round(output * 0.24, 1))
        note = "规模工业增加值's 本年累计 filled in (growth only)"
    else:
        raise ValueError(variant)

    if variant in ("growth_moved", "growth_out_of_range", "growth_off_base"):
        # A moved growth disagrees with its own base; with last year's filing accepted,
        # with the growth computed against it too.
        rules = [r for r in (rule, "W6") if r != "W1"] + (["W1"] if slot.last_accepted else [])
    sub.expect = "reject" if t.RULES[rule].blocking else "warn"
    sub.rules = list(dict.fromkeys(rules))
    sub.pending.append(Pending("fault", rule, target, note, variant))


def econ_ytd(slot: Slot, y: int, m: int) -> int:
    """The park's true above-scale output, YTD to month m (tenths of 万元)."""
    return slot.econ.ytd[OUTPUT][(y, m)]
