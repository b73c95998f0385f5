"""Build the demo world: a deterministic synthetic Chongqing for 2021–2025.

Same seed and scale → the same rows, byte for byte, apart from timestamps (user
``date_joined``, audit ``at``). Every random choice comes from ``random.Random``
instances seeded from ``(seed, stage)``; nothing iterates a set or an unsorted dict.

Speed: rows are generated as tuples with precomputed primary keys (the tables are
empty or are appended to from ``MAX(id) + 1``) and written with
``cursor.executemany`` in large batches, one transaction per table, one audit row per
table (``jigong.core.services.bulk_created``). On PostgreSQL the id sequences are
reset afterwards.

Graduation certificate numbers (毕业证书编号) follow ``jigong.certificates.numbering``
(year, school code, level digit, 6-digit serial, ISO 7064 MOD 11-2 check character);
the demo's 5-digit school codes make them 17 characters, e.g. ``20245010120001232``.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import random
import time
from bisect import bisect
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, DecimalField, Q

from jigong.certificates import numbering
from jigong.core import pii
from jigong.core.dates import add_months
from jigong.demo import names
from jigong.policy import rules
from jigong.standards import idcard, regions, uscc

AS_OF = datetime.date(2025, 12, 31)  # the demo world's “today”
FIRST_YEAR, LAST_YEAR = 2021, 2025
POLICY_DATE = datetime.date(2022, 7, 22)  # 渝人社发〔2022〕32号 takes effect
BATCH = 20_000

TC, SS, SC = "technician_college", "senior_school", "school"
I, A, T = "intermediate", "advanced", "technician"  # noqa: E741
LEVEL_DIGIT = numbering.LEVEL_DIGIT
TIER_DIGIT = {TC: "1", SS: "2", SC: "3"}

# --- demo users: one documented password per role (min length 10, not common) ---
# Column order of the school rows the generators build (demo and national).
SCHOOL_COLUMNS = (
    "id",
    "code",
    "name",
    "tier",
    "district_id",
    "ownership",
    "sponsor",
    "credit_code",
    "status",
    "founded_on",
    "address",
    "campus_network_coverage",
)

PASSWORDS = {
    "admin": "Jigong-Admin-2025",
    "municipal": "Jigong-City-2025",
    "district": "Jigong-District-2025",
    "school": "Jigong-School-2025",
    "department": "Jigong-Dept-2025",
    "graduate": "Jigong-Grad-2025",
}

# the demo's clerks (issue 15): user-name suffix, duty, label
CLERKS = (("records", "records", "学籍"), ("certificates", "certificates", "证书"))

EXISTING_DATA_MESSAGE = (
    "数据库中已有数据（{what}），为避免覆盖，未生成演示数据。"
    "如需清空演示数据相关的表并重新生成，请加参数 --reset。"
)


@dataclass(frozen=True)
class Scale:
    name: str
    # district codes of the schools, per tier
    districts: dict[str, tuple[str, ...]]
    intake: dict[str, int]  # 2025 intake per school, by tier
    training_per_year: int
    enterprises: int
    agreements: dict[str, int]  # per school, by tier
    alliances: int
    founding_school: bool = False  # one 技工学校 in its founding period (no students)
    suspended_school: bool = False  # one 技工学校 that stopped enrolling in 2024


FULL = Scale(
    name="full",
    districts={
        TC: (
            "500106",
            "500107",
            "500112",
            "500105",
            "500113",
            "500109",
            "500108",
            "500104",
            "500118",
            "500116",
            "500117",
            "500102",
            "500110",
            "500120",
            "500153",
            "500101",
            "500154",
            "500114",
        ),
        SS: (
            "500103",
            "500106",
            "500112",
            "500113",
            "500115",
            "500119",
            "500151",
            "500111",
            "500152",
            "500155",
            "500230",
            "500156",
        ),
        SC: (
            "500107",
            "500109",
            "500112",
            "500116",
            "500117",
            "500118",
            "500102",
            "500110",
            "500120",
            "500153",
            "500115",
            "500106",
            "500113",
            "500105",
            "500119",
            "500101",
            "500154",
            "500231",
            "500233",
            "500235",
            "500236",
            "500114",
            "500240",
            "500241",
            "500242",
        ),
    },
    intake={TC: 1400, SS: 800, SC: 450},
    training_per_year=160_000,
    enterprises=1500,
    agreements={TC: 170, SS: 85, SC: 40},
    alliances=4,
    founding_school=True,
    suspended_school=True,
)
SMALL = Scale(
    name="small",
    districts={TC: ("500106", "500101"), SS: ("500118", "500114"), SC: ("500107", "500241")},
    intake={TC: 24, SS: 16, SC: 12},
    training_per_year=60,
    enterprises=40,
    agreements={TC: 7, SS: 7, SC: 7},
    alliances=3,
)
SCALES = {"full": FULL, "small": SMALL}

# Class-level shares of the intake by tier (explored levels only where allowed).
LEVEL_SHARES = {  # 技师学院重点培养技师、预备技师、高级工 (（六）)
    TC: {I: 0.28, A: 0.47, T: 0.25},
    SS: {I: 0.55, A: 0.42, T: 0.03},
    SC: {I: 0.93, A: 0.07},
}
SOURCES = (  # (source, weight) of the intake
    ("junior_graduate", 72),
    ("senior_graduate", 12),
    ("previous_graduate", 4),
    ("enterprise_employee", 5),
    ("veteran", 1),
    ("poverty_family", 4),
    ("unemployed_graduate", 2),
)
PROVINCES = (("50", 920), ("53", 25), ("52", 25), ("51", 20), ("42", 4), ("43", 3), ("61", 3))
DURATIONS = {
    (I, "junior"): 36,
    (I, "senior"): 24,
    (A, "junior"): 60,
    (A, "senior"): 36,
    (T, "junior"): 72,
    (T, "senior"): 48,
}
FEMALE_HEAVY = {"服务类", "医药类", "财经商贸类", "文化艺术类"}
# Chongqing district → (retired code, year the new code was introduced).
RETIRED = {
    new: old
    for old, new in (
        ("500222", "500110"),
        ("500223", "500152"),
        ("500224", "500151"),
        ("500225", "500111"),
        ("500226", "500153"),
        ("500227", "500120"),
        ("500228", "500155"),
        ("500232", "500156"),
        ("500234", "500154"),
        ("500381", "500116"),
        ("500382", "500117"),
        ("500383", "500118"),
        ("500384", "500119"),
    )
}
RETIRED_UNTIL = {
    "500110": 2011,
    "500111": 2011,
    "500152": 2015,
    "500151": 2014,
    "500153": 2015,
    "500120": 2014,
    "500155": 2016,
    "500156": 2016,
    "500154": 2016,
    "500116": 2006,
    "500117": 2006,
    "500118": 2006,
    "500119": 2006,
}
TRAINING_KINDS = (  # kind, weight, hours range, 元 per 学时 range
    ("employment", 30, (60, 200), (8, 15)),
    ("upgrading", 40, (24, 120), (10, 20)),
    ("entrepreneurship", 8, (56, 96), (12, 18)),
    ("apprenticeship", 10, (200, 800), (5, 9)),
    ("technician", 4, (80, 240), (15, 30)),
    ("rural", 8, (24, 80), (6, 10)),
)
COOPERATION_KINDS = (
    "order_class",
    "named_class",
    "apprenticeship",
    "enterprise_in_school",
    "master_studio",
    "training_station",
    "training_base",
)
LINKED_KINDS = ("order_class", "named_class", "apprenticeship")
KIND_TITLES = {
    "order_class": "订单班",
    "named_class": "冠名班",
    "apprenticeship": "新型学徒制班",
    "enterprise_in_school": "引企入校项目",
    "master_studio": "技能大师工作室",
    "training_station": "企业培训工作站",
    "training_base": "校外实训基地",
}
# A few schools are weak in one to three areas (the rest meet the quality benchmarks and
# the 达标 standards): the evaluation then shows a spread, not a uniform pass or fail.
WEAK_SHARE = 0.2
WEAK_AREAS = (
    "certificates",  # 毕业生当年取证率
    "technician",  # 技师学院毕业生取得技师证书 (技师学院 only)
    "employment",  # 就业率
    "in_field",  # 专业对口率
    "agreements",  # 校企合作协议
    "order_class",  # 订单班、冠名班学生
    "part_time",  # 兼职教师
    "curriculum",  # 劳动教育与思政课程
    "network",  # 校园网覆盖率 (达标)
)

ALLIANCES = (
    ("重庆智能制造技工教育联盟", "industry", datetime.date(2022, 11, 18)),
    ("成渝地区双城经济圈汽车产业技工教育集团", "school", datetime.date(2023, 4, 26)),
    ("重庆现代服务业技工教育联盟", "hr_service", datetime.date(2023, 9, 12)),
    ("渝东北渝东南技工教育协同发展联盟", "school", datetime.date(2024, 5, 20)),
    ("重庆电子信息产业技工教育联盟", "industry", datetime.date(2024, 10, 9)),
)


mod11_2 = numbering.check_character  # ISO 7064 MOD 11-2, as the ID number's last character


def certificate_number(year: int, school_code: str, level: str, serial: int) -> str:
    return numbering.make(year, school_code, level, serial)


def policy_date(opened_year: int) -> datetime.date:
    """The date a school major's level is judged on: 1 September of its opening year
    (as SchoolMajor does), but not before the level parameters' first date."""
    return max(datetime.date(opened_year, 9, 1), datetime.date(2021, 1, 1))


class Picker:
    """Fast weighted choice over fixed (item, weight) pairs."""

    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _randint(rng: random.Random, a: int, b: int) -> int:
    """``rng.randint(a, b)`` (b ≥ a): the same draw without ``randrange``'s argument
    checks — CPython takes ``getrandbits(k)``, k the bit length of the width, until the
    value is below the width. The hot loops inline it (tests compare it with randint)."""
    n = b - a + 1
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return a + r


def _rand_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    first = start.toordinal()
    return datetime.date.fromordinal(_randint(rng, first, max(end.toordinal(), first)))


@dataclass
class TableStat:
    label: str
    table: str
    columns: tuple[str, ...]
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Stats:
    tables: list[TableStat] = field(default_factory=list)
    seconds: float = 0.0
    credentials: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class _DateText(dict):
    """date → its ISO text (memo): what the sqlite3 adapter Django registers makes of
    it; any other value (None, a datetime, text) unchanged."""

    def __missing__(self, value):
        out = value.isoformat() if type(value) is datetime.date else value
        self[value] = out
        return out


def seal_rows(model, fields: tuple[str, ...], rows: list[tuple], *, adapt: bool = False):
    """Rows with each plain ID number (``id_number``) replaced by its sealed value and
    keyed hash (``id_number_enc``, ``id_number_hmac``): no plain number is written.

    With ``adapt`` (SQLite) dates and decimals are also turned into the text the
    driver's adapters would make of them (``date.isoformat``, ``str``): the same values
    stored, without the adapter call per value, which costs more than the insert's own
    work. Column by column (transposed with ``zip``), so the per-value work is C calls."""
    opts = model._meta
    sealed = pii.sealed_columns(model)
    dates, decimals = [], []
    if adapt:
        for i, f in enumerate(fields):
            if f in sealed:
                continue
            field = opts.pk if f == "id" else opts.get_field(f)
            if isinstance(field, DateTimeField):
                continue
            if isinstance(field, DateField):
                dates.append(i)
            elif isinstance(field, DecimalField):
                decimals.append(i)
    if not rows or not (dates or decimals or any(f in sealed for f in fields)):
        named = [(sealed[f][0], sealed[f][1]) if f in sealed else (f,) for f in fields]
        return tuple(name for names_ in named for name in names_), rows
    cols = list(zip(*rows, strict=True))
    for i in dates:
        cols[i] = list(map(_DateText().__getitem__, cols[i]))
    for i in decimals:
        cols[i] = [str(v) if type(v) is Decimal else v for v in cols[i]]
    out_fields, out_cols = [], []
    for f, col in zip(fields, cols, strict=True):
        if f in sealed:
            enc, digest, label = sealed[f]
            out_fields += [enc, digest]
            out_cols += pii.seal_all(label, col)
        else:
            out_fields.append(f)
            out_cols.append(col)
    return tuple(out_fields), list(zip(*out_cols, strict=True))


