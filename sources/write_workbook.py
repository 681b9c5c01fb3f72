"""Write a template-v1 workbook: the blank template for the parks, or one park's filing.

Sheets, headers and row order come from sources/template.py. A WorkbookStyle
carries the presentation variants parks use (traditional characters, a title
row, a two-row header on 进出口, 亿元 units, raw cell texts), so that the
sample generator can write every form the readers must accept. The layout is
computed first (`layout_workbook`) and saved second (`save_layout`), so the
generator knows where each value sits without writing the file twice.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from sources import template as t
from sources.filing import Filing
from sources.normalise import period_label

# What every generated workbook and CSV says about its figures.
SYNTHETIC_NOTE = "合成数据 (synthetic sample, not real statistics) — parkstat generate"

DEFAULT_PARTNERS = t.DEFAULT_TRADE_PARTNERS

# A cell of a filing: (sheet key, row key, Column.field). The row key is the
# value of the sheet's key column (indicator, chain, tax type, partner,
# project code); the cover uses ("cover", item, "content").
CellKey = tuple[str, str, str]

PERCENT_FORMAT = "0.00%"
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed member times: same content, same bytes
_TEMPLATE_TIME = dt.datetime(2025, 1, 1)
_WAN = t.UNIT_WAN_YUAN
# 亿元, the larger unit parks write 万元 amounts in, and its factor.
YI_YUAN = t.UNIT_YI_YUAN
YI_FACTOR = t.UNIT_FACTORS[YI_YUAN][1]


@dataclass
class WorkbookStyle:
    """How a filing is presented; the default is the template's own plain form."""

    synthetic: bool = False  # cover row 说明 and workbook properties say the data is synthetic
    traditional: bool = False  # sheet names, headers and row labels in traditional characters
    title_rows: bool = False  # a title row merged across the columns above each data table
    two_row_trade_header: bool = False  # 进出口: 本年累计/上年同期 merged over 出口 | 进口
    unit_yi_cells: bool = False  # 主要指标: 万元 rows written in 亿元 with unit cell 亿元
    unit_yi_headers: frozenset[str] = frozenset()  # sheet keys whose 万元 columns say (亿元)
    # Decimals those (亿元) columns are written with, as an office rounds them (218.83);
    # None: as many as carry a 0.1 万元 amount exactly.
    yi_decimals: int | None = None
    # (sheet key, field) -> the unit its header says instead of the template's: (万美元).
    header_units: dict[tuple[str, str], str] = field(default_factory=dict)
    cover: dict[str, object] = field(default_factory=dict)  # cover item -> value as written
    cells: dict[CellKey, object] = field(default_factory=dict)  # raw value instead of the filing's
    omit_sheets: frozenset[str] = frozenset()  # sheet keys left out
    omit_columns: dict[str, frozenset[str]] = field(default_factory=dict)  # sheet key -> fields
    # Sheet keys whose 同比增长 column is formatted as a percentage: Excel keeps
    # 6.5 % as 0.065, which is what such a cell holds.
    percent_growth: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Placed:
    """Where a value landed: sheet as written, 1-based row and column, value as written."""

    sheet: str
    row: int
    col: int
    header: str | None  # the template's header of the column (Column.header)
    value: object

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


@dataclass
class SheetGrid:
    key: str
    name: str  # as written
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based


@dataclass
class WorkbookLayout:
    sheets: list[SheetGrid]
    cells: dict[CellKey, Placed]  # every value cell, cover items included
    headers: dict[tuple[str, str], Placed]  # (sheet key, field) -> its (lowest) header cell
    titles: dict[str, Placed]  # sheet key -> title cell, when there is a title row
    sheet_names: dict[str, str]  # sheet key -> name as written
    title: str
    description: str
    timestamp: dt.datetime


@cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@cache
def traditional(s: str) -> str:
    """Simplified -> traditional characters, the way a park's office software writes them."""
    return _s2t().convert(s)


def fixed(x: float, decimals: int) -> str:
    """A number as plain text with at most `decimals` decimals: 2188000.0, 218.8, -3.1."""
    s = f"{x:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    return "0.0" if s in ("-0.0", "-0") else s


def amount_decimals(factor: float) -> int:
    """Decimals that carry a 0.1 万元 amount through a unit factor (亿元: 5)."""
    return 1 + round(math.log10(factor))


def written_number(
    value: float | None, kind: str, factor: float = 1.0, decimals: int | None = None
) -> object:
    """The cell value for a stored number: floats for amounts and rates, ints for counts.

    An amount in a larger unit keeps `decimals` (default: all a 0.1 万元 amount needs)."""
    if value is None:
        return None
    if kind == "amount":
        if factor == 1.0:
            return float(value)
        return round(value / factor, amount_decimals(factor) if decimals is None else decimals)
    if kind == "count":
        return int(value) if float(value).is_integer() else float(value)
    return float(value)


def value_kind(sheet_key: str, row_key: object, column: t.Column) -> str:
    """How a cell's number is written: 主要指标's count and stock rows as whole numbers."""
    if sheet_key == "indicators" and column.kind == "amount":
        indicator = t.INDICATOR_BY_NAME.get(str(row_key))
        if indicator is not None and indicator.kind in ("count", "stock"):
            return "count"
    return column.kind


