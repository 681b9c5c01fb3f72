"""A file over an input limit is refused (B1) before it is read, with the limit and by how much;
a park's real workbook, unusual but honest, is not."""

from __future__ import annotations

import dataclasses
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import TODAY

from parkstat.home import Home
from sources import input_limits as limits
from sources.intake import run_intake

SHEET = "xl/worksheets/sheet2.xml"  # 主要指标
# What a run's intake may take, whatever lands (README: "Limits on input").
INTAKE_MEMORY_BOUND = 1 << 30


@pytest.fixture(scope="module")
def workbook(xlsx_ingested) -> Path:
    return next(
        f.path for f in xlsx_ingested.corpus.files if f.format == "xlsx" and f.expect == ["accept"]
    )


def _rewrite(source: Path, out: Path, change) -> Path:
    """A copy of the workbook with parts changed: change(name, data) -> {name: data}."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            for name, data in change(info.filename, src.read(info)).items():
                with dst.open(name, "w", force_zip64=True) as w:
                    if isinstance(data, bytes):
                        w.write(data)
                    else:  # chunks: a part far larger than memory should hold
                        for chunk in data:
                            w.write(chunk)
    return out


def _in_sheet(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>")


def _refusal(path: Path, tmp_path: Path) -> str:
    home = Home(tmp_path / "home").ensure()
    shutil.copy2(path, home.landing / path.name)
    [taken] = run_intake(home, today=TODAY).files
    assert taken.outcome == "quarantined"
    [problem] = taken.problems
    assert problem.rule == "B1"
    assert problem.sheet in (None, "主要指标")
    return problem.message


def _bomb(xml: bytes):
    """The sheet's XML with 1.5 GB of blanks inside: 1.5 MB once deflated."""
    at = xml.index(b"<sheetData>") + len(b"<sheetData>")
    yield xml[:at]
    blanks = b" " * (1 << 24)
    for _ in range(90):
        yield blanks
    yield xml[at:]


def test_a_real_workbook_is_within_every_limit(workbook):
    limits.check_workbook(workbook)


def test_a_decompression_bomb_is_refused_before_it_is_read(workbook, tmp_path):
    bomb = _rewrite(
        workbook, tmp_path / "bomb.xlsx", lambda n, d: {n: _bomb(d) if n == SHEET else d}
    )
    assert bomb.stat().st_size < 3_000_000
    said = _refusal(bomb, tmp_path)
    assert said.startswith("over the limit on one sheet's XML unpacked (主要指标, at least)")
    assert "at most 20,000,000" in said and "x the limit" in said


def test_a_bomb_whose_archive_understates_its_size_is_measured_as_it_unpacks(workbook, tmp_path):
    liar = _rewrite(
        workbook,
        tmp_path / "liar.xlsx",
        lambda n, d: {n: d.replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000)
                      if n == SHEET else d},
    )  # fmt: skip
    data = bytearray(liar.read_bytes())
    small = 5_000
    for at in range(len(data)):  # every header of the sheet says it is 5 kB
        if data.startswith(SHEET.encode(), at):
            if data[at - 30 : at - 26] == b"PK\x03\x04":
                struct.pack_into("<I", data, at - 30 + 22, small)
            elif data[at - 46 : at - 42] == b"PK\x01\x02":
                struct.pack_into("<I", data, at - 46 + 24, small)
    liar.write_bytes(bytes(data))
    assert {i.filename: i.file_size for i in zipfile.ZipFile(liar).infolist()}[SHEET] == small
    with pytest.raises(limits.OverLimit, match="one sheet's XML unpacked"):
        limits.check_workbook(liar)


def test_one_cell_at_the_last_column_and_row_is_refused(workbook, tmp_path):
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
    path = _rewrite(
        workbook, tmp_path / "far.xlsx", lambda n, d: {n: _in_sheet(d, far) if n == SHEET else d}
    )
    said = _refusal(path, tmp_path)
    assert said.startswith(
        "over the limit on rows on one sheet (主要指标: values as far as XFD1048576): "
        "1,048,576 rows, at most 10,000"
    )


def test_too_many_cells_and_too_many_sheets_are_refused(workbook, tmp_path):
    row = b"".join(b"<c><v>1</v></c>" for _ in range(250))
    cells = b"".join(b"<row>" + row + b"</row>" for _ in range(900))  # 225,000 cells
    crowded = _rewrite(
        workbook,
        tmp_path / "cells.xlsx",
        lambda n, d: {n: _in_sheet(d, cells) if n == SHEET else d},
    )
    with pytest.raises(limits.OverLimit, match=r"cells on one sheet .*: 225,\d{3} cells"):
        limits.check_workbook(crowded)
    many = _rewrite(
        workbook,
        tmp_path / "sheets.xlsx",
        lambda n, d: {n: d, **({f"xl/worksheets/extra{i}.xml": d for i in range(60)}
                                if n == SHEET else {})},
    )  # fmt: skip
    with pytest.raises(limits.OverLimit, match="over the limit on sheets: 66 sheets, at most 50"):
        limits.check_workbook(many)


