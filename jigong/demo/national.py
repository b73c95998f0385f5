"""A national-scale synthetic world for capacity tests (``python -m bench national``).

The same generator as the Chongqing demo (``generate.World``: majors, teachers,
students with their registrations, certificates, employment and skill certificates,
training, users), with the geography swapped: each province is one region (a
``District`` row coded ``<province>0000``, no 一区两群 group), schools are spread over
the provinces by population, and students come mostly from their school's province.
Everything else — shares, durations, statuses, certificate numbering — is the
Chongqing demo's, so per-school figures are comparable with ``--scale full``.

Memory stays bounded: student rows are written (COPY on PostgreSQL) every ``chunk``
registrations and training rows every ``chunk`` records, so 4.4 million students never
sit in Python at once (only the set of ID numbers used, as integers).

Deterministic for a given seed and parameters, like the demo. Not a ``--scale`` of
``jigong demo``: the small and full worlds stay byte-for-byte what they were.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from jigong.demo import generate as G
from jigong.demo import names
from jigong.standards import idcard, regions, uscc

# Mainland provinces with rough population weights (millions, 2020 census, rounded):
# schools are spread in proportion.
PROVINCE_WEIGHTS = {
    "11": 22,
    "12": 14,
    "13": 75,
    "14": 35,
    "15": 24,
    "21": 43,
    "22": 24,
    "23": 32,
    "31": 25,
    "32": 85,
    "33": 65,
    "34": 61,
    "35": 41,
    "36": 45,
    "37": 102,
    "41": 99,
    "42": 58,
    "43": 66,
    "44": 126,
    "45": 50,
    "46": 10,
    "50": 32,
    "51": 84,
    "52": 39,
    "53": 47,
    "54": 4,
    "61": 40,
    "62": 25,
    "63": 6,
    "64": 7,
    "65": 26,
}
# The Chongqing full world: 55 schools (18 技师学院, 12 高级技工学校, 25 技工学校) and about
# 150,000 students in school at the end of 2025 for its intake (FULL.intake).
CQ_SCHOOLS = 55
CQ_TIER_MIX = {G.TC: 18, G.SS: 12, G.SC: 25}
CQ_IN_SCHOOL = 150_000
IN_SCHOOL = ("enrolled", "suspended", "resumed", "transferred_in")
ALLIANCE_NAMES = (
    ("全国智能制造技工教育联盟", "industry", datetime.date(2022, 11, 18)),
    ("全国汽车产业技工教育集团", "school", datetime.date(2023, 4, 26)),
    ("全国现代服务业技工教育联盟", "hr_service", datetime.date(2023, 9, 12)),
    ("全国电子信息产业技工教育联盟", "industry", datetime.date(2024, 10, 9)),
)


def province_short(code: str) -> str:
    name = regions.PROVINCES[code]
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Largest-remainder split of ``total`` by ``weights`` (every key gets at least 1)."""
    keys = sorted(weights)
    if total < len(keys):
        raise ValueError(f"学校数 {total} 少于省份数 {len(keys)}")
    rest = total - len(keys)
    s = sum(weights.values())
    exact = {k: rest * weights[k] / s for k in keys}
    out = {k: 1 + int(exact[k]) for k in keys}
    left = total - sum(out.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] - int(exact[k])), k))[:left]:
        out[k] += 1
    return out


def tier_split(n: int) -> list[str]:
    """Tiers of a province's ``n`` schools, in Chongqing's 18:12:25 mix."""
    tc = max(1, round(n * CQ_TIER_MIX[G.TC] / CQ_SCHOOLS)) if n >= 3 else (1 if n else 0)
    ss = max(1, round(n * CQ_TIER_MIX[G.SS] / CQ_SCHOOLS)) if n >= 3 else (1 if n > 1 else 0)
    return [G.TC] * tc + [G.SS] * ss + [G.SC] * (n - tc - ss)


def make_scale(
    *, provinces: tuple[str, ...], schools: int, students: int, training_per_year: int
) -> G.Scale:
    """Chongqing's per-school shape with the intake scaled to ``students`` in school
    (Chongqing: CQ_IN_SCHOOL in school for its schools' 2025 intake)."""
    cq_intake = sum(G.FULL.intake[t] * n for t, n in CQ_TIER_MIX.items())
    counts = allocate(schools, {p: PROVINCE_WEIGHTS[p] for p in provinces})
    intake = sum(G.FULL.intake[t] for p in provinces for t in tier_split(counts[p]))
    k = students / (intake * CQ_IN_SCHOOL / cq_intake)
    return G.Scale(
        name="national",
        districts={},
        intake={t: max(1, round(v * k)) for t, v in G.FULL.intake.items()},
        training_per_year=training_per_year,
        enterprises=max(40, schools * 12),
        agreements=dict(G.FULL.agreements),
        alliances=len(ALLIANCE_NAMES),
    )


