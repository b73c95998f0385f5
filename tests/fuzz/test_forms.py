"""Hypothesis over every form of the portal (issue 7).

Every route the permission matrix allows some role to POST is found from the URL
patterns; its form comes from the page (or, for a POST-only endpoint, from the view).
Each example posts valid-looking values with one field made hostile, as one of the roles
allowed to post, to the own object's page or the other school's. A POST never answers
5xx; it either succeeds (redirect, audit rows naming the user, rows in their scope) or
is refused with Chinese text next to the field and writes nothing.
"""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_permission_matrix import _data, _url, routes

from .conftest import FUZZ
from .harness import (
    EXTRA_ROUTES,
    OBJECT_OVERRIDE,
    ROLE_OVERRIDE,
    SPECIAL,
    FormSpec,
    form_of,
    post_and_check,
    post_only_fields,
    same_as_initial,
)
from .strategies import form_data, model_values

PREFERRED = ("school", "district", "municipal", "graduate", "founding", "department", "anonymous")


def post_routes(matrix) -> dict:
    """Every non-API route some role may POST, with the roles allowed."""
    found = {}
    for name, row in matrix["rows"].items():
        if name.startswith(("api-v1:", "admin:")) or "POST" not in row.methods:
            continue
        roles = [r for r, v in row.methods["POST"].items() if v in ("ok", "own")]
        if not roles and name in EXTRA_ROUTES:
            roles = EXTRA_ROUTES[name][1]
        roles = ROLE_OVERRIDE.get(name, roles)
        found[name] = sorted(roles, key=PREFERRED.index) if roles else []
    return found


def test_every_post_route_is_fuzzed():
    """A new form is fuzzed without a line here: only the special routes are listed."""
    from tests.test_permission_matrix import load_matrix

    matrix = load_matrix()
    for name, roles in post_routes(matrix).items():
        assert roles or name in SPECIAL, f"{name}: no role posts it and it is not listed"
    stale = set(SPECIAL) - set(post_routes(matrix))
    assert not stale, f"SPECIAL lists routes that are gone: {sorted(stale)}"


def discover(fw) -> list[tuple[str, list[FormSpec]]]:
    matrix, all_routes = fw.matrix, routes()
    out = []
    for name, roles in post_routes(matrix).items():
        if name in SPECIAL:
            continue
        row = matrix["rows"][name]
        objects = dict(row.objects)
        if name in EXTRA_ROUTES and objects.get("pk") in (None, "missing"):
            objects["pk"] = EXTRA_ROUTES[name][0]
        objects.update(OBJECT_OVERRIDE.get(name, {}))
        url = _url(all_routes[name], row.args, objects, 0)
        other = _url(all_routes[name], row.args, objects, 1)
        specs = []
        for role in roles:
            client = fw.clients[role]
            response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
            form = form_of(response) if response.status_code == 200 else None
            if form is not None:
                fields, kind = dict(form.fields), "form"
                initial = {
                    k: form.initial.get(k, f.initial)
                    for k, f in fields.items()
                    if not callable(form.initial.get(k, f.initial))
                }
            else:  # the matrix row's POST body (an object's pk) is the value it shows
                fields, kind = post_only_fields(url), "raw"
                initial = _data(getattr(row, "data", {}), 0)
            specs.append(
                FormSpec(name, url, other if other != url else None, role, fields, initial, kind)
            )
        out.append((name, specs))
    return out


def choice_leaks(fw, forms_found) -> list[str]:
    """A select offers only the user's own scope: no other school's row as a choice."""
    from django import forms

    from jigong.core.permissions import restrict

    leaks = []
    for name, specs in forms_found:
        for spec in specs:
            if spec.role not in fw.users:  # anonymous: no scope to leak from
                continue
            user = fw.users[spec.role]
            for fname, field in spec.fields.items():
                if not isinstance(field, forms.ModelChoiceField):
                    continue
                model = field.queryset.model
                if not hasattr(model, "Scope") or spec.role not in ("school", "district"):
                    continue
                offered, _ = model_values(field)
                visible = {
                    str(pk) for pk in restrict(user, model, "view").values_list("pk", flat=True)
                }
                outside = sorted(set(offered) - visible)
                if outside:
                    leaks.append(
                        f"{name} as {spec.role}: {fname} offers {model.__name__} {outside}"
                    )
    return leaks


@pytest.mark.django_db
def test_every_form(fuzz_world):
    forms_found = discover(fuzz_world)
    assert len(forms_found) >= 35, [n for n, _ in forms_found]
    only = os.environ.get("JIGONG_FUZZ_ONLY")  # e.g. "workflows:plan_edit,…" to debug
    if only:
        forms_found = [(n, s) for n, s in forms_found if n in only.split(",")]
    leaks = choice_leaks(fuzz_world, forms_found)
    assert not leaks, "\n".join(leaks)
    failures, tally = [], {}

    for name, specs in forms_found:
        fuzz = make_fuzz(fuzz_world, name, specs, tally)
        try:
            fuzz()
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {exc}"[:3000])
    print("\nfuzzed forms:", {k: v for k, v in sorted(tally.items())})
    assert not failures, f"{len(failures)} form(s) failed:\n\n" + "\n\n".join(failures)


def not_offered(field, value) -> bool:
    """A pk the select did not offer (another school's, or none at all): must be refused."""
    from django import forms

    if not isinstance(field, forms.ModelChoiceField) or value in (None, "", []):
        return False
    offered, _ = model_values(field)
    values = value if isinstance(value, list) else [value]
    return any(v not in offered for v in values)


def make_fuzz(fw, name, specs, tally):
    """One Hypothesis test per form (posts as one of its roles, own or other object)."""

    @FUZZ
    @given(st.data())
    def fuzz(data):
        spec = data.draw(st.sampled_from(specs), label="role")
        other = (
            spec.other_url is not None
            and spec.role in ("school", "district", "graduate", "founding")
            and data.draw(st.booleans(), label="other school's object")
        )
        values, bad = data.draw(form_data(spec.fields, spec.initial), label="data")
        outcome = post_and_check(
            fw.clients[spec.role],
            fw.users.get(spec.role),  # None: anonymous
            spec.other_url if other else spec.url,
            values,
            expect_refused=other or not_offered(spec.fields.get(bad), values.get(bad)),
            noop=same_as_initial(values, spec.initial, spec.fields),
        )
        counts = tally.setdefault(name, {})
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        if outcome.kind == "refused" and os.environ.get("JIGONG_FUZZ_VERBOSE"):
            print(f"{name} as {spec.role}: {outcome.status} {outcome.detail[:300]}")

    return fuzz
