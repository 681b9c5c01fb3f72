"""The monthly run as a Prefect flow: each stage a task around a plain function.

Stages: intake (landing -> archive -> raw layer or quarantine), validate
(the filing suites decide each new filing), build (dbt on a candidate copy),
publish (atomic replace of the published warehouse). The
flow passes only small values; the work lives in sources/ and parkstat/ and
tests call it without Prefect.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task

from expectations.gx_runner import render_docs
from expectations.mart_suites import MartAudit, validate_marts
from expectations.validate_filings import REJECTED, ValidationReport, validate_filings
from parkstat import crash_points
from parkstat.dbt_process import dbt_process, finish_dbt
from parkstat.home import Home
from parkstat.stewards_report import write_report
from parkstat.temporary_server import MARKER as TEMPORARY_SERVER
from parkstat.warehouse import (
    BuildFailed,
    BuildResult,
    PublishRefused,
    build_candidate,
    check_readable,
    publication_row,
    publish,
    record_publication,
)
from parkstat.writer_lock import writer_lock
from sources import arrivals_log
from sources.intake import IntakeReport, run_intake
from sources.storage_errors import StorageFailed, is_storage_error, stopped


@dataclass
class MonthlyRun:
    run_id: str
    intake: IntakeReport
    validation: ValidationReport
    build: BuildResult
    marts_audit: MartAudit
    published: Path
    report: Path
    data_docs: Path  # the GX Data Docs' index
    seconds: dict[str, float]  # wall time of each stage, Prefect's task overhead included
    prefect_run: str  # the flow run's name and id (and page, with a server)

    @property
    def rejected(self) -> int:
        """Filings rejected in this run, on arrival or by validation."""
        return self.intake.filings_rejected + self.validation.count(REJECTED)


def _worth_a_retry(task, task_run, state) -> bool:
    """A full disk is not worth a second try: it is full the second time too."""
    try:
        state.result()
    except StorageFailed:
        return False
    except Exception:
        return True
    return True


# A file held open by another process (a park's upload still being copied, a
# virus scanner) is worth a second try; a rejected filing is not an error.
@task(name="intake", retries=2, retry_delay_seconds=5, retry_condition_fn=_worth_a_retry)
def intake(home_root: str, run_id: str, today: dt.date, backfill: bool = False) -> IntakeReport:
    return run_intake(
        Home(Path(home_root)),
        today=today,
        progress=_every(200, "files taken"),
        backfill=backfill,
        run_id=run_id,
    )


def _every(n: int, what: str):
    """A progress callback printing a line every n items (logged by Prefect)."""
    count = 0

    def tick(_item) -> None:
        nonlocal count
        count += 1
        if count % n == 0:
            print(f"{count} {what}")

    return tick


# No retry: a failed suite is a verdict, not an accident.
@task(name="validate filings")
def validate(home_root: str, run_id: str, periods: tuple | None = None) -> ValidationReport:
    return validate_filings(Home(Path(home_root)), run_id, periods=periods)


@task(name="data docs")
def data_docs(home_root: str, gx_runs: list[str]) -> Path:
    return render_docs(Home(Path(home_root)), gx_runs)


# No retry: a failing model or test fails the same way twice.
@task(name="build")
def build(home_root: str) -> BuildResult:
    return build_candidate(Home(Path(home_root)))


# No retry: the candidate is what it is; a failing suite refuses the publish.
@task(name="validate marts")
def audit(home_root: str, candidate: str, run_id: str) -> MartAudit:
    result = validate_marts(Home(Path(home_root)), Path(candidate), run_id)
    if not result.passed:
        raise PublishRefused(
            f"candidate marts failed validation, nothing published: {result.summary()}"
        )
    return result


@task(name="publish", retries=2, retry_delay_seconds=2, retry_condition_fn=_worth_a_retry)
def publish_candidate(home_root: str, candidate: str, publication: dict) -> Path:
    home = Home(Path(home_root))
    crash_points.reached("publish:audited")
    record_publication(home, Path(candidate), publication)
    crash_points.reached("publish:recorded")
    return publish(home, Path(candidate))


@task(name="stewards report")
def stewards_report(home_root: str, summary: dict) -> Path:
    return write_report(Home(Path(home_root)), summary)


@flow(name="monthly_run", log_prints=True)
def monthly_run(home: str | None = None, note: str = "") -> MonthlyRun:
    """Take everything waiting in landing/ into the warehouse and publish the marts.

    Parameters: `home` — the state folder (None: PARKSTAT_HOME, else ./parkstat-home);
    `note` — a line printed on the stewards' report (the sample says it is synthetic).
    A second run while one is writing refuses at once (WarehouseBusy).
    """
    home_ = Home.resolve(home).ensure()
    with writer_lock(home_):
        return run_stages(str(home_.root), note)


def run_stages(
    root: str, note: str, periods: tuple | None = None, backfill: bool = False
) -> MonthlyRun:
    """intake -> validate -> build -> validate marts -> publish -> report: one publish.

    `backfill`: what lands is history (its lateness goes by the cover's date)."""
    # dbt is imported on the side while the filings are taken and validated.
    home = Home(Path(root))
    dbt_process(home)
    check_readable(home)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    # The archive's record of the run: enough, with its arrivals, to replay it (rebuild).
    today = dt.date.today()
    arrivals_log.record_run(home, run_id, today, backfill, periods)
    summary = {"run_id": run_id, "note": note}
    seconds: dict[str, float] = {}

    def timed(stage: str, fn, *args):
        started = time.perf_counter()
        try:
            return fn(*args)
        except Exception as e:
            if is_storage_error(e) and not isinstance(e, StorageFailed):
                raise stopped(e, f"running the stage '{stage}'") from e
            raise
        finally:
            seconds[stage] = time.perf_counter() - started
            print(f"stage done: {stage} in {seconds[stage]:.1f} s")

    report = timed("intake", intake, root, run_id, today, backfill)
    summary["left_in_landing"] = report.left_in_landing()
    validation = timed("validate filings", validate, root, run_id, periods)
    # The filings' Data Docs render in a thread while dbt builds in its process.
    docs = data_docs.submit(root, validation.gx_runs)
    try:
        built = timed("dbt build", build, root)
        finish_dbt()  # no more dbt this run: it exits while the marts are validated
        docs_page = docs.result()  # before the marts' suites write to the same GX context
        audited = timed("validate marts", audit, root, str(built.candidate), run_id)
        publication = publication_row(
            run_id,
            built.candidate,
            len(report.files),
            report.filings_rejected,
            validation.verdicts,
            len(validation.suites_passed) + len(audited.suites),
            Home(Path(root)).published_db,
        )
        published = timed("publish", publish_candidate, root, str(built.candidate), publication)
    except (BuildFailed, PublishRefused) as e:
        docs.wait()
        stewards_report(root, {**summary, "published": f"否 no — {e}"})
        raise
    page = timed(
        "report", stewards_report, root, {**summary, "published": f"是 yes — {published.name}"}
    )
    return MonthlyRun(
        run_id,
        report,
        validation,
        built,
        audited,
        published,
        page,
        docs_page,
        seconds,
        _this_flow_run(),
    )


def _this_flow_run() -> str:
    """Where to find this run in Prefect: its name and id, and its page when a server is set."""
    from prefect.runtime import flow_run
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    said = f"{flow_run.flow_name}/{flow_run.name} (id {flow_run.id})"
    temporary = os.environ.get(TEMPORARY_SERVER)  # its UI is off: no page to link to
    if PREFECT_API_URL.value() and PREFECT_UI_URL.value() and not temporary:
        said += f" {PREFECT_UI_URL.value()}/runs/flow-run/{flow_run.id}"
    return said
