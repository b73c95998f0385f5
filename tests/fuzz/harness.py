"""Discovery of the portal's forms and the properties every POST must keep.

A form is found from the URL patterns (the permission matrix names each route, its path
objects and the roles allowed to POST it): a GET as an allowed role gives the form
instance from the page's context (field types, choices, max_length, required); a
POST-only endpoint gives its form class or the POST keys it reads from the view's source.
"""

import inspect
import re
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.db import connection, transaction
from django.urls import resolve
from django.utils.html import escape

from jigong.core.models import AuditLog, Role

CJK = re.compile(r"[\u4e00-\u9fff]")
REDIRECTS = (301, 302, 303)
OTP = "/accounts/otp/verify/"
# Routes the generic form test leaves to the dedicated tests of this folder (the name
# of the test that fuzzes each), or that no role can reach with a POST.
SPECIAL = {
    "login": "test_auth.py::test_login_form",
    "logout": "test_auth.py::test_logout_and_otp_disable",
    "password_change": "test_auth.py::test_password_change_form",
    "security:otp_setup": "test_auth.py::test_totp_forms",
    "security:otp_verify": "test_auth.py::test_totp_forms",
    "security:otp_disable": "test_auth.py::test_logout_and_otp_disable",
    "public:verify": "test_public.py::test_verify_form",
    "public:verify_code": "test_public.py::test_code_forms",
    "public:verify_code_pdf": "test_public.py::test_code_forms",
    "public:verify_qr": "test_public.py::test_qr_form",
    "public:verify_keys": "GET only (405 for every role)",
    "enrol:apply": "test_public.py::test_enrol_forms",
    "enrol:status": "test_public.py::test_enrol_forms",
    "imports:upload": "test_uploads.py::test_import_upload",
    "workflows:transition": "test_uploads.py::test_transition_form",
    "jobs:import_status": "a job's progress as JSON, no form; the matrix checks it",
    "jobs:report_status": "a job's progress as JSON, no form; the matrix checks it",
    "security:session_end": (
        "one's own session by its id, no form: "
        "tests/accounts/test_pages.py::test_own_sessions_are_listed_and_ended"
    ),
    "security:session_end_others": (
        "ends the poster's other sessions (the fuzzer's own clients), no fields: "
        "tests/accounts/test_pages.py::test_own_sessions_are_listed_and_ended"
    ),
    "oidc_authentication_init": (
        "single sign-on's redirect to the provider (404 while unconfigured), no form: "
        "tests/sso/test_oidc_login.py against the test provider"
    ),
    "oidc_authentication_callback": (
        "the provider's redirect back with code and state, no form: "
        "tests/sso/test_oidc_login.py (forged, replayed and bad tokens)"
    ),
    "accounts:password_link": (
        "a one-time link's token in the address, no account posts it: "
        "tests/accounts/test_pages.py::test_school_admin_creates_a_clerk_through_the_form_and_link"
    ),
}
# Routes no matrix account may POST (or whose row names a missing pk): the fuzz world's
# object and the roles that post them here.
EXTRA_ROUTES = {
    "workflows:founding_edit": ("founding", ["founding"]),
}
# Routes whose matrix object is in a state that refuses every post (a graduated
# registration): the fuzz world's object in a state that lets valid posts succeed.
OBJECT_OVERRIDE = {
    "students:registration_status": {"pk": "enrolled"},
    "certificates:registration_graduate": {"pk": "enrolled"},
}
ROLE_OVERRIDE = {
    "workflows:founding_create": ["founding"],
}


def table_counts() -> dict:
    """Rows in every table of ours and in the audit log, in one query (job rows that
    carry an upload are counted apart: a refused upload may leave a failed job)."""
    models = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("jigong.")
        and not m.__module__.startswith("jigong.jobs.")
        and m is not AuditLog
    ]
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in models)
    with connection.cursor() as c:
        c.execute(sql)
        row = c.fetchone()
    counts = {m._meta.label: n for m, n in zip(models, row, strict=True)}
    counts["AuditLog (not jobs)"] = AuditLog.objects.exclude(
        object_type__startswith="jobs."
    ).count()
    return counts


