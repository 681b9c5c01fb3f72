"""A temporary Prefect server for one run, booting while the run imports its tools.

Without PREFECT_API_URL Prefect starts an ephemeral server itself, but only
after importing its whole server stack into the calling process (about 10 s
on a 2-core machine) and then waiting for the server process to boot (about
11 s more), one after the other, before the flow's first line. This module
starts the same server — Prefect's own app factory, with the flags Prefect's
ephemeral mode gives it — as a process *first*, so that it boots on one core
while the run imports Great Expectations and dbt on the other. It listens on
127.0.0.1 only, keeps its state in the home's PREFECT_HOME, and is stopped
when the run ends. With PREFECT_API_URL set (a real server) it does nothing.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Set while a run uses a temporary server: its UI is off, so there is no page to link to.
MARKER = "PARKSTAT_TEMPORARY_PREFECT_SERVER"
LOG_NAME = "temporary-server.log"


class ServerDidNotStart(RuntimeError):
    pass


class TemporaryServer:
    def __init__(self, log: Path):
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            # What Prefect's own ephemeral server sets: no UI, no background services.
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        env.pop("PREFECT_API_URL", None)
        command = [
            sys.executable, "-m", "uvicorn",
            "--app-dir", _site_packages(),
            "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float) -> None:
        """Block until the server answers /health; raise naming its log when it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"the temporary Prefect server exited while starting; see {self.log}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise ServerDidNotStart(
            f"the temporary Prefect server did not answer within {timeout:.0f} s; see {self.log}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _site_packages() -> str:
    # Found without importing prefect: the point is to start before any heavy import.
    return str(Path(importlib.util.find_spec("prefect").origin).parent.parent)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prefect_api(prefect_home: Path) -> Iterator[TemporaryServer | None]:
    """A Prefect API for this run: the configured server, else a temporary one started now.

    Call before importing the flows; call `wait_ready` on the result (when not
    None) after the imports, before the first flow.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    server = TemporaryServer(prefect_home / LOG_NAME)
    server.start()
    os.environ["PREFECT_API_URL"] = server.url
    os.environ[MARKER] = "1"
    try:
        yield server
    finally:
        _send_what_prefect_holds()
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop(MARKER, None)


def _send_what_prefect_holds() -> None:
    """Send the logs and events the run's Prefect client still holds while the server is up.

    Prefect sends them in the background, every few seconds; left for the process's exit,
    they go to a server already stopped and are retried for more than a minute after the
    run has printed its summary (in a terminal, where the flow's INFO lines are logged)."""
    if "prefect" not in sys.modules:  # the run failed before importing it: nothing held
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10)
