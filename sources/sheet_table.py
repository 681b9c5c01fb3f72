"""Find a template sheet's table in a grid of cells and turn its rows into stored rows.

Parks add title rows, merge header cells, write headers in traditional
characters and put units in header parentheses; the header is found by the
template's column words rather than by position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sources import normalise as n
from sources import registry
from sources import template as t
from sources.filing import Row
from sources.normalise import CellError, text

# How far down a sheet the header may start (title rows, notes above it).
_HEADER_SEARCH_ROWS = 10
# A row whose first cell starts with one of these is a note, not data.
_NOTE_PREFIXES = ("注", "说明", "备注", "填表说明", "单位负责人", "统计负责人", "填表人")
_PARENS = re.compile(r"\(([^()]*)\)")


def _key_project_code(value: object) -> str | None:
    s = text(value)
    return s or None


# Normalises a sheet's key column into its stored name, None when unknown.
KEY_NORMALISERS: dict[str, Callable[[object], str | None]] = {
    "indicators": n.indicator_name,
    "chains": lambda v: t.TOTAL_ROW if text(v) == t.TOTAL_ROW else registry.chain(v),
    "tax": n.tax_type,
    "trade": n.partner,
    "projects": _key_project_code,
}
KEY_WORDS = {
    "indicators": "an indicator of template v1",
    "chains": "an industry chain on the reference list (sources/registry/industry_chains.csv)",
    "tax": f"a tax type of template v1 ({'/'.join(t.TAX_TYPES)}/{t.TOTAL_ROW})",
    "trade": "a trade partner of template v1",
    "projects": "a project code",
}


# A breakdown sheet without its 合计 row (template.Sheet.has_total).
NO_TOTAL = (
    f"required row '{t.TOTAL_ROW}' is missing: the breakdown's total, which the "
    "balance edits and the headline figures are checked against"
)


@dataclass
class Located:
    header_row: int  # 0-based index of the (last) header row
    columns: dict[str, int]  # Column.field -> 0-based column index
    units: dict[str, str]  # Column.field -> money unit written in the header, if any
    headers: dict[str, str]  # Column.field -> header text as filed
    factors: dict[str, float] = field(default_factory=dict)  # from the units (header_factors)


def _cell_text(cell: object) -> str:
    return text(cell) if isinstance(cell, str) else ""


def _match(sheet: t.Sheet, header: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Column.field -> index, preferring an exact header over one that merely contains the words."""
    found: dict[str, int] = {}
    units: dict[str, str] = {}
    used: set[int] = set()
    for col in sheet.columns:
        exact = text(col.header.split("(")[0])
        hits = [
            j
            for j, h in enumerate(header)
            if j not in used and h and all(w in h for w in col.match_words)
        ]
        if not hits:
            continue
        j = next((j for j in hits if _PARENS.sub("", header[j]) == exact), hits[0])
        found[col.field] = j
        used.add(j)
        for inside in _PARENS.findall(header[j]):
            if n.is_money_unit(inside):
                units[col.field] = inside
    return found, units


def locate(sheet: t.Sheet, grid: list[list[object]]) -> Located | None:
    """The header row and column positions of `sheet`'s table in `grid`, or None.

    The header is the row matching most of the template's columns (at least
    two, the key column among them). A second header row under it with an
    empty first cell is joined to it, the upper cells carried across their
    merged span: 本年累计(万元) over 出口 | 进口 reads as 出口本年累计(万元).
    """
    best: Located | None = None
    best_score = 1
    for i, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        header = [_cell_text(c) for c in row]
        candidates = [(i, header)]
        if i + 1 < len(grid):
            below = [_cell_text(c) for c in grid[i + 1]]
            if not below[0] and any(below):
                carried, upper = [], ""
                for j, h in enumerate(header):
                    upper = h or (upper if j > 0 else "")
                    carried.append(upper + (below[j] if j < len(below) else ""))
                candidates.append((i + 1, carried))
        for last, cells in candidates:
            found, units = _match(sheet, cells)
            if sheet.key_column.field in found and len(found) > best_score:
                best_score = len(found)
                headers = {f: str(grid[last][j] or cells[j]) for f, j in found.items()}
                best = Located(last, found, units, headers)
    return best


def missing_columns(sheet: t.Sheet, located: Located) -> list[t.Column]:
    return [c for c in sheet.columns if c.required and c.field not in located.columns]


def header_factors(sheet: t.Sheet, located: Located) -> tuple[dict[str, float], list[str]]:
    """Each amount column's factor from the unit its header carries, and the headers refused.

    A column whose header says (亿元), (千元) or (元) where the template has
    (万元) is converted; one in another currency, (万美元) over 万元 figures,
    or in a unit parkstat does not know is refused (B1), never read as the
    template's own unit. 主要指标 has a unit per row (see _row_unit).
    """
    factors: dict[str, float] = {}
    refused: list[str] = []
    if sheet.key == "indicators":
        return factors, refused
    for col in sheet.columns:
        filed = located.units.get(col.field)
        expected = col.unit
        if filed is None or col.kind != "amount" or expected is None:
            continue
        try:
            factors[col.field] = n.unit_factor(filed, expected)[1]
        except CellError as e:
            refused.append(f"column {located.headers.get(col.field, col.header)}: {e}")
    return factors, refused


