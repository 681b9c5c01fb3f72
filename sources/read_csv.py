"""Read a long CSV (system exports, backfills): many parks and periods, one value a line.

The encoding is detected, not configured: UTF-8 with or without BOM, else
GB18030 (a superset of GBK). Each park and period in the file is a filing of
its own and is accepted or rejected on its own; a problem with the file as a
whole (unreadable, a column missing) rejects them all.

Columns beyond the contract's are ignored, except two a system may add:
填报日期 and 更正次数. Without them a filing's date is unknown (NULL) and
the revision is 0, so a later delivery supersedes an earlier one by arrival.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sources import input_limits, sheet_table
from sources import normalise as n
from sources import template as t
from sources.filing import Filing, Row
from sources.normalise import CellError, text
from sources.problems import FilingRejected, Problem
from sources.registry import Registry, ResolveError

CODE, NAME, PERIOD, SHEET, ITEM, GROUP, MEASURE, VALUE, UNIT = t.CSV_COLUMNS
FILED, REVISION = t.COVER_FILED, t.COVER_REVISION
PLAIN = "plain number"  # VALUE parsed for the whole column where it is a plain ASCII number
PLACES = "decimals"  # and how many decimals it was written with
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")  # one line and its end

# (sheet key, 指标 or None, 口径) -> stored field, from the template's one mapping.
_TARGETS = {
    (sheet_key, item, measure): target
    for sheet_key, lines in t.CSV_LINES.items()
    for item, measure, target in lines
}
_ITEMS = {key: {item for item, _, _ in lines} for key, lines in t.CSV_LINES.items()}
_KINDS = {(s.key, c.field): c.kind for s in t.CSV_SHEETS for c in s.columns}
_AMOUNT_UNITS = {
    (s.key, c.field): c.unit for s in t.CSV_SHEETS for c in s.columns if c.kind == "amount"
}
_SHEET_KEYS = {text(s.name): s for s in t.CSV_SHEETS}
_STEPS = {c.field: c.step_field for s in t.CSV_SHEETS for c in s.columns if c.step_field}


@dataclass
class CsvFiling:
    """One park and period of a long CSV: read, or rejected with its problems."""

    park_text: str
    period_text: str
    first_line: int
    filing: Filing | None = None
    problems: list[Problem] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) — UTF-8 (BOM or not) first, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def read_long_csv(
    path: Path, file_name: str, registry: Registry, today: dt.date
) -> tuple[str, list[CsvFiling]]:
    """(encoding, the filings in the file). Raises FilingRejected for file-level problems."""
    try:
        input_limits.check_csv(path)  # before it is read into memory
    except input_limits.OverLimit as e:
        raise FilingRejected([Problem("B1", file_name, str(e))]) from e
    data = path.read_bytes()
    try:
        content, encoding = decode(data)
    except UnicodeDecodeError as e:
        raise FilingRejected(
            [
                Problem(
                    "B1", file_name, f"not a CSV in UTF-8 or GB18030 ({e.reason} at byte {e.start})"
                )
            ]
        ) from e
    lines_before = 0
    while content.startswith(t.CSV_COMMENT):
        # A line ends where Arrow ends it: \n, \r\n or a lone \r (a file saved with
        # old Mac line ends was read as one comment, then as an empty CSV).
        content = _LINE.sub("", content, count=1)
        lines_before += 1
    table = _read_table(content.encode("utf-8"), file_name, lines_before)

    # A column's place by its name as compared (traditional, full-width, spaces folded).
    places: dict[str, list[int]] = {}
    for j, name in enumerate(table.column_names):
        places.setdefault(text(name), []).append(j)
    header_line = lines_before + 1
    # A column given twice cannot be read: which of the two holds the figures is not known.
    twice = [c for c in (*t.CSV_COLUMNS, FILED, REVISION) if len(places.get(c, ())) > 1]
    if twice:
        raise FilingRejected(
            [
                Problem(
                    "B1",
                    file_name,
                    f"column '{c}' appears {len(places[c])} times (columns "
                    + ", ".join(str(j + 1) for j in places[c])
                    + "): which one holds the figures is not known",
                    row=header_line,
                    column=c,
                )
                for c in twice
            ]
        )
    missing = [c for c in t.CSV_COLUMNS if c not in places]
    if missing:
        raise FilingRejected(
            [
                Problem(
                    "B1",
                    file_name,
                    "required column(s) missing: "
                    + ", ".join(missing)
                    + f" (columns found: {', '.join(table.column_names)})",
                    row=header_line,
                )
            ]
        )
    columns = {c: table.column(j[0]) for c, j in places.items() if len(j) == 1}
    cols = {c: _values(columns[c]) for c in t.CSV_COLUMNS}
    cols[PLAIN] = _plain_numbers(columns[VALUE])
    cols[PLACES] = _plain_decimals(columns[VALUE])
    for extra in (FILED, REVISION):
        cols[extra] = columns[extra].to_pylist() if extra in columns else None

    first_data_line = lines_before + 2  # the header is one line
    groups: dict[tuple[str, str, str], CsvFiling] = {}
    builders: dict[tuple[str, str, str], _Builder] = {}
    for i in range(table.num_rows):
        key = (cols[CODE][i], cols[NAME][i], cols[PERIOD][i])
        line = first_data_line + i
        group = groups.get(key)
        if group is None:
            group = groups[key] = CsvFiling(str(key[1] or key[0]), str(key[2]), line)
            builders[key] = _Builder(group, file_name, registry, today, cols, i)
        builders[key].add(i, line, cols)
    return encoding, [builders[k].finish() for k in groups]


def _values(column: pa.ChunkedArray) -> list:
    """A text column as Python strings, each distinct value made once.

    A long CSV repeats a few values millions of times (表, 指标, 口径, 单位,
    the park and period); converting cell by cell was a seventh of reading.
    """
    encoded = column.combine_chunks().dictionary_encode()
    distinct = np.array(encoded.dictionary.to_pylist() + [None], dtype=object)
    indices = encoded.indices.fill_null(len(distinct) - 1).to_numpy()
    return distinct[indices].tolist()


def _plain_numbers(column: pa.ChunkedArray) -> list[float | None]:
    """The column's plain ASCII numbers parsed at once (normalise.number's hot path);
    None where a cell needs normalise's rules (blank, 1,000, full-width, text)."""
    plain = pc.match_substring_regex(column, n.PLAIN_NUMBER.pattern)
    return pc.cast(
        pc.if_else(plain, column, pa.scalar(None, pa.string())), pa.float64()
    ).to_pylist()


