"""Writes on students and 学籍. Each takes the acting user and records an audit row."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import acts, pii
from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, BUREAUS, SCHOOL, UNSET, Unset, act, given, step_of
from jigong.core.errors import from_standard
from jigong.core.models import Duty, Role
from jigong.core.permissions import ensure
from jigong.policy import parameters, rules
from jigong.policy.rules import PolicyViolation
from jigong.schools.models import MajorStatus, SchoolMajor, SchoolStatus
from jigong.schools.selectors import tier_on
from jigong.standards import idcard
from jigong.standards.errors import StandardError
from jigong.standards.regions import PROVINCES
from jigong.students.models import (
    IN_SCHOOL,
    Person,
    Registration,
    Status,
    StatusChange,
    Transfer,
    TransferState,
)

# Which status changes are allowed from which status.
TRANSITIONS = {
    Status.ENROLLED: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.TRANSFERRED_IN: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.RESUMED: {
        Status.SUSPENDED,
        Status.TRANSFERRED_OUT,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
    },
    Status.SUSPENDED: {Status.RESUMED, Status.WITHDRAWN},
    Status.COMPLETED: {Status.GRADUATED},  # 结业 exchanged for 毕业 after 补考
}


def _policy_error(exc: PolicyViolation) -> ValidationError:
    return ValidationError({exc.field: [exc.message]})


NAME_MISMATCH = _lazy("该身份证号已登记，姓名与登记信息不一致")
FULL_TIME_BUSY = _lazy("该学生已有在校的全日制学籍，不能重复注册")


def registration_rules(
    *,
    school,
    major,
    level: str,
    track: str,
    source: str,
    duration_months: int,
    enrolled_on: datetime.date,
    runs: set | None = None,
    tier: str | None = None,
) -> dict[str, list[str]]:
    """The rules of 学籍注册 that depend on the registration's values but not on the
    person: {field: [messages]}, empty when they hold. The one source of these rules:
    the act checks them, and the importer checks them once per combination of values
    and replays the outcome on every row (``runs``: the (school, major, level) triples
    of open majors, and ``tier``: the school's tier on ``enrolled_on``, read once by a
    bulk caller)."""
    errors: dict[str, list[str]] = {}
    if school.status in (SchoolStatus.SUSPENDED, SchoolStatus.CLOSED):
        errors.setdefault("school", []).append(
            _(
                "学校“%(s)s”当前状态为“%(st)s”：暂停招生或已撤销的学校不得注册新生（依据（九）（二十一））"
            )
            % {"s": school.name, "st": school.get_status_display()}
        )
    if enrolled_on > datetime.date.today():
        errors.setdefault("enrolled_on", []).append(
            _("入学日期“%(d)s”：不得晚于今天") % {"d": enrolled_on}
        )
    try:
        if tier is None:
            tier = tier_on(school, enrolled_on)
        rules.check_level_for_tier(tier, level, enrolled_on)
    except PolicyViolation as exc:
        errors.setdefault("level", []).append(exc.message)
    else:
        if major is not None:
            key = (school.pk, major.pk, level)
            opened = (
                key in runs
                if runs is not None
                else SchoolMajor.objects.filter(
                    school=school, major=major, level=level, status=MajorStatus.OPEN
                ).exists()
            )
            if not opened:
                errors.setdefault("major", []).append(
                    _("专业“%(m)s”：学校“%(s)s”未开设该专业的%(l)s或已停招")
                    % {
                        "m": major.name,
                        "s": school.name,
                        "l": rules.LEVEL_LABELS.get(level, level),
                    }
                )
    try:
        rules.check_part_time_duration(track, source, duration_months, enrolled_on)
    except PolicyViolation as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    return errors


def birth_order_error(enrolled_on: datetime.date, birth_date: datetime.date) -> str | None:
    if enrolled_on < birth_date:
        return _("入学日期“%(d)s”早于出生日期“%(b)s”：日期顺序错误") % {
            "d": enrolled_on,
            "b": birth_date,
        }
    return None


def names_on_file(digests: dict[str, bytes]) -> dict[str, str]:
    """{ID number → the name on file} for the numbers of people already registered."""
    pks = person_pks(digests)
    names = {}
    by_pk = {pk: n for n, pk in pks.items()}
    ordered = sorted(by_pk)
    for i in range(0, len(ordered), QUERY_CHUNK):
        for pk, name in Person.objects.filter(pk__in=ordered[i : i + QUERY_CHUNK]).values_list(
            "pk", "name"
        ):
            names[by_pk[pk]] = name
    return names


def same_person(name_on_file: str, given_name: str) -> bool:
    return (name_on_file or "").strip() == (given_name or "").strip()


# --- cross-province enrolment within the approved quota （九） ---

# The quota lives in the enrolment plans (workflows, which depends on this app): that
# app provides the look-up at start-up (workflows.apps).
_quota_source: list = []


def provide_cross_province_quota(source) -> None:
    """Register ``source(school_id, year, province, lock) -> int | None``: the
    cross-province quota of the school's approved plan for the year (None: none)."""
    _quota_source[:] = [source]


def cross_province_enrolled(school_id: int, year: int, province: str) -> int:
    """The school's registrations of ``year``'s intake from ``province`` on file; a 转入
    is no enrolment at the receiving school."""
    return cross_province_enrolled_by(school_id, year, [province]).get(province, 0)