def diff(before: dict, after: dict) -> dict:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


@dataclass
class FormSpec:
    """One form to fuzz: where it posts, as whom, and its fields."""

    route: str
    url: str
    other_url: str | None  # the same page for the other school's object, if any
    role: str
    fields: dict
    initial: dict = field(default_factory=dict)
    kind: str = "form"  # form (page with a form) | raw (POST-only endpoint)


def form_of(response):
    ctx = response.context
    if ctx is None:
        return None
    form = ctx.get("form")
    return form if isinstance(form, forms.BaseForm) else None


RAW_KEY = re.compile(r"request\.POST\.get\(\s*[\"'](\w+)[\"']")
FORM_CLASS = re.compile(r"\b(\w+Form)\(request\.POST\b")
RAW_FIELDS = {
    # the keys POST-only endpoints read, typed like the forms that post them
    "year": forms.IntegerField(min_value=2000, max_value=2100),
    "key": forms.IntegerField(),
    "reason": forms.CharField(max_length=500),
    "comment": forms.CharField(max_length=500, required=False),
    "mode": forms.ChoiceField(choices=[("all", "all"), ("valid", "valid")]),
    "next": forms.CharField(required=False),
}


def post_only_fields(url: str) -> dict:
    """The form class a POST-only view binds, else the POST keys its source reads."""
    func = inspect.unwrap(resolve(url).func)
    source = inspect.getsource(func)
    m = FORM_CLASS.search(source)
    if m and m.group(1) in func.__globals__:
        return dict(func.__globals__[m.group(1)]().fields)
    return {k: RAW_FIELDS.get(k, forms.CharField(required=False)) for k in RAW_KEY.findall(source)}


def error_messages(form) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


def queued_messages(response) -> list:
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def in_scope(user, model, object_id) -> bool:
    from jigong.core.permissions import restrict

    return restrict(user, model, "view").filter(pk=object_id).exists()


def check_audit_scope(user, rows) -> list[str]:
    """Every audit row written names the acting user and a school/district of their scope;
    every created or changed register row is visible to them."""
    from jigong.schools.models import School

    if user is None:  # a public page (graduates' self-service): no staff scope to hold
        return []
    problems = []
    for a in rows:
        if a.actor_id != user.pk:
            problems.append(f"audit row {a.object_type}#{a.object_id} names actor {a.actor_id}")
        if user.role == Role.SCHOOL and a.school_id not in (None, user.school_id):
            problems.append(f"audit row {a.object_type}#{a.object_id} at school {a.school_id}")
        if user.role == Role.DISTRICT and a.school_id is not None:
            district = School.objects.filter(pk=a.school_id).values_list("district_id", flat=True)
            if list(district) != [user.district_id]:
                problems.append(
                    f"audit row {a.object_type}#{a.object_id} at school {a.school_id} "
                    "outside the district"
                )
        if a.action == AuditLog.Action.DELETE or not a.object_id.isdigit():
            continue
        try:
            model = apps.get_model(a.object_type)
        except (LookupError, ValueError):
            continue
        if not model._base_manager.filter(pk=a.object_id).exists():
            problems.append(f"audit row names {a.object_type}#{a.object_id}, which is missing")
        elif (
            user.role in (Role.SCHOOL, Role.DISTRICT)
            and hasattr(model, "Scope")
            and not in_scope(user, model, a.object_id)
        ):
            problems.append(f"{a.object_type}#{a.object_id} written outside the user's scope")
    return problems


@dataclass
class Outcome:
    status: int
    kind: str  # success | refused
    detail: str = ""


