"""What a file may be before it is read: sizes and counts in one place, checked in bounded time
and memory.

A park's workbook is six sheets of a few hundred rows (tens of kilobytes); a
national long CSV export about 300,000 lines of under 200 bytes (36 MB). The
limits are generous against both, and what they stop is what would otherwise
stop the machine: a workbook whose sheet XML unpacks to gigabytes (a
decompression bomb), or a sheet with one cell at XFD1048576, which a reader
unfolds into a grid of 17 billion cells. A file over a limit is rejected (B1)
with a sentence saying which limit and by how much; it is never read.

The checks stream: a workbook's parts are decompressed chunk by chunk and
counted without being kept (a sheet's XML is kept only up to its limit, to
count its rows and cells), and a CSV is scanned line by line in chunks.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sources.xlsx_parts import ZIP_ERRORS, column_index, sheet_parts

MB = 1_000_000


@dataclass(frozen=True)
class Limit:
    name: str  # in the sentence that names it
    most: int
    unit: str


# Workbooks (.xlsx, .xlsm: zip archives of XML parts).
WORKBOOK_FILE = Limit("workbook file size", 50 * MB, "bytes")
WORKBOOK_PARTS = Limit("parts in the workbook archive", 1_000, "parts")
WORKBOOK_UNPACKED = Limit("workbook size unpacked", 100 * MB, "bytes")
WORKBOOK_SHEETS = Limit("sheets", 50, "sheets")
SHEET_XML = Limit("one sheet's XML unpacked", 20 * MB, "bytes")
SHEET_ROWS = Limit("rows on one sheet", 10_000, "rows")
SHEET_COLUMNS = Limit("columns on one sheet", 256, "columns")
SHEET_CELLS = Limit("cells on one sheet", 200_000, "cells")
# Long CSVs: 3.5x the size, 5x the lines of the largest national export.
CSV_FILE = Limit("CSV file size", 128 * MB, "bytes")
CSV_LINES = Limit("lines in one CSV", 1_500_000, "lines")
CSV_LINE = Limit("one CSV line", 4_096, "bytes")
# Old binary workbooks (.xls) are not compressed: their file size bounds them.
XLS_FILE = Limit("workbook file size", 20 * MB, "bytes")

LIMITS = (
    WORKBOOK_FILE,
    WORKBOOK_PARTS,
    WORKBOOK_UNPACKED,
    WORKBOOK_SHEETS,
    SHEET_XML,
    SHEET_ROWS,
    SHEET_COLUMNS,
    SHEET_CELLS,
    CSV_FILE,
    CSV_LINES,
    CSV_LINE,
    XLS_FILE,
)

_CHUNK = 1 << 20
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
# SpreadsheetML, with or without a namespace prefix (x:row): rows, cells, their references.
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
_CELL_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_LINE_END = re.compile(rb"[\r\n]")


_UNREADABLE = (*ZIP_ERRORS, OSError)


class OverLimit(Exception):
    """A file over one of the limits: the sentence says which and by how much."""

    def __init__(self, words: str, sheet: str | None = None):
        super().__init__(words)
        self.sheet = sheet  # the sheet over it, as the workbook names it


def over(limit: Limit, found: int, where: str = "", sheet: str | None = None) -> OverLimit:
    place = f" ({where})" if where else ""
    return OverLimit(
        f"over the limit on {limit.name}{place}: {found:,} {limit.unit}, "
        f"at most {limit.most:,} — {found / limit.most:.1f}x the limit; no filing comes "
        "near it: check that this is the right file",
        sheet,
    )


def check_workbook(path: Path) -> None:
    """Raise OverLimit when the workbook at `path` is over a limit; other damage is left
    to the reader, which says what it is (B1)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":  # not a zip: an old .xls, or not a workbook at all
        if size > XLS_FILE.most:
            raise over(XLS_FILE, size)
        return
    if size > WORKBOOK_FILE.most:
        raise over(WORKBOOK_FILE, size)
    try:
        book = zipfile.ZipFile(path)
    except _UNREADABLE as e:
        # What cannot be measured is not handed to a reader that might unfold it.
        raise OverLimit(f"not a readable workbook: its archive cannot be read ({e})") from e
    with book:
        parts = book.infolist()
        if len(parts) > WORKBOOK_PARTS.most:
            raise over(WORKBOOK_PARTS, len(parts))
        sheets = [p for p in parts if _SHEET_PART.match(p.filename)]
        if len(sheets) > WORKBOOK_SHEETS.most:
            raise over(WORKBOOK_SHEETS, len(sheets))
        names = _sheet_names(book)
        # The sizes a zip declares may lie: what counts is what unpacks.
        unpacked = 0
        for part in parts:
            room = WORKBOOK_UNPACKED.most - unpacked
            is_sheet = part in sheets
            most = min(room, SHEET_XML.most) if is_sheet else room
            size, xml = _unpack(book, part, most, keep=is_sheet)
            unpacked += size
            if unpacked > WORKBOOK_UNPACKED.most:
                declared = sum(p.file_size for p in parts)  # believed only when it says more
                raise over(WORKBOOK_UNPACKED, max(unpacked, declared), "at least")
            if is_sheet:
                sheet = names.get(part.filename, part.filename)
                if size > SHEET_XML.most:
                    raise over(SHEET_XML, max(size, part.file_size), f"{sheet}, at least", sheet)
                _check_sheet(xml, sheet)