def cross_province_enrolled_by(school_id: int, year: int, provinces) -> dict[str, int]:
    """{province → the school's registrations of ``year``'s intake from it on file} for
    ``provinces`` (one query); a 转入 is no enrolment at the receiving school."""
    transferred_in = StatusChange.objects.filter(
        registration=OuterRef("pk"), status=Status.TRANSFERRED_IN, reverted_on__isnull=True
    )
    return dict(
        Registration.objects.filter(
            school_id=school_id, enrolled_on__year=year, person__home_province__in=provinces
        )
        .exclude(Exists(transferred_in))
        .order_by()
        .values_list("person__home_province")
        .annotate(n=Count("pk"))
    )


class CrossProvinceCount:
    """Cross-province enrolments held to the approved quotas over one act or one batch
    (the bulk path, an import file): the registrations on file, then each one accepted.
    ``batch``: at a school's first applicant from a partner province, every partner
    province's quota is read (and locked) and their registrations counted in one query,
    not one province at a time (a cohort's applicants come from all of them)."""

    def __init__(self, *, batch: bool = False) -> None:
        self.quota: dict[tuple, int | None] = {}
        self.used: dict[tuple, int] = {}
        self.partners: dict[datetime.date, list[str]] = {}  # a file repeats its dates
        self.batch = batch

    def refusal(self, *, school, province: str, enrolled_on: datetime.date):
        """The PolicyViolation refusing one more such enrolment, or None (then counted)."""
        partners = self.partners.get(enrolled_on)
        if partners is None:
            partners = self.partners[enrolled_on] = rules.cross_province_partners(enrolled_on)
        if province not in partners:
            return None
        year = enrolled_on.year
        key = (school.pk, year, province)
        if key not in self.quota:
            self._read(school.pk, year, partners if self.batch else [province])
        try:
            rules.check_cross_province_quota(
                province=province,
                province_name=PROVINCES.get(province, province),
                year=year,
                quota=self.quota[key],
                enrolled=self.used[key],
                on=enrolled_on,
            )
        except PolicyViolation as exc:
            return exc
        self.used[key] += 1
        return None

    def _read(self, school_id: int, year: int, provinces) -> None:
        """The quotas of ``provinces`` at the school for the year, each row locked inside
        the act's transaction (in the provinces' order) so that concurrent enrolments
        against one quota are counted one after the other; then the registrations on
        file from each."""
        source = _quota_source[0] if _quota_source else None
        lock = connection.in_atomic_block
        wanted = sorted(p for p in provinces if (school_id, year, p) not in self.quota)
        for p in wanted:
            self.quota[(school_id, year, p)] = source(school_id, year, p, lock) if source else None
        counts = cross_province_enrolled_by(school_id, year, wanted)
        for p in wanted:
            self.used[(school_id, year, p)] = counts.get(p, 0)


def homes_on_file(pks: dict[str, int]) -> dict[str, str]:
    """{ID number → 生源省份 on file} for people on file ({number: person pk})."""
    by_pk = {pk: n for n, pk in pks.items()}
    ordered = sorted(by_pk)
    homes = {}
    for i in range(0, len(ordered), QUERY_CHUNK):
        rows = Person.objects.filter(pk__in=ordered[i : i + QUERY_CHUNK])
        for pk, home in rows.values_list("pk", "home_province"):
            homes[by_pk[pk]] = home
    return homes


@step_of("registration.enrol", "skill_certificate.register")
def person_for_enrolment(*, actor, id_number: str, name: str, home_province: str = "") -> Person:
    """The person this ID number names, created when new (sex and birth date from the
    ID). A person is shared between schools: an existing one is enrolled as on file and
    never changed here; a different name is refused without revealing the record (the
    name is corrected by the act ``person.correct``)."""
    try:
        number = idcard.validate(id_number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("姓名不能为空")]})
    person = Person.objects.by_id_number(number).first()
    if person is not None:
        if not same_person(person.name, name):
            raise ValidationError({"name": [NAME_MISMATCH]})
        return person
    return core.create(
        actor,
        Person,
        check=False,  # a new person has no school yet; the registration carries the scope
        id_number=number,
        name=name,
        sex=idcard.sex(number),
        birth_date=idcard.birth_date(number),
        home_province=home_province or number[:2],
    )


