"""Whatever arrives, the readers answer with a reading or a rejection that says why, never a crash.

Hypothesis feeds the workbook reader, the long CSV reader and the normaliser
under them anything a landing folder may hold: cells of any type and text
(control characters, NaN and infinities, errors, formulas, dates no calendar
holds), sheets added, renamed, emptied or dropped, workbooks cut short or with
bytes flipped, CSVs in any encoding, cut mid-character, with NUL bytes, BOMs,
unbalanced quotes and ragged rows. Each must end as a reading whose values
are the stored forms the raw layer takes (finite amounts, never negative,
dates as dates) or as FilingRejected whose problems carry a B1-B4 rule and
name the file, and the sheet, row and column of a cell's problem.

The examples are derandomized and the database is off, so CI sees the same
ones every run. `PARKSTAT_ANY_INPUT_SCALE=20` runs twenty times as many (a
deeper search after changing a reader). Inputs that once broke a reader are
kept below as regression cases, each with the bug it found.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl.utils.exceptions import IllegalCharacterError

from sources import normalise as n
from sources import raw_store
from sources import template as t
from sources.filing import Filing
from sources.generate.economy import TIANYI, build_economy
from sources.generate.truth import build_filing
from sources.normalise import CellError
from sources.problems import FilingRejected, Problem
from sources.read_csv import CsvFiling, read_long_csv
from sources.read_workbook import read_workbook
from sources.registry import default_registry
from sources.write_csv import write_long_csv
from sources.write_workbook import write_workbook

TODAY = dt.date(2025, 8, 20)
PERIOD = dt.date(2025, 7, 1)
REGISTRY = default_registry()
# The names the files arrived under: problems must carry these, not the paths read.
XLSX_NAME = "天易经开区 2025年1-7月 月报.xlsx"
CSV_NAME = "系统导出 2025-07.csv"
INTAKE_RULES = {"B1", "B2", "B3", "B4"}
INT32_MAX = 2**31 - 1  # the raw layer's revision and row_number columns

_SCALE = int(os.environ.get("PARKSTAT_ANY_INPUT_SCALE", "1"))


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples * _SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------
# The valid filing everything starts from, written once by the project's writers.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Base:
    dir: Path
    xlsx: bytes = field(repr=False)  # as write_workbook wrote it
    resaved: bytes = field(repr=False)  # saved again by openpyxl, with formatted cells
    csv_text: str = field(repr=False)  # write_long_csv's text, 填报日期 and 更正次数 included

    def path(self, name: str) -> Path:
        return self.dir / name

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(f"Base({self.dir})")  # how Hypothesis shows it in a failing example


@pytest.fixture(scope="session")
def base(tmp_path_factory) -> Base:
    out = tmp_path_factory.mktemp("any-input")
    park = REGISTRY.version_at(TIANYI, dt.date(2025, 1, 1))
    assert park is not None
    econ = build_economy(park, [2024, 2025], 7)
    filing = build_filing(econ, PERIOD, dt.date(2025, 8, 6), econ.park.name)
    write_workbook(filing, out / "base.xlsx")
    write_long_csv([filing], out / "base.csv", filed_columns=True)
    # The same workbook as office software saves it: shared strings, and styles
    # with percentage, date and duration formats for the XML edits to point at.
    book = openpyxl.load_workbook(out / "base.xlsx")
    formats = book.create_sheet("格式")
    for j, fmt in enumerate(_NUMBER_FORMATS[1:], 1):
        formats.cell(1, j).value = 1.5
        formats.cell(1, j).number_format = fmt
    book.save(out / "resaved.xlsx")
    made = Base(
        out,
        (out / "base.xlsx").read_bytes(),
        (out / "resaved.xlsx").read_bytes(),
        (out / "base.csv").read_text(encoding="utf-8"),
    )
    # Both start as readings: every rejection below is the edit's doing.
    assert isinstance(_read_xlsx(made.path("base.xlsx")), Filing)
    assert isinstance(_read_xlsx(made.path("resaved.xlsx")), Filing)
    assert all(p.filing for p in _read_csv(made.path("base.csv")))
    return made


# --------------------------------------------------------------------------
# What every answer must be.
# --------------------------------------------------------------------------
def _assert_problems(problems: list[Problem], file_name: str, fmt: str) -> None:
    assert problems, "a rejection without a problem"
    for p in problems:
        assert isinstance(p, Problem)
        assert p.rule in INTAKE_RULES, p
        assert p.file == file_name, p
        assert isinstance(p.message, str) and p.message, p
        assert p.row is None or (type(p.row) is int and p.row >= 1), p
        assert p.value is None or isinstance(p.value, str), p
        assert p.sheet is None or isinstance(p.sheet, str), p
        if fmt == "xlsx" and p.row is not None:
            assert p.sheet, p  # a row is a sheet's row
        if p.rule != "B1":  # a cell's problem: the park is told which cell
            assert p.row is not None and p.column, p
            if fmt == "xlsx":
                assert p.sheet, p
        assert p.sentence()


def _assert_sane(filing: Filing, fmt: str) -> None:
    """A reading holds the stored forms the raw layer takes, nothing else."""
    assert filing.park_code in REGISTRY.codes
    assert isinstance(filing.park_name, str)
    assert type(filing.period) is dt.date and filing.period.day == 1
    assert filing.period.month != 1 and filing.period < TODAY.replace(day=1)
    if fmt == "xlsx" or filing.filed_date is not None:
        assert type(filing.filed_date) is dt.date
    assert type(filing.revision) is int and 0 <= filing.revision <= INT32_MAX
    for key, rows in filing.sheets.items():
        sheet = t.SHEET_BY_KEY[key]
        keys = [row[sheet.key_column.field] for row in rows]
        assert len(keys) == len(set(keys)), keys
        for row in rows:
            _assert_sane_row(sheet, row)
        # The raw layer's own types take every row (sources/raw_store.py).
        pa.Table.from_pylist(
            [
                {
                    **row,
                    "sheet": row["_sheet"],
                    "row_number": row["_row"],
                    "period": filing.period,
                    "filed_date": filing.filed_date,
                    "revision": filing.revision,
                }
                for row in rows
            ],
            schema=raw_store.sheet_schema(sheet),
        )


def _assert_sane_row(sheet: t.Sheet, row: dict) -> None:
    assert isinstance(row["_sheet"], str)
    assert type(row["_row"]) is int and 1 <= row["_row"] <= INT32_MAX
    for col in sheet.columns:
        v = row[col.field]
        if col.kind == "key":
            assert isinstance(v, str) and v, row
        elif v is None:
            pass
        elif col.kind in ("amount", "count"):
            assert type(v) is float and math.isfinite(v) and v >= 0, (col.field, v)
        elif col.kind == "pct":
            assert type(v) is float and math.isfinite(v), (col.field, v)
        elif col.kind == "date":
            assert type(v) is dt.date, (col.field, v)
        elif col.kind == "flag":
            assert type(v) is bool, (col.field, v)
        else:
            assert isinstance(v, str), (col.field, v)
        if col.step_field:
            step = row[col.step_field]
            if v is None:
                assert step is None, (col.field, row)
            else:
                assert type(step) is float and math.isfinite(step) and step >= 0, (col, step)


def _outcome(what: str) -> None:
    """Counted for `pytest --hypothesis-show-statistics`: how many examples were read,
    how many rejected and why (a strategy that only ever makes B1 tests little)."""
    if currently_in_test_context():
        event(what)


def _read_xlsx(path: Path) -> Filing | None:
    """The reading, checked; None when rejected (its problems checked)."""
    try:
        filing = read_workbook(path, XLSX_NAME, REGISTRY, TODAY)
    except FilingRejected as e:
        _assert_problems(e.problems, XLSX_NAME, "xlsx")
        _outcome(
            "xlsx rejected: "
            + " ".join(sorted({p.rule for p in e.problems}))
            + " "
            + e.problems[0].message[:25]
        )
        return None
    _outcome("xlsx read")
    _assert_sane(filing, "xlsx")
    return filing


def _read_csv(path: Path) -> list[CsvFiling]:
    """The CSV's filings, each read or rejected, checked; [] when the file is rejected."""
    try:
        encoding, parts = read_long_csv(path, CSV_NAME, REGISTRY, TODAY)
    except FilingRejected as e:
        _assert_problems(e.problems, CSV_NAME, "csv")
        _outcome("csv rejected: " + e.problems[0].message[:30])
        return []
    assert encoding in ("utf-8", "utf-8-sig", "gb18030")
    for part in parts:
        _outcome("csv filing " + ("read" if part.filing else "rejected " + part.problems[0].rule))
        assert (part.filing is None) == bool(part.problems), part
        if part.filing is None:
            _assert_problems(part.problems, CSV_NAME, "csv")
        else:
            _assert_sane(part.filing, "csv")
    return parts


