"""A synthetic national registry: the real Hunan parks plus made-up ones up to 2,543.

2,543 is the size of the 2018 national catalogue of development zones (552
national, 1,991 provincial). The parks added here do not exist: their codes
start with ZZ, their names with 合成园区 and their notes say "synthetic,
benchmark only". They let the benchmark run the warehouse at national scale;
nothing else uses them.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from bench.workloads import CATALOGUE_NATIONAL, CATALOGUE_PARKS
from sources.registry import CHAINS_CSV, PARKS_CSV

SYNTHETIC_NOTE = "synthetic, benchmark only (合成园区, 仅用于性能测试)"
# Capital cities stand in for the provinces the catalogue spans.
_CITIES = (
    "北京", "天津", "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "上海", "南京",
    "杭州", "合肥", "福州", "南昌", "济南", "郑州", "武汉", "广州", "南宁", "海口", "重庆",
    "成都", "贵阳", "昆明", "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐",
)  # fmt: skip
_TYPES = ("经开区", "高新区", "综合保税区", "工业集中区")


def write_national_registry(path: Path, parks: int = CATALOGUE_PARKS, seed: int = 0) -> Path:
    """Write parks.csv with the real rows first, then synthetic parks up to `parks` in all."""
    with open(PARKS_CSV, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        rows = list(reader)
    with open(CHAINS_CSV, encoding="utf-8", newline="") as f:
        chains = [r["chain"] for r in csv.DictReader(f) if r["chain"] != "其他"]
    real = {r["park_code"] for r in rows}
    national = len({r["park_code"] for r in rows if r["level"] == "国家级" and not r["valid_to"]})
    rng = random.Random(seed)
    for n in range(1, parks - len(real) + 1):
        level = "国家级" if national < CATALOGUE_NATIONAL else "省级"
        national += level == "国家级"
        park_type = rng.choices(_TYPES, weights=(5, 4, 1, 2))[0]
        rows.append(
            {
                **dict.fromkeys(columns, ""),
                "park_code": f"ZZ{n:06d}",
                "park_name": f"合成园区{n:04d}{park_type}",
                "short_name": f"合成{n:04d}",
                "city": rng.choice(_CITIES),
                "level": level,
                "park_type": park_type,
                "area_mu": f"{rng.randrange(5_000, 120_000)}",
                "leading_chains": "|".join(rng.sample(chains, 3)),
                "notes": SYNTHETIC_NOTE,
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
