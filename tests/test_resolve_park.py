"""Park resolution: by code, else by name in any of its forms; never by a loose guess."""

import datetime as dt

import pytest

from sources.registry import Park, Registry, ResolveError, default_registry

TIANYI = "HN430305"


@pytest.mark.parametrize(
    "name",
    [
        "湘潭天易经济技术开发区",
        "天易经开区",
        "湘潭天易经开区",
        "湘潭天易經開區",
        "湘潭天易經濟技術開發區",
        "湘潭 天易 经开区",
        "湘潭天易经开区　",
        "湖南湘潭天易经济技术开发区",
    ],
)
def test_every_name_form_resolves(name):
    assert default_registry().resolve(None, name) == TIANYI


def test_code_wins_and_is_normalised():
    assert default_registry().resolve(" hn430305 ", None) == TIANYI
    assert default_registry().resolve("ＨＮ４３０３０５", None) == TIANYI
    assert default_registry().resolve("HN430305", "天易经开区") == TIANYI


def test_unknown_code_without_name_is_refused():
    with pytest.raises(ResolveError, match="HN999999"):
        default_registry().resolve("HN999999", None)


@pytest.mark.parametrize("name", ["湘潭未来科技城", "天易", "湘潭", "经开区", ""])
def test_no_loose_match(name):
    with pytest.raises(ResolveError, match="matches no park"):
        default_registry().resolve(None, name)


def test_ambiguous_name_is_refused_naming_the_text():
    def park(code, name, short):
        return Park(code, name, short, (), "湘潭", "", "省级", "高新区", None, (), None, None)

    registry = Registry(
        [
            park("A1", "甲高新技术产业开发区", "甲高新区"),
            park("A2", "乙高新技术产业开发区", "甲高新区"),
        ]
    )
    with pytest.raises(ResolveError, match="'甲高新区' matches more than one park"):
        registry.resolve(None, "甲高新区")
    assert registry.resolve(None, "乙高新技术产业开发区") == "A2"


def test_history_keeps_both_versions_of_an_upgraded_park():
    registry = default_registry()
    ningxiang = "HN430106"
    before = registry.version_at(ningxiang, dt.date(2022, 6, 1))
    after = registry.version_at(ningxiang, dt.date(2023, 6, 1))
    assert (before.level, after.level) == ("省级", "国家级")
    # the old and the new full names both resolve to the one park
    assert registry.resolve(None, before.name) == registry.resolve(None, after.name) == ningxiang


def test_registry_covers_the_confirmed_parks():
    registry = default_registry()
    confirmed = {
        "湘潭经开区": ("湘潭", "国家级", "经开区"),
        "湘潭综合保税区": ("湘潭", "国家级", "综合保税区"),
        "湘潭高新区": ("湘潭", "国家级", "高新区"),
        "雨湖高新区": ("湘潭", "省级", "高新区"),
        "湘潭天易经开区": ("湘潭", "省级", "经开区"),
        "湘乡经开区": ("湘潭", "省级", "经开区"),
        "岳阳经开区": ("岳阳", "国家级", "经开区"),
        "岳阳城陵矶综合保税区": ("岳阳", "国家级", "综合保税区"),
        "岳阳临港高新区": ("岳阳", "省级", "高新区"),
        "湘阴高新区": ("岳阳", "省级", "高新区"),
        "华容县工业集中区": ("岳阳", "省级", "工业集中区"),
    }
    current = {p.code: p for p in registry.current()}
    for name, facts in confirmed.items():
        park = current[registry.resolve(None, name)]
        assert (park.city, park.level, park.park_type) == facts, name