# --------------------------------------------------------------------------
# Cell values: anything a cell can hold, and the forms parks type.
# --------------------------------------------------------------------------
_FORMS = (
    # not reported, numbers as text, and what is not a number
    *("", " ", "-", "—", "/", "－", "N/A", "约5000", "五千", "1.2.3", "12,3a4"),
    *("12,345.6", "１２３４５.６", "(123)", "5.25%", "-3.2", "-0", "0", "1e3", ".5", "5."),
    *("1e999", "-1e999", "1e-999", "1e308", "2e308", "NaN", "nan", "inf", "-Infinity"),
    *("９" * 400, "1" * 400, "0." + "0" * 400 + "1", "1e-400", "12\n", "\t5\r"),
    # Excel's errors and formulas typed as text
    *("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"),
    *("=1/0", "=A1", "=SUM(C2:C9)", '=""', "=NA()"),
    # periods, dates, revisions
    *("2025年1-7月", "2025年1—7月", "2025年7月", "2025-07", "202507", "2025.07", "2025年1-1月"),
    *("0000年1-7月", "0000-07", "000007", "9999年1-12月", "2025年3-7月", "2025-13", "1900-02"),
    *("2025-08-06", "2025年8月6日", "20250806", "2025-02-30", "0000-01-01", "9999-12-31"),
    *("1e400", "1e12", "2147483648", "3.5", "-1", "99"),
    # names, units, stages, flags the template knows
    *("湘潭天易经开区", "湘潭天易經開區", "HN430305", "hn430305", "HN000000", "湘乡經開區"),
    *("合计", "其他", "规模工业总产值", "其中:工业税收", "食品医药", "增值税", "香港"),
    *("亿元", "万元", "元", "万美元", "(亿元)", "%", "家", "千元", "人民币元"),
    *("是", "否", "√", "×", "已签约", "已投产", "maybe"),
)
_TEXT = st.text(max_size=24)  # any Unicode but lone surrogates: control characters too
_NUMBER_FORMATS = (None, "0.00%", "yyyy-mm-dd", "[h]:mm:ss", "hh:mm", "@", '0.0"%"', "0.00")