def _plain_decimals(column: pa.ChunkedArray) -> list[int | None]:
    """Decimals of each plain ASCII number without an exponent, at once (normalise.decimals'
    hot path); None where a cell needs normalise's rules."""
    plain = pc.match_substring_regex(column, r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    dot = pc.find_substring(column, ".")
    places = pc.if_else(
        pc.less(dot, 0), 0, pc.subtract(pc.subtract(pc.utf8_length(column), dot), 1)
    )
    return pc.if_else(plain, places, pa.scalar(None, pa.int64())).to_pylist()


def _read_table(data: bytes, file_name: str, lines_before: int) -> pa.Table:
    """The CSV as a table of text columns, or FilingRejected saying why it is not one."""
    try:
        table = _parse(data, _header_types(data))
        if not all(pa.types.is_string(f.type) for f in table.schema):
            # Arrow read the header otherwise than the csv module (a quote or a line
            # break in it): a column without its type would be guessed (0012 read as
            # 12). Read again with the names as Arrow has them.
            table = _parse(data, {name: pa.string() for name in table.column_names})
    except (pa.ArrowInvalid, ValueError) as e:
        raise FilingRejected(_unparsable(data, e, file_name, lines_before)) from e
    return table


def _parse(
    data: bytes, types: dict[str, pa.DataType], use_threads=True, invalid_row_handler=None
) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(autogenerate_column_names=False, use_threads=use_threads),
        parse_options=pacsv.ParseOptions(invalid_row_handler=invalid_row_handler),
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=False, auto_dict_encode=False, column_types=types
        ),
    )


