"""Write filings as a long CSV: sheets 2-5, one value a line (template.CSV_COLUMNS).

How a sheet row maps to 指标 / 分组 / 口径 is documented in template.py and
defined by template.CSV_LINES; projects are never in a long CSV. A value that
is not reported gets no line. A CsvStyle per filing carries the presentation
variants (park name and period forms, traditional labels, 亿元, raw value
texts) the sample generator plants.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sources import template as t
from sources.filing import Filing
from sources.normalise import period_label
from sources.write_workbook import (
    YI_FACTOR,
    YI_YUAN,
    CellKey,
    amount_decimals,
    fixed,
    traditional,
    value_kind,
)

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
# Columns a system export may add after the contract's; the readers take them.
FILED_COLUMNS = (t.COVER_FILED, t.COVER_REVISION)

_WAN = t.UNIT_WAN_YUAN
_PCT = t.CSV_GROWTH_UNIT
_KEEP = object()  # CsvStyle: write the filing's own value

# Per sheet: (指标, 口径, stored field); 指标 None means the row's own key (主要指标).
_COLUMNS = {(s.key, c.field): c for s in t.CSV_SHEETS for c in s.columns}
assert all((k, f) in _COLUMNS for k, lines in t.CSV_LINES.items() for _, _, f in lines)


@dataclass
class CsvStyle:
    """How one filing's block is written; the default is the plain form."""

    park_code: object = _KEEP
    park_name: object = _KEEP
    period_label: object = _KEEP
    traditional: bool = False  # 表, 指标, 分组 and 口径 in traditional characters
    unit_yi: bool = False  # 万元 amounts written in 亿元, 计量单位 亿元
    cells: dict[CellKey, object] = field(default_factory=dict)  # raw 数值 instead of the value


@dataclass
class CsvLayout:
    columns: list[str]
    header_line: int  # 1-based, counting the comment lines
    records: list[list[str]]  # data lines as written, in order
    lines: dict[tuple[int, str, str, str], int]  # (filing index, sheet, row key, field) -> line
    first_lines: list[int | None]  # first line of each filing's block

    def record(self, line: int) -> list[str]:
        return self.records[line - self.header_line - 1]


def _unit_and_factor(sheet_key: str, row: dict, fld: str, unit_yi: bool) -> tuple[str, float]:
    column = _COLUMNS[(sheet_key, fld)]
    if column.kind == "pct":
        return _PCT, 1.0
    unit = row.get("unit") if sheet_key == "indicators" else column.unit
    if sheet_key == "indicators" and unit is None:
        unit = t.INDICATOR_BY_NAME[row["indicator"]].unit
    if unit_yi and column.kind == "amount" and unit == _WAN:
        return YI_YUAN, YI_FACTOR
    return unit or "", 1.0


def value_text(value: float, kind: str, factor: float = 1.0) -> str:
    """A stored number as the CSV writes it (in the filed unit)."""
    if kind == "pct":
        return fixed(value, 2)
    if kind == "count" and float(value).is_integer():
        return str(int(value))
    return fixed(value / factor, amount_decimals(factor))


def filing_records(
    filing: Filing, style: CsvStyle | None = None
) -> list[tuple[tuple[str, str, str], list[str]]]:
    """((sheet, row key, field), [园区代码 … 计量单位]) for every line of one filing."""
    style = style or CsvStyle()

    def pick(attr: str, default: object) -> str:
        value = getattr(style, attr)
        value = default if value is _KEEP else value
        return "" if value is None else str(value)

    code = pick("park_code", filing.park_code)
    name = pick("park_name", filing.park_name)
    label = pick("period_label", period_label(filing.period))

    def lab(s: str) -> str:
        return traditional(s) if style.traditional and s else s

    out = []
    for sheet in t.CSV_SHEETS:
        key_field = sheet.key_column.field
        for row in filing.rows(sheet.key):
            key = row[key_field]
            for item, measure, fld in t.CSV_LINES[sheet.key]:
                cell_key = (sheet.key, key, fld)
                unit, factor = _unit_and_factor(sheet.key, row, fld, style.unit_yi)
                if cell_key in style.cells:
                    raw = style.cells[cell_key]
                    text = "" if raw is None else str(raw)
                elif row.get(fld) is None:
                    continue
                else:
                    kind = value_kind(sheet.key, key, _COLUMNS[(sheet.key, fld)])
                    text = value_text(row[fld], kind, factor)
                ind, group = (key, "") if item is None else (item, key)
                record = [
                    code,
                    name,
                    label,
                    lab(sheet.name),
                    lab(ind),
                    lab(group),
                    lab(measure),
                    text,
                    unit,
                ]
                out.append((cell_key, record))
    return out


def write_long_csv(
    filings: Sequence[Filing],
    path: Path | str,
    encoding: str = "utf-8",
    *,
    comments: Sequence[str] = (),
    styles: Sequence[CsvStyle | None] | None = None,
    filed_columns: bool = False,
    omit_columns: Sequence[str] = (),
) -> CsvLayout:
    """Write `filings` as one long CSV at `path` in `encoding` (utf-8, utf-8-sig or gb18030).

    `comments` become first lines starting with template.CSV_COMMENT;
    `filed_columns` adds 填报日期 and 更正次数 after the contract's columns.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding {encoding!r} is not one of {', '.join(ENCODINGS)}")
    columns = list(t.CSV_COLUMNS) + (list(FILED_COLUMNS) if filed_columns else [])
    keep = [j for j, c in enumerate(columns) if c not in omit_columns]
    header_line = len(comments) + 1
    records: list[list[str]] = []
    lines: dict[tuple[int, str, str, str], int] = {}
    first_lines: list[int | None] = []
    for i, filing in enumerate(filings):
        style = styles[i] if styles is not None else None
        first_lines.append(None)
        extra = [filing.filed_date.isoformat(), str(filing.revision)] if filed_columns else []
        for cell_key, record in filing_records(filing, style):
            line = header_line + len(records) + 1
            if first_lines[i] is None:
                first_lines[i] = line
            lines[(i, *cell_key)] = line
            full = record + extra
            records.append([full[j] for j in keep])
    with open(path, "w", encoding=encoding, newline="") as f:
        for comment in comments:
            f.write(f"{t.CSV_COMMENT} {comment}\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([columns[j] for j in keep])
        writer.writerows(records)
    return CsvLayout([columns[j] for j in keep], header_line, records, lines, first_lines)