# SQLite: a table that is empty and receives at least this many rows gets its secondary
# indexes dropped and re-created from their own SQL after the rows, in the same
# transaction (sorting once is ~2× faster than inserting into the indexes row by row).
# The transaction makes it all-or-nothing: an interrupted build leaves the indexes as
# they were, and a reader beside it (WAL) never sees the table without them.
INDEX_LATE_ROWS = 50_000
# SQLite page cache of the build's connection, KiB (the default 2 MB makes the inserts
# into the large indexes spill and re-read pages); the connection's own setting is put
# back afterwards.
BUILD_CACHE_KIB = 256 * 1024


class Writer:
    """Insert precomputed rows with executemany, one transaction per table."""

    def __init__(self, progress=None, actor=None, message="", serving=False):
        self.progress = progress
        self.actor = actor
        self.message = message
        # Beside a running platform: a transaction per batch (the SQLite write lock is
        # held for about a second at a time, so log-ins and pages go on), no index drop.
        self.serving = serving
        self.stats = Stats()
        self.models = []

    def next_id(self, model) -> int:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) "
                f"FROM {connection.ops.quote_name(model._meta.db_table)}"
            )
            value = cur.fetchone()[0]
        return (value or 0) + 1

    def insert(self, model, fields: tuple[str, ...], rows: list[tuple], label: str | None = None):
        """``fields`` are attnames (``school_id``); each row starts with the pk."""
        from jigong.core.services import bulk_created

        opts = model._meta
        fields, rows = seal_rows(model, fields, rows, adapt=connection.vendor == "sqlite")
        columns = tuple(opts.get_field(f).column if f != "id" else opts.pk.column for f in fields)
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        label = label or opts.label
        stat = TableStat(label, opts.db_table, columns, len(rows))
        task = None
        if self.progress is not None:
            name = "开设专业—产业链" if opts.auto_created else opts.verbose_name
            task = self.progress.add_task(f"写入 {name}", total=max(len(rows), 1))
        t0 = time.perf_counter()
        sqlite = connection.vendor == "sqlite"
        table = transaction.atomic() if not self.serving else nullcontext()
        with table, connection.cursor() as cur:
            copy = getattr(cur.cursor, "copy", None) if connection.vendor == "postgresql" else None
            late = (
                _drop_indexes(cur, opts.db_table)
                if sqlite and len(rows) >= INDEX_LATE_ROWS and not self.serving
                else []
            )
            for i in range(0, len(rows), BATCH):
                batch = rows[i : i + BATCH]
                if self.serving:
                    with transaction.atomic():
                        if copy is None:
                            cur.executemany(sql, batch)
                        else:
                            self._copy(copy, opts.db_table, columns, batch)
                    if task is not None:
                        self.progress.advance(task, len(batch))
                    continue
                if copy is not None:  # psycopg 3: COPY is several times faster
                    cols = ", ".join(qn(c) for c in columns)
                    sql_copy = f"COPY {qn(opts.db_table)} ({cols}) FROM STDIN"
                    with connection.wrap_database_errors, copy(sql_copy) as cp:
                        for row in batch:
                            cp.write_row(row)
                else:
                    cur.executemany(sql, batch)
                if task is not None:
                    self.progress.advance(task, len(batch))
            for index_sql in late:
                cur.execute(index_sql)
            if rows and not opts.auto_created:
                bulk_created(self.actor, model, len(rows), self.message)
        stat.seconds = time.perf_counter() - t0
        if task is not None and not rows:
            self.progress.advance(task, 1)
        self.stats.tables.append(stat)
        self.models.append(model)

    @staticmethod
    def _copy(copy, table, columns, batch):
        qn = connection.ops.quote_name
        sql_copy = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        with connection.wrap_database_errors, copy(sql_copy) as cp:  # Django's IntegrityError
            for row in batch:
                cp.write_row(row)

    def reset_sequences(self):
        if connection.vendor == "sqlite":
            # a wipe leaves sqlite_sequence as it was: the rows the acts write after the
            # bulk world (demo.admissions) would take other ids on a rebuild
            with connection.cursor() as cur:
                for m in self.models:
                    t = connection.ops.quote_name(m._meta.db_table)
                    pk = connection.ops.quote_name(m._meta.pk.column)
                    cur.execute(
                        f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX({pk}), 0)"
                        f" FROM {t}) WHERE name = %s",
                        [m._meta.db_table],
                    )
            return
        sqls = connection.ops.sequence_reset_sql(no_style(), self.models)
        if sqls:
            with connection.cursor() as cur:
                for sql in sqls:
                    cur.execute(sql)


def _drop_indexes(cur, table: str) -> list[str]:
    """SQLite, inside the caller's transaction: if ``table`` is empty, drop its secondary
    indexes (not the ones behind UNIQUE or PRIMARY KEY, which have no SQL) and return
    the statements that re-create them; otherwise drop nothing and return []."""
    qn = connection.ops.quote_name
    cur.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")
    if cur.fetchone() is not None:
        return []
    cur.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
        [table],
    )
    found = cur.fetchall()
    for name, _sql in found:
        cur.execute(f"DROP INDEX {qn(name)}")
    return [index_sql for _name, index_sql in found]


