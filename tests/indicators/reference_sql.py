"""Hand-written SQL for every indicator: the reference the tests compare with, exactly,
and the ceiling `python -m bench indicators` measures against.

Each entry is (FROM … WHERE … clause, numerator aggregate, denominator aggregate or None).
`sql(code, dim, scope)` wraps it as ``SELECT <dim> AS k, num, den … GROUP BY k``; dims
are columns of the joined school ``s`` and district ``d`` (or the row's major). Written
for both SQLite and PostgreSQL; parameters: %(d)s snapshot date, %(y0)s/%(y1)s first
and last day of the year, %(y)s the year, %(c0)s/%(c1)s the cumulative training years,
%(p0)s the first year of the 双优计划.
"""

import datetime

from jigong.core.models import Role

SCHOOL = (
    "JOIN schools_school s ON s.id = {t}.school_id"
    " JOIN reference_district d ON d.id = s.district_id"
)
IN_SCHOOL = "r.enrolled_on <= %(d)s AND (r.left_on IS NULL OR r.left_on > %(d)s)"
NEW = (
    "r.enrolled_on BETWEEN %(y0)s AND %(y1)s AND NOT EXISTS (SELECT 1 FROM students_statuschange c"
    " WHERE c.registration_id = r.id AND c.status = 'transferred_in')"
)
GRADUATED = "r.status = 'graduated' AND r.left_on BETWEEN %(y0)s AND %(y1)s"
CERT = (
    "EXISTS (SELECT 1 FROM certificates_skillcertificate c WHERE c.person_id = r.person_id"
    " AND c.issued_on BETWEEN %(y0)s AND %(y1)s{extra})"
)
REG = "FROM students_registration r " + SCHOOL.format(t="r")
TEACHER_ACTIVE = "t.hired_on <= %(d)s AND (t.left_on IS NULL OR t.left_on > %(d)s)"
KEY_CHAIN = (
    "EXISTS (SELECT 1 FROM schools_schoolmajor_chains x JOIN reference_industrychain ch"
    " ON ch.id = x.industrychain_id JOIN reference_industrycluster cl ON cl.id = ch.cluster_id"
    " WHERE x.schoolmajor_id = sm.id AND cl.is_key = TRUE)"
)