def post_and_check(
    client, user, url, data, *, files=None, expect_refused=False, noop=False
) -> Outcome:
    """POST in a savepoint rolled back afterwards, and check the properties:
    never a 5xx; a success redirect writes audit rows naming the user, in their scope;
    a refusal (form page with Chinese errors, 4xx, or a redirect with an error message)
    writes nothing."""
    payload = dict(data)
    if files:
        payload.update(files)
    with transaction.atomic():
        before = table_counts()
        last_audit = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.post(url, payload)
        after = table_counts()
        new_audit = list(
            AuditLog.objects.filter(pk__gt=last_audit).exclude(object_type__startswith="jobs.")
        )
        outcome = _judge(response, user, before, after, new_audit, data, expect_refused, noop)
        transaction.set_rollback(True)
    return outcome


def _judge(response, user, before, after, new_audit, data, expect_refused, noop) -> Outcome:
    status = response.status_code
    what = f"POST {response.wsgi_request.path} {short(data)}"
    assert status < 500, f"{what}: answered {status}"
    changed = diff(before, after)
    errors_queued = [m for m in queued_messages(response) if m.level_tag == "error"]
    form = form_of(response)
    refused = (
        status >= 400
        or (status == 200 and form is not None and form.errors)
        or (status in REDIRECTS and errors_queued)
    )
    if status in REDIRECTS and response["Location"].startswith(("/accounts/login/", OTP)):
        raise AssertionError(f"{what}: sent to {response['Location']}")
    if refused:
        assert not changed, f"{what}: refused ({status}) but wrote {changed}"
        if form is not None and form.errors:
            body = response.content.decode()
            for m in error_messages(form):
                assert CJK.search(m), f"{what}: error without Chinese text: {m!r}"
                assert escape(m) in body or m in body, f"{what}: error not shown: {m!r}"
        for m in errors_queued:
            assert CJK.search(str(m)), f"{what}: message without Chinese text: {m}"
        return Outcome(status, "refused", str(form.errors if form is not None else ""))
    assert not expect_refused, f"{what}: should have been refused, answered {status} {changed}"
    if status in REDIRECTS:
        if noop and not changed and not new_audit:
            return Outcome(status, "unchanged")  # an edit saving the values it showed
        assert new_audit, f"{what}: success redirect without an audit row ({changed})"
        problems = check_audit_scope(user, new_audit)
        assert not problems, f"{what}: " + "; ".join(problems)
        return Outcome(status, "success")
    # a 200 without form errors: a page re-rendered (e.g. a result); it writes only audited rows
    if changed:
        problems = check_audit_scope(user, new_audit) if new_audit else ["no audit row"]
        assert not problems, f"{what}: 200 wrote {changed}: " + "; ".join(problems)
    return Outcome(status, "success" if changed else "shown")


def as_posted(value) -> str | list:
    """How a form shows an initial value in the POST it sends back."""
    if isinstance(value, list | tuple):
        return [as_posted(v) for v in value]
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is True:
        return "on"
    if value is None or value is False:
        return ""
    return str(value)


def _comparable(value):
    """A cleaned value for comparison: a choice list or query set as sorted pks/values."""
    if hasattr(value, "values_list"):
        return sorted(str(pk) for pk in value.values_list("pk", flat=True))
    if isinstance(value, list | tuple):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    return value


def same_as_initial(values: dict, initial: dict, fields: dict) -> bool:
    """The post sends back what the page showed, as the form reads it ("false" is an
    unticked box, " x " is "x", a blank number stands for 0)."""
    from django.core.exceptions import ValidationError

    def clean(form_field, value):
        try:
            return form_field.clean(value)
        except ValidationError:
            return value

    for name, form_field in fields.items():
        posted = clean(form_field, values.get(name, ""))
        shown = clean(form_field, as_posted(initial.get(name)))
        posted, shown = _comparable(posted), _comparable(shown)
        if posted != shown and not (posted in (None, "") and shown in (0, None, "")):
            return False
    return True


def short(data) -> str:
    out = {}
    for k, v in data.items():
        s = repr(v)
        out[k] = s if len(s) < 60 else s[:40] + f"…({len(s)} chars)"
    return str(out)