cell_values = st.one_of(
    st.none(),
    _TEXT,
    st.sampled_from(_FORMS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 1e20, 2958466.0, 1e10, -5.0, 0.5, 202507.0, 20250806.0]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
cell_edits = st.tuples(cell_values, st.sampled_from(_NUMBER_FORMATS))


def _put(cell, value: object, number_format: str | None) -> None:
    """Write `value` into an openpyxl cell as a file could hold it."""
    try:
        cell.value = value
    except IllegalCharacterError:
        # openpyxl refuses control characters; a file from other software holds them.
        cell._value, cell.data_type = value, "s"
    except (ValueError, TypeError, OverflowError):
        reject()  # a value no workbook can hold (openpyxl says so)
    if number_format:
        cell.number_format = number_format


def _save(book, path: Path) -> Path:
    try:
        book.save(path)
    except (ValueError, TypeError, OverflowError):
        reject()  # openpyxl cannot write it: no park's file holds it either
    return path


# --------------------------------------------------------------------------
# The normaliser: every cell conversion gives a stored form or a CellError with its rule.
# --------------------------------------------------------------------------
def _cell_error_or(call, *args):
    try:
        return call(*args)
    except CellError as e:
        assert e.rule in INTAKE_RULES, (call.__name__, args, e.rule)
        assert str(e)
        return None


_FACTORS = st.sampled_from([1.0, 10_000.0, 100.0, 0.1, 0.0001])


@_settings(400)
@given(value=cell_values, factor=_FACTORS, percent=st.booleans())
@example(value="1e999", factor=1.0, percent=False)  # B3, was stored as inf
@example(value=1e300, factor=10_000.0, percent=False)  # B3, was inf after 亿元 -> 万元
@example(value=2**1100, factor=1.0, percent=False)  # B3, was OverflowError
@example(value="1e400", factor=1.0, percent=False)  # 更正次数: B3, was OverflowError
@example(value="2147483648", factor=1.0, percent=False)  # 更正次数: B3, overflowed the store
@example(value="0000年1-7月", factor=1.0, percent=False)  # B2, was ValueError (year 0)
@example(value=1e306, factor=1.0, percent=True)  # growth: B3, was inf as a percent
def test_the_normaliser_takes_any_cell(value, factor, percent):
    for call in (n.number, n.amount, n.count, n.flag, n.stage, n.date):
        stored = _cell_error_or(call, value)
        if call in (n.number, n.amount, n.count) and stored is not None:
            assert type(stored) is float and math.isfinite(stored)
    amount = _cell_error_or(n.amount, value, factor)
    assert amount is None or (math.isfinite(amount) and amount >= 0)
    pct = _cell_error_or(n.pct, value, percent)
    assert pct is None or (type(pct) is float and math.isfinite(pct))
    if amount is not None:
        step = n.step(value, factor)
        assert step is None or (math.isfinite(step) and step >= 0)
    if pct is not None:
        step = n.step(value, 1.0, percent)
        assert step is None or (math.isfinite(step) and step >= 0)
    date = _cell_error_or(n.date, value)
    assert date is None or type(date) is dt.date
    period = _cell_error_or(n.period, value, TODAY)
    assert period is None or (type(period) is dt.date and period < TODAY.replace(day=1))
    revision = _cell_error_or(n.revision, value)
    assert revision is None or (type(revision) is int and 0 <= revision <= t.MAX_REVISION)
    for call in (n.text, n.unit, n.indicator_name, n.partner, n.tax_type):
        assert call(value) is None or isinstance(call(value), str)
    assert isinstance(n.is_missing(value), bool)


def _outcomes(value: object) -> tuple:
    """What each normaliser makes of a cell: its stored form, or the rule it breaks."""
    out = []
    for call in (n.number, n.amount, n.flag, n.stage, n.date, n.revision, n.unit):
        try:
            out.append(call(value))
        except CellError as e:
            out.append(e.rule)
    for call in (n.indicator_name, n.partner, n.tax_type):
        out.append(call(value))
    try:
        out.append(n.period(value, TODAY))
    except CellError as e:
        out.append(e.rule)
    return tuple(out)


_SAME_BUT_NOT = st.sampled_from([True, False, 1, 0, 1.0, 0.0, -0.0, "1", "True"])


@_settings(150)
@given(cells=st.lists(st.one_of(_SAME_BUT_NOT, cell_values), min_size=2, max_size=8))
@example(cells=[True, 1.0])  # 是否500强 1 read as 是 after a TRUE: text() cached by ==
def test_a_cell_reads_the_same_whatever_was_read_before(cells):
    alone = []
    for value in cells:
        n.text.cache_clear()
        alone.append(_outcomes(value))
    n.text.cache_clear()
    assert [_outcomes(value) for value in cells] == alone


@_settings(100)
@given(
    filed=st.one_of(_TEXT, st.sampled_from(_FORMS)), expected=st.sampled_from(["万元", "万美元"])
)
def test_any_unit_converts_or_is_b1(filed, expected):
    try:
        stored, factor = n.unit_factor(filed, expected)
    except CellError as e:
        assert e.rule == "B1"
        return
    assert stored == expected and factor > 0


# --------------------------------------------------------------------------
# Workbooks: any cell values.
# --------------------------------------------------------------------------
_SHEET_NAMES = [s.name for s in t.SHEETS]


def _cover_rows(ws) -> dict[str, int]:
    return {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}


@_settings(60)
@given(
    cover=st.dictionaries(st.sampled_from([*t.COVER_ITEMS, t.COVER_NOTE]), cell_edits, max_size=3),
    cells=st.lists(
        st.tuples(
            st.sampled_from(_SHEET_NAMES),
            st.integers(1, 24),
            st.integers(1, 16),
            cell_edits,
        ),
        max_size=6,
    ),
)
@example(cover={}, cells=[("主要指标", 3, 3, (-1e300, "yyyy-mm-dd"))])  # B1, was a Rust panic
@example(cover={}, cells=[("税收", 2, 2, (1e20, "[h]:mm:ss"))])  # B1, was OverflowError
@example(cover={}, cells=[("税收", 2, 2, (-1e300, "[h]:mm:ss"))])  # B1, was a Rust panic
@example(cover={"更正次数": (1e300, None)}, cells=[])  # B3, was OverflowError
@example(cover={"报告期": ("0000年1-7月", None)}, cells=[])  # B2, was ValueError (year 0)
@example(cover={}, cells=[("主要指标", 3, 3, ("1e999", None))])  # B3, was stored as inf
@example(cover={}, cells=[("主要指标", 3, 5, (1e306, "0.00%"))])  # B3, was inf as a percent
def test_a_workbook_with_any_cell_values(base, cover, cells):
    book = openpyxl.load_workbook(base.path("base.xlsx"))
    rows = _cover_rows(book[t.COVER.name])
    for item, (value, fmt) in cover.items():
        _put(book[t.COVER.name].cell(rows.get(item, 20), 2), value, fmt)
    for sheet, row, col, (value, fmt) in cells:
        _put(book[sheet].cell(row, col), value, fmt)
    _read_xlsx(_save(book, base.path("cells.xlsx")))


# --------------------------------------------------------------------------
# Workbooks: sheets added, renamed, emptied, dropped, moved; rows and columns shifted.
# --------------------------------------------------------------------------
_SHEET_TITLES = st.one_of(
    st.sampled_from(
        [
            *_SHEET_NAMES,
            "主要指標",
            "產業鏈產值",
            "稅收",
            "進出口",
            "封 面",
            " 税收",
            "Sheet1",
            "税收 ",
        ]
    ),
    st.text(st.characters(exclude_characters="\\/?*[]:'"), min_size=1, max_size=31),
)
_SHEET_INDEX = st.integers(0, 7)
sheet_ops = st.one_of(
    st.tuples(st.just("rename"), _SHEET_INDEX, _SHEET_TITLES),
    st.tuples(st.just("add"), _SHEET_TITLES, st.lists(cell_values, max_size=4)),
    st.tuples(st.just("remove"), _SHEET_INDEX),
    st.tuples(st.just("empty"), _SHEET_INDEX),
    st.tuples(st.just("move"), _SHEET_INDEX, st.integers(-6, 6)),
    st.tuples(
        st.sampled_from(["delete_rows", "insert_rows", "delete_cols", "insert_cols"]),
        _SHEET_INDEX,
        st.integers(1, 22),
        st.integers(1, 4),
    ),
    st.tuples(st.just("merge"), _SHEET_INDEX, st.integers(1, 12), st.integers(1, 6)),
)


def _apply_sheet_op(book, op) -> None:
    what, *args = op
    sheets = book.worksheets
    taken = {name.lower() for name in book.sheetnames}  # Excel's names ignore case
    if what == "add":
        title, values = args
        if title.lower() in taken:
            return
        ws = book.create_sheet(title)
        for j, value in enumerate(values, 1):
            _put(ws.cell(1, j), value, None)
        return
    if args[0] >= len(sheets):
        return
    ws = sheets[args[0]]
    if what == "rename" and args[1].lower() not in taken:
        ws.title = args[1]
    elif what == "remove" and len(sheets) > 1:  # openpyxl saves no workbook without a sheet
        book.remove(ws)
    elif what == "empty":
        ws.delete_rows(1, ws.max_row)
    elif what == "move":
        book.move_sheet(ws, args[1])
    elif what == "merge":
        ws.merge_cells(start_row=args[1], start_column=1, end_row=args[1] + 1, end_column=args[2])
    elif what in ("delete_rows", "insert_rows", "delete_cols", "insert_cols"):
        getattr(ws, what)(args[1], args[2])


@_settings(60)
@given(ops=st.lists(sheet_ops, min_size=1, max_size=5))
@example(ops=[("empty", 1)])
@example(ops=[("empty", 0)])
@example(ops=[("rename", 3, "稅收"), ("rename", 1, "主要指標")])
@example(ops=[("delete_cols", 1, 1, 4)])  # a sheet one column wide
def test_a_workbook_with_any_sheets(base, ops):
    book = openpyxl.load_workbook(base.path("base.xlsx"))
    for op in ops:
        _apply_sheet_op(book, op)
    _read_xlsx(_save(book, base.path("sheets.xlsx")))


# --------------------------------------------------------------------------
# Workbooks: what openpyxl never writes but a file may hold (edited in its XML).
# --------------------------------------------------------------------------
_V_TOKENS = st.one_of(
    st.sampled_from(
        [
            *("inf", "-inf", "NaN", "nan", "infinity", "1e999", "-1e999", "1e-999", "-0"),
            *("", " 5 ", "5e", ".", "-", "+5", "0x10", "1_000", "1,5", "9" * 400, "2958466"),
            *("#DIV/0!", "#N/A", "#VALUE!", "TRUE", "1", "7", "2025-13-45", "2025-07-01T00:00"),
            *("-1e300", "1e300", "99999999", "0"),
        ]
    ),
    _TEXT,
)
_CELL_TYPES = st.sampled_from([None, "n", "e", "b", "d", "s", "str", "inlineStr", "zz"])
_CELL_REFS = st.one_of(
    st.none(),
    st.sampled_from(
        ["A0", "XFE1", "XFD1048576", "XFD1048577", "A1048576", "ZZZZ99999999", "", "a1", "1A"]
    ),
)


def _xml_text(s: str) -> str:
    """Text as XML escapes it; characters XML cannot hold are dropped by the writer here."""
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


_CELL = re.compile(rb"<c r=\"([A-Z]+\d+)\"[^>]*?(?:/>|>.*?</c>)")

xml_edits = st.one_of(
    # a cell replaced by one of any type, style, reference, formula and value
    st.tuples(
        st.just("cell"),
        st.integers(1, 6),  # sheetN.xml
        st.integers(0, 120),  # which cell
        _CELL_TYPES,
        st.integers(0, 12),  # style index; the resaved workbook has about eight
        _CELL_REFS,
        st.one_of(st.none(), st.sampled_from(["1/0", "SUM(A1:A3)", "A1"])),
        _V_TOKENS,
    ),
    # a number format's code
    st.tuples(st.just("format"), st.one_of(_TEXT, st.sampled_from(["0%", "yyyy", "[h]", ""]))),
    # the names the workbook gives its sheets
    st.tuples(st.just("sheet name"), st.integers(0, 6), _TEXT),
    # the sheet's declared extent
    st.tuples(
        st.just("dimension"), st.integers(1, 6), st.sampled_from(["A1", "A1:XFD1048576", "", "Z"])
    ),
)


def _apply_xml_edit(members: dict[str, bytes], edit) -> None:
    what, *args = edit
    if what == "cell":
        sheet, k, typ, style, ref, formula, token = args
        part = f"xl/worksheets/sheet{sheet}.xml"
        if part not in members:
            return
        found = list(_CELL.finditer(members[part]))
        if not found:
            return
        hit = found[k % len(found)]
        attrs = f' r="{hit[1].decode() if ref is None else ref}"'
        attrs += f' t="{typ}"' if typ else ""
        attrs += f' s="{style}"' if style else ""
        inner = f"<f>{formula}</f>" if formula else ""
        inner += (
            f"<is><t>{_xml_text(token)}</t></is>"
            if typ == "inlineStr"
            else f"<v>{_xml_text(token)}</v>"
        )
        cell = f"<c{attrs}>{inner}</c>".encode()
        members[part] = members[part][: hit.start()] + cell + members[part][hit.end() :]
    elif what == "format":
        code = _xml_text(args[0]).encode()
        members["xl/styles.xml"] = re.sub(
            rb'formatCode="[^"]*"', b'formatCode="' + code + b'"', members["xl/styles.xml"], count=1
        )
    elif what == "sheet name":
        k, name = args
        parts = re.split(rb'(<sheet name=")[^"]*(")', members["xl/workbook.xml"])
        # re.split keeps the two groups: every 3rd piece after the first is a name's place.
        if 3 * k + 1 < len(parts):
            parts[3 * k + 1] += _xml_text(name).encode()
        members["xl/workbook.xml"] = b"".join(parts)
    elif what == "dimension":
        part = f"xl/worksheets/sheet{args[0]}.xml"
        if part in members:
            members[part] = re.sub(
                rb'<dimension ref="[^"]*"', f'<dimension ref="{args[1]}"'.encode(), members[part]
            )


@_settings(80)
@given(edits=st.lists(xml_edits, min_size=1, max_size=4))
@example(edits=[("cell", 2, 8, "n", 3, None, None, "-1e300")])  # date-styled: was a panic
@example(edits=[("cell", 2, 8, None, 0, None, None, "inf")])  # B3, was stored as inf
@example(edits=[("cell", 2, 8, None, 0, None, None, "NaN")])  # not reported
@example(edits=[("cell", 2, 8, "s", 0, None, None, "99999")])  # a shared string that is not there
def test_a_workbook_with_any_cell_xml(base, edits):
    members = _members(base.resaved)
    for edit in edits:
        _apply_xml_edit(members, edit)
    path = base.path("xml.xlsx")
    path.write_bytes(_zip(members))
    _read_xlsx(path)


# --------------------------------------------------------------------------
# Workbooks: broken archives.
# --------------------------------------------------------------------------
broken_archives = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 13_000)),
    st.tuples(
        st.just("flip"),
        st.lists(st.tuples(st.integers(0, 13_000), st.integers(0, 255)), min_size=1),
    ),
    st.tuples(st.just("drop"), st.lists(st.integers(0, 20), min_size=1, max_size=6)),
    st.tuples(st.just("garbage member"), st.integers(0, 20), st.binary(max_size=300)),
    st.tuples(st.just("stored"), st.integers(0, 20), st.binary(max_size=40)),
    st.tuples(st.just("garbage zip"), st.lists(st.tuples(_TEXT, st.binary(max_size=100)))),
    st.tuples(st.just("garbage"), st.binary(max_size=3000)),
)


