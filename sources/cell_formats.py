"""Which cells of a workbook are formatted as percentages, read from its zip.

Excel keeps a percentage as its fraction: a growth cell that shows 6.50 %
holds 0.065. The cell values (read by calamine) do not say so; the number
format in the workbook's styles does. This reads only what is needed to know
it: xl/styles.xml, and — when some style is a percentage at all — the cells of
the sheets asked for that use such a style. (How far a sheet reaches, which
calamine must not be asked to unfold, is an input limit: sources/input_limits.py.)
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

from sources.xlsx_parts import ZIP_ERRORS, column_index, local, sheet_parts

# Excel's built-in number formats that are percentages: 0% and 0.00%.
_BUILTIN_PERCENT = {9, 10}
_BUILTIN_PERCENT_ID = re.compile(rb'numFmtId="(?:9|10)"')
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
# In a format code, text in quotes, escaped characters and [colour]/[condition]
# sections are shown as they are: a % there does not make a percentage.
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


# What Python's zipfile and XML parser raise for a file they cannot read: the
# archive's errors (xlsx_parts.ZIP_ERRORS), XML that is not well formed, a style
# index that is not a number (a ValueError, among them).
_UNREADABLE = (*ZIP_ERRORS, SyntaxError)


# Control characters XML 1.0 does not allow. Some writers put them raw into a
# cell's text; calamine reads past them, Python's parser stops. Dropped before
# parsing (a byte below 0x20 is never part of a UTF-8 multibyte character),
# they change no style and no place.
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class FormatsUnreadable(Exception):
    """The workbook's number formats cannot be read, so its percentage cells cannot be told."""


def is_percent_format(code: str) -> bool:
    """Whether an Excel number format code shows its number as a percentage."""
    return "%" in _LITERALS.sub("", code)


def _percent_styles(book: zipfile.ZipFile) -> set[int]:
    """Indexes into cellXfs (a cell's `s`) whose number format is a percentage."""
    try:
        data = book.read("xl/styles.xml")
    except KeyError:
        return set()
    # Most workbooks have no percentage anywhere in their styles: said without parsing.
    if b"%" not in data and not _BUILTIN_PERCENT_ID.search(data):
        return set()
    custom: dict[int, str] = {}
    styles: list[int] = []
    in_cell_xfs = False
    for event, element in iterparse(
        io.BytesIO(_XML_ILLEGAL.sub(b"", data)), events=("start", "end")
    ):
        name = local(element.tag)
        if name == "cellXfs":
            in_cell_xfs = event == "start"
        elif event == "end" and name == "numFmt":
            custom[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
        elif event == "end" and name == "xf" and in_cell_xfs:
            styles.append(int(element.get("numFmtId", "0")))
        if event == "end" and name not in ("numFmts", "cellXfs"):
            element.clear()
    return {
        i
        for i, fmt in enumerate(styles)
        if fmt in _BUILTIN_PERCENT or is_percent_format(custom.get(fmt, ""))
    }


def percent_cells(path: Path, sheet_names: list[str]) -> dict[str, set[tuple[int, int]]]:
    """For each sheet asked for: the (0-based row, 0-based column) of its percentage cells.

    Empty when the workbook has no percentage style, the usual case, after
    reading its styles only, and when there is no file to read. Raises
    FormatsUnreadable when the file cannot be read here: calamine reads cells
    from some archives Python's zipfile refuses (a newer zip version, another
    compression method), and taken without their formats a growth of 6.5 %
    would be stored as the fraction 0.065.
    """
    found: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as book:
            percent = _percent_styles(book)
            if not percent:
                return found
            parts = sheet_parts(book)
            for name in sheet_names:
                if name not in parts:
                    continue
                cells = found.setdefault(name, set())
                sheet = io.BytesIO(_XML_ILLEGAL.sub(b"", book.read(parts[name])))
                for _, element in iterparse(sheet):
                    if local(element.tag) == "c":
                        style, ref = element.get("s"), element.get("r", "")
                        hit = _CELL_REF.match(ref)
                        if style is not None and int(style) in percent and hit:
                            cells.add((int(hit[2]) - 1, column_index(hit[1])))
                    if local(element.tag) == "row":
                        element.clear()
    except OSError:
        return {}
    except _UNREADABLE as e:
        raise FormatsUnreadable(
            f"its number formats cannot be read, so percentage cells cannot be told from "
            f"fractions ({type(e).__name__}: {e})"
        ) from e
    return found
