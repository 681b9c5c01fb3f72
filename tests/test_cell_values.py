"""Every cell-value form in the contract normalises to its stored value, or to the right rule."""

import datetime as dt

import pytest

from sources import normalise as n
from sources.normalise import CellError


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        (12345.6, 12345.6),
        (7, 7.0),
        ("12345.6", 12345.6),  # a number stored as text
        ("12,345.6", 12345.6),  # thousands separators
        ("1,234,567", 1234567.0),
        ("１２３４５.６", 12345.6),  # full-width digits
        ("１２，３４５．６", 12345.6),  # full-width separator and point
        ("  4 321 ", 4321.0),  # stray spaces
        ("5.25%", 5.25),  # a percent sign
        ("-3.2", -3.2),
        ("1e3", 1000.0),
    ],
)
def test_numbers(cell, stored):
    assert n.number(cell) == stored


@pytest.mark.parametrize("cell", [None, "", " ", "-", "—", "——", "/", "－", float("nan")])
def test_missing_is_null_not_zero(cell):
    assert n.number(cell) is None
    assert n.amount(cell) is None


@pytest.mark.parametrize("cell", ["约5000", "12,3a4", "N/A", "五千", "1.2.3", True])
def test_not_a_number_is_b3(cell):
    with pytest.raises(CellError) as e:
        n.number(cell)
    assert e.value.rule == "B3"


def test_negative_amount_is_b4_but_negative_growth_is_fine():
    with pytest.raises(CellError) as e:
        n.amount("-12")
    assert e.value.rule == "B4"
    assert n.pct("-12.5%") == -12.5


def test_yi_yuan_converts_to_wan_yuan_without_float_noise():
    unit, factor = n.unit_factor("亿元", "万元")
    assert unit == "万元"
    assert n.amount("218.8", factor) == 2188000.0
    assert n.amount(1.23456, factor) == 12345.6
    assert n.unit_factor("", "万美元") == ("万美元", 1.0)
    assert n.unit_factor("（億元）", "万元") == ("万元", 10000.0)


def test_a_unit_in_another_currency_is_refused():
    with pytest.raises(CellError) as e:
        n.unit_factor("万美元", "万元")
    assert e.value.rule == "B1"


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (dt.date(2025, 8, 8), dt.date(2025, 8, 8)),
        (dt.datetime(2025, 8, 8, 9, 30), dt.date(2025, 8, 8)),
        ("2025-08-08", dt.date(2025, 8, 8)),
        ("2025/8/8", dt.date(2025, 8, 8)),
        ("2025年8月8日", dt.date(2025, 8, 8)),
        ("２０２５年８月８日", dt.date(2025, 8, 8)),
        ("20250808", dt.date(2025, 8, 8)),
        (45877.0, dt.date(2025, 8, 8)),  # an Excel serial day
        ("—", None),
    ],
)
def test_dates(cell, day):
    assert n.date(cell) == day


@pytest.mark.parametrize("cell", ["2025-13-45", "下月", 12.0])
def test_bad_dates_are_b3(cell):
    with pytest.raises(CellError) as e:
        n.date(cell)
    assert e.value.rule == "B3"


@pytest.mark.parametrize(
    ("cell", "value"),
    [("是", True), ("否", False), (" Y ", True), ("√", True), ("0", False), ("", None)],
)
def test_flags(cell, value):
    assert n.flag(cell) is value


def test_stages_and_traditional_stage_names():
    assert n.stage("已開工") == "已开工"
    assert n.stage("已投產") == "已投产"
    with pytest.raises(CellError):
        n.stage("在建")


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("其中：工业税收", "其中:工业税收"),
        ("其中:工業稅收", "其中:工业税收"),
        ("工业税收", "其中:工业税收"),
        (" 规模工业总产值 ", "规模工业总产值"),
        ("規模工業總產值", "规模工业总产值"),
        ("实际使用外资", "实际使用外资"),
    ],
)
def test_indicator_names(label, name):
    assert n.indicator_name(label) == name


def test_unknown_indicator_is_not_guessed():
    assert n.indicator_name("规模工业产值") is None


def test_partners_and_tax_types():
    assert n.partner("香港") == "中国香港"
    assert n.partner("歐盟") == "欧盟"
    assert n.partner("火星") is None
    assert n.tax_type("增值稅") == "增值税"
    assert n.tax_type("合 计") == "合计"