@act(
    "registration.enrol",
    duty=Duty.RECORDS,
    label=_lazy("学籍注册"),
    roles=ALL_STAFF,
    model="students.registration",
    clause="（九）（十）（二十一）",
    channels=("import", "batch"),
    event="create",
)
def registration_create(
    *,
    actor,
    school,
    major,
    level: str,
    entry_point: str,
    duration_months: int,
    track: str,
    source: str,
    enrolled_on: datetime.date,
    id_number: str,
    name: str,
    home_province: str = "",
    cooperation=None,
) -> Registration:
    """Register a student (学籍注册) after checking the policy's rules; nothing is
    written when any check fails."""
    draft = Registration(school=school)
    if actor is not None:
        ensure(actor, "add", draft)
    errors = registration_rules(
        school=school,
        major=major,
        level=level,
        track=track,
        source=source,
        duration_months=duration_months,
        enrolled_on=enrolled_on,
    )
    try:
        number = idcard.validate(id_number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    wrong_order = birth_order_error(enrolled_on, idcard.birth_date(number))
    if wrong_order:
        errors.setdefault("enrolled_on", []).append(wrong_order)
    if errors:  # the row's own values first, then the person on file (as the importer)
        raise ValidationError(errors)
    person = person_for_enrolment(
        actor=actor, id_number=number, name=name, home_province=home_province
    )
    active = person.registrations.filter(status__in=IN_SCHOOL, track=track)
    if track == "full_time" and active.exists():
        raise ValidationError({"id_number": [FULL_TIME_BUSY]})
    refused = CrossProvinceCount().refusal(
        school=school, province=person.home_province, enrolled_on=enrolled_on
    )
    if refused:
        raise _policy_error(refused)
    return core.create(
        actor,
        Registration,
        person=person,
        school=school,
        major=major,
        level=level,
        entry_point=entry_point,
        duration_months=duration_months,
        track=track,
        source=source,
        enrolled_on=enrolled_on,
        status=Status.ENROLLED,
        status_changed_on=enrolled_on,
        cooperation=cooperation,
    )


# Statuses that only their own act records (学籍异动 refuses them, naming the act).
OWN_ACT = {
    Status.GRADUATED: ("certificate.graduate", "certificate.exchange_completion"),
    Status.COMPLETED: ("certificate.graduate",),
    Status.TRANSFERRED_OUT: ("registration.transfer_out",),
    Status.TRANSFERRED_IN: ("transfer.accept",),
}
LEAVING = (Status.TRANSFERRED_OUT, Status.WITHDRAWN, Status.GRADUATED, Status.COMPLETED)
# Registrations in these statuses may transfer (休学 must first 复学).
MAY_TRANSFER = (Status.ENROLLED, Status.RESUMED, Status.TRANSFERRED_IN)
REVERT_DAYS = "students.status_change_revert_days"


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _act_label(code: str) -> str:
    acts.autodiscover()  # the certificates' acts register when their module loads
    return str(acts.get(code).label)


def _check_date(registration: Registration, changed_on: datetime.date, field: str) -> None:
    last = registration.status_changed_on or registration.enrolled_on
    if changed_on < last:
        raise ValidationError(
            {
                field: [
                    _("变更日期“%(d)s”早于上一次状态日期“%(l)s”：日期须按先后顺序")
                    % {"d": changed_on, "l": last}
                ]
            }
        )
    if changed_on > datetime.date.today():
        raise ValidationError({field: [_("变更日期“%(d)s”：不得晚于今天") % {"d": changed_on}]})


@step_of(
    "registration.change_status",
    "certificate.graduate",
    "certificate.exchange_completion",
    "transfer.accept",
)
def record_status_change(
    *,
    actor,
    registration: Registration,
    status: str,
    changed_on: datetime.date,
    reason: str = "",
    counterpart_school=None,
    check: bool = True,
) -> StatusChange:
    """Write one dated status change and move the registration's status (the acts
    calling it have checked who may and the rules)."""
    change = core.create(
        actor,
        StatusChange,
        check=False,
        registration=registration,
        status=status,
        changed_on=changed_on,
        reason=reason,
        counterpart_school=counterpart_school,
        recorded_on=datetime.date.today(),
    )
    fields = {"status": status, "status_changed_on": changed_on}
    if status in LEAVING:
        fields["left_on"] = changed_on
    core.update(actor, registration, check=check, **fields)
    return change


@act(
    "registration.change_status",
    duty=Duty.RECORDS,
    label=_lazy("学籍异动"),
    roles=SCHOOL,
    model="students.registration",
    clause="（二十一）",
    channels=("page", "import"),
)
def registration_change_status(
    *,
    actor,
    registration: Registration,
    status: str,
    changed_on: datetime.date,
    reason: str = "",
    counterpart_school=None,
) -> StatusChange:
    """Record a dated status change (学籍异动: 休学, 复学, 退学) and move the registration's
    status. 转出 and 转入 are the two sides of 转学 (``registration_transfer_out``,
    ``transfer_accept``); 毕业 and 结业 come with their certificate (certificate.graduate):
    recorded here only inside those acts."""
    given = registration
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor is not None:
        ensure(actor, "change", registration)
    own = OWN_ACT.get(status)
    if own and not (acts.running_codes() & set(own)):
        raise ValidationError(
            {
                "status": [
                    _("学籍异动“%(n)s”须通过“%(a)s”办理，不能直接登记")
                    % {"n": _status_label(status), "a": _act_label(own[0])}
                ]
            }
        )
    current = Status(registration.status)
    allowed = TRANSITIONS.get(current, set())
    if status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("学籍状态“%(c)s”不能变更为“%(n)s”")
                    % {"c": current.label, "n": _status_label(status)}
                ]
            }
        )
    _check_date(registration, changed_on, "changed_on")
    change = record_status_change(
        actor=actor,
        registration=registration,
        status=status,
        changed_on=changed_on,
        reason=reason,
        counterpart_school=counterpart_school,
    )
    given.refresh_from_db()
    return change


# --- 转学: two-sided (issue 14), every side an act ------------------------------------


def _receiving_rules(registration: Registration, to_school) -> list[str]:
    """The enrolment rules the receiving school must meet for this registration (its
    status, the major and level it runs), as messages."""
    errors = registration_rules(
        school=to_school,
        major=registration.major,
        level=registration.level,
        track=registration.track,
        source=registration.source,
        duration_months=registration.duration_months,
        enrolled_on=registration.enrolled_on,
    )
    errors.pop("enrolled_on", None)
    errors.pop("duration_months", None)  # the registration's own, checked at enrolment
    return [str(m) for msgs in errors.values() for m in msgs]


