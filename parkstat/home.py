"""The state folder: where files land, are archived or quarantined, and where the warehouse lives.

Chosen by --home, else PARKSTAT_HOME, else ./parkstat-home. Prefect keeps its
own state (PREFECT_HOME) inside it, never in the user's home.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "PARKSTAT_HOME"
DEFAULT = "parkstat-home"
STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, given: str | os.PathLike | None = None) -> Home:
        return cls(Path(given or os.environ.get(ENV_VAR) or DEFAULT).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def prefect(self) -> Path:
        return self.root / "prefect"

    @property
    def working_db(self) -> Path:
        """The raw layer: every filing and correction, with lineage."""
        return self.warehouse / "working.duckdb"

    @property
    def candidate_db(self) -> Path:
        """The copy dbt builds the marts in; validated, then its marts are published."""
        return self.warehouse / "candidate.duckdb"

    @property
    def published_db(self) -> Path:
        """What BI tools read."""
        return self.warehouse / "parkstat.duckdb"

    def ensure(self) -> Home:
        for d in (
            self.landing,
            self.archive,
            self.quarantine,
            self.warehouse,
            self.reports,
            self.prefect,
        ):
            d.mkdir(parents=True, exist_ok=True)
        return self

    def use_for_prefect(self) -> None:
        """Point Prefect's state at this home; call before prefect is imported.

        Telemetry is off: the office's machines have no internet, and a run
        should not try to reach it.
        """
        os.environ.setdefault("PREFECT_HOME", str(self.prefect))
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's client-side telemetry
        # A fresh PREFECT_HOME migrates its database on the first start: on a
        # busy 2-core machine that takes longer than Prefect's default 20 s.
        os.environ.setdefault(STARTUP_TIMEOUT, "180")
        # Progress lines in a terminal; in CI or a pipe only warnings and errors.
        if os.environ.get("CI") or not sys.stderr.isatty():
            os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
