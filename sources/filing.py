"""A filing's content in its stored form: what a reader yields and the generator's truth.

Rows are dicts keyed by the template's Column.field names (sources/template.py),
one list per data sheet key; amounts in 万元 (FDI in 万美元), missing as None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass
class Filing:
    park_name: str  # as written on the cover
    period: dt.date  # first day of the report month
    filed_date: dt.date
    park_code: str | None = None
    revision: int = 0
    sheets: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, sheet_key: str) -> list[Row]:
        return self.sheets.get(sheet_key, [])
