"""The sample generator: synthetic, reproducible monthly filings for the registry's parks.

    generate(out_dir, start, end, parks="all", seed=0, fmt="xlsx", faults=0.0, today=None,
             registry=None)

writes one workbook per park and period (or one long CSV per period), a
manifest.json listing every planted fault, messy form, late filing,
correction and missing filing with the cell it sits in, and a README.txt
saying the figures are synthetic. The returned GenerateResult holds the
truth of every filing in stored form, for tests.

Stages (one module each): economy + projects (the synthetic parks), truth
(Filings), plan (periods, dates, corrections), faults, presentation (messy
forms), naming (file names). This module orchestrates and writes.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sources import lateness
from sources import template as t
from sources.filing import Filing
from sources.registry import Park, Registry, default_registry
from sources.write_csv import ENCODINGS, CsvLayout, CsvStyle, write_long_csv
from sources.write_workbook import (
    SYNTHETIC_NOTE,
    WorkbookLayout,
    WorkbookStyle,
    layout_workbook,
    save_layout,
)

from .economy import FDI, OUTPUT, TIANYI, build_economy
from .faults import Planner, plant, planted_in
from .naming import Namer
from .plan import Pending, Slot, Submission, report_periods, schedule
from .presentation import (
    CSV_ENCODING_FORMS,
    CSV_FORMS,
    XLSX_FORMS,
    Presenter,
    contact,
    settle_units,
)
from .truth import build_filing

__all__ = ["GenerateResult", "GeneratedFile", "generate", "select_parks"]

MANIFEST = "manifest.json"
README = "README.txt"
PARALLEL_FROM = 60  # workbooks; below this a second process costs more than it saves


@dataclass
class GeneratedFile:
    path: Path
    format: str  # xlsx | csv
    encoding: str | None  # CSV only
    filings: list[Filing]  # stored-form truth of each filing in the file
    expect: list[str] = field(default_factory=list)  # per filing: accept | warn | reject
    rules: list[list[str]] = field(default_factory=list)  # per filing: rules expected to fire

    def outcomes(self) -> list[tuple[Filing, str, list[str]]]:
        return list(zip(self.filings, self.expect, self.rules, strict=True))


@dataclass
class GenerateResult:
    out_dir: Path
    parameters: dict
    files: list[GeneratedFile]
    manifest: list[dict]  # the entries of manifest.json
    missing: list[tuple[str, dt.date]]  # park-periods not filed (W5)


def select_parks(registry: Registry, parks: Literal["all"] | int, day: dt.date) -> list[Park]:
    """All current parks, or the first N by code — always with 湘潭天易经开区 (the calibration)."""
    current = registry.current(day) or registry.current()
    if parks == "all":
        return current
    n = int(parks)
    if n < 1:
        raise ValueError("parks must be 'all' or a positive number")
    chosen = current[:n]
    if all(p.code != TIANYI for p in chosen):
        tianyi = [p for p in current if p.code == TIANYI]
        chosen = chosen[: n - 1] + tianyi
    return chosen


def generate(
    out_dir: Path | str,
    start: dt.date,
    end: dt.date,
    parks: Literal["all"] | int = "all",
    seed: int = 0,
    fmt: Literal["xlsx", "csv"] = "xlsx",
    faults: float = 0.0,
    today: dt.date | None = None,
    registry: Registry | None = None,
) -> GenerateResult:
    """Write synthetic filings for report months start..end into out_dir (see module doc).

    `registry`: the parks to file for (default: the registry parkstat reads).
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"format must be xlsx or csv, not {fmt!r}")
    if not 0.0 <= faults <= 1.0:
        raise ValueError("faults is a share of files, between 0 and 1")
    today = today or dt.date.today()
    start, end = start.replace(day=1), end.replace(day=1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    registry = registry or default_registry()
    chosen = select_parks(registry, parks, end)
    periods = report_periods(start, end, today)
    years = list(range(start.year - 1, end.year + 1))
    # A clean counterpart of B7: one park's foreign investment arrives after February every
    # year, so that its small early figures are the references of ordinary later ones.
    lumpy = next((p.code for p in chosen[1:] if p.code != TIANYI), None)
    economies = [build_economy(p, years, seed, lumpy_fdi=p.code == lumpy) for p in chosen]
    versions = {(p.code, d): registry.version_at(p.code, d) or p for p in chosen for d in periods}
    slots = schedule(economies, periods, versions, seed, today)

    rng = random.Random(seed)
    planner = Planner(slots, rng, today)
    if faults > 0:
        planner.force_late(today)
        planner.plan(faults, fmt, len(slots) if fmt == "xlsx" else len(periods))
        planner.counterparts()
    planner.settle()

    subs, missing = _submissions(slots, fmt, seed)
    for sub in subs:
        if planted_in(sub):
            plant(sub, rng, today, registry)
        _honest_warnings(sub, lumpy)
    presenter = Presenter(registry, today, rng)
    presenter.run(
        [s for s in subs if not planted_in(s)],
        XLSX_FORMS if fmt == "xlsx" else CSV_FORMS,
    )
    for sub in subs:
        settle_units(sub)

    parameters = {
        "start": f"{start:%Y-%m}",
        "end": f"{end:%Y-%m}",
        "parks": parks,
        "seed": seed,
        "format": fmt,
        "faults": faults,
        "today": today.isoformat(),
    }
    namer = Namer(rng)
    if fmt == "xlsx":
        files, entries = _write_workbooks(out, subs, namer)
    else:
        files, entries = _write_csvs(out, subs, periods, namer)
    entries += [_missing_entry(slot, fmt) for slot in missing]
    _write_manifest(out, parameters, files, entries)
    return GenerateResult(out, parameters, files, entries, [(s.code, s.period) for s in missing])


def _submissions(slots: list[Slot], fmt: str, seed: int) -> tuple[list[Submission], list[Slot]]:
    """The filings as sent: originals (some with preliminary figures) and corrections."""
    subs, missing = [], []
    for slot in slots:
        if slot.fault and slot.fault[0] == "W5":
            missing.append(slot)
            continue
        sends = [(0, slot.filed, slot.prelim or None)]
        if slot.corrected:
            sends.append((1, slot.corrected, None))
        for revision, filed, revise in sends:
            filing = build_filing(slot.econ, slot.period, filed, slot.park.name, revision, revise)
            sub = Submission(slot, revision, filing, fmt)
            if fmt == "xlsx":
                person, phone = contact(seed, slot.code)
                sub.wb = WorkbookStyle(
                    synthetic=True, cover={t.COVER_CONTACT: person, t.COVER_PHONE: phone}
                )
            else:
                sub.csv = CsvStyle()
            if revision:
                sub.pending.append(
                    Pending(
                        "correction",
                        "correction",
                        sub.cover_target(t.COVER_REVISION),
                        f"supersedes the filing of {slot.filed.isoformat()}; "
                        f"{', '.join(slot.prelim)} revised",
                    )
                )
            elif slot.late:
                sub.expect, sub.rules = "warn", ["W3"]
                sub.pending.append(
                    Pending("late", "W3", sub.cover_target(t.COVER_FILED), "filed after the 10th")
                )
            subs.append(sub)
    return subs, missing


def _honest_warnings(sub: Submission, lumpy: str | None) -> None:
    """Warnings a clean filing draws honestly, and the clean counterparts it shows.

    - W7: its park's above-scale output of the year is restated (上年同期 to this
      year's scope) while last year's filing for the period stands accepted;
    - the corrected-together pair and the park whose FDI is small in February
      (B6 and B7 must let them through) are listed as what they are.
    """
    slot = sub.slot
    restated = slot.econ.restate[(slot.period.year, OUTPUT)] != 1.0
    if sub.expect != "reject" and slot.last_accepted and restated:
        sub.rules = [*sub.rules, "W7"]
        sub.expect = "warn"
        sub.pending.append(
            Pending(
                "restated",
                "W7",
                ("cell", ("indicators", OUTPUT, "value_prior_ytd")),
                "上年同期 restated to this year's above-scale scope",
            )
        )
    if slot.together and sub.revision == 1:
        sub.pending.append(
            Pending(
                "clean",
                "B6",
                ("cell", ("indicators", OUTPUT, "value_ytd")),
                "corrected together with the next month, whose original it would break alone",
                "corrected_together",
            )
        )
    if slot.code == lumpy and slot.period.month == 2 and sub.revision == 0 and not slot.fault:
        sub.pending.append(
            Pending(
                "clean",
                "B7",
                ("cell", ("indicators", FDI, "value_ytd")),
                "FDI arrives after February: a small reference for the later months",
                "lumpy_small_value",
            )
        )


# --------------------------------------------------------------------------
# Manifest entries
# --------------------------------------------------------------------------
def _entry(sub: Submission | None, pending: Pending, file: str | None, fmt: str) -> dict:
    slot = sub.slot if sub else None
    return {
        "file": file,
        "format": fmt,
        "park_code": slot.code if slot else None,
        "period": f"{slot.period:%Y-%m}" if slot else None,
        "revision": sub.revision if sub else None,
        "kind": pending.kind,
        "rule": pending.rule,
        "variant": pending.variant,
        "rules": list(sub.rules) if sub else [],
        "expect": sub.expect if sub else "accept",
        "sheet": None,
        "row": None,
        "column": None,
        "cell": None,
        "value": None,
        "note": pending.note,
    }


def _json_value(v: object) -> object:
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _resolve_xlsx(entry: dict, target: tuple, layout: WorkbookLayout | None) -> None:
    kind = target[0]
    if layout is None or kind == "file":
        return
    if kind == "sheet":
        entry["sheet"] = t.SHEET_BY_KEY[target[1]].name
        return
    if kind == "sheet_column":
        sheet = t.SHEET_BY_KEY[target[1]]
        entry["sheet"] = layout.sheet_names[sheet.key]
        entry["column"] = next(c.header for c in sheet.columns if c.field == target[2])
        return
    placed = {
        "cell": lambda: layout.cells[target[1]],
        "cover": lambda: layout.cells[("cover", target[1], "content")],
        "header": lambda: layout.headers[(target[1], target[2])],
        "title": lambda: layout.titles[target[1]],
    }[kind]()
    entry.update(
        sheet=placed.sheet,
        row=placed.row,
        column=placed.header,
        cell=placed.cell,
        value=_json_value(placed.value),
    )


def _resolve_csv(entry: dict, target: tuple, layout: CsvLayout, index: int) -> None:
    kind = target[0]
    if kind == "file":
        return
    if kind == "csv_header":
        entry.update(row=layout.header_line, column=target[1])
        return
    if kind == "block":
        line, column = layout.first_lines[index], target[1]
    elif kind == "cell":
        line, column = layout.lines[(index, *target[1])], t.CSV_COLUMNS[7]
    elif kind == "csv_column":
        line, column = layout.lines[(index, *target[1])], target[2]
    else:
        raise ValueError(kind)
    assert line is not None
    record = layout.record(line)
    sheet_at = layout.columns.index(t.CSV_COLUMNS[3])
    entry.update(
        sheet=record[sheet_at] if kind != "block" else None,
        row=line,
        column=column,
        value=record[layout.columns.index(column)],
    )


def _missing_entry(slot: Slot, fmt: str) -> dict:
    entry = _entry(None, Pending("missing", "W5", ("file",), "not filed", "not_filed"), None, fmt)
    entry.update(park_code=slot.code, period=f"{slot.period:%Y-%m}", rules=["W5"], expect="warn")
    return entry


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def _stamp(path: Path, day: dt.date, seconds: int) -> None:
    """File time = 09:00 office time on the filing date (+ seconds, in order): the file
    arrives the day the park filed it, and an intake taking files by arrival sees them
    in order."""
    when = dt.datetime.combine(day, dt.time(9, 0), lateness.OFFICE)
    ts = (when + dt.timedelta(seconds=seconds)).timestamp()
    os.utime(path, (ts, ts))


def _save_chunk(jobs: list[tuple[WorkbookLayout, Path]]) -> None:
    for layout, path in jobs:
        save_layout(layout, path)


def _save_all(jobs: list[tuple[WorkbookLayout, Path]]) -> None:
    """Save the workbooks, on two or more cores when there are many (openpyxl is the slow part).

    Every choice was made before this point, so the files are the same
    whichever process writes them.
    """
    workers = min(4, os.cpu_count() or 1)
    if workers < 2 or len(jobs) < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        _save_chunk(jobs)
        return
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(_save_chunk, [jobs[i::workers] for i in range(workers)])


def _write_workbooks(
    out: Path, subs: list[Submission], namer: Namer
) -> tuple[list[GeneratedFile], list[dict]]:
    files, entries = [], []
    jobs: list[tuple[WorkbookLayout, Path]] = []
    for sub in subs:
        name = namer.workbook(sub)
        path = out / name
        layout = None
        if sub.raw_bytes is not None:
            path.write_bytes(sub.raw_bytes)
        else:
            layout = layout_workbook(sub.filing, sub.wb)
            jobs.append((layout, path))
        files.append(GeneratedFile(path, "xlsx", None, [sub.filing], [sub.expect], [sub.rules]))
        for pending in sub.pending:
            entry = _entry(sub, pending, name, "xlsx")
            _resolve_xlsx(entry, pending.target, layout)
            entries.append(entry)
    _save_all(jobs)
    for i, (sub, file) in enumerate(zip(subs, files, strict=True)):
        _stamp(file.path, _arrives(sub), i)
    return files, entries


def _arrives(sub: Submission) -> dt.date:
    """The day a submission's file arrives: its cover's date, unless planted otherwise."""
    return (sub.slot.arrived if sub.revision == 0 else None) or sub.filing.filed_date


def _write_csvs(
    out: Path, subs: list[Submission], periods: list[dt.date], namer: Namer
) -> tuple[list[GeneratedFile], list[dict]]:
    groups: list[tuple[str, dt.date, list[Submission]]] = []
    for period in periods:
        here = sorted((s for s in subs if s.slot.period == period), key=lambda s: s.slot.code)
        # The period's export of its on-time originals, then one of those sent late (it
        # arrives with the last of them: all late), then the corrections.
        main = [s for s in here if s.revision == 0 and not s.own_file and not s.slot.late]
        late = [s for s in here if s.revision == 0 and not s.own_file and s.slot.late]
        corrections = [s for s in here if s.revision > 0]
        if main:
            groups.append(("main", period, main))
        if late:
            groups.append(("late", period, late))
        if corrections:
            groups.append(("correction", period, corrections))
        groups += [("own", period, [s]) for s in here if s.own_file]

    files, entries = [], []
    for i, (kind, period, members) in enumerate(groups):
        encoding = ENCODINGS[i % len(ENCODINGS)]
        name = namer.csv(kind, period.year, period.month)
        path = out / name
        omit = members[0].csv_omit if kind == "own" else ()
        layout = write_long_csv(
            [s.filing for s in members],
            path,
            encoding,
            comments=[SYNTHETIC_NOTE],
            styles=[s.csv for s in members],
            filed_columns=True,
            omit_columns=omit,
        )
        _stamp(path, max(_arrives(s) for s in members), 36_000 + i)
        files.append(
            GeneratedFile(
                path,
                "csv",
                encoding,
                [_csv_truth(s.filing) for s in members],
                [s.expect for s in members],
                [s.rules for s in members],
            )
        )
        if encoding in CSV_ENCODING_FORMS:
            form = Pending("messy", CSV_ENCODING_FORMS[encoding], ("file",), encoding)
            entry = _entry(None, form, name, "csv")
            entry["period"] = f"{period:%Y-%m}"
            entries.append(entry)
        for index, sub in enumerate(members):
            for pending in sub.pending:
                entry = _entry(sub, pending, name, "csv")
                _resolve_csv(entry, pending.target, layout, index)
                entries.append(entry)
    return files, entries


def _csv_truth(filing: Filing) -> Filing:
    """A long CSV carries sheets 2-5 only: what it holds has no projects."""
    keys = {sheet.key for sheet in t.CSV_SHEETS}
    return replace(filing, sheets={k: v for k, v in filing.sheets.items() if k in keys})


def _write_manifest(
    out: Path, parameters: dict, files: list[GeneratedFile], entries: list[dict]
) -> None:
    listing = [
        {
            "file": f.path.name,
            "format": f.format,
            "encoding": f.encoding,
            "filings": [
                {
                    "park_code": filing.park_code,
                    "period": f"{filing.period:%Y-%m}",
                    "revision": filing.revision,
                    "filed_date": filing.filed_date.isoformat(),
                    "expect": expect,
                    "rules": rules,
                }
                for filing, expect, rules in f.outcomes()
            ],
        }
        for f in files
    ]
    manifest = {
        "generator": "parkstat generate",
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "template": t.TEMPLATE_VERSION,
        "parameters": parameters,
        "files": listing,
        "entries": entries,
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (out / README).write_text(_readme(parameters, len(files), len(entries)), encoding="utf-8")


def _readme(parameters: dict, n_files: int, n_entries: int) -> str:
    return f"""合成数据 — synthetic sample, not real statistics

Every figure, project, investor, contact person and phone number in these
{n_files} files was made up by `parkstat generate` ({json.dumps(parameters, ensure_ascii=False)}).
Park names and codes come from the park registry; nothing else here describes
a real park. The generator is deterministic: the same parameters (today
included) give the same files, byte for byte.

{MANIFEST} lists the {n_entries} planted things — faults (the rule each should
trip), messy but valid cell forms, late filings, corrections and filings not
sent — with the file, sheet, row and column where each sits, and for every
file the outcome the intake should reach (accept / warn / reject).
"""
