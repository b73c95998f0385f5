"""Chongqing's 38 区县 in the 一区两群 layout, and provinces."""

import re
from collections import Counter

from jigong.standards import regions


def test_thirty_eight_districts() -> None:
    assert len(regions.DISTRICTS) == 38
    kinds = Counter(r.kind for r in regions.DISTRICTS)
    assert kinds == {"district": 26, "county": 12}
    codes = [r.code for r in regions.ALL]
    assert len(codes) == len(set(codes)) == 41
    assert len({r.name for r in regions.ALL}) == 41


def test_codes_are_gbt2260_shaped() -> None:
    for r in regions.DISTRICTS:
        assert re.fullmatch(r"500[12]\d\d", r.code), r
        assert r.code[3] == ("1" if r.kind == "district" else "2")
        assert r.name.endswith("区" if r.kind == "district" else "县")
        assert r.short in r.name or r.short == r.name


def test_functional_zones_never_collide() -> None:
    for r in regions.FUNCTIONAL_ZONES:
        assert r.kind == "functional_zone" and r.code.startswith("CQ-")
        assert not r.code.isdigit()


def test_groups() -> None:
    assert len(regions.by_group("main_metro", "central")) == 9
    assert len(regions.by_group("main_metro", "new_area")) == 12
    assert len(regions.by_group("northeast")) == 11
    assert len(regions.by_group("southeast")) == 6
    assert {r.short for r in regions.by_group("southeast")} == {
        "黔江",
        "武隆",
        "石柱",
        "秀山",
        "酉阳",
        "彭水",
    }
    for r in regions.ALL:
        assert r.group in regions.GROUP_LABELS
        assert (r.subgroup in regions.SUBGROUP_LABELS) == (r.group == "main_metro")


def test_known_codes() -> None:
    expect = {
        "500101": "万州区",
        "500103": "渝中区",
        "500154": "开州区",
        "500155": "梁平区",
        "500156": "武隆区",
        "500229": "城口县",
        "500233": "忠县",
        "500240": "石柱土家族自治县",
        "500243": "彭水苗族土家族自治县",
    }
    for code, name in expect.items():
        assert regions.get(code).name == name
    assert regions.get("500154").short == "开州"
    assert "500234" not in regions.BY_CODE and regions.RETIRED_CODES["500234"] == "开县"


def test_provinces() -> None:
    assert len(regions.PROVINCES) == 34
    assert regions.PROVINCES["50"] == "重庆市"
    assert (regions.PROVINCES["53"], regions.PROVINCES["52"], regions.PROVINCES["51"]) == (
        "云南省",
        "贵州省",
        "四川省",
    )
    assert regions.province_name("530102") == "云南省"
    for prov, codes in regions.AREA_CODES.items():
        assert prov in regions.PROVINCES
        assert codes and all(re.fullmatch(r"\d{6}", c) and c[:2] == prov for c in codes)
    assert len(regions.AREA_CODES["50"]) == 38