def _broken(data: bytes, how) -> bytes:
    what, *args = how
    if what == "truncate":
        return data[: args[0] % len(data)]
    if what == "flip":
        out = bytearray(data)
        for i, b in args[0]:
            out[i % len(out)] = b
        return bytes(out)
    members = _members(data)
    names = sorted(members)
    if what == "drop":  # a zip without some of the workbook's parts
        for i in args[0]:
            members.pop(names[i % len(names)], None)
        return _zip(members)
    if what == "garbage member":
        members[names[args[0] % len(names)]] = args[1]
        return _zip(members)
    if what == "stored":  # uncompressed members, one of them with a tail of garbage
        name = names[args[0] % len(names)]
        members[name] += args[1]
        return _zip(members, zipfile.ZIP_STORED)
    if what == "garbage zip":
        try:
            return _zip({name or "x": content for name, content in args[0]})
        except (ValueError, IndexError, UnicodeError):
            reject()  # a member name Python's zipfile cannot write
    return args[0]


@_settings(150)
@given(how=broken_archives)
@example(how=("flip", [(11251, 0xD5)]))  # zip version 21.3: was NotImplementedError
@example(how=("truncate", 0))
@example(how=("drop", [0, 1, 2, 3, 4, 5]))
@example(how=("garbage member", 11, b"<worksheet><sheetData><row><c"))  # 税收: was XmlError
@example(how=("garbage member", 5, b"\xff\xfe"))  # styles.xml not XML
def test_a_broken_workbook_archive(base, how):
    path = base.path("broken.xlsx")
    path.write_bytes(_broken(base.xlsx, how))
    _read_xlsx(path)


