"""Waivers: the reviewed file where a steward accepts a filing despite a blocking rule."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from sources import template as t

WAIVERS_FILE = Path(__file__).parent / "waivers.yml"
# Tests and a steward trying a waiver before review point this elsewhere.
ENV_VAR = "PARKSTAT_WAIVERS"
WAIVABLE = ("B5", "B6", "B7")
_REQUIRED = ("park", "period", "rule", "reason", "by", "date")


class WaiverError(ValueError):
    pass


@dataclass(frozen=True)
class Waiver:
    park: str
    period: dt.date
    rule: str
    reason: str
    by: str
    date: dt.date
    file_sha256: str | None = None

    def covers(self, park: str, period: dt.date, rule: str, sha: str) -> bool:
        return (self.park, self.period, self.rule) == (park, period, rule) and (
            self.file_sha256 is None or sha.startswith(self.file_sha256)
        )

    @property
    def words(self) -> str:
        return f"{self.rule} waived by {self.by} on {self.date:%Y-%m-%d}: {self.reason}"


def load(path: Path | None = None) -> list[Waiver]:
    path = Path(path or os.environ.get(ENV_VAR) or WAIVERS_FILE)
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("waivers") or []
    waivers = []
    for n, entry in enumerate(entries, 1):
        where = f"{path.name}, waiver {n}"
        missing = [k for k in _REQUIRED if not entry.get(k)]
        if missing:
            raise WaiverError(f"{where}: missing {', '.join(missing)}")
        rule = str(entry["rule"]).upper()
        if rule not in WAIVABLE:
            raise WaiverError(
                f"{where}: {rule} cannot be waived (only {', '.join(WAIVABLE)}: "
                f"{t.RULES.get(rule, t.RULES['B1']).en})"
            )
        try:
            period = dt.datetime.strptime(str(entry["period"]), "%Y-%m").date()
        except ValueError as e:
            raise WaiverError(f"{where}: period '{entry['period']}' is not YYYY-MM") from e
        date = entry["date"]
        waivers.append(
            Waiver(
                park=str(entry["park"]).upper(),
                period=period,
                rule=rule,
                reason=str(entry["reason"]).strip(),
                by=str(entry["by"]).strip(),
                date=date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)),
                file_sha256=str(entry["file_sha256"]).lower() if entry.get("file_sha256") else None,
            )
        )
    return waivers