@act(
    "registration.transfer_out",
    duty=Duty.RECORDS,
    label=_lazy("转学（转出）"),
    roles=SCHOOL,
    # the registration is the target: its scope is checked before the reason (the order
    # of every act); the case (Transfer) is what it creates
    model="students.registration",
    clause="（二十一）",
    reason=True,
    channels=("page", "import"),
)
def registration_transfer_out(
    *,
    actor,
    registration: Registration,
    to_school,
    transfer_on: datetime.date,
    reason: str,
) -> Transfer:
    """Ask for a 转学: the school the student leaves names the receiving school and the
    reason. Nothing moves until the receiving side accepts (``transfer_accept``)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor is not None:
        ensure(actor, "change", registration)
    if to_school is None:
        raise ValidationError({"to_school": [_("转入学校：转出须从学校名录中选择转入学校")]})
    if to_school.pk == registration.school_id:
        raise ValidationError(
            {"to_school": [_("转入学校“%(s)s”：不能转入本校") % {"s": to_school.name}]}
        )
    if registration.status not in MAY_TRANSFER:
        raise ValidationError(
            {"status": [_("学籍状态“%(c)s”不能转出") % {"c": _status_label(registration.status)}]}
        )
    pending = registration.transfers_out.filter(state=TransferState.PENDING).first()
    if pending is not None:
        raise ValidationError(
            {
                "to_school": [
                    _("该学籍已有待接收的转学申请（转入学校：%(s)s），请先撤回")
                    % {"s": pending.to_school.name}
                ]
            }
        )
    problems = _receiving_rules(registration, to_school)
    if problems:
        raise ValidationError(
            {"to_school": [_("转入学校“%(s)s”：") % {"s": to_school.name} + m for m in problems]}
        )
    _check_date(registration, transfer_on, "transfer_on")
    return core.create(
        actor,
        Transfer,
        registration=registration,
        from_school=registration.school,
        to_school=to_school,
        transfer_on=transfer_on,
        reason=reason,
        requested_on=datetime.date.today(),
    )


def may_decide(actor, transfer: Transfer) -> str | None:
    """Why the actor may not accept or refuse this 转学 (None when they may): the
    receiving school within one district; its district bureau or the city across
    districts."""
    if actor is None or actor.is_superuser or actor.role == Role.MUNICIPAL:
        return None
    to_school = transfer.to_school
    if actor.role == Role.SCHOOL and actor.school_id == to_school.pk:
        if transfer.across_districts:
            return _("跨区县转学由转入学校所在区县人社局或市人社局接收")
        return None
    if actor.role == Role.DISTRICT and actor.district_id == to_school.district_id:
        return None
    return _("转学由转入学校（跨区县时由其所在区县人社局或市人社局）接收或拒绝")


def _pending(transfer: Transfer, actor) -> Transfer:
    if actor is not None:
        ensure(actor, "view", transfer)
    locked = Transfer.objects.select_for_update().select_related(
        "registration__person", "from_school", "to_school"
    )
    transfer = locked.get(pk=transfer.pk)
    why = may_decide(actor, transfer)
    if why:
        raise PermissionDenied(why)
    if transfer.state != TransferState.PENDING:
        raise ValidationError(
            {
                "state": [
                    _("该转学申请已办结（%(s)s），不能再办理") % {"s": transfer.get_state_display()}
                ]
            }
        )
    return transfer


@act(
    "transfer.accept",
    duty=Duty.RECORDS,
    label=_lazy("接收转学（转入）"),
    roles=ALL_STAFF,
    model="students.transfer",
    clause="（二十一）",
    channels=("page", "import"),
)
def transfer_accept(*, actor, transfer: Transfer, note: str = "") -> Registration:
    """Accept a 转学: 转出 is recorded at the old school and the 转入 registration is
    created at the receiving one with the enrolment carried over (入学日期, 专业, 层次,
    学制, 学习形式, 生源): the student is no new enrolment there."""
    given_transfer = transfer
    transfer = _pending(transfer, actor)
    old = Registration.objects.select_for_update().get(pk=transfer.registration_id)
    if old.status not in MAY_TRANSFER:
        raise ValidationError(
            {"state": [_("学籍状态“%(c)s”不能转出") % {"c": _status_label(old.status)}]}
        )
    problems = _receiving_rules(old, transfer.to_school)
    if problems:
        raise ValidationError(
            {
                "state": [
                    _("转入学校“%(s)s”：") % {"s": transfer.to_school.name} + m for m in problems
                ]
            }
        )
    _check_date(old, transfer.transfer_on, "transfer_on")
    record_status_change(
        actor=actor,
        registration=old,
        status=Status.TRANSFERRED_OUT,
        changed_on=transfer.transfer_on,
        reason=transfer.reason,
        counterpart_school=transfer.to_school,
        check=False,  # the act decided who may (the receiving side)
    )
    new = core.create(
        actor,
        Registration,
        check=False,
        person=old.person,
        school=transfer.to_school,
        major=old.major,
        level=old.level,
        entry_point=old.entry_point,
        duration_months=old.duration_months,
        track=old.track,
        source=old.source,
        enrolled_on=old.enrolled_on,
        status=Status.TRANSFERRED_IN,
        status_changed_on=transfer.transfer_on,
    )
    core.create(
        actor,
        StatusChange,
        check=False,
        registration=new,
        status=Status.TRANSFERRED_IN,
        changed_on=transfer.transfer_on,
        reason=transfer.reason,
        counterpart_school=transfer.from_school,
        recorded_on=datetime.date.today(),
    )
    core.update(
        actor,
        transfer,
        check=False,
        state=TransferState.ACCEPTED,
        decided_on=datetime.date.today(),
        decision_note=(note or "").strip()[:128],
        new_registration=new,
    )
    given_transfer.refresh_from_db()
    return new


@act(
    "transfer.refuse",
    duty=Duty.RECORDS,
    label=_lazy("拒绝转学"),
    roles=ALL_STAFF,
    model="students.transfer",
    clause="（二十一）",
    reason=True,
)
def transfer_refuse(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """Refuse a 转学: the student stays registered at the old school."""
    given_transfer = transfer
    transfer = _pending(transfer, actor)
    core.update(
        actor,
        transfer,
        check=False,
        state=TransferState.REFUSED,
        decided_on=datetime.date.today(),
        decision_note=reason[:128],
    )
    given_transfer.refresh_from_db()
    return given_transfer


@act(
    "transfer.cancel",
    duty=Duty.RECORDS,
    label=_lazy("撤回转学申请"),
    roles=SCHOOL,
    model="students.transfer",
    clause="（二十一）",
    reason=True,
)
def transfer_cancel(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The school that asked withdraws a 转学 not yet accepted or refused."""
    given_transfer = transfer
    if actor is not None:
        ensure(actor, "view", transfer)
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if actor is not None and actor.school_id != transfer.from_school_id:
        raise PermissionDenied(_("转学申请由转出学校撤回"))
    if transfer.state != TransferState.PENDING:
        raise ValidationError(
            {
                "state": [
                    _("该转学申请已办结（%(s)s），不能再办理") % {"s": transfer.get_state_display()}
                ]
            }
        )
    core.update(
        actor,
        transfer,
        check=False,
        state=TransferState.CANCELLED,
        decided_on=datetime.date.today(),
        decision_note=reason[:128],
    )
    given_transfer.refresh_from_db()
    return given_transfer