@contextmanager
def build_connection():
    """The demo connection's settings for a build: on SQLite a larger page cache for
    its duration (journal mode and synchronous stay as configured: WAL, NORMAL)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{int(BUILD_CACHE_KIB)}")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(before)}")
                cur.execute("PRAGMA shrink_memory")


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the build (and back as it was): the
    build allocates millions of row tuples of plain values, which hold no cycles, and
    the collections their allocation triggers cost a few per cent of the build."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --------------------------------------------------------------------------- world


@dataclass
class SchoolInfo:
    id: int
    code: str
    name: str
    tier: str
    district_code: str
    group: str
    status: str
    founded: datetime.date
    majors: dict = field(default_factory=dict)  # level → list of (school_major_id, major)
    partner_enterprises: list = field(default_factory=list)
    linked_agreements: list = field(default_factory=list)  # (id, start, end, kind)


class World:
    def __init__(self, seed: int, scale: Scale, writer: Writer, progress=None):
        self.seed = seed
        self.scale = scale
        self.w = writer
        self.progress = progress
        self.used_ids: set[str] = set()
        self.area_pools: dict[str, tuple] = {}  # see area_code
        self.hashing: dict | None = None  # role → future of its password hash (build)
        self.weak: dict[int, frozenset] = defaultdict(frozenset)  # see build_profiles

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"jigong-demo:{self.seed}:{stage}")

    # ---------------------------------------------------------------- reference
    def load_reference(self):
        from jigong.reference.models import District, IndustryChain, Major
        from jigong.reference.services import catalogue

        self.districts = {d.code: d for d in District.objects.order_by("code")}
        self.district_ids = {c: d.id for c, d in self.districts.items()}
        chains = IndustryChain.objects.filter(year=LAST_YEAR).select_related("cluster")
        self.chains = {c.code: c for c in chains.order_by("code")}
        if not self.chains:
            raise RuntimeError("参考数据缺失：没有产业链，请先运行 migrate")
        cat = catalogue()
        by_code = {m["code"]: m for m in cat["majors"]}
        self.majors = []
        for m in Major.objects.filter(edition__code=cat["edition"]["code"]).order_by("code"):
            info = by_code.get(m.code, {})
            self.majors.append(
                {
                    "id": m.id,
                    "code": m.code,
                    "name": m.name,
                    "category": m.category,
                    "levels": list(m.levels),
                    "chains": [c for c in info.get("chains", []) if c in self.chains],
                    "occupation": (
                        info.get("occupation_code") or "6-99-00-00",
                        info.get("occupation_name") or m.name,
                    ),
                }
            )
        if not self.majors:
            raise RuntimeError("参考数据缺失：没有专业目录，请先运行 migrate")
        occ = {}
        for m in self.majors:
            occ.setdefault(m["occupation"][0], m["occupation"])
        self.occupations = [occ[k] for k in sorted(occ)]
        self.group_districts = {
            g: [r.code for r in regions.by_group(g)] for g in regions.GROUP_LABELS
        }

    # ---------------------------------------------------------------- helpers
    def area_code(self, rng, home_province: str, near: str, birth_year: int) -> str:
        if home_province != "50":
            return rng.choice(regions.AREA_CODES[home_province])
        r = rng.random()
        if r < 0.6:
            code = near
        else:  # rng.choice of the district's group, or of 主城都市区 and 渝东北
            pools = self.area_pools.get(near)
            if pools is None:
                near_group = self.group_districts[regions.get(near).group]
                far = self.group_districts["main_metro"] + self.group_districts["northeast"]
                pools = self.area_pools[near] = (near_group, far)
            pool = pools[0] if r < 0.85 else pools[1]
            code = pool[_randint(rng, 0, len(pool) - 1)]
        if code in RETIRED and birth_year < RETIRED_UNTIL[code]:
            return RETIRED[code]
        return code

    def unique_id(self, rng, area: str, birth: datetime.date, sex: str) -> str:
        used = self.used_ids
        while True:
            n = idcard.generate(rng, area, birth, sex)
            if n not in used:
                used.add(n)
                return n

    def home_province(self, rng, school, pick) -> str:
        return pick(rng)

    def groups(self):
        return regions.GROUP_LABELS

    # ---------------------------------------------------------------- schools
    def build_schools(self):
        from jigong.schools.models import School

        rng = self.rng("schools")
        sid = self.w.next_id(School)
        rows, self.schools = [], []
        used_names = set()
        college_themes = list(names.COLLEGE_THEMES)
        school_themes = list(names.SCHOOL_THEMES)
        rng.shuffle(college_themes)
        rng.shuffle(school_themes)
        codes = set()
        for tier in (TC, SS, SC):
            for n, dcode in enumerate(self.scale.districts[tier], start=1):
                d = self.districts[dcode]
                short = d.short_name
                if tier == TC:
                    name = (
                        f"重庆{college_themes.pop()}技师学院"
                        if d.group == "main_metro"
                        else f"重庆{short}技师学院"
                    )
                elif tier == SS:
                    name = f"重庆市{short}高级技工学校"
                else:
                    name = f"重庆市{short}{school_themes[n % len(school_themes)]}技工学校"
                while name in used_names:
                    name = name.replace("技", f"{rng.choice(names.SCHOOL_THEMES)}技", 1)
                used_names.add(name)
                code = f"50{TIER_DIGIT[tier]}{n:02d}"
                codes.add(code)
                r = rng.random()
                if tier == TC:
                    ownership = "public" if r < 0.78 else ("industry" if r < 0.9 else "enterprise")
                elif tier == SS:
                    ownership = (
                        "public"
                        if r < 0.6
                        else ("enterprise" if r < 0.75 else "private" if r < 0.92 else "mixed")
                    )
                else:
                    ownership = (
                        "public"
                        if r < 0.5
                        else (
                            "private"
                            if r < 0.82
                            else "enterprise"
                            if r < 0.9
                            else "joint_stock"
                            if r < 0.95
                            else "mixed"
                        )
                    )
                if ownership == "public":
                    sponsor = (
                        rng.choice(names.SPONSORS_PUBLIC)
                        if tier != SC
                        else f"重庆市{d.name}人民政府"
                    )
                    credit = uscc.generate(rng, "1", "2", dcode)
                elif ownership == "industry":
                    sponsor = (
                        f"重庆市{rng.choice(('机械', '化医', '建工', '交通', '商贸'))}行业协会"
                    )
                    credit = uscc.generate(rng, "1", "2", dcode)
                elif ownership == "enterprise":
                    sponsor = f"重庆{rng.choice(names.BRANDS)}集团有限公司"
                    credit = uscc.generate(rng, "5", "2", dcode)
                else:
                    sponsor = f"重庆{rng.choice(names.BRANDS)}教育投资有限公司"
                    credit = uscc.generate(rng, "5", "2", dcode)
                status = "operating"
                founded = datetime.date(
                    rng.randint(1958, 2005) if tier == TC else rng.randint(1975, 2012),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                )
                last_sc = n == len(self.scale.districts[SC])
                if tier == SC and self.scale.founding_school and last_sc:
                    status, founded = "founding", datetime.date(2025, 3, 18)
                elif (
                    tier == SC
                    and self.scale.suspended_school
                    and n == len(self.scale.districts[SC]) - 1
                ):
                    status = "suspended"
                coverage = Decimal(f"0.{rng.randint(920, 985)}")  # kept if "network" weak
                info = SchoolInfo(sid, code, name, tier, dcode, d.group, status, founded)
                self.schools.append(info)
                rows.append(
                    (
                        sid,
                        code,
                        name,
                        tier,
                        d.id,
                        ownership,
                        sponsor,
                        credit,
                        status,
                        founded,
                        f"重庆市{d.name}{rng.choice(names.BRANDS)}路{rng.randint(1, 399)}号",
                        coverage,
                    )
                )
                sid += 1
        self.by_id = {s.id: s for s in self.schools}
        self.operating = [s for s in self.schools if s.status != "founding"]
        self.build_profiles()
        at = SCHOOL_COLUMNS.index("campus_network_coverage")
        rows = [
            r if "network" in self.weak[r[0]] else (*r[:at], Decimal("1.000"), *r[at + 1 :])
            for r in rows
        ]
        self.w.insert(School, SCHOOL_COLUMNS, rows)
        self.build_designations(rng)
        self.build_target_registers()

    def build_target_registers(self):
        """Teacher training bases, the digital title and textbooks (（四）（十七）（二十）):
        a plausible number of each, some below their targets, one of each withdrawn."""
        from django.db import connection

        from jigong.workflows.models import BaseDesignation, Textbook

        rng = self.rng("target-registers")
        ts = connection.ops.adapt_datetimefield_value
        hosts = sorted(self.operating, key=lambda s: ({TC: 0, SS: 1, SC: 2}[s.tier], s.id))
        if not hosts:
            return
        bid = self.w.next_id(BaseDesignation)
        plan = [  # kind, level, designated, withdrawn (or None), ministry's document
            ("ideology_base", "national", datetime.date(2024, 6, 18), None, True),
            ("ideology_base", "municipal", datetime.date(2023, 4, 10), None, False),
            ("ideology_base", "municipal", datetime.date(2024, 9, 2), None, False),
            ("integrated_base", "municipal", datetime.date(2023, 4, 10), None, False),
            ("integrated_base", "municipal", datetime.date(2023, 4, 10), None, False),
            ("integrated_base", "municipal", datetime.date(2024, 9, 2), None, False),
            (
                "integrated_base",
                "municipal",
                datetime.date(2024, 9, 2),
                datetime.date(2025, 6, 30),
                False,
            ),
            ("integrated_base", "municipal", datetime.date(2025, 10, 15), None, False),
            ("digital_school", "national", datetime.date(2023, 12, 5), None, True),
            ("digital_school", "national", datetime.date(2025, 11, 20), None, True),
        ]
        rows = []
        for i, (kind, level, on, withdrawn, national) in enumerate(plan):
            s = hosts[(i * 3 + rng.randint(0, 2)) % len(hosts)]
            office = "人社厅函" if national else "渝人社"
            name = "" if kind == "digital_school" else f"{s.name}{BaseKindLabel[kind]}"
            rows.append(
                (
                    bid,
                    kind,
                    level,
                    s.id,
                    name[:128],
                    on,
                    f"{office}〔{on.year}〕{rng.randint(20, 260)}号",
                    withdrawn,
                    "复核未通过，撤销认定" if withdrawn else "",
                    ts(datetime.datetime(on.year, on.month, on.day, 9, tzinfo=datetime.UTC)),
                )
            )
            bid += 1
        self.w.insert(
            BaseDesignation,
            (
                "id",
                "kind",
                "level",
                "school_id",
                "name",
                "designated_on",
                "document_no",
                "withdrawn_on",
                "withdrawn_reason",
                "created_at",
            ),
            rows,
        )
        factor = min(1.0, len(self.schools) / 55)
        tid = self.w.next_id(Textbook)
        books = []
        counts = {"planned": max(6, round(38 * factor)), "school": max(5, round(26 * factor))}
        for kind, n in counts.items():
            for i in range(n):
                s = hosts[rng.randrange(len(hosts))]
                on = datetime.date(2022, 9, 1) + datetime.timedelta(days=rng.randrange(1200))
                withdrawn = on + datetime.timedelta(days=300) if i == n - 1 else None
                label = "规划" if kind == "planned" else "校本"
                title = f"{rng.choice(TEXTBOOK_SUBJECTS)}（{label}{i + 1}）"
                books.append(
                    (
                        tid,
                        kind,
                        title,
                        s.id,
                        on,
                        "重庆大学出版社" if kind == "planned" else "",
                        "",
                        withdrawn,
                        "内容已更新，停用旧版" if withdrawn else "",
                        ts(datetime.datetime(on.year, on.month, on.day, 9, tzinfo=datetime.UTC)),
                    )
                )
                tid += 1
        self.w.insert(
            Textbook,
            (
                "id",
                "kind",
                "title",
                "school_id",
                "approved_on",
                "publisher",
                "isbn",
                "withdrawn_on",
                "withdrawn_reason",
                "created_at",
            ),
            books,
        )

    def build_profiles(self):
        """``self.weak``: school id → the areas in which the school falls short (a fifth
        of the operating schools, one to three areas each; the rest none)."""
        rng = self.rng("profiles")
        self.weak = {s.id: frozenset() for s in self.schools}
        k = max(1, round(len(self.operating) * WEAK_SHARE))
        for s in sorted(rng.sample(self.operating, k), key=lambda s: s.id):
            areas = [a for a in WEAK_AREAS if a != "technician" or s.tier == TC]
            self.weak[s.id] = frozenset(rng.sample(areas, rng.randint(1, 3)))

    def build_designations(self, rng: random.Random):
        """Designations by year (continues the schools' random stream)."""
        from jigong.schools.models import SchoolDesignation

        did = self.w.next_id(SchoolDesignation)
        drows = []
        self.evaluators: dict[int, set[int]] = defaultdict(set)
        ranked = sorted(self.operating, key=lambda s: ({TC: 0, SS: 1, SC: 2}[s.tier], rng.random()))
        n_ops = len(ranked)
        quality_targets = {2022: 5, 2023: 9, 2024: 12, 2025: 15}
        factor = min(1.0, len(self.schools) / 55)

        def holds(kind: str, year: int, i: int, s: SchoolInfo) -> bool:
            if kind == "quality_school":
                return s.tier != SC and i < round(quality_targets.get(year, 0) * factor)
            if kind == "evaluation_institution":  # all colleges; more schools every year
                share = {TC: 1.0, SS: 0.4 + 0.15 * (year - 2021), SC: 0.08 * (year - 2021)}
                return hash_fraction(self.seed, s.code) < share[s.tier]
            if kind == "training_academy":
                return i < (2 + year - 2021) * n_ops // 55 or (year >= 2023 and i == 0)
            if kind == "enterprise_training_station":
                return i % 5 == 2 and year >= 2022
            return i < max(1, 3 * n_ops // 55) and year >= 2023  # 职业训练院

        kinds = (
            "quality_school",
            "evaluation_institution",
            "training_academy",
            "enterprise_training_station",
            "vocational_training_institute",
        )
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for i, s in enumerate(ranked):
                for kind in kinds:
                    if holds(kind, year, i, s):
                        drows.append((did, s.id, kind, year))
                        did += 1
                        if kind == "evaluation_institution":
                            self.evaluators[year].add(s.id)
        self.w.insert(SchoolDesignation, ("id", "school_id", "kind", "year"), drows)

    # ---------------------------------------------------------------- enterprises
    def build_enterprises(self):
        from jigong.cooperation.models import Enterprise

        rng = self.rng("enterprises")
        eid = self.w.next_id(Enterprise)
        chain_codes = sorted(self.chains)
        chain_pick = Picker([(c, 6 if not c.startswith("S") else 2) for c in chain_codes])
        district_pick = Picker(
            [(r.code, 5 if r.group == "main_metro" else 1) for r in regions.DISTRICTS]
        )
        rows, used = [], set()
        self.enterprises = []  # (id, district_code, group, chain_code)
        for _ in range(self.scale.enterprises):
            chain = chain_pick(rng)
            dcode = district_pick(rng)
            cluster = self.chains[chain].cluster.code
            while True:
                name = names.enterprise_name(rng, cluster)
                if name not in used:
                    used.add(name)
                    break
            rows.append(
                (
                    eid,
                    uscc.generate(rng, "9", "1", dcode),
                    name,
                    self.district_ids[dcode],
                    self.chains[chain].id,
                    rng.random() < 0.08,
                )
            )
            self.enterprises.append((eid, dcode, regions.get(dcode).group, chain, name))
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
        self.enterprises_by_group = defaultdict(list)
        for e in self.enterprises:
            self.enterprises_by_group[e[2]].append(e)

    # ---------------------------------------------------------------- majors
    def build_majors(self):
        from jigong.schools.models import QualityMajorDesignation, SchoolMajor

        rng = self.rng("majors")
        smid = self.w.next_id(SchoolMajor)
        through = SchoolMajor.chains.through
        tid = self.w.next_id(through)
        rows, trows = [], []
        industrial = Picker(
            [
                (i, 1 if m["category"] in FEMALE_HEAVY | {"农业类", "其他"} else 4)
                for i, m in enumerate(self.majors)
            ]
        )
        counts = {TC: (14, 20), SS: (9, 13), SC: (5, 9)}
        if self.scale is SMALL:
            counts = {TC: (5, 6), SS: (4, 5), SC: (3, 4)}
        self.school_majors = []  # (id, school, major, level, opened_year)
        for s in self.schools:
            lo, hi = counts[s.tier]
            chosen = []
            while len(chosen) < rng.randint(lo, hi) or len(chosen) < lo:
                i = industrial(rng)
                if i not in chosen:
                    chosen.append(i)
            chosen.sort(key=lambda i: self.majors[i]["code"])
            standard_open = max(s.founded.year, 2008) if s.status != "founding" else 2025
            explored_done = 0
            for i in chosen:
                m = self.majors[i]
                opened = (
                    rng.randint(standard_open, max(standard_open, 2014))
                    if s.status != "founding"
                    else 2025
                )
                std = rules.allowed_levels(s.tier, policy_date(opened))
                levels = [(lvl, opened) for lvl in (I, A, T) if lvl in m["levels"] and lvl in std]
                if s.tier == TC:  # not every college runs every level of every major
                    levels = [(lvl, y) for lvl, y in levels if lvl != T or rng.random() < 0.6]
                if s.status != "founding" and explored_done < (2 if s.tier == SS else 1):
                    year = rng.choice((2022, 2023, 2023, 2024))
                    allowed = rules.allowed_levels(s.tier, policy_date(year))
                    for lvl in (A, T):
                        if (
                            allowed.get(lvl) == "explored"
                            and lvl in m["levels"]
                            and lvl not in dict(levels)
                        ):
                            levels.append((lvl, year))
                            explored_done += 1
                            break
                for lvl, year in levels:
                    status = "open" if rng.random() > 0.03 else "suspended"
                    rows.append((smid, s.id, m["id"], lvl, status, year))
                    self.school_majors.append((smid, s, m, lvl, year))
                    if status == "open":
                        s.majors.setdefault(lvl, []).append((smid, m, year))
                    for code in m["chains"]:
                        trows.append((tid, smid, self.chains[code].id))
                        tid += 1
                    smid += 1
        self.w.insert(
            SchoolMajor, ("id", "school_id", "major_id", "level", "status", "opened_year"), rows
        )
        fk = [f.attname for f in through._meta.fields if f.attname != "id"]
        self.w.insert(through, ("id", *fk), trows, label="schools.SchoolMajor_chains")
        # 优质专业: up to 40 by 2025 (cumulative designation, one row per year held)
        qid = self.w.next_id(QualityMajorDesignation)
        candidates = sorted(
            (sm for sm in self.school_majors if sm[3] in (A, T) and sm[1].status == "operating"),
            key=lambda sm: ({TC: 0, SS: 1, SC: 2}[sm[1].tier], rng.random()),
        )
        target = {2022: 12, 2023: 24, 2024: 32, 2025: 40}
        factor = min(1.0, len(self.schools) / 55)
        qrows = []
        for year, n in target.items():
            for sm in candidates[: max(1, round(n * factor))]:
                qrows.append((qid, sm[0], year))
                qid += 1
        self.w.insert(QualityMajorDesignation, ("id", "school_major_id", "year"), qrows)

    # ---------------------------------------------------------------- cooperation
    def build_cooperation(self):
        from jigong.cooperation.models import (
            Alliance,
            AllianceMember,
            CooperationAgreement,
            Pairing,
        )

        rng = self.rng("cooperation")
        aid = self.w.next_id(CooperationAgreement)
        rows = []
        for s in self.operating:
            pool = self.enterprises_by_group[s.group] or self.enterprises
            n = self.scale.agreements[s.tier]
            if "agreements" in self.weak[s.id]:
                n = max(len(COOPERATION_KINDS), round(n * rng.uniform(0.25, 0.4)))
            else:
                n = round(n * rng.uniform(0.95, 1.1))
            for k in range(n):
                kind = COOPERATION_KINDS[k % len(COOPERATION_KINDS)]
                e = rng.choice(pool if rng.random() < 0.75 else self.enterprises)
                start = _rand_date(rng, datetime.date(2017, 3, 1), datetime.date(2025, 9, 1))
                if kind in LINKED_KINDS and k < len(COOPERATION_KINDS):
                    start = _rand_date(rng, datetime.date(2016, 3, 1), datetime.date(2018, 6, 30))
                end = None
                if rng.random() < 0.25:
                    end = add_months(start, rng.choice((24, 36, 48)))
                    if end > AS_OF:
                        end = None
                brand = e[4][2:6]
                title = f"{brand}{KIND_TITLES[kind]}"
                if kind in ("order_class", "named_class", "apprenticeship"):
                    title = f"{brand}{KIND_TITLES[kind]}（{start.year}级）"
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
        for name, lead, founded in ALLIANCES[: self.scale.alliances]:
            arows.append((alid, name, lead, founded))
            k = max(3, len(self.operating) // 4)
            for s in sorted(
                rng.sample(self.operating, min(k, len(self.operating))), key=lambda s: s.id
            ):
                mrows.append((mid, alid, s.id, None, founded))
                mid += 1
            for e in sorted(rng.sample(self.enterprises, min(12, len(self.enterprises)))):
                mrows.append((mid, alid, None, e[0], _rand_date(rng, founded, AS_OF)))
                mid += 1
            alid += 1
        self.w.insert(Alliance, ("id", "name", "lead_kind", "founded_on"), arows)
        self.w.insert(
            AllianceMember, ("id", "alliance_id", "school_id", "enterprise_id", "joined_on"), mrows
        )

        pid = self.w.next_id(Pairing)
        prows = []
        mentors = [s for s in self.operating if s.group == "main_metro" and s.tier in (TC, SS)]
        supported = [s for s in self.schools if s.group != "main_metro"]
        for i, s in enumerate(supported):
            m = mentors[i % len(mentors)]
            prows.append((pid, m.id, s.id, datetime.date(2022 + i % 3, 9, 1)))
            pid += 1
        self.w.insert(Pairing, ("id", "mentor_id", "supported_id", "started_on"), prows)

    # ---------------------------------------------------------------- teachers
    def build_teachers(self):
        from jigong.staff.models import Teacher

        rng = self.rng("teachers")
        tid = self.w.next_id(Teacher)
        rows = []
        for s in self.schools:
            ft = max(6, self.scale.intake[s.tier] * 3 // 16)
            if s.status == "founding":
                ft = 8
            share = (0.08, 0.14) if "part_time" in self.weak[s.id] else (0.28, 0.4)
            pt = max(2, round(ft * rng.uniform(*share)))
            seen = set()
            for k in range(ft + pt):
                part = k >= ft
                sex = "M" if rng.random() < 0.55 else "F"
                birth = _rand_date(rng, datetime.date(1965, 1, 1), datetime.date(2000, 12, 31))
                area = self.area_code(rng, "50", s.district_code, birth.year)
                while True:
                    idn = idcard.generate(rng, area, birth, sex)
                    if idn not in seen:
                        seen.add(idn)
                        break
                hired = _rand_date(
                    rng,
                    max(datetime.date(birth.year + 22, 7, 1), s.founded),
                    datetime.date(2025, 9, 1),
                )
                left = None
                if rng.random() < 0.05:
                    left = _rand_date(rng, hired, AS_OF)
                ent = None
                if part and s.partner_enterprises:
                    ent = rng.choice(s.partner_enterprises)[0]
                rows.append(
                    (
                        tid,
                        s.id,
                        names.person_name(rng, sex),
                        idn,
                        "part_time" if part else "full_time",
                        ent,
                        (not part) and rng.random() < 0.42,
                        (not part) and (k < 2 or rng.random() < 0.03),
                        hired,
                        left,
                    )
                )
                tid += 1
        self.w.insert(
            Teacher,
            (
                "id",
                "school_id",
                "name",
                "id_number",
                "kind",
                "enterprise_id",
                "integrated_qualified",
                "ideological",
                "hired_on",
                "left_on",
            ),
            rows,
        )

    # ---------------------------------------------------------------- students
    def build_students(self):
        from jigong.certificates.models import GraduationCertificate, SkillCertificate
        from jigong.employment.models import EmploymentOutcome
        from jigong.students.models import Person, Registration, StatusChange

        rng = self.rng("students")
        pid0 = pid = self.w.next_id(Person)
        rid = self.w.next_id(Registration)
        scid = self.w.next_id(StatusChange)
        gcid = self.w.next_id(GraduationCertificate)
        skid = self.w.next_id(SkillCertificate)
        eoid = self.w.next_id(EmploymentOutcome)
        persons, regs, changes, certs, skills, jobs = [], [], [], [], [], []
        rows = (persons, regs, changes, certs, skills, jobs)
        source_pick = Picker(SOURCES)
        source_pick_pre = Picker([p for p in SOURCES if p[0] != "enterprise_employee"])
        province_pick = Picker(PROVINCES)
        cert_serial = defaultdict(int)
        skill_numbers = set()
        # (major_id, level) → schools running it (for transfers)
        running = defaultdict(list)
        for s in self.operating:
            for lvl, lst in s.majors.items():
                for _smid, m, year in lst:
                    running[(m["id"], lvl)].append((s, year))
        evaluators_by_group = {
            y: {g: sorted(i for i in ids if self.by_id[i].group == g) for g in self.groups()}
            for y, ids in self.evaluators.items()
        }
        task = None
        if self.progress is not None:
            task = self.progress.add_task("生成 学生与学籍", total=len(self.operating))
        first_entry = FIRST_YEAR - 6
        # Hot loop: draws as rng.randint/randrange make them, inlined (see _randint);
        # dates, certificate-number prefixes and course ends looked up, not recomputed.
        person_name = names.namer(rng)
        grb, rand = rng.getrandbits, rng.random
        births: dict[int, list] = {}  # year → 365 days from 1 September
        ends: dict[tuple, datetime.date] = {}  # (enrolled, months) → graduation day
        prefixes: dict[tuple, tuple] = {}  # (year, school, level) → (prefix, its MOD 11-2 sum)
        level_bonus = {I: -0.03, A: 0.0, T: 0.04}
        skill_max = 10**21  # skillcert.generate_number: rng.randrange(10**21)
        skill_bits = skill_max.bit_length()
        for s in self.operating:
            level_pick = Picker(list(LEVEL_SHARES[s.tier].items()))
            weak = self.weak[s.id]
            # the school's rates: order/named-class share, 取证率, 技师 share of 高级工班
            # graduates (技师学院), unemployed share, 专业对口 share of the employed
            coop_p = rng.uniform(0.05, 0.1) if "order_class" in weak else rng.uniform(0.26, 0.34)
            order_named = [a for a in s.linked_agreements if a[3] in ("order_class", "named_class")]
            cert_p = rng.uniform(0.55, 0.68) if "certificates" in weak else rng.uniform(0.87, 0.93)
            tech_p = rng.uniform(0.1, 0.2) if "technician" in weak else rng.uniform(0.74, 0.86)
            jobless = 0.06 if "employment" in weak else 0.008
            in_field_p = 0.64 if "in_field" in weak else 0.88
            for year in range(first_entry, LAST_YEAR + 1):
                if s.status == "suspended" and year >= 2024:
                    continue
                intake = self.scale.intake[s.tier] * (0.97 ** (LAST_YEAR - year))
                intake = int(intake * rng.uniform(0.85, 1.15))
                opened = {}  # level → the school's majors at that level open in ``year``
                september = [datetime.date(year, 9, d) for d in range(1, 9)]
                for _ in range(intake):
                    level = level_pick(rng)
                    options = opened.get(level)
                    if options is None:
                        options = [x for x in s.majors.get(level, ()) if x[2] <= year]
                        opened[level] = options
                    if not options:
                        level = I if s.majors.get(I) else A
                        options = [x for x in s.majors.get(level, ()) if x[2] <= year]
                        if not options:
                            continue
                    _smid, major, opened_year = options[int(rand() * len(options))]
                    source = source_pick(rng) if year >= 2022 else source_pick_pre(rng)
                    if source in ("junior_graduate", "poverty_family"):
                        entry = "junior" if rand() < 0.92 else "senior"
                    elif source == "previous_graduate":
                        entry = "junior" if rand() < 0.5 else "senior"
                    else:
                        entry = "senior"
                    track = "full_time"
                    if source == "enterprise_employee":
                        track = "part_time"
                        duration = rng.choice((12, 18, 24)) if level == I else 24
                        enrolled = datetime.date(year, rng.choice((3, 9)), rng.randint(1, 15))
                        if opened_year == year:  # a major opens on 1 September (SchoolMajor)
                            enrolled = enrolled.replace(month=9)
                    else:
                        duration = DURATIONS[(level, entry)]
                        r = grb(4)  # rng.randint(1, 8)
                        while r >= 8:
                            r = grb(4)
                        enrolled = september[r]
                    grad_on = ends.get((enrolled, duration))
                    if grad_on is None:
                        end = add_months(enrolled, duration)
                        grad_on = datetime.date(end.year, 6, 30) if end.month >= 7 else end
                        ends[(enrolled, duration)] = grad_on
                    if grad_on.year < FIRST_YEAR or enrolled > AS_OF:
                        continue
                    # the person
                    female_share = 0.62 if major["category"] in FEMALE_HEAVY else 0.3
                    sex = "F" if rand() < female_share else "M"
                    age = {"junior": 15, "senior": 18}[entry]
                    if source == "enterprise_employee":
                        age = rng.randint(20, 40)
                    elif source == "veteran":
                        age = rng.randint(21, 26)
                    elif source == "unemployed_graduate":
                        age = rng.randint(21, 24)
                    elif source == "previous_graduate":
                        age += rng.randint(1, 3)
                    elif rand() < 0.12:
                        age += 1
                    by = year - age - 1
                    if by not in births:
                        sep1 = datetime.date(by, 9, 1)
                        births[by] = [sep1 + datetime.timedelta(days=d) for d in range(365)]
                    r = grb(9)  # rng.randint(0, 364)
                    while r >= 365:
                        r = grb(9)
                    birth = births[by][r]
                    prov = self.home_province(rng, s, province_pick)
                    area = self.area_code(rng, prov, s.district_code, birth.year)
                    idn = self.unique_id(rng, area, birth, sex)
                    persons.append((pid, idn, person_name(sex), sex, birth, prov))
                    coop = None
                    if order_named and rand() < coop_p:
                        active = [
                            a
                            for a in order_named
                            if a[1] <= enrolled and (a[2] is None or a[2] >= enrolled)
                        ]
                        if active:
                            coop = active[int(rand() * len(active))][0]
                    r = rand()
                    status, changed, left = "enrolled", None, None
                    if grad_on <= AS_OF:  # a graduating cohort of 2021–2025
                        if r < 0.035:
                            status = "withdrawn"
                            changed = left = _rand_date(
                                rng,
                                enrolled + datetime.timedelta(60),
                                grad_on - datetime.timedelta(30),
                            )
                            changes.append((scid, rid, status, changed, "个人原因申请退学", None))
                            scid += 1
                        else:
                            status = "completed" if r < 0.045 else "graduated"
                            changed = left = grad_on
                    elif r < 0.03 and enrolled < AS_OF - datetime.timedelta(90):
                        status = "withdrawn"
                        changed = left = _rand_date(
                            rng, enrolled + datetime.timedelta(30), AS_OF - datetime.timedelta(10)
                        )
                        changes.append((scid, rid, status, changed, "个人原因申请退学", None))
                        scid += 1
                    elif r < 0.045 and enrolled < AS_OF - datetime.timedelta(90):
                        status = "suspended"
                        changed = _rand_date(
                            rng, enrolled + datetime.timedelta(30), AS_OF - datetime.timedelta(10)
                        )
                        changes.append((scid, rid, status, changed, "因病休学", None))
                        scid += 1
                    elif r < 0.055 and enrolled < AS_OF - datetime.timedelta(400):
                        status = "resumed"
                        first = _rand_date(
                            rng, enrolled + datetime.timedelta(30), AS_OF - datetime.timedelta(380)
                        )
                        changed = first + datetime.timedelta(days=rng.randint(180, 365))
                        changes.append((scid, rid, "suspended", first, "因病休学", None))
                        changes.append((scid + 1, rid, "resumed", changed, "休学期满复学", None))
                        scid += 2
                    elif r < 0.068 and enrolled < AS_OF - datetime.timedelta(200):
                        others = [
                            x
                            for x in running[(major["id"], level)]
                            if x[0] is not s and x[1] <= year
                        ]
                        if others:
                            other = others[int(rand() * len(others))][0]
                            changed = _rand_date(
                                rng,
                                enrolled + datetime.timedelta(120),
                                AS_OF - datetime.timedelta(30),
                            )
                            status = "transferred_in"
                            # the registration at the school the student left
                            regs.append(
                                (
                                    rid,
                                    pid,
                                    other.id,
                                    major["id"],
                                    level,
                                    entry,
                                    duration,
                                    track,
                                    source,
                                    enrolled,
                                    "transferred_out",
                                    changed,
                                    changed,
                                    None,
                                )
                            )
                            changes.append(
                                (scid, rid, "transferred_out", changed, "家庭迁居转学", s.id)
                            )
                            scid += 1
                            rid += 1
                            changes.append(
                                (scid, rid, "transferred_in", changed, "家庭迁居转学", other.id)
                            )
                            scid += 1
                    regs.append(
                        (
                            rid,
                            pid,
                            s.id,
                            major["id"],
                            level,
                            entry,
                            duration,
                            track,
                            source,
                            enrolled,
                            status,
                            changed,
                            left,
                            coop,
                        )
                    )
                    if status in ("graduated", "completed"):
                        gy = grad_on.year
                        key = (gy, s.code, level)
                        cert_serial[key] += 1
                        number = self.certificate_number(prefixes, key, cert_serial[key])
                        cstatus, rev_on, rev_reason = "valid", None, ""
                        if rand() < 0.0008:
                            cstatus, rev_on = "revoked", grad_on + datetime.timedelta(120)
                            rev_reason = "学籍信息核查有误，依规撤销"
                        certs.append(
                            (
                                gcid,
                                rid,
                                s.id,
                                number,
                                status,
                                level,
                                grad_on,
                                cstatus,
                                rev_on,
                                rev_reason,
                            )
                        )
                        gcid += 1
                    if status == "graduated":
                        gy = grad_on.year
                        x = rand()
                        if x < jobless:
                            est, employer, ent, infield = "unemployed", "", None, False
                        elif x < 0.09:
                            est, employer, ent, infield = "further_study", "", None, True
                        elif x < 0.11:
                            est, employer, ent, infield = "enlisted", "", None, False
                        elif x < 0.14:
                            est, ent = "self_employed", None
                            employer = names.enterprise_name(rng, "S01").replace("有限", "", 1)
                            infield = rand() < 0.5
                        else:
                            est, infield = "employed", rand() < in_field_p
                            y = rand()
                            if y < 0.45 and s.partner_enterprises:
                                e = s.partner_enterprises[
                                    int(y * 1000) % len(s.partner_enterprises)
                                ]
                            elif y < 0.75:
                                pool = self.enterprises_by_group[s.group] or self.enterprises
                                e = pool[int(rand() * len(pool))]
                            else:
                                e = None
                            if e is None:
                                ent = None
                                employer = names.enterprise_name(rng, "S01")
                            else:
                                ent, employer = e[0], e[4]
                        jobs.append(
                            (
                                eoid,
                                rid,
                                s.id,
                                gy,
                                est,
                                employer,
                                ent,
                                infield,
                                datetime.date(gy, 8, 31),
                            )
                        )
                        eoid += 1
                        # 职业技能等级证书
                        p = cert_p + level_bonus[level]
                        if rand() < p and gy in self.evaluators:
                            if level == I:
                                sk = 4 if rand() < 0.88 else 5
                            elif level == A:
                                sk = 2 if (s.tier == TC and rand() < tech_p) else 3
                            else:
                                sk = 2 if (s.tier == TC and rand() < 0.92) else 3
                            if s.id in self.evaluators[gy]:
                                evaluator = s.id
                            else:
                                pool = evaluators_by_group[gy].get(s.group) or sorted(
                                    self.evaluators[gy]
                                )
                                evaluator = pool[int(rand() * len(pool))]
                            while True:
                                r = grb(skill_bits)  # skillcert.generate_number(rng, "S")
                                while r >= skill_max:
                                    r = grb(skill_bits)
                                num = f"S{r:021d}"
                                if num not in skill_numbers:
                                    skill_numbers.add(num)
                                    break
                            occ = major["occupation"]
                            issued = datetime.date(gy, _randint(rng, 4, 6), _randint(rng, 1, 28))
                            skills.append((skid, pid, num, occ[0], occ[1], sk, issued, evaluator))
                            skid += 1
                    rid += 1
                    pid += 1
            self.after_school(rows)
            if task is not None:
                self.progress.advance(task)
        self.person_count = pid - pid0
        self.write_students(rows)

    @staticmethod
    def certificate_number(prefixes: dict, key: tuple, serial: int) -> str:
        """``certificate_number(*key, serial)`` for the all-digit school codes of the demo,
        the prefix checked and its MOD 11-2 sum computed once per key (base 13 ≡ 2 mod 11,
        as ``idcard.check_digit``); other codes go through ``certificate_number``."""
        known = prefixes.get(key)
        if known is None:
            head = numbering.prefix(*key)
            known = prefixes[key] = (head, int(head, 13) * 13**6 if head.isdigit() else None)
        head, part = known
        if part is None or not 1 <= serial <= numbering.MAX_SERIAL:
            return certificate_number(*key, serial)
        body = f"{head}{serial:06d}"
        return body + idcard.CHECK_CHARS[2 * (part + int(body[-6:], 13)) % 11]

    def write_students(self, rows: tuple[list, ...]):
        """Insert the student tables' rows (persons first) and empty the lists."""
        from jigong.certificates.models import GraduationCertificate, SkillCertificate
        from jigong.employment.models import EmploymentOutcome
        from jigong.students.models import Person, Registration, StatusChange

        persons, regs, changes, certs, skills, jobs = rows
        self.w.insert(
            Person, ("id", "id_number", "name", "sex", "birth_date", "home_province"), persons
        )
        self.w.insert(
            Registration,
            (
                "id",
                "person_id",
                "school_id",
                "major_id",
                "level",
                "entry_point",
                "duration_months",
                "track",
                "source",
                "enrolled_on",
                "status",
                "status_changed_on",
                "left_on",
                "cooperation_id",
            ),
            regs,
        )
        # revert_reason: NOT NULL (blank), and raw inserts get no model default
        self.w.insert(
            StatusChange,
            (
                "id",
                "registration_id",
                "status",
                "changed_on",
                "reason",
                "counterpart_school_id",
                "revert_reason",
            ),
            [(*c, "") for c in changes],
        )
        self.w.insert(
            GraduationCertificate,
            (
                "id",
                "registration_id",
                "school_id",
                "number",
                "outcome",
                "level",
                "issued_on",
                "status",
                "revoked_on",
                "revoked_reason",
            ),
            certs,
        )
        self.w.insert(
            EmploymentOutcome,
            (
                "id",
                "registration_id",
                "school_id",
                "graduation_year",
                "status",
                "employer_name",
                "enterprise_id",
                "in_field",
                "recorded_on",
            ),
            jobs,
        )
        self.w.insert(
            SkillCertificate,
            (
                "id",
                "person_id",
                "number",
                "occupation_code",
                "occupation_name",
                "level",
                "issued_on",
                "evaluator_id",
            ),
            skills,
        )
        for lst in rows:
            lst.clear()

    def after_school(self, rows: tuple[list, ...]):
        """Called after each school's students; the national scale flushes here."""

    # ---------------------------------------------------------------- training
    def build_training(self):
        from jigong.training.models import TrainingRecord

        rng = self.rng("training")
        tid = self.w.next_id(TrainingRecord)
        weight = {TC: 5, SS: 2, SC: 1}
        school_pick = Picker([(s, weight[s.tier]) for s in self.operating])
        kinds = [(k, w) for k, w, _h, _r in TRAINING_KINDS]
        kind_pick = Picker(kinds)
        spec = {k: (h, r) for k, _w, h, r in TRAINING_KINDS}
        occupations = self.occupations
        rows = []
        task = None
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        if self.progress is not None:
            task = self.progress.add_task("生成 培训记录", total=len(years))
        dgen = idcard.generate
        person_name = names.namer(rng)
        rand, grb = rng.random, rng.getrandbits
        n_occ = len(occupations)
        # rng.randint(lo, hi) as (lo, width, bit length of the width): see _randint
        draw = {k: (h[0], h[1] - h[0] + 1, r[0], r[1] - r[0] + 1) for k, (h, r) in spec.items()}
        draw = {
            k: (hl, hn, hn.bit_length(), rl, rn, rn.bit_length())
            for k, (hl, hn, rl, rn) in draw.items()
        }
        births: dict[int, list] = {}  # year of birth → its first 365 days
        money: dict[int, Decimal] = {}  # cents → revenue
        # the two Pickers inlined: the same random() per pick
        school_items, school_cum, school_total = (
            school_pick.items,
            school_pick.cum,
            school_pick.total,
        )
        kind_items = [(k, *draw[k]) for k in kind_pick.items]
        kind_cum, kind_total = kind_pick.cum, kind_pick.total
        for year in years:
            n = int(self.scale.training_per_year * (0.9 + 0.05 * (year - FIRST_YEAR)))
            jan1 = datetime.date(year, 1, 1)
            # the year's days by offset from 1 January, past its end as far as a course runs
            days = [jan1 + datetime.timedelta(days=d) for d in range(300 + 800 // 6 + 1)]
            last = (datetime.date(year, 12, 31) - jan1).days
            dec28 = datetime.date(year, 12, 28)
            for _ in range(n):
                s = school_items[bisect(school_cum, rand() * school_total)]  # school_pick(rng)
                kind, hlo, hn, hk, rlo, rn, rk = kind_items[bisect(kind_cum, rand() * kind_total)]
                r = grb(hk)  # hours = rng.randint(hlo, hhi)
                while r >= hn:
                    r = grb(hk)
                hours = hlo + r
                r = grb(9)  # start offset = rng.randint(4, 300)
                while r >= 297:
                    r = grb(9)
                start = 4 + r
                started = days[start]
                end = hours // 6
                end = start + (end if end > 3 else 3)
                ended = days[end] if end <= last else dec28
                sex = "M" if rand() < 0.56 else "F"
                r = grb(6)  # age = rng.randint(18, 55)
                while r >= 38:
                    r = grb(6)
                by = year - 18 - r
                if by not in births:
                    first = datetime.date(by, 1, 1)
                    births[by] = [first + datetime.timedelta(days=d) for d in range(365)]
                r = grb(9)  # day = rng.randint(0, 364)
                while r >= 365:
                    r = grb(9)
                birth = births[by][r]
                code = (
                    s.district_code
                    if rand() < 0.7
                    else self.area_code(rng, "50", s.district_code, by)
                )
                if code in RETIRED and by < RETIRED_UNTIL[code]:
                    code = RETIRED[code]
                occ = occupations[int(rand() * n_occ)]
                social = rand() < 0.85
                if social:
                    r = grb(rk)  # rate = rng.randint(rlo, rhi)
                    while r >= rn:
                        r = grb(rk)
                    cents = hours * (rlo + r) * 100
                else:
                    cents = 0
                revenue = money.get(cents)
                if revenue is None:
                    revenue = money[cents] = Decimal(cents).scaleb(-2)
                rows.append(
                    (
                        tid,
                        s.id,
                        person_name(sex),
                        dgen(rng, code, birth, sex),
                        kind,
                        occ[0],
                        occ[1],
                        hours,
                        started,
                        ended,
                        year,
                        revenue,
                        social,
                    )
                )
                tid += 1
            self.after_training_year(rows)
            if task is not None:
                self.progress.advance(task)
        self.write_training(rows)

    def after_training_year(self, rows: list):
        """Called after each year's training records; the national scale flushes here."""

    def write_training(self, rows: list):
        from jigong.training.models import TrainingRecord

        self.w.insert(
            TrainingRecord,
            (
                "id",
                "school_id",
                "trainee_name",
                "trainee_id_number",
                "kind",
                "occupation_code",
                "occupation_name",
                "hours",
                "started_on",
                "ended_on",
                "year",
                "revenue",
                "is_social",
            ),
            rows,
        )
        rows.clear()

    # ---------------------------------------------------------------- users
    def password_hashes(self, pool: ThreadPoolExecutor | None = None) -> dict:
        """role → the demo password's hash (salt from the "users" stream), each a future
        when ``pool`` is given: PBKDF2 takes most of a second per password and hashlib
        releases the GIL, so ``build`` starts them first and they run beside the rows."""
        rng = self.rng("users")
        out = {}
        for role, pw in PASSWORDS.items():
            salt = "".join(
                rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                for _ in range(22)
            )
            out[role] = (
                pool.submit(make_password, pw, salt=salt) if pool else make_password(pw, salt=salt)
            )
        return out

    @staticmethod
    def _graduate():
        """(person id, name) of the demo graduate's account: the first valid certificate's."""
        from jigong.certificates.models import GraduationCertificate

        return (
            GraduationCertificate.objects.filter(status="valid")
            .order_by("id")
            .values_list("registration__person_id", "registration__person__name")
            .first()
        )

    def link_graduate_user(self):
        """Serving build: the accounts were written before the students; give the
        graduate's account its person now (the same row a one-pass build writes)."""
        from jigong.core.models import User

        graduate = self._graduate()
        if graduate:
            User.objects.filter(username="grad", person__isnull=True).update(
                person_id=graduate[0], display_name=graduate[1]
            )

    def build_users(self):
        from jigong.core.models import ROLE_DUTIES, Role, User

        if self.hashing is not None:
            hashes = {role: f.result() for role, f in self.hashing.items()}
        else:
            hashes = self.password_hashes()
        uid = self.w.next_id(User)
        rows, creds = [], []
        # date_joined: fixed, so that rows are identical across runs
        joined = datetime.datetime(2025, 12, 31, 9, 0, tzinfo=datetime.UTC)

        def add(
            username,
            role,
            *,
            display,
            superuser=False,
            staff=False,
            district=None,
            school=None,
            key=None,
            person=None,
            scope="",
            duties=None,
        ):
            nonlocal uid
            rows.append(
                User(
                    id=uid,
                    username=username,
                    password=hashes[key or role],
                    role=role,
                    is_superuser=superuser,
                    is_staff=staff,
                    is_active=True,
                    display_name=display,
                    district_id=district,
                    school_id=school,
                    person_id=person,
                    date_joined=joined,
                    duties=duties,
                )
            )
            creds.append((username, PASSWORDS[key or role], str(Role(role).label), scope))
            uid += 1

        add(
            "admin",
            Role.MUNICIPAL,
            display="系统管理员",
            superuser=True,
            staff=True,
            key="admin",
            scope="全部（超级用户）",
        )
        add("city", Role.MUNICIPAL, display="市人社局职业能力建设处", staff=True, scope="全市")
        for dcode in sorted({s.district_code for s in self.schools}):
            d = self.districts[dcode]
            add(
                f"district-{dcode}",
                Role.DISTRICT,
                display=f"{d.name}人力资源和社会保障局",
                district=d.id,
                scope=d.name,
            )
        for s in self.schools:
            add(
                f"school-{s.code}",
                Role.SCHOOL,
                display=f"{s.name}管理员",
                school=s.id,
                scope=s.name,
                duties=list(ROLE_DUTIES[Role.SCHOOL]),  # 管理员 and every clerk's duty
            )
        # clerks with narrower duties (issue 15) at the first school: 学籍 only, 证书 only
        first = self.schools[0]
        for suffix, duty, label in CLERKS:
            add(
                f"clerk-{first.code}-{suffix}",
                Role.SCHOOL,
                display=f"{first.name}{label}员",
                school=first.id,
                scope=f"{first.name}（{label}）",
                duties=[duty],
            )
        add("dept", Role.DEPARTMENT, display="市征兵办证书核验接口", scope="证书核验接口")
        graduate = self._graduate()
        add(
            "grad",
            Role.GRADUATE,
            display=graduate[1] if graduate else "毕业生",
            person=graduate[0] if graduate else None,
            scope="本人记录",
        )
        t0 = time.perf_counter()
        with transaction.atomic():
            User.objects.bulk_create(rows, batch_size=500)
            from jigong.core.services import bulk_created

            bulk_created(self.w.actor, User, len(rows), self.w.message)
        self.w.stats.tables.append(
            TableStat(
                User._meta.label, User._meta.db_table, (), len(rows), time.perf_counter() - t0
            )
        )
        self.w.models.append(User)
        self.w.stats.credentials = creds

    # ---------------------------------------------------------------- workflows
    def _tier_upgrades(self, rng, ts) -> tuple[list[tuple], list[tuple]]:
        """晋级 (（二十一）): one 高级技校 raised from 技工学校 (approved, effective before its
        first major opened, so every record of it is judged by its tier on its date) and
        one 技工学校 whose application waits for its district."""
        from jigong.schools.models import TierChange
        from jigong.workflows import models as wm

        apps, changes = [], []
        uid = self.w.next_id(wm.TierUpgradeApplication)
        cid = self.w.next_id(TierChange)
        summary = "校园、实训设备与师资已按上一层次设置标准配置，申请晋级。"

        def figures(s):
            majors = {m["name"] for lvl in s.majors for _i, m, _y in s.majors[lvl]}
            return rng.randint(1500, 4000), rng.randint(80, 200), len(majors)

        raised = next((s for s in self.operating if s.tier == SS and s.status == "operating"), None)
        if raised is not None:
            year = max(raised.founded.year, 2008)
            start = self.wf.moment(rng, datetime.date(year - 1, 9, 1), 20)
            path = ["submit", "district_forward", "approve"]
            state, made, changed = self.wf.walk(rng, "tier_upgrade", uid, raised, start, path)
            effective = datetime.date(year, 1, 1)
            decision = (
                f"晋级申请第{uid}号经市人社局批准：渝人社〔{year - 1}〕{rng.randint(10, 300)}号"
            )
            changes.append((cid, raised.id, SC, SS, effective, decision, ts(changed)))
            row = (uid, state, ts(changed), None, ts(made), raised.id, SC, SS)
            apps.append((*row, *figures(raised), summary, effective, cid))
            uid += 1
        applicant = next(
            (s for s in reversed(self.operating) if s.tier == SC and s.status == "operating"), None
        )
        if applicant is not None:
            start = self.wf.moment(rng, datetime.date(2025, 11, 20), 10)
            state, made, changed = self.wf.walk(
                rng, "tier_upgrade", uid, applicant, start, ["submit"]
            )
            due = self.wf.due(wm.TierUpgradeApplication(), state, changed)
            row = (uid, state, ts(changed), due, ts(made), applicant.id, SC, SS)
            apps.append((*row, *figures(applicant), summary, None, None))
        return apps, changes

    def build_workflows(self):
        """Workflow records of 2024–2026 (plans, brochure and internship filings, the
        founding application) with their steps in varied states, the curriculum
        records of 2021–2025, and the rest of the procedures (``procedures``: 双优
        rounds, catalogue adjustments, pay supplements, qualification lists). Rows are
        bulk-written like the rest (one audit row per table); each step names the demo
        user of the acting role."""
        from jigong.core.models import User
        from jigong.workflows import models as wm

        rng = self.rng("workflows")
        users = {
            u.username: u
            for u in User.objects.filter(
                Q(username="city") | Q(school__isnull=False) | Q(username__startswith="district-")
            )
        }
        self.wf = WorkflowRows(self, users)
        plans, lines, brochures, internships, curriculum = [], [], [], [], []
        plan_id, line_id = self.w.next_id(wm.EnrolmentPlan), self.w.next_id(wm.EnrolmentPlanLine)
        bro_id, int_id = self.w.next_id(wm.BrochureFiling), self.w.next_id(wm.InternshipFiling)
        cur_id = self.w.next_id(wm.CurriculumRecord)
        # how far the items still in progress on AS_OF got, by weight
        pending = Picker([("draft", 3), ("submitted", 3), ("returned", 2), ("reviewed", 2)])
        ts = connection.ops.adapt_datetimefield_value
        enrolling = [s for s in self.operating if s.status == "operating"]
        cross_quotas = []  # 2026 plans of the schools that enrol online (demo.admissions)
        for n_school, s in enumerate(enrolling):
            online_2026 = n_school % 3 != 2  # two schools in three: plan and brochure done
            opened = [(smid, lvl) for lvl in (I, A, T) for smid, _m, y in s.majors.get(lvl, ())]
            for year in (2024, 2025, 2026):
                # 招生计划: filed in the spring before the year's intake
                quota = {
                    smid: max(
                        5, round(self.scale.intake[s.tier] / len(opened) * rng.uniform(0.7, 1.3))
                    )
                    for smid, _lvl in opened
                }
                start = self.wf.moment(rng, datetime.date(year - 1, 11, 1), 20)
                if year < 2026:
                    path = ["submit", "district_approve", "approve"]
                    if rng.random() < 0.15:
                        path = ["submit", "district_return", "submit", *path[1:]]
                else:
                    path = PLAN_PATHS[pending(rng)]
                    if n_school == 2:  # the first school not enrolling online: 待市局审批
                        path = PLAN_PATHS["reviewed"]
                    elif n_school == 5:  # the second: returned once, 待区县审核 again
                        path = ["submit", "district_return", "submit"]
                    if online_2026:  # approved by the end of 2025, with partner quotas
                        path = ["submit", "district_approve", "approve"]
                        if s.tier != SC:
                            cross_quotas += [(plan_id, p, 5) for p in ("53", "52", "51")]
                state, made, changed = self.wf.walk(rng, "enrolment_plan", plan_id, s, start, path)
                due = self.wf.due(wm.EnrolmentPlan(year=year), state, changed)
                plans.append((plan_id, state, ts(changed), due, ts(made), s.id, year, ""))
                for smid, quota_n in quota.items():
                    lines.append((line_id, plan_id, smid, quota_n))
                    line_id += 1
                plan_id += 1
                # 招生简章备案: after the plan, published once filed
                if year < 2026:
                    start = self.wf.moment(rng, datetime.date(year, 2, 20), 40)
                    path = ["submit", "approve", "publish"]
                    if rng.random() < 0.12:
                        path = ["submit", "return", "submit", *path[1:]]
                else:
                    start = self.wf.moment(rng, datetime.date(2025, 12, 1), 10)
                    path = BROCHURE_PATHS[pending(rng)]
                    if n_school == 2:  # a filing returned to its school
                        path = BROCHURE_PATHS["returned"]
                    if online_2026:
                        path = BROCHURE_PATHS["reviewed"]  # 备案通过
                state, made, changed = self.wf.walk(rng, "brochure", bro_id, s, start, path)
                total = sum(quota.values())
                cross = s.tier != SC and rng.random() < 0.5
                # 非全日制 (（十）): every 技师学院 and 高级技校, every other 技工学校
                part_time = s.tier != SC or n_school % 2 == 0
                brochures.append(
                    (
                        bro_id,
                        state,
                        ts(changed),
                        self.wf.due(wm.BrochureFiling(year=year), state, changed),
                        ts(made),
                        s.id,
                        year,
                        f"{s.name}{year}年招生简章",
                        total,
                        "应往届初高中毕业生"
                        + ("、企业在岗职工" if part_time else "")
                        + ("、退役军人" if s.tier == TC else ""),
                        "both" if part_time else "full_time",
                        cross,
                        f"023-{rng.randint(6000_0000, 8999_9999)}",
                        changed.date() if state == "published" else None,
                    )
                )
                bro_id += 1
            # 实习计划备案: one to three plans starting between March 2025 and May 2026
            for _k in range(rng.randint(1, 3)):
                begin = _rand_date(rng, datetime.date(2025, 3, 1), datetime.date(2026, 5, 1))
                province = "50" if rng.random() < 0.75 else rng.choice(("44", "32", "33", "51"))
                lead = rng.randint(30, 60)  # filed well before the start (（二十一）)
                if begin <= datetime.date(2025, 12, 20):
                    start = self.wf.moment(rng, begin - datetime.timedelta(days=lead), 5)
                    path = ["submit", "approve"]
                    if rng.random() < 0.15:
                        path = ["submit", "return", "submit", "approve"]
                else:
                    start = self.wf.moment(rng, datetime.date(2025, 12, 1), 10)
                    path = INTERNSHIP_PATHS[pending(rng)]
                state, made, changed = self.wf.walk(rng, "internship", int_id, s, start, path)
                e = rng.choice(s.partner_enterprises) if s.partner_enterprises else None
                employer = e[4] if e else names.enterprise_name(rng, "S01")
                majors = sorted({m["name"] for lvl in s.majors for _i, m, _y in s.majors[lvl]})
                probe = wm.InternshipFiling(province=province, start_on=begin)
                internships.append(
                    (
                        int_id,
                        state,
                        ts(changed),
                        self.wf.due(probe, state, changed),
                        ts(made),
                        s.id,
                        f"{begin.year}年{begin.month}月{employer[2:6]}岗位实习",
                        employer,
                        province,
                        regions.PROVINCES[province]
                        if province != "50"
                        else f"重庆市{self.districts[s.district_code].name}",
                        begin,
                        begin + datetime.timedelta(days=rng.choice((90, 120, 180))),
                        rng.randint(20, 120),
                        "、".join(rng.sample(majors, min(2, len(majors)))),
                    )
                )
                int_id += 1
        # 劳动教育与思政课程 (（四）（五）): every operating school, every school year
        for s in self.operating:
            short = "curriculum" in self.weak[s.id]
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                hours = Decimal(rng.choice((16, 18, 20, 24, 32)))
                books = [True, True, year >= 2022 or rng.random() < 0.6]
                if short:
                    hours = Decimal(rng.choice((8, 10, 12)))
                    books[rng.randint(0, 2)] = False
                curriculum.append((cur_id, s.id, year, not short or year < 2023, hours, *books, ""))
                cur_id += 1
        founding, fid = [], self.w.next_id(wm.FoundingApplication)
        for s in self.schools:
            if s.status != "founding":
                continue
            start = self.wf.moment(rng, datetime.date(2025, 11, 10), 20)
            state, made, changed = self.wf.walk(rng, "founding", fid, s, start, ["submit_district"])
            founding.append(
                (
                    fid,
                    state,
                    ts(changed),
                    self.wf.due(wm.FoundingApplication(), state, changed),
                    ts(made),
                    s.id,
                    s.founded,
                    self.scale.intake[SC] * 3,
                    "校园、实训设备与师资按技工学校设置标准配置，首批开设3个专业。",
                )
            )
        upgrades, tier_changes = self._tier_upgrades(rng, ts)
        item = ("id", "state", "state_changed_at", "due_on", "created_at", "school_id")
        self.w.insert(wm.EnrolmentPlan, (*item, "year", "note"), plans)
        self.w.insert(wm.EnrolmentPlanLine, ("id", "plan_id", "school_major_id", "quota"), lines)
        quota_id = self.w.next_id(wm.CrossProvinceQuota)
        self.w.insert(
            wm.CrossProvinceQuota,
            ("id", "plan_id", "province", "quota"),
            [(quota_id + i, *row) for i, row in enumerate(cross_quotas)],
        )
        self.w.insert(
            wm.BrochureFiling,
            (
                *item,
                "year",
                "title",
                "total_quota",
                "target_groups",
                "tracks",
                "cross_province",
                "contact",
                "published_on",
            ),
            brochures,
        )
        self.w.insert(
            wm.InternshipFiling,
            (
                *item,
                "title",
                "enterprise",
                "province",
                "location",
                "start_on",
                "end_on",
                "students",
                "majors",
            ),
            internships,
        )
        self.w.insert(
            wm.FoundingApplication,
            (*item, "founding_started_on", "planned_students", "summary"),
            founding,
        )
        from jigong.schools.models import TierChange

        self.w.insert(
            TierChange,
            ("id", "school_id", "from_tier", "to_tier", "effective_on", "decision", "created_at"),
            tier_changes,
        )
        self.w.insert(
            wm.TierUpgradeApplication,
            (
                *item,
                "from_tier",
                "to_tier",
                "stated_students",
                "stated_teachers",
                "stated_majors",
                "summary",
                "effective_on",
                "tier_change_id",
            ),
            upgrades,
        )
        self.w.insert(
            wm.CurriculumRecord,
            (
                "id",
                "school_id",
                "year",
                "labour_course",
                "labour_spirit_hours",
                "ideology_textbook",
                "chinese_textbook",
                "history_textbook",
                "note",
            ),
            curriculum,
        )
        from jigong.demo import procedures

        procedures.build(self, brochures)
        self.w.insert(
            wm.Step,
            (
                "id",
                "kind",
                "item_id",
                "action",
                "action_label",
                "from_state",
                "to_state",
                "acted_by_id",
                "actor_name",
                "actor_role",
                "at",
                "comment",
                "school_id",
                "district_id",
            ),
            self.wf.step_rows(self.w.next_id(wm.Step)),
        )


# Paths of the items still in progress on AS_OF, by how far they got.
PLAN_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "district_return"],
    "reviewed": ["submit", "district_approve"],  # 待市局审批
}
BROCHURE_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "reviewed": ["submit", "approve"],  # 备案通过, not yet published
}
INTERNSHIP_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "reviewed": ["submit", "approve"],
}
RETURN_COMMENTS = {  # the bureau's reason, by kind
    "enrolment_plan": (
        "专业计划数与办学条件不符，请核减后重新提交",
        "请补充跨省合作招生计划的说明",
    ),
    "brochure": ("招生对象表述不规范，请按规定修改", "简章未写明收费标准和资助政策，请补充"),
    "internship": (
        "缺少实习单位安全保障协议，请补充后重新提交",
        "实习岗位与所学专业不对口，请调整",
    ),
    ("major_adjustment", "return"): (
        "请补充该专业近三年招生、就业情况及师资、实训条件说明",
        "调整理由未说明对接的重点产业链，请补充后重新提交",
    ),
    ("major_adjustment", "reject"): (
        "该专业与本市重点产业链匹配度不足，且区域内同类专业布点已饱和，不予批准",
        "实训设备和专任教师不满足开设条件，不予批准",
    ),
    ("qualification", "reopen"): (
        "部分学校招生简章尚在备案中，请备案完成后重新计算",
        "名单中有学校办学状态变更，请重新计算后再审核",
    ),
}
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class WorkflowRows:
    """Steps of the demo's workflow items: a "创建" step, then each transition of a path,
    a few days apart, by the demo user of the transition's role."""

    def __init__(self, world: World, users: dict):
        self.world = world
        self.users = users
        self.steps: list[list] = []  # rows without the id, in creation order

    @staticmethod
    def moment(rng, day: datetime.date, spread_days: int) -> datetime.datetime:
        day = day + datetime.timedelta(days=rng.randint(0, spread_days))
        return datetime.datetime(
            day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=SHANGHAI
        )

    def actor(self, role: str, school: SchoolInfo | None):
        from jigong.core.models import Role

        if school is None or role not in (Role.SCHOOL, Role.DISTRICT):
            return self.users["city"]
        if role == Role.SCHOOL:
            return self.users[f"school-{school.code}"]
        return self.users[f"district-{school.district_code}"]

    def walk(self, rng, kind: str, item_id: int, school: SchoolInfo | None, start, path: list[str]):
        """(final state, created at, state changed at) of an item created at ``start``."""
        from django.utils.translation import gettext

        from jigong.core.models import Role
        from jigong.workflows.machine import WORKFLOWS

        wf = WORKFLOWS[kind]
        state, at = wf.initial, start
        if school is None:  # a city-level item: created by the municipal bureau, no scope
            me, ids = self.users["city"], (None, None)
        else:
            me = self.actor(Role.SCHOOL, school)
            ids = (school.id, self.world.district_ids[school.district_code])
        out = [(at, kind, item_id, "create", gettext("创建"), "", state, me, "", *ids)]
        for action in path:
            t = wf.transition(action)
            role = sorted(t.roles)[0]
            at = at + datetime.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 5))
            reasons = RETURN_COMMENTS.get((kind, action)) or RETURN_COMMENTS.get(kind)
            comment = rng.choice(reasons) if t.comment_required else ""
            user = self.actor(role, school)
            target = t.target or state  # a transition without a target keeps the state
            out.append(
                (at, kind, item_id, action, str(t.label), state, target, user, comment, *ids)
            )
            state = target
        self.steps.extend(out)
        return state, start, at

    @staticmethod
    def due(probe, state: str, entered: datetime.datetime) -> datetime.date | None:
        s = probe.workflow.state(state)
        return None if s.deadline is None else s.deadline.due(probe, entered.date())

    def step_rows(self, first_id: int) -> list[tuple]:
        ts = connection.ops.adapt_datetimefield_value
        rows = []
        for i, (at, kind, item_id, action, label, src, dst, user, comment, sid, did) in enumerate(
            sorted(self.steps, key=lambda st: (st[0], st[1], st[2])), start=first_id
        ):
            who = (user.pk, str(user), user.role)
            rows.append(
                (i, kind, item_id, action, label, src, dst, *who, ts(at), comment, sid, did)
            )
        return rows


