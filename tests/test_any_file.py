"""Whatever one file in landing/ is, it is one file's problem: archived, ingested or
quarantined under a name any file system takes, or — not a regular file — never read."""

from __future__ import annotations

import errno
import logging
import os
import shutil

import duckdb
import pytest
from conftest import TODAY

from parkstat.home import Home
from sources import intake, landing, raw_store
from sources.quarantine import NAME_BYTES, REASON, one_line
from sources.storage_errors import StorageFailed

LONG_NAME = "关于报送" + "园" * 74 + "月报.xlsx"  # 80 Chinese characters: 240 bytes
ODD_NAMES = [
    LONG_NAME,
    "报表\n第二行.xlsx",
    "-rf.xlsx",
    'a:b*c?d|e<f>g"h\\i.xlsx',
    "\u202e报表xslx.exe",  # right-to-left override
    "月报 🏭 e\u0301.xlsx",  # an emoji, a combining accent
    "没有扩展名",
    " .xlsx. ",
]


@pytest.fixture
def good_workbook(xlsx_ingested):
    return next(
        f.path for f in xlsx_ingested.corpus.files if f.format == "xlsx" and f.expect == ["accept"]
    )


@pytest.fixture
def three_landed(home, xlsx_ingested) -> list:
    """Three files of accepted filings, waiting in landing/."""
    good = [f.path for f in xlsx_ingested.corpus.files if f.expect == ["accept"]][:3]
    for path in good:
        shutil.copy2(path, home.landing / path.name)
    return good


def _arrivals(home: Home) -> list[tuple]:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        return con.execute(
            "select file_name, outcome, quarantine_path from raw.arrivals order by arrival_seq"
        ).fetchall()


@pytest.mark.parametrize("name", ODD_NAMES, ids=range(len(ODD_NAMES)))
def test_any_name_is_archived_and_quarantined_under_a_name_that_fits(name, home, good_workbook):
    assert len(LONG_NAME.encode()) == 240 + len(".xlsx")
    (home.landing / name).write_bytes(b"not a workbook, not a CSV \x00\xff")
    shutil.copy2(good_workbook, home.landing / "good.xlsx")
    report = intake.run_intake(home, today=TODAY)
    outcomes = {f.file_name: f.outcome for f in report.files}
    assert outcomes == {name: "quarantined", "good.xlsx": "ingested"}
    [kept] = [p for p in home.quarantine.iterdir() if not p.name.endswith(REASON)]
    reason = kept.with_name(kept.name + REASON)
    for stored in (kept.name, reason.name):
        assert len(stored.encode()) <= 255
        assert not set(stored) & set('<>:"/\\|?*\n\r\x00')
    assert len(kept.name.encode()) <= NAME_BYTES
    assert reason.read_text(encoding="utf-8").splitlines()[0] == f"文件 file: {one_line(name)}"
    assert (name, "quarantined", str(kept.relative_to(home.root))) in _arrivals(home)
    assert not list(home.landing.iterdir())


def test_a_name_that_is_not_utf8_is_kept_as_its_bytes_escaped(home, good_workbook):
    raw_name = b"\xb1\xa8\xb1\xed.xlsx"  # 报表 in GBK, as an old unzip leaves it
    shutil.copy2(good_workbook, os.path.join(os.fsencode(home.landing), raw_name))
    report = intake.run_intake(home, today=TODAY)
    assert [(f.file_name, f.outcome) for f in report.files] == [
        ("\\xb1\\xa8\\xb1\\xed.xlsx", "ingested")
    ]


