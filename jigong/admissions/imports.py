"""Offline applications (现场报名, （九）) in bulk: one row = one applicant's application
to the importing school in a season, with up to three choices of that school's majors,
each row written through the act ``admission.enter`` (its rules and messages).

The key is the season and the ID number (one application per ID and season). A row
whose application is already on file and visible to the school is compared, not
written again: the school's own export imports back unchanged; a row that differs is
reported (an application is changed on the pages, by its decisions, never by a file).
An application on file that the school cannot see is refused by the act with its own
message, which does not reveal it."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jigong.admissions import services
from jigong.admissions.models import Application, Channel, Choice, ChoiceState, Schooling, Season
from jigong.core import pii
from jigong.core.choices import Level
from jigong.core.imports.base import Column, ImportKind, register
from jigong.core.models import Duty, Role
from jigong.schools.models import MajorStatus, SchoolMajor
from jigong.standards.regions import PROVINCES
from jigong.students.imports import ID, check_id
from jigong.students.models import Source, Track

CHOICES = 3  # the most a season allows (Season.max_choices ≤ 3)
APPLICANT = (
    "name",
    "phone",
    "category",
    "schooling",
    "home_province",
    "enterprise_code",
    "arrangement_months",
)


def _choice_columns(i: int) -> list[Column]:
    first = i == 1
    rule = "" if first else "；填写时三列须同时填写"
    return [
        Column(
            f"major{i}",
            f"志愿{i}专业代码",
            "code",
            required=first,
            rule="本校已开设的专业代码" + rule,
            example="0101" if first else "",
            fields=(f"choices.{i}.school_major", *(("choices",) if first else ())),
        ),
        Column(
            f"level{i}",
            f"志愿{i}班级层次",
            choices=Level,
            required=first,
            rule="本校该专业已开设的层次" + rule,
            example=Level.INTERMEDIATE.label if first else "",
        ),
        Column(
            f"track{i}",
            f"志愿{i}学习形式",
            choices=Track,
            required=first,
            rule=rule.lstrip("；"),
            example=Track.FULL_TIME.label if first else "",
            fields=(f"choices.{i}.track",),
        ),
    ]


@register
class ApplicationImport(ImportKind):
    key = "admission_applications"
    label = "招生报名（现场报名）"
    model = Application
    order = 140  # after the schools and their majors
    duty = Duty.ENROLMENT
    # the bureaus export what they may see; only a school's rows are written (the act
    # admission.enter is the school's)
    roles = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
    key_columns = ("year", "id_number")
    columns = [
        Column(
            "year",
            "招生年度",
            "int",
            min_value=2000,
            max_value=2100,
            rule="市人社局已设立的招生季，须在报名期内",
            example=2026,
            fields=("season",),
        ),
        Column(
            "school",
            "学校代码",
            "code",
            rule="本校的学校代码",
            example="T0001",
            fields=("school",),
        ),
        ID,
        Column("name", "姓名", max_length=32, example="张小明"),
        Column("phone", "联系电话", max_length=20, example="13800000000"),
        Column("category", "报名类别", choices=Source, example=Source.JUNIOR_GRADUATE.label),
        Column("schooling", "前置学历", choices=Schooling, example=Schooling.JUNIOR.label),
        Column(
            "home_province",
            "生源省份",
            required=False,
            choices=PROVINCES,
            rule="不填时取身份证号前两位",
            example="重庆市",
        ),
        Column(
            "enterprise_code",
            "所在企业统一社会信用代码",
            "code",
            required=False,
            max_length=18,
            rule="企业在岗职工报非全日制时必填（GB 32100）",
            example="",
        ),
        Column(
            "arrangement_months",
            "工学安排（月）",
            "int",
            required=False,
            min_value=0,
            max_value=120,
            rule="企业在岗职工报非全日制时必填，不少于12个月（（十））",
            example="",
        ),
        *_choice_columns(1),
        *_choice_columns(2),
        *_choice_columns(3),
    ]
    # for the reader only: the reference, the channel and the decisions are the
    # application's own (the pages change them), never columns of this import
    export_extra = (
        Column("reference", "报名号", required=False),
        Column("channel", "报名方式", choices=Channel, required=False),
        *(
            Column(f"state{i}", f"志愿{i}状态", choices=ChoiceState, required=False)
            for i in range(1, CHOICES + 1)
        ),
    )

    def prepare(self, ctx, rows):
        ctx.cache["seasons"] = {s.year: s for s in Season.objects.all()}
        # by the school's own majors: a code names the school's major of whatever
        # catalogue edition it opened it under (the open one first)
        found = ctx.cache["school_majors"] = {}
        for sm in sorted(
            SchoolMajor.objects.filter(
                school__code__in={r.values.get("school") for r in rows}
            ).select_related("major"),
            key=lambda sm: (sm.status != MajorStatus.OPEN, sm.pk),
        ):
            found.setdefault((sm.school_id, sm.major.code, sm.level), sm)

    def resolve(self, ctx, row):
        v = row.values
        v["id_number"] = check_id(row, self.column("id_number"))
        season = ctx.cache["seasons"].get(v["year"])
        if season is None and v["year"] is not None:
            row.error(self.column("year"), v["year"], "没有该年度的招生季：招生季由市人社局设立")
        v["season"] = season
        school = v["school"] = ctx.school(row, self.column("school"), v["school"])
        choices = []
        for i in range(1, CHOICES + 1):
            code, level, track = v.get(f"major{i}"), v.get(f"level{i}"), v.get(f"track{i}")
            if code is None and level is None and track is None:
                continue
            given = {"major": code, "level": level, "track": track}
            missing = [k for k, x in given.items() if x is None]
            if missing:
                for k in missing:
                    row.error(
                        self.column(f"{k}{i}"),
                        "",
                        f"志愿{i}须同时填写专业代码、班级层次和学习形式",
                    )
                continue
            if school is None:
                continue
            sm = ctx.cache["school_majors"].get((school.pk, code, level))
            if sm is None and ctx.major(row, self.column(f"major{i}"), code) is None:
                continue  # not in the catalogue
            if sm is None:
                row.error(
                    self.column(f"major{i}"),
                    code,
                    f"本校未开设该专业的{Level(level).label}：志愿只能填报本校已开设的专业和层次",
                )
                continue
            choices.append({"school_major": sm, "track": track})
        v["choices"] = choices

    def natural_key(self, row):
        v = row.values
        return (v["season"].pk, v["id_number"])

    def find_existing(self, ctx, rows):
        digest = pii.digester()
        by_hmac = {}
        for row in rows:
            by_hmac[(row.values["season"].pk, bytes(digest(row.values["id_number"])))] = row
        visible = (
            Application.objects.restrict(ctx.user, "view")
            if ctx.user is not None
            else Application.objects.all()
        )
        found = (
            visible.filter(
                season_id__in={k[0] for k in by_hmac},
                id_number_hmac__in=[k[1] for k in by_hmac],
            ).prefetch_related("choices")
            if by_hmac
            else []
        )
        for app in found:
            row = by_hmac.get((app.season_id, bytes(app.id_number_hmac)))
            if row is not None:
                row.existing = app

    def values(self, row):
        v = row.values
        home = v["home_province"] or (v["id_number"] or "")[:2]
        return {
            "name": v["name"],
            "phone": v["phone"],
            "category": v["category"],
            "schooling": v["schooling"],
            "home_province": home,
            "enterprise_code": v["enterprise_code"] or "",
            "arrangement_months": v["arrangement_months"],
        }

    def changes(self, row):
        changes = super().changes(row)
        school = row.values["school"]
        mine = [
            (c.school_major_id, c.track)
            for c in sorted(row.existing.choices.all(), key=lambda c: c.rank)
            if c.school_id == school.pk
        ]
        given = [(c["school_major"].pk, c["track"]) for c in row.values["choices"]]
        if mine != given:
            changes["choices"] = given
        return changes

    def create(self, ctx, row):
        v = row.values
        return services.application_enter(
            actor=ctx.actor,
            school=v["school"],
            season=v["season"],
            id_number=v["id_number"],
            name=v["name"],
            phone=v["phone"],
            category=v["category"],
            schooling=v["schooling"],
            home_province=v["home_province"] or "",
            enterprise_code=v["enterprise_code"] or "",
            arrangement_months=v["arrangement_months"],
            choices=v["choices"],
        )

    def update(self, ctx, row, changes):
        raise ValidationError(
            {
                "id_number": [
                    f"该身份证号本招生季已有报名（报名号{row.existing.reference}）："
                    "导入不修改已有报名，请在“招生报名”页面办理"
                ]
            }
        )

    def queryset(self, user):
        from django.db.models import Prefetch

        from jigong.admissions.models import Choice
        from jigong.core.permissions import restrict

        # only the choices the user may see: a school exports its own choices of an
        # online application that names other schools too
        mine = (
            restrict(user, Choice, "view") if user is not None else Choice.objects.all()
        ).select_related("school", "school_major__major")
        return (
            super()
            .queryset(user)
            .select_related("season")
            .prefetch_related(Prefetch("choices", queryset=mine, to_attr="shown_choices"))
            .order_by("season__year", "created_at", "pk")
        )

    def export_row(self, a):
        mine = sorted(a.shown_choices, key=lambda c: c.rank)[:CHOICES]
        # one school a row: the first choice's (a bureau's or the operator's file of an
        # online application naming two schools keeps the first school's choices)
        mine = [c for c in mine if c.school_id == mine[0].school_id] if mine else mine
        row = [
            a.season.year,
            mine[0].school.code if mine else "",
            a.id_number,
            a.name,
            a.phone,
            a.category,
            a.schooling,
            a.home_province or None,
            a.enterprise_code,
            a.arrangement_months,
        ]
        for i in range(CHOICES):
            if i < len(mine):
                c = mine[i]
                row += [c.school_major.major.code, c.school_major.level, c.track]
            else:
                row += ["", None, None]
        row += [a.reference, a.channel]
        row += [mine[i].state if i < len(mine) else None for i in range(CHOICES)]
        return row


DECIDED = {
    ChoiceState.ADMITTED: "admit",
    ChoiceState.WAITLISTED: "waitlist",
    ChoiceState.REFUSED: "refuse",
}
NOT_BY_FILE = "录取决定只能改为已录取、候补或未录取：确认由报名人办理，注册学籍在新生注册日办理"
UNKNOWN_CHOICE = "报名号与志愿序号不存在，或该志愿不在您的数据范围内（只能处理本校的志愿）"


@register
class DecisionImport(ImportKind):
    """A school's decisions from Excel: one row per choice (报名号, 志愿序号) with the
    decision, each changed row through admission.admit / waitlist / refuse (the acts'
    rules: only from 待审核/候补, within the plan line, a reason to refuse). A row whose
    decision is the choice's state changes nothing, so the export imports back."""

    key = "admission_decisions"
    label = "招生录取决定"
    model = Choice
    order = 150  # after the applications
    duty = Duty.ENROLMENT
    roles = frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL})
    key_columns = ("reference", "rank")
    columns = [
        Column("reference", "报名号", "code", max_length=20, example="BM2026-ABCDEFGHJK"),
        Column("rank", "志愿序号", "int", min_value=1, max_value=CHOICES, example=1),
        Column(
            "state",
            "录取决定",
            choices=ChoiceState,
            rule="填已录取、候补或未录取；其他状态照导出原样保留",
            example=ChoiceState.ADMITTED.label,
        ),
        Column(
            "reason",
            "原因",
            required=False,
            max_length=255,
            rule="未录取时必填，报名人可见",
            example="",
        ),
    ]
    # for the reader only
    export_extra = (
        Column("name", "姓名", required=False),
        Column("school", "学校代码", "code", required=False),
        Column("major", "专业代码", "code", required=False),
        Column("level", "班级层次", choices=Level, required=False),
        Column("track", "学习形式", choices=Track, required=False),
    )

    def prepare(self, ctx, rows):
        refs = {r.values.get("reference") for r in rows if r.values.get("reference")}
        visible = (
            Choice.objects.restrict(ctx.user, "view")
            if ctx.user is not None
            else Choice.objects.all()
        )
        ctx.cache["choices"] = {
            (c.application.reference, c.rank): c
            for c in visible.filter(application__reference__in=refs).select_related(
                "application", "school", "school_major__major"
            )
        }

    def resolve(self, ctx, row):
        v = row.values
        found = ctx.cache["choices"].get((v["reference"], v["rank"]))
        if found is None:
            row.error(self.column("reference"), v["reference"], UNKNOWN_CHOICE)
        v["choice"] = found

    def natural_key(self, row):
        return (row.values["reference"], row.values["rank"])

    def find_existing(self, ctx, rows):
        for row in rows:
            row.existing = row.values["choice"]

    def values(self, row):
        return {"state": row.values["state"]}

    def update(self, ctx, row, changes):
        choice, reason = row.existing, row.values["reason"] or ""
        action = DECIDED.get(changes["state"])
        if action == "admit":
            return services.choice_admit(actor=ctx.actor, choice=choice)
        if action == "waitlist":
            return services.choice_waitlist(actor=ctx.actor, choice=choice, reason=reason)
        if action == "refuse":
            return services.choice_refuse(actor=ctx.actor, choice=choice, reason=reason)
        raise ValidationError({"state": [NOT_BY_FILE]})

    def queryset(self, user):
        return (
            super()
            .queryset(user)
            .select_related("application", "school", "school_major__major")
            .order_by("application__created_at", "application_id", "rank")
        )

    def export_row(self, c):
        sm = c.school_major
        return [
            c.application.reference,
            c.rank,
            c.state,
            c.reason,
            c.application.name,
            c.school.code,
            sm.major.code,
            sm.level,
            c.track,
        ]
