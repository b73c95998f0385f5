"""Every transition of every workflow, in every state, for every role and scope.

Items belong to school_a (渝中区). Actors: the municipal bureau, 渝中区's bureau
(in scope), 万州区's bureau (out of scope), school_a's user (own) and school_b's user
(another school). A transition is allowed exactly when the item is in one of its source
states, the actor's role may take it, and the item is in the actor's scope; otherwise
it is refused — PermissionDenied for role/scope, ValidationError for the state — and
nothing changes.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.models import AuditLog
from jigong.workflows import services
from jigong.workflows.machine import WORKFLOWS
from jigong.workflows.models import Step
from tests.workflows.conftest import MAKERS, force_state, pdf

ACTORS = ["municipal", "district_a", "district_b", "user_a", "user_b"]
ROLE = {
    "municipal": "municipal",
    "district_a": "district",
    "district_b": "district",
    "user_a": "school",
    "user_b": "school",
}
IN_SCOPE = {"municipal", "district_a", "user_a"}

CASES = [
    (kind, t.name, who)
    for kind, wf in WORKFLOWS.items()
    if kind in MAKERS  # licensing, 双优 and catalogue: tests/workflows/test_machine_b.py
    for t in wf.by_name.values()
    for who in ACTORS
]


def expected(kind, action, who, state) -> str:
    wf = WORKFLOWS[kind]
    t = wf.by_name[action]
    in_scope = who in IN_SCOPE and (kind != "qualification" or who == "municipal")
    if ROLE[who] not in t.roles or not in_scope:
        return "permission"
    if state not in t.sources:
        return "state"
    return "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "action", "who"), CASES, ids=["-".join(c) for c in CASES])
def test_transition_in_every_state(world, kind, action, who):
    wf = WORKFLOWS[kind]
    t = wf.by_name[action]
    item = MAKERS[kind](world)
    actor = getattr(world, who)
    outcomes = {}
    for state in wf.by_state:
        force_state(item, state)
        steps = Step.objects.count()
        want = expected(kind, action, who, state)
        try:
            services.transition(
                actor=actor, item=item, action=action, comment="意见", documents=[pdf()]
            )
        except PermissionDenied as exc:
            got = "permission"
            assert "无权" in str(exc) or "不能" in str(exc)
        except ValidationError as exc:
            got = "state" if "state" in exc.message_dict else f"invalid {exc.message_dict}"
            assert "当前状态为" in " ".join(exc.message_dict.get("state", ["当前状态为"]))
        else:
            got = "ok"
        item.refresh_from_db()
        outcomes[state] = (got, want)
        if got == "ok":
            assert item.state == (t.target or state)
            assert Step.objects.count() == steps + 1
            step = Step.objects.latest("id")
            assert (step.from_state, step.to_state, step.action) == (
                state,
                item.state,
                action,
            )
            assert step.acted_by == actor and step.comment == "意见"
            assert step.documents.count() == 1
        else:
            assert item.state == state, "a refused transition changes nothing"
            assert Step.objects.count() == steps
    assert all(got == want for got, want in outcomes.values()), outcomes
    # the available actions offered on the page are exactly the allowed ones
    for state in wf.by_state:
        force_state(item, state)
        offered = {x.name for x in wf.available(item, actor)}
        assert (action in offered) == (expected(kind, action, who, state) == "ok")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "action", "state", "who"),
    [
        ("brochure", "return", "submitted", "district_a"),
        ("internship", "return", "submitted", "district_a"),
        ("enrolment_plan", "district_return", "submitted", "district_a"),
        ("enrolment_plan", "municipal_return", "district_approved", "municipal"),
        ("qualification", "reopen", "reviewed", "municipal"),
    ],
)
def test_return_needs_a_reason(world, kind, action, state, who):
    item = force_state(MAKERS[kind](world), state)
    with pytest.raises(ValidationError) as info:
        services.transition(actor=getattr(world, who), item=item, action=action, comment="  ")
    assert "须填写意见或原因" in info.value.message_dict["comment"][0]
    item.refresh_from_db()
    assert item.state == state


@pytest.mark.django_db
def test_transition_is_audited_with_before_and_after(world):
    item = MAKERS["brochure"](world)
    services.transition(actor=world.user_a, item=item, action="submit", comment="请审核")
    row = AuditLog.objects.filter(object_type="workflows.brochurefiling", action="other").latest(
        "id"
    )
    assert row.before == {"state": "draft"} and row.after == {"state": "submitted"}
    assert row.actor == world.user_a and "提交备案" in row.message
    assert AuditLog.objects.filter(object_type="workflows.step", action="create").exists()


def test_declarations_are_consistent():
    for wf in WORKFLOWS.values():
        assert wf.initial in wf.by_state
        for s in wf.by_state.values():
            if not s.final:
                assert s.actors, f"{wf.kind}.{s.name}: nobody must act"
        reachable = {wf.initial}
        for _ in wf.by_state:
            reachable |= {
                t.target for t in wf.by_name.values() if set(t.sources) & reachable and t.target
            }
        assert reachable == set(wf.by_state), wf.kind
