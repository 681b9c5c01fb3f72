"""File names as parks and systems choose them: varied, unique, not to be trusted.

Some say the park and period, some only a number, some the wrong month (a
copy of last month's file renamed by hand). The intake reads the content.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .plan import Submission

NameFn = Callable[[Submission, int], str]


def _parts(sub: Submission) -> tuple[str, str, str, str, int, int]:
    park, p = sub.slot.park, sub.slot.period
    return park.code, park.name, park.short_name, park.city, p.year, p.month


def _short_range(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{short}_{y}年1-{m}月.xlsx"


def _code_month(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{code}-{y}{m:02d}.xlsx"


def _numbered(sub: Submission, k: int) -> str:
    return f"月报({k}).xlsx"


def _full_month(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{full}{y}年{m}月统计月报.xlsx"


def _city(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{city}{short}_{y}{m:02d}.xlsx"


def _attachment(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"附件{k % 9 + 1}：{short}园区月报表.xlsx"


def _stale(sub: Submission, k: int) -> str:
    # Last month's file copied and filled in again, name unchanged.
    code, full, short, city, y, m = _parts(sub)
    return f"{short}{y}年1-{max(2, m - 1)}月报表.xlsx"


def _new_sheet(sub: Submission, k: int) -> str:
    return f"新建 Microsoft Excel 工作表 ({k}).xlsx"


def _code_parts(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{code}_{y}_{m}_月报表(1).xlsx"


def _correction(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"{short}_{y}年1-{m}月(更正).xlsx"


def _correction_code(sub: Submission, k: int) -> str:
    code, full, short, city, y, m = _parts(sub)
    return f"更正-{code}-{y}{m:02d}.xlsx"


XLSX_NAMES: tuple[NameFn, ...] = (
    _short_range,
    _code_month,
    _numbered,
    _full_month,
    _city,
    _attachment,
    _stale,
    _new_sheet,
    _code_parts,
)
CORRECTION_NAMES: tuple[NameFn, ...] = (_correction, _correction_code, _numbered, _full_month)
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
        return self.unique(self.rng.choice(pool)(sub, self.counter))

    def csv(self, kind: str, y: int, m: int) -> str:
        self.counter += 1
        if kind == "correction":
            pattern = self.rng.choice(CSV_CORRECTION_NAMES)
        elif kind == "own":
            pattern = "补报_{k}.csv"
        else:
            pattern = self.rng.choice(CSV_NAMES)
        return self.unique(pattern.format(y=y, m=m, k=self.counter))
