"""Synthetic investment projects (sheet 6), followed month to month by their code.

A project is signed, starts, goes into production; its funds arrive
steadily from signing until a few months after production. A filing lists
the projects signed this year and those signed earlier that are not yet in
production. Investors and project names are invented and marked （样例）.
The yearly signing plans are drawn so that 新签约项目数 and 合同引资额 stay
within W2's growth range against the year before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass

from sources import template as t
from sources.filing import Row
from sources.registry import Park

SAMPLE_MARK = "（样例）"
# Investor origins as parks write them (province + city, municipality, region, country).
ORIGINS = (
    ("广东省深圳市", 8),
    ("上海市", 7),
    ("江苏省苏州市", 6),
    ("浙江省杭州市", 6),
    ("北京市", 5),
    ("天津市", 2),
    ("四川省成都市", 3),
    ("重庆市", 3),
    ("长沙市", 8),
    ("株洲市", 4),
    ("衡阳市", 3),
    ("中国香港", 4),
    ("新加坡", 2),
    ("德国", 2),
    ("日本", 2),
)
FOREIGN = frozenset({"中国香港", "新加坡", "德国", "日本"})
IN_HUNAN = frozenset({"长沙市", "株洲市", "衡阳市"})
# Only to size synthetic FDI from synthetic funds; not a rate the warehouse uses.
SYNTHETIC_CNY_PER_USD = 7.1
SIGNING_SEASON = (0.05, 0.07, 0.1, 0.09, 0.09, 0.1, 0.08, 0.08, 0.09, 0.08, 0.08, 0.09)
# Contract amounts (万元) per size band of template.SIZE_BANDS: (low, high, step, weight).
_BIG, _MID, _SMALL = (int(b[0]) for b in t.SIZE_BANDS)
BANDS = ((_BIG, 60_000, 500, 0.45), (_MID, _BIG, 100, 0.35), (300, _MID, 50, 0.2))
# A month's contract sum stays at most half B7's unit-slip factor times the
# month before's: a clean synthetic filing must never look like 元 typed as
# 万元. Half, so that a plan led by its largest project (at most 18 projects)
# always holds.
STEADY_JUMP = t.UNIT_SLIP_FACTOR / 2
_SYLLABLES = "华瑞恒鑫博泰宏远达盛联创威誉中科新天金丰润源晟凯隆安"
_FIELD = {
    "食品医药": "食品",
    "新材料": "新材料",
    "智能装备制造": "智能装备",
    "装备制造": "装备",
    "电子信息": "电子",
    "汽车及零部件": "汽车部件",
    "电工电气": "电气",
    "医疗器械": "医疗器械",
    "生物医药": "生物医药",
    "医疗器械及生物医药": "医疗科技",
    "清洁能源": "新能源",
    "有色金属": "有色金属",
    "石油化工": "化工",
    "商贸物流": "物流",
    "纺织服装": "服饰",
    "工程机械": "重工",
    "轨道交通装备": "轨道交通",
    "航空航天": "航空科技",
    "先进储能材料": "储能",
    "电机电控电传动": "电机",
    "精品钢材及新材料": "钢材",
}
TIANYI = "HN430305"

Plan = list[tuple[int, int]]  # (signing month, contract 万元), in month order


@dataclass(frozen=True)
class Project:
    code: str
    name: str
    investor: str
    origin: str
    chain: str
    signed: dt.date
    contract: int  # tenths of 万元
    started: dt.date
    producing: dt.date
    funds_total: int  # tenths of 万元
    funds_end: dt.date
    fdi_share: float  # share of the funds that comes from abroad
    returning: bool  # 湘商回归
    fortune500: bool

    def funds_by(self, day: dt.date) -> int:
        """Funds in place by the end of `day`, tenths of 万元 (0 before signing)."""
        span = (self.funds_end - self.signed).days
        frac = min(max(((day - self.signed).days + 1) / span, 0.0), 1.0)
        return round(self.funds_total * frac)

    def stage_at(self, day: dt.date) -> str:
        if self.producing <= day:
            return t.STAGE_PRODUCING
        if self.started <= day:
            return t.STAGE_STARTED
        return t.STAGE_SIGNED


def month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class ProjectBook:
    projects: list[Project]

    def signed_in(self, y: int, m: int) -> list[Project]:
        """Signed in year y by the end of month m: the rows 新签约项目数 counts."""
        return [p for p in self.projects if p.signed.year == y and p.signed.month <= m]

    def signed_count(self, y: int, m: int) -> int:
        return len(self.signed_in(y, m))

    def contract_sum(self, y: int, m: int) -> int:
        return sum(p.contract for p in self.signed_in(y, m))

    def rows(self, y: int, m: int) -> list[Row]:
        """Sheet 6 for report month (y, m): signed this year, or not yet in production."""
        end, first = month_end(y, m), dt.date(y, m, 1)
        year_start = dt.date(y - 1, 12, 31)
        rows = []
        for p in self.projects:
            if p.signed > end or (p.signed.year < y and p.producing < first):
                continue
            funds = p.funds_by(end) - p.funds_by(year_start)
            rows.append(
                {
                    "project_code": p.code,
                    "project_name": p.name,
                    "investor": p.investor,
                    "investor_origin": p.origin,
                    "chain": p.chain,
                    "signed_date": p.signed,
                    "contract_amount": p.contract / 10,
                    "funds_in_place_ytd": funds / 10,
                    "fdi_usd": round(funds * p.fdi_share / SYNTHETIC_CNY_PER_USD) / 10,
                    "stage": p.stage_at(end),
                    "started_date": p.started if p.started <= end else None,
                    "production_date": p.producing if p.producing <= end else None,
                    "is_returning_hunan_merchant": p.returning,
                    "is_fortune500": p.fortune500,
                }
            )
        return sorted(rows, key=lambda r: r["project_code"])


def _amount(rng: random.Random, band: tuple[int, int, int, float]) -> int:
    low, high, step, _ = band
    return rng.randrange(low, high, step)


def _draw_plan(rng: random.Random, n_range: tuple[int, int]) -> Plan:
    for _ in range(200):
        plan = _draw_once(rng, n_range)
        if steady(plan):
            return plan
    return _steadied(plan)


def _draw_once(rng: random.Random, n_range: tuple[int, int]) -> Plan:
    n = rng.randint(*n_range)
    months = rng.choices(range(1, 13), weights=SIGNING_SEASON, k=n)
    if min(months) > 2:  # something is signed by February, so 1–2月 has a count
        months[0] = rng.choice((1, 2))
    bands = rng.choices(BANDS, weights=[b[3] for b in BANDS], k=n)
    return sorted((m, _amount(rng, b)) for m, b in zip(months, bands, strict=True))


def _tianyi_2025(rng: random.Random) -> Plan:
    """Domain notes: 11 projects by July 2025, 9 of them ≥ 1亿元."""
    months = [rng.choice((1, 2))] + [rng.randint(1, 7) for _ in range(10)]
    bands = [BANDS[0]] * 9 + [BANDS[1], BANDS[2]]
    rng.shuffle(bands)
    later = [rng.randint(8, 12) for _ in range(rng.randint(4, 7))]
    late_bands = rng.choices(BANDS, weights=[b[3] for b in BANDS], k=len(later))
    return _steadied(
        sorted(
            [(m, _amount(rng, b)) for m, b in zip(months, bands, strict=True)]
            + [(m, _amount(rng, b)) for m, b in zip(later, late_bands, strict=True)]
        )
    )


def _cumulative(plan: Plan) -> tuple[list[int], list[int]]:
    counts, sums = [0] * 12, [0] * 12
    for m, amount in plan:
        for k in range(m - 1, 12):
            counts[k] += 1
            sums[k] += amount
    return counts, sums


def steady(plan: Plan) -> bool:
    """No month's contract sum (from March) is STEADY_JUMP times the month before's."""
    _, sums = _cumulative(plan)
    return all(sums[k] <= STEADY_JUMP * sums[k - 1] for k in range(2, 12) if sums[k - 1])


def _steadied(plan: Plan) -> Plan:
    """The plan with its earliest project the largest one, which makes any plan steady."""
    if steady(plan):
        return plan
    amounts = sorted((a for _, a in plan), reverse=True)
    months = sorted(m for m, _ in plan)
    return [(months[0], amounts[0]), *zip(months[1:], amounts[1:], strict=True)]


def plans_ok(later: Plan, earlier: Plan) -> bool:
    """Count and contract sum, February to December, within W2's range year on year."""
    from .economy import ratio_ok

    lc, ls = _cumulative(later)
    ec, es = _cumulative(earlier)
    return all(ratio_ok(lc[k], ec[k]) and ratio_ok(ls[k], es[k]) for k in range(1, 12))