def _unpack(
    book: zipfile.ZipFile, part: zipfile.ZipInfo, most: int, keep: bool
) -> tuple[int, bytes]:
    """(what the part unpacks to, read no further than `most` + 1 bytes; those bytes if
    `keep` — a sheet's, kept whole to count its rows and cells — else nothing).

    A deflated part is inflated from its raw bytes: Python's zipfile stops at the size the
    archive declares, which a bomb may understate, while a workbook reader inflates it all."""
    size, kept = 0, []
    try:
        if part.compress_type != zipfile.ZIP_DEFLATED:
            with book.open(part) as stream:
                while size <= most and (chunk := stream.read(_CHUNK)):
                    size += len(chunk)
                    if keep:
                        kept.append(chunk)
            return size, b"".join(kept)
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        for raw in _raw_chunks(book, part):
            chunk = inflate.decompress(raw, most + 1 - size)
            while True:
                size += len(chunk)
                if keep:
                    kept.append(chunk)
                if size > most or not inflate.unconsumed_tail:
                    break
                chunk = inflate.decompress(inflate.unconsumed_tail, most + 1 - size)
            if size > most or inflate.eof:
                break
    except _UNREADABLE:
        pass  # a damaged or encrypted part: the reader says so
    return size, b"".join(kept)


def _raw_chunks(book: zipfile.ZipFile, part: zipfile.ZipInfo):
    """The part's compressed bytes as stored, after its local header."""
    fp = book.fp
    fp.seek(part.header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(part.header_offset + 30 + name_length + extra_length)
    left = part.compress_size
    while left > 0:
        raw = fp.read(min(_CHUNK, left))
        if not raw:
            return
        left -= len(raw)
        yield raw


def _check_sheet(xml: bytes, sheet: str) -> None:
    """Rows, columns and cells as a reader unfolds them from A1: cells with a value only (a
    styled empty cell, <c r="A900" s="3"/>, or a formula alone, is not read), a cell without
    a reference taking the next column, a row without one the next row."""
    cells = top_row = widest = row_number = 0
    lowest = rightmost = ""
    for row in _ROW.finditer(xml):
        number = _ROW_NUMBER.search(row.group(1))
        row_number = int(number.group(1)) if number else row_number + 1
        column = 0
        for cell in _CELL.finditer(row.group(2) or b""):
            ref = _CELL_REF.search(cell.group(1))
            if ref:
                column, row_number = column_index(ref.group(1).decode()) + 1, int(ref.group(2))
            else:
                column += 1
            if not _VALUE.search(cell.group(2) or b""):
                continue
            cells += 1
            if row_number > top_row:
                top_row, lowest = row_number, _cell_name(row_number, column)
            if column > widest:
                widest, rightmost = column, _cell_name(row_number, column)
    far = f"{sheet}: values as far as {lowest}" if lowest else sheet
    if top_row > SHEET_ROWS.most:
        raise over(SHEET_ROWS, top_row, far, sheet)
    if widest > SHEET_COLUMNS.most:
        raise over(SHEET_COLUMNS, widest, f"{sheet}: values as far as {rightmost}", sheet)
    if cells > SHEET_CELLS.most:
        raise over(SHEET_CELLS, cells, sheet, sheet)


def _cell_name(row: int, column: int) -> str:
    """(12, 3) -> C12; (1048576, 16384) -> XFD1048576."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _sheet_names(book: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet part's name as the workbook shows it (xl/worksheets/sheet4.xml -> 税收)."""
    try:
        return {part: name for name, part in sheet_parts(book).items()}
    except (*_UNREADABLE, SyntaxError):
        return {}  # the limits then name the part


def check_csv(path: Path) -> None:
    """Raise OverLimit when the CSV at `path` is over a limit (its size, its lines, one line).

    A line ends at \n, \r\n or \r (old Mac exports)."""
    size = path.stat().st_size
    if size > CSV_FILE.most:
        raise over(CSV_FILE, size)
    lines = line_start = offset = 0
    last_return = -2
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            for end in _LINE_END.finditer(chunk):
                at = offset + end.start()
                if at - line_start > CSV_LINE.most:
                    raise over(CSV_LINE, at - line_start, f"line {lines + 1}")
                if end.group() == b"\r":
                    last_return = at
                    lines += 1
                elif at != last_return + 1:  # the \n of a \r\n ends no second line
                    lines += 1
                line_start = at + 1
            offset += len(chunk)
            if offset - line_start > CSV_LINE.most:
                raise over(CSV_LINE, offset - line_start, f"line {lines + 1}, at least")
            if lines > CSV_LINES.most:
                raise over(CSV_LINES, lines, "at least")