def test_a_workbook_that_unpacks_to_more_than_the_limit_in_all_is_refused(workbook, tmp_path):
    images = {f"xl/media/image{i}.png": b"\0" * 30_000_000 for i in range(4)}
    heavy = _rewrite(
        workbook, tmp_path / "heavy.xlsx", lambda n, d: {n: d, **(images if n == SHEET else {})}
    )
    with pytest.raises(limits.OverLimit, match="workbook size unpacked"):
        limits.check_workbook(heavy)


def test_honest_formatting_far_down_the_sheet_is_not_counted(workbook, tmp_path):
    """A park that put borders on 50,000 rows: styled empty cells, which no reader unfolds."""
    styled = b"".join(b'<row r="%d"><c r="A%d" s="1"/><c r="P%d" s="1"/></row>' % (i, i, i)
                      for i in range(100, 50_000))  # fmt: skip
    path = _rewrite(
        workbook,
        tmp_path / "styled.xlsx",
        lambda n, d: {n: _in_sheet(d, styled) if n == SHEET else d},
    )
    limits.check_workbook(path)
    home = Home(tmp_path / "home").ensure()
    shutil.copy2(path, home.landing / path.name)
    [taken] = run_intake(home, today=TODAY).files
    assert taken.outcome == "ingested", taken.problems


def _csv(tmp_path: Path, name: str, lines: list[bytes]) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_csv_line_over_the_limit_is_refused(tmp_path):
    header = "园区代码,园区名称,报告期,表,指标,分组,口径,数值,计量单位".encode()
    path = _csv(tmp_path, "long.csv", [header, b"HN430100," + b"x" * 10_000])
    said = _refusal(path, tmp_path)
    assert said.startswith("over the limit on one CSV line (line 2): 10,009 bytes, at most 4,096")


def test_a_csv_with_more_lines_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CSV_LINES", dataclasses.replace(limits.CSV_LINES, most=1_000))
    path = _csv(tmp_path, "many.csv", [b"a,b,c"] * 2_500)
    with pytest.raises(limits.OverLimit, match="lines in one CSV"):
        limits.check_csv(path)
    monkeypatch.setattr(limits, "CSV_FILE", dataclasses.replace(limits.CSV_FILE, most=1_000))
    with pytest.raises(limits.OverLimit, match="CSV file size: 15,000 bytes, at most 1,000"):
        limits.check_csv(path)


def test_the_limits_leave_room_for_the_national_export():
    """The largest long CSV the backfill takes: 306,720 lines of at most 176 bytes (36 MB)."""
    assert limits.CSV_LINES.most >= 4 * 306_720
    assert limits.CSV_FILE.most >= 3 * 36_011_153
    assert limits.CSV_LINE.most >= 20 * 176


def test_an_intake_given_bombs_stays_within_its_memory_bound(workbook, tmp_path):
    """A run's intake, whatever lands, stays under INTAKE_MEMORY_BOUND (README): the
    1.5 GB sheet, a cell at XFD1048576 and a 300 MB line, taken in a process of their own."""
    home = Home(tmp_path / "home").ensure()
    _rewrite(workbook, home.landing / "bomb.xlsx", lambda n, d: {n: _bomb(d) if n == SHEET else d})
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
    _rewrite(
        workbook,
        home.landing / "far.xlsx",
        lambda n, d: {n: _in_sheet(d, far) if n == SHEET else d},
    )
    with open(home.landing / "one line.csv", "wb") as f:
        for _ in range(300):
            f.write(b"x" * 1_000_000)
    shutil.copy2(workbook, home.landing / workbook.name)
    script = textwrap.dedent(f"""
        import datetime as dt, resource
        from parkstat.home import Home
        from sources.intake import run_intake
        today = dt.date.fromordinal({TODAY.toordinal()})
        report = run_intake(Home.resolve({str(home.root)!r}), today=today)
        print(sorted((f.file_name, f.outcome) for f in report.files))
        # this process's peak and its reader processes' (kB): their sum bounds the whole
        print(sum(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    outcomes, peak_kb = done.stdout.strip().splitlines()
    peak = int(peak_kb) * 1024
    print(f"intake of the bombs: peak {peak / 2**20:.0f} MiB")
    assert peak < INTAKE_MEMORY_BOUND, f"peak {peak / 2**20:.0f} MiB"
    assert outcomes == str(sorted([
        ("bomb.xlsx", "quarantined"), ("far.xlsx", "quarantined"),
        ("one line.csv", "quarantined"), (workbook.name, "ingested"),
    ]))  # fmt: skip
