"""What is wrong with a filing, said so that a park or a data steward can act on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sources.template import RULES


@dataclass(frozen=True)
class Problem:
    rule: str  # code in the template: B1 ... W5
    file: str  # the file name as it arrived
    message: str  # what is wrong, in words
    sheet: str | None = None
    row: int | None = None  # 1-based: the workbook's row number or the CSV's line number
    column: str | None = None
    value: str | None = None
    park: str | None = None  # as written in the filing
    period: str | None = None  # as written in the filing

    @property
    def blocking(self) -> bool:
        return RULES[self.rule].blocking

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def sentence(self) -> str:
        """One line: where, which rule (code and words), what, the offending value."""
        rule = RULES[self.rule]
        value = f" [value: {self.value}]" if self.value not in (None, "") else ""
        return f"{self.where()}: {rule.code} {rule.zh} / {rule.en}: {self.message}{value}"

    def as_dict(self) -> dict:
        return asdict(self)


class FilingRejected(Exception):
    """A filing that breaks one or more blocking rules."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.sentence() for p in problems))
        self.problems = problems
