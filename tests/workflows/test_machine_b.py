"""Every transition of the founding application, the 双优 round and the catalogue
adjustment, in every state, for every role and scope (like test_machine.py).

Founding: a 技工学校 goes to its district bureau, a 技师学院 to the municipal bureau
(（二十一）); submitting to the other bureau is refused as not applicable.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.schools.models import School, SchoolMajor
from jigong.workflows import services
from jigong.workflows.machine import WORKFLOWS
from jigong.workflows.models import Step
from tests.workflows.conftest import force_state, pdf
from tests.workflows.helpers_b import founding_world, make_adjustment, make_founding, make_round

ROLE = {
    "municipal": "municipal",
    "district_a": "district",
    "district_b": "district",
    "own": "school",
    "user_b": "school",
}
IN_SCOPE = {
    "founding_small": {"municipal", "district_a", "own"},
    "founding_big": {"municipal", "district_a", "own"},
    "major_adjustment": {"municipal", "district_a", "own"},
    "designation_round": {"municipal"},
}
KINDS = {
    "founding_small": "founding",
    "founding_big": "founding",
    "major_adjustment": "major_adjustment",
    "designation_round": "designation_round",
}
CASES = [
    (case, t.name, who)
    for case, kind in KINDS.items()
    for t in WORKFLOWS[kind].by_name.values()
    for who in ROLE
]


def expected(case, t, who, state, item) -> str:
    if ROLE[who] not in t.roles or who not in IN_SCOPE[case]:
        return "permission"
    if t.applies is not None and not t.applies(item):
        return "permission"
    if state not in t.sources:
        return "state"
    return "ok"


def setup(case, world):
    if case.startswith("founding"):
        fw = founding_world(world)
        big = case == "founding_big"
        item = make_founding(fw, big=big)
        own = fw.user_big if big else fw.user_small

        def reset():
            School.objects.filter(pk=item.school_id).update(status="founding")

        return item, own, reset
    if case == "major_adjustment":
        item = make_adjustment(world)
        sm = item.school_major

        def reset():
            SchoolMajor.objects.filter(pk=sm.pk).update(status="open")

        return item, world.user_a, reset
    return make_round(world), world.user_a, lambda: None


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "action", "who"), CASES, ids=["-".join(c) for c in CASES])
def test_transition_in_every_state(world, case, action, who):
    item, own, reset = setup(case, world)
    wf = item.workflow
    t = wf.by_name[action]
    actor = own if who == "own" else getattr(world, who)
    outcomes = {}
    for state in wf.by_state:
        reset()
        force_state(item, state)
        steps = Step.objects.count()
        want = expected(case, t, who, state, item)
        try:
            services.transition(
                actor=actor, item=item, action=action, comment="意见", documents=[pdf()]
            )
        except PermissionDenied as exc:
            got = "permission"
            assert "无权" in str(exc) or "不能" in str(exc)
        except ValidationError as exc:
            got = "state" if "state" in exc.message_dict else f"invalid {exc.message_dict}"
        else:
            got = "ok"
        item.refresh_from_db()
        outcomes[state] = (got, want)
        if got == "ok":
            assert item.state == (t.target or state)
            assert Step.objects.count() == steps + 1
        else:
            assert item.state == state, "a refused transition changes nothing"
            assert Step.objects.count() == steps
    assert all(got == want for got, want in outcomes.values()), outcomes
    for state in wf.by_state:
        force_state(item, state)
        offered = {x.name for x in wf.available(item, actor)}
        assert (action in offered) == (expected(case, t, who, state, item) == "ok")
