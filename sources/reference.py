"""Reference tables for the warehouse, written from their one source each.

The park registry and the lists in sources/registry/*.csv, and the template's
indicators, tax types and trade partners (sources/template.py), are copied
into schema `reference` of the working DuckDB on every run, so dbt reads the
same facts the readers used and nothing is typed twice.
"""

from __future__ import annotations

import csv

import pyarrow as pa

from sources import template as t
from sources.registry import CHAINS_CSV, REGISTRY_DIR, Registry, default_registry

SCHEMA = "reference"
ORIGINS_CSV = REGISTRY_DIR / "investor_origins.csv"


def _csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def tables(registry: Registry | None = None) -> dict[str, pa.Table]:
    registry = registry or default_registry()
    parks = pa.Table.from_pylist(
        [
            {
                "park_code": p.code,
                "park_name": p.name,
                "short_name": p.short_name,
                "aliases": "|".join(p.aliases),
                "city": p.city,
                "county": p.county or None,
                "level": p.level,
                "park_type": p.park_type,
                "area_mu": p.area_mu,
                "leading_chains": "|".join(p.leading_chains),
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
            }
            for p in registry.parks
        ]
    )
    indicators = pa.Table.from_pylist(
        [
            {
                "indicator": i.name,
                "code": i.code,
                "english": i.english,
                "unit": i.unit,
                "kind": i.kind,
                # Written here, not derived from kind in SQL: the template says what adds up.
                "adds_over_parks": i.adds_over_parks,
                "adds_over_months": i.adds_over_months,
                "parent": i.parent,
                "sort_order": n,
            }
            for n, i in enumerate(t.INDICATORS, 1)
        ]
    )
    tax_types = pa.Table.from_pylist(
        [{"tax_type": name, "sort_order": n} for n, name in enumerate(t.TAX_TYPES, 1)]
    )
    partners = pa.Table.from_pylist(
        [
            {"partner": name, "region_group": group, "sort_order": n}
            for n, (name, group) in enumerate(t.TRADE_PARTNERS.items(), 1)
        ]
    )
    size_bands = pa.Table.from_pylist(
        [
            {"size_band": band, "min_amount_wan": low, "sort_order": n}
            for n, (low, band) in enumerate(t.SIZE_BANDS, 1)
        ]
    )
    return {
        "parks": parks,
        "industry_chains": pa.Table.from_pylist(_csv_rows(CHAINS_CSV)),
        "investor_origins": pa.Table.from_pylist(_csv_rows(ORIGINS_CSV)),
        "indicators": indicators,
        "tax_types": tax_types,
        "trade_partners": partners,
        "size_bands": size_bands,
        "rules": pa.Table.from_pylist(
            [
                {"rule": r.code, "blocking": r.blocking, "rule_zh": r.zh, "rule_en": r.en}
                for r in t.RULES.values()
            ]
        ),
    }


def write(con, registry: Registry | None = None) -> None:
    """Replace the reference tables in `con` (inside the caller's transaction, if any)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    for name, table in tables(registry).items():
        con.register("_reference", table)
        con.execute(f"create or replace table {SCHEMA}.{name} as select * from _reference")
        con.unregister("_reference")