def _header_types(data: bytes) -> dict[str, pa.DataType]:
    """Every column as text: numbers are normalised here, not guessed by the CSV parser."""
    # Arrow ends a line at \n, \r\n or a lone \r; cut there, the csv module never
    # meets a line break inside what it reads (it raises for one).
    first = re.split(rb"\r\n|\r|\n", data, maxsplit=1)[0].decode("utf-8")
    header = next(csv.reader([first]), [])
    return {name: pa.string() for name in header}


# A file whose every line has one field more than its header (an export ending each
# line in a comma) is said in this many lines and a count, not a line each.
_RAGGED_SHOWN = 10


def _unparsable(data: bytes, error: Exception, file_name: str, lines_before: int) -> list[Problem]:
    """Why the CSV cannot be read: the lines whose fields do not match the header, by
    line number, where that is what is wrong; else Arrow's own words."""
    ragged: list[pacsv.InvalidRow] = []

    def keep(row: pacsv.InvalidRow) -> str:
        ragged.append(row)
        return "skip"

    # Read again, on one thread: only so does Arrow number the lines it refuses. If
    # something else is wrong too, Arrow's own words below say it.
    with contextlib.suppress(pa.ArrowInvalid, ValueError):
        _parse(data, _header_types(data), use_threads=False, invalid_row_handler=keep)
    if not ragged:
        return [Problem("B1", file_name, f"not a readable CSV ({error})")]
    problems = [
        Problem(
            "B1",
            file_name,
            f"the line has {row.actual_columns} fields where the header has "
            f"{row.expected_columns}: a comma too many or too few, or a quote not closed",
            row=None if row.number is None else lines_before + row.number,
            value=row.text[:200],
        )
        for row in ragged[:_RAGGED_SHOWN]
    ]
    if len(ragged) > _RAGGED_SHOWN:
        problems.append(
            Problem(
                "B1",
                file_name,
                f"and {len(ragged) - _RAGGED_SHOWN} more lines whose fields do not match "
                "the header",
            )
        )
    return problems