# --------------------------------------------------------------------------
# Long CSVs: any bytes, any encoding, any fields.
# --------------------------------------------------------------------------
@_settings(150)
@given(data=st.binary(max_size=600))
@example(data=b"")
@example(data=b"\x00\x00\x00")
@example(data=b"\xef\xbb\xbf")
@example(data=b"\xff\xfe\x00\x00")
def test_a_csv_of_any_bytes(base, data):
    path = base.path("bytes.csv")
    path.write_bytes(data)
    _read_csv(path)


_CSV_VALUES = st.one_of(
    _TEXT,
    st.sampled_from(_FORMS),
    st.sampled_from(['"', '""', '"a,b"', ",", "\r", "\n", "\x00", "\ufeff"]),
)
_COLUMN_NAMES = st.one_of(
    st.sampled_from(
        [*t.CSV_COLUMNS, t.COVER_FILED, t.COVER_REVISION, "園區代碼", " 数值 ", "备注"]
    ),
    _TEXT,
)
# A field of a line: mostly data lines, any of the eleven columns (and beyond).
field_edits = st.tuples(st.just("field"), st.integers(0, 140), st.integers(0, 12), _CSV_VALUES)
structure_edits = st.one_of(
    st.tuples(st.just("ragged"), st.integers(0, 140), st.integers(0, 12)),
    st.tuples(st.just("drop line"), st.integers(0, 140)),
    st.tuples(st.just("line"), st.integers(0, 140), _CSV_VALUES),
    st.tuples(st.just("header"), st.integers(0, 12), _COLUMN_NAMES),
    st.tuples(st.just("duplicate column"), st.integers(0, 10)),
    st.tuples(st.just("drop column"), st.integers(0, 10)),
)
byte_edits = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 20_000)),
    st.tuples(st.just("nul"), st.integers(0, 20_000)),
    st.tuples(st.just("flip"), st.integers(0, 20_000), st.integers(0, 255)),
    st.tuples(st.just("bom"), st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\xfe\xff"])),
)


