"""Report period labels: every form in the contract, and the ones that are not periods (B2)."""

import datetime as dt

import pytest

from sources import normalise as n
from sources.normalise import CellError

TODAY = dt.date(2025, 8, 20)


@pytest.mark.parametrize(
    "label",
    [
        "2025年1-7月",
        "2025年1—7月",
        "2025年1–7月",
        "2025年7月",
        "2025-07",
        "202507",
        202507,
        202507.0,  # typed as a number: a workbook cell keeps it as a float
        "2025.07",
        "2025/7",
        " 2025 年 1-7 月 ",
        "２０２５年１-７月",
        "2025年7月份",
        dt.date(2025, 7, 1),
        dt.datetime(2025, 7, 31),
    ],
)
def test_july_2025(label):
    assert n.period(label, TODAY) == dt.date(2025, 7, 1)


def test_february_is_one_to_two():
    assert n.period("2025年1-2月", TODAY) == dt.date(2025, 2, 1)
    assert n.period_label(dt.date(2025, 2, 1)) == "2025年1-2月"


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("2025年1月", "January"),
        ("2025-01", "January"),
        ("2025年第三季度", "not a report period"),
        ("2025年3-7月", "not a report period"),
        ("2025年13月", "not a report period"),
        ("2025年8月", "not ended"),
        ("2031-03", "not ended"),
        ("", "not a report period"),
    ],
)
def test_not_a_period_is_b2(label, why):
    with pytest.raises(CellError) as e:
        n.period(label, TODAY)
    assert e.value.rule == "B2"
    assert why in str(e.value)


def test_due_date_is_the_tenth_of_the_next_month():
    assert n.due_date(dt.date(2025, 7, 1)) == dt.date(2025, 8, 10)
    assert n.due_date(dt.date(2024, 12, 1)) == dt.date(2025, 1, 10)