# --- reverting a mistaken 学籍异动 --------------------------------------------------------


def revert_days(change: StatusChange) -> int:
    """The school's period to revert the change itself, in days (平台设定)."""
    return parameters.get(REVERT_DAYS, change.recorded_on or change.changed_on)


def revert_deadline(change: StatusChange) -> datetime.date:
    """The last day the school may revert the change itself."""
    return (change.recorded_on or change.changed_on) + datetime.timedelta(days=revert_days(change))


def last_change(registration: Registration) -> StatusChange | None:
    return (
        registration.status_changes.filter(reverted_on__isnull=True)
        .order_by("-changed_on", "-id")
        .first()
    )


def _no_change(registration) -> ValidationError:
    return ValidationError({"status": [_("该学籍没有可撤销的学籍异动")]})


def _refuse_certificate(change: StatusChange) -> None:
    if change.status in (Status.GRADUATED, Status.COMPLETED):
        raise ValidationError(
            {
                "status": [
                    _("“%(s)s”随毕业证书登记：须办理“撤销毕业证书”，不能撤销学籍异动")
                    % {"s": change.get_status_display()}
                ]
            }
        )


def _undo(actor, registration: Registration, change: StatusChange, reason: str) -> None:
    """Mark the change reverted and put the registration back in its previous status."""
    today = datetime.date.today()
    note = (_("原因：%(r)s") % {"r": reason})[:255]
    core.update(
        actor,
        change,
        check=False,
        audit_message=note,
        reverted_on=today,
        revert_reason=reason[:128],
    )
    previous = last_change(registration)
    status = previous.status if previous else Status.ENROLLED
    core.update(
        actor,
        registration,
        check=False,
        audit_message=note,
        status=status,
        status_changed_on=previous.changed_on if previous else registration.enrolled_on,
        left_on=previous.changed_on if previous and status in LEAVING else None,
    )


@act(
    "registration.revert_change",
    duty=Duty.RECORDS,
    label=_lazy("撤销学籍异动"),
    roles=SCHOOL,
    model="students.registration",
    clause="（二十一）",
    reason=True,
)
def registration_revert_change(*, actor, registration: Registration, reason: str) -> StatusChange:
    """The school reverts its latest 学籍异动 (a mistake), within the period the platform
    sets (``students.status_change_revert_days``, from the day it was recorded); later,
    and for a 转学 already accepted, the district bureau does it."""
    given = registration
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor is not None:
        ensure(actor, "change", registration)
    change = last_change(registration)
    if change is None:
        raise _no_change(registration)
    _refuse_certificate(change)
    if change.status in (Status.TRANSFERRED_OUT, Status.TRANSFERRED_IN):
        raise ValidationError(
            {"status": [_("已办结的转学涉及两所学校：须由区县人社局或市人社局撤销")]}
        )
    deadline = revert_deadline(change)
    if datetime.date.today() > deadline:
        raise ValidationError(
            {
                "status": [
                    _(
                        "该学籍异动登记于%(r)s，学校自行撤销的期限为%(n)s天（平台设定（可由市人社局调整）），"
                        "已于%(d)s届满：请由区县人社局撤销"
                    )
                    % {
                        "r": change.recorded_on or change.changed_on,
                        "n": revert_days(change),
                        "d": deadline,
                    }
                ]
            }
        )
    _undo(actor, registration, change, reason)
    given.refresh_from_db()
    change.refresh_from_db()
    return change