class _Builder:
    """Gathers one park-period's lines into a Filing."""

    def __init__(self, group: CsvFiling, file_name, registry, today, cols, i):
        self.group, self.file_name = group, file_name
        self.rows: dict[tuple[str, str], Row] = {}
        code, name, period = cols[CODE][i], cols[NAME][i], cols[PERIOD][i]
        line = group.first_line
        park_code = resolved_period = None
        try:
            park_code = registry.resolve(code, name)
        except ResolveError as e:
            self.problem("B2", str(e), None, line, NAME, name)
        try:
            resolved_period = n.period(period, today)
        except CellError as e:
            self.problem(e.rule, str(e), None, line, PERIOD, period)
        filed, revision = None, 0
        # Each in its own try: a problem names the column it is in.
        if cols[FILED] is not None:
            try:
                filed = n.date(cols[FILED][i])
            except CellError as e:
                self.problem(e.rule, str(e), None, line, FILED, cols[FILED][i])
        if cols[REVISION] is not None:
            try:
                revision = n.revision(cols[REVISION][i])
            except CellError as e:
                self.problem(e.rule, str(e), None, line, REVISION, cols[REVISION][i])
        self.filing = Filing(
            park_name=str(name or "").strip(),
            period=resolved_period,
            filed_date=filed,
            park_code=park_code,
            revision=revision,
        )

    def problem(self, rule, message, sheet, line, column, value):
        self.group.problems.append(
            Problem(
                rule,
                self.file_name,
                message,
                sheet,
                line,
                column,
                None if value is None else str(value),
                self.group.park_text,
                self.group.period_text,
            )
        )

    def add(self, i: int, line: int, cols) -> None:
        sheet_text = cols[SHEET][i]
        sheet = _SHEET_KEYS.get(text(sheet_text))
        if sheet is None:
            self.problem(
                "B1",
                f"表 '{sheet_text}' is not one of {', '.join(s.name for s in t.CSV_SHEETS)}",
                None,
                line,
                SHEET,
                sheet_text,
            )
            return
        item, group = cols[ITEM][i], cols[GROUP][i]
        if sheet.key == "indicators":
            raw_key, item_key = item, None
        else:
            raw_key, item_key = group, text(item)
            if item_key not in _ITEMS[sheet.key]:
                words = "/".join(sorted(_ITEMS[sheet.key]))
                self.problem(
                    "B1",
                    f"指标 '{item}' is not one of {words} for 表 {sheet.name}",
                    sheet_text,
                    line,
                    ITEM,
                    item,
                )
                return
        key = sheet_table.KEY_NORMALISERS[sheet.key](raw_key)
        if key is None:
            column = ITEM if sheet.key == "indicators" else GROUP
            self.problem(
                "B1",
                f"'{raw_key}' is not {sheet_table.KEY_WORDS[sheet.key]}",
                sheet_text,
                line,
                column,
                raw_key,
            )
            return
        measure = text(cols[MEASURE][i])
        target = _TARGETS.get((sheet.key, item_key, measure))
        is_growth = target is not None and _KINDS[(sheet.key, target)] == "pct"
        if target is None:
            self.problem(
                "B1",
                f"口径 '{cols[MEASURE][i]}' is not valid here",
                sheet_text,
                line,
                MEASURE,
                cols[MEASURE][i],
            )
            return
        row = self.rows.get((sheet.key, key))
        if row is None:
            row = self.rows[(sheet.key, key)] = {
                sheet.key_column.field: key,
                "_sheet": sheet_text,
                "_row": line,
            }
            if sheet.key == "indicators":
                row["unit"] = t.INDICATOR_BY_NAME[key].unit
        if target in row:
            self.problem(
                "B1", f"'{key}' {measure} appears twice", sheet_text, line, MEASURE, measure
            )
            return
        value, unit_cell = cols[VALUE][i], cols[UNIT][i]
        if is_growth:
            expected = None
        elif sheet.key == "indicators":
            expected = t.INDICATOR_BY_NAME[key].unit
        else:
            expected = _AMOUNT_UNITS.get((sheet.key, target))
        factor = 1.0
        if expected in t.UNIT_FACTORS:
            try:
                _, factor = n.unit_factor(unit_cell, expected)
            except CellError as e:
                self.problem(e.rule, str(e), sheet_text, line, UNIT, unit_cell)
                row[target] = None
                return
        # A plain number already parsed goes through normalise as a float; a blank,
        # negative, not plain or too large (1e999 parses as inf) cell as filed, for
        # normalise's rules and messages.
        plain = cols[PLAIN][i]
        usable = plain is not None and math.isfinite(plain) and (is_growth or plain >= 0)
        cell = plain if usable else value
        try:
            row[target] = n.pct(cell) if is_growth else n.amount(cell, factor)
        except CellError as e:
            self.problem(e.rule, str(e), sheet_text, line, VALUE, value)
            row[target] = None
        if target in _STEPS and row[target] is not None:
            places = cols[PLACES][i]
            row[_STEPS[target]] = (
                n.place_value(places, factor) if places is not None else n.step(value, factor)
            )

    def finish(self) -> CsvFiling:
        # A breakdown exported without its 合计 line is not this template; a sheet with
        # no line at all was not reported (a park without trade exports none).
        reported = {sheet_key for sheet_key, _ in self.rows}
        for sheet in t.CSV_SHEETS:
            if (
                sheet.key in reported
                and sheet.has_total
                and (sheet.key, t.TOTAL_ROW) not in self.rows
            ):
                self.problem(
                    "B1", sheet_table.NO_TOTAL, sheet.name, self.group.first_line, GROUP, None
                )
        if not self.group.problems:
            for (sheet_key, _), row in self.rows.items():
                self.filing.sheets.setdefault(sheet_key, []).append(row)
            for sheet in t.CSV_SHEETS:
                for row in self.filing.sheets.setdefault(sheet.key, []):
                    for col in sheet.columns[1:]:
                        row.setdefault(col.field, None)
                        if col.step_field:
                            row.setdefault(col.step_field, None)
            self.group.filing = self.filing
        return self.group