def test_links_folders_and_pipes_are_never_read_and_left_where_they_are(
    home, good_workbook, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.xlsx"
    shutil.copy2(good_workbook, secret)
    (home.landing / "link.xlsx").symlink_to(secret)
    (home.landing / "folder").mkdir()
    shutil.copy2(good_workbook, home.landing / "folder" / "inside.xlsx")
    (home.landing / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    os.mkfifo(home.landing / "pipe.xlsx")  # opened for reading, it would wait for ever
    report = intake.run_intake(home, today=TODAY)
    assert report.files == []
    assert dict(report.not_regular) == {
        "dangling.xlsx": "a symbolic link (never followed)",
        "folder": "a folder (not read: put filings directly in landing/)",
        "link.xlsx": "a symbolic link (never followed)",
        "pipe.xlsx": "a named pipe",
    }
    assert {name for name, _ in report.left_in_landing()} >= {"link.xlsx", "folder", "pipe.xlsx"}
    assert not [p for p in home.archive.iterdir() if p.suffix == ".xlsx"]
    assert sorted(p.name for p in home.landing.iterdir()) == [
        "dangling.xlsx", "folder", "link.xlsx", "pipe.xlsx"
    ]  # fmt: skip
    assert secret.exists()


def test_a_file_replaced_by_a_link_after_it_was_listed_is_not_followed(
    home, good_workbook, tmp_path, monkeypatch
):
    shutil.copy2(good_workbook, home.landing / "report.xlsx")
    scan = landing.scan

    def scan_then_swap(folder):
        found = scan(folder)
        (home.landing / "report.xlsx").unlink()
        (home.landing / "report.xlsx").symlink_to(good_workbook)
        return found

    monkeypatch.setattr(landing, "scan", scan_then_swap)
    report = intake.run_intake(home, today=TODAY)
    assert report.files == []
    assert report.not_regular == [("report.xlsx", "no longer a regular file")]
    assert not [p for p in home.archive.iterdir() if p.suffix == ".xlsx"]


def test_an_error_of_ours_while_reading_quarantines_that_file_and_the_month_goes_on(
    home, three_landed, monkeypatch, caplog
):
    good = three_landed
    broken = good[1].name
    read = intake.read_workbook

    def read_with_a_bug(path, name, registry, today):
        if name == broken:
            raise RuntimeError("a bug of ours\nsecond line of the message")
        return read(path, name, registry, today)

    monkeypatch.setattr(intake, "read_workbook", read_with_a_bug)
    with caplog.at_level(logging.ERROR, logger=intake.__name__):
        report = intake.run_intake(home, today=TODAY)
    outcomes = {f.file_name: f.outcome for f in report.files}
    assert outcomes == {good[0].name: "ingested", broken: "quarantined", good[2].name: "ingested"}
    [problem] = next(f for f in report.files if f.file_name == broken).problems
    assert problem.rule == "E1"
    assert "RuntimeError: a bug of ours" in problem.message and "second line" not in problem.message
    assert "Traceback" in caplog.text and broken in caplog.text
    assert not list(home.landing.iterdir())


def test_rows_the_raw_layer_refuses_quarantine_their_file_only(home, three_landed, monkeypatch):
    good = three_landed
    refused = good[2].name
    append = raw_store.append

    def append_refusing(con, rows_by_table):
        if any(r["file_name"] == refused for r in rows_by_table.get("filings", [])):
            raise ValueError("a value the raw layer cannot store")
        return append(con, rows_by_table)

    monkeypatch.setattr(raw_store, "append", append_refusing)
    report = intake.run_intake(home, today=TODAY)
    assert [f.outcome for f in report.files] == ["ingested", "ingested", "quarantined"]
    assert report.files[2].problems[0].rule == "E1"
    arrivals = _arrivals(home)
    assert [(name, outcome) for name, outcome, _ in arrivals] == [
        (good[0].name, "ingested"), (good[1].name, "ingested"), (refused, "quarantined")
    ]  # fmt: skip
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        assert con.execute("select count(*) from raw.filings").fetchone()[0] == 2


def test_a_full_disk_stops_the_run_and_keeps_every_file_in_landing(
    home, xlsx_ingested, monkeypatch
):
    files = [f.path for f in xlsx_ingested.corpus.files][:4]
    for path in files:
        shutil.copy2(path, home.landing / path.name)
    archive = landing.archive
    archived = []

    def archive_until_full(landed, folder):
        if len(archived) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        archived.append(landed.name)
        return archive(landed, folder)

    monkeypatch.setattr(landing, "archive", archive_until_full)
    with pytest.raises(StorageFailed, match="free some space and run again"):
        intake.run_intake(home, today=TODAY)
    assert sorted(p.name for p in home.landing.iterdir()) == sorted(p.name for p in files)
    monkeypatch.setattr(landing, "archive", archive)
    report = intake.run_intake(home, today=TODAY)
    assert len(report.files) == 4 and not list(home.landing.iterdir())


def test_the_stewards_report_names_what_was_left_in_landing(home, good_workbook, tmp_path):
    from expectations.validate_filings import validate_filings
    from parkstat.stewards_report import write_report

    shutil.copy2(good_workbook, home.landing / "good.xlsx")
    (home.landing / "link.xlsx").symlink_to(good_workbook)
    (home.landing / "~$good.xlsx").write_bytes(b"lock")
    report = intake.run_intake(home, today=TODAY)
    validate_filings(home, "t", waivers=[])
    page = write_report(home, {"run_id": "t", "left_in_landing": report.left_in_landing()})
    text = page.read_text(encoding="utf-8")
    assert "<table id='left-in-landing'>" in text
    assert "link.xlsx</td><td class='park'>a symbolic link (never followed)" in text
    assert "~$good.xlsx</td><td class='park'>an editor&#x27;s lock file" in text


def test_a_sheet_of_bad_cells_is_listed_up_to_a_limit_and_counted_beyond(
    home, good_workbook, monkeypatch
):
    import openpyxl

    book = openpyxl.load_workbook(good_workbook)
    sheet = book.worksheets[1]
    bad = 0
    for row in sheet.iter_rows(min_row=4):
        for cell in row[2:]:
            if isinstance(cell.value, int | float):
                cell.value = "不详"
                bad += 1
    book.save(home.landing / "bad.xlsx")
    monkeypatch.setattr(intake, "PROBLEMS_SHOWN", 5)
    [taken] = intake.run_intake(home, today=TODAY).files
    assert bad > 6 and len(taken.problems) == 6
    assert taken.problems[-1].message.startswith(f"and {bad - 5} more problem(s) of rule(s) B3")
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        assert con.execute("select count(*) from raw.rejections").fetchone()[0] == 6


def test_a_file_this_run_may_not_open_is_left_in_landing_and_the_month_goes_on(
    home, three_landed, monkeypatch
):
    files = three_landed
    locked = files[1].name
    archive = landing.archive

    def archive_refused(landed, folder):
        if landed.name == locked:  # as an upload owned by another account would be
            raise PermissionError(errno.EACCES, "Permission denied", str(landed.path))
        return archive(landed, folder)

    monkeypatch.setattr(landing, "archive", archive_refused)
    report = intake.run_intake(home, today=TODAY)
    assert sorted(f.file_name for f in report.files) == sorted([files[0].name, files[2].name])
    assert report.unreadable == [(locked, "cannot be read: Permission denied")]
    assert (locked, "cannot be read: Permission denied") in report.left_in_landing()
    assert [p.name for p in home.landing.iterdir()] == [locked]
