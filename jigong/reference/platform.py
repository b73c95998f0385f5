"""Platform settings: the values the policy does not state (``source: platform`` in
``jigong/policy/parameters``), listed as “平台设定（可由市人社局调整）” and adjusted by the
municipal bureau (act ``platform_setting.adjust``, ``reference.services``).

``install()`` (the app's ``ready``) gives the policy layer its source of adjustments;
``check_values`` reads and checks a bureau's entry against the shape of the value it
replaces (a whole number stays a whole number, a list of tiers a list of tiers …)."""

import datetime
from decimal import Decimal, InvalidOperation

import yaml
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from jigong.policy import parameters as P
from jigong.policy import rules

# Parameters checked together: one adjustment sets them all (the weights sum to 1).
GROUPS = {"quality.weight.": tuple(f"quality.weight.{d}" for d in rules.QUALITY_DIMENSIONS)}
# Codes a list value may hold, by parameter.
CODES = {
    "licensing.district_delegated_tiers": rules.TIER_LABELS,
    "enrolment.qualified_statuses": rules.SCHOOL_STATUS_LABELS,
    "admissions.entry_points": rules.ENTRY_POINT_LABELS,
}


def _version():
    from jigong.reference.models import ParameterAdjustment

    row = ParameterAdjustment.objects.aggregate(n=Count("id"), m=Max("id"))
    return (row["n"], row["m"])


def version():
    """(count, latest id) of the adjustments; None when the table cannot be read (before
    the migration, a test without database access)."""
    try:
        if connection.in_atomic_block:  # a failed read must not break the transaction
            with transaction.atomic():
                return _version()
        return _version()
    except Exception:  # DatabaseError; a test that may not use the database
        return None


def rows():
    from jigong.reference.models import ParameterAdjustment

    out = []
    for adj in ParameterAdjustment.objects.order_by("start", "id"):
        note = _("市人社局自%(d)s起调整：%(r)s") % {"d": adj.start.isoformat(), "r": adj.reason}
        for name, value in adj.values.items():
            out.append(P.Adjustment(name, value, adj.start, note))
    return out


def install() -> None:
    P.use_adjustments(version, rows)


def platform_names() -> list[str]:
    """Parameters with a platform value, sorted."""
    return [n for n in P.all() if any(c.platform for c in P.history(n))]


def adjustable(name: str, on: datetime.date) -> bool:
    """Whether the value that applies on ``on`` is the platform's (the bureau may set
    it); a parameter not in force yet is judged by its first value."""
    p = P.parameter(name)
    c = p.citation(on) or p.first
    return c.platform


def group_of(name: str) -> tuple[str, ...]:
    for prefix, names in GROUPS.items():
        if name.startswith(prefix):
            return names
    return (name,)


def shown(value) -> str:
    """A value as the bureau edits it (YAML flow style: 15, 04-30, [school], {a: 1})."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip()
    return str(value)


def readable(value) -> str:
    """A value as a reader sees it: the codes of tiers, levels and region groups by
    their Chinese labels (the page keeps ``shown`` for support staff)."""
    from jigong.core.choices import Level, RegionGroup, Tier

    labels = {str(c.value): str(c.label) for e in (Tier, Level, RegionGroup) for c in e}

    def swap(v):
        if isinstance(v, dict):
            return {labels.get(k, k): swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return labels.get(v, v) if isinstance(v, str) else v

    return shown(swap(value))


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check(name: str, label: str, template, value, field: str, unit: str, nested=False):
    """``value`` checked against the shape of ``template``; returns it (numbers as
    read); raises ValidationError on ``field`` naming the value and the rule. A whole
    number stays whole at the top (days, months, years); inside a table any number."""

    def bad(rule: str):
        v = shown(value)
        return ValidationError(
            {field: [_("%(l)s“%(v)s”：%(r)s") % {"l": label, "v": v, "r": rule}]}
        )

    if isinstance(template, bool):
        if value in ("是", "否"):
            return value == "是"
        if not isinstance(value, bool):
            raise bad(_("应为 true（是）或 false（否）"))
        return value
    if isinstance(template, int) and not nested:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad(_("应为不小于0的整数"))
        return value
    if _is_number(template):
        if not _is_number(value) or value < 0:
            raise bad(_("应为不小于0的数"))
        return value
    if isinstance(template, str) and unit != "月-日":
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise bad(_("应为不超过64个字的文字"))
        return value.strip()
    if isinstance(template, str):
        try:
            datetime.date.fromisoformat(f"2024-{value}")
        except (TypeError, ValueError):
            raise bad(_("应为“月-日”，如 04-30")) from None
        return str(value)
    if isinstance(template, list):
        codes = CODES.get(name)
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad(_("应为代码列表，如 [school]"))
        if codes is not None:
            unknown = [x for x in value if x not in codes]
            if unknown:
                allowed = "、".join(f"{k}（{v}）" for k, v in codes.items())
                raise bad(
                    _("未知代码 %(u)s，应为：%(a)s") % {"u": "、".join(unknown), "a": allowed}
                )
        return value
    if isinstance(template, dict):
        if not isinstance(value, dict) or set(value) != set(template):
            raise bad(_("应包含且只包含这些项：%(k)s") % {"k": "、".join(template)})
        return {
            k: _check(name, f"{label}·{k}", template[k], value[k], field, unit, nested=True)
            for k in template
        }
    raise bad(_("不支持调整该类型的取值"))


def field_name(name: str) -> str:
    return f"value__{name}"


def check_values(values: dict, start: datetime.date, today: datetime.date) -> dict:
    """The bureau's new values (parsed), checked; a ValidationError names the field,
    the value and the rule. The start is today or later: what was decided before keeps
    the value it was decided on."""
    errors: dict[str, list[str]] = {}
    if start < today:
        errors["start"] = [
            _(
                "生效日期“%(d)s”早于今天：平台设定的调整只能自今天（%(t)s）或以后生效，已办理的事项按原设定"
            )
            % {"d": start.isoformat(), "t": today.isoformat()}
        ]
    if not values:
        errors["start"] = [*errors.get("start", []), _("没有要调整的取值")]
    clean = {}
    for name, value in values.items():
        field = field_name(name)
        try:
            p = P.parameter(name)
        except P.ParameterNotFound:
            errors[field] = [_("参数“%(n)s”不存在") % {"n": name}]
            continue
        c = p.citation(start) or p.first
        if not c.platform:
            errors[field] = [
                _("“%(d)s”是意见规定的数值（依据%(c)s），不能在平台调整")
                % {"d": c.description, "c": c.clause}
            ]
            continue
        if isinstance(value, str) and not isinstance(c.value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                errors[field] = [
                    _("%(l)s“%(v)s”：无法识别的写法") % {"l": c.description, "v": value}
                ]
                continue
        try:
            clean[name] = _check(name, c.description, c.value, value, field, c.unit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for names in GROUPS.values():
        if set(clean) & set(names):
            missing = [n for n in names if n not in clean]
            if missing:
                errors[field_name(missing[0])] = [_("该组参数须一起调整")]
                continue
            try:
                total = sum(Decimal(str(clean[n])) for n in names)
            except InvalidOperation:
                continue
            if total != 1:
                errors[field_name(names[0])] = [
                    _("各维度权重之和须为1，调整后为%(t)s") % {"t": format(total.normalize(), "f")}
                ]
    if errors:
        raise ValidationError(errors)
    return clean
