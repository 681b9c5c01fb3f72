"""The monthly park filing, template v1: the one place for its facts.

Sheet names, column headers, indicator rows, units, reference lists, the long
CSV layout and the rules (codes, words, thresholds) are defined here and
nowhere else. Readers, the template writer, the sample generator, dbt seeds
and the validation suites all read them from this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEMPLATE_VERSION = "v1"

# Filings are due by this day of the month after the report month, office time.
DUE_DAY = 10
OFFICE_TIME_ZONE = "Asia/Shanghai"

# Which filing of a park and period counts (SQL over raw.filings): a correction
# (higher 更正次数) supersedes; between equal revisions the later arrival — a
# long CSV carries no 填报日期, so a cover's date cannot decide, and a later
# export of the same park and period replaces the earlier one. Validation,
# the stewards' report and dbt (passed as a var) all rank filings by this.
SUPERSEDE_ORDER = "revision desc, arrival_seq desc"

# --------------------------------------------------------------------------
# Units. Amounts are stored in 万元 (FDI in 万美元); 亿 is 10^4 万.
# --------------------------------------------------------------------------
UNIT_WAN_YUAN = "万元"
UNIT_WAN_USD = "万美元"
UNIT_YI_YUAN = "亿元"
# Every money unit a park may write (in a unit cell, a header's parentheses or
# a long CSV's 计量单位): unit as filed -> (unit stored, factor to multiply the
# filed value by). A unit of the other currency is never converted (no
# exchange rate is applied): 万美元 where the template has 万元 is B1.
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "万元": (UNIT_WAN_YUAN, 1.0),
    UNIT_YI_YUAN: (UNIT_WAN_YUAN, 10_000.0),
    "百万元": (UNIT_WAN_YUAN, 100.0),
    "千元": (UNIT_WAN_YUAN, 0.1),
    "元": (UNIT_WAN_YUAN, 0.0001),
    "万美元": (UNIT_WAN_USD, 1.0),
    "亿美元": (UNIT_WAN_USD, 10_000.0),
    "千美元": (UNIT_WAN_USD, 0.1),
    "美元": (UNIT_WAN_USD, 0.0001),
}
AMOUNT_UNITS = frozenset(UNIT_FACTORS)
# Text in a header's parentheses that ends so is a money unit (万元, 美元, 人民币元 …):
# one not in UNIT_FACTORS is refused, never read as the template's own.
MONEY_UNIT_ENDING = "元"
# Stored amounts are rounded to this many decimals after unit conversion, so
# that 1.23456 亿元 becomes 12345.6 万元 and not 12345.599999999 (and 元 stay
# exact: 1 元 is 0.0001 万元).
AMOUNT_DECIMALS = 4


# --------------------------------------------------------------------------
# Sheet 2 主要指标: the headline indicators.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    name: str  # the template's Chinese name, as stored
    # A stable English key (snake_case) for code and BI tools: the name may be
    # reworded on a later template, the code stays.
    code: str
    english: str
    unit: str
    kind: str  # amount | count | stock | growth_only
    parent: str | None = None  # must not exceed this indicator (B5)

    @property
    def is_amount(self) -> bool:
        return self.kind == "amount"

    @property
    def is_cumulative(self) -> bool:
        """Year-to-date figures: never decrease within a year (B6)."""
        return self.kind in ("amount", "count")

    @property
    def adds_over_parks(self) -> bool:
        """Parks' figures add up to a total (a city's, the province's): amounts, counts and
        month-end stocks do; a growth rate never (a total's growth is Σ YTD ÷ Σ 上年同期 − 1)."""
        return self.kind != "growth_only"

    @property
    def adds_over_months(self) -> bool:
        """A year's monthly values add up to its YTD: true of the cumulative flows only; a
        stock's month-end levels are never summed over months, nor growth rates."""
        return self.is_cumulative


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "技工贸总收入",
        "tech_industry_trade_revenue",
        "total technical-industrial-trade revenue",
        "万元",
        "amount",
    ),
    Indicator("规模工业总产值", "output", "gross output of above-scale industry", "万元", "amount"),
    Indicator(
        "规模工业增加值",
        "value_added",
        "above-scale industrial value added (growth only)",
        "%",
        "growth_only",
    ),
    Indicator(
        "高新技术产业营业收入", "high_tech_revenue", "high-tech industry revenue", "万元", "amount"
    ),
    Indicator("税收总额", "tax", "total tax revenue", "万元", "amount"),
    Indicator(
        "其中:工业税收",
        "industrial_tax",
        "of which industrial tax",
        "万元",
        "amount",
        parent="税收总额",
    ),
    Indicator("固定资产投资", "fixed_asset_investment", "fixed-asset investment", "万元", "amount"),
    Indicator(
        "其中:产业投资",
        "industrial_investment",
        "of which industrial investment",
        "万元",
        "amount",
        parent="固定资产投资",
    ),
    Indicator("进出口总额", "trade", "total imports and exports", "万元", "amount"),
    Indicator("其中:出口", "exports", "exports", "万元", "amount", parent="进出口总额"),
    Indicator("其中:进口", "imports", "imports", "万元", "amount", parent="进出口总额"),
    Indicator(
        "实际使用外资", "fdi_usd", "foreign direct investment actually used", "万美元", "amount"
    ),
    Indicator("内资到位资金", "domestic_capital", "domestic capital in place", "万元", "amount"),
    Indicator("新签约项目数", "projects_signed", "projects signed this year", "个", "count"),
    Indicator(
        "合同引资额",
        "contract_amount",
        "contracted investment signed this year",
        "万元",
        "amount",
    ),
    Indicator(
        "规模以上工业企业数",
        "above_scale_enterprises",
        "above-scale industrial enterprises, month end",
        "家",
        "stock",
    ),
    Indicator(
        "新增规模以上工业企业数",
        "new_above_scale_enterprises",
        "newly above-scale this year",
        "家",
        "count",
    ),
    Indicator(
        "高新技术企业数", "high_tech_enterprises", "high-tech enterprises, month end", "家", "stock"
    ),
    Indicator("从业人员", "employees", "employees, month end", "人", "stock"),
)
INDICATOR_BY_NAME = {i.name: i for i in INDICATORS}

