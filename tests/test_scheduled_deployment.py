"""The monthly deployment on a real Prefect server and worker on 127.0.0.1, started here."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zoneinfo
from pathlib import Path

import duckdb
import pytest
from conftest import TODAY

from sources.generate import generate

REPO = Path(__file__).resolve().parent.parent
PREFECT = [sys.executable, "-m", "prefect"]

# Reads the deployment and its scheduled runs back from the server, as JSON.
_READ_BACK = """
import asyncio, json
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter

async def main():
    async with get_client() as client:
        d = await client.read_deployment_by_name("monthly_run/monthly")
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id={"any_": [d.id]}))
        limit = d.global_concurrency_limit
        print(json.dumps({
            "limit": limit.limit if limit else None,
            "cron": [s.schedule.cron for s in d.schedules],
            "timezone": [s.schedule.timezone for s in d.schedules],
            "scheduled": [r.expected_start_time.isoformat() for r in runs
                          if r.state_name == "Scheduled"],
        }))

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PARKSTAT_REPO": str(REPO),
        "PREFECT_LOGGING_LEVEL": "INFO",  # the worker says how the run ended
    }
    log = open(root / "server.log", "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((root / "server.log").read_text()[-2000:]) from None
                time.sleep(1)
        yield env, root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _run(args, env, **kwargs):
    return subprocess.run(
        args, env=env, capture_output=True, text=True, check=True, timeout=600, **kwargs
    )


@pytest.mark.slow
def test_the_monthly_deployment_runs_on_schedule_and_on_demand(server, tmp_path):
    env, _ = server
    _run([*PREFECT, "work-pool", "create", "parkstat", "--type", "process"], env)
    _run([*PREFECT, "--no-prompt", "deploy", "--all"], env, cwd=REPO)

    # The schedule: the day after filings are due, 06:00 in Hunan, one run at a time.
    deadline = time.monotonic() + 120
    while True:
        found = json.loads(_run([sys.executable, "-c", _READ_BACK], env).stdout)
        if len(found["scheduled"]) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert found["cron"] == ["0 6 11 * *"] and found["timezone"] == ["Asia/Shanghai"]
    assert found["limit"] == 1
    assert len(found["scheduled"]) >= 2
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for start in found["scheduled"]:
        local = dt.datetime.fromisoformat(start).astimezone(shanghai)
        assert (local.day, local.hour, local.minute) == (11, 6, 0), local

    # Trigger a run now and let a worker take it.
    home = tmp_path / "home"
    corpus = generate(
        tmp_path / "gen", dt.date(2025, 2, 1), dt.date(2025, 3, 1), parks=2, seed=8, today=TODAY
    )
    (home / "landing").mkdir(parents=True)
    for f in corpus.files:
        shutil.copy2(f.path, home / "landing" / f.path.name)
    _run([*PREFECT, "deployment", "run", "monthly_run/monthly", "--param", f"home={home}"], env)
    worker = _run([*PREFECT, "worker", "start", "--pool", "parkstat", "--run-once"], env)
    assert "Finished in state Completed" in worker.stdout + worker.stderr

    published = home / "warehouse" / "parkstat.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.publications").fetchone()[0] == 1
        assert (
            con.execute(
                "select count(distinct park_code) from marts.fct_park_indicators"
            ).fetchone()[0]
            == 2
        )
    assert (home / "reports" / "index.html").exists()
