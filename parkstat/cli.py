"""`parkstat`: the one command in front of intake, the sample, the template and the monthly run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import click

from bench.workloads import PLANS
from parkstat.home import STARTUP_TIMEOUT, Home

# The built-in sample: every registry park, 2024年1-2月 to 2025年1-7月, a few
# planted faults so that quarantine has something to show.
SAMPLE_FROM, SAMPLE_TO = "2024-02", "2025-07"
SAMPLE_FAULTS = 0.02
SAMPLE_SEED = 20250810

# Exit codes scripts can rely on.
EXIT_PUBLISHED = 0
EXIT_NOT_PUBLISHED = 1
EXIT_PUBLISHED_WITH_REJECTIONS = 3
EXIT_BUSY = 4  # another run is writing to the warehouse: nothing was done


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as e:
        raise click.BadParameter(f"'{value}' is not a month like 2025-07") from e


home_option = click.option(
    "--home",
    "home",
    type=click.Path(file_okay=False),
    default=None,
    help="State folder (landing/, archive/, quarantine/, warehouse/, reports/). "
    "Default: $PARKSTAT_HOME, else ./parkstat-home.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """parkstat — the warehouse for the monthly statistics of Hunan's industrial parks.

    \b
    Example:
      parkstat sample --home /tmp/ps      # generate the sample, run the month, show the result
    """


@main.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the blank workbook (.xlsx).",
)
def template(out: str) -> None:
    """Write the blank monthly filing workbook (template v1) that parks fill in.

    \b
    Example:
      parkstat template --out 月报模板.xlsx
    """
    from sources.write_workbook import write_template

    write_template(Path(out))
    click.echo(f"template v1 written to {out}")


@main.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the filings and manifest.json into.",
)
@click.option(
    "--from", "start", default=SAMPLE_FROM, show_default=True, help="First report month, YYYY-MM."
)
@click.option(
    "--to", "end", default=SAMPLE_TO, show_default=True, help="Last report month, YYYY-MM."
)
@click.option(
    "--parks", default="all", show_default=True, help="'all' registry parks, or the first N."
)
@click.option("--seed", default=SAMPLE_SEED, show_default=True, type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="One workbook per park and period, or long CSVs.",
)
@click.option(
    "--faults",
    default=0.0,
    show_default=True,
    type=float,
    help="Share of files with a planted defect (listed in manifest.json).",
)
def generate(out, start, end, parks, seed, fmt, faults) -> None:
    """Write synthetic, reproducible filings for the registry's parks (figures are not real).

    \b
    Example:
      parkstat generate --out sample/ --from 2024-02 --to 2025-07 --faults 0.05
    """
    from sources.generate import generate as run_generate

    result = run_generate(
        Path(out),
        _month(start),
        _month(end),
        parks=parks if parks == "all" else int(parks),
        seed=seed,
        fmt=fmt,
        faults=faults,
    )
    planted = sum(m["kind"] == "fault" for m in result.manifest)
    click.echo(
        f"{len(result.files)} synthetic file(s) written to {out} "
        f"({planted} planted fault(s), see manifest.json)"
    )


@main.command()
@home_option
def run(home) -> None:
    """Run the month: take every file waiting in landing/ into the warehouse.

    Runs as a Prefect flow (ephemeral unless PREFECT_API_URL points at a server).
    Exit code 0: published; 3: published, some filings rejected; 1: not
    published (the published warehouse is unchanged); 4: another run is
    writing to this warehouse, nothing was done.

    \b
    Example:
      cp filings/*.xlsx parkstat-home/landing/ && parkstat run
    """
    sys.exit(_run_month(Home.resolve(home)))


@main.command()
@home_option
@click.option(
    "--fresh/--keep", default=True, show_default=True, help="Start from an empty state folder."
)
def sample(home, fresh) -> None:
    """Generate the built-in sample into landing/ and run the month on it.

    \b
    Example:
      parkstat sample --home /tmp/parkstat-sample
    """
    home = Home.resolve(home)
    if fresh and home.root.exists():
        shutil.rmtree(home.root)
    home.ensure()
    result = land_sample(home)
    click.echo(f"sample: {len(result.files)} synthetic filing file(s) in {home.landing}")
    code = _run_month(home, note=SAMPLE_NOTE)
    # The sample plants faults on purpose: its rejections are the point, not a failure.
    sys.exit(EXIT_PUBLISHED if code == EXIT_PUBLISHED_WITH_REJECTIONS else code)


def land_sample(home: Home):
    """The built-in sample's filings, into landing/ (the README's analyst queries are
    answered on it: tests/test_readme_queries.py)."""
    from sources.generate import generate as run_generate

    result = run_generate(
        home.landing, _month(SAMPLE_FROM), _month(SAMPLE_TO), seed=SAMPLE_SEED, faults=SAMPLE_FAULTS
    )
    # The manifest is the generator's answer key, not a filing: keep it beside the reports.
    for extra in ("manifest.json", "README.txt"):
        if (home.landing / extra).exists():
            os.replace(home.landing / extra, home.reports / f"sample-{extra}")
    return result


SAMPLE_NOTE = (
    "样例数据为合成数据, 非真实统计 / the sample's figures are synthetic, not real statistics"
)


@main.command()
@home_option
@click.option("--from", "start", default=None, help="First report month to publish, YYYY-MM.")
@click.option("--to", "end", default=None, help="Last report month to publish, YYYY-MM.")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder of historical filings (workbooks or long CSVs) to take in first.",
)
def backfill(home, start, end, source) -> None:
    """Take in history and publish it once: a folder of filings and/or a range of periods.

    Filings outside --from/--to stay unpublished until a later run decides them.
    Exit codes as for `parkstat run`.

    \b
    Example:
      parkstat backfill --source exports/2015-2024/ --from 2015-02 --to 2024-12
    """
    for month in (start, end):
        if month:
            _month(month)
    sys.exit(
        _run_month(
            Home.resolve(home),
            backfill_args={
                "source": str(Path(source).resolve()) if source else None,
                "start": start,
                "end": end,
            },
        )
    )


@main.command()
@home_option
def rebuild(home) -> None:
    """Recreate the warehouse from archive/ alone, then publish the marts built from it.

    The recovery when warehouse/working.duckdb is lost or damaged: every file in
    the archive is taken again in its original order, with its original name and
    times, and decided as its run decided it (with today's waivers). The file it
    replaces is kept as working.duckdb.before-rebuild-<time>. Exit codes as for
    `parkstat run`.

    \b
    Example:
      parkstat rebuild --home /srv/parkstat
    """
    sys.exit(_run_month(Home.resolve(home), rebuild=True))


def _run_month(
    home: Home, note: str = "", backfill_args: dict | None = None, rebuild: bool = False
) -> int:
    from parkstat.dbt_process import dbt_process
    from parkstat.temporary_server import ServerDidNotStart, prefect_api
    from parkstat.warehouse import WarehouseDamaged, check_readable

    home.ensure().use_for_prefect()
    if not rebuild:  # a rebuild is what mends them
        try:
            check_readable(home)
        except WarehouseDamaged as e:
            click.echo(f"not run — {e}", err=True)
            return EXIT_NOT_PUBLISHED
    try:
        with prefect_api(home.prefect) as server:
            dbt_process(home)  # imports dbt on the side meanwhile
            # Everything heavy is imported while the server boots.
            from flows.backfill import backfill
            from flows.monthly_run import monthly_run
            from flows.rebuild import rebuild as rebuild_flow
            from parkstat.rebuild import CannotRebuild
            from parkstat.summary import intake_lines, validation_lines
            from parkstat.warehouse import BuildFailed, PublishRefused, mart_row_counts
            from parkstat.writer_lock import WarehouseBusy
            from sources.storage_errors import StorageFailed

            if server:
                server.wait_ready(float(os.environ[STARTUP_TIMEOUT]))
            try:
                if rebuild:
                    replayed, run = rebuild_flow(home=str(home.root), note=note)
                    click.echo(
                        f"rebuilt {home.working_db} from {home.archive}: {replayed.arrivals} "
                        f"arrival(s) of {replayed.runs} run(s), {replayed.filings} filing(s), "
                        f"in {replayed.seconds:.1f} s"
                        + (f"; the file it replaced: {replayed.kept_aside}"
                           if replayed.kept_aside else "")
                    )  # fmt: skip
                elif backfill_args is None:
                    run = monthly_run(home=str(home.root), note=note)
                else:
                    run = backfill(home=str(home.root), note=note, **backfill_args)
            except WarehouseBusy as e:
                click.echo(f"not run — {e}", err=True)
                return EXIT_BUSY
            except (StorageFailed, WarehouseDamaged, CannotRebuild) as e:
                click.echo(f"not published — {e}", err=True)
                return EXIT_NOT_PUBLISHED
            except (BuildFailed, PublishRefused) as e:
                click.echo(f"not published — the published warehouse is unchanged: {e}", err=True)
                click.echo(f"stewards' report: {home.reports / 'index.html'}", err=True)
                return EXIT_NOT_PUBLISHED
    except ServerDidNotStart as e:
        click.echo(f"not run — {e}", err=True)
        return EXIT_NOT_PUBLISHED
    _write_timing(home, run)
    for line in intake_lines(run.intake, home.root) + validation_lines(run.validation):
        click.echo(line)
    if run.validation.left_undecided:
        click.echo(
            f"left for a later run: {run.validation.left_undecided} filing(s) outside "
            "the periods asked for"
        )
    counts = mart_row_counts(run.published)
    click.echo(
        f"build: dbt built {run.build.models} models and passed "
        f"{run.build.tests_passed} tests in {run.build.seconds:.1f} s"
    )
    click.echo(
        f"pre-publish suites: {len(run.marts_audit.suites)} passed "
        f"in {run.marts_audit.seconds:.1f} s"
    )
    click.echo(
        f"published marts: {run.published} (schema marts: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + ")"
    )
    click.echo(f"stewards' report: {run.report} (+ status.csv, problems.csv, run.json)")
    click.echo(f"validation details (GX Data Docs): {run.data_docs}")
    click.echo(f"dbt docs: {run.build.docs}")
    click.echo("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items()))
    click.echo(f"prefect run: {run.prefect_run} (state in {os.environ['PREFECT_HOME']})")
    click.echo(f"raw layer: {home.working_db}")
    click.echo(f"archive: {home.archive}   quarantine: {home.quarantine}")
    return EXIT_PUBLISHED_WITH_REJECTIONS if run.rejected else EXIT_PUBLISHED


TIMING = "run-timing.json"


def _write_timing(home: Home, run) -> None:
    """reports/run-timing.json: each stage's wall seconds and what went through it."""
    record = {
        "run_id": run.run_id,
        "seconds": run.seconds,
        "files": len(run.intake.files),
        "rows": run.intake.rows,
        "filings": len(run.validation.verdicts),
        "rejected": run.rejected,
        "prefect_run": run.prefect_run,
    }
    (home.reports / TIMING).write_text(json.dumps(record, indent=2), encoding="utf-8")


@main.command()
@home_option
@click.option("--period", default=None, help="Report month YYYY-MM (default: the latest filed).")
def status(home, period) -> None:
    """Print the filing status of every park for one period: who filed, what failed.

    \b
    Example:
      parkstat status --period 2025-07
    """
    import duckdb

    from parkstat.stewards_report import STATUSES, intake_rejected_cells, status_matrix
    from sources.registry import default_registry

    home = Home.resolve(home)
    if not home.working_db.exists():
        raise click.ClickException(f"no warehouse in {home.root}: run `parkstat run` first")
    registry = default_registry()
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        cells = status_matrix(con, registry, intake_rejected_cells(con, registry))
    if not cells:
        raise click.ClickException("nothing has been filed yet")
    wanted = _month(period) if period else max(c.period for c in cells)
    shown = sorted((c for c in cells if c.period == wanted), key=lambda c: (c.city, c.park_code))
    if not shown:
        raise click.ClickException(f"no report period {period} in the warehouse")
    from sources.normalise import period_label

    click.echo(f"{period_label(wanted)} — {len(shown)} parks")
    for c in shown:
        zh, en, mark = STATUSES[c.status]
        extra = " ".join(x for x in (" ".join(c.rules), c.flags, c.dates, c.file_name or "") if x)
        click.echo(f"  {c.city:<4} {c.park:<10} {mark} {zh} {en:<22} {extra}")
    tally = {s: sum(c.status == s for c in shown) for s in STATUSES}
    click.echo("  " + ", ".join(f"{STATUSES[s][0]} {s} {n}" for s, n in tally.items()))


@main.command()
@home_option
def report(home) -> None:
    """Write the stewards' report again from the warehouse, without a run.

    \b
    Example:
      parkstat report && xdg-open parkstat-home/reports/index.html
    """
    from parkstat.stewards_report import write_report

    home = Home.resolve(home)
    if not home.working_db.exists():
        raise click.ClickException(f"no warehouse in {home.root}: run `parkstat run` first")
    click.echo(f"stewards' report: {write_report(home, {'run_id': 'report'})}")


@main.command()
@click.option(
    "--size",
    type=click.Choice(list(PLANS)),
    default="quick",
    show_default=True,
    help="quick: small workloads, minutes (CI); full: the targets' workloads, about an hour.",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False),
    default="bench-work",
    show_default=True,
    help="Folder for the generated corpora (kept and reused) and the runs' state folders.",
)
@click.option("--only", multiple=True, help="Run only this workload (repeatable).")
def bench(size, work, only) -> None:
    """Measure parkstat on generated workloads: the month, the decade, the nation.

    Prints wall seconds per stage, files and rows per second, peak memory, the
    intake against a bare read of the same files, and the growth check (a
    month on one year of history against ten). Exit code 1 when a run does
    not publish; a missed target is printed, not failed.

    \b
    Example:
      parkstat bench --size full --work /data/bench | tee bench.md
    """
    from bench.measure import StageError
    from bench.run import run_benchmark

    try:
        run_benchmark(size, Path(work).resolve(), tuple(only))
    except StageError as e:
        raise click.ClickException(str(e)) from e


if __name__ == "__main__":
    main()