# Names the balance edits (B5) and sheet links refer to.
IND_OUTPUT = "规模工业总产值"
IND_TAX = "税收总额"
IND_TRADE = "进出口总额"
IND_EXPORT = "其中:出口"
IND_IMPORT = "其中:进口"
IND_SIGNED = "新签约项目数"
IND_CONTRACT = "合同引资额"
IND_FDI = "实际使用外资"

TOTAL_ROW = "合计"
OTHER_ROW = "其他"


# --------------------------------------------------------------------------
# Sheets and their columns.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    field: str  # name of the stored column
    header: str  # header text as the template writes it
    kind: str  # key | text | amount | count | pct | date | stage | flag | unit | chain
    # Words that identify the column in a filed header, after normalisation
    # (traditional -> simplified, full-width -> half-width, spaces removed).
    # A filed header matches when it contains every word; two-row headers are
    # joined first, so 出口 over 本年累计 matches like 出口本年累计.
    words: tuple[str, ...] = ()
    required: bool = True

    @property
    def match_words(self) -> tuple[str, ...]:
        return self.words or (self.header.split("(")[0],)

    @property
    def step_field(self) -> str | None:
        """The raw column keeping a figure's precision as filed (normalise.step): amounts
        and growth rates carry one, so that a rule can tell what rounding explains."""
        return f"{self.field}_step" if self.kind in ("amount", "pct") else None

    @property
    def unit(self) -> str | None:
        """The unit in a number column's header: 本年累计(万元) -> 万元, 规上企业数(家) -> 家."""
        if self.kind in ("amount", "count", "pct") and self.header.endswith(")"):
            return self.header[self.header.rindex("(") + 1 : -1]
        return None


@dataclass(frozen=True)
class Sheet:
    key: str  # short English key used in code and table names
    name: str  # sheet name in the workbook
    columns: tuple[Column, ...] = field(default_factory=tuple)
    raw_table: str = ""
    # A breakdown whose rows end in a 合计 row (TOTAL_ROW): the row is required,
    # since the balance edits (B5) and the headline figures hang on it.
    has_total: bool = False

    @property
    def key_column(self) -> Column:
        return self.columns[0]


COVER = Sheet(
    "cover",
    "封面",
    (
        Column("item", "项目", "key"),
        Column("content", "内容", "text"),
    ),
)
# Cover items (column 项目).
COVER_PARK_CODE = "园区代码"
COVER_PARK_NAME = "园区名称"
COVER_PERIOD = "报告期"
COVER_FILED = "填报日期"
COVER_REVISION = "更正次数"
COVER_CONTACT = "填报人"
COVER_PHONE = "联系电话"
COVER_NOTE = "说明"
COVER_ITEMS = (
    COVER_PARK_CODE,
    COVER_PARK_NAME,
    COVER_PERIOD,
    COVER_FILED,
    COVER_REVISION,
    COVER_CONTACT,
    COVER_PHONE,
)
COVER_REQUIRED = (COVER_PARK_NAME, COVER_PERIOD, COVER_FILED)

