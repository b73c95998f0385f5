"""Chongqing's 区县 (GB/T 2260, current codes) in the 一区两群 layout, and the provinces.

Functional zones (两江新区, 西部科学城重庆高新区, 万盛经开区) are not administrative
divisions and have no GB/T 2260 code. They get platform codes of the form ``CQ-XX``:
letters and a hyphen, so they can never collide with a 6-digit GB/T 2260 code, and
must never be used as the address part of an ID number or credit code.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    short: str
    kind: str  # district | county | functional_zone
    group: str  # main_metro | northeast | southeast
    subgroup: str  # central | new_area | "" (only main_metro has subgroups)


KIND_LABELS = {"district": "区", "county": "县", "functional_zone": "功能区"}
GROUP_LABELS = {
    "main_metro": "主城都市区",
    "northeast": "渝东北三峡库区城镇群",
    "southeast": "渝东南武陵山区城镇群",
}
SUBGROUP_LABELS = {"central": "中心城区", "new_area": "主城新区"}

_M, _NE, _SE = "main_metro", "northeast", "southeast"
_C, _N = "central", "new_area"
_D, _K = "district", "county"

# code, full name, short name, kind, group, subgroup
_ROWS = (
    ("500101", "万州区", "万州", _D, _NE, ""),
    ("500102", "涪陵区", "涪陵", _D, _M, _N),
    ("500103", "渝中区", "渝中", _D, _M, _C),
    ("500104", "大渡口区", "大渡口", _D, _M, _C),
    ("500105", "江北区", "江北", _D, _M, _C),
    ("500106", "沙坪坝区", "沙坪坝", _D, _M, _C),
    ("500107", "九龙坡区", "九龙坡", _D, _M, _C),
    ("500108", "南岸区", "南岸", _D, _M, _C),
    ("500109", "北碚区", "北碚", _D, _M, _C),
    ("500110", "綦江区", "綦江", _D, _M, _N),
    ("500111", "大足区", "大足", _D, _M, _N),
    ("500112", "渝北区", "渝北", _D, _M, _C),
    ("500113", "巴南区", "巴南", _D, _M, _C),
    ("500114", "黔江区", "黔江", _D, _SE, ""),
    ("500115", "长寿区", "长寿", _D, _M, _N),
    ("500116", "江津区", "江津", _D, _M, _N),
    ("500117", "合川区", "合川", _D, _M, _N),
    ("500118", "永川区", "永川", _D, _M, _N),
    ("500119", "南川区", "南川", _D, _M, _N),
    ("500120", "璧山区", "璧山", _D, _M, _N),
    ("500151", "铜梁区", "铜梁", _D, _M, _N),
    ("500152", "潼南区", "潼南", _D, _M, _N),
    ("500153", "荣昌区", "荣昌", _D, _M, _N),
    ("500154", "开州区", "开州", _D, _NE, ""),
    ("500155", "梁平区", "梁平", _D, _NE, ""),
    ("500156", "武隆区", "武隆", _D, _SE, ""),
    ("500229", "城口县", "城口", _K, _NE, ""),
    ("500230", "丰都县", "丰都", _K, _NE, ""),
    ("500231", "垫江县", "垫江", _K, _NE, ""),
    ("500233", "忠县", "忠县", _K, _NE, ""),
    ("500235", "云阳县", "云阳", _K, _NE, ""),
    ("500236", "奉节县", "奉节", _K, _NE, ""),
    ("500237", "巫山县", "巫山", _K, _NE, ""),
    ("500238", "巫溪县", "巫溪", _K, _NE, ""),
    ("500240", "石柱土家族自治县", "石柱", _K, _SE, ""),
    ("500241", "秀山土家族苗族自治县", "秀山", _K, _SE, ""),
    ("500242", "酉阳土家族苗族自治县", "酉阳", _K, _SE, ""),
    ("500243", "彭水苗族土家族自治县", "彭水", _K, _SE, ""),
)
_ZONES = (
    ("CQ-LJ", "两江新区", "两江新区", "functional_zone", _M, _C),
    ("CQ-GX", "西部科学城重庆高新区", "重庆高新区", "functional_zone", _M, _C),
    ("CQ-WS", "万盛经济技术开发区", "万盛经开区", "functional_zone", _M, _N),
)

DISTRICTS: tuple[Region, ...] = tuple(Region(*r) for r in _ROWS)  # the 38 区县
FUNCTIONAL_ZONES: tuple[Region, ...] = tuple(Region(*r) for r in _ZONES)
ALL: tuple[Region, ...] = DISTRICTS + FUNCTIONAL_ZONES
BY_CODE: dict[str, Region] = {r.code: r for r in ALL}

# Retired Chongqing codes still found in ID numbers (address code at birth registration).
RETIRED_CODES = {
    "500222": "綦江县",
    "500223": "潼南县",
    "500224": "铜梁县",
    "500225": "大足县",
    "500226": "荣昌县",
    "500227": "璧山县",
    "500228": "梁平县",
    "500232": "武隆县",
    "500234": "开县",
    "500381": "江津市",
    "500382": "合川市",
    "500383": "永川市",
    "500384": "南川市",
}

PROVINCES = {  # GB/T 2260 provincial-level codes (34)
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# A few real county-level codes per province, for generating ID numbers of students
# from elsewhere (notably 云南/贵州/四川, the cross-province partners of （九）).
AREA_CODES: dict[str, tuple[str, ...]] = {
    "11": ("110101", "110102", "110105", "110108"),
    "12": ("120101", "120104"),
    "13": ("130102", "130104"),
    "14": ("140105",),
    "15": ("150102",),
    "21": ("210102",),
    "22": ("220102",),
    "23": ("230102",),
    "31": ("310101", "310115"),
    "32": ("320102",),
    "33": ("330106",),
    "34": ("340102",),
    "35": ("350102",),
    "36": ("360102",),
    "37": ("370102",),
    "41": ("410102",),
    "42": ("420102",),
    "43": ("430102",),
    "44": ("440103", "440106", "440304"),
    "45": ("450102",),
    "46": ("460105",),
    "50": tuple(r.code for r in DISTRICTS),
    "51": ("510104", "510105", "510107", "510502", "511302", "511602", "511702"),
    "52": ("520102", "520103", "520302", "520402", "520502", "520602"),
    "53": ("530102", "530103", "530302", "530402", "530602"),
    "54": ("540102",),
    "61": ("610102", "610113"),
    "62": ("620102",),
    "63": ("630102",),
    "64": ("640104",),
    "65": ("650102",),
}


def get(code: str) -> Region:
    """The region for a code (KeyError if unknown)."""
    return BY_CODE[code]


def by_group(group: str, subgroup: str | None = None) -> list[Region]:
    """The 38 区县 in a group (and optional subgroup); functional zones excluded."""
    return [
        r for r in DISTRICTS if r.group == group and (subgroup is None or r.subgroup == subgroup)
    ]


def province_name(code: str) -> str:
    """Province name for a 2-digit code or any longer GB/T 2260 code ('' if unknown)."""
    return PROVINCES.get(code[:2], "")
