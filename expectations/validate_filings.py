"""Decide each newly received filing: accepted, accepted with warnings, waived, or rejected.

A filing is compared (B6, B7, W1, W7) only with filings that are accepted: a
rejected March never becomes April's reference. A rejected filing is decided
again when what it was judged against may have changed — a filing of the
same park and year (or the year before) decided in this run, a waiver that
now covers it, or the same file sent again — and its new decision is
recorded when it differs, or when it was sent again (_to_decide_again).

A filing is judged against the warehouse as it stood when it arrived (the
filings that came to count before it: check_frames.history). Filings are
validated in batches of whole parks, each batch decided in rounds of the
blocking suites until its rejections settle (see _decide_batch), then
checked once by the warning suites. A rejected filing is quarantined with
its reason; its raw rows stay in the raw layer as history, and the marts
keep the park's earlier accepted data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from expectations import audit_store, check_frames
from expectations.audit_store import ACCEPTED, REJECTED, WAIVED, WARNED
from expectations.filing_suites import FILING_SUITES
from expectations.gx_runner import GxRunner
from expectations.waivers import Waiver
from expectations.waivers import load as load_waivers
from parkstat import crash_points
from parkstat.home import Home
from sources import raw_store
from sources import template as t
from sources.normalise import period_label
from sources.problems import Problem
from sources.quarantine import note_decided_again, quarantine
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
    because: str = audit_store.ARRIVED  # why it was decided in this run
    was: str | None = None  # decided again: its status before

    @property
    def rules(self) -> list[str]:
        return sorted({p.rule for p in self.problems})


@dataclass(frozen=True)
class Candidate:
    """A filing to decide in this run, new or decided again."""

    filing_id: str
    park_code: str
    period: dt.date
    file_name: str
    sha: str
    received_at: dt.datetime
    effective_seq: int  # when it comes to count (check_frames._SO_FAR)
    because: str = audit_store.ARRIVED
    was: str | None = None  # a decided-again filing's status and rules before
    was_rules: tuple[str, ...] = ()


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
    now: dt.datetime | None = None,
    write_quarantine: bool = True,
) -> ValidationReport:
    """Decide every undecided filing, or only those of `periods` (first, last) for a backfill,
    and decide again the rejected filings whose references may have changed.

    Filings outside the range stay undecided — unpublished — for a later run. `now` and
    `write_quarantine` are for a replay (`parkstat rebuild`): the decisions' time as it was,
    and quarantine/ left as it is.
    """
    started = time.perf_counter()
    waivers = load_waivers() if waivers is None else waivers
    report = ValidationReport()
    runner = GxRunner(home)
    with raw_store.connect(home.working_db) as con:
        audit_store.ensure(con)
        undecided = [
            Candidate(*row)
            for row in con.execute(f"""
                select filing_id, park_code, period, file_name, file_sha256, received_at,
                       arrival_seq
                from raw.filings
                where filing_id not in (
                    select filing_id from {audit_store.SCHEMA}.filing_decisions)
                order by period, arrival_seq
            """).fetchall()
        ]
        if periods:
            report.left_undecided = sum(not periods[0] <= c.period <= periods[1] for c in undecided)
            undecided = [c for c in undecided if periods[0] <= c.period <= periods[1]]
        again = _to_decide_again(con, undecided, waivers, periods)
        for n, filings in enumerate(_batches(undecided + again), 1):
            decided, held = _decide_batch(con, runner, f"{run_id}-{n:03d}", filings, waivers)
            for suite, passed in held.items():
                report.suites[suite] = report.suites.get(suite, True) and passed
            changed = [
                (v, f) for v, f in zip(decided, filings, strict=True) if _worth_recording(v, f)
            ]
            # The reasons first: a run killed between the two decides the batch again, and
            # the same reasons are not written twice; the other way round they would be lost.
            if write_quarantine:
                for verdict, filing in changed:
                    _quarantine(con, home, verdict, filing, run_id)
            crash_points.reached("validate:reasons")
            _record(con, [v for v, _ in changed], run_id, now)
            crash_points.reached("validate:batch")
            report.verdicts += [v for v, _ in changed]
    report.gx_runs = runner.run_names
    report.seconds = time.perf_counter() - started
    return report


# Decided again in this run: after every filing that arrived (check_frames._SO_FAR).
_NOW = 1 << 62


def _to_decide_again(
    con, undecided: list[Candidate], waivers: list[Waiver], periods
) -> list[Candidate]:
    """Rejected filings to decide again, and why.

    - re-sent: the same file arrived again since the filing was decided;
    - waiver: a waiver covers one of the rules that rejected it;
    - reference: a filing of the same park and year, or of the year before
      (B7 and W7 look a year back), is decided in this run — its rejection
      may have rested on what that filing replaces (B6, B7 against an
      earlier period; B6 against a later one). Followed through: a filing
      decided again may in turn be another's reference.
    A rejected filing that an accepted correction has since superseded is
    left as it is, unless it was sent again.
    """
    rows = con.execute(f"""
        with current as ({audit_store.CURRENT_DECISIONS}),
        accepted as ({check_frames.ACCEPTED})
        select f.filing_id, f.park_code, f.period, f.file_name, f.file_sha256, f.received_at,
               c.status, c.blocking_rules,
               exists (select 1 from raw.arrivals a
                       where a.file_sha256 = f.file_sha256 and a.received_at > c.decided_at)
                   as re_sent,
               exists (select 1 from accepted a
                       where a.park_code = f.park_code and a.period = f.period
                         and (a.revision, a.arrival_seq) > (f.revision, f.arrival_seq))
                   as superseded
        from raw.filings f join current c using (filing_id)
        where c.status = '{REJECTED}'
        order by f.period, f.arrival_seq
    """).fetchall()
    touched = {(c.park_code, c.period.year) for c in undecided}
    chosen: dict[str, Candidate] = {}

    def take(row, because: str) -> None:
        filing_id, park, period, name, sha, received, status, rules, *_ = row
        chosen[filing_id] = Candidate(
            filing_id, park, period, name, sha, received, _NOW, because, status, tuple(rules)
        )
        touched.add((park, period.year))

    for row in rows:
        filing_id, park, period, _, sha, _, _, rules, re_sent, _ = row
        if periods and not periods[0] <= period <= periods[1]:
            continue
        if re_sent:
            take(row, audit_store.RESENT)
        elif any(w.covers(park, period, r, sha) for r in rules for w in waivers):
            take(row, audit_store.WAIVER)
    grew = True
    while grew:
        grew = False
        for row in rows:
            filing_id, park, period, *_, superseded = row
            if filing_id in chosen or superseded:
                continue
            if periods and not periods[0] <= period <= periods[1]:
                continue
            if (park, period.year) in touched or (park, period.year - 1) in touched:
                take(row, audit_store.REFERENCE)
                grew = True
    return list(chosen.values())


def _worth_recording(verdict: Verdict, filing: Candidate) -> bool:
    """A new filing's decision always; a decided-again one's when it changed, or when the
    park sent the file again (it is told what became of it)."""
    if filing.was is None or filing.because == audit_store.RESENT:
        return True
    blocking = tuple(r for r in verdict.rules if RULES[r].blocking)
    return (verdict.status, blocking) != (filing.was, filing.was_rules)


def _batches(filings: list[Candidate]) -> list[list[Candidate]]:
    """Whole parks, up to BATCH_FILINGS filings a batch.

    Every rule compares a filing with its own park's filings only, so parks
    are decided independently; a park's filings of one run are decided
    together (a correction with the later months sent with it), whatever the
    batch size. One batch is validated by one run of each suite (a run has a
    fixed cost of its own); the limit keeps the check frames of a national
    backfill within memory. A park with more filings is a batch of its own.
    """
    by_park = defaultdict(list)
    for filing in filings:
        by_park[filing.park_code].append(filing)
    batches: list[list[Candidate]] = []
    for park in sorted(by_park):
        if batches and len(batches[-1]) + len(by_park[park]) <= BATCH_FILINGS:
            batches[-1] += by_park[park]
        else:
            batches.append(list(by_park[park]))
    return batches


def _decide_batch(
    con, runner: GxRunner, batch: str, filings: list[Candidate], waivers: list[Waiver]
):
    """Verdicts on a batch of parks' filings, the same as deciding each park on its own.

    The blocking suites run in rounds: round 1 takes every filing of the batch
    as publishable, each later round takes the filings the round before
    rejected out of the references. A filing is judged against the filings
    that came to count before it, so the rounds settle — in one round when
    nothing is rejected, two in the usual case — except where a correction
    and the later month's correction sent after it contradict each other
    (which of the later month's filings counts depends on the correction's
    verdict). When the rounds have not settled after one more than a park
    has filings in the batch, a filing once rejected stays rejected from then
    on, which settles. The warning suites then run once, on the settled
    verdicts.
    """
    con.execute(
        "create or replace temp table scope as select unnest(?) as filing_id",
        [[f.filing_id for f in filings]],
    )
    rejected: set[str] = set()
    reasons: dict[str, list[Problem]] = {}  # each filing's blocking problems when last rejected
    held: dict[str, bool] = {}
    blocking = [s for s in FILING_SUITES if s.blocking]
    rounds = max(Counter(f.park_code for f in filings).values()) + 1
    # Ends: by `rounds`, as shown above; after it the rejected set only grows.
    for round_ in itertools.count(1):
        _tentative(con, filings, rejected)
        failures = _run_suites(con, runner, blocking, f"{batch}-{round_}", held)
        decided = [_decide(f, failures.get(f.filing_id, []), waivers) for f in filings]
        now_rejected = {v.filing_id for v in decided if v.status == REJECTED}
        reasons.update({v.filing_id: v.problems for v in decided if v.status == REJECTED})
        if round_ > rounds:  # not settled: rejections only accumulate from here
            now_rejected |= rejected
        if now_rejected == rejected:
            break
        rejected = now_rejected
    _tentative(con, filings, rejected)
    warnings = _run_suites(
        con, runner, [s for s in FILING_SUITES if not s.blocking], f"{batch}-w", held
    )
    decided = []
    for f in filings:
        # A filing held back with its contradicting filings (above) keeps the reasons
        # it was rejected for.
        found = reasons[f.filing_id] if f.filing_id in rejected else failures.get(f.filing_id, [])
        decided.append(_decide(f, found + warnings.get(f.filing_id, []), waivers))
    con.execute("drop table tentative")
    return decided, held


def _tentative(con, filings: list[Candidate], rejected: set[str]) -> None:
    """The batch's filings as decided so far, and when each comes to count."""
    con.execute(
        "create or replace temp table tentative as "
        "select unnest(?) as filing_id, unnest(?) as status, unnest(?) as effective_seq",
        [
            [f.filing_id for f in filings],
            [REJECTED if f.filing_id in rejected else ACCEPTED for f in filings],
            [f.effective_seq for f in filings],
        ],
    )


