"""File names as parks and systems choose them: varied, unique, not to be trusted.

Some say the park and period, some only a number, some the wrong month (a
copy of last month's file renamed by hand). The intake reads the content.
"""

from __future__ import annotations

import random

from .plan import Submission

# Fields: code, full, short, city, y, m; k counts files; prev is last month
# (a copy of last month's file filled in again, its name unchanged).
XLSX_NAMES = (
    "{short}_{y}年1-{m}月.xlsx",
    "{code}-{y}{m:02d}.xlsx",
    "月报({k}).xlsx",
    "{full}{y}年{m}月统计月报.xlsx",
    "{city}{short}_{y}{m:02d}.xlsx",
    "附件{k9}：{short}园区月报表.xlsx",
    "{short}{y}年1-{prev}月报表.xlsx",
    "新建 Microsoft Excel 工作表 ({k}).xlsx",
    "{code}_{y}_{m}_月报表(1).xlsx",
)
CORRECTION_NAMES = (
    "{short}_{y}年1-{m}月(更正).xlsx",
    "更正-{code}-{y}{m:02d}.xlsx",
    "月报({k}).xlsx",
    "{full}{y}年{m}月统计月报.xlsx",
)
CSV_NAMES = (
    "园区月报导出_{y}{m:02d}.csv",
    "parks_{y}-{m:02d}.csv",
    "长表{y}年1-{m}月.csv",
    "export({k}).csv",
)
CSV_CORRECTION_NAMES = ("更正_{y}{m:02d}.csv", "corrections_{y}-{m:02d}.csv")


class Namer:
    """Hands out names no two files share."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.counter = 0

    def unique(self, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 1
        while candidate.lower() in self.used:
            n += 1
            candidate = f"{stem}_{n}{dot}{ext}"
        self.used.add(candidate.lower())
        return candidate

    def workbook(self, sub: Submission) -> str:
        self.counter += 1
        pool = CORRECTION_NAMES if sub.revision else XLSX_NAMES
        park, period, k = sub.slot.park, sub.slot.period, self.counter
        name = self.rng.choice(pool).format(
            code=park.code,
            full=park.name,
            short=park.short_name,
            city=park.city,
            y=period.year,
            m=period.month,
            k=k,
            k9=k % 9 + 1,
            prev=max(2, period.month - 1),
        )
        return self.unique(name)

    def csv(self, kind: str, y: int, m: int) -> str:
        self.counter += 1
        if kind == "correction":
            pattern = self.rng.choice(CSV_CORRECTION_NAMES)
        elif kind in ("own", "late"):
            pattern = "补报_{k}.csv"
        else:
            pattern = self.rng.choice(CSV_NAMES)
        return self.unique(pattern.format(y=y, m=m, k=self.counter))