INDICATOR_SHEET = Sheet(
    "indicators",
    "主要指标",
    (
        Column("indicator", "指标名称", "key", ("指标",)),
        Column("unit", "计量单位", "unit", ("单位",)),
        Column("value_ytd", "本年累计", "amount", ("本年累计",)),
        Column("value_prior_ytd", "上年同期", "amount", ("上年同期",)),
        Column("yoy_reported_pct", "同比增长(%)", "pct", ("同比",)),
    ),
    raw_table="indicators",
)
CHAIN_SHEET = Sheet(
    "chains",
    "产业链产值",
    (
        Column("chain", "产业链", "key", ("产业链",)),
        Column("output_ytd", "本年累计(万元)", "amount", ("本年累计",)),
        Column("output_prior_ytd", "上年同期(万元)", "amount", ("上年同期",)),
        Column("yoy_reported_pct", "同比增长(%)", "pct", ("同比",)),
        Column("enterprises", "规上企业数(家)", "count", ("企业数",)),
    ),
    raw_table="chain_output",
    has_total=True,
)
TAX_SHEET = Sheet(
    "tax",
    "税收",
    (
        Column("tax_type", "税种", "key", ("税种",)),
        Column("tax_ytd", "本年累计(万元)", "amount", ("本年累计",)),
        Column("tax_prior_ytd", "上年同期(万元)", "amount", ("上年同期",)),
        Column("yoy_reported_pct", "同比增长(%)", "pct", ("同比",)),
    ),
    raw_table="tax",
    has_total=True,
)
TRADE_SHEET = Sheet(
    "trade",
    "进出口",
    (
        Column("partner", "国家(地区)", "key", ("国家",)),
        Column("export_ytd", "出口本年累计(万元)", "amount", ("出口", "本年累计")),
        Column("import_ytd", "进口本年累计(万元)", "amount", ("进口", "本年累计")),
        Column("export_prior_ytd", "出口上年同期(万元)", "amount", ("出口", "上年同期")),
        Column("import_prior_ytd", "进口上年同期(万元)", "amount", ("进口", "上年同期")),
    ),
    raw_table="trade",
    has_total=True,
)
PROJECT_SHEET = Sheet(
    "projects",
    "招商项目",
    (
        Column("project_code", "项目编号", "key", ("项目编号",)),
        Column("project_name", "项目名称", "text", ("项目名称",)),
        Column("investor", "投资方", "text", ("投资方",)),
        Column("investor_origin", "投资方所在地", "text", ("所在地",)),
        Column("chain", "产业链", "chain", ("产业链",)),
        Column("signed_date", "签约日期", "date", ("签约日期",)),
        Column("contract_amount", "合同投资额(万元)", "amount", ("合同投资额",)),
        Column("funds_in_place_ytd", "本年累计到位资金(万元)", "amount", ("到位资金",)),
        Column("fdi_usd", "其中外资(万美元)", "amount", ("外资",)),
        Column("stage", "项目进度", "stage", ("进度",)),
        Column("started_date", "开工日期", "date", ("开工日期",), required=False),
        Column("production_date", "投产日期", "date", ("投产日期",), required=False),
        Column("is_returning_hunan_merchant", "是否湘商回归", "flag", ("湘商回归",)),
        Column("is_fortune500", "是否500强", "flag", ("500强",)),
    ),
    raw_table="projects",
)
DATA_SHEETS = (INDICATOR_SHEET, CHAIN_SHEET, TAX_SHEET, TRADE_SHEET, PROJECT_SHEET)
SHEETS = (COVER, *DATA_SHEETS)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
SHEET_BY_KEY = {s.key: s for s in SHEETS}
# Every sheet is required in a workbook; a long CSV carries sheets 2-5.
CSV_SHEETS = (INDICATOR_SHEET, CHAIN_SHEET, TAX_SHEET, TRADE_SHEET)


