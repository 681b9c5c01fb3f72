"""The sample generator: reproducible, consistent truth, planted faults where the manifest says."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl.utils import column_index_from_string
from openpyxl.utils.cell import coordinate_from_string
from python_calamine import CalamineWorkbook

from sources import lateness
from sources import normalise as n
from sources import template as t
from sources.filing import Filing
from sources.generate import GenerateResult, generate
from sources.generate.presentation import CSV_ENCODING_FORMS, CSV_FORMS, XLSX_FORMS
from sources.write_workbook import DEFAULT_PARTNERS, SYNTHETIC_NOTE, write_template

TODAY = dt.date(2025, 8, 20)
START, END = dt.date(2024, 2, 1), dt.date(2025, 7, 1)
TIANYI = "HN430305"
CUMULATIVE_FIELDS = {
    "chains": ("output_ytd",),
    "tax": ("tax_ytd",),
    "trade": ("export_ytd", "import_ytd"),
}
GROWTH_FIELDS = {
    "indicators": ("value_ytd", "value_prior_ytd"),
    "chains": ("output_ytd", "output_prior_ytd"),
    "tax": ("tax_ytd", "tax_prior_ytd"),
}


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory) -> GenerateResult:
    out = tmp_path_factory.mktemp("xlsx")
    return generate(out, START, END, parks=5, seed=11, fmt="xlsx", faults=0.1, today=TODAY)


@pytest.fixture(scope="module")
def csvs(tmp_path_factory) -> GenerateResult:
    out = tmp_path_factory.mktemp("csv")
    return generate(out, START, END, parks=5, seed=12, fmt="csv", faults=0.1, today=TODAY)


@pytest.fixture(scope="module")
def tianyi(tmp_path_factory) -> GenerateResult:
    out = tmp_path_factory.mktemp("tianyi")
    return generate(out, dt.date(2024, 6, 1), END, parks=1, seed=0, today=TODAY)


def accepted(result: GenerateResult) -> list[tuple[Filing, list[str]]]:
    """Filings the intake should accept (warnings allowed), with their rules."""
    return [
        (filing, rules)
        for f in result.files
        for filing, expect, rules in f.outcomes()
        if expect != "reject"
    ]


def exact(result: GenerateResult) -> list[tuple[Filing, list[str]]]:
    """Accepted filings whose truth is exact: not written in 亿元 rounded to two decimals
    (unit_yi_rounded), where balances and growth hold only within that rounding."""
    rounded = {e["file"] for e in result.manifest if e["rule"] == "unit_yi_rounded"}
    return [
        (filing, rules)
        for f in result.files
        if f.path.name not in rounded
        for filing, expect, rules in f.outcomes()
        if expect != "reject"
    ]


def finals(result: GenerateResult) -> dict[tuple[str, dt.date], Filing]:
    """The filing that stands for each park and period: the latest accepted revision."""
    out: dict[tuple[str, dt.date], Filing] = {}
    for filing, _ in accepted(result):
        key = (filing.park_code, filing.period)
        if key not in out or filing.revision > out[key].revision:
            out[key] = filing
    return out


def row(filing: Filing, sheet: str, key: str) -> dict:
    key_field = t.SHEET_BY_KEY[sheet].key_column.field
    return next(r for r in filing.rows(sheet) if r[key_field] == key)


def close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


# --------------------------------------------------------------------------
def test_same_seed_gives_the_same_bytes_and_manifest(tmp_path):
    """Also across processes: string hashing differs per process, the files must not."""
    args = (dt.date(2024, 11, 1), dt.date(2025, 5, 1), 2)

    def files(out: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    script = (
        "import datetime as dt, sys; from sources.generate import generate; "
        "generate(sys.argv[1], dt.date(2024, 11, 1), dt.date(2025, 5, 1), 2, 5, sys.argv[2], "
        "faults=0.3, today=dt.date(2025, 8, 20))"
    )
    for fmt in ("xlsx", "csv"):
        here = tmp_path / f"{fmt}-here"
        generate(here, *args, seed=5, fmt=fmt, faults=0.3, today=TODAY)
        there = tmp_path / f"{fmt}-there"
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        root = Path(__file__).resolve().parents[1]
        subprocess.run(
            [sys.executable, "-c", script, str(there), fmt], check=True, cwd=root, env=env
        )
        assert files(here) == files(there)
        other = tmp_path / f"{fmt}-other"
        generate(other, *args, seed=6, fmt=fmt, faults=0.3, today=TODAY)
        assert files(other)["manifest.json"] != files(here)["manifest.json"]


def test_no_january_and_february_is_1_to_2(xlsx):
    periods = {f.period for g in xlsx.files for f in g.filings}
    assert periods and all(p.month != 1 for p in periods)
    assert dt.date(2025, 2, 1) in periods
    messy_periods = {e["file"] for e in xlsx.manifest if e["rule"].startswith("period_")}
    checked = 0
    for g in xlsx.files:
        filing, expect = g.filings[0], g.expect[0]
        if filing.period.month != 2 or expect == "reject" or g.path.name in messy_periods:
            continue
        cover = CalamineWorkbook.from_path(str(g.path)).get_sheet_by_name("封面").to_python()
        label = next(r[1] for r in cover if n.text(r[0]) == t.COVER_PERIOD)
        assert n.text(label) == f"{filing.period.year}年1-2月"
        assert n.period(label, TODAY) == filing.period
        checked += 1
    assert checked >= 3


def test_ytd_never_decreases_within_a_year(xlsx, csvs):
    """What stands for each park and period never falls within a year (a preliminary
    original superseded by its correction may: the clean counterpart of B6 forward)."""
    for result in (xlsx, csvs):
        versions: dict[tuple[str, int], dict[int, list[Filing]]] = defaultdict(dict)
        for (park, period), filing in finals(result).items():
            versions[(park, period.year)].setdefault(period.month, []).append(filing)
        compared = 0
        for months in versions.values():
            ordered = sorted(months)
            for before, after in zip(ordered, ordered[1:], strict=False):
                for a in months[before]:
                    for b in months[after]:
                        compared += _assert_not_below(a, b)
        assert compared > 1000


def _assert_not_below(earlier: Filing, later: Filing) -> int:
    """Every cumulative figure of `later` ≥ the same figure of `earlier` (every version)."""
    pairs = []
    for r in earlier.rows("indicators"):
        if t.INDICATOR_BY_NAME[r["indicator"]].is_cumulative:
            pairs.append(("indicators", r["indicator"], "value_ytd"))
    for sheet, fields in CUMULATIVE_FIELDS.items():
        key_field = t.SHEET_BY_KEY[sheet].key_column.field
        pairs += [(sheet, r[key_field], f) for r in earlier.rows(sheet) for f in fields]
    count = 0
    for sheet, key, fld in pairs:
        a, b = row(earlier, sheet, key)[fld], row(later, sheet, key)[fld]
        if a is None or b is None:
            continue
        assert b >= a, (later.park_code, later.period, sheet, key, fld, a, b)
        count += 1
    return count


@pytest.mark.parametrize("measure", ["ytd", "prior"])
def test_balance_edits_hold_in_clean_truth(xlsx, csvs, measure):
    ind_field = "value_ytd" if measure == "ytd" else "value_prior_ytd"
    suffix = "_ytd" if measure == "ytd" else "_prior_ytd"
    checked = 0
    for filing, _ in exact(xlsx) + exact(csvs):

        def ind(name: str, filing: Filing = filing) -> float:
            return row(filing, "indicators", name)[ind_field]

        chains = filing.rows("chains")
        parts = [r[f"output{suffix}"] for r in chains if r["chain"] != t.TOTAL_ROW]
        assert close(round(sum(parts), 1), row(filing, "chains", t.TOTAL_ROW)[f"output{suffix}"])
        assert close(round(sum(parts), 1), ind(t.IND_OUTPUT))
        taxes = [r[f"tax{suffix}"] for r in filing.rows("tax") if r["tax_type"] != t.TOTAL_ROW]
        assert close(round(sum(taxes), 1), row(filing, "tax", t.TOTAL_ROW)[f"tax{suffix}"])
        assert close(round(sum(taxes), 1), ind(t.IND_TAX))
        for flow, name in (("export", t.IND_EXPORT), ("import", t.IND_IMPORT)):
            rows = [r for r in filing.rows("trade") if r["partner"] != t.TOTAL_ROW]
            total = row(filing, "trade", t.TOTAL_ROW)[f"{flow}{suffix}"]
            assert close(round(sum(r[f"{flow}{suffix}"] for r in rows), 1), total)
            assert close(total, ind(name))
        assert close(round(ind(t.IND_EXPORT) + ind(t.IND_IMPORT), 1), ind(t.IND_TRADE))
        for indicator in t.INDICATORS:
            if indicator.parent:
                assert ind(indicator.name) <= ind(indicator.parent)
        checked += 1
    assert checked > 100


def test_growth_is_consistent_for_clean_2025_filings(xlsx):
    final = finals(xlsx)
    low, high = t.GROWTH_RANGE_PCT
    checked = 0
    for filing, rules in exact(xlsx):
        if filing.period.year != 2025 or set(rules) - {"W3", "W7"}:  # W7: a restated base
            continue
        last_year = final.get((filing.park_code, filing.period.replace(year=2024)))
        for sheet, (ytd_field, prior_field) in GROWTH_FIELDS.items():
            key_field = t.SHEET_BY_KEY[sheet].key_column.field
            for r in filing.rows(sheet):
                reported = r["yoy_reported_pct"]
                if reported is None:
                    continue
                assert low <= reported <= high, (filing.park_code, filing.period, r)
                ytd, prior = r.get(ytd_field), r.get(prior_field)
                if ytd is None or not prior:
                    continue
                assert abs(reported - (ytd / prior - 1) * 100) <= 0.006
                if last_year is not None:
                    base = row(last_year, sheet, r[key_field])[ytd_field]
                    computed = (ytd / base - 1) * 100
                    assert abs(reported - computed) <= t.GROWTH_GAP_PP, (filing.period, r, base)
                    checked += 1
    assert checked > 200


def test_projects_keep_codes_and_stages_only_move_forward(xlsx):
    seen: dict[str, tuple] = {}
    stages: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    funds: dict[tuple[str, int], list[tuple[dt.date, float]]] = defaultdict(list)
    for filing, rules in accepted(xlsx):
        rows = filing.rows("projects")
        signed = [r for r in rows if r["signed_date"].year == filing.period.year]
        if "W4" not in rules:
            assert row(filing, "indicators", t.IND_SIGNED)["value_ytd"] == len(signed)
            contract = row(filing, "indicators", t.IND_CONTRACT)["value_ytd"]
            assert close(contract, round(sum(r["contract_amount"] for r in signed), 1))
        for r in rows:
            code = r["project_code"]
            assert code.startswith(f"{filing.park_code}-{r['signed_date'].year}-")
            assert "（样例）" in r["investor"] and "（样例）" in r["project_name"]
            ident = (r["project_name"], r["investor"], r["signed_date"], r["contract_amount"])
            assert seen.setdefault(code, ident) == ident
            step = t.PROJECT_STAGES.index(r["stage"])
            assert (r["started_date"] is not None) == (step >= 1)
            assert (r["production_date"] is not None) == (step >= 2)
            stages[code].append((filing.period, step))
            funds[(code, filing.period.year)].append((filing.period, r["funds_in_place_ytd"]))
    assert len(seen) > 30
    moved = 0
    for history in stages.values():
        steps = [s for _, s in sorted(history)]
        assert steps == sorted(steps)
        moved += steps[0] != steps[-1]
    assert moved > 10
    for history in funds.values():
        amounts = [a for _, a in sorted(history)]
        assert amounts == sorted(amounts)
    bands = {
        next(label for low, label in t.SIZE_BANDS if amount >= low)
        for _, _, _, amount in seen.values()
    }
    assert bands == {label for _, label in t.SIZE_BANDS}


def test_tianyi_calibration(tianyi):
    final = finals(tianyi)
    july = row(final[(TIANYI, dt.date(2025, 7, 1))], "indicators", t.IND_OUTPUT)
    assert july["value_ytd"] == 2188000.0
    assert july["value_prior_ytd"] == 2078859.9
    assert july["yoy_reported_pct"] == 5.25
    last_year = row(final[(TIANYI, dt.date(2024, 7, 1))], "indicators", t.IND_OUTPUT)
    computed = (2188000.0 / last_year["value_ytd"] - 1) * 100
    assert abs(computed - 5.25) < 0.6
    assert final[(TIANYI, dt.date(2025, 7, 1))].park_code == TIANYI


def test_dates_late_filings_and_corrections(xlsx):
    """A file arrives (its time) when its cover says, but for a planted W3 or W8; an
    original is late (W3) exactly when it arrives after the due date."""
    originals: dict[tuple[str, dt.date], Filing] = {}
    for g in xlsx.files:
        arrived = lateness.office_date(
            dt.datetime.fromtimestamp(g.path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        )
        for filing, expect, rules in g.outcomes():
            if expect == "reject":
                continue
            assert filing.filed_date <= TODAY and arrived <= TODAY
            if not {"W3", "W8"} & set(rules):  # else planted: arrival and cover may differ
                assert arrived == filing.filed_date
            if filing.revision == 0:
                originals[(filing.park_code, filing.period)] = filing
                assert (arrived > n.due_date(filing.period)) == ("W3" in rules)
    corrections = [f for f, _ in accepted(xlsx) if f.revision == 1]
    assert corrections
    for c in corrections:
        gap = (c.filed_date - originals[(c.park_code, c.period)].filed_date).days
        assert 1 <= gap <= 60


def test_every_rule_is_planted(xlsx, csvs):
    for result in (xlsx, csvs):
        planted = {e["rule"] for e in result.manifest if e["kind"] in ("fault", "late", "missing")}
        assert planted >= {f"B{i}" for i in range(1, 8)} | {
            f"W{i}" for i in (1, 2, 3, 5, 6, 7, 8, 9)
        }
        for e in result.manifest:
            if e["kind"] == "fault":
                assert e["expect"] == ("reject" if e["rule"].startswith("B") else "warn")
                assert e["rule"] in e["rules"]
    assert any(e["rule"] == "W4" for e in xlsx.manifest)
    assert sum(e["kind"] == "missing" and e["file"] is None for e in xlsx.manifest) >= 1


def test_every_messy_form_appears(xlsx, csvs):
    for result, forms in ((xlsx, XLSX_FORMS), (csvs, (*CSV_FORMS, *CSV_ENCODING_FORMS.values()))):
        messy = {e["rule"] for e in result.manifest if e["kind"] == "messy"}
        assert set(forms) <= messy


def test_manifest_rows_point_at_real_cells(xlsx, csvs):
    checked = 0
    books: dict[str, CalamineWorkbook] = {}
    for e in xlsx.manifest:
        if e["row"] is None:
            continue
        book = books.setdefault(
            e["file"], CalamineWorkbook.from_path(str(xlsx.out_dir / e["file"]))
        )
        grid = book.get_sheet_by_name(e["sheet"]).to_python(skip_empty_area=False)
        letters, number = coordinate_from_string(e["cell"])
        assert number == e["row"]
        found = grid[number - 1][column_index_from_string(letters) - 1]
        if isinstance(found, dt.date):
            found = found.isoformat()[:10]
        assert found == e["value"], e
        checked += 1
    encodings = {f.path.name: f.encoding for f in csvs.files}
    for e in csvs.manifest:
        if e["row"] is None:
            continue
        lines = (csvs.out_dir / e["file"]).read_bytes().decode(encodings[e["file"]]).split("\n")
        header = next(csv.reader([next(x for x in lines if not x.startswith(t.CSV_COMMENT))]))
        record = next(csv.reader([lines[e["row"] - 1]]))
        if e["value"] is None:  # a column left out: the row is the header
            assert record == header and e["column"] not in header
        else:
            assert record[header.index(e["column"])] == e["value"], e
        checked += 1
    assert checked > 100


# Forms placed on a column's header, not on one cell (their cells: test_round_trip.py).
_WHOLE_COLUMN_FORMS = {"unit_yi_cell", "unit_yi_header", "unit_yi_rounded", "percent_growth"}


def test_messy_cells_store_as_the_truth(xlsx):
    """A messy cell, normalised the way the readers do it, is the truth's value."""
    by_file = {g.path.name: g.filings[0] for g in xlsx.files}
    checked = 0
    for e in xlsx.manifest:
        if e["kind"] != "messy" or e["sheet"] in (None, "封面") or e["column"] is None:
            continue
        sheet = next(s for s in t.SHEETS if n.text(s.name) == n.text(e["sheet"]))
        col = next((c for c in sheet.columns if c.header == e["column"]), None)
        if col is None or col.kind not in ("amount", "pct") or e["rule"] in _WHOLE_COLUMN_FORMS:
            continue
        grid = CalamineWorkbook.from_path(str(xlsx.out_dir / e["file"]))
        cells = grid.get_sheet_by_name(e["sheet"]).to_python(skip_empty_area=False)
        line = cells[e["row"] - 1]
        truth = next(
            r
            for r in by_file[e["file"]].rows(sheet.key)
            if n.text(r[sheet.key_column.field]) == n.text(line[0])
        )
        # 亿元 in the row's unit cell (主要指标) or in the column's header.
        j = column_index_from_string(coordinate_from_string(e["cell"])[0]) - 1
        above = [n.text(r[j]) for r in cells[:3]]
        yi = n.text(line[1]) == "亿元" if sheet.key == "indicators" else "本年累计(亿元)" in above
        factor = 10_000.0 if yi and col.kind == "amount" else 1.0
        stored = n.pct(e["value"]) if col.kind == "pct" else n.amount(e["value"], factor)
        assert stored == truth[col.field], e
        checked += 1
    assert checked > 10


