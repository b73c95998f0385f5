"""Names that look real: surnames by frequency, given-name characters, enterprise and
school name parts. Pure data and tiny helpers; deterministic for a given ``random.Random``.

Surname weights follow the order of the national frequency list (李、王、张、刘、陈 …),
with 冉、向、谭、覃 and other surnames common in Chongqing and 渝东南 moved up.
"""

import random
from bisect import bisect
from itertools import accumulate

# (surname, weight per mille) — roughly the national frequency list, Chongqing-flavoured.
_SURNAMES = (
    ("李", 74),
    ("王", 72),
    ("张", 68),
    ("刘", 54),
    ("陈", 52),
    ("杨", 38),
    ("黄", 28),
    ("赵", 24),
    ("吴", 22),
    ("周", 22),
    ("徐", 17),
    ("孙", 15),
    ("马", 14),
    ("朱", 14),
    ("胡", 14),
    ("郭", 13),
    ("何", 13),
    ("高", 12),
    ("林", 11),
    ("罗", 14),
    ("郑", 10),
    ("梁", 9),
    ("谢", 9),
    ("宋", 8),
    ("唐", 12),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 9),
    ("曹", 7),
    ("彭", 9),
    ("曾", 8),
    ("肖", 7),
    ("田", 8),
    ("董", 6),
    ("袁", 7),
    ("潘", 5),
    ("于", 5),
    ("蒋", 6),
    ("蔡", 5),
    ("余", 7),
    ("杜", 6),
    ("叶", 5),
    ("程", 5),
    ("苏", 5),
    ("魏", 5),
    ("吕", 4),
    ("丁", 4),
    ("任", 5),
    ("沈", 4),
    ("姚", 4),
    ("卢", 4),
    ("姜", 4),
    ("崔", 3),
    ("钟", 4),
    ("谭", 8),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 4),
    ("廖", 5),
    ("贾", 3),
    ("夏", 3),
    ("韦", 2),
    ("付", 4),
    ("方", 3),
    ("白", 2),
    ("邹", 3),
    ("孟", 2),
    ("熊", 4),
    ("秦", 3),
    ("邱", 3),
    ("江", 3),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 3),
    ("雷", 3),
    ("侯", 2),
    ("龙", 4),
    ("史", 2),
    ("陶", 3),
    ("黎", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("郝", 2),
    ("龚", 3),
    ("邵", 2),
    ("万", 3),
    ("钱", 2),
    ("严", 2),
    ("覃", 3),
    ("武", 2),
    ("戴", 2),
    ("莫", 2),
    ("孔", 1),
    ("向", 6),
    ("汤", 2),
    ("冉", 5),
    ("牟", 2),
    ("母", 1),
    ("况", 1),
    ("晏", 1),
    ("税", 1),
    ("杨", 0),
    ("欧阳", 1),
    ("司马", 0),
    ("上官", 0),
)
SURNAMES = tuple(s for s, w in _SURNAMES if w)
_SURNAME_CUM = tuple(accumulate(w for _, w in _SURNAMES if w))

MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新"
    "利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐"
    "绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽"
    "晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘宇轩睿皓然俊熙铭"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香"
    "月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓"
    "纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥"
    "筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚"
    "琪晴容睿若诗思甜"
)
NEUTRAL_CHARS = "文明华建国晓宇子一佳欣雨诗思梓涵浩然博"


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def person_name(rng: random.Random, sex: str) -> str:
    """A full name: surname + one or two given-name characters (``sex`` 'M' or 'F')."""
    chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
    s = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]
    r = rng.random()
    if r < 0.28:
        return s + rng.choice(chars)
    if r < 0.36:
        return s + rng.choice(NEUTRAL_CHARS) + rng.choice(chars)
    return s + rng.choice(chars) + rng.choice(chars)


def namer(rng: random.Random):
    """``person_name`` bound to ``rng`` for bulk callers (the demo draws a million
    names): the same names from the same draws — ``choices`` and ``choice`` reduced to
    the ``random()`` and ``getrandbits()`` calls CPython makes for them — about three
    times faster."""
    rand, grb = rng.random, rng.getrandbits
    cum, total, hi = _SURNAME_CUM, _SURNAME_CUM[-1] + 0.0, len(SURNAMES) - 1
    male = (MALE_CHARS, len(MALE_CHARS), len(MALE_CHARS).bit_length())
    female = (FEMALE_CHARS, len(FEMALE_CHARS), len(FEMALE_CHARS).bit_length())
    neutral, nn, nk = NEUTRAL_CHARS, len(NEUTRAL_CHARS), len(NEUTRAL_CHARS).bit_length()

    def name(sex: str) -> str:
        chars, n, k = male if sex == "M" else female
        s = SURNAMES[bisect(cum, rand() * total, 0, hi)]
        r = rand()
        if 0.28 <= r < 0.36:
            c = grb(nk)
            while c >= nn:
                c = grb(nk)
            s += neutral[c]
        c = grb(k)
        while c >= n:
            c = grb(k)
        if r < 0.36:
            return s + chars[c]
        d = grb(k)
        while d >= n:
            d = grb(k)
        return s + chars[c] + chars[d]

    return name