def _cell_value(value: object, kind: str, factor: float, decimals: int | None) -> object:
    if kind in ("amount", "count", "pct"):
        return written_number(value, kind, factor, decimals)
    if kind == "flag":
        return None if value is None else ("是" if value else "否")
    return value


def _default_rows(sheet_key: str) -> list[dict]:
    """The blank template's rows: labels listed, values empty."""
    if sheet_key == "indicators":
        return [{"indicator": i.name, "unit": i.unit} for i in t.INDICATORS]
    if sheet_key == "chains":
        return [{"chain": t.OTHER_ROW}, {"chain": t.TOTAL_ROW}]
    if sheet_key == "tax":
        return [{"tax_type": x} for x in (*t.TAX_TYPES, t.TOTAL_ROW)]
    if sheet_key == "trade":
        return [{"partner": p} for p in (*DEFAULT_PARTNERS, t.TOTAL_ROW)]
    return []


class _Builder:
    def __init__(self, filing: Filing | None, style: WorkbookStyle):
        self.filing, self.style = filing, style
        self.cells: dict[CellKey, Placed] = {}
        self.headers: dict[tuple[str, str], Placed] = {}
        self.titles: dict[str, Placed] = {}
        self.names: dict[str, str] = {}

    def label(self, s: str) -> str:
        return traditional(s) if self.style.traditional else s

    def cover(self) -> SheetGrid:
        sheet = t.COVER
        name = self.names[sheet.key] = self.label(sheet.name)
        rows: list[list[object]] = [[self.label(c.header) for c in sheet.columns]]
        for j, col in enumerate(sheet.columns, 1):
            self.headers[(sheet.key, col.field)] = Placed(name, 1, j, col.header, rows[0][j - 1])
        f = self.filing
        defaults: dict[str, object] = {}
        if f is not None:
            defaults = {
                t.COVER_PARK_CODE: f.park_code,
                t.COVER_PARK_NAME: f.park_name,
                t.COVER_PERIOD: period_label(f.period),
                t.COVER_FILED: f.filed_date,
                t.COVER_REVISION: f.revision,
            }
        items = list(t.COVER_ITEMS)
        if self.style.synthetic:
            defaults[t.COVER_NOTE] = SYNTHETIC_NOTE
            items.append(t.COVER_NOTE)
        for item in items:
            value = self.style.cover[item] if item in self.style.cover else defaults.get(item)
            rows.append([self.label(item), value])
            content = sheet.columns[1].header
            self.cells[(sheet.key, item, "content")] = Placed(name, len(rows), 2, content, value)
        return SheetGrid(sheet.key, name, rows, widths=[14, 40])

    def data_sheet(self, sheet: t.Sheet) -> SheetGrid:
        style = self.style
        name = self.names[sheet.key] = self.label(sheet.name)
        omitted = style.omit_columns.get(sheet.key, frozenset())
        columns = [c for c in sheet.columns if c.field not in omitted]
        yi_header = sheet.key in style.unit_yi_headers
        headers = [self._header(sheet, c, yi_header) for c in columns]
        rows: list[list[object]] = []
        merges: list[str] = []
        formats: dict[tuple[int, int], str] = {}
        last = get_column_letter(len(columns))
        if style.title_rows and self.filing is not None:
            title = self.label(f"{self.filing.park_name}{period_label(self.filing.period)}")
            title += name
            rows.append([title] + [None] * (len(columns) - 1))
            merges.append(f"A1:{last}1")
            self.titles[sheet.key] = Placed(name, 1, 1, None, title)
        if sheet.key == "trade" and style.two_row_trade_header:
            self._two_row_header(sheet, columns, rows, merges, name)
        else:
            rows.append(headers)
            for j, col in enumerate(columns, 1):
                self.headers[(sheet.key, col.field)] = Placed(
                    name, len(rows), j, col.header, headers[j - 1]
                )
        data = self.filing.rows(sheet.key) if self.filing is not None else _default_rows(sheet.key)
        key_field = sheet.key_column.field
        for row in data:
            key = row.get(key_field)
            unit_factor, unit_text = 1.0, row.get("unit")
            if (
                sheet.key == "indicators"
                and style.unit_yi_cells
                and t.INDICATOR_BY_NAME[key].unit == _WAN
            ):
                unit_factor, unit_text = YI_FACTOR, YI_YUAN
            values: list[object] = []
            for j, col in enumerate(columns, 1):
                if col.field == key_field:
                    value: object = self.label(key) if sheet.key != "projects" else key
                elif col.kind == "unit":
                    value = unit_text
                else:
                    factor, decimals = unit_factor, None
                    if yi_header and col.kind == "amount":
                        factor, decimals = YI_FACTOR, style.yi_decimals
                    kind = value_kind(sheet.key, key, col)
                    value = _cell_value(row.get(col.field), kind, factor, decimals)
                cell_key = (sheet.key, key, col.field)
                if cell_key in style.cells:
                    value = style.cells[cell_key]
                elif col.kind == "pct" and sheet.key in style.percent_growth:
                    if isinstance(value, float):
                        value = round(value / 100, 8)
                    formats[(len(rows) + 1, j)] = PERCENT_FORMAT
                values.append(value)
                self.cells[cell_key] = Placed(name, len(rows) + 1, j, col.header, value)
            rows.append(values)
        widths = [24 if sheet.key != "projects" else 20] + [16] * (len(columns) - 1)
        return SheetGrid(sheet.key, name, rows, merges, widths, formats)

    def _header(self, sheet: t.Sheet, col: t.Column, yi: bool) -> str:
        header = col.header
        if yi and col.kind == "amount" and col.unit == _WAN:
            header = header.replace(f"({_WAN})", f"({YI_YUAN})")
        if (sheet.key, col.field) in self.style.header_units:
            header = header.replace(
                f"({col.unit})", f"({self.style.header_units[(sheet.key, col.field)]})"
            )
        return self.label(header)

    def _two_row_header(self, sheet, columns, rows, merges, name) -> None:
        """国家(地区) merged down; 本年累计(万元) / 上年同期(万元) merged over 出口 | 进口."""
        top = len(rows) + 1
        upper: list[object] = []
        lower: list[object] = []
        yi = sheet.key in self.style.unit_yi_headers
        previous = None
        for col in columns:
            if col.kind == "key":
                upper.append(self.label(col.header))
                lower.append(None)
                previous = None
                continue
            part = col.words[0]  # 出口 / 进口
            group = self._header(sheet, col, yi).replace(self.label(part), "", 1)
            upper.append(group if group != previous else None)
            lower.append(self.label(part))
            previous = group
        # An empty upper cell continues the merged group to its left.
        j = 0
        while j < len(columns):
            if columns[j].kind == "key":
                merges.append(
                    f"{get_column_letter(j + 1)}{top}:{get_column_letter(j + 1)}{top + 1}"
                )
                j += 1
                continue
            k = j
            while k + 1 < len(columns) and upper[k + 1] is None:
                k += 1
            if k > j:
                merges.append(f"{get_column_letter(j + 1)}{top}:{get_column_letter(k + 1)}{top}")
            j = k + 1
        rows.append(upper)
        rows.append(lower)
        for j, col in enumerate(columns, 1):
            value = lower[j - 1] if col.kind != "key" else upper[j - 1]
            row = top + 1 if col.kind != "key" else top
            self.headers[(sheet.key, col.field)] = Placed(name, row, j, col.header, value)