def _run_suites(
    con, runner: GxRunner, suites, batch: str, passed: dict[str, bool]
) -> dict[str, list[Problem]]:
    """Problems found by these filing suites, by filing id; `passed` notes which suites held."""
    found: dict[str, list[Problem]] = defaultdict(list)
    frames = {}  # a frame two suites share is computed once
    for suite in suites:
        if suite.frame not in frames:
            frames[suite.frame] = suite.frame(con)
        frame = suite.select(frames[suite.frame])
        if frame.empty:
            continue
        says = {c.name: c.says for c in suite.checks}
        failures = runner.validate(
            suite.name, [c.expectation for c in suite.checks], frame, check_frames.KEY, batch
        )
        passed[suite.name] = passed.get(suite.name, True) and not failures
        for failure in failures:
            row = failure.row
            found[row["filing_id"]].append(
                Problem(
                    rule=failure.rule,
                    file=row["file_name"],
                    message=says[failure.check](row),
                    sheet=row.get("sheet"),
                    row=_int(row.get("row_number")),
                    park=row["park_code"],
                    period=period_label(_date(row["period"])),
                )
            )
    # GX names failing rows in the frame's order, which DuckDB does not fix (it differs
    # with the batch and the threads): each filing's problems are put in the order of its
    # file, so that a filing decided again says the same in the same words — its reason
    # file is not written twice after a killed run, and matches an uninterrupted run's.
    for problems in found.values():
        problems.sort(key=_reading_order)
    return found


