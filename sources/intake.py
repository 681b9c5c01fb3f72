"""Take every file waiting in landing/ into the raw layer, or into quarantine with its reason.

For each file, in order of arrival (modification time, then name):
  1. archive it as it came, named by its content hash (archive/<sha256><ext>);
  2. read it — a workbook is one filing, a long CSV one filing per park and period
     (a large intake's files are read ahead by worker processes);
  3. accepted filings go to the raw tables with lineage, rejected ones are
     written to quarantine/ with a reason file naming file, sheet, row, column,
     rule and value;
  4. once the batch is committed, the file leaves landing/.
A crash at any point leaves the file in landing/; the next run takes it again
and, the filing id being the content hash, never loads it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing as mp
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parkstat.home import Home
from sources import lateness, raw_store, reference
from sources import template as t
from sources.filing import Filing
from sources.normalise import due_date
from sources.problems import FilingRejected, Problem
from sources.quarantine import quarantine, write_atomically
from sources.read_csv import read_long_csv
from sources.read_workbook import read_workbook
from sources.registry import Registry, default_registry

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# Not filings: editor lock files and half-copied uploads stay in landing/.
_IGNORED_PREFIXES = (".", "~$")
_IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload")
# Files committed to the raw layer in one transaction: at most this many, and
# no more once their rows reach BATCH_ROWS (a national long CSV holds 300,000
# lines; rows wait in memory as dicts until committed).
BATCH_FILES = 500
BATCH_ROWS = 200_000
# Reading (parsing and normalising) is most of an intake's time: with this
# much to read, files are read by worker processes, one a core.
PARALLEL_FROM_BYTES = 20_000_000
READERS = 2


@dataclass
class FileOutcome:
    file_name: str
    sha256: str
    outcome: str  # ingested | quarantined | partly quarantined | duplicate | re-sent
    accepted: list[tuple[str, dt.date, int]] = field(default_factory=list)  # park, period, revision
    duplicates: int = 0
    # Filings of this file taken before and rejected: validation decides them again.
    resent: list[tuple[str, dt.date, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    quarantine_path: Path | None = None
    rows: int = 0


@dataclass
class IntakeReport:
    files: list[FileOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def count(self, outcome: str) -> int:
        return sum(f.outcome == outcome for f in self.files)

    @property
    def filings_accepted(self) -> int:
        return sum(len(f.accepted) for f in self.files)

    @property
    def filings_rejected(self) -> int:
        return sum(_count_rejected(f.problems) for f in self.files)


def landing_files(home: Home) -> tuple[list[Path], list[str]]:
    """(files to take, in arrival order; names left alone)."""
    take, ignored = [], []
    for path in home.landing.rglob("*"):
        if not path.is_file():
            continue
        if path.name.startswith(_IGNORED_PREFIXES) or path.name.endswith(_IGNORED_SUFFIXES):
            ignored.append(str(path.relative_to(home.landing)))
            continue
        take.append(path)
    take.sort(key=lambda p: (p.stat().st_mtime_ns, str(p)))
    return take, sorted(ignored)


def stage_files(source: Path, home: Home) -> list[Path]:
    """Copy every file under `source` into landing/ for intake, keeping their times.

    For backfills: historical filings and long CSVs from a folder. A name
    already in landing/ gets a numbered suffix; the content decides identity.
    """
    home.ensure()
    staged = []
    for path in sorted(p for p in Path(source).rglob("*") if p.is_file()):
        target = home.landing / path.name
        n = 1
        while target.exists():
            n += 1
            target = home.landing / f"{path.stem}_{n}{path.suffix}"
        shutil.copy2(path, target)
        staged.append(target)
    return staged


@dataclass
class _Ledger:
    """What intake knows of the raw layer while it takes files in."""

    known: set[str]  # filing ids taken before
    rejected: set[str]  # of those, the ones whose current decision is a rejection
    filed: set[tuple[str, dt.date]]  # park-periods with a filing taken before
    backfill: bool  # history taken in by a backfill: lateness by cover date


def run_intake(
    home: Home,
    registry: Registry | None = None,
    today: dt.date | None = None,
    progress=None,
    backfill: bool = False,
) -> IntakeReport:
    """Take every file waiting in landing/; `backfill`: they are history (sources/lateness.py)."""
    registry = registry or default_registry()
    today = today or dt.date.today()
    home.ensure()
    started = time.perf_counter()
    paths, ignored = landing_files(home)
    report = IntakeReport(ignored=ignored)
    with raw_store.connect(home.working_db) as con:
        reference.write(con, registry)
        ledger = _Ledger(
            raw_store.filing_ids(con),
            raw_store.rejected_filing_ids(con),
            raw_store.filed_park_periods(con),
            backfill,
        )
        seq = raw_store.next_arrival_seq(con)
        staged, taken = _nothing_staged(), []
        for path, reading in zip(paths, _readings(paths, registry, today), strict=True):
            outcome = _take(path, reading, home, seq, ledger, staged)
            report.files.append(outcome)
            taken.append(path)
            seq += 1
            if progress:
                progress(outcome)
            if len(taken) >= BATCH_FILES or sum(map(len, staged.values())) >= BATCH_ROWS:
                _land(con, staged, taken)
                staged, taken = _nothing_staged(), []
        _land(con, staged, taken)
    report.seconds = time.perf_counter() - started
    return report


def _nothing_staged() -> dict[str, list[dict]]:
    return {name: [] for name in raw_store.TABLES}


def _land(con, staged: dict[str, list[dict]], taken: list[Path]) -> None:
    """Write the staged rows in one go; only then do their files leave landing/."""
    raw_store.append(con, staged)
    for path in taken:
        path.unlink()


@dataclass
class _Reading:
    """What reading one file gives. Reading has no side effects, so that the
    files of a large intake can be read in worker processes."""

    sha: str
    fmt: str
    encoding: str | None
    results: list[tuple[str | None, Filing | None, list[Problem]]]


def _read(path: Path, registry: Registry, today: dt.date) -> _Reading:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    reading = _Reading(sha, "csv", None, [])
    try:
        if path.suffix.lower() in WORKBOOK_SUFFIXES or data.startswith(_WORKBOOK_MAGIC):
            reading.fmt = "xlsx"
            filing = read_workbook(path, path.name, registry, today)
            reading.results.append((sha[:16], filing, []))
        else:
            reading.encoding, parts = read_long_csv(path, path.name, registry, today)
            for part in parts:
                fid = part.filing and _csv_filing_id(sha, part.filing)
                reading.results.append((fid, part.filing, part.problems))
    except FilingRejected as e:
        reading.results.append((None, None, e.problems))
    return reading


def _readings(paths: list[Path], registry: Registry, today: dt.date) -> Iterator[_Reading]:
    """The files read, in order: in READERS worker processes when there is much to read."""
    size = sum(p.stat().st_size for p in paths)
    readers = min(READERS, os.cpu_count() or 1)
    if size < PARALLEL_FROM_BYTES or readers < 2:
        for path in paths:
            yield _read(path, registry, today)
        return
    # spawn, not fork: a run's process has Prefect's threads, which fork does not copy safely.
    context = mp.get_context("spawn")
    with context.Pool(readers, initializer=_reader_start, initargs=(registry, today)) as pool:
        yield from pool.imap(_reader_read, paths)


_reader_args: tuple[Registry, dt.date] | None = None


def _reader_start(registry: Registry, today: dt.date) -> None:
    global _reader_args
    _reader_args = (registry, today)


def _reader_read(path: Path) -> _Reading:
    return _read(path, *_reader_args)


class FileChanged(RuntimeError):
    """A file in landing/ changed between being read and being archived (still being copied)."""


def _take(
    path: Path,
    reading: _Reading,
    home: Home,
    seq: int,
    ledger: _Ledger,
    staged: dict[str, list[dict]],
) -> FileOutcome:
    mtime = path.stat().st_mtime
    data = path.read_bytes()
    sha, fmt, encoding = reading.sha, reading.fmt, reading.encoding
    # Read ahead (perhaps by a worker), the file must still be what was read:
    # the archive is named by the hash of what it holds.
    if hashlib.sha256(data).hexdigest() != sha:
        raise FileChanged(
            f"{path.name} changed while it was being taken in; it stays in landing/ "
            "and is taken when it has stopped changing"
        )
    name = path.name
    received_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    arrived_at = lateness.arrival(mtime, received_at)
    archive_path = _archive(home, data, sha, path.suffix.lower())
    outcome = FileOutcome(name, sha, "ingested")

    for filing_id, filing, problems in reading.results:
        if filing is None:
            outcome.problems.extend(problems)
            continue
        if filing_id in ledger.known:
            if filing_id in ledger.rejected:  # sent again after its rejection: decided again
                outcome.resent.append((filing.park_code, filing.period, filing.revision))
            else:
                outcome.duplicates += 1
            continue
        ledger.known.add(filing_id)
        first = (filing.park_code, filing.period) not in ledger.filed
        ledger.filed.add((filing.park_code, filing.period))
        late, basis = lateness.lateness(
            filing.period, first, arrived_at, filing.filed_date, ledger.backfill
        )
        outcome.accepted.append((filing.park_code, filing.period, filing.revision))
        lineage = {
            "filing_id": filing_id,
            "file_name": name,
            "park_code": filing.park_code,
            "period": filing.period,
            "filed_date": filing.filed_date,
            "revision": filing.revision,
            "received_at": received_at,
        }
        staged["filings"].append(
            {
                **lineage,
                "file_sha256": sha,
                "file_format": fmt,
                "encoding": encoding,
                "park_name_filed": filing.park_name,
                "due_date": due_date(filing.period),
                "arrival_seq": seq,
                "arrived_at": arrived_at,
                "arrived_on": lateness.office_date(arrived_at),
                "is_late": late,
                "late_basis": basis,
            }
        )
        for sheet in t.DATA_SHEETS:
            for row in filing.rows(sheet.key):
                staged[sheet.raw_table].append(
                    {**row, **lineage, "sheet": row["_sheet"], "row_number": row["_row"]}
                )
                outcome.rows += 1

    rejected = _count_rejected(outcome.problems)
    if outcome.problems:
        outcome.outcome = (
            "partly quarantined" if outcome.accepted or outcome.duplicates else "quarantined"
        )
        if outcome.accepted or outcome.duplicates:
            said = (
                f"{rejected} 份填报拒收, 其余已接受 / {rejected} filing(s) rejected, the "
                "other filings in this file were accepted"
            )
        else:
            said = "拒收 / rejected — the park's earlier accepted data is unchanged"
        outcome.quarantine_path = quarantine(
            home, data, sha, name, received_at, outcome.problems, said
        )
    elif outcome.resent and not outcome.accepted:
        outcome.outcome = "re-sent"
    elif outcome.duplicates and not outcome.accepted:
        outcome.outcome = "duplicate"
    staged["arrivals"].append(
        {
            "arrival_seq": seq,
            "file_sha256": sha,
            "file_name": name,
            "size_bytes": len(data),
            "received_at": received_at,
            "archive_path": str(archive_path.relative_to(home.root)),
            "outcome": outcome.outcome,
            "filings_accepted": len(outcome.accepted),
            "filings_rejected": rejected,
            "filings_duplicate": outcome.duplicates,
            "quarantine_path": outcome.quarantine_path
            and str(outcome.quarantine_path.relative_to(home.root)),
            "arrived_at": arrived_at,
            "taken_by": "backfill" if ledger.backfill else "run",
        }
    )
    for p in outcome.problems:
        staged["rejections"].append(
            {
                "arrival_seq": seq,
                "file_sha256": sha,
                "file_name": name,
                "received_at": received_at,
                "park_filed": p.park,
                "period_filed": p.period,
                "sheet": p.sheet,
                "row_number": p.row,
                "column_name": p.column,
                "rule": p.rule,
                "message": p.message,
                "value": p.value,
            }
        )
    return outcome


def _count_rejected(problems: list[Problem]) -> int:
    return len({(p.park, p.period) for p in problems})


def _csv_filing_id(sha: str, filing: Filing) -> str:
    """A long CSV holds many filings: each is named by the file's hash, its park and period."""
    return hashlib.sha256(f"{sha}|{filing.park_code}|{filing.period}".encode()).hexdigest()[:16]


def _archive(home: Home, data: bytes, sha: str, suffix: str) -> Path:
    """archive/<sha256><ext>: byte for byte; the same content is kept once."""
    target = home.archive / f"{sha}{suffix}"
    if not target.exists():
        write_atomically(target, data)
    return target