def layout_workbook(filing: Filing | None, style: WorkbookStyle | None = None) -> WorkbookLayout:
    """Every sheet's cells as they will be written, and where each value sits."""
    style = style or WorkbookStyle()
    b = _Builder(filing, style)
    sheets = [b.cover()]
    for sheet in t.DATA_SHEETS:
        if sheet.key not in style.omit_sheets:
            sheets.append(b.data_sheet(sheet))
    if filing is None:
        title = f"园区月度统计报表 模板 template {t.TEMPLATE_VERSION}"
        description = "Blank monthly park filing template; see the 封面 sheet for the items."
        stamp = _TEMPLATE_TIME
    else:
        title = f"{filing.park_name} {period_label(filing.period)}"
        description = ""
        stamp = dt.datetime.combine(filing.filed_date, dt.time(9, 0))
    if style.synthetic:
        title = f"{SYNTHETIC_NOTE}: {title}"
        description = SYNTHETIC_NOTE
    return WorkbookLayout(sheets, b.cells, b.headers, b.titles, b.names, title, description, stamp)


class _StableZip(ZipFile):
    """A zip whose member times are fixed, so that a workbook's bytes depend on its content only."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            info = ZipInfo(str(zinfo_or_arcname), date_time=_ZIP_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file first.
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(arcname or os.path.basename(filename), data, compress_type, compresslevel)


def save_layout(layout: WorkbookLayout, path: Path | str) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for grid in layout.sheets:
        ws = wb.create_sheet(grid.name)
        for row in grid.rows:
            ws.append(row)
        for ref in grid.merges:
            ws.merge_cells(ref)
        for j, width in enumerate(grid.widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = width
        for (r, c), number_format in grid.formats.items():
            ws.cell(r, c).number_format = number_format
    props = wb.properties
    props.title = layout.title
    props.description = layout.description or None
    props.subject = f"template {t.TEMPLATE_VERSION}"
    props.creator = "parkstat"
    props.lastModifiedBy = "parkstat"
    props.created = props.modified = layout.timestamp
    # Not openpyxl's save_workbook: it stamps the current time into the file.
    archive = _StableZip(path, "w", ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()


def write_workbook(
    filing: Filing | None, path: Path | str, style: WorkbookStyle | None = None
) -> WorkbookLayout:
    """Write `filing` (None: the blank template) as a template-v1 workbook at `path`."""
    layout = layout_workbook(filing, style)
    save_layout(layout, path)
    return layout


def write_template(path: Path | str) -> WorkbookLayout:
    """The blank template the parks fill in: labels and units listed, values empty."""
    return write_workbook(None, path)