def _split_csv(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.rstrip("\n").split("\n")]


def _apply_csv_edit(lines: list[list[str]], edit) -> None:
    what, *args = edit
    line = lines[args[0] % len(lines)] if what != "header" else lines[0]
    if what == "field":
        if not line:
            line.append("")
        line[args[1] % len(line)] = args[2]
    elif what == "ragged" and line:
        del line[args[1] % len(line) :]
    elif what == "drop line" and len(lines) > 1:
        del lines[args[0] % len(lines)]
    elif what == "line":
        lines.insert(args[0] % (len(lines) + 1), [args[1]])
    elif what == "header" and line:
        line[args[0] % len(line)] = args[1]
    elif what in ("duplicate column", "drop column") and lines[0]:
        j = args[0] % len(lines[0])
        for line in lines:
            if j < len(line):
                if what == "duplicate column":
                    line.append(line[j])
                else:
                    del line[j]


def _apply_byte_edit(data: bytes, edit) -> bytes:
    what, *args = edit
    if what == "bom":
        return args[0] + data
    if not data:
        return data
    i = args[0] % len(data)
    if what == "truncate":
        return data[:i]
    if what == "nul":
        return data[:i] + b"\x00" + data[i:]
    return data[:i] + bytes([args[1]]) + data[i + 1 :]


def _csv_text(base: Base, edits, newline: str, quoted: bool, comment: bool) -> str:
    lines = _split_csv(base.csv_text)
    for edit in edits:
        _apply_csv_edit(lines, edit)
    out = io.StringIO()
    if comment:
        out.write(f"{t.CSV_COMMENT} 合成数据{newline}")
    if quoted:
        csv.writer(out, lineterminator=newline).writerows(lines)
    else:
        out.write(newline.join(",".join(line) for line in lines) + newline)
    return out.getvalue()


@_settings(120)
@given(
    fields=st.lists(field_edits, min_size=1, max_size=5),
    structure=st.lists(structure_edits, max_size=2),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    quoted=st.booleans(),
    comment=st.booleans(),
)
@example(  # 数值 1e999: B3, was stored as inf
    fields=[("field", 1, 7, "1e999")],
    structure=[],
    newline="\n",
    encoding="utf-8",
    quoted=False,
    comment=False,
)
@example(  # 更正次数 1e400: B3, was OverflowError
    fields=[("field", 1, 10, "1e400")],
    structure=[],
    newline="\n",
    encoding="utf-8",
    quoted=False,
    comment=False,
)
@example(  # 报告期 0000年1-7月: B2, was ValueError (year 0)
    fields=[("field", 1, 2, "0000年1-7月")],
    structure=[],
    newline="\n",
    encoding="gb18030",
    quoted=False,
    comment=True,
)
@example(  # \r in the header: was csv.Error
    fields=[("field", 0, 2, "报告期\r")],
    structure=[],
    newline="\n",
    encoding="utf-8",
    quoted=False,
    comment=False,
)
@example(  # a column twice: was KeyError
    fields=[("field", 3, 7, "1")],
    structure=[("duplicate column", 7)],
    newline="\n",
    encoding="utf-8",
    quoted=False,
    comment=False,
)
@example(  # a ragged line: B1 naming its line
    fields=[("field", 3, 7, "1")],
    structure=[("ragged", 5, 3)],
    newline="\r\n",
    encoding="utf-8-sig",
    quoted=False,
    comment=True,
)
def test_a_csv_with_any_fields(base, fields, structure, newline, encoding, quoted, comment):
    text = _csv_text(base, [*structure, *fields], newline, quoted, comment)
    path = base.path("fields.csv")
    path.write_bytes(text.encode(encoding))
    _read_csv(path)


