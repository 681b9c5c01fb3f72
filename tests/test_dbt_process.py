"""The run's dbt process: warmed up without losing dbt's partial parse, let go early."""

from __future__ import annotations

import shutil

from parkstat.dbt_process import dbt_process, finish_dbt, run_dbt
from parkstat.home import Home
from parkstat.warehouse import build_candidate


def test_the_next_runs_warm_up_keeps_the_partial_parse(xlsx_validated, tmp_path):
    ingested, _ = xlsx_validated
    home = Home(tmp_path / "home")
    shutil.copytree(ingested.home.root, home.root)
    finish_dbt()  # a process an earlier test warmed up on another home would build this one
    build_candidate(home)  # one run: warm-up parse, build, docs
    finished = dbt_process(home)
    finish_dbt()
    assert finished.process.wait(timeout=60) == 0  # it exits on its own once let go

    log = home.warehouse / "dbt" / "logs" / "dbt.log"
    seen = log.stat().st_size
    assert dbt_process(home) is not finished  # the next run's process, warming up
    listed = run_dbt(home, "ls", "--resource-type", "model")
    assert listed.success, listed.exception
    with open(log, encoding="utf-8") as f:
        f.seek(seen)
        said = f.read()
    # The warm-up must parse with the build's profile (the candidate's path):
    # a different one makes dbt parse everything again, seconds every run.
    assert "Running with dbt" in said
    assert "Unable to do partial parsing" not in said, said[-2000:]
