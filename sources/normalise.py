"""Normalise what parks type into cells: names, numbers, periods, dates, flags.

Every function takes one raw cell value (as a workbook or CSV reader gives it)
and returns the stored form, or raises CellError saying what is wrong; the
reader adds file, sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import opencc

from sources import template as t

_T2S = opencc.OpenCC("t2s")


class CellError(ValueError):
    """A cell that cannot be normalised; carries the rule it breaks."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


# Typed: a cache finds its entries by ==, and True == 1 == 1.0 — untyped, a 是否500强
# cell holding 1 read as 是 after a workbook's TRUE had been folded, and as B3 before.
@lru_cache(maxsize=65_536, typed=True)
def text(value: object) -> str:
    """Simplified characters, half-width forms, no spaces: the form names are compared in.

    NFKC folds full-width digits, letters and punctuation (１２３, （）, ：) into
    ASCII; OpenCC folds traditional characters (經開區 -> 经开区).
    """
    if value is None:
        return ""
    if type(value) is float and value == 0:
        value = 0.0  # -0.0 == 0.0 is one entry of the cache too: one text for both
    s = unicodedata.normalize("NFKC", str(value))
    s = _T2S.convert(s)
    return re.sub(r"\s+", "", s)


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and text(value) in t.MISSING_TEXTS


PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def number(value: object) -> float | None:
    """A numeric cell: None for 'not reported', else a finite float.

    Accepts numbers, numbers stored as text, thousands separators, full-width
    digits, stray spaces and a trailing %. Anything else is B3.
    """
    # The hot path: most cells are floats already (workbooks, a long CSV's
    # plain numbers parsed a column at a time) or plain ASCII numbers, which
    # need no folding.
    if type(value) is float and math.isfinite(value):  # NaN is 'not reported', below
        return value
    if isinstance(value, str) and PLAIN_NUMBER.match(value):
        return _finite(float(value), value)
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise CellError("B3", f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        try:
            return _finite(float(value), value)
        except OverflowError:  # an int beyond any float (an xls cell holds ints)
            raise CellError("B3", _TOO_LARGE.format(value=value)) from None
    s = text(value).replace(",", "").rstrip("%")
    if s.startswith("(") and s.endswith(")"):  # accounting negative: (123)
        s = "-" + s[1:-1]
    if not PLAIN_NUMBER.match(s):
        raise CellError("B3", f"'{value}' is not a number")
    return _finite(float(s), value)


# A number past the largest float (1e999, a cell holding inf) is no figure a
# park has: stored as infinity it would make every sum and balance edit over it
# meaningless (inf - inf is NaN, and NaN passes every comparison).
_TOO_LARGE = "'{value}' is too large to be a figure"


def _finite(x: float, value: object) -> float:
    if not math.isfinite(x):
        raise CellError("B3", _TOO_LARGE.format(value=value))
    return x


def amount(value: object, factor: float = 1.0) -> float | None:
    """An amount or count in its stored unit; negative is B4."""
    n = number(value)
    if n is None:
        return None
    if n < 0:
        raise CellError("B4", f"'{value}' is negative")
    # 1e305 亿元 is a float, but not once in 万元.
    return round(_finite(n * factor, value), t.AMOUNT_DECIMALS)


def count(value: object) -> float | None:
    return amount(value)


def decimals(value: object) -> int | None:
    """How many decimals a number was filed with: 218.83 -> 2, '218.80' -> 2, 2188000.0 -> 0.

    Text keeps what was typed (trailing zeros count); a number cell counts
    the digits of its shortest form (Excel and calamine keep no more). None
    for a cell that is not reported.
    """
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, str):
        s = value if PLAIN_NUMBER.match(value) else text(value).replace(",", "").rstrip("%")
        s = s.strip("()")
    else:
        s = repr(float(value))
        if s.endswith(".0"):
            return 0
    if "e" in s or "E" in s:
        try:
            exponent = Decimal(s).as_tuple().exponent
        except InvalidOperation:
            return None
        return max(0, -exponent) if isinstance(exponent, int) else None
    whole, dot, fraction = s.partition(".")
    return len(fraction) if dot else 0