# --------------------------------------------------------------------------
# Reference lists for the breakdowns. Names are stored in these forms.
# --------------------------------------------------------------------------
TAX_TYPES = ("增值税", "企业所得税", "个人所得税", "其他税收")
# Trade partners and the region group each belongs to.
TRADE_PARTNERS: dict[str, str] = {
    "美国": "北美",
    "加拿大": "北美",
    "墨西哥": "拉丁美洲",
    "巴西": "拉丁美洲",
    "欧盟": "欧洲",
    "英国": "欧洲",
    "俄罗斯": "欧洲",
    "东盟": "亚洲",
    "日本": "亚洲",
    "韩国": "亚洲",
    "印度": "亚洲",
    "中国香港": "港澳台",
    "中国澳门": "港澳台",
    "中国台湾": "港澳台",
    "中东": "中东",
    "非洲": "非洲",
    "澳大利亚": "大洋洲",
    "其他": "其他",
}
# The partner rows printed on the blank template (parks may add others above 合计).
DEFAULT_TRADE_PARTNERS = ("美国", "欧盟", "东盟", "日本", "韩国", "中国香港", "非洲", "其他")
PARTNER_ALIASES = {
    "香港": "中国香港",
    "澳门": "中国澳门",
    "台湾": "中国台湾",
    "欧洲联盟": "欧盟",
    "美利坚合众国": "美国",
}

STAGE_SIGNED = "已签约"
STAGE_STARTED = "已开工"
STAGE_PRODUCING = "已投产"
PROJECT_STAGES = (STAGE_SIGNED, STAGE_STARTED, STAGE_PRODUCING)

YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗"})

# Cell texts that mean "not reported": stored as NULL, never 0.
MISSING_TEXTS = frozenset({"", "-", "—", "——", "–", "/", "－", "／"})

# Project size bands used in reports, by contract amount in 万元.
SIZE_BANDS = ((10_000.0, "≥1亿"), (2_000.0, "2000万-1亿"), (0.0, "<2000万"))


# --------------------------------------------------------------------------
# Long CSV (system exports and backfills): sheets 2-5, one value a line.
# --------------------------------------------------------------------------
CSV_COLUMNS = ("园区代码", "园区名称", "报告期", "表", "指标", "分组", "口径", "数值", "计量单位")
MEASURE_YTD = "本年累计"
MEASURE_PRIOR = "上年同期"
MEASURE_GROWTH = "同比增长"
CSV_MEASURES = (MEASURE_YTD, MEASURE_PRIOR, MEASURE_GROWTH)
CSV_ITEM_OUTPUT = "产值"
CSV_ITEM_ENTERPRISES = "规上企业数"
CSV_ITEM_TAX = "税收"
CSV_ITEM_EXPORT = "出口"
CSV_ITEM_IMPORT = "进口"
CSV_GROWTH_UNIT = "%"
# How a sheet's rows map to the long CSV: per sheet key, the lines
# (指标, 口径, stored field). 指标 None means "the row's own name" (主要指标:
# 指标 = indicator, 分组 empty); on the other sheets the row's name (chain,
# tax type, partner) goes in 分组.
CSV_LINES: dict[str, tuple[tuple[str | None, str, str], ...]] = {
    "indicators": (
        (None, MEASURE_YTD, "value_ytd"),
        (None, MEASURE_PRIOR, "value_prior_ytd"),
        (None, MEASURE_GROWTH, "yoy_reported_pct"),
    ),
    "chains": (
        (CSV_ITEM_OUTPUT, MEASURE_YTD, "output_ytd"),
        (CSV_ITEM_OUTPUT, MEASURE_PRIOR, "output_prior_ytd"),
        (CSV_ITEM_OUTPUT, MEASURE_GROWTH, "yoy_reported_pct"),
        (CSV_ITEM_ENTERPRISES, MEASURE_YTD, "enterprises"),
    ),
    "tax": (
        (CSV_ITEM_TAX, MEASURE_YTD, "tax_ytd"),
        (CSV_ITEM_TAX, MEASURE_PRIOR, "tax_prior_ytd"),
        (CSV_ITEM_TAX, MEASURE_GROWTH, "yoy_reported_pct"),
    ),
    "trade": (
        (CSV_ITEM_EXPORT, MEASURE_YTD, "export_ytd"),
        (CSV_ITEM_EXPORT, MEASURE_PRIOR, "export_prior_ytd"),
        (CSV_ITEM_IMPORT, MEASURE_YTD, "import_ytd"),
        (CSV_ITEM_IMPORT, MEASURE_PRIOR, "import_prior_ytd"),
    ),
}
# Lines starting with this before the header are comments (parkstat's own
# synthetic exports say so there); other systems' exports have none.
CSV_COMMENT = "#"


# --------------------------------------------------------------------------
# Rules a filing must pass, with the thresholds they use.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    code: str
    blocking: bool
    zh: str
    en: str

    @property
    def words(self) -> str:
        return f"{self.code} {self.zh} ({self.en})"


