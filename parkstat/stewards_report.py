"""The data stewards' report: which park filed what, what failed, and why.

Written after every run to reports/: index.html (one page, no server, Chinese
labels with English alongside), status.csv (the park x period matrix),
problems.csv and run.json for machines, beside the GX Data Docs
(reports/data-docs/) and the dbt docs (reports/dbt-docs/).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from expectations.audit_store import CURRENT_DECISIONS, PUBLISHABLE
from parkstat import crash_points
from parkstat.home import Home
from sources import normalise as n
from sources.durable import write_atomically
from sources.normalise import CellError, period_label
from sources.registry import Registry, ResolveError, default_registry
from sources.template import RULES, SUPERSEDE_ORDER

# status -> (中文, English, mark)
STATUSES = {
    "accepted": ("已接受", "accepted", "✓"),
    "warned": ("有警示", "accepted with warnings", "⚠"),
    "waived": ("已豁免", "waived", "✓豁"),
    "rejected": ("已拒收", "rejected", "✗"),
    "missing": ("未报", "missing", "—"),
}


@dataclass
class Cell:
    park_code: str
    park: str
    city: str
    period: dt.date
    status: str
    late: bool = False
    superseded: int = 0  # earlier filings this one replaced (corrections)
    rules: list[str] = field(default_factory=list)
    file_name: str | None = None
    filed: dt.date | None = None  # the cover's 填报日期, as the park declares it
    arrived: dt.date | None = None  # the office day its file arrived

    @property
    def dates(self) -> str:
        words = []
        if self.filed:
            words.append(f"填报日期 cover {self.filed:%Y-%m-%d}")
        if self.arrived:
            words.append(f"到达 arrived {self.arrived:%Y-%m-%d}")
        return ", ".join(words)

    @property
    def flags(self) -> str:
        words = []
        if self.late:
            words.append("迟报 late")
        if self.superseded:
            words.append(f"更正 corrected ×{self.superseded}")
        return ", ".join(words)


@dataclass
class ProblemRow:
    park_code: str | None
    park: str
    period: str
    file_name: str
    sheet: str | None
    row_number: int | None
    rule: str
    rule_zh: str
    rule_en: str
    blocking: bool
    waived: bool
    message: str
    stage: str  # intake | validation


def status_matrix(
    con, registry: Registry, intake_rejected: dict[tuple[str, dt.date], set[str]]
) -> list[Cell]:
    """One cell per registry park and report period from the first to the latest filed."""
    bounds = con.execute("select min(period), max(period) from raw.filings").fetchone()
    if bounds[0] is None:
        return []
    first, last = bounds
    filings = con.execute(f"""
        with decided as (
            select f.park_code, f.period, f.file_name, f.filed_date, f.due_date, f.revision,
                   f.arrival_seq, f.arrived_on, f.is_late, d.status,
                   case when d.status = 'rejected' then d.blocking_rules
                        else d.warning_rules || d.waived_rules end as rules
            from raw.filings f join ({CURRENT_DECISIONS}) d using (filing_id)
        )
        select park_code, period, status, rules, file_name, filed_date, arrived_on,
               -- late: the park's first filing for the period arrived after the due date,
               -- decided on arrival (sources/lateness.py)
               coalesce(bool_or(is_late) over (partition by park_code, period), false) as late,
               status in {tuple(PUBLISHABLE)} as publishable,
               row_number() over (
                   partition by park_code, period, status in {tuple(PUBLISHABLE)}
                   order by {SUPERSEDE_ORDER}) as rank,
               count(*) over (partition by park_code, period) as filings
        from decided
    """).fetchall()
    current, rejected = {}, {}
    for (
        park,
        period,
        status,
        rules,
        name,
        filed,
        arrived,
        late,
        publishable,
        rank,
        count,
    ) in filings:
        if rank != 1:
            continue
        dates = (filed, arrived, late)
        if publishable:
            current[(park, period)] = (status, rules, name, count - 1, *dates)
        else:
            rejected[(park, period)] = (rules, name, *dates)
    cells = []
    period = first
    while period <= last:
        if period.month != 1:
            for park in registry.current(period):
                key = (park.code, period)
                cell = Cell(park.code, park.short_name, park.city, period, "missing")
                if key in current:
                    (cell.status, cell.rules, cell.file_name, cell.superseded,
                     cell.filed, cell.arrived, cell.late) = current[key]  # fmt: skip
                elif key in rejected:
                    cell.status = "rejected"
                    cell.rules, cell.file_name, cell.filed, cell.arrived, cell.late = rejected[key]
                elif key in intake_rejected:
                    cell.status, cell.rules = "rejected", sorted(intake_rejected[key])
                cell.rules = sorted(set(cell.rules or []))
                cells.append(cell)
        period = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return cells


def problems(con, registry: Registry) -> list[ProblemRow]:
    rows = []
    short_names = {p.code: p.short_name for p in registry.current()}
    # The problems of each filing's current decision (a filing decided again keeps
    # its earlier problems on record, in audit.validation_problems).
    for park, period, name, sheet, row, rule, message, waived, waiver in con.execute(f"""
        select p.park_code, p.period, p.file_name, p.sheet, p.row_number, p.rule, p.message,
               p.waived, p.waiver
        from audit.validation_problems p
        join ({CURRENT_DECISIONS}) d on d.filing_id = p.filing_id and d.run_id = p.run_id
        order by p.period, p.park_code, p.file_name, p.rule
    """).fetchall():
        said = f"{message} — {waiver}" if waiver else message
        name_of_park = short_names.get(park, park)
        rows.append(
            _problem(
                park,
                name_of_park,
                period_label(period),
                name,
                sheet,
                row,
                rule,
                said,
                waived,
                "validation",
            )
        )
    for park_text, period_text, name, sheet, row, column, rule, message, value in con.execute("""
        select park_filed, period_filed, file_name, sheet, row_number, column_name, rule,
               message, value
        from raw.rejections order by arrival_seq
    """).fetchall():
        code = _resolve(registry, park_text)
        where = f"{column}: " if column else ""
        said = f"{where}{message}" + (f" [value: {value}]" if value else "")
        rows.append(
            _problem(
                code,
                park_text or "?",
                period_text or "?",
                name,
                sheet,
                row,
                rule,
                said,
                False,
                "intake",
            )
        )
    return rows


def _problem(code, park, period, name, sheet, row, rule, message, waived, stage) -> ProblemRow:
    r = RULES[rule]
    return ProblemRow(
        code,
        park,
        period,
        name,
        sheet,
        row,
        rule,
        r.zh,
        r.en,
        r.blocking,
        bool(waived),
        message,
        stage,
    )


def _resolve(registry: Registry, park_text) -> str | None:
    try:
        return registry.resolve(None, park_text)
    except ResolveError:
        return None


def intake_rejected_cells(con, registry: Registry) -> dict[tuple[str, dt.date], set[str]]:
    """Park-periods refused on arrival (B1-B4), where the park and period can be told."""
    cells: dict[tuple[str, dt.date], set[str]] = {}
    for park_text, period_text, rule in con.execute(
        "select distinct park_filed, period_filed, rule from raw.rejections"
    ).fetchall():
        code = _resolve(registry, park_text)
        try:
            period = n.period(period_text, dt.date.max) if period_text else None
        except CellError:
            period = None
        if code and period:
            cells.setdefault((code, period), set()).add(rule)
    return cells


def write_report(home: Home, run: dict, registry: Registry | None = None) -> Path:
    """Write reports/index.html, status.csv, problems.csv and run.json; returns the page."""
    registry = registry or default_registry()
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        matrix = status_matrix(con, registry, intake_rejected_cells(con, registry))
        found = problems(con, registry)
    home.reports.mkdir(parents=True, exist_ok=True)
    _write_csv(
        home.reports / "status.csv",
        [
            {
                "park_code": c.park_code,
                "park": c.park,
                "city": c.city,
                "period": f"{c.period:%Y-%m}",
                "status": c.status,
                "late": c.late,
                "filed_date": c.filed or "",
                "arrived_on": c.arrived or "",
                "superseded": c.superseded,
                "rules": " ".join(c.rules),
                "file_name": c.file_name or "",
            }
            for c in matrix
        ],
    )
    crash_points.reached("report:writing")
    _write_csv(home.reports / "problems.csv", [asdict(p) for p in found])
    counts = {s: sum(c.status == s for c in matrix) for s in STATUSES}
    summary = {**run, "cells": counts, "problems": len(found), "late": sum(c.late for c in matrix)}
    write_atomically(
        home.reports / "run.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str)
    )
    page = home.reports / "index.html"
    write_atomically(page, render(summary, matrix, found))
    return page


def _write_csv(path: Path, rows: list[dict]) -> None:
    out = io.StringIO(newline="")
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    write_atomically(path, "\ufeff" + out.getvalue())  # BOM: Excel reads it right


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px} h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:center;white-space:nowrap}
th.park,td.park{text-align:left}
.accepted{background:#dff0d8}.warned{background:#fcf8e3}.waived{background:#d9edf7}
.rejected{background:#f2dede;font-weight:bold}.missing{background:#eee;color:#888}
.late{outline:2px solid #e0a000;outline-offset:-3px}
td.msg{text-align:left;white-space:normal;max-width:640px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #ccc}
"""