def hash_fraction(seed: int, key: str) -> float:
    """A stable pseudo-random fraction in [0, 1) for (seed, key)."""
    h = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


# --------------------------------------------------------------------------- reset


def demo_models():
    """Models the demo fills (children before parents is worked out by ``wipe``)."""
    from django.apps import apps

    labels = (
        "schools",
        "students",
        "certificates",
        "training",
        "employment",
        "cooperation",
        "staff",
    )
    found = []
    for app in apps.get_app_configs():
        if not app.name.startswith("jigong.") or app.label in ("reference", "core"):
            continue
        if app.label not in labels and not app.get_models():
            continue
        found.extend(app.get_models(include_auto_created=True))
    return found


def existing_data() -> str:
    """A short description of demo-relevant data already present ('' if none)."""
    from jigong.core.models import User
    from jigong.schools.models import School
    from jigong.students.models import Person

    parts = []
    if n := School.objects.count():
        parts.append(f"学校 {n} 所")
    if n := Person.objects.count():
        parts.append(f"学生 {n} 人")
    if User.objects.filter(username__in=("admin", "city", "dept", "grad")).exists():
        parts.append("演示用户")
    return "，".join(parts)


def wipe() -> None:
    """Delete every row of the demo-generated tables and the demo users.

    On SQLite, outside a transaction, foreign-key enforcement is off while the tables
    are emptied: a ``DELETE`` without ``WHERE`` then frees the table's pages at once
    instead of deleting and checking row by row (the full world: ~34 s → ~4 s). The
    foreign keys of the whole database are checked before the commit instead, so a
    wipe that would leave a dangling reference still fails and changes nothing."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.constraint_checks_disabled():
            _wipe(check=True)
    else:
        _wipe(check=False)


@transaction.atomic
def _wipe(*, check: bool) -> None:
    from django.contrib.admin.models import LogEntry
    from django.db.models import Q

    from jigong.core.models import AuditLog, User

    models = demo_models()
    remaining = list(models)
    order = []
    while remaining:
        progressed = False
        for m in list(remaining):
            referenced = any(
                f.related_model is m
                for other in remaining
                if other is not m
                for f in other._meta.concrete_fields
                if f.is_relation
            )
            if not referenced:
                order.append(m)
                remaining.remove(m)
                progressed = True
        if not progressed:  # a cycle: fall back to the given order
            order.extend(remaining)
            break
    users = User.objects.filter(
        Q(school__isnull=False)
        | Q(username__in=("admin", "city", "dept", "grad"))
        | Q(username__startswith="district-")
    )
    user_ids = list(users.values_list("pk", flat=True))
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        AuditLog.objects.filter(actor_id__in=user_ids).update(actor=None)
        LogEntry.objects.filter(user_id__in=user_ids).delete()
        # users point at schools: remove them before the schools go
        for m in order:
            if m._meta.db_table == "schools_school":
                User.objects.filter(pk__in=user_ids).delete()
            cur.execute(f"DELETE FROM {qn(m._meta.db_table)}")
        User.objects.filter(pk__in=user_ids).delete()
    if check:
        connection.check_constraints()


# --------------------------------------------------------------------------- entry


def build(
    *, seed: int = 2025, scale: str = "full", progress=None, actor=None, serving: bool = False
) -> Stats:
    """Generate the demo world into the (empty) demo tables and return row statistics.

    ``serving``: the platform runs beside the build (`jigong up`): the accounts are
    written right after the schools, so log-ins work from the first seconds, and rows
    are committed batch by batch. The finished world is the same."""
    sc = SCALES[scale]
    t0 = time.perf_counter()
    writer = Writer(progress, actor, f"演示数据（scale={scale}, seed={seed}）", serving=serving)
    world = World(seed, sc, writer, progress)
    with build_connection(), collector_paused(), ThreadPoolExecutor(max_workers=1) as pool:
        world.hashing = world.password_hashes(pool)
        world.load_reference()
        world.build_schools()
        if serving:
            world.build_users()
        world.build_enterprises()
        world.build_majors()
        world.build_cooperation()
        world.build_teachers()
        world.build_students()
        if serving:
            world.link_graduate_user()
        world.build_training()
        if not serving:
            world.build_users()
        world.build_workflows()
        writer.reset_sequences()
    from jigong.demo import admissions

    admissions.build(seed=seed, scale=scale)  # through the acts, on the world just written
    writer.stats.seconds = time.perf_counter() - t0
    return writer.stats


BaseKindLabel = {"ideology_base": "思政课师资研修基地", "integrated_base": "一体化师资研修基地"}
TEXTBOOK_SUBJECTS = (
    "数控车削加工",
    "电工基础",
    "汽车维修基础",
    "焊接工艺",
    "工业机器人编程",
    "智能网联汽车技术",
    "电子商务实务",
    "烹饪工艺",
    "钳工技能训练",
    "计算机网络应用",
)


DIGEST_COLUMNS = {
    "schools.School": (
        "code",
        "name",
        "tier",
        "district_id",
        "credit_code",
        "status",
        "campus_network_coverage",
    ),
    "schools.SchoolDesignation": ("school_id", "kind", "year"),
    "schools.SchoolMajor": ("school_id", "major_id", "level", "status", "opened_year"),
    "cooperation.Enterprise": ("credit_code", "name", "district_id", "industry_chain_id"),
    "cooperation.CooperationAgreement": (
        "school_id",
        "enterprise_id",
        "kind",
        "title",
        "started_on",
        "ended_on",
    ),
    "students.Person": ("id_number", "name", "sex", "birth_date", "home_province"),
    "students.Registration": (
        "person_id",
        "school_id",
        "major_id",
        "level",
        "track",
        "source",
        "enrolled_on",
        "status",
        "cooperation_id",
    ),
    "students.StatusChange": ("registration_id", "status", "changed_on"),
    "certificates.GraduationCertificate": ("registration_id", "number", "level", "issued_on"),
    "certificates.SkillCertificate": (
        "person_id",
        "number",
        "occupation_code",
        "level",
        "evaluator_id",
    ),
    "employment.EmploymentOutcome": ("registration_id", "status", "employer_name", "in_field"),
    "training.TrainingRecord": (
        "school_id",
        "trainee_name",
        "trainee_id_number",
        "kind",
        "hours",
        "started_on",
        "revenue",
    ),
    "staff.Teacher": ("school_id", "name", "id_number", "kind", "enterprise_id"),
    "core.User": ("username", "role", "district_id", "school_id", "password"),
    "workflows.EnrolmentPlan": ("school_id", "year", "state", "state_changed_at", "due_on"),
    "workflows.EnrolmentPlanLine": ("plan_id", "school_major_id", "quota"),
    "workflows.BrochureFiling": ("school_id", "year", "state", "total_quota", "published_on"),
    "workflows.InternshipFiling": ("school_id", "state", "enterprise", "province", "start_on"),
    "workflows.CurriculumRecord": ("school_id", "year", "labour_spirit_hours", "history_textbook"),
    "workflows.DesignationRound": ("year", "kind", "state", "state_changed_at", "note"),
    "workflows.MajorAdjustment": (
        "school_id",
        "action",
        "school_major_id",
        "major_id",
        "level",
        "state",
        "state_changed_at",
        "due_on",
        "match_before",
        "match_after",
    ),
    "workflows.MajorAdjustment_chains": ("majoradjustment_id", "industrychain_id"),
    "workflows.OtherTrainingRevenue": ("school_id", "year", "amount", "description"),
    "workflows.PaySupplementCalc": ("school_id", "year", "rate", "excellent", "revenue", "amount"),
    "workflows.QualificationList": ("year", "state", "computed_at", "published_at"),
    "workflows.QualificationEntry": (
        "qualification_list_id",
        "school_id",
        "school_status",
        "brochure_approved",
        "qualified",
        "reasons",
    ),
    "workflows.Step": ("kind", "item_id", "action", "to_state", "acted_by_id", "at", "comment"),
}


def digest() -> str:
    """SHA-256 over the key columns of the demo tables, ordered by id (ID numbers
    opened: the digest does not depend on the site's PII key)."""
    from django.apps import apps

    h = hashlib.sha256()
    for label, cols in DIGEST_COLUMNS.items():
        model = apps.get_model(label)
        qs = pii.values_list(model._base_manager.order_by("pk"), "pk", *cols)
        if label == "core.User":
            qs = qs.exclude(username__in=()).order_by("username")
        h.update(label.encode())
        for row in qs.iterator(chunk_size=10_000):
            h.update(repr(row).encode())
    return h.hexdigest()
