"""Long CSVs: encodings detected, one filing per park and period, each accepted or rejected."""

import datetime as dt

import pytest

from sources.problems import FilingRejected
from sources.read_csv import read_long_csv
from sources.registry import default_registry

TODAY = dt.date(2025, 8, 20)
HEADER = "园区代码,园区名称,报告期,表,指标,分组,口径,数值,计量单位"
LINES = [
    "HN430305,湘潭天易经开区,2025年1-7月,主要指标,规模工业总产值,,本年累计,2188000,万元",
    "HN430305,湘潭天易经开区,2025年1-7月,主要指标,规模工业总产值,,上年同期,2078859.9,万元",
    "HN430305,湘潭天易经开区,2025年1-7月,主要指标,规模工业总产值,,同比增长,5.25,%",
    "HN430305,湘潭天易经开区,2025年1-7月,主要指标,实际使用外资,,本年累计,2000,万美元",
    'HN430305,湘潭天易经开区,2025年1-7月,产业链产值,产值,食品医药,本年累计,"1,200.5",万元',
    "HN430305,湘潭天易经开区,2025年1-7月,产业链产值,规上企业数,食品医药,本年累计,42,家",
    "HN430305,湘潭天易经开区,2025年1-7月,产业链产值,产值,合计,本年累计,1200.5,万元",
    "HN430305,湘潭天易经开区,2025年1-7月,税收,税收,增值税,本年累计,3.5,亿元",
    "HN430305,湘潭天易经开区,2025年1-7月,税收,税收,合计,本年累计,3.5,亿元",
    "HN430305,湘潭天易经开区,2025年1-7月,进出口,出口,香港,本年累计,100,万元",
    "HN430305,湘潭天易经开区,2025年1-7月,进出口,进口,香港,本年累计,—,万元",
    "HN430305,湘潭天易经开区,2025年1-7月,进出口,出口,合计,本年累计,100,万元",
    ",湘乡經開區,2025-06,主要指标,规模工业总产值,,本年累计,１２３４５.６,万元",
]


def _write(tmp_path, lines, encoding, comment=True):
    text = ("# 合成数据 synthetic\n" if comment else "") + "\n".join([HEADER, *lines]) + "\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_are_detected_and_values_stored(tmp_path, encoding):
    path = _write(tmp_path, LINES, encoding)
    found, parts = read_long_csv(path, "export.csv", default_registry(), TODAY)
    assert found == encoding
    assert [(p.filing.park_code, p.filing.period) for p in parts] == [
        ("HN430305", dt.date(2025, 7, 1)),
        ("HN430306", dt.date(2025, 6, 1)),
    ]
    tianyi = parts[0].filing
    output = next(r for r in tianyi.rows("indicators") if r["indicator"] == "规模工业总产值")
    assert (output["value_ytd"], output["value_prior_ytd"], output["yoy_reported_pct"]) == (
        2188000.0,
        2078859.9,
        5.25,
    )
    assert output["_row"] == 3  # comment line, header, then the first data line
    fdi = next(r for r in tianyi.rows("indicators") if r["indicator"] == "实际使用外资")
    assert (fdi["unit"], fdi["value_ytd"]) == ("万美元", 2000.0)
    assert tianyi.rows("chains")[:1] == [
        {
            "chain": "食品医药",
            "output_ytd": 1200.5,
            "enterprises": 42.0,
            "_sheet": "产业链产值",
            "_row": 7,
            "output_prior_ytd": None,
            "yoy_reported_pct": None,
            "output_ytd_step": 0.1,  # written 1200.5
            "output_prior_ytd_step": None,
            "yoy_reported_pct_step": None,
        }
    ]
    assert tianyi.rows("tax")[0]["tax_ytd"] == 35000.0  # 亿元 -> 万元
    hk = tianyi.rows("trade")[0]
    assert (hk["partner"], hk["export_ytd"], hk["import_ytd"]) == ("中国香港", 100.0, None)
    assert tianyi.filed_date is None and tianyi.revision == 0
    assert parts[1].filing.rows("indicators")[0]["value_ytd"] == 12345.6


def test_a_bad_block_rejects_only_its_own_filing(tmp_path):
    bad = [line.replace("2188000", "约2188000") for line in LINES]
    bad.append(",湘潭未来科技城,2025年1-7月,主要指标,规模工业总产值,,本年累计,1,万元")
    _, parts = read_long_csv(
        _write(tmp_path, bad, "gb18030"), "export.csv", default_registry(), TODAY
    )
    by_park = {p.park_text: p for p in parts}
    tianyi = by_park["湘潭天易经开区"]
    assert tianyi.filing is None
    [b3] = tianyi.problems
    assert (b3.rule, b3.sheet, b3.row, b3.column, b3.value) == (
        "B3",
        "主要指标",
        3,
        "数值",
        "约2188000",
    )
    assert by_park["湘乡經開區"].filing is not None
    [b2] = by_park["湘潭未来科技城"].problems
    assert b2.rule == "B2" and "湘潭未来科技城" in b2.sentence()


def test_a_missing_column_rejects_the_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER.replace(",数值", "") + "\n", encoding="utf-8")
    with pytest.raises(FilingRejected) as e:
        read_long_csv(path, "x.csv", default_registry(), TODAY)
    assert e.value.problems[0].rule == "B1"
    assert "数值" in e.value.problems[0].message


def test_undecodable_bytes_are_b1(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\x30" + bytes(range(128, 256)) * 3)
    with pytest.raises(FilingRejected) as e:
        read_long_csv(path, "x.csv", default_registry(), TODAY)
    assert e.value.problems[0].rule == "B1"


def test_an_unknown_sheet_or_item_names_its_line(tmp_path):
    lines = [*LINES[:3], "HN430305,湘潭天易经开区,2025年1-7月,利润表,利润,,本年累计,1,万元"]
    _, parts = read_long_csv(
        _write(tmp_path, lines, "utf-8", comment=False), "x.csv", default_registry(), TODAY
    )
    [problem] = parts[0].problems
    assert (problem.rule, problem.row, problem.column) == ("B1", 5, "表")


def test_negative_amounts_are_b4_and_negative_growth_is_kept(tmp_path):
    # Plain numbers are parsed a column at a time; a negative amount must still
    # be B4 with the text as filed, and a negative growth rate a value.
    lines = [
        LINES[0].replace("2188000", "-2188000"),
        LINES[2].replace("5.25", "-5.25"),
        LINES[-1].replace("１２３４５.６", "-12"),
        LINES[-1].replace("１２３４５.６", "-3.5").replace("规模工业总产值", "规模工业增加值"),
    ]
    lines[3] = lines[3].replace("本年累计", "同比增长").replace("万元", "%")
    _, parts = read_long_csv(
        _write(tmp_path, lines, "utf-8"), "export.csv", default_registry(), TODAY
    )
    tianyi, xiangxiang = parts
    [b4] = tianyi.problems
    assert (b4.rule, b4.row, b4.value) == ("B4", 3, "-2188000")
    assert "'-2188000' is negative" in b4.sentence()
    assert [p.rule for p in xiangxiang.problems] == ["B4"]
