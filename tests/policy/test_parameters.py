"""The parameter table: every figure dated and cited; lookups by date; no Django."""

import ast
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import jigong.policy
from jigong.policy import parameters as P
from jigong.policy import rules

REFERENCE = "渝人社发〔2022〕32号"
NUMERALS = "一二三四五六七八九"
POLICY_DIR = Path(jigong.policy.__file__).parent


def clause_number(clause: str) -> int:
    """（二十四） → 24."""
    m = re.fullmatch(r"（([一二三四五六七八九十]+)）", clause)
    assert m, f"bad clause {clause!r}"
    text = m[1]
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return NUMERALS.index(text) + 1
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        NUMERALS.index(ones) + 1 if ones else 0
    )


def test_clause_number() -> None:
    assert [
        clause_number(c) for c in ("（二）", "（十）", "（十六）", "（二十）", "（二十四）")
    ] == [
        2,
        10,
        16,
        20,
        24,
    ]


REQUIRED = {
    "classes.levels_standard",
    "classes.levels_explored",
    "certificates.equivalence",
    "certificates.equivalence_uses",
    "targets.students_in_school_min",
    "targets.employment_rate_min",
    "targets.training_person_times_min",
    "pay_supplement.rate_min",
    "pay_supplement.rate_max",
    "pay_supplement.excellent_extra_max",
    "education.labour_spirit_hours_min",
    "recruitment.practical_test_weight_min",
    "targets.major_industry_match_min",
    "targets.quality_schools",
    "targets.quality_majors",
    "targets.alliances_min",
    "targets.alliances_max",
    "management.campus_network_coverage",
    "enrolment.part_time_enterprise_min_months",
    "enrolment.cross_province_partners",
    "management.internship_filing_lead_days",
    "quality.weight.professional_ethics",
}


def test_required_parameters_exist() -> None:
    names = P.all()
    assert names == sorted(names)
    assert set(names) >= REQUIRED


@pytest.mark.parametrize("name", P.all())
def test_every_value_is_dated_and_cited(name: str) -> None:
    rows = P.history(name)
    assert rows
    for c in rows:
        assert isinstance(c.start, date)
        assert c.end is None or c.end >= c.start
        assert 1 <= clause_number(c.clause) <= 25  # the policy has clauses （一）…（二十五）
        assert c.reference == REFERENCE
        assert c.description and c.unit
        assert c.source in P.SOURCES
        if c.source == "platform":
            assert c.note, "a platform value must say why"


def test_policy_dates() -> None:
    policy_day = date(2022, 7, 22)
    for name in P.all():
        c = P.history(name)[0]
        if name.startswith("targets.") and c.end:
            assert (c.start, c.end) == (date(2021, 1, 1), date(2025, 12, 31))
        elif name != "classes.levels_standard":
            assert c.start == policy_day, name


def test_cite_and_get() -> None:
    c = P.cite("targets.students_in_school_min", on=date(2023, 1, 1))
    assert (c.value, c.clause, c.start, c.end, c.unit) == (
        120000,
        "（二）",
        date(2021, 1, 1),
        date(2025, 12, 31),
        "人",
    )
    assert "在校生" in c.description
    assert P.get("targets.students_in_school_min", on=date(2021, 1, 1)) == 120000
    assert P.get("targets.students_in_school_min", on=date(2025, 12, 31)) == 120000
    assert P.get("pay_supplement.rate_max", date(2022, 7, 22)) == 0.20


@pytest.mark.parametrize("on", [date(2020, 12, 31), date(2026, 1, 1)])
def test_outside_validity_raises(on: date) -> None:
    with pytest.raises(P.ParameterNotInForce) as info:
        P.get("targets.employment_rate_min", on=on)
    assert "没有有效取值" in info.value.message
    assert info.value.name == "targets.employment_rate_min"


def test_before_policy_raises_for_an_internal_lookup() -> None:
    """``get`` of a not-applicable parameter is an internal error: rules ask ``applies``."""
    with pytest.raises(P.ParameterNotInForce):
        P.get("pay_supplement.rate_min", date(2022, 7, 21))


def test_unknown_parameter_raises() -> None:
    with pytest.raises(P.ParameterNotFound) as info:
        P.get("targets.nonexistent", date(2023, 1, 1))
    assert info.value.message == "政策参数“targets.nonexistent”不存在"
    with pytest.raises(LookupError):
        P.cite("nope", date(2023, 1, 1))


def test_loaded_once() -> None:
    P.all()
    before = P._table.cache_info()
    for _ in range(3):
        P.get("targets.quality_schools", date(2023, 1, 1))
    after = P._table.cache_info()
    assert after.misses == before.misses


