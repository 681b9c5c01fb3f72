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

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sources import normalise as n
from sources import sheet_table
from sources import template as t
from sources.filing import Filing, Row
from sources.normalise import CellError, text
from sources.problems import FilingRejected, Problem
from sources.registry import Registry, ResolveError

CODE, NAME, PERIOD, SHEET, ITEM, GROUP, MEASURE, VALUE, UNIT = t.CSV_COLUMNS
FILED, REVISION = t.COVER_FILED, t.COVER_REVISION
PLAIN = "plain number"  # VALUE parsed for the whole column where it is a plain ASCII number
PLACES = "decimals"  # and how many decimals it was written with

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
        cut = content.find("\n")
        content = "" if cut < 0 else content[cut + 1 :]
        lines_before += 1
    try:
        table = pacsv.read_csv(
            io.BytesIO(content.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False,
                auto_dict_encode=False,
                column_types=_all_strings(content),
            ),
        )
    except (pa.ArrowInvalid, ValueError) as e:
        raise FilingRejected([Problem("B1", file_name, f"not a readable CSV ({e})")]) from e

    columns = {text(c): c for c in table.column_names}
    missing = [c for c in t.CSV_COLUMNS if c not in columns]
    if missing:
        raise FilingRejected(
            [
                Problem(
                    "B1",
                    file_name,
                    "required column(s) missing: "
                    + ", ".join(missing)
                    + f" (columns found: {', '.join(table.column_names)})",
                    row=lines_before + 1,
                )
            ]
        )
    cols = {c: _values(table.column(columns[c])) for c in t.CSV_COLUMNS}
    cols[PLAIN] = _plain_numbers(table.column(columns[VALUE]))
    cols[PLACES] = _plain_decimals(table.column(columns[VALUE]))
    for extra in (FILED, REVISION):
        cols[extra] = table.column(columns[extra]).to_pylist() if extra in columns else None

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


def _all_strings(content: str) -> dict[str, pa.DataType]:
    """Every column as text: numbers are normalised here, not guessed by the CSV parser."""
    header = next(csv.reader([content.split("\n", 1)[0].rstrip("\r")]), [])
    return {name: pa.string() for name in header}


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
        try:
            if cols[FILED] is not None:
                filed = n.date(cols[FILED][i])
            if cols[REVISION] is not None:
                revision = n.revision(cols[REVISION][i])
        except CellError as e:
            self.problem(e.rule, str(e), None, line, FILED if cols[FILED] else REVISION, None)
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
        # negative or not plain cell as filed, for normalise's rules and messages.
        plain = cols[PLAIN][i]
        cell = plain if plain is not None and (is_growth or plain >= 0) else value
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
