"""Messy but valid presentation: the cell and layout forms parks really send.

Every form the contract accepts is planted at least once (when there are
enough filings), each in a filing of its own first, then more at random.
The truth follows what was written: a value written as `—` is None, a value
written in 亿元 is what the reader stores after converting it back to 万元.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

from sources import normalise as n
from sources import template as t
from sources.normalise import CellError
from sources.registry import Registry, ResolveError
from sources.write_workbook import (
    YI_FACTOR,
    CellKey,
    amount_decimals,
    fixed,
    traditional,
    written_number,
)

from .economy import CONTRACT, DOMESTIC_FUNDS, FDI, HITECH_REVENUE, OUTPUT, REVENUE
from .plan import Pending, Submission

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Amount rows whose 上年同期 may be left unreported without breaking a balance edit.
_FREE_PRIOR = (REVENUE, HITECH_REVENUE, FDI, DOMESTIC_FUNDS, CONTRACT)
MISSING_FORMS = {"missing_emdash": "—", "missing_hyphen": "-", "missing_slash": "/"}

NAME_FORMS = (
    "park_name_short",
    "park_name_alias",
    "park_name_traditional",
    "park_name_fullwidth",
    "park_name_spaces",
)
PERIOD_FORMS = ("period_range_emdash", "period_month", "period_iso", "period_compact", "period_dot")
FILED_FORMS = ("filed_date_text_iso", "filed_date_text_cn")
LAYOUT_FORMS = (
    "traditional_chars",
    "title_row",
    "two_row_header",
    "unit_yi_cell",
    "unit_yi_header",
    "unit_yi_rounded",
    "percent_growth",
)
CELL_FORMS = (
    "thousands_separator",
    "fullwidth_digits",
    "number_as_text",
    "stray_spaces",
    "percent_sign",
    *MISSING_FORMS,
)
# Forms a long CSV cannot show: it has no sheets, headers, cover or cell types.
_XLSX_ONLY = {
    *FILED_FORMS,
    "title_row",
    "two_row_header",
    "unit_yi_header",
    "unit_yi_rounded",
    "number_as_text",
    "percent_growth",
}
XLSX_FORMS = (*NAME_FORMS, *PERIOD_FORMS, *FILED_FORMS, *LAYOUT_FORMS, *CELL_FORMS)
CSV_FORMS = tuple(f for f in XLSX_FORMS if f not in _XLSX_ONLY)
CSV_ENCODING_FORMS = {"utf-8-sig": "encoding_utf8_bom", "gb18030": "encoding_gb18030"}
_GROUPS = {
    "unit_yi_header": "yi_header",
    "unit_yi_rounded": "yi_header",
    **{f: "name" for f in NAME_FORMS},
    **{f: "period" for f in PERIOD_FORMS},
    **{f: "filed" for f in FILED_FORMS},
}
# Chance that a filing gets a form of the group beyond the coverage pass.
_EXTRA = (
    (NAME_FORMS, 0.25),
    (PERIOD_FORMS, 0.3),
    (FILED_FORMS, 0.3),
    (("traditional_chars",), 0.06),
    (("title_row",), 0.15),
    (("two_row_header",), 0.1),
    (("unit_yi_cell",), 0.06),
    (("unit_yi_header", "unit_yi_rounded"), 0.05),
    (("percent_growth",), 0.05),
    (CELL_FORMS, 0.35),
    (CELL_FORMS, 0.15),
)
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")


def contact(seed: int, park_code: str) -> tuple[str, str]:
    """A fictional contact person and phone, stable per park and marked as a sample."""
    rng = random.Random(f"{seed}:contact:{park_code}")
    person = f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}（样例）"
    return person, f"0000-{rng.randint(1000000, 9999999)}"


def period_text(form: str, y: int, m: int) -> str:
    return {
        "period_range_emdash": f"{y}年1—{m}月",
        "period_month": f"{y}年{m}月",
        "period_iso": f"{y}-{m:02d}",
        "period_compact": f"{y}{m:02d}",
        "period_dot": f"{y}.{m:02d}",
    }[form]


def with_commas(s: str) -> str:
    whole, _, frac = s.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def stored(raw: object, kind: str, factor: float = 1.0) -> object:
    """What the reader stores for a written cell (CellError when it cannot)."""
    if kind == "pct":
        return n.pct(raw)
    if kind == "count":
        return n.count(raw)
    return n.amount(raw, factor)


_KINDS = {(s.key, c.field): c.kind for s in t.SHEETS for c in s.columns}


def cell_kind(key: CellKey) -> str:
    return _KINDS[(key[0], key[2])]


def cell_factor(sub: Submission, key: CellKey) -> float:
    """The unit factor a value is written with (亿元 rows, (亿元) headers)."""
    sheet_key, row_key, fld = key
    if cell_kind(key) != "amount":
        return 1.0
    if sheet_key == "indicators":
        if t.INDICATOR_BY_NAME[row_key].unit != t.UNIT_WAN_YUAN:
            return 1.0
        yi = sub.wb.unit_yi_cells if sub.wb is not None else bool(sub.csv and sub.csv.unit_yi)
        return YI_FACTOR if yi else 1.0
    if sub.wb is not None:
        return YI_FACTOR if sheet_key in sub.wb.unit_yi_headers else 1.0
    return YI_FACTOR if sub.csv is not None and sub.csv.unit_yi else 1.0


def value(sub: Submission, key: CellKey) -> object:
    sheet_key, row_key, fld = key
    field_of_key = t.SHEET_BY_KEY[sheet_key].key_column.field
    for row in sub.filing.rows(sheet_key):
        if row[field_of_key] == row_key:
            return row.get(fld)
    raise KeyError(key)


def set_value(sub: Submission, key: CellKey, new: object) -> None:
    sheet_key, row_key, fld = key
    field_of_key = t.SHEET_BY_KEY[sheet_key].key_column.field
    for row in sub.filing.rows(sheet_key):
        if row[field_of_key] == row_key:
            row[fld] = new
            return
    raise KeyError(key)


def number_text(sub: Submission, key: CellKey) -> str:
    """The value of a cell as plain text in the unit it is written in."""
    v = value(sub, key)
    assert isinstance(v, float | int)
    kind, factor = cell_kind(key), cell_factor(sub, key)
    if kind == "pct":
        return fixed(v, 2)
    if kind == "count":
        return str(int(v))
    return fixed(v / factor, amount_decimals(factor))


def amount_cells(sub: Submission) -> list[CellKey]:
    out: list[CellKey] = []
    for row in sub.filing.rows("indicators"):
        if t.INDICATOR_BY_NAME[row["indicator"]].is_amount:
            out += [("indicators", row["indicator"], f) for f in ("value_ytd", "value_prior_ytd")]
    for sheet_key, fields in (
        ("chains", ("output_ytd", "output_prior_ytd")),
        ("tax", ("tax_ytd", "tax_prior_ytd")),
        ("trade", ("export_ytd", "import_ytd", "export_prior_ytd", "import_prior_ytd")),
    ):
        key_field = t.SHEET_BY_KEY[sheet_key].key_column.field
        for row in sub.filing.rows(sheet_key):
            out += [(sheet_key, row[key_field], f) for f in fields]
    return [k for k in out if value(sub, k) is not None and k not in sub.used_cells]


def growth_cells(sub: Submission, with_amounts: bool = False) -> list[CellKey]:
    out: list[CellKey] = []
    for sheet_key in ("indicators", "chains", "tax"):
        key_field = t.SHEET_BY_KEY[sheet_key].key_column.field
        for row in sub.filing.rows(sheet_key):
            if row.get("yoy_reported_pct") is None:
                continue
            if sheet_key == "indicators":
                ind = t.INDICATOR_BY_NAME[row["indicator"]]
                if with_amounts and not ind.is_amount:
                    continue
            out.append((sheet_key, row[key_field], "yoy_reported_pct"))
    return [k for k in out if k not in sub.used_cells]


def _free_prior_cells(sub: Submission) -> list[CellKey]:
    keys = [("indicators", name, "value_prior_ytd") for name in _FREE_PRIOR]
    return [k for k in keys if value(sub, k) is not None and k not in sub.used_cells]


class Presenter:
    def __init__(self, registry: Registry, today, rng: random.Random):
        self.registry, self.today, self.rng = registry, today, rng
        self.forms: dict[int, set[str]] = {}

    # ------------------------------------------------------------------ forms
    def can_apply(self, sub: Submission, form: str) -> bool:
        held = self.forms.setdefault(id(sub), set())
        if form in held:
            return False
        group = _GROUPS.get(form)
        if group and any(_GROUPS.get(f) == group for f in held):
            return False
        if form.startswith("unit_yi_") and any(f in CELL_FORMS for f in held):
            return False  # cell texts were written in the old unit
        if form == "park_name_alias":
            return self._alias(sub) is not None
        if form in CELL_FORMS:
            return bool(self._cells_for(sub, form))
        return True

    def apply(self, sub: Submission, form: str) -> None:
        self.forms.setdefault(id(sub), set()).add(form)
        fn: Callable[[Submission, str], None]
        if form in NAME_FORMS:
            fn = self._name
        elif form in PERIOD_FORMS:
            fn = self._period
        elif form in FILED_FORMS:
            fn = self._filed
        elif form in LAYOUT_FORMS:
            fn = self._layout
        else:
            fn = self._cell
        fn(sub, form)

    def _alias(self, sub: Submission) -> str | None:
        for alias in sub.slot.park.aliases:
            try:
                if self.registry.resolve(None, alias) == sub.slot.code:
                    return alias
            except ResolveError:
                continue
        return None

    def _name(self, sub: Submission, form: str) -> None:
        park = sub.slot.park
        code: object = None
        if form == "park_name_short":
            name = park.short_name
        elif form == "park_name_alias":
            name = self._alias(sub) or park.name
        elif form == "park_name_traditional":
            name = traditional(park.name)
        elif form == "park_name_fullwidth":
            # Full-width code and an ideographic space: NFKC folds both.
            code = park.code.translate(_FULLWIDTH).replace("HN", "ＨＮ")
            name = f"{park.name[:2]}\u3000{park.name[2:]}"
        else:
            name = f" {park.short_name[:2]} {park.short_name[2:]} "
        assert self.registry.resolve(code, name) == park.code, (form, name)
        sub.set_cover(t.COVER_PARK_CODE, code)
        sub.set_cover(t.COVER_PARK_NAME, name)
        sub.filing.park_name = name.strip()
        sub.pending.append(Pending("messy", form, sub.cover_target(t.COVER_PARK_NAME)))

    def _period(self, sub: Submission, form: str) -> None:
        p = sub.slot.period
        label = period_text(form, p.year, p.month)
        assert n.period(label, self.today) == p
        sub.set_cover(t.COVER_PERIOD, label)
        sub.pending.append(Pending("messy", form, sub.cover_target(t.COVER_PERIOD)))

    def _filed(self, sub: Submission, form: str) -> None:
        d = sub.filing.filed_date
        text = d.isoformat() if form == "filed_date_text_iso" else f"{d.year}年{d.month}月{d.day}日"
        assert n.date(text) == d
        sub.set_cover(t.COVER_FILED, text)
        sub.pending.append(Pending("messy", form, ("cover", t.COVER_FILED)))

    def _layout(self, sub: Submission, form: str) -> None:
        wb, csv = sub.wb, sub.csv
        if form == "traditional_chars":
            if wb is not None:
                wb.traditional = True
                target: tuple = ("header", "indicators", "indicator")
            else:
                assert csv is not None
                csv.traditional = True
                target = ("csv_column", ("indicators", OUTPUT, "value_ytd"), t.CSV_COLUMNS[4])
            note = "sheet names, headers and row labels in traditional characters"
        elif form == "title_row":
            assert wb is not None
            wb.title_rows = True
            target, note = ("title", "indicators"), "a title row merged across the columns"
        elif form == "two_row_header":
            assert wb is not None
            wb.two_row_trade_header = True
            target = ("header", "trade", "partner")
            note = "进出口: 国家(地区) merged down, 本年累计/上年同期 merged over 出口 | 进口"
        elif form == "unit_yi_cell":
            if wb is not None:
                wb.unit_yi_cells = True
                target = ("cell", ("indicators", OUTPUT, "unit"))
            else:
                assert csv is not None
                csv.unit_yi = True
                target = ("csv_column", ("indicators", OUTPUT, "value_ytd"), t.CSV_COLUMNS[8])
            note = "万元 amounts written in 亿元"
        elif form == "unit_yi_rounded":
            # As an office rounds them: each chain's output to 0.01 亿元, so that the
            # chains add up to 合计 and 合计 to 规模工业总产值 only within their rounding.
            assert wb is not None
            wb.unit_yi_headers, wb.yi_decimals = frozenset({"chains"}), 2
            target = ("header", "chains", "output_ytd")
            note = "产业链产值 in 亿元 with two decimals: the balance edits hold within rounding"
        elif form == "percent_growth":
            assert wb is not None
            sheet_key = self.rng.choice(("indicators", "chains", "tax"))
            wb.percent_growth = frozenset({sheet_key})
            target = ("header", sheet_key, "yoy_reported_pct")
            note = "同比增长 formatted as a percentage: a cell holds 0.0525 for 5.25 %"
        else:
            assert wb is not None
            sheet_key = self.rng.choice(("chains", "tax"))
            wb.unit_yi_headers = frozenset({sheet_key})
            first_amount = next(c for c in t.SHEET_BY_KEY[sheet_key].columns if c.kind == "amount")
            target, note = ("header", sheet_key, first_amount.field), "amount columns in (亿元)"
        sub.pending.append(Pending("messy", form, target, note))

    def _cells_for(self, sub: Submission, form: str) -> list[CellKey]:
        if form == "percent_sign":
            return growth_cells(sub)
        if form in MISSING_FORMS:
            return growth_cells(sub) + _free_prior_cells(sub)
        cells = amount_cells(sub)
        if form == "thousands_separator":
            cells = [k for k in cells if abs(float(number_text(sub, k))) >= 1000]
        return cells

    def _cell(self, sub: Submission, form: str) -> None:
        key = self.rng.choice(self._cells_for(sub, form))
        sub.used_cells.add(key)
        if form in MISSING_FORMS:
            raw: object = MISSING_FORMS[form]
        else:
            s = number_text(sub, key)
            raw = {
                "thousands_separator": lambda: with_commas(s),
                "fullwidth_digits": lambda: s.translate(_FULLWIDTH),
                "number_as_text": lambda: s,
                "stray_spaces": lambda: f" {s} " if sub.fmt == "xlsx" else f" {s}",
                "percent_sign": lambda: f"{s}%",
            }[form]()
        sub.cells[key] = raw
        set_value(sub, key, stored(raw, cell_kind(key), cell_factor(sub, key)))
        sub.pending.append(Pending("messy", form, ("cell", key)))

    # ------------------------------------------------------------------- runs
    def run(self, subs: list[Submission], forms: tuple[str, ...]) -> None:
        """Every form at least once (each on a filing of its own first), then more at random."""
        order = list(subs)
        self.rng.shuffle(order)
        if not order:
            return
        pointer = 0
        for form in forms:
            for k in range(len(order)):
                sub = order[(pointer + k) % len(order)]
                if self.can_apply(sub, form):
                    self.apply(sub, form)
                    pointer += k + 1
                    break
        for sub in order:
            for group, chance in _EXTRA:
                if self.rng.random() < chance:
                    candidates = [f for f in group if f in forms and self.can_apply(sub, f)]
                    if candidates:
                        self.apply(sub, self.rng.choice(candidates))


def settle_units(sub: Submission) -> None:
    """Cells written in 亿元: the truth is what the reader stores after converting back."""
    for sheet in t.CSV_SHEETS:
        key_field = sheet.key_column.field
        for row in sub.filing.rows(sheet.key):
            for col in sheet.columns:
                if col.kind != "amount" or row.get(col.field) is None:
                    continue
                key = (sheet.key, row[key_field], col.field)
                factor = cell_factor(sub, key)
                if factor == 1.0 or key in sub.cells:
                    continue
                decimals = None
                if sub.wb is not None and sheet.key in sub.wb.unit_yi_headers:
                    decimals = sub.wb.yi_decimals
                written = written_number(row[col.field], "amount", factor, decimals)
                # A planted negative stays as planted: the reader rejects it anyway.
                with contextlib.suppress(CellError):
                    row[col.field] = stored(written, "amount", factor)