def test_platform_parameters_are_marked() -> None:
    on = date(2023, 1, 1)
    assert P.cite("management.internship_filing_lead_days", on).source == "platform"
    for dim in rules.QUALITY_DIMENSIONS:
        c = P.cite(f"quality.weight.{dim}", on)
        assert (c.source, c.clause, c.value) == ("platform", "（二十四）", 0.25)
    assert sum(rules.quality_weights(on).values()) == 1
    assert P.cite("targets.students_in_school_min", on).source == "policy"


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"unit": "人", "values": []}, "missing description"),
        (
            {"description": "x", "unit": "人", "values": [{"value": 1, "start": "2022-07-22"}]},
            "missing clause",
        ),
        (
            {
                "description": "x",
                "unit": "人",
                "values": [
                    {"value": 1, "start": "2022-07-22", "clause": "（一）", "reference": REFERENCE},
                    {"value": 2, "start": "2023-01-01", "clause": "（一）", "reference": REFERENCE},
                ],
            },
            "overlap",
        ),
        (
            {
                "description": "x",
                "unit": "人",
                "values": [
                    {
                        "value": 1,
                        "start": "2022-07-22",
                        "clause": "（一）",
                        "reference": REFERENCE,
                        "source": "platform",
                    }
                ],
            },
            "needs a note",
        ),
        (
            {
                "description": "x",
                "unit": "人",
                "before": "apply_last",
                "values": [
                    {"value": 1, "start": "2022-07-22", "clause": "（一）", "reference": REFERENCE}
                ],
            },
            "before must be one of",
        ),
        (
            {
                "description": "x",
                "unit": "人",
                "befor": "apply_first",
                "values": [
                    {"value": 1, "start": "2022-07-22", "clause": "（一）", "reference": REFERENCE}
                ],
            },
            "unknown keys",
        ),
        ({"description": "x", "unit": "人", "values": []}, "no values"),
    ],
)
def test_loader_rejects_malformed(spec: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        P._parameter("x.y", spec)


def _one(before: str | None) -> P.Parameter:
    spec = {
        "description": "x",
        "unit": "人",
        "values": [
            {
                "value": 1,
                "start": "2022-07-22",
                "end": "2023-12-31",
                "clause": "（一）",
                "reference": REFERENCE,
            }
        ],
    }
    if before:
        spec["before"] = before
    return P._parameter("x.y", spec)


def test_before_decides_dates_before_the_first_value() -> None:
    early, late = date(2019, 1, 1), date(2024, 1, 1)
    assert _one(None).before == "not_applicable"
    assert _one(None).citation(early) is None  # the default: the rule does not apply
    assert _one("apply_first").citation(early).value == 1
    assert _one("apply_first").citation(date(2022, 7, 22)).value == 1
    for before in ("not_applicable", "apply_first"):  # after the end: never covered
        assert _one(before).citation(late) is None


def test_applies_and_cite_follow_before() -> None:
    early = date(2019, 1, 1)
    assert not P.applies("enrolment.part_time_enterprise_min_months", early)
    assert P.applies("enrolment.part_time_enterprise_min_months", date(2022, 7, 22))
    assert P.parameter("certificates.query_log_retention_months").before == "apply_first"
    assert P.applies("certificates.query_log_retention_months", early)
    c = P.cite("certificates.query_log_retention_months", early)
    assert (c.value, c.start) == (6, date(2022, 7, 22))  # the first value, its own dates
    assert not P.applies("targets.employment_rate_min", date(2026, 1, 1))
    with pytest.raises(P.ParameterNotFound):
        P.applies("nope", early)


def test_consecutive_periods_are_read_by_date() -> None:
    rows = P._parameter(
        "x.y",
        {
            "description": "x",
            "unit": "人",
            "values": [
                {"value": 2, "start": "2024-01-01", "clause": "（一）", "reference": REFERENCE},
                {
                    "value": 1,
                    "start": "2022-07-22",
                    "end": "2023-12-31",
                    "clause": "（一）",
                    "reference": REFERENCE,
                },
            ],
        },
    ).values
    assert [c.value for c in rows] == [1, 2]
    assert rows[0].in_force(date(2023, 12, 31)) and rows[1].in_force(date(2024, 1, 1))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(POLICY_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_no_django_import_in_source(path: Path) -> None:
    assert not {m for m in _imported_modules(path) if m.split(".")[0] == "django"}


def test_importing_policy_loads_no_django() -> None:
    code = (
        "import sys, datetime; from jigong.policy import parameters as P, rules; "
        "P.all(); rules.allowed_levels('school', datetime.date(2023, 1, 1)); "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    root = POLICY_DIR.parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
