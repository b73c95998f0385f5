"""Hypothesis strategies for form fields: a valid-looking value per field type, and the
hostile values a form must refuse (or store unharmed): boundaries, junk, injection."""

import datetime
import decimal

from django import forms
from hypothesis import strategies as st

CJK_TEXT = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1)

INJECTION = [
    "'; DROP TABLE students_person; --",
    "1' OR '1'='1",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "%(name)s %s %d",
    "../../../../etc/passwd",
    '=HYPERLINK("http://x")',
    "\\x00\\u0000",
]
ODD_TEXT = [
    "",
    " ",
    "\u3000\t\n",  # full-width space, tab, newline
    "\x00",
    "a\x00b",
    "１２３４５",  # full-width digits
    "😀👨‍👩‍👧‍👦🇨🇳",
    "\u202egnp.exe",  # right-to-left override
    "\ud7ff\ue000\uffff",
    "null",
    "None",
    "-1",
    "0",
]
HUGE = "测" * 100_000


def hostile_text(max_length: int | None = None) -> st.SearchStrategy[str]:
    choices = [st.sampled_from(INJECTION + ODD_TEXT), st.just(HUGE), st.text(max_size=40)]
    if max_length:
        choices += [
            st.just("字" * max_length),
            st.just("字" * (max_length + 1)),
            st.just("x" * (max_length + 1)),
        ]
    return st.one_of(choices)


NUMBER_JUNK = [
    "",
    " ",
    "abc",
    "１２",
    "２０２５",
    "1e3",
    "1.5",
    "-0",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e400",
    "0x10",
    "1_000",
    "9" * 40,
    "-" + "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    "\x00",
    "1\x00",
]


def _int_bounds(field):
    lo = hi = None
    for v in field.validators:
        name = type(v).__name__
        if name == "MinValueValidator":
            lo = v.limit_value
        elif name == "MaxValueValidator":
            hi = v.limit_value
    return lo, hi


def valid_int(field) -> st.SearchStrategy:
    lo, hi = _int_bounds(field)
    lo = 0 if lo is None else lo
    hi = lo + 3000 if hi is None else hi
    small = st.integers(max(lo, 1), min(hi, 200)) if max(lo, 1) <= min(hi, 200) else st.nothing()
    return st.one_of(small, st.integers(lo, hi), st.sampled_from([lo, hi])).map(str)


def hostile_int(field) -> st.SearchStrategy:
    lo, hi = _int_bounds(field)
    edges = [0, -1, 1, 2**31, 2**63, -(2**63)]
    if lo is not None:
        edges += [lo - 1, lo]
    if hi is not None:
        edges += [hi, hi + 1]
    return st.one_of(st.sampled_from(NUMBER_JUNK), st.sampled_from(edges).map(str))


def valid_decimal(field) -> st.SearchStrategy:
    lo, hi = _int_bounds(field)
    lo = decimal.Decimal(0) if lo is None else decimal.Decimal(lo)
    hi = lo + 10_000 if hi is None else decimal.Decimal(hi)
    places = field.decimal_places if field.decimal_places is not None else 2
    return st.decimals(lo, hi, places=places, allow_nan=False, allow_infinity=False).map(str)


def hostile_decimal(field) -> st.SearchStrategy:
    extra = ["0.0000001", "12345678901234567890.12", "-0.01", "1,000", "¥100", "100元"]
    return st.one_of(st.sampled_from(NUMBER_JUNK + extra), hostile_int(field))


DATE_JUNK = [
    "2025-02-30",
    "2025-13-01",
    "2024-02-29",  # valid: a leap day
    "2023-02-29",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "2025/02/28",
    "２０２５-０１-０１",
    "2025-1-1",
    "20250101",
    "tomorrow",
    "",
    "2025-01-01T00:00:00",
    "2025-01-01\x00",
]


def valid_date() -> st.SearchStrategy:
    today = datetime.date.today()
    near = st.integers(-400, 400).map(lambda n: today + datetime.timedelta(days=n))
    return st.one_of(near, st.dates(datetime.date(2000, 1, 1), datetime.date(2035, 12, 31))).map(
        lambda d: d.isoformat()
    )