@_settings(100)
@given(
    fields=st.lists(field_edits, max_size=2),
    encoding=st.sampled_from(
        ["utf-8", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-32", "big5", "latin-1"]
    ),
    damage=st.lists(byte_edits, min_size=1, max_size=3),
)
@example(fields=[], encoding="utf-8", damage=[("truncate", 1001)])  # cut inside a character
@example(fields=[], encoding="utf-16", damage=[("nul", 0)])
@example(fields=[], encoding="gb18030", damage=[("bom", codecs.BOM_UTF8)])
def test_a_csv_in_any_encoding_cut_or_damaged(base, fields, encoding, damage):
    text = _csv_text(base, fields, "\n", quoted=False, comment=False)
    data = text.encode(encoding, errors="replace")
    for edit in damage:
        data = _apply_byte_edit(data, edit)
    path = base.path("damaged.csv")
    path.write_bytes(data)
    _read_csv(path)


# --------------------------------------------------------------------------
# The bugs the properties found, said as the outcome each input must have now.
# --------------------------------------------------------------------------
def _rejected_xlsx(path: Path) -> list[Problem]:
    with pytest.raises(FilingRejected) as e:
        read_workbook(path, XLSX_NAME, REGISTRY, TODAY)
    _assert_problems(e.value.problems, XLSX_NAME, "xlsx")
    return e.value.problems


def _edited_workbook(base: Base, name: str, sheet: str, cell: str, value, fmt=None) -> Path:
    book = openpyxl.load_workbook(base.path("base.xlsx"))
    book[sheet][cell].value = value
    if fmt:
        book[sheet][cell].number_format = fmt
    book.save(base.path(name))
    return base.path(name)


@pytest.mark.parametrize(
    ("value", "fmt"),
    [(-1e300, "yyyy-mm-dd"), (1e20, "[h]:mm:ss"), (-1e300, "[h]:mm:ss"), (1e10, "[h]:mm")],
)
def test_a_date_no_calendar_holds_is_b1_naming_its_sheet_and_row(base, value, fmt):
    """calamine panicked (pyo3_runtime.PanicException, not an Exception) or raised
    OverflowError for a number far out of range in a cell formatted as a date or time."""
    path = _edited_workbook(base, "far-date.xlsx", "税收", "B4", value, fmt)
    [problem] = _rejected_xlsx(path)
    assert (problem.rule, problem.sheet, problem.row) == ("B1", "税收", 4)


@pytest.mark.parametrize("token", ["inf", "-inf", "1e999", "Infinity"])
def test_an_infinite_amount_is_b3_not_stored(base, token):
    members = _members(base.xlsx)
    part = "xl/worksheets/sheet2.xml"  # 主要指标; C3 is 规模工业总产值 本年累计
    members[part] = re.sub(rb'(<c r="C3"[^>]*><v>)[^<]*', rb"\g<1>" + token.encode(), members[part])
    path = base.path("inf.xlsx")
    path.write_bytes(_zip(members))
    [problem] = _rejected_xlsx(path)
    assert (problem.rule, problem.sheet, problem.row, problem.column) == (
        "B3",
        "主要指标",
        3,
        "本年累计",
    )


def test_a_growth_beyond_any_float_as_a_percentage_is_b3(base):
    path = _edited_workbook(base, "pct.xlsx", "主要指标", "E3", 1e307, "0.00%")
    [problem] = _rejected_xlsx(path)
    assert (problem.rule, problem.row, problem.column) == ("B3", 3, "同比增长(%)")


@pytest.mark.parametrize(
    ("item", "value", "rule"),
    [
        (t.COVER_REVISION, 1e300, "B3"),  # was OverflowError in int()
        (t.COVER_REVISION, float(2**31), "B3"),  # fitted no store: a revision is a small count
        (t.COVER_PERIOD, "0000年1-7月", "B2"),  # was ValueError: year 0 is out of range
        (t.COVER_PERIOD, "0000-07", "B2"),
    ],
)
def test_a_cover_value_out_of_range_names_its_rule_and_cell(base, item, value, rule):
    book = openpyxl.load_workbook(base.path("base.xlsx"))
    cover = book[t.COVER.name]
    row = _cover_rows(cover)[item]
    cover.cell(row, 2).value = value
    book.save(base.path("cover.xlsx"))
    [problem] = _rejected_xlsx(base.path("cover.xlsx"))
    assert (problem.rule, problem.sheet, problem.row, problem.column) == (
        rule,
        t.COVER.name,
        row,
        item,
    )


def test_a_workbook_whose_zip_says_an_unknown_version_is_b1(base):
    """Python's zipfile (reading the percentage styles) raised NotImplementedError."""
    path = base.path("version.xlsx")
    directory = base.xlsx.find(b"PK\x01\x02")  # the first member's central directory entry
    path.write_bytes(_broken(base.xlsx, ("flip", [(directory + 6, 0xD5)])))  # version needed
    [problem] = _rejected_xlsx(path)
    assert problem.rule == "B1" and problem.sheet is None


def test_a_sheet_calamine_cannot_parse_is_b1_naming_the_sheet(base):
    """The sheets are parsed when asked for, after the workbook opened: calamine's
    XmlError there escaped the reader."""
    members = _members(base.xlsx)
    members["xl/worksheets/sheet4.xml"] = b"<worksheet><sheetData><row><c"
    path = base.path("bad-sheet.xlsx")
    path.write_bytes(_zip(members))
    [problem] = _rejected_xlsx(path)
    assert (problem.rule, problem.sheet) == ("B1", "税收")


def _csv_with(base: Base, change) -> Path:
    lines = _split_csv(base.csv_text)
    change(lines)
    path = base.path("regression.csv")
    path.write_text("\n".join(",".join(line) for line in lines) + "\n", encoding="utf-8")
    return path


def _rejected_csv(path: Path) -> list[Problem]:
    with pytest.raises(FilingRejected) as e:
        read_long_csv(path, CSV_NAME, REGISTRY, TODAY)
    _assert_problems(e.value.problems, CSV_NAME, "csv")
    return e.value.problems


def _one_rejected_filing(path: Path) -> list[Problem]:
    [part] = _read_csv(path)
    assert part.filing is None
    return part.problems


def test_a_lone_carriage_return_in_the_csv_header_is_b1_not_csv_error(base):
    """Arrow ends a line at a lone \\r, the csv module (reading the header's names
    for their types) raised csv.Error for one: now the header is cut where Arrow cuts
    it, and the line after it is said to have more fields than the header."""

    def carriage_return(lines):
        lines[0][2] = "报告期\r"

    problems = _rejected_csv(_csv_with(base, carriage_return))
    # Every line has more fields than the three-name header: ten are named, then a count.
    assert [p.row for p in problems] == [*range(2, 12), None]
    assert "header has 3" in problems[0].message and "more lines" in problems[-1].message


def test_a_csv_with_old_mac_line_ends_and_a_comment_is_read(base):
    """Comments were cut at \\n only: with \\r line ends the whole file was one
    comment, and rejected as an empty CSV."""
    path = base.path("mac.csv")
    path.write_bytes(f"{t.CSV_COMMENT} 合成数据\r{base.csv_text}".replace("\n", "\r").encode())
    [part] = _read_csv(path)
    assert part.filing is not None
    assert part.filing.rows("indicators")[0]["_row"] == 3  # the comment, the header, then it


def test_a_csv_column_given_twice_is_b1_naming_the_header(base):
    def twice(lines):
        for line in lines:
            line.append(line[7])  # 数值 again

    [problem] = _rejected_csv(_csv_with(base, twice))
    assert (problem.rule, problem.row, problem.column) == ("B1", 1, "数值")


def test_an_infinite_csv_value_is_b3(base):
    def inf(lines):
        lines[2][7] = "1e999"

    [problem] = _one_rejected_filing(_csv_with(base, inf))
    assert (problem.rule, problem.row, problem.column, problem.value) == ("B3", 3, "数值", "1e999")


@pytest.mark.parametrize("revision", ["1e400", "2147483648", "1e12"])
def test_a_csv_revision_out_of_range_is_b3_in_its_column(base, revision):
    def far(lines):
        for line in lines[1:]:
            line[10] = revision

    [problem] = _one_rejected_filing(_csv_with(base, far))
    assert (problem.rule, problem.row, problem.column) == ("B3", 2, t.COVER_REVISION)


def test_a_csv_period_in_year_zero_is_b2(base):
    def year_zero(lines):
        for line in lines[1:]:
            line[2] = "0000年1-7月"

    [problem] = _one_rejected_filing(_csv_with(base, year_zero))
    assert (problem.rule, problem.row, problem.column) == ("B2", 2, t.CSV_COLUMNS[2])


def test_a_ragged_csv_line_is_b1_naming_its_line(base):
    def ragged(lines):
        del lines[4][3:]

    problems = _rejected_csv(_csv_with(base, ragged))
    assert [(p.rule, p.row) for p in problems] == [("B1", 5)]


def _far_value(base: Base, cell: str, inner: bytes = b"<v>1</v>", extra: bytes = b"") -> Path:
    """The workbook with 税收 holding one more cell at `cell` (and `extra` after it)."""
    members = _members(base.xlsx)
    part = "xl/worksheets/sheet4.xml"  # 税收
    row = re.match(r"[A-Z]+(\d+)", cell)[1]
    far = f'<row r="{row}"><c r="{cell}">'.encode() + inner + b"</c></row>" + extra
    members[part] = members[part].replace(b"</sheetData>", far + b"</sheetData>")
    path = base.path("far.xlsx")
    path.write_bytes(_zip(members))
    return path


@pytest.mark.parametrize("cell", ["XFD1048576", "ZZ1000000", "A1048576", "A2000000"])
def test_a_value_far_beyond_the_table_is_b1_naming_its_cell(base, cell):
    """calamine builds a sheet as one grid: XFD1048576 ended the process (an abort:
    17 billion cells), ZZ1000000 took 23 GB before the kernel killed it."""
    [problem] = _rejected_xlsx(_far_value(base, cell))
    assert (problem.rule, problem.sheet) == ("B1", "税收")
    assert cell in problem.message


@pytest.mark.parametrize("inner", [b"", b"<f>SUM(B2:B5)</f>"])
def test_a_far_cell_with_a_format_or_formula_but_no_value_is_read(base, inner):
    """calamine makes no grid for a cell that holds nothing: such a cell, which Excel
    writes for a border drawn far down, refuses nothing."""
    assert _read_xlsx(_far_value(base, "XFD1048576", inner)) is not None


def test_a_far_value_in_a_sheet_python_cannot_parse_is_still_b1(base):
    """Where Python's XML parser stops (a stray & here) and calamine would not, the
    places the cells name decide."""
    path = _far_value(base, "XFD1048576", extra=b"<row r='5'><c r='Z5' t='inlineStr'>&</c></row>")
    [problem] = _rejected_xlsx(path)
    assert (problem.rule, problem.sheet) == ("B1", "税收") and "XFD1048576" in problem.message


def test_a_control_character_in_a_sheet_keeps_its_percentages(base):
    """A raw control character (a vertical tab pasted from Word into a project name)
    is not XML to Python's parser: the search for percentage cells gave up silently
    and a 5.25 % growth, held as 0.0525, was stored as 0.0525."""
    book = openpyxl.load_workbook(base.path("base.xlsx"))
    name = book["主要指标"]["E3"]  # 规模工业总产值, 同比增长(%)
    name.value, name.number_format = 0.0525, "0.00%"
    project = book["招商项目"]["B2"]
    project._value, project.data_type = "金隆\x0b食品项目", "s"  # as other software writes it
    path = _save(book, base.path("control.xlsx"))
    filing = _read_xlsx(path)
    assert filing is not None
    output = next(r for r in filing.rows("indicators") if r["indicator"] == t.IND_OUTPUT)
    assert output["yoy_reported_pct"] == pytest.approx(5.25)


def test_a_cell_holding_1_is_read_alike_before_and_after_a_true():
    """text() is cached, and a cache finds True, 1 and 1.0 as one key: 1.0 in 是否500强
    read as 是 after a TRUE had been read, and as B3 before."""
    n.text.cache_clear()
    with pytest.raises(CellError):
        n.flag(1.0)
    assert n.flag(True) is True
    with pytest.raises(CellError):
        n.flag(1.0)