_SHEET_ORDER = {s.name: i for i, s in enumerate(t.SHEETS)}


def _reading_order(p: Problem) -> tuple:
    """Sheet as in the template, then row, column, rule and message: a park's file read down."""
    return (
        _SHEET_ORDER.get(p.sheet, len(_SHEET_ORDER)) if p.sheet else -1,
        p.sheet or "",
        p.row or 0,
        p.column or "",
        p.rule,
        p.message,
    )


def _decide(filing: Candidate, problems: list[Problem], waivers: list[Waiver]) -> Verdict:
    verdict = Verdict(
        filing.filing_id,
        filing.park_code,
        filing.period,
        filing.file_name,
        ACCEPTED,
        problems,
        because=filing.because,
        was=filing.was,
    )
    blocking = {p.rule for p in problems if RULES[p.rule].blocking}
    for rule in sorted(blocking):
        waiver = next(
            (w for w in waivers if w.covers(filing.park_code, filing.period, rule, filing.sha)),
            None,
        )
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


def _record(con, verdicts: list[Verdict], run_id: str, now: dt.datetime | None) -> None:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
                "decided_because": v.because,
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


def _quarantine(con, home: Home, verdict: Verdict, filing: Candidate, run_id: str) -> None:
    """A rejected filing's file and reasons to quarantine/; a filing decided again that is
    now accepted gets a line saying so in its reason file."""
    if verdict.status != REJECTED:
        if verdict.was == REJECTED:
            note_decided_again(
                home, filing.sha, filing.file_name,
                f"{run_id}: {_AGAIN[verdict.because]} — now {verdict.status}, published",
            )  # fmt: skip
        return
    archive_path = con.execute(
        "select archive_path from raw.arrivals where file_sha256 = ? limit 1", [filing.sha]
    ).fetchone()[0]
    blocking = [p for p in verdict.problems if RULES[p.rule].blocking]
    said = REJECTED_SAYS if verdict.was is None else f"{_AGAIN[verdict.because]}: {REJECTED_SAYS}"
    quarantine(
        home, home.root / archive_path, filing.sha, filing.file_name, filing.received_at,
        blocking, said,
    )  # fmt: skip


# What a decision again says, by why it was made.
_AGAIN = {
    audit_store.RESENT: "重新报送, 已重新审核 / sent again and decided again",
    audit_store.WAIVER: "豁免后重新审核 / decided again under a steward's waiver",
    audit_store.REFERENCE: "参照数据变化后重新审核 / decided again: a filing it was checked "
    "against was corrected, waived or rejected",
}


def _date(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def _int(value) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


__all__ = ["ACCEPTED", "REJECTED", "WAIVED", "WARNED", "ValidationReport", "validate_filings"]