# B5: a balance edit may be off by what rounding explains — half the place value
# of the last digit of each figure in it, as filed (218.83 亿元: 50 万元) — and
# never less than this (万元 figures: 1 万元).
BALANCE_TOLERANCE_WAN = 1.0
UNIT_SLIP_FACTOR = 50.0  # B7: times its references
GROWTH_GAP_PP = 2.0  # W1: percentage points
GROWTH_RANGE_PCT = (-50.0, 100.0)  # W2
# Growth rates are computed (and derived for a blank cell) with this many decimals.
GROWTH_DECIMALS = 2
# W6: a growth rate stored before steps were kept is taken as filed with two decimals.
GROWTH_STEP_UNKNOWN = 0.01
# 更正次数 counts a park's corrections of one month (B3 above this). A number in the
# thousands is a date, a phone number or a code typed into the wrong cell; taken
# as a revision it would supersede every later correction of that month (and
# past 2^31 it fits no revision column of the raw layer).
MAX_REVISION = 999
# Comparisons of computed figures allow for binary floating point, no more.
FLOAT_SLACK = 1e-9

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "B1",
            True,
            "文件无法读取、不是本模板、缺少必需的表/列/行或单位无法换算",
            "unreadable file, not this template, a required sheet, column or row missing, or "
            "a unit that cannot be converted",
        ),
        Rule(
            "B2",
            True,
            "园区无法识别、报告期无法解析、报告期在未来或单报1月",
            "park not resolvable, period not parseable, in the future, or January alone",
        ),
        Rule(
            "B3",
            True,
            "数值单元格经规范化后仍不是数字",
            "a numeric cell that is not a number after normalisation",
        ),
        Rule("B4", True, "金额或数量为负", "a negative amount or count"),
        Rule(
            "E1",
            True,
            "处理本文件时程序内部出错(文件已保留在隔离区, 本月其余文件照常处理)",
            "an internal error while handling this file: it is kept in quarantine, the run "
            "went on, and the run's log has the details",
        ),
        Rule(
            "B5",
            True,
            "平衡关系不符(超出四舍五入可解释的范围)",
            "a balance edit does not hold beyond what rounding explains",
        ),
        Rule(
            "B6",
            True,
            "累计值与本园区本年已接受的其他报告期不符(低于之前或高于之后)",
            "a year-to-date figure out of order with the park's accepted periods of the same "
            "year: below an earlier one, or above a later one",
        ),
        Rule(
            "B7",
            True,
            f"金额超过参考值{UNIT_SLIP_FACTOR:g}倍(疑似单位错误)",
            f"an amount over {UNIT_SLIP_FACTOR:g}x its references (unit slip: 元 typed as 万元)",
        ),
        Rule(
            "W1",
            False,
            f"填报增速与按上年已接受数计算的增速相差超过{GROWTH_GAP_PP:g}个百分点",
            f"reported growth differs by more than {GROWTH_GAP_PP:g} points from growth against "
            "last year's accepted filing",
        ),
        Rule(
            "W2",
            False,
            f"增速超出 {GROWTH_RANGE_PCT[0]:g}%…+{GROWTH_RANGE_PCT[1]:g}%",
            f"growth outside {GROWTH_RANGE_PCT[0]:g}% .. +{GROWTH_RANGE_PCT[1]:g}%",
        ),
        Rule(
            "W3",
            False,
            "逾期填报(本期首份填报晚于截止日到达)",
            "filed late: the park's first filing for the period arrived after the due date",
        ),
        Rule(
            "W4",
            False,
            "新签约项目数与招商项目表不符",
            "projects signed differs from the signed-this-year rows of sheet 6",
        ),
        Rule("W5", False, "在册园区未填报", "an active park has not filed"),
        Rule(
            "W6",
            False,
            "同比增速与本表本年累计、上年同期不符",
            "reported growth disagrees with its own 本年累计 and 上年同期 beyond rounding",
        ),
        Rule(
            "W7",
            False,
            "上年同期与上年已接受的同期数不符",
            "上年同期 differs from the figure accepted for that period last year beyond rounding",
        ),
        Rule(
            "W8",
            False,
            "填报日期晚于收到日期或在未来",
            "the cover's 填报日期 is after the file arrived, or in the future",
        ),
        Rule(
            "W9",
            False,
            "规模工业增加值只报增速, 金额栏有数(未入库)",
            "a growth-only row has figures in its amount cells: not stored, its growth kept",
        ),
    )
}
