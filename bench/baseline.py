"""The bare baseline: the fastest plain read of the same files plus one bulk insert.

No normalising, no park resolution, no lineage, no checks: every value as
text into one DuckDB table — a workbook's non-empty cells, a CSV's lines.
This is the floor intake is compared with.
Workbooks are read with python-calamine; CSVs with DuckDB's read_csv when
DuckDB can decode them (UTF-8, with or without BOM) — GB18030 files, which
DuckDB reads only through an extension we do not ship, are decoded in
Python and parsed by pyarrow.
"""

from __future__ import annotations

import codecs
import io
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook


@dataclass
class Baseline:
    files: int
    rows: int  # cells of workbooks, lines of CSVs
    seconds: float


def read_and_insert(files: list[Path], db: Path) -> Baseline:
    started = time.perf_counter()
    tables = []
    for path in files:
        if path.suffix.lower() == ".xlsx":
            tables.append(_workbook_cells(path))
        else:
            tables.append(_csv_lines(path))
    table = pa.concat_tables(tables, promote_options="default") if tables else _long(*[[]] * 5)
    with duckdb.connect(str(db)) as con:
        con.register("cells", table)
        con.execute("create or replace table baseline as select * from cells")
        rows = con.execute("select count(*) from baseline").fetchone()[0]
    return Baseline(len(files), rows, time.perf_counter() - started)


def _long(file, sheet, row, col, value) -> pa.Table:
    return pa.table(
        {
            "file": pa.array(file, pa.string()),
            "sheet": pa.array(sheet, pa.string()),
            "row": pa.array(row, pa.int32()),
            "col": pa.array(col, pa.int32()),
            "value": pa.array(value, pa.string()),
        }
    )


def _workbook_cells(path: Path) -> pa.Table:
    file, sheet, row, col, value = [], [], [], [], []
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for r, cells in enumerate(book.get_sheet_by_name(name).to_python(), 1):
            for c, cell in enumerate(cells, 1):
                if cell != "":
                    file.append(path.name)
                    sheet.append(name)
                    row.append(r)
                    col.append(c)
                    value.append(str(cell))
    return _long(file, sheet, row, col, value)


def _csv_lines(path: Path) -> pa.Table:
    """One row per line, every field as text (the lines are the CSV's rows already)."""
    data = path.read_bytes()
    if _utf8(data):
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")
        lines = con.read_csv(
            str(path), header=False, all_varchar=True, null_padding=True, comment="#",
            sep=",", quotechar='"',
        ).fetch_arrow_table()  # fmt: skip
    else:
        text = data.decode("gb18030").splitlines()
        lines = pacsv.read_csv(
            io.BytesIO("\n".join(x for x in text if not x.startswith("#")).encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            convert_options=pacsv.ConvertOptions(
                column_types={}, strings_can_be_null=True, auto_dict_encode=False
            ),
        )
    columns = {"file": pa.array([path.name] * lines.num_rows, pa.string())}
    for c, column in enumerate(lines.columns, 1):
        columns[f"c{c}"] = column.cast(pa.string())
    return pa.table(columns)


def _utf8(data: bytes) -> bool:
    try:
        codecs.decode(data.removeprefix(codecs.BOM_UTF8), "utf-8")
    except UnicodeDecodeError:
        return False
    return True