@act(
    "registration.revert_change_by_bureau",
    duty=Duty.REVIEW,
    label=_lazy("撤销学籍异动（主管部门）"),
    roles=BUREAUS,
    model="students.registration",
    clause="（二十一）",
    reason=True,
)
def registration_revert_change_by_bureau(
    *, actor, registration: Registration, reason: str
) -> StatusChange:
    """The bureau reverts a registration's latest 学籍异动 at any time, with a reason; an
    accepted 转学 is reverted on both sides (the 转入 registration removed, which must hold
    nothing since), by a bureau whose scope covers both schools."""
    given = registration
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor is not None:
        ensure(actor, "change", registration)
    change = last_change(registration)
    if change is None:
        raise _no_change(registration)
    _refuse_certificate(change)
    transfer = None
    if change.status == Status.TRANSFERRED_OUT:
        transfer = registration.transfers_out.filter(state=TransferState.ACCEPTED).first()
    elif change.status == Status.TRANSFERRED_IN:
        transfer = Transfer.objects.filter(new_registration=registration).first()
    if transfer is not None:
        old, new = transfer.registration, transfer.new_registration
        if actor is not None:
            ensure(actor, "change", old)
            ensure(actor, "change", new)
        later = new.status_changes.filter(reverted_on__isnull=True).exclude(
            status=Status.TRANSFERRED_IN
        )
        if later.exists() or new.certificates.exists():
            raise ValidationError(
                {
                    "status": [
                        _("转入学校“%(s)s”已有该学籍的后续异动或证书：须先撤销这些记录")
                        % {"s": transfer.to_school.name}
                    ]
                }
            )
        out = old.status_changes.filter(
            reverted_on__isnull=True, status=Status.TRANSFERRED_OUT
        ).latest("changed_on", "id")
        core.update(
            actor, transfer, check=False, state=TransferState.REVERTED, new_registration=None
        )
        core.delete(actor, new, check=False)
        _undo(actor, old, out, reason)
        change = out
    else:
        _undo(actor, registration, change, reason)
    given.refresh_from_db()
    change.refresh_from_db()
    return change


@act(
    "registration.correct",
    duty=Duty.RECORDS,
    label=_lazy("学籍信息更正"),
    roles=ALL_STAFF,
    model="students.registration",
    clause="（二十一）",
    reason=True,
    channels=("page", "import"),
)
def registration_update(
    *,
    actor,
    registration: Registration,
    major=UNSET,
    level: str | Unset = UNSET,
    entry_point: str | Unset = UNSET,
    duration_months: int | Unset = UNSET,
    track: str | Unset = UNSET,
    source: str | Unset = UNSET,
    enrolled_on: datetime.date | Unset = UNSET,
    name: str | Unset = UNSET,
    home_province: str | Unset = UNSET,
    reason: str,
) -> Registration:
    """Correct a registration's enrolment details (学籍信息更正), with the rules of
    registration (``registration_rules``, the importer's too) for what changes; the
    student's name and home province through ``person_correct``. A reason is required
    (an import gives its file and row); each change is audited before/after with it."""
    if actor is not None:
        ensure(actor, "change", registration)
    fields = given(
        major=major,
        level=level,
        entry_point=entry_point,
        duration_months=duration_months,
        track=track,
        source=source,
        enrolled_on=enrolled_on,
    )
    for field in CERTIFIED_FIELDS:  # a form gives every value: keep the changed ones
        if field in fields and fields[field] == getattr(registration, field):
            fields.pop(field)
    _check_certified(registration, fields)
    day = fields.get("enrolled_on", registration.enrolled_on)
    school = registration.school
    errors = registration_rules(
        school=school,
        major=fields.get("major", registration.major),
        level=fields.get("level", registration.level),
        track=fields.get("track", registration.track),
        source=fields.get("source", registration.source),
        duration_months=fields.get("duration_months", registration.duration_months),
        enrolled_on=day,
    )
    errors.pop("school", None)  # a suspended school still corrects its records
    if not ({"level", "major"} & set(fields)):
        errors.pop("major", None)  # a major since closed does not block other corrections
    if "enrolled_on" in fields:
        errors.update(_enrolment_date_errors(registration, day, errors.pop("enrolled_on", [])))
        if registration.status_changed_on == registration.enrolled_on:
            fields["status_changed_on"] = day  # the status dates from the enrolment
    else:
        errors.pop("enrolled_on", None)  # a date on file is not re-judged
    if errors:
        raise ValidationError(errors)
    person = registration.person
    personal = given(name=name, home_province=home_province)
    if personal.get("name") == person.name:
        personal.pop("name")
    if personal.get("home_province") in ("", person.home_province):
        personal.pop("home_province")
    if "enrolled_on" in fields:  # another year's intake: held to its quota (（九）)
        quotas = CrossProvinceCount()
        refused = _correction_quota_refusal(
            quotas,
            registration,
            province=personal.get("home_province", person.home_province),
            enrolled_on=day,
        )
        if refused:
            raise _policy_error(refused)
    if fields:
        message = (_("原因：%(r)s") % {"r": reason})[:255]
        registration = core.update(actor, registration, audit_message=message, **fields)
    if personal:  # after the date: the province is judged against the corrected intake
        person_correct(actor=actor, person=person, reason=reason, **personal)
        registration.person.refresh_from_db()
    return registration


CERTIFIED_FIELDS = ("major", "level", "enrolled_on")  # printed on the certificate


def _check_certified(registration: Registration, fields: dict) -> None:
    """The 专业, 班级层次 and 入学日期 of a 学籍 with a valid graduation certificate are
    those the certificate states: corrected only after the certificate is revoked."""
    changed = [n for n in CERTIFIED_FIELDS if n in fields]
    if not changed:
        return
    number = (
        registration.certificates.filter(status="valid").values_list("number", flat=True).first()
    )
    if number is None:
        return
    message = _(
        "该学籍已发毕业证书“%(n)s”，证书载明的%(f)s不能直接更正：须先办理“%(a)s”，更正后重新发证"
    )
    act_label = _act_label("certificate.revoke")
    raise ValidationError(
        {
            name: [
                message
                % {
                    "n": number,
                    "f": Registration._meta.get_field(name).verbose_name,
                    "a": act_label,
                }
            ]
            for name in changed
        }
    )


def _is_transfer_in(registration: Registration) -> bool:
    return StatusChange.objects.filter(
        registration=registration, status=Status.TRANSFERRED_IN, reverted_on__isnull=True
    ).exists()


