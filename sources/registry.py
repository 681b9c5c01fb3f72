"""The park registry and the reference lists beside it, and park resolution.

`registry/parks.csv` holds one row per park version: an upgrade or rename
closes one row (valid_to) and opens the next (valid_from), both under the
same park_code. Resolution never guesses: a text that names no park, or more
than one, is not resolved.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sources.normalise import text

REGISTRY_DIR = Path(__file__).parent / "registry"
PARKS_CSV = REGISTRY_DIR / "parks.csv"
CHAINS_CSV = REGISTRY_DIR / "industry_chains.csv"

# Prefixes a park may put before its registered name.
_NAME_PREFIXES = ("湖南省", "湖南")


@dataclass(frozen=True)
class Park:
    code: str
    name: str
    short_name: str
    aliases: tuple[str, ...]
    city: str
    county: str
    level: str
    park_type: str
    area_mu: float | None
    leading_chains: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None  # exclusive

    def valid_at(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.short_name, *self.aliases)


class ResolveError(LookupError):
    pass


def _date(s: str) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _split(s: str) -> tuple[str, ...]:
    return tuple(x for x in s.split("|") if x)


class Registry:
    """Park versions plus a name index for resolution."""

    def __init__(self, parks: list[Park]):
        self.parks = parks
        self._by_code = {p.code: p for p in parks}
        index: dict[str, set[str]] = {}
        for p in parks:
            for name in p.names:
                index.setdefault(text(name), set()).add(p.code)
        self._by_name = index

    @classmethod
    def from_csv(cls, path: Path = PARKS_CSV) -> Registry:
        with open(path, encoding="utf-8", newline="") as f:
            return cls([_park(row) for row in csv.DictReader(f)])

    @property
    def codes(self) -> list[str]:
        return sorted(self._by_code)

    def current(self, day: dt.date | None = None) -> list[Park]:
        """One version per park: the one valid on `day` (default: the latest)."""
        latest: dict[str, Park] = {}
        for p in self.parks:
            if day is None or p.valid_at(day):
                held = latest.get(p.code)
                if held is None or (p.valid_from or dt.date.min) > (held.valid_from or dt.date.min):
                    latest[p.code] = p
        return [latest[c] for c in sorted(latest)]

    def version_at(self, code: str, day: dt.date) -> Park | None:
        return next((p for p in self.parks if p.code == code and p.valid_at(day)), None)

    def resolve(self, code: object = None, name: object = None) -> str:
        """The park code a filing names: by code, else by full name, short name or alias.

        Traditional characters, full-width characters and spaces are
        tolerated; nothing looser. Raises ResolveError naming the text.
        """
        code_text = text(code).upper()
        if code_text:
            if code_text in self._by_code:
                return code_text
            if not text(name):
                raise ResolveError(f"park code '{code}' is not in the park registry")
        name_text = text(name)
        candidates = self._by_name.get(name_text)
        if candidates is None:
            for prefix in _NAME_PREFIXES:
                if name_text.startswith(prefix):
                    candidates = self._by_name.get(name_text.removeprefix(prefix))
                    break
        if not candidates:
            raise ResolveError(f"park '{name}' matches no park in the registry")
        if len(candidates) > 1:
            raise ResolveError(
                f"park '{name}' matches more than one park ({', '.join(sorted(candidates))})"
            )
        return next(iter(candidates))


def _park(row: dict[str, str]) -> Park:
    return Park(
        code=row["park_code"],
        name=row["park_name"],
        short_name=row["short_name"],
        aliases=_split(row["aliases"]),
        city=row["city"],
        county=row["county"],
        level=row["level"],
        park_type=row["park_type"],
        area_mu=float(row["area_mu"]) if row["area_mu"] else None,
        leading_chains=_split(row["leading_chains"]),
        valid_from=_date(row["valid_from"]),
        valid_to=_date(row["valid_to"]),
    )


# A parks.csv to use instead of the packaged one (the benchmark's synthetic
# national registry; a test registry). The reference lists stay the packaged ones.
REGISTRY_ENV = "PARKSTAT_REGISTRY"


@cache
def default_registry() -> Registry:
    return Registry.from_csv(Path(os.environ.get(REGISTRY_ENV) or PARKS_CSV))


@cache
def chain_names() -> dict[str, str]:
    """Normalised chain name or alias -> the chain's stored name."""
    names: dict[str, str] = {}
    with open(CHAINS_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for n in (row["chain"], *_split(row["aliases"])):
                names[text(n)] = row["chain"]
    return names


def chain(value: object) -> str | None:
    """The stored name of an industry chain, or None when it is not on the list."""
    return chain_names().get(text(value))