def step(value: object, factor: float = 1.0, percent_format: bool = False) -> float | None:
    """The place value of a figure's last digit as filed, in its stored unit.

    218.83 亿元 -> 100 万元; 2188000 万元 -> 1; 6.25 % -> 0.01. Half of it is
    what rounding can explain (the balance edits, growth against its base).
    A percentage-formatted cell holds the fraction: 0.0625 is 6.25 %, 0.01.
    """
    places = decimals(value)
    if places is None:
        return None
    if percent_format and not isinstance(value, str):
        places = max(0, places - 2)  # 0.5 shows as 50 %: whole percents
    return place_value(places, factor)


def place_value(places: int, factor: float = 1.0) -> float:
    """The value of one unit in the last of `places` decimals, in the stored unit."""
    return round(10.0**-places * factor, 12)


def pct(value: object, percent_format: bool = False) -> float | None:
    """A growth rate in percent; may be negative.

    A number in a cell formatted as a percentage is the fraction Excel keeps
    (0.065 shows as 6.50 %): it is stored as the percent the park saw, 6.5.
    Text keeps its own meaning (`6.5%` and `6.5` are both 6.5).
    """
    n = number(value)
    if percent_format and n is not None and not isinstance(value, str):
        return round(_finite(n * 100, value), _PERCENT_DIGITS)
    return n


# A fraction times 100 is not exact in binary (0.065 * 100 = 6.500000000000001).
_PERCENT_DIGITS = 10


def unit(value: object) -> str:
    """A unit cell or the unit in a header's parentheses, normalised."""
    return text(value).strip("()")


def unit_factor(filed_unit: str, expected: str) -> tuple[str, float]:
    """The stored unit and the factor for an amount filed in `filed_unit`.

    A blank unit means the template's own; 亿元, 千元 or 元 where 万元 is
    expected convert. A unit of another currency (万美元 where 万元 is
    expected) or one parkstat does not know is B1: it cannot be converted here.
    """
    filed_unit = unit(filed_unit)
    if not filed_unit or filed_unit == expected:
        return expected, 1.0
    stored = t.UNIT_FACTORS[expected][0] if expected in t.UNIT_FACTORS else expected
    if filed_unit in t.UNIT_FACTORS:
        unit_stored, factor = t.UNIT_FACTORS[filed_unit]
        if unit_stored == stored:
            return stored, factor
        raise CellError(
            "B1",
            f"unit '{filed_unit}' where the template has '{expected}': amounts in "
            f"{unit_stored} are never converted to {stored} (no exchange rate is applied)",
        )
    known = "/".join(u for u, (s, _) in t.UNIT_FACTORS.items() if s == stored)
    raise CellError(
        "B1", f"unit '{filed_unit}' where the template has '{expected}' (units taken: {known})"
    )


def is_money_unit(words: str) -> bool:
    """Whether a header's parenthesised text names a money unit (万元, 美元, 人民币元 …)."""
    return unit(words).endswith(t.MONEY_UNIT_ENDING)


# --------------------------------------------------------------------------
# Periods: 2025年1-7月, 2025年1—7月, 2025年7月, 2025-07, 202507, 2025.07 ...
# --------------------------------------------------------------------------
_PERIOD_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})年(?P<m0>\d{1,2})[-—–~至到](?P<m>\d{1,2})月(份)?(累计)?$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(份)?$"),
    re.compile(r"^(?P<y>\d{4})[-./](?P<m>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
)