def _correction_quota_refusal(
    quotas: CrossProvinceCount, registration: Registration, *, province: str, enrolled_on
):
    """The enrolment's cross-province rule (``CrossProvinceCount``, the act's and the
    import's) for a registration corrected into another (year, province) intake; None
    when it stays in its own intake (it holds its place) or it is a 转入 (no enrolment)."""
    person = registration.person
    if (province, enrolled_on.year) == (person.home_province, registration.enrolled_on.year):
        return None
    if _is_transfer_in(registration):
        return None
    return quotas.refusal(school=registration.school, province=province, enrolled_on=enrolled_on)


def _enrolment_date_errors(registration, day: datetime.date, found: list) -> dict:
    """The enrolment date's own rules on a correction: those of registration (``found``:
    not after today), the birth order, before every later date of the record, and no
    second registration of the student at the school on that day (the import's key)."""
    messages = list(found)
    wrong_order = birth_order_error(day, registration.person.birth_date)
    if wrong_order:
        messages.append(wrong_order)
    first = (
        StatusChange.objects.filter(registration=registration)
        .order_by("changed_on")
        .values_list("changed_on", flat=True)
        .first()
    )
    later = min((d for d in (first, registration.left_on) if d is not None), default=None)
    if later is not None and day > later:
        messages.append(
            _("入学日期“%(d)s”晚于学籍异动日期“%(c)s”：日期须按先后顺序") % {"d": day, "c": later}
        )
    twin = Registration.objects.filter(
        person_id=registration.person_id, school_id=registration.school_id, enrolled_on=day
    ).exclude(pk=registration.pk)
    if twin.exists():
        messages.append(_("该学生在本校已有入学日期为“%(d)s”的学籍") % {"d": day})
    return {"enrolled_on": messages} if messages else {}


@act(
    "person.correct",
    duty=Duty.RECORDS,
    label=_lazy("学生信息更正"),
    roles=ALL_STAFF,
    model="students.person",
    clause="（十八）",
    reason=True,
    channels=("page", "import"),
)
def person_correct(
    *,
    actor,
    person: Person,
    name: str | Unset = UNSET,
    home_province: str | Unset = UNSET,
    reason: str,
) -> Person:
    """Correct a student's name or home province, with a reason (required). A person
    shared between schools is corrected only by a bureau whose scope holds every one of
    the person's registrations; once a certificate names the person, the audit row is
    filed under the school that issued it (its certificate query answers by name)."""
    given_person = person
    person = Person.objects.select_for_update().get(pk=person.pk)  # as stored, locked
    changes = given(name=name, home_province=home_province)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise ValidationError({"name": [_("姓名不能为空")]})
    if actor is not None:
        outside = person.registrations.exclude(
            pk__in=Registration.objects.restrict(actor, "change").values("pk")
        )
        if outside.exists() or not person.registrations.exists():
            raise PermissionDenied(
                _("该学生的信息由多所学校共用：更正须由其全部学籍所在的主管部门或市人社局办理。")
            )
    issuer = person.certifying_school_id()
    if not changes:
        return person
    if changes.get("home_province", person.home_province) != person.home_province:
        quotas = CrossProvinceCount()  # each registration held to its intake's quota (（九）)
        for reg in person.registrations.select_related("school", "person").order_by("pk"):
            refused = _correction_quota_refusal(
                quotas, reg, province=changes["home_province"], enrolled_on=reg.enrolled_on
            )
            if refused:
                raise _policy_error(refused)
    registration = person.registrations.order_by("-enrolled_on").first()
    school_id = issuer or registration.school_id
    before = core.snapshot(person)
    for k, v in changes.items():
        setattr(person, k, v)
    core.validate(person)
    after = core.snapshot(person)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return person
    person.save(update_fields=changed)
    from jigong.core.models import AuditLog
    from jigong.schools.models import School

    core.audit(
        actor,
        AuditLog.Action.UPDATE,
        person,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        message=(_("原因：%(r)s") % {"r": reason})[:255],
        school_id=school_id,
        district_id=School.objects.filter(pk=school_id).values_list("district_id", flat=True)[0],
    )
    given_person.refresh_from_db()
    return given_person


QUERY_CHUNK = 900  # below SQLite's historical limit of 999 parameters per statement
PERSON_ID = "students.person.id_number"  # the sealed column's associated data


def person_pks(digests: dict[str, bytes]) -> dict[str, int]:
    """{ID number → Person pk} for the numbers on file, given {number → pii digest}."""
    found = core.pks_by_key(Person, "id_number_hmac", list(digests.values()))
    found = {bytes(k): pk for k, pk in found.items()}
    return {n: found[d] for n, d in digests.items() if d in found}


def _by_number(pair):
    return pair[0][0]


def refused_at(index: int, error: ValidationError) -> ValidationError:
    """``error``, marked with the place of the refused item in a bulk call's ``items``
    (``error.item_index``), so a caller names the row or the person it came from."""
    error.item_index = index
    return error


def open_runs(school_ids) -> set[tuple[int, int, str]]:
    """The (school, major, level) triples the schools ``school_ids`` run open (a query per
    900 schools)."""
    runs = set()
    for chunk in core.chunked(sorted(school_ids), QUERY_CHUNK):
        runs.update(
            SchoolMajor.objects.filter(school_id__in=chunk, status=MajorStatus.OPEN)
            .order_by()
            .values_list("school_id", "major_id", "level")
        )
    return runs


def registrations_bulk_create(*, actor, items: list[dict], message: str = "") -> int:
    """Register many new students in one go, as the act ``registration.enrol`` (its
    role check, its rules, its audit code): see ``_bulk_enrol``."""
    with acts.performing("registration.enrol", actor):
        return _bulk_enrol(actor=actor, items=items, message=message)


