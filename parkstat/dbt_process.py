"""dbt in a process of its own, started at the beginning of a run.

Importing dbt and parsing the project cost about 5 s of one core; done in
the run's own process they would sit on the critical path between filing
validation and publishing. A separate process imports dbt and parses the
project (the warm-up) while the run takes in and validates the month's
filings, then runs the commands it is sent on the parsed manifest. The run
lets it go once the marts are built, so that it exits while the run goes on.
It also holds dbt-duckdb's database handles, so the run's process never has
the candidate file open behind its back.

Protocol: one JSON line per command on stdin (`args`, `env`), one JSON line
per answer on the process's own copy of stdout; everything dbt prints goes
to stderr.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from parkstat.home import Home

DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
# dbt reads the candidate's path from here (dbt_project/profiles.yml).
DBT_PATH_ENV = "PARKSTAT_DBT_PATH"


@dataclass
class NodeResult:
    name: str
    resource_type: str
    status: str
    message: str | None


@dataclass
class DbtResult:
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    exception: str | None = None


def dbt_vars() -> str:
    """The template's facts the models use, passed to every command (dbt_project.yml
    names them, sources/template.py holds them): one place, and the same vars
    each time, so that dbt keeps its partial parse."""
    from sources import template as t  # no heavy imports: this runs before dbt starts

    return json.dumps(
        {
            "supersede_order": t.SUPERSEDE_ORDER,
            "amount_decimals": t.AMOUNT_DECIMALS,
            "growth_decimals": t.GROWTH_DECIMALS,
        },
        ensure_ascii=False,
    )


def dbt_args(home: Home, *command: str) -> list[str]:
    """A dbt command line for this home's project, target folder, logs and vars."""
    dbt_dir = home.warehouse / "dbt"
    return [*command, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--vars", dbt_vars(),
            "--target-path", str(dbt_dir / "target"), "--log-path", str(dbt_dir / "logs"),
            "--log-level-file", "info",  # debug would write every query: ~0.5 s a build
            "--quiet"]  # fmt: skip


class DbtProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parkstat.dbt_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.unread = 0  # answers to commands sent ahead and not waited for

    @property
    def open(self) -> bool:
        """Taking commands: running, and not told to finish."""
        return self.process.poll() is None and not self.process.stdin.closed

    def send(self, args: list[str], env: dict[str, str]) -> None:
        if not self.open:
            raise RuntimeError(f"the dbt process has ended (exit code {self.process.poll()})")
        self.process.stdin.write(json.dumps({"args": args, "env": env}) + "\n")
        self.process.stdin.flush()
        self.unread += 1

    def invoke(self, args: list[str], env: dict[str, str]) -> DbtResult:
        self.send(args, env)
        while self.unread > 1:  # a warm-up's answer: whatever it says, the command will say too
            self._answer()
        return self._answer()

    def _answer(self) -> DbtResult:
        answer = self.process.stdout.readline()
        self.unread -= 1
        if not answer:
            raise RuntimeError(f"the dbt process exited with code {self.process.wait()}")
        said = json.loads(answer)
        return DbtResult(
            said["success"], [NodeResult(**n) for n in said["nodes"]], said["exception"]
        )

    def close(self, wait: bool = True) -> None:
        """End the process once the commands sent are done; wait for it to exit unless told not."""
        if not self.process.stdin.closed:
            self.process.stdin.close()
        if wait and self.process.poll() is None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_started: DbtProcess | None = None


def dbt_process(home: Home) -> DbtProcess:
    """The run's dbt process: started (and warmed up on `home`'s project) by the first call."""
    global _started
    if _started is None or not _started.open:
        _started = DbtProcess()
        atexit.register(_started.close)
        # Parsing loads dbt's tasks and adapter and refreshes the partial-parse
        # file. It must see the same profile as the build: a changed profile
        # (here, the candidate's path) makes dbt throw the partial parse away.
        _started.send(dbt_args(home, "parse"), _env(home))
    return _started


def finish_dbt() -> None:
    """Let the run's dbt process exit while the run goes on without it (no wait)."""
    if _started is not None:
        _started.close(wait=False)


def run_dbt(home: Home, *command: str) -> DbtResult:
    """Run one dbt command on `home`'s candidate in the run's dbt process."""
    return dbt_process(home).invoke(dbt_args(home, *command), _env(home))


def _env(home: Home) -> dict[str, str]:
    return {DBT_PATH_ENV: str(home.candidate_db)}


# ----------------------------------------------------------------------------
# The process's side
# ----------------------------------------------------------------------------
def _serve() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # dbt's own printing goes to stderr, never into the answers
    sys.stdout = sys.stderr
    from dbt.cli.main import dbtRunner  # the slow import this process exists for

    manifest = None  # the warm-up's parse: later commands use it instead of parsing again
    for line in sys.stdin:
        command = json.loads(line)
        os.environ.update(command["env"])
        try:
            # Each command compiles its own copy: dbt compiles a foreign key's
            # `to: ref(...)` into the table's name in place (dbt/compilation.py), and a
            # manifest compiled once cannot compile those models again.
            parsed = manifest.deepcopy() if manifest is not None else None
            result = dbtRunner(manifest=parsed).invoke(command["args"])
            if command["args"][0] == "parse" and result.success:
                manifest = result.result
            said = {
                "success": bool(result.success),
                "nodes": [
                    {
                        "name": n.node.name,
                        "resource_type": str(n.node.resource_type),
                        "status": str(n.status),
                        "message": n.message,
                    }
                    for n in (getattr(result.result, "results", None) or [])
                ],
                "exception": None if result.exception is None else str(result.exception),
            }
        except Exception as e:  # an answer, not a dead process: the run reports it
            said = {"success": False, "nodes": [], "exception": f"{type(e).__name__}: {e}"}
        finally:
            _release_connections()
        answers.write(json.dumps(said) + "\n")
        answers.flush()


def _release_connections() -> None:
    """Close the DuckDB handle dbt-duckdb keeps open after a command.

    Left open, it would hold the candidate file while the run validates it and
    exports its marts.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import cleanup_connections

    env = DuckDBConnectionManager._ENV  # taken first: cleaning up forgets it
    cleanup_connections()
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


if __name__ == "__main__":
    _serve()