class NationalWorld(G.World):
    def __init__(self, seed, scale, writer, *, provinces, schools, chunk, progress=None):
        super().__init__(seed, scale, writer, progress)
        self.provinces = tuple(sorted(provinces))
        self.n_schools = schools
        self.chunk = chunk
        self.used_int_ids: set[int] = set()
        self.area_pool = {
            p: tuple(
                sorted(
                    set(regions.AREA_CODES[p])
                    | {f"{p}{c:02d}{k:02d}" for c in range(1, 10) for k in range(1, 10)}
                )
            )
            for p in regions.AREA_CODES
            if p != "50"
        }
        self.area_pool["50"] = regions.AREA_CODES["50"]

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"jigong-national:{self.seed}:{stage}")

    def groups(self):
        return self.provinces

    # ---------------------------------------------------------------- geography
    def load_reference(self):
        from jigong.reference.models import District

        existing = set(District.objects.values_list("code", flat=True))
        did = self.w.next_id(District)
        rows = []
        for p in self.provinces:
            code = f"{p}0000"
            if code not in existing:
                name = regions.PROVINCES[p]
                rows.append((did, code, name, province_short(p), "district", "", ""))
                did += 1
        self.w.insert(
            District, ("id", "code", "name", "short_name", "kind", "group", "subgroup"), rows
        )
        super().load_reference()

    def area_code(self, rng, home_province: str, near: str, birth_year: int) -> str:
        # the Chongqing generator passes "50" for "local": here local is the school's province
        prov = near[:2] if home_province == "50" else home_province
        return rng.choice(self.area_pool[prov])

    def home_province(self, rng, school, pick) -> str:
        p = pick(rng)  # Chongqing's mix: 92 % local, the rest from elsewhere
        return school.group if p == "50" else p

    def unique_id(self, rng, area, birth, sex) -> str:
        used = self.used_int_ids
        while True:
            n = idcard.generate(rng, area, birth, sex)
            key = int(n[:17])
            if key not in used:
                used.add(key)
                return n

    # ---------------------------------------------------------------- schools
    def build_schools(self):
        from jigong.schools.models import School

        rng = self.rng("schools")
        sid = self.w.next_id(School)
        weights = {p: PROVINCE_WEIGHTS[p] for p in self.provinces}
        counts = allocate(self.n_schools, weights)
        rows, self.schools = [], []
        for p in self.provinces:
            dcode = f"{p}0000"
            d = self.districts[dcode]
            short = province_short(p)
            area = regions.AREA_CODES[p][0]
            serial = {G.TC: 0, G.SS: 0, G.SC: 0}
            for tier in tier_split(counts[p]):
                serial[tier] += 1
                n = serial[tier]
                label = {G.TC: "技师学院", G.SS: "高级技工学校", G.SC: "技工学校"}[tier]
                name = f"{regions.PROVINCES[p]}第{n}{label}"
                code = f"{p}{G.TIER_DIGIT[tier]}{n:03d}"
                public = rng.random() < 0.6
                credit = uscc.generate(rng, "1" if public else "5", "2", area)
                sponsor = (
                    f"{regions.PROVINCES[p]}人力资源和社会保障厅"
                    if public
                    else f"{short}{rng.choice(names.BRANDS)}教育投资有限公司"
                )
                founded = datetime.date(rng.randint(1958, 2012), rng.randint(1, 12), 15)
                coverage = Decimal("1.000") if rng.random() < 0.8 else Decimal("0.950")
                info = G.SchoolInfo(sid, code, name, tier, dcode, p, "operating", founded)
                self.schools.append(info)
                rows.append(
                    (
                        sid,
                        code,
                        name,
                        tier,
                        d.id,
                        "public" if public else "private",
                        sponsor,
                        credit,
                        "operating",
                        founded,
                        f"{short}{rng.choice(names.BRANDS)}路{rng.randint(1, 399)}号",
                        coverage,
                    )
                )
                sid += 1
        self.w.insert(
            School,
            G.SCHOOL_COLUMNS,
            rows,
        )
        self.by_id = {s.id: s for s in self.schools}
        self.operating = list(self.schools)
        self.build_designations(rng)

    def build_enterprises(self):
        from jigong.cooperation.models import Enterprise

        rng = self.rng("enterprises")
        eid = self.w.next_id(Enterprise)
        chain_codes = sorted(self.chains)
        chain_pick = G.Picker([(c, 6 if not c.startswith("S") else 2) for c in chain_codes])
        province_pick = G.Picker([(p, PROVINCE_WEIGHTS[p]) for p in self.provinces])
        rows, self.enterprises = [], []
        for _ in range(self.scale.enterprises):
            chain = chain_pick(rng)
            p = province_pick(rng)
            cluster = self.chains[chain].cluster.code
            name = names.enterprise_name(rng, cluster).replace("重庆", province_short(p), 1)
            rows.append(
                (
                    eid,
                    uscc.generate(rng, "9", "1", regions.AREA_CODES[p][0]),
                    name,
                    self.district_ids[f"{p}0000"],
                    self.chains[chain].id,
                    rng.random() < 0.08,
                )
            )
            self.enterprises.append((eid, f"{p}0000", p, chain, name))
            eid += 1
        self.w.insert(
            Enterprise,
            (
                "id",
                "credit_code",
                "name",
                "district_id",
                "industry_chain_id",
                "is_integration_enterprise",
            ),
            rows,
        )
        self.enterprises_by_group = {p: [] for p in self.provinces}
        for e in self.enterprises:
            self.enterprises_by_group[e[2]].append(e)

    def build_cooperation(self):
        """Agreements (as the demo) and national alliances; no 一区两群 pairings."""
        from jigong.cooperation.models import Alliance, AllianceMember, CooperationAgreement

        rng = self.rng("cooperation")
        aid = self.w.next_id(CooperationAgreement)
        rows = []
        for s in self.operating:
            pool = self.enterprises_by_group[s.group] or self.enterprises
            for k in range(self.scale.agreements[s.tier]):
                kind = G.COOPERATION_KINDS[k % len(G.COOPERATION_KINDS)]
                e = rng.choice(pool if rng.random() < 0.75 else self.enterprises)
                lo, hi = datetime.date(2019, 3, 1), datetime.date(2025, 9, 1)
                if kind in G.LINKED_KINDS and k < len(G.COOPERATION_KINDS):
                    hi = datetime.date(2021, 6, 30)
                start = G._rand_date(rng, lo, hi)
                end = None
                if rng.random() < 0.25:
                    end = G.add_months(start, rng.choice((24, 36, 48)))
                    end = None if end > G.AS_OF else end
                title = f"{e[4][2:6]}{G.KIND_TITLES[kind]}"
                if kind in G.LINKED_KINDS:
                    title = f"{title}（{start.year}级）"
                    s.linked_agreements.append((aid, start, end, kind))
                rows.append((aid, s.id, e[0], kind, title, start, end))
                s.partner_enterprises.append(e)
                aid += 1
        self.w.insert(
            CooperationAgreement,
            ("id", "school_id", "enterprise_id", "kind", "title", "started_on", "ended_on"),
            rows,
        )
        alid = self.w.next_id(Alliance)
        mid = self.w.next_id(AllianceMember)
        arows, mrows = [], []
        for name, lead, founded in ALLIANCE_NAMES[: self.scale.alliances]:
            arows.append((alid, name, lead, founded))
            k = max(3, len(self.operating) // 20)
            members = rng.sample(self.operating, min(k, len(self.operating)))
            for s in sorted(members, key=lambda s: s.id):
                mrows.append((mid, alid, s.id, None, founded))
                mid += 1
            alid += 1
        self.w.insert(Alliance, ("id", "name", "lead_kind", "founded_on"), arows)
        self.w.insert(
            AllianceMember, ("id", "alliance_id", "school_id", "enterprise_id", "joined_on"), mrows
        )

    # ---------------------------------------------------------------- streaming
    def after_school(self, rows):
        if len(rows[1]) >= self.chunk:
            self.write_students(rows)

    def after_training_year(self, rows):
        if len(rows) >= self.chunk:
            self.write_training(rows)


def build(
    *,
    seed: int = 2025,
    provinces: tuple[str, ...] | None = None,
    schools: int = 2500,
    students: int = 4_400_000,
    training_per_year: int = 400_000,
    chunk: int = 250_000,
    progress=None,
    actor=None,
) -> G.Stats:
    """Generate the national world into the (empty) demo tables; rows per table in the
    returned stats (one entry per written chunk)."""
    provinces = tuple(sorted(provinces or PROVINCE_WEIGHTS))
    unknown = [p for p in provinces if p not in PROVINCE_WEIGHTS]
    if unknown:
        raise ValueError(f"省份代码 {'、'.join(unknown)} 不是内地省级行政区代码")
    scale = make_scale(
        provinces=provinces,
        schools=schools,
        students=students,
        training_per_year=training_per_year,
    )
    t0 = time.perf_counter()
    message = f"全国规模演示数据（{len(provinces)} 个省份, {schools} 所学校, seed={seed}）"
    writer = G.Writer(progress, actor, message)
    world = NationalWorld(
        seed, scale, writer, provinces=provinces, schools=schools, chunk=chunk, progress=progress
    )
    world.load_reference()
    world.build_schools()
    world.build_enterprises()
    world.build_majors()
    world.build_cooperation()
    world.build_teachers()
    world.build_students()
    world.build_training()
    world.build_users()
    writer.reset_sequences()
    writer.stats.seconds = time.perf_counter() - t0
    return writer.stats