def test_every_file_says_it_is_synthetic(xlsx, csvs):
    for g in xlsx.files:
        data = g.path.read_bytes()
        if not data.startswith(b"PK"):  # the planted non-workbook
            assert b"synthetic" in data
            continue
        cover = CalamineWorkbook.from_path(str(g.path)).get_sheet_by_name("封面").to_python()
        assert [t.COVER_NOTE, SYNTHETIC_NOTE] in [[n.text(r[0]), r[1]] for r in cover]
        core = zipfile.ZipFile(g.path).read("docProps/core.xml").decode()
        assert "synthetic" in core
    for g in csvs.files:
        first = g.path.read_bytes().decode(g.encoding).split("\n")[0]
        assert first.startswith(t.CSV_COMMENT) and "synthetic" in first
    for result in (xlsx, csvs):
        assert "synthetic" in (result.out_dir / "README.txt").read_text(encoding="utf-8")
        manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["synthetic"] is True and manifest["entries"] == result.manifest


def test_blank_template_has_exactly_the_contract_sheets_and_headers(tmp_path: Path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == [s.name for s in t.SHEETS]
    grids = {s.key: book.get_sheet_by_name(s.name).to_python() for s in t.SHEETS}
    for sheet in t.SHEETS:
        assert grids[sheet.key][0] == [c.header for c in sheet.columns]
    assert [r[0] for r in grids["cover"][1:]] == list(t.COVER_ITEMS)
    assert all(r[1] == "" for r in grids["cover"][1:])
    assert [r[:2] for r in grids["indicators"][1:]] == [[i.name, i.unit] for i in t.INDICATORS]
    assert all(v == "" for r in grids["indicators"][1:] for v in r[2:])
    assert [r[0] for r in grids["chains"][1:]] == [t.OTHER_ROW, t.TOTAL_ROW]
    assert [r[0] for r in grids["tax"][1:]] == [*t.TAX_TYPES, t.TOTAL_ROW]
    assert [r[0] for r in grids["trade"][1:]] == [*DEFAULT_PARTNERS, t.TOTAL_ROW]
    assert len(grids["projects"]) == 1
    assert "synthetic" not in zipfile.ZipFile(path).read("docProps/core.xml").decode()


def test_clean_contract_sums_never_look_like_a_unit_slip():
    """B7 rejects an amount over UNIT_SLIP_FACTOR x the month before: clean synthetic
    contract sums stay below half of that, for every park, year and seed tried."""
    from sources.generate.projects import draw_projects
    from sources.registry import default_registry

    years = list(range(2014, 2026))
    worst = 0.0
    for park in default_registry().current():
        for seed in range(8):
            book = draw_projects(park, years, seed)
            for y in years:
                sums = [book.contract_sum(y, m) for m in range(2, 13)]
                worst = max([worst, *(b / a for a, b in zip(sums, sums[1:], strict=False) if a)])
    assert 1 < worst <= t.UNIT_SLIP_FACTOR / 2