def period(value: object, today: dt.date | None = None) -> dt.date:
    """The report period as the first day of the report month (B2 if not one).

    January alone is not a report period (no January filing; February covers
    1-2月), a range must start in January, and a month that has not ended by
    `today` cannot have been reported.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 202507 typed as a number: the workbook keeps it as 202507.0
    if isinstance(value, dt.date):
        y, m, m0 = value.year, value.month, None
    else:
        s = text(value).replace("—", "-")
        for pattern in _PERIOD_PATTERNS:
            hit = pattern.match(s)
            if hit:
                y, m = int(hit["y"]), int(hit["m"])
                m0 = int(hit["m0"]) if "m0" in pattern.groupindex else None
                break
        else:
            raise CellError("B2", f"period '{value}' is not a report period such as 2025年1-7月")
    # Year 0 matches the patterns but is in no calendar (dt.date refuses it).
    if not 1 <= m <= 12 or (m0 is not None and m0 != 1) or y < 1:
        raise CellError("B2", f"period '{value}' is not a report period such as 2025年1-7月")
    if m == 1:
        raise CellError("B2", f"period '{value}' is January alone: February files 1-2月")
    first = dt.date(y, m, 1)
    today = today or dt.date.today()
    if first >= today.replace(day=1):
        raise CellError("B2", f"period '{value}' has not ended yet")
    return first


def period_label(first: dt.date) -> str:
    """The label the office prints: 2025年1-7月."""
    return f"{first.year}年1-{first.month}月"


def due_date(first: dt.date) -> dt.date:
    """The day a filing for the period is due: the 10th of the following month."""
    y, m = (first.year + 1, 1) if first.month == 12 else (first.year, first.month + 1)
    return dt.date(y, m, t.DUE_DAY)


# --------------------------------------------------------------------------
# Dates and flags.
# --------------------------------------------------------------------------
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(r"^(?P<y>\d{4})[-./年](?P<m>\d{1,2})[-./月](?P<d>\d{1,2})日?$")
_DATE_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def date(value: object) -> dt.date | None:
    """A date cell: an Excel date, a serial number or text like 2025-08-08 / 2025年8月8日."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError("B3", f"'{value}' is not a date")
    s = text(value)
    hit = _DATE.match(s) or _DATE_COMPACT.match(s)
    if hit:
        try:
            return dt.date(int(hit["y"]), int(hit["m"]), int(hit["d"]))
        except ValueError:
            pass
    raise CellError("B3", f"'{value}' is not a date")


def flag(value: object) -> bool | None:
    """是/否 and their usual spellings."""
    if is_missing(value):
        return None
    s = text(value).lower()
    if s in t.YES_WORDS:
        return True
    if s in t.NO_WORDS:
        return False
    raise CellError("B3", f"'{value}' is not 是 or 否")


def stage(value: object) -> str | None:
    if is_missing(value):
        return None
    s = text(value)
    if s in t.PROJECT_STAGES:
        return s
    raise CellError("B3", f"'{value}' is not one of {'/'.join(t.PROJECT_STAGES)}")


def revision(value: object) -> int:
    """更正次数: blank or 0 is the original filing, n the n-th correction."""
    n = number(value)
    if n is None:
        return 0
    if n < 0 or n != int(n):
        raise CellError("B3", f"更正次数 '{value}' is not 0 or a positive whole number")
    if n > t.MAX_REVISION:
        raise CellError(
            "B3", f"更正次数 '{value}' is not a count of corrections (at most {t.MAX_REVISION})"
        )
    return int(n)


def indicator_name(value: object) -> str | None:
    """The template's indicator name for a filed row label, or None if unknown.

    Tolerates 其中：/其中: and a missing 其中 prefix on sub-items.
    """
    s = text(value)
    return _INDICATOR_NAMES.get(s) or _INDICATOR_NAMES.get(s.removeprefix("其中:"))


_INDICATOR_NAMES = {
    **{text(i.name).removeprefix("其中:"): i.name for i in t.INDICATORS},
    **{text(i.name): i.name for i in t.INDICATORS},
}


def partner(value: object) -> str | None:
    s = text(value)
    s = t.PARTNER_ALIASES.get(s, s)
    return s if s in t.TRADE_PARTNERS or s == t.TOTAL_ROW else None


def tax_type(value: object) -> str | None:
    s = text(value)
    return s if s in t.TAX_TYPES or s == t.TOTAL_ROW else None
