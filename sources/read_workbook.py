"""Read one park's monthly workbook (template v1) into a Filing, or say why not.

Rows carry their lineage: `_sheet` (the sheet's name as filed) and `_row`
(the workbook row number a person sees in Excel).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from sources import input_limits, sheet_table
from sources import normalise as n
from sources import template as t
from sources.cell_formats import FormatsUnreadable, percent_cells
from sources.filing import Filing
from sources.normalise import CellError, text
from sources.problems import FilingRejected, Problem
from sources.registry import Registry, ResolveError


def read_workbook(path: Path, file_name: str, registry: Registry, today: dt.date) -> Filing:
    """The filing in the workbook at `path` (named `file_name` when it arrived).

    Raises FilingRejected with every problem found: structural ones (B1) stop
    the reading of the sheet they are in; cell problems (B2-B4) are gathered
    across the whole workbook so the park can fix them in one go.
    """
    problems: list[Problem] = []

    def problem(rule, message, sheet=None, row=None, column=None, value=None):
        problems.append(
            Problem(
                rule, file_name, message, sheet, row, column, None if value is None else str(value)
            )
        )

    # calamine builds a sheet as one grid from A1 to its last value: a stray value in
    # XFD1048576 asks for 17 billion cells (an abort, not an error), one in ZZ1000000
    # takes every byte the machine has. The limits are checked before it is asked.
    try:
        input_limits.check_workbook(path)
    except input_limits.OverLimit as e:
        raise FilingRejected([Problem("B1", file_name, str(e), e.sheet)]) from e
    book = _open(path, file_name)
    names = {text(name): name for name in book.sheet_names}
    filed = {s.key: names[text(s.name)] for s in t.SHEETS if text(s.name) in names}
    grids: dict[str, tuple[str, list[list[object]]]] = {}
    for sheet in t.SHEETS:
        filed_name = filed.get(sheet.key)
        if filed_name is None:
            problem(
                "B1",
                f"required sheet '{sheet.name}' is missing "
                f"(sheets found: {', '.join(book.sheet_names)})",
            )
            continue
        grid = _grid(book, filed_name, problem)
        if grid is not None:
            grids[sheet.key] = (filed_name, grid)
    if problems:
        raise FilingRejected(problems)

    try:
        percent = percent_cells(path, [grids[sheet.key][0] for sheet in t.DATA_SHEETS])
    except FormatsUnreadable as e:
        raise FilingRejected([Problem("B1", file_name, f"not a readable workbook: {e}")]) from e
    cover_name, cover_grid = grids["cover"]
    filing = _read_cover(cover_name, cover_grid, registry, today, problem)
    if filing is None:
        raise FilingRejected(problems)
    for sheet in t.DATA_SHEETS:
        filed_name, grid = grids[sheet.key]
        filing.sheets[sheet.key] = _read_data_sheet(
            sheet, filed_name, grid, problem, percent.get(filed_name, set())
        )
    if problems:
        period = n.period_label(filing.period) if filing.period else None
        raise FilingRejected([replace(p, park=filing.park_name, period=period) for p in problems])
    return filing


def _gave_up(e: BaseException) -> bool:
    """Whether calamine gave up on the file: its own errors, or a Rust panic.

    calamine is Rust: on some cells it panics rather than erring, and pyo3
    raises the panic as pyo3_runtime.PanicException, a BaseException (not an
    Exception) with no class to import. Either way it is the file that is wrong.
    """
    kind = type(e)
    return isinstance(e, CalamineError) or (
        kind.__module__ == "pyo3_runtime" and kind.__name__ == "PanicException"
    )


def _open(path: Path, file_name: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except BaseException as e:
        if not (isinstance(e, OSError) or _gave_up(e)):
            raise
        raise FilingRejected([Problem("B1", file_name, f"not a readable workbook ({e})")]) from e


def _grid(book: CalamineWorkbook, sheet_name: str, problem) -> list[list[object]] | None:
    """The sheet's cells from A1, or None when it cannot be read (said as B1 problems).

    calamine parses a sheet when it is asked for, so a sheet whose XML is
    broken is found here, after the workbook opened.
    """
    try:
        sheet = book.get_sheet_by_name(sheet_name)
    except BaseException as e:
        if not _gave_up(e):
            raise
        problem("B1", f"the sheet cannot be read ({e})", sheet_name)
        return None
    try:
        return sheet.to_python(skip_empty_area=False)
    except BaseException as e:
        # A number far outside any calendar in a cell formatted as a date or a
        # time (a duration over 2.7 million years, a date 1e300 days back) cannot
        # become a Python date: calamine panics or Python raises OverflowError.
        if not (isinstance(e, OverflowError) or _gave_up(e)):
            raise
        words = str(e)
    for row in _rows_out_of_calendar(sheet):
        problem(
            "B1",
            f"a cell formatted as a date or a time holds a number no calendar holds "
            f"({words}): format it as a number, or type the date",
            sheet_name,
            row,
        )
    return None


def _rows_out_of_calendar(sheet) -> list[int | None]:
    """The 1-based rows calamine cannot turn into Python values ([None] if it cannot say).

    Row by row, calamine fails for the rows that hold such a cell and goes on.
    """
    end = sheet.end
    last = end[0] + 1 if end else 0
    bad, count = [], 0
    rows = sheet.iter_rows()
    while count <= last:  # bounded: a row that failed is never asked for again
        try:
            next(rows)
        except StopIteration:
            break
        except BaseException as e:
            if not (isinstance(e, OverflowError) or _gave_up(e)):
                raise
            bad.append(count)
        count += 1
    # The rows counted end at the sheet's last row, wherever they begin.
    return [last - count + i + 1 for i in bad] or [None]


def _read_cover(sheet_name, grid, registry, today, problem) -> Filing | None:
    items: dict[str, tuple[int, object]] = {}
    wanted = {text(i): i for i in (*t.COVER_ITEMS, t.COVER_NOTE)}
    for i, cells in enumerate(grid):
        if len(cells) >= 2 and text(cells[0]) in wanted:
            items[wanted[text(cells[0])]] = (i + 1, cells[1])
    for item in t.COVER_REQUIRED:
        if item not in items or n.is_missing(items[item][1]):
            problem("B1", f"required cover item '{item}' is missing or blank", sheet_name)
    if not all(i in items for i in t.COVER_REQUIRED):
        return None

    def cell(item):
        return items.get(item, (None, None))

    park_code = None
    code_row, code_value = cell(t.COVER_PARK_CODE)
    name_row, name_value = cell(t.COVER_PARK_NAME)
    try:
        park_code = registry.resolve(code_value, name_value)
        if not n.is_missing(code_value) and not n.is_missing(name_value):
            by_name = _resolve_or_none(registry, name_value)
            if by_name and by_name != park_code:
                raise ResolveError(
                    f"park code '{code_value}' and park name '{name_value}' name different parks"
                )
    except ResolveError as e:
        problem("B2", str(e), sheet_name, name_row, t.COVER_PARK_NAME, name_value)

    period_row, period_value = cell(t.COVER_PERIOD)
    period = None
    try:
        period = n.period(period_value, today)
    except CellError as e:
        problem(e.rule, str(e), sheet_name, period_row, t.COVER_PERIOD, period_value)

    filed_row, filed_value = cell(t.COVER_FILED)
    filed = None
    try:
        filed = n.date(filed_value)
    except CellError as e:
        problem(e.rule, str(e), sheet_name, filed_row, t.COVER_FILED, filed_value)

    rev_row, rev_value = cell(t.COVER_REVISION)
    revision = 0
    try:
        revision = n.revision(rev_value)
    except CellError as e:
        problem(e.rule, str(e), sheet_name, rev_row, t.COVER_REVISION, rev_value)

    return Filing(
        park_name=str(name_value).strip(),
        period=period,  # type: ignore[arg-type]  # None only when rejected
        filed_date=filed,  # type: ignore[arg-type]
        park_code=park_code,
        revision=revision,
    )


def _resolve_or_none(registry: Registry, name: object) -> str | None:
    try:
        return registry.resolve(None, name)
    except ResolveError:
        return None


def _read_data_sheet(sheet: t.Sheet, sheet_name: str, grid, problem, percent) -> list[dict]:
    located = sheet_table.locate(sheet, grid)
    if located is None:
        problem(
            "B1",
            f"no header row with the template's columns "
            f"({', '.join(c.header for c in sheet.columns)})",
            sheet_name,
        )
        return []
    missing = sheet_table.missing_columns(sheet, located)
    if missing:
        problem(
            "B1",
            "required column(s) missing: " + ", ".join(c.header for c in missing),
            sheet_name,
            located.header_row + 1,
        )
        return []
    located.factors, refused = sheet_table.header_factors(sheet, located)
    for words in refused:
        problem("B1", words, sheet_name, located.header_row + 1)
    if refused:
        return []
    percent_by_row: dict[int, set[int]] = {}
    for i, j in percent:
        percent_by_row.setdefault(i + 1, set()).add(j)
    rows, seen = [], {}
    for row_number, cells in sheet_table.data_rows(grid, located):

        def on_error(rule, column, value, message, _r=row_number):
            problem(rule, message, sheet_name, _r, column, value)

        row = sheet_table.convert_row(
            sheet, cells, located, on_error, percent_by_row.get(row_number, set())
        )
        if row is None:
            continue
        key = row[sheet.key_column.field]
        if key in seen:
            problem(
                "B1",
                f"'{key}' appears twice (rows {seen[key]} and {row_number})",
                sheet_name,
                row_number,
                sheet.key_column.header,
                key,
            )
            continue
        seen[key] = row_number
        row["_sheet"] = sheet_name
        row["_row"] = row_number
        rows.append(row)
    if sheet.has_total and t.TOTAL_ROW not in seen:
        problem("B1", sheet_table.NO_TOTAL, sheet_name, None, sheet.key_column.header)
    return rows