def data_rows(grid: list[list[object]], located: Located):
    """(1-based row number, cells) for each data row below the header."""
    key_j = min(located.columns.values())
    for i in range(located.header_row + 1, len(grid)):
        cells = grid[i]
        if not any(not n.is_missing(c) for c in cells):
            continue
        first = _cell_text(cells[key_j]) if key_j < len(cells) else ""
        if first.startswith(_NOTE_PREFIXES):
            continue
        yield i + 1, cells


def convert(kind: str, value: object, factor: float = 1.0, percent_format: bool = False) -> object:
    """One cell in its stored form by the column's kind; raises CellError.

    `percent_format`: the cell is formatted as a percentage (only a growth
    column reads it; an amount is never scaled by its format)."""
    if kind in ("text",):
        return None if n.is_missing(value) else str(value).strip()
    if kind == "unit":
        return n.unit(value) or None
    if kind == "amount":
        return n.amount(value, factor)
    if kind == "count":
        return n.count(value)
    if kind == "pct":
        return n.pct(value, percent_format)
    if kind == "date":
        return n.date(value)
    if kind == "stage":
        return n.stage(value)
    if kind == "flag":
        return n.flag(value)
    if kind == "chain":
        if n.is_missing(value):
            return None
        chain = registry.chain(value)
        if chain is None:
            raise CellError("B1", f"'{value}' is not {KEY_WORDS['chains']}")
        return chain
    raise ValueError(kind)


def convert_row(
    sheet: t.Sheet,
    cells: list[object],
    located: Located,
    on_error: Callable[[str, str, object, str], None],
    percent_columns: frozenset[int] | set[int] = frozenset(),
) -> Row | None:
    """A stored row from a data row's cells; problems go to on_error(rule, column, value, msg).

    `percent_columns`: the row's cells formatted as percentages (0-based
    column indexes, sources/cell_formats.py). Returns None when the key is
    unknown (reported as B1).
    """

    def cell(field: str) -> object:
        j = located.columns.get(field)
        return cells[j] if j is not None and j < len(cells) else None

    key_col = sheet.key_column
    raw_key = cell(key_col.field)
    key = KEY_NORMALISERS[sheet.key](raw_key)
    if key is None:
        on_error(
            "B1",
            located.headers.get(key_col.field, key_col.header),
            raw_key,
            f"'{raw_key}' is not {KEY_WORDS[sheet.key]}",
        )
        return None
    row: Row = {key_col.field: key}
    row_unit = _row_unit(sheet, key, cell("unit"), on_error, located)
    for col in sheet.columns[1:]:
        if col.kind == "unit":
            row[col.field] = row_unit[0] if row_unit else None
            continue
        factor = 1.0
        if col.kind == "amount":
            factor = located.factors.get(col.field, 1.0)
            if row_unit is not None:
                factor = _indicator_factor(key, row_unit, col, located, on_error)
        value = cell(col.field)
        percent = located.columns.get(col.field) in percent_columns
        try:
            row[col.field] = convert(col.kind, value, factor, percent)
        except CellError as e:
            on_error(e.rule, located.headers.get(col.field, col.header), value, str(e))
            row[col.field] = None
        if col.step_field:
            row[col.step_field] = None if row[col.field] is None else n.step(value, factor, percent)
    return row


def _row_unit(sheet, key, unit_cell, on_error, located) -> tuple[str, float | None] | None:
    """For 主要指标: the row's stored unit, and its factor when its unit cell gives one."""
    if sheet.key != "indicators":
        return None
    ind = t.INDICATOR_BY_NAME[key]
    if not ind.is_amount:
        return ind.unit, 1.0
    if not n.unit(unit_cell):
        return ind.unit, None  # each amount column by its header's unit, if any
    try:
        return n.unit_factor(unit_cell, ind.unit)
    except CellError as e:
        on_error(e.rule, located.headers.get("unit", "计量单位"), unit_cell, str(e))
        return ind.unit, 1.0


def _indicator_factor(key, row_unit, col, located, on_error) -> float:
    """A 主要指标 amount's factor: the row's unit cell, else the column header's unit."""
    if row_unit[1] is not None:
        return row_unit[1]
    filed = located.units.get(col.field, "")
    try:
        return n.unit_factor(filed, t.INDICATOR_BY_NAME[key].unit)[1]
    except CellError as e:
        on_error(e.rule, located.headers.get(col.field, col.header), filed, str(e))
        return 1.0
