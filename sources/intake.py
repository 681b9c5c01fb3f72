"""Take every file waiting in landing/ into the raw layer, or into quarantine with its reason.

For each regular file in landing/ (sources/landing.py: links, folders and
pipes are never read), in order of arrival (modification time, then name):
  1. archive it as it came, durably, named by its content hash (archive/<sha256><ext>);
  2. check it against the input limits (sources/input_limits.py), then read the
     archived copy — a workbook is one filing, a long CSV one filing per park and
     period (a large intake's files are read ahead by worker processes);
  3. accepted filings go to the raw tables with lineage, rejected ones are
     written to quarantine/ with a reason file naming file, sheet, row, column,
     rule and value;
  4. once the batch is committed (and logged beside the archive), the file leaves
     landing/ — if it is still the file that was archived.
Whatever one file is or does, it is that file's problem: an error of ours
while handling it quarantines it (E1) and the month goes on. A full disk is
the run's problem: the run stops, and what was not committed stays in landing/.
A crash at any point leaves the file in landing/; the next run takes it again
and, the filing id being the content hash, never loads it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing as mp
import os
import shutil
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from parkstat import crash_points
from parkstat.home import Home
from sources import arrivals_log, landing, lateness, raw_store, reference
from sources import template as t
from sources.durable import sync_folder
from sources.filing import Filing
from sources.normalise import due_date
from sources.problems import FilingRejected, Problem
from sources.quarantine import quarantine, stored_name
from sources.read_csv import read_long_csv
from sources.read_workbook import read_workbook
from sources.registry import Registry, default_registry
from sources.storage_errors import is_storage_error, stopped

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# Files committed to the raw layer in one transaction: at most this many, and
# no more once their rows reach BATCH_ROWS (a national long CSV holds 300,000
# lines; rows wait in memory as dicts until committed).
BATCH_FILES = 500
BATCH_ROWS = 200_000
# Reading (parsing and normalising) is most of an intake's time: with this
# much to read, files are read by worker processes, one a core.
PARALLEL_FROM_BYTES = 20_000_000
READERS = 2
# Problems listed for one rejected filing; more are counted in one line.
PROBLEMS_SHOWN = 200
log = logging.getLogger(__name__)


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
    fmt: str = "csv"


@dataclass
class IntakeReport:
    files: list[FileOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    # Not regular files (links, folders, pipes, devices): never read, left where they are.
    not_regular: list[tuple[str, str]] = field(default_factory=list)
    # Still being written (changed while archived): left in landing/ for the next run.
    changing: list[str] = field(default_factory=list)
    # Files this run may not open (their permissions): left in landing/, with the reason.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    # Committed by a run killed before it removed them: only removed from landing/ now.
    already_taken: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def left_in_landing(self) -> list[tuple[str, str]]:
        """What stays in landing/ after this intake, and why (for people)."""
        return [
            *self.not_regular,
            *self.unreadable,
            *((name, "still being written: taken when it has stopped changing")
              for name in self.changing),
            *((name, "an editor's lock file or a half-copied upload") for name in self.ignored),
        ]  # fmt: skip

    def count(self, outcome: str) -> int:
        return sum(f.outcome == outcome for f in self.files)

    @property
    def filings_accepted(self) -> int:
        return sum(len(f.accepted) for f in self.files)

    @property
    def filings_rejected(self) -> int:
        return sum(_count_rejected(f.problems) for f in self.files)


def stage_files(source: Path, home: Home) -> list[Path]:
    """Copy every regular file under `source` into landing/ for intake, keeping their times.

    For backfills: historical filings and long CSVs from a folder. A name
    already in landing/ gets a numbered suffix; the content decides identity.
    Links are not followed: only files inside `source` are staged.
    """
    home.ensure()
    staged = []
    for path in sorted(Path(source).rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        target = home.landing / path.name
        n = 1
        while target.exists():
            n += 1
            target = home.landing / f"{path.stem}_{n}{path.suffix}"
        shutil.copy2(path, target)
        staged.append(target)
    return staged


@dataclass
class Incoming:
    """A file to take: its archive copy (what is read), and when and as what it arrived."""

    name: str  # as it arrived
    sha: str
    path: Path  # archive/<sha256><ext>
    size: int
    arrived_at: dt.datetime
    received_at: dt.datetime
    identity: str | None  # in landing/ (device, inode, size, times), as taken or as logged
    landed: landing.Landed | None = None  # None: replayed from the archive (rebuild)


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
    run_id: str | None = None,
    replay: list[Incoming] | None = None,
) -> IntakeReport:
    """Take every file waiting in landing/; `backfill`: they are history (sources/lateness.py).

    `replay`: take these archived arrivals instead, as they were taken the first time
    (`parkstat rebuild`): landing/ and quarantine/ are left as they are."""
    registry = registry or default_registry()
    today = today or dt.date.today()
    home.ensure()
    started = time.perf_counter()
    report = IntakeReport()
    with raw_store.connect(home.working_db) as con:
        reference.write(con, registry)
        ledger = _Ledger(
            raw_store.filing_ids(con),
            raw_store.rejected_filing_ids(con),
            raw_store.filed_park_periods(con),
            backfill,
        )
        if replay is None:
            landing.remove_partials(home.archive, home.quarantine)
            arrivals_log.catch_up(home, con)
            incoming = _archive_landing(home, con, report)
            crash_points.reached("intake:archived")
        else:
            incoming = replay
        seq = raw_store.next_arrival_seq(con)
        batch: list[_Taken] = []
        for item, reading in zip(incoming, _readings(incoming, registry, today), strict=True):
            outcome, staged = _take_one(item, reading, home, seq, ledger, run_id, replay)
            batch.append(_Taken(item, staged, len(report.files)))
            report.files.append(outcome)
            seq += 1
            if progress:
                progress(outcome)
            rows = sum(len(rows) for taken in batch for rows in taken.staged.values())
            if len(batch) >= BATCH_FILES or rows >= BATCH_ROWS:
                _land(con, home, batch, report, run_id)
                batch = []
        _land(con, home, batch, report, run_id)
    report.seconds = time.perf_counter() - started
    return report


def _archive_landing(home: Home, con, report: IntakeReport) -> list[Incoming]:
    """Copy every regular file in landing/ into the archive, durably, before anything else."""
    scan = landing.scan(home.landing)
    report.ignored, report.not_regular = scan.ignored, scan.not_regular
    committed = raw_store.landing_identities(con)
    incoming = []
    for landed in scan.files:
        if landed.identity in committed:  # a killed run committed it: it only has to go
            landed.path.unlink()
            report.already_taken.append(landed.name)
            continue
        received_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            archived = landing.archive(landed, home.archive)
        except landing.FileChanged:
            report.changing.append(landed.name)
            continue
        except landing.NotRegular:
            report.not_regular.append((landed.name, "no longer a regular file"))
            continue
        except OSError as e:
            if is_storage_error(e):
                raise stopped(e, f"archiving {landed.name}") from e
            # One file this run cannot open is that file's problem, not the month's.
            report.unreadable.append((landed.name, f"cannot be read: {e.strerror or e}"))
            continue
        incoming.append(
            Incoming(
                landed.name,
                archived.sha,
                archived.path,
                landed.size,
                lateness.arrival(landed.mtime, received_at),
                received_at,
                landed.identity,
                landed,
            )
        )
    return incoming


def _nothing_staged() -> dict[str, list[dict]]:
    return {name: [] for name in raw_store.TABLES}


def _take_one(item, reading, home, seq, ledger, run_id, replay):
    """(outcome, rows to stage) of one file; an error of ours in it quarantines it (E1)."""
    staged = _nothing_staged()
    try:
        return _take(item, reading, home, seq, ledger, staged, run_id, replay is None), staged
    except Exception as e:
        if is_storage_error(e):
            raise stopped(e, f"taking {item.name}") from e
        staged = _nothing_staged()
        failed = _failed(reading.fmt, item.name, e)
        log.error("E1 while taking %s:\n%s", item.name, traceback.format_exc())
        return _take(item, failed, home, seq, ledger, staged, run_id, replay is None), staged


def _failed(fmt: str, name: str, error: BaseException) -> _Reading:
    """What an error of ours while handling a file leaves of its reading: one E1 problem."""
    said = (str(error).strip().splitlines() or [""])[0][:300]
    problem = Problem(
        "E1",
        name,
        f"parkstat could not handle this file ({type(error).__name__}: {said}); "
        "the file is kept, the stewards are told, and the rest of the month went on",
    )
    return _Reading(fmt, None, [(None, None, [problem])])


@dataclass
class _Taken:
    item: Incoming
    staged: dict[str, list[dict]]
    index: int  # its outcome in report.files


def _land(con, home: Home, batch: list[_Taken], report: IntakeReport, run_id) -> None:
    """Write the batch's rows in one go; only then do their files leave landing/.

    Rows the raw layer refuses (a bug of ours in one file's values) are found by
    writing file by file: that file is quarantined (E1), the others are kept."""
    if not batch:
        return
    try:
        _append(con, [taken.staged for taken in batch])
    except Exception as e:
        if is_storage_error(e):
            raise stopped(e, "writing the raw layer") from e
        for taken in batch:
            _land_alone(con, home, taken, report, run_id)
    crash_points.reached("intake:committed")
    if batch[0].item.landed is None:
        return  # replayed from the archive: nothing in landing/
    arrivals_log.catch_up(home, con)
    sync_folder(home.archive)  # the archive copies' names are on disk too
    for taken in batch:
        if landing.unchanged(taken.item.landed):
            taken.item.landed.path.unlink()
        else:  # written to again since it was archived: taken again, as new, next run
            report.changing.append(taken.item.name)


def _land_alone(con, home: Home, taken: _Taken, report: IntakeReport, run_id) -> None:
    try:
        _append(con, [taken.staged])
        return
    except Exception as e:
        if is_storage_error(e):
            raise stopped(e, "writing the raw layer") from e
        log.error("E1 while storing %s:\n%s", taken.item.name, traceback.format_exc())
        failed = _failed(report.files[taken.index].fmt, taken.item.name, e)
    seq = taken.staged["arrivals"][0]["arrival_seq"]
    taken.staged = _nothing_staged()
    nobody = _Ledger(set(), set(), set(), False)  # a reading without filings asks nothing of it
    writes = taken.item.landed is not None
    report.files[taken.index] = _take(
        taken.item, failed, home, seq, nobody, taken.staged, run_id, writes
    )
    _append(con, [taken.staged])


def _append(con, staged: list[dict[str, list[dict]]]) -> None:
    raw_store.append(con, {name: [r for s in staged for r in s[name]] for name in raw_store.TABLES})


@dataclass
class _Reading:
    """What reading one file gives. Reading has no side effects, so that the
    files of a large intake can be read in worker processes."""

    fmt: str
    encoding: str | None
    results: list[tuple[str | None, Filing | None, list[Problem]]]
    trace: str | None = None  # an error of ours while reading: its traceback, for the log


def _is_workbook(path: Path, name: str) -> bool:
    if landing.archive_suffix(name) in WORKBOOK_SUFFIXES:
        return True
    with open(path, "rb") as f:
        return f.read(4) in _WORKBOOK_MAGIC


def _read(path: Path, name: str, sha: str, registry: Registry, today: dt.date) -> _Reading:
    """Read the archived copy at `path` of the file that arrived as `name`: within the input
    limits, a reading or its problems; never an exception (an error of ours is E1)."""
    reading = _Reading("csv", None, [])
    try:
        if _is_workbook(path, name):  # each reader checks the input limits first
            reading.fmt = "xlsx"
            filing = read_workbook(path, name, registry, today)
            reading.results.append((sha[:16], filing, []))
        else:
            reading.encoding, parts = read_long_csv(path, name, registry, today)
            for part in parts:
                fid = part.filing and _csv_filing_id(sha, part.filing)
                reading.results.append((fid, part.filing, part.problems))
    except FilingRejected as e:
        reading.results = [(None, None, e.problems)]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - a Rust reader's panic is a BaseException too
        reading = _failed(reading.fmt, name, e)
        reading.trace = traceback.format_exc()
    return reading


def _readings(items: list[Incoming], registry: Registry, today: dt.date) -> Iterator[_Reading]:
    """The files read, in order: in READERS worker processes when there is much to read.

    A worker that dies (killed for its memory, a crash in a parser) takes only the file it
    was reading with it: that file is E1, the rest are read here."""
    jobs = [(i.path, i.name, i.sha) for i in items]
    readers = min(READERS, os.cpu_count() or 1)
    done = 0
    if sum(i.size for i in items) >= PARALLEL_FROM_BYTES and readers >= 2:
        # spawn, not fork: a run's process has Prefect's threads, which fork does not copy.
        pool = ProcessPoolExecutor(
            readers, mp.get_context("spawn"), initializer=_reader_start, initargs=(registry, today)
        )
        try:
            for reading in pool.map(_reader_read, jobs):
                yield _logged(reading, jobs[done][1])
                done += 1
        except BrokenProcessPool as e:
            yield _failed("csv", jobs[done][1], e)
            done += 1
        finally:
            pool.shutdown(cancel_futures=True)
    for path, name, sha in jobs[done:]:
        yield _logged(_read(path, name, sha, registry, today), name)


def _logged(reading: _Reading, name: str) -> _Reading:
    if reading.trace:
        log.error("E1 while reading %s:\n%s", name, reading.trace)
    return reading


_reader_args: tuple[Registry, dt.date] | None = None


def _reader_start(registry: Registry, today: dt.date) -> None:
    global _reader_args
    _reader_args = (registry, today)


def _reader_read(job: tuple[Path, str, str]) -> _Reading:
    return _read(*job, *_reader_args)


def _take(
    item: Incoming,
    reading: _Reading,
    home: Home,
    seq: int,
    ledger: _Ledger,
    staged: dict[str, list[dict]],
    run_id: str | None,
    write_quarantine: bool = True,
) -> FileOutcome:
    """Stage one file's rows; the ledger learns of its filings only once it is all staged."""
    sha, fmt, encoding, name = item.sha, reading.fmt, reading.encoding, item.name
    received_at, arrived_at = item.received_at, item.arrived_at
    outcome = FileOutcome(name, sha, "ingested", fmt=fmt)
    known, filed = set(), set()

    for filing_id, filing, problems in reading.results:
        if filing is None:
            outcome.problems.extend(_at_most(PROBLEMS_SHOWN, problems))
            continue
        if filing_id in ledger.known or filing_id in known:
            if filing_id in ledger.rejected:  # sent again after its rejection: decided again
                outcome.resent.append((filing.park_code, filing.period, filing.revision))
            else:
                outcome.duplicates += 1
            continue
        known.add(filing_id)
        park_period = (filing.park_code, filing.period)
        first = park_period not in ledger.filed and park_period not in filed
        filed.add(park_period)
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
        outcome.quarantine_path = (
            quarantine(home, item.path, sha, name, received_at, outcome.problems, said)
            if write_quarantine
            else home.quarantine / stored_name(sha, name)
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
            "size_bytes": item.size,
            "received_at": received_at,
            "archive_path": str(item.path.relative_to(home.root)),
            "outcome": outcome.outcome,
            "filings_accepted": len(outcome.accepted),
            "filings_rejected": rejected,
            "filings_duplicate": outcome.duplicates,
            "quarantine_path": outcome.quarantine_path
            and str(outcome.quarantine_path.relative_to(home.root)),
            "arrived_at": arrived_at,
            "taken_by": "backfill" if ledger.backfill else "run",
            "run_id": run_id,
            "landing_identity": item.identity,
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
    ledger.known |= known
    ledger.filed |= filed
    return outcome


def _at_most(shown: int, problems: list[Problem]) -> list[Problem]:
    """A filing's first `shown` problems, and a line saying how many more of which rules:
    a sheet of bad cells would otherwise put a problem a cell into raw.rejections."""
    if len(problems) <= shown:
        return problems
    rest = problems[shown:]
    rules = sorted({p.rule for p in rest})
    last = problems[shown - 1]
    return [
        *problems[:shown],
        replace(
            last,
            rule=rules[0],
            message=f"and {len(rest):,} more problem(s) of rule(s) {', '.join(rules)} not listed "
            f"here: correct the {shown} above and send the file again",
            sheet=None,
            row=None,
            column=None,
            value=None,
        ),
    ]


def _count_rejected(problems: list[Problem]) -> int:
    return len({(p.park, p.period) for p in problems})


def _csv_filing_id(sha: str, filing: Filing) -> str:
    """A long CSV holds many filings: each is named by the file's hash, its park and period."""
    return hashlib.sha256(f"{sha}|{filing.park_code}|{filing.period}".encode()).hexdigest()[:16]
