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
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>)")
_CELL_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')


class OverLimit(Exception):
    """A file over one of the limits: the sentence says which and by how much."""


def over(limit: Limit, found: int, where: str = "") -> OverLimit:
    place = f" ({where})" if where else ""
    return OverLimit(
        f"over the limit on {limit.name}{place}: {found:,} {limit.unit}, "
        f"at most {limit.most:,} — {found / limit.most:.1f}x the limit; no filing comes "
        "near it: check that this is the right file"
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
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # the reader rejects it as unreadable
    with book:
        parts = book.infolist()
        if len(parts) > WORKBOOK_PARTS.most:
            raise over(WORKBOOK_PARTS, len(parts))
        sheets = [p for p in parts if _SHEET_PART.match(p.filename)]
        if len(sheets) > WORKBOOK_SHEETS.most:
            raise over(WORKBOOK_SHEETS, len(sheets))
        # The sizes a zip declares may lie: what counts is what unpacks.
        unpacked = 0
        for part in parts:
            room = WORKBOOK_UNPACKED.most - unpacked
            is_sheet = part in sheets
            size, xml = _unpack(book, part, min(room, SHEET_XML.most) if is_sheet else room)
            unpacked += size
            if unpacked > WORKBOOK_UNPACKED.most:
                declared = sum(p.file_size for p in parts)  # believed only when it says more
                raise over(WORKBOOK_UNPACKED, max(unpacked, declared), "at least")
            if is_sheet:
                if size > SHEET_XML.most:
                    raise over(SHEET_XML, max(size, part.file_size), f"{part.filename}, at least")
                _check_sheet(xml, part.filename)


def _unpack(book: zipfile.ZipFile, part: zipfile.ZipInfo, most: int) -> tuple[int, bytes]:
    """(what the part unpacks to, read no further than `most` + 1 bytes; those bytes when the
    part is a sheet — kept whole to count its rows and cells — else nothing).

    A deflated part is inflated from its raw bytes: Python's zipfile stops at the size the
    archive declares, which a bomb may understate, while a workbook reader inflates it all."""
    sheet = bool(_SHEET_PART.match(part.filename))
    size, kept = 0, []
    try:
        if part.compress_type != zipfile.ZIP_DEFLATED:
            with book.open(part) as stream:
                while size <= most and (chunk := stream.read(_CHUNK)):
                    size += len(chunk)
                    if sheet:
                        kept.append(chunk)
            return size, b"".join(kept)
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        for raw in _raw_chunks(book, part):
            chunk = inflate.decompress(raw, most + 1 - size)
            while True:
                size += len(chunk)
                if sheet:
                    kept.append(chunk)
                if size > most or not inflate.unconsumed_tail:
                    break
                chunk = inflate.decompress(inflate.unconsumed_tail, most + 1 - size)
            if size > most or inflate.eof:
                break
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError):
        pass  # damaged or encrypted: the reader says so
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


def _check_sheet(xml: bytes, name: str) -> None:
    """Rows, columns and cells as a reader unfolds them: cells with a value only (a styled
    empty cell, <c r="A900" s="3"/>, is not read), a cell without a reference taking the
    next column."""
    rows = cells = top_row = widest = 0
    for row in _ROW.finditer(xml):
        column, row_number, valued = 0, None, False
        number = _ROW_NUMBER.search(row.group(1))
        for cell in _CELL.finditer(row.group(2) or b""):
            ref = _CELL_REF.search(cell.group(1))
            column = _column_number(ref.group(1)) if ref else column + 1
            if cell.group(2) == b"/>":
                continue
            valued = True
            cells += 1
            widest = max(widest, column)
            if ref:
                row_number = max(row_number or 0, int(ref.group(2)))
        if valued:
            rows += 1
            top_row = max(top_row, row_number or (int(number.group(1)) if number else rows))
    for limit, found in ((SHEET_ROWS, top_row), (SHEET_COLUMNS, widest), (SHEET_CELLS, cells)):
        if found > limit.most:
            raise over(limit, found, name)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def check_csv(path: Path) -> None:
    """Raise OverLimit when the CSV at `path` is over a limit (its size, its lines, one line)."""
    size = path.stat().st_size
    if size > CSV_FILE.most:
        raise over(CSV_FILE, size)
    lines, line_start, offset = 0, 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            at = chunk.find(b"\n")
            while at != -1:
                if offset + at - line_start > CSV_LINE.most:
                    raise over(CSV_LINE, offset + at - line_start, f"line {lines + 1}")
                lines += 1
                line_start = offset + at + 1
                at = chunk.find(b"\n", at + 1)
            offset += len(chunk)
            if offset - line_start > CSV_LINE.most:
                raise over(CSV_LINE, offset - line_start, f"line {lines + 1}, at least")
            if lines > CSV_LINES.most:
                raise over(CSV_LINES, lines, "at least")