def _perturb(rng: random.Random, ref: Plan) -> Plan:
    """The neighbouring year's plan with months shifted, amounts redrawn, a project more or less."""
    plan = []
    for m, amount in ref:
        m = min(12, max(1, m + rng.choice((-1, 0, 0, 1))))
        if rng.random() < 0.4:
            amount = _amount(rng, rng.choices(BANDS, weights=[b[3] for b in BANDS])[0])
        plan.append((m, amount))
    for _ in range(rng.randint(0, 2)):
        if rng.random() < 0.5 and len(plan) > 3:
            plan.pop(rng.randrange(len(plan)))
        else:
            plan.append(_draw_plan(rng, (1, 1))[0])
    if min(m for m, _ in plan) > 2:
        plan[0] = (rng.choice((1, 2)), plan[0][1])
    return sorted(plan)


def _plan_near(rng: random.Random, ref: Plan, later: bool, n_range: tuple[int, int]) -> Plan:
    for attempt in range(300):
        # Fresh draws first; then variations of the neighbour, which pass more often.
        cand = _draw_plan(rng, n_range) if attempt < 40 else _perturb(rng, ref)
        if steady(cand) and (plans_ok(cand, ref) if later else plans_ok(ref, cand)):
            return cand
    # Rarely reached: the neighbour's plan, amounts scaled a little.
    g = rng.uniform(1.0, 1.15)
    g = g if later else 1 / g
    return [(m, max(_SMALL + 300, round(a * g))) for m, a in ref]


