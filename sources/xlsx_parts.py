"""What a workbook archive (.xlsx) is made of, as the readers around calamine need it:
which part holds which sheet, how a column's letters count, what a broken archive raises."""

from __future__ import annotations

import lzma
import zipfile
import zlib
from pathlib import PurePosixPath
from xml.etree.ElementTree import iterparse

# What Python's zipfile raises for an archive it cannot read: broken, a member cut short
# or corrupt, of a version or compression method it does not know, encrypted.
ZIP_ERRORS = (
    zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
    RuntimeError, KeyError, ValueError,
)  # fmt: skip


def local(tag: str) -> str:
    """An XML name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the part (path in the zip) holding its cells."""
    targets = {}
    with book.open("xl/_rels/workbook.xml.rels") as rels:
        for _, element in iterparse(rels):
            if local(element.tag) == "Relationship":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[element.get("Id")] = str(PurePosixPath(path))
    parts = {}
    with book.open("xl/workbook.xml") as workbook:
        for _, element in iterparse(workbook):
            if local(element.tag) == "sheet":
                rel = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
                if rel in targets:
                    parts[element.get("name", "")] = targets[rel]
    return parts


def column_index(letters: str) -> int:
    """A column's 0-based index from its letters: A -> 0, XFD -> 16383."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1
