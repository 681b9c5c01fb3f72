"""Decide each newly received filing: accepted, accepted with warnings, waived, or rejected.

A filing is compared (B6, B7, W1) only with filings of earlier periods that
are accepted: a rejected March never becomes April's reference. Periods are
validated in batches, oldest first, each batch decided in rounds until its
rejections settle (see _decide_batch) — the verdicts of deciding one period
at a time, at a fraction of the suite runs. A rejected filing is quarantined
with its reason; its raw rows stay in the raw layer as history, and the
marts keep the park's earlier accepted data.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from expectations import audit_store
from expectations.audit_store import ACCEPTED, REJECTED, WAIVED, WARNED
from expectations.filing_suites import FILING_SUITES
from expectations.gx_runner import GxRunner
from expectations.waivers import Waiver
from expectations.waivers import load as load_waivers
from parkstat.home import Home
from sources import raw_store
from sources.normalise import period_label
from sources.problems import Problem
from sources.quarantine import quarantine
from sources.template import RULES

# Filings validated together (see _batches): about 60 checked rows each, so a
# batch's frames stay under 1 GiB; fewer batches mean fewer suite runs and
# fewer results for Data Docs to render (a national backfill: 5 batches).
BATCH_FILINGS = 12_000
REJECTED_SAYS = "拒收 / rejected on validation — the park's earlier accepted data stays published"


@dataclass
class Verdict:
    filing_id: str
    park_code: str
    period: dt.date
    file_name: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        return sorted({p.rule for p in self.problems})


@dataclass
class ValidationReport:
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0
    gx_runs: list[str] = field(default_factory=list)  # the GX runs' names: their Data Docs
    suites: dict[str, bool] = field(default_factory=dict)  # suite -> passed on every filing
    left_undecided: int = 0  # filings outside a backfill's periods, left for a later run

    @property
    def suites_passed(self) -> list[str]:
        return [name for name, passed in self.suites.items() if passed]

    def count(self, status: str) -> int:
        return sum(v.status == status for v in self.verdicts)


def validate_filings(
    home: Home,
    run_id: str,
    waivers: list[Waiver] | None = None,
    periods: tuple[dt.date, dt.date] | None = None,
) -> ValidationReport:
    """Decide every undecided filing, or only those of `periods` (first, last) for a backfill.

    Filings outside the range stay undecided — unpublished — for a later run.
    """
    started = time.perf_counter()
    waivers = load_waivers() if waivers is None else waivers
    report = ValidationReport()
    runner = GxRunner(home)
    with raw_store.connect(home.working_db) as con:
        audit_store.ensure(con)
        undecided = con.execute(f"""
            select filing_id, park_code, period, file_name, file_sha256, received_at
            from raw.filings
            where filing_id not in (select filing_id from {audit_store.SCHEMA}.filing_decisions)
            order by period, arrival_seq
        """).fetchall()
        if periods:
            report.left_undecided = sum(not periods[0] <= r[2] <= periods[1] for r in undecided)
            undecided = [r for r in undecided if periods[0] <= r[2] <= periods[1]]
        for n, filings in enumerate(_batches(undecided), 1):
            decided, held = _decide_batch(con, runner, f"{run_id}-{n:03d}", filings, waivers)
            for suite, passed in held.items():
                report.suites[suite] = report.suites.get(suite, True) and passed
            _record(con, decided, run_id)
            for verdict, filing in zip(decided, filings, strict=True):
                if verdict.status == REJECTED:
                    _quarantine(con, home, verdict, filing)
            report.verdicts += decided
    report.gx_runs = runner.run_names
    report.seconds = time.perf_counter() - started
    return report


def _batches(undecided: list) -> list[list]:
    """Consecutive whole periods, oldest first, up to BATCH_FILINGS filings a batch.

    One batch is validated by one run of each suite (a run has a fixed cost
    of its own); the limit keeps the check frames of a national backfill
    within memory. A period larger than the limit is a batch of its own.
    """
    by_period = defaultdict(list)
    for row in undecided:
        by_period[row[2]].append(row)
    batches: list[list] = []
    for period in sorted(by_period):
        if batches and len(batches[-1]) + len(by_period[period]) <= BATCH_FILINGS:
            batches[-1] += by_period[period]
        else:
            batches.append(list(by_period[period]))
    return batches


def _decide_batch(con, runner: GxRunner, batch: str, filings: list, waivers: list[Waiver]):
    """Verdicts on a batch of periods, the same as deciding them one period at a time.

    Round 1 assumes every filing of the batch publishable; each later round
    takes the filings the round before rejected out of the references. A
    filing's verdict depends only on filings of earlier periods, so the
    rounds settle — as soon as the rejected filings stop changing (one round
    when nothing is rejected, two in the usual case).
    """
    con.execute(
        "create or replace temp table scope as select unnest(?) as filing_id",
        [[f[0] for f in filings]],
    )
    rejected: set[str] = set()
    # Period by period, each round settles at least one more: this many at most.
    rounds = len({f[2] for f in filings}) + 1
    for round_ in range(1, rounds + 1):
        con.execute(
            "create or replace temp table tentative as "
            "select unnest(?) as filing_id, unnest(?) as status",
            [
                [f[0] for f in filings],
                [REJECTED if f[0] in rejected else ACCEPTED for f in filings],
            ],
        )
        held: dict[str, bool] = {}
        failures = _run_suites(con, runner, f"{batch}-{round_}", held)
        decided = [_decide(f, failures.get(f[0], []), waivers) for f in filings]
        now_rejected = {v.filing_id for v in decided if v.status == REJECTED}
        if now_rejected == rejected:
            break
        rejected = now_rejected
    else:
        raise RuntimeError(f"validation batch {batch} did not settle in {rounds} rounds")
    con.execute("drop table tentative")
    return decided, held


def _run_suites(
    con, runner: GxRunner, batch: str, passed: dict[str, bool]
) -> dict[str, list[Problem]]:
    """Problems found by every filing suite, by filing id; `passed` notes which suites held."""
    found: dict[str, list[Problem]] = defaultdict(list)
    frames = {}  # a frame two suites share is computed once
    for suite in FILING_SUITES:
        if suite.frame not in frames:
            frames[suite.frame] = suite.frame(con)
        frame = suite.select(frames[suite.frame])
        if frame.empty:
            continue
        says = {c.rule: c.says for c in suite.checks}
        failures = runner.validate(
            suite.name, [c.expectation for c in suite.checks], frame, list(frame.columns), batch
        )
        passed[suite.name] = passed.get(suite.name, True) and not failures
        for failure in failures:
            row = failure.row
            found[row["filing_id"]].append(
                Problem(
                    rule=failure.rule,
                    file=row["file_name"],
                    message=says[failure.rule](row),
                    sheet=row.get("sheet"),
                    row=_int(row.get("row_number")),
                    park=row["park_code"],
                    period=period_label(_date(row["period"])),
                )
            )
    return found


def _decide(filing, problems: list[Problem], waivers: list[Waiver]) -> Verdict:
    filing_id, park, period, file_name, sha, _ = filing
    verdict = Verdict(filing_id, park, period, file_name, ACCEPTED, problems)
    blocking = {p.rule for p in problems if RULES[p.rule].blocking}
    for rule in sorted(blocking):
        waiver = next((w for w in waivers if w.covers(park, period, rule, sha)), None)
        if waiver:
            verdict.waivers.append(waiver)
    waived = {w.rule for w in verdict.waivers}
    if blocking - waived:
        verdict.status = REJECTED
    elif waived:
        verdict.status = WAIVED
    elif problems:
        verdict.status = WARNED
    return verdict


def _record(con, verdicts: list[Verdict], run_id: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    decisions, problems = [], []
    for v in verdicts:
        waived = {w.rule for w in v.waivers}
        rules = v.rules
        decisions.append(
            {
                "filing_id": v.filing_id,
                "status": v.status,
                "run_id": run_id,
                "decided_at": now,
                "blocking_rules": [r for r in rules if RULES[r].blocking and r not in waived],
                "warning_rules": [r for r in rules if not RULES[r].blocking],
                "waived_rules": sorted(waived),
            }
        )
        for p in v.problems:
            problems.append(
                {
                    "filing_id": v.filing_id,
                    "park_code": v.park_code,
                    "period": v.period,
                    "file_name": p.file,
                    "sheet": p.sheet,
                    "row_number": p.row,
                    "rule": p.rule,
                    "blocking": RULES[p.rule].blocking,
                    "waived": p.rule in waived,
                    "waiver": next((w.words for w in v.waivers if w.rule == p.rule), None),
                    "message": p.message,
                    "run_id": run_id,
                }
            )
    con.execute("begin transaction")
    audit_store.append(con, "filing_decisions", decisions)
    audit_store.append(con, "validation_problems", problems)
    con.execute("commit")


def _quarantine(con, home: Home, verdict: Verdict, filing) -> None:
    _, _, _, file_name, sha, received_at = filing
    archive_path = con.execute(
        "select archive_path from raw.arrivals where file_sha256 = ? limit 1", [sha]
    ).fetchone()[0]
    data = (home.root / archive_path).read_bytes()
    blocking = [p for p in verdict.problems if RULES[p.rule].blocking]
    quarantine(home, data, sha, file_name, received_at, blocking, REJECTED_SAYS)


def _date(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def _int(value) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


__all__ = ["ACCEPTED", "REJECTED", "WAIVED", "WARNED", "ValidationReport", "validate_filings"]