def choice_values(field) -> list[str]:
    out = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            out += [str(v) for v, _ in label]
        else:
            out.append(str(value))
    return [v for v in out if v != ""] or [""]


def model_values(field) -> tuple[list[str], list[str]]:
    """(pks the field offers, pks of the same model it does not offer: other scope)."""
    qs = field.queryset
    key = field.to_field_name or "pk"
    offered = [str(v) for v in qs.values_list(key, flat=True)[:200]]
    others = [
        str(v)
        for v in qs.model._base_manager.exclude(**{f"{key}__in": qs.values(key)})
        .order_by("pk")
        .values_list(key, flat=True)[:50]
    ]
    return offered, others


def valid_value(field, initial=None) -> st.SearchStrategy:
    """A value the field itself would accept (the service may still refuse it); the
    value the page showed is drawn often, so that some posts succeed."""
    strategy = _valid_value(field, initial)
    if not field.required and not isinstance(field, forms.BooleanField):
        strategy = st.one_of(st.just(""), strategy)  # an optional field left blank
    if initial in (None, "", [], ()) or isinstance(field, forms.BooleanField):
        return strategy
    shown = (
        [str(getattr(v, "pk", v)) for v in initial]
        if isinstance(initial, list | tuple)
        else (
            initial.isoformat()
            if hasattr(initial, "isoformat")
            else str(getattr(initial, "pk", initial))
        )
    )
    return st.one_of(st.just(shown), strategy)


def _valid_value(field, initial=None) -> st.SearchStrategy:
    if isinstance(field, forms.ModelMultipleChoiceField):
        offered, _ = model_values(field)
        return (
            st.lists(st.sampled_from(offered), max_size=3, unique=True) if offered else st.just([])
        )
    if isinstance(field, forms.ModelChoiceField):
        offered, _ = model_values(field)
        return st.sampled_from(offered) if offered else st.just("")
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(choice_values(field)), min_size=1, max_size=3, unique=True)
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from(choice_values(field))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.IntegerField):
        return valid_int(field)
    if isinstance(field, forms.DecimalField):
        return valid_decimal(field)
    if isinstance(field, forms.DateField):
        return valid_date()
    if isinstance(field, forms.EmailField):
        return st.just("fuzz@example.cn")
    max_length = getattr(field, "max_length", None) or 200
    return CJK_TEXT.map(lambda s: s[:max_length])


def hostile_value(field) -> st.SearchStrategy:
    """A value meant to be refused, or stored exactly as given without harm."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        offered, others = model_values(field)
        junk = ["987654", "-1", "abc", "1.0", "\x00"]
        return st.lists(st.sampled_from(others + junk + offered[:1]), min_size=1, max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        offered, others = model_values(field)
        return st.sampled_from([*others, "987654", "-1", "abc", "1.0", "", "\x00", "1 OR 1=1"])
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(
            st.sampled_from([*choice_values(field), "zzz", "", "\x00", "全部"]), max_size=4
        )
    if isinstance(field, forms.ChoiceField):
        return st.one_of(st.sampled_from(["zzz", "", "\x00", "ALL", "全部"]), hostile_text(20))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["false", "0", "off", "yes", "\x00", "真"])
    if isinstance(field, forms.IntegerField):
        return hostile_int(field)
    if isinstance(field, forms.DecimalField):
        return hostile_decimal(field)
    if isinstance(field, forms.DateField):
        return st.sampled_from(DATE_JUNK)
    return hostile_text(getattr(field, "max_length", None))


@st.composite
def form_data(draw, fields: dict, initial: dict | None = None):
    """Valid-looking values for every field, with one field (or none) made hostile.
    Returns (data, the hostile field's name or None)."""
    initial = initial or {}
    names = list(fields)
    bad = draw(st.sampled_from([None, *names]) if names else st.just(None))
    data = {}
    for name, field in fields.items():
        strategy = hostile_value(field) if name == bad else valid_value(field, initial.get(name))
        value = draw(strategy)
        if value == "" and isinstance(field, forms.BooleanField):
            continue  # an unticked box is absent from the POST
        data[name] = value
    return data, bad