# code -> (from_where, numerator, denominator, major column)
REFERENCE = {
    "students_in_school": (f"{REG} WHERE {IN_SCHOOL}", "COUNT(*)", None, "r.major_id"),
    "students_in_school_full_time": (
        f"{REG} WHERE {IN_SCHOOL} AND r.track = 'full_time'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "students_in_school_part_time": (
        f"{REG} WHERE {IN_SCHOOL} AND r.track = 'part_time'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "new_enrolment": (f"{REG} WHERE {NEW}", "COUNT(*)", None, "r.major_id"),
    "graduates": (f"{REG} WHERE {GRADUATED}", "COUNT(*)", None, "r.major_id"),
    "graduates_intermediate": (
        f"{REG} WHERE {GRADUATED} AND r.level = 'intermediate'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "graduates_advanced": (
        f"{REG} WHERE {GRADUATED} AND r.level = 'advanced'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "graduates_technician": (
        f"{REG} WHERE {GRADUATED} AND r.level = 'technician'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "employment_rate": (
        "FROM employment_employmentoutcome e JOIN students_registration r"
        " ON r.id = e.registration_id " + SCHOOL.format(t="e") + " WHERE e.graduation_year = %(y)s",
        "SUM(CASE WHEN e.status IN ('employed', 'further_study', 'enlisted', 'self_employed')"
        " THEN 1 ELSE 0 END)",
        "COUNT(*)",
        "r.major_id",
    ),
    "training_person_times": (
        "FROM training_trainingrecord tr " + SCHOOL.format(t="tr") + " WHERE tr.year = %(y)s",
        "COUNT(*)",
        None,
        None,
    ),
    "training_person_times_cumulative": (
        "FROM training_trainingrecord tr "
        + SCHOOL.format(t="tr")
        + " WHERE tr.year BETWEEN %(c0)s AND %(c1)s",
        "COUNT(*)",
        None,
        None,
    ),
    "graduate_skill_certificates": (
        f"{REG} WHERE {GRADUATED} AND {CERT.format(extra='')}",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "graduate_skill_certificate_rate": (
        f"{REG} WHERE {GRADUATED}",
        f"SUM(CASE WHEN {CERT.format(extra='')} THEN 1 ELSE 0 END)",
        "COUNT(*)",
        "r.major_id",
    ),
    "technician_certificate_share": (
        f"{REG} WHERE {GRADUATED} AND s.tier = 'technician_college'",
        f"SUM(CASE WHEN {CERT.format(extra=' AND c.level = 2')} THEN 1 ELSE 0 END)",
        "COUNT(*)",
        "r.major_id",
    ),
    "major_industry_match": (
        "FROM schools_schoolmajor sm "
        + SCHOOL.format(t="sm")
        + " WHERE sm.status = 'open' AND sm.opened_year <= %(y)s",
        f"SUM(CASE WHEN {KEY_CHAIN} THEN 1 ELSE 0 END)",
        "COUNT(*)",
        "sm.major_id",
    ),
    # 双优: over the plan, every round up to the year; a school's major once (any level)
    "quality_schools": (
        "FROM schools_schooldesignation sd "
        + SCHOOL.format(t="sd")
        + " WHERE sd.kind = 'quality_school' AND sd.year BETWEEN %(p0)s AND %(y)s",
        "COUNT(DISTINCT sd.school_id)",
        None,
        None,
    ),
    "quality_majors": (
        "FROM schools_qualitymajordesignation q JOIN schools_schoolmajor sm"
        " ON sm.id = q.school_major_id "
        + SCHOOL.format(t="sm")
        + " WHERE q.year BETWEEN %(p0)s AND %(y)s",
        "COUNT(DISTINCT CAST(sm.school_id AS VARCHAR(20)) || '-'"
        " || CAST(sm.major_id AS VARCHAR(20)))",
        None,
        "sm.major_id",
    ),
    "alliances": (
        "FROM cooperation_alliancemember am JOIN cooperation_alliance a ON a.id = am.alliance_id "
        + SCHOOL.format(t="am")
        + " WHERE a.founded_on <= %(d)s AND am.joined_on <= %(d)s",
        "COUNT(DISTINCT am.alliance_id)",
        None,
        None,
    ),
    "cooperation_agreements": (
        "FROM cooperation_cooperationagreement ca "
        + SCHOOL.format(t="ca")
        + " WHERE ca.started_on <= %(y1)s AND (ca.ended_on IS NULL OR ca.ended_on >= %(y0)s)",
        "COUNT(*)",
        None,
        None,
    ),
    "order_named_class_students": (
        f"{REG} JOIN cooperation_cooperationagreement ca ON ca.id = r.cooperation_id"
        f" WHERE {IN_SCHOOL} AND ca.kind IN ('order_class', 'named_class')",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "apprenticeship_registrations": (
        f"{REG} WHERE r.enrolled_on BETWEEN %(y0)s AND %(y1)s"
        " AND r.track = 'part_time' AND r.source = 'enterprise_employee'",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
    "part_time_teacher_share": (
        "FROM staff_teacher t " + SCHOOL.format(t="t") + f" WHERE {TEACHER_ACTIVE}",
        "SUM(CASE WHEN t.kind = 'part_time' THEN 1 ELSE 0 END)",
        "COUNT(*)",
        None,
    ),
    "integrated_teacher_share": (
        "FROM staff_teacher t "
        + SCHOOL.format(t="t")
        + f" WHERE {TEACHER_ACTIVE} AND t.kind = 'full_time'",
        "SUM(CASE WHEN t.integrated_qualified = TRUE THEN 1 ELSE 0 END)",
        "COUNT(*)",
        None,
    ),
    "campus_network_coverage": (
        "FROM schools_school s JOIN reference_district d ON d.id = s.district_id"
        " WHERE s.status IN ('operating', 'suspended')"
        " AND (s.founded_on IS NULL OR s.founded_on <= %(d)s)",
        "SUM(s.campus_network_coverage)",
        "COUNT(*)",
        None,
    ),
    "cross_province_enrolment": (
        f"{REG} JOIN students_person p ON p.id = r.person_id"
        f" WHERE {NEW} AND p.home_province IN ('53', '52', '51')",
        "COUNT(*)",
        None,
        "r.major_id",
    ),
}
for _code in ("53", "52", "51"):
    REFERENCE[f"cross_province_enrolment_{_code}"] = (
        f"{REG} JOIN students_person p ON p.id = r.person_id"
        f" WHERE {NEW} AND p.home_province = '{_code}'",
        "COUNT(*)",
        None,
        "r.major_id",
    )

# （四）（十七）（二十）: bases and titles current at the snapshot date, textbooks from the
# policy's date (%(t0)s) up to it, withdrawn ones not counted
CURRENT = "b.designated_on <= %(d)s AND (b.withdrawn_on IS NULL OR b.withdrawn_on > %(d)s)"
for _code, _kind, _level in (
    ("ideology_bases_national", "ideology_base", "national"),
    ("ideology_bases_municipal", "ideology_base", "municipal"),
    ("integrated_bases_national", "integrated_base", "national"),
    ("integrated_bases_municipal", "integrated_base", "municipal"),
):
    REFERENCE[_code] = (
        "FROM workflows_basedesignation b "
        + SCHOOL.format(t="b")
        + f" WHERE b.kind = '{_kind}' AND b.level = '{_level}' AND {CURRENT}",
        "COUNT(*)",
        None,
        None,
    )
REFERENCE["digital_excellent_schools"] = (
    "FROM workflows_basedesignation b "
    + SCHOOL.format(t="b")
    + f" WHERE b.kind = 'digital_school' AND b.level = 'national' AND {CURRENT}",
    "COUNT(DISTINCT b.school_id)",
    None,
    None,
)
for _code, _kind in (("planned_textbooks", "planned"), ("school_textbooks", "school")):
    REFERENCE[_code] = (
        "FROM workflows_textbook tb "
        + SCHOOL.format(t="tb")
        + f" WHERE tb.kind = '{_kind}' AND tb.approved_on BETWEEN %(t0)s AND %(d)s"
        " AND (tb.withdrawn_on IS NULL OR tb.withdrawn_on > %(d)s)",
        "COUNT(*)",
        None,
        None,
    )

_AID = (
    "FROM workflows_aidrecipient ar JOIN workflows_aidprogramme ap ON ap.id = ar.programme_id "
    + SCHOOL.format(t="ap")
    + " WHERE ar.granted_on BETWEEN %(y0)s AND %(y1)s"
)
REFERENCE["aid_recipients"] = (_AID, "COUNT(*)", None, None)
REFERENCE["aid_amount"] = (_AID, "SUM(ar.amount)", None, None)

# （九） online enrolment: places held in the year's season against the approved plans;
# shares among entrants at a school that was a 技师学院 on the entry date (the tier
# before the earliest later change, else today's); choices from partner provinces
HOLDS = "('admitted', 'confirmed', 'enrolled')"
REFERENCE["plan_fulfilment"] = (
    "FROM (SELECT u.school_id, SUM(u.n) AS n, SUM(u.q) AS q FROM ("
    " SELECT c.school_id, 1 AS n, 0 AS q FROM admissions_choice c"
    " JOIN admissions_application a ON a.id = c.application_id"
    " JOIN admissions_season se ON se.id = a.season_id"
    f" WHERE se.year = %(y)s AND c.state IN {HOLDS}"
    " UNION ALL SELECT p.school_id, 0, l.quota FROM workflows_enrolmentplanline l"
    " JOIN workflows_enrolmentplan p ON p.id = l.plan_id"
    " WHERE p.year = %(y)s AND p.state = 'approved'"
    ") u GROUP BY u.school_id) x " + SCHOOL.format(t="x") + " WHERE 1 = 1",
    "SUM(x.n)",
    "SUM(x.q)",
    None,
)
ENTRY_TIER = (
    "COALESCE((SELECT tc.from_tier FROM schools_tierchange tc WHERE tc.school_id = r.school_id"
    " AND tc.effective_on > r.enrolled_on ORDER BY tc.effective_on, tc.id LIMIT 1), s.tier)"
)
for _code, _counted in (
    (
        "technician_entrants_senior_share",
        "r.source = 'senior_graduate'"
        " OR (r.source = 'previous_graduate' AND r.entry_point = 'senior')",
    ),
    ("technician_entrants_veteran_share", "r.source = 'veteran'"),
    ("technician_entrants_poverty_share", "r.source = 'poverty_family'"),
):
    REFERENCE[_code] = (
        f"{REG} WHERE {NEW} AND {ENTRY_TIER} = 'technician_college'",
        f"SUM(CASE WHEN {_counted} THEN 1 ELSE 0 END)",
        "COUNT(*)",
        "r.major_id",
    )
CHOICES = (
    "FROM admissions_choice c JOIN admissions_application a ON a.id = c.application_id"
    " JOIN admissions_season se ON se.id = a.season_id"
    " JOIN schools_schoolmajor sm ON sm.id = c.school_major_id "
    + SCHOOL.format(t="c")
    + " WHERE se.year = %(y)s"
)
for _suffix, _provinces in (
    ("", "('53', '52', '51')"),
    *((f"_{p}", f"('{p}')") for p in ("53", "52", "51")),
):
    REFERENCE[f"enrol_applications_cross_province{_suffix}"] = (
        f"{CHOICES} AND a.home_province IN {_provinces}",
        "COUNT(*)",
        None,
        "sm.major_id",
    )
    REFERENCE[f"enrol_admitted_cross_province{_suffix}"] = (
        f"{CHOICES} AND a.home_province IN {_provinces} AND c.state IN {HOLDS}",
        "COUNT(*)",
        None,
        "sm.major_id",
    )

DIMS = {
    None: "NULL",
    "group": 'd."group"',
    "district": "d.code",
    "tier": "s.tier",
    "school": "s.code",
}
CUMULATIVE_FROM, CUMULATIVE_TO = 2021, 2025
PLAN_FROM = 2022  # 双优计划 (（十四）, 2022-07-22)
TEXTBOOKS_FROM = datetime.date(2022, 7, 22)  # （十七）: the policy's date


def params(year: int, today: datetime.date | None = None) -> dict:
    today = today or datetime.date.today()
    end = datetime.date(year, 12, 31)
    return {
        "y": year,
        "y0": datetime.date(year, 1, 1),
        "y1": end,
        "d": min(end, today),
        "c0": CUMULATIVE_FROM,
        "c1": min(year, CUMULATIVE_TO),
        "p0": PLAN_FROM,
        "t0": TEXTBOOKS_FROM,
    }


def scope_where(user) -> str:
    if user is None or user.is_superuser or user.role == Role.MUNICIPAL:
        return ""
    if user.role == Role.DISTRICT:
        return f" AND s.district_id = {int(user.district_id)}"
    return f" AND s.id = {int(user.school_id)}"


def sql(code: str, dim: str | None, user=None) -> str:
    from_where, num, den, major = REFERENCE[code]
    key = major if dim == "major" else DIMS[dim]
    return (
        f"SELECT {key} AS k, {num} AS n, {den or 'NULL'} AS dd {from_where}{scope_where(user)}"
        " GROUP BY 1"
    )


def run(cursor, code: str, dim: str | None, year: int, user=None) -> dict:
    """{key: (numerator, denominator)} for one indicator, breakdown and year."""
    if code == "training_person_times_cumulative" and year < CUMULATIVE_FROM:
        return {}
    cursor.execute(sql(code, dim, user), params(year))
    return {k: (n, dd) for k, n, dd in cursor.fetchall()}