def _left_in_landing(entries: list[list[str]]) -> list[str]:
    """What this run found in landing/ and did not take: names as they arrived, and why."""
    if not entries:
        return []
    e = html.escape
    return [
        "<h2>落地区未处理 <small>/ Left in landing/, not taken</small></h2>",
        "<table id='left-in-landing'><thead><tr><th class='park'>名称 name</th>"
        "<th class='park'>原因 why</th></tr></thead><tbody>",
        *(f"<tr><td class='park'>{e(name)}</td><td class='park'>{e(why)}</td></tr>"
          for name, why in entries),
        "</tbody></table>",
    ]  # fmt: skip


def render(summary: dict, matrix: list[Cell], found: list[ProblemRow]) -> str:
    e = html.escape
    periods = sorted({c.period for c in matrix})
    parks = sorted({(c.park_code, c.city, c.park) for c in matrix})  # codes run by city
    by_key = {(c.park_code, c.period): c for c in matrix}
    out = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<title>园区统计月报审核报告 / Filing report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>园区统计月报审核报告 <small>/ Stewards' report</small></h1>",
        "<p class='synthetic'>" + e(summary.get("note", "")) + "</p>",
        "<p>运行 run: <b>" + e(str(summary.get("run_id", ""))) + "</b> · "
        "发布 published: <b>" + e(str(summary.get("published", ""))) + "</b> · "
        "<a href='data-docs/index.html'>校验详情 GX Data Docs</a> · "
        "<a href='dbt-docs/index.html'>数据字典 dbt docs</a></p>",
        "<p class='legend'>"
        + "".join(
            f"<span class='{s}'>{mark} {zh} {en}</span>" for s, (zh, en, mark) in STATUSES.items()
        )
        + "<span class='late'>迟报 late</span></p>",
        *_left_in_landing(summary.get("left_in_landing", [])),
        "<h2>报送状态 <small>/ Filing status matrix</small></h2>",
        "<table id='matrix'><thead><tr><th>市州 city</th><th class='park'>园区 park</th>",
        *(f"<th>{e(period_label(p))}</th>" for p in periods),
        "</tr></thead><tbody>",
    ]
    for code, city, name in parks:
        out.append(
            f"<tr><td>{e(city)}</td><td class='park'>{e(name)} <small>{e(code)}</small></td>"
        )
        for p in periods:
            c = by_key.get((code, p))
            if c is None:
                out.append("<td></td>")
                continue
            zh, en, mark = STATUSES[c.status]
            title = " · ".join(
                x
                for x in (f"{zh} {en}", " ".join(c.rules), c.flags, c.dates, c.file_name or "")
                if x
            )
            classes = c.status + (" late" if c.late else "")
            text = (
                mark
                + (" " + " ".join(c.rules) if c.rules else "")
                + ("<sup>更</sup>" if c.superseded else "")
            )
            out.append(f"<td class='{classes}' title='{e(title)}'>{text}</td>")
        out.append("</tr>")
    out += [
        "</tbody></table>",
        "<h2>问题清单 <small>/ Problems: rule, where, values</small></h2>",
        "<table id='problems'><thead><tr><th>园区 park</th><th>报告期 period</th>"
        "<th>文件 file</th><th>工作表 sheet</th><th>行 row</th><th>规则 rule</th>"
        "<th>结论 outcome</th><th>说明 what</th></tr></thead><tbody>",
    ]
    for p in found:
        outcome = "豁免 waived" if p.waived else "拒收 rejected" if p.blocking else "警示 warning"
        out.append(
            f"<tr class='{'rejected' if p.blocking and not p.waived else ''}'>"
            f"<td class='park'>{e(p.park)}</td><td>{e(p.period)}</td>"
            f"<td class='park'>{e(p.file_name)}</td><td>{e(p.sheet or '')}</td>"
            f"<td>{p.row_number or ''}</td>"
            f"<td title='{e(p.rule_en)}'>{e(p.rule)} {e(p.rule_zh)}<br><small>{e(p.rule_en)}"
            f"</small></td><td>{outcome}</td><td class='msg'>{e(p.message)}</td></tr>"
        )
    out += ["</tbody></table>", "</body></html>"]
    return "\n".join(out)