# Enterprise names: 重庆 + 字号 + 行业 + 组织形式.
BRANDS = (
    "长江",
    "嘉陵",
    "渝新",
    "巴渝",
    "山城",
    "两江",
    "朝天",
    "南山",
    "缙云",
    "歌乐",
    "华岩",
    "金佛",
    "渝州",
    "新渝",
    "天府",
    "红岩",
    "鸿业",
    "恒通",
    "宏达",
    "博奥",
    "智联",
    "力帆",
    "兴达",
    "瑞丰",
    "华腾",
    "远航",
    "聚鑫",
    "众创",
    "星河",
    "鼎盛",
    "永信",
    "中通",
    "蓝天",
    "锦程",
    "盛源",
    "泰和",
    "金山",
    "银河",
    "华夏",
    "东方",
    "西部",
    "三峡",
    "武陵",
    "乌江",
    "綦江",
    "江津",
    "永川",
    "璧山",
    "合川",
    "铜梁",
    "大足",
    "荣昌",
    "长寿",
    "涪州",
    "万州",
    "开州",
    "黔江",
    "秀山",
    "梁平",
    "忠州",
    "奉节",
    "巫山",
    "云阳",
    "酉阳",
    "彭水",
    "石柱",
    "德润",
    "弘毅",
    "凯瑞",
    "川渝",
    "博通",
    "精工",
    "达丰",
    "宇航",
    "卓越",
    "创新",
    "汇丰",
    "新世纪",
    "海川",
    "龙腾",
    "凯旋",
    "晨光",
    "翔宇",
    "华信",
    "安达",
    "启明",
    "同创",
    "青山",
)
INDUSTRY_WORDS = {  # cluster code → business words
    "K01": ("电子科技", "智能终端", "光电", "电子元件", "精密电子", "显示科技"),
    "K02": ("汽车", "汽车零部件", "动力电池", "摩托车", "汽车配件", "新能源汽车"),
    "K03": ("机械制造", "智能装备", "数控机床", "机器人", "轨道装备", "航空科技", "电气"),
    "K04": ("铝业", "新材料", "复合材料", "钢铁", "特钢", "化工材料"),
    "K05": ("食品", "农产品加工", "服饰", "家居", "包装印务", "火锅食品"),
    "K06": ("天然气化工", "能源", "电力", "燃气"),
    "K07": ("软件", "信息技术", "数据科技", "网络科技", "工业互联网"),
    "K08": ("医药", "生物制药", "医疗器械", "药业"),
    "K09": ("光伏科技", "储能科技", "新能源"),
    "K10": ("环保科技", "节能技术", "水务"),
    "K11": ("文化传媒", "动漫", "数字科技"),
    "S01": (
        "物流",
        "电子商务",
        "养老服务",
        "餐饮管理",
        "酒店管理",
        "建筑工程",
        "保安服务",
        "农业开发",
        "商贸",
        "会计服务",
    ),
}
FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司")


def enterprise_name(rng: random.Random, cluster_code: str) -> str:
    words = INDUSTRY_WORDS.get(cluster_code, INDUSTRY_WORDS["S01"])
    return f"重庆{rng.choice(BRANDS)}{rng.choice(words)}{rng.choice(FORMS)}"


# School name themes by tier.
COLLEGE_THEMES = (
    "机电",
    "工业",
    "交通",
    "汽车工程",
    "电子信息",
    "化工",
    "建筑",
    "能源",
    "轻工",
    "商贸",
    "城市管理",
    "智能制造",
    "航空",
    "医药卫生",
    "冶金",
    "现代服务",
    "工程",
    "科技",
)
SCHOOL_THEMES = (
    "工贸",
    "职业",
    "育才",
    "立信",
    "现代",
    "科技",
    "实业",
    "技术",
    "工商",
    "电子",
    "机械",
    "旅游",
    "经贸",
    "信息",
    "华夏",
    "建设",
    "汽车",
    "交通",
    "财经",
    "创新",
)
SPONSORS_PUBLIC = (
    "重庆市人力资源和社会保障局",
    "重庆市经济和信息化委员会",
    "重庆市交通运输委员会",
    "重庆市住房和城乡建设委员会",
    "重庆市商务委员会",
)