def _bulk_enrol(*, actor, items: list[dict], message: str = "") -> int:
    """Register many new students in one go (large imports).

    Each item holds the keyword arguments of ``registration_create``. It checks what the
    act checks, in the act's order (scope per school; the act's rules once per
    combination of values and the birth order; then the person on file: the name, the
    one-active-full-time registration), with the act's messages, then inserts persons
    and registrations in bulk (``core.bulk_insert``: ``COPY`` on PostgreSQL, no model
    instances) and writes one audit row per table. The ID numbers get the full GB 11643
    check again, by a fast path for the canonical form the importer passes
    (``idcard.facts_many``). All or nothing."""
    schools = {item["school"].pk: item["school"] for item in items}
    if actor is not None:
        for school in schools.values():
            ensure(actor, "add", Registration(school=school))
    try:
        facts = idcard.facts_many([item["id_number"] for item in items])
    except StandardError as exc:
        raise from_standard(exc) from exc
    checked: dict[tuple, dict] = {}  # the act's rules, once per combination of values
    runs = open_runs(schools)  # what the rules read: once per batch, not per combination
    tiers: dict[tuple, str] = {}  # (school, day) → tier on that day
    for index, ((_number, birth, _sex), item) in enumerate(zip(facts, items, strict=True)):
        key = (
            item["school"].pk,
            item["major"].pk,
            item["level"],
            item["track"],
            item["source"],
            item["duration_months"],
            item["enrolled_on"],
        )
        if key not in checked:
            day = (item["school"].pk, item["enrolled_on"])
            if day not in tiers:
                tiers[day] = tier_on(item["school"], item["enrolled_on"])
            checked[key] = registration_rules(
                school=item["school"],
                major=item["major"],
                level=item["level"],
                track=item["track"],
                source=item["source"],
                duration_months=item["duration_months"],
                enrolled_on=item["enrolled_on"],
                runs=runs,
                tier=tiers[day],
            )
        errors = {k: list(v) for k, v in checked[key].items()}
        wrong_order = birth_order_error(item["enrolled_on"], birth)
        if wrong_order:
            errors.setdefault("enrolled_on", []).append(wrong_order)
        if errors:
            raise refused_at(index, ValidationError(errors))
    ids = sorted({f[0] for f in facts})
    digest = pii.digester()
    digests = {number: digest(number) for number in ids}  # once per distinct number
    persons: dict[str, int] = person_pks(digests)
    # Only people already on file can hold a registration.
    known_full_time = sorted(
        {persons[f[0]] for f, item in zip(facts, items, strict=True) if f[0] in persons}
        if any(item["track"] == "full_time" for item in items)
        else ()
    )
    busy_pks = set()
    for i in range(0, len(known_full_time), QUERY_CHUNK):
        busy_pks.update(
            Registration.objects.filter(
                person_id__in=known_full_time[i : i + QUERY_CHUNK],
                status__in=IN_SCHOOL,
                track="full_time",
            ).values_list("person_id", flat=True)
        )
    busy = {number for number, pk in persons.items() if pk in busy_pks}
    on_file = names_on_file({n: digests[n] for n in persons}) if persons else {}
    homes = homes_on_file(persons) if persons else {}
    quotas = CrossProvinceCount(batch=True)  # the items of this batch count as accepted
    new_people = {}
    for index, ((number, birth, sex), item) in enumerate(zip(facts, items, strict=True)):
        if number in on_file and not same_person(on_file[number], item["name"]):
            raise refused_at(index, ValidationError({"name": [NAME_MISMATCH]}))
        if item["track"] == "full_time":
            if number in busy:
                raise refused_at(index, ValidationError({"id_number": [FULL_TIME_BUSY]}))
            busy.add(number)
        home = homes.get(number) or new_people.get(number, (None,) * 5)[4]
        home = home or item.get("home_province") or number[:2]
        refused = quotas.refusal(
            school=item["school"], province=home, enrolled_on=item["enrolled_on"]
        )
        if refused:
            raise refused_at(index, _policy_error(refused))
        if number not in persons and number not in new_people:
            name = (item["name"] or "").strip()
            if not name:
                raise refused_at(index, ValidationError({"name": [_("姓名不能为空")]}))
            new_people[number] = (
                number,
                name,
                sex,
                birth,
                item.get("home_province") or number[:2],
            )
    # Inserting in keyed-hash order keeps the unique index on it growing at one end
    # instead of at random places (fewer pages touched); registrations follow in
    # ID-number order.
    if new_people:
        seal = pii.sealer(PERSON_ID)
        core.bulk_insert(
            Person,
            ["id_number_enc", "id_number_hmac", "name", "sex", "birth_date", "home_province"],
            (
                (seal(number), digests[number], *new_people[number][1:])
                for number in sorted(new_people, key=digests.__getitem__)
            ),
        )
        core.bulk_created(actor, Person, len(new_people), message or "批量导入")
        persons.update(person_pks({n: digests[n] for n in new_people}))
    enrolled = Status.ENROLLED.value
    n = core.bulk_insert(
        Registration,
        [
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
            "cooperation_id",
        ],
        (
            (
                persons[f[0]],
                item["school"].pk,
                item["major"].pk,
                item["level"],
                item["entry_point"],
                item["duration_months"],
                item["track"],
                item["source"],
                item["enrolled_on"],
                enrolled,
                item["enrolled_on"],
                item["cooperation"].pk if item.get("cooperation") is not None else None,
            )
            for f, item in sorted(zip(facts, items, strict=True), key=_by_number)
        ),
    )
    core.bulk_created(actor, Registration, n, message or "批量导入")
    return n