def _name(rng: random.Random, origin: str, chain: str) -> tuple[str, str]:
    """(investor, project name), both invented and marked as samples."""
    place = origin
    for cut in ("省", "中国"):
        if cut in place:
            place = place.split(cut, 1)[1]
    place = place.removesuffix("市")
    brand = "".join(rng.sample(_SYLLABLES, 2))
    fld = _FIELD.get(chain, "实业")
    suffix = rng.choice(("有限公司", "股份有限公司", "集团有限公司", "科技有限公司"))
    investor = f"{place}{brand}{fld}{suffix}{SAMPLE_MARK}"
    kind = rng.choice(
        (
            f"{fld}产业园",
            f"{fld}生产基地",
            f"年产{rng.randint(2, 50)}万套{fld}产品",
            f"{fld}研发及产业化",
            f"{fld}智能制造",
        )
    )
    return investor, f"{brand}{kind}项目{SAMPLE_MARK}"


def draw_projects(park: Park, years: list[int], seed: int) -> ProjectBook:
    rng = random.Random(f"{seed}:projects:{park.code}")
    n_range = (10, 18) if park.level == "国家级" else (6, 13)
    calibrate = park.code == TIANYI and 2025 in years
    anchor = 2025 if calibrate else years[0]
    plans: dict[int, Plan] = {anchor: _tianyi_2025(rng) if calibrate else _draw_plan(rng, n_range)}
    for y in (y for y in years if y > anchor):
        plans[y] = _plan_near(rng, plans[y - 1], True, n_range)
    for y in sorted((y for y in years if y < anchor), reverse=True):
        plans[y] = _plan_near(rng, plans[y + 1], False, n_range)

    origins = [o for o, _ in ORIGINS]
    weights = [w for _, w in ORIGINS]
    chains = park.leading_chains or (t.OTHER_ROW,)
    projects = []
    for y in years:
        signings = sorted((m, rng.randint(1, 28), amount) for m, amount in plans[y])
        for seq, (m, day, amount) in enumerate(signings, 1):
            origin = rng.choices(origins, weights=weights)[0]
            chain = rng.choice(chains)
            investor, name = _name(rng, origin, chain)
            signed = dt.date(y, m, day)
            started = signed + dt.timedelta(days=rng.randint(20, 150))
            producing = started + dt.timedelta(days=rng.randint(150, 480))
            domestic_away = origin not in FOREIGN and origin not in IN_HUNAN
            projects.append(
                Project(
                    code=f"{park.code}-{y}-{seq:03d}",
                    name=name,
                    investor=investor,
                    origin=origin,
                    chain=chain,
                    signed=signed,
                    contract=amount * 10,
                    started=started,
                    producing=producing,
                    funds_total=round(amount * 10 * rng.uniform(0.4, 0.9)),
                    funds_end=producing + dt.timedelta(days=90),
                    fdi_share=rng.uniform(0.6, 1.0) if origin in FOREIGN else 0.0,
                    returning=domestic_away and rng.random() < 0.4,
                    fortune500=rng.random() < 0.08,
                )
            )
    return ProjectBook(projects)
