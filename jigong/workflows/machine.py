"""A small declarative state machine for the policy's procedures (workflows).

Each kind of workflow item (enrolment plan, brochure filing …) declares its states and
transitions once, as data:

    BROCHURE = Workflow(
        kind="brochure", label=_("招生简章备案"),
        states=[
            State("draft", _("草稿"), actors={Role.SCHOOL}),
            State("submitted", _("待审核"), actors={Role.DISTRICT},
                  deadline=Deadline("workflows.review_days")),
            State("approved", _("备案通过"), actors={Role.SCHOOL}),
            State("published", _("已发布"), final=True),
        ],
        transitions=[
            Transition("submit", _("提交备案"), ["draft", "returned"], "submitted",
                       roles={Role.SCHOOL}),
            Transition("return", _("退回"), ["submitted"], "returned",
                       roles={Role.DISTRICT}, comment_required=True, style="danger"),
            …
        ],
    )

Who may act: the actor's role is in the transition's ``roles`` AND the item is in the
actor's scope (``may(actor, "change", item)``, i.e. the model's ``Scope``). A state's
``actors`` are the roles that must act next: they drive the to-do list on the portal
home. A ``Deadline`` names a policy parameter (days after entering the state), or a
function of the item and the date that returns the due date. ``guards`` (callables of
a ``Context``) refuse a transition with a ``ValidationError`` (e.g. the cross-province
internship deadline); an ``effect`` runs after the state change in the same
transaction (e.g. set the publication date), writing through the services.

The services (``workflows.services.transition``) are the only way to move an item;
they check all of the above, lock the row, and record a ``Step`` (actor, from/to
state, comment, documents) plus the audit rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jigong.core import acts
from jigong.core.models import Duty, Role

# Every workflow kind, filled when the models module declares them.
WORKFLOWS: dict[str, Workflow] = {}


@dataclass(frozen=True)
class Deadline:
    """The due date of a state: ``parameter`` days after entering it, or ``compute``."""

    parameter: str | None = None  # also the figure a ``compute`` reads (its basis)
    compute: Callable | None = None  # (item, entered_on: date) -> date | None

    def due(self, item, entered_on: datetime.date) -> datetime.date | None:
        if self.compute is not None:
            return self.compute(item, entered_on)
        from jigong.policy import rules

        return rules.days_after(entered_on, self.parameter, entered_on)

    def basis(self, entered_on: datetime.date) -> str:
        """What the due date rests on, as a page cites it: the clause, or
        “平台设定（可由市人社局调整）” for a platform value; "" when none applies."""
        from jigong.policy import parameters

        if self.parameter is None or not parameters.applies(self.parameter, entered_on):
            return ""
        return parameters.cite(self.parameter, entered_on).basis


@dataclass(frozen=True)
class Context:
    """What guards and effects see: the (locked) item, the actor, the date, the step's
    comment and its checked documents."""

    item: object
    actor: object
    on: datetime.date
    comment: str = ""
    documents: tuple = ()


@dataclass(frozen=True)
class State:
    name: str
    label: str
    actors: frozenset[str] = frozenset()  # roles that must act next (to-do list)
    deadline: Deadline | None = None
    final: bool = False

    def __post_init__(self):
        object.__setattr__(self, "actors", frozenset(self.actors))


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: stay in the same state (e.g. attach more documents)
    roles: frozenset[str]
    comment_required: bool = False
    document_required: bool = False
    guards: tuple[Callable, ...] = ()  # (Context) -> None, raise ValidationError
    effect: Callable | None = None  # (Context) -> None, extra audited writes
    style: str = "primary"
    # (item) -> bool: whether the transition exists for this item at all (e.g. which
    # bureau reviews it, by the school's tier); None: always
    applies: Callable | None = None
    # item fields the actor gives with the transition (an approved amount, a payment
    # date): required, set on the locked item before the guards run
    inputs: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "guards", tuple(self.guards))


# the duty of a workflow's school-side transitions (core.models.Duty)
SCHOOL_DUTY = {"enrolment_plan": Duty.ENROLMENT, "brochure": Duty.ENROLMENT}


@dataclass
class Workflow:
    kind: str
    label: str
    states: Iterable[State]
    transitions: Iterable[Transition]
    initial: str = "draft"
    by_state: dict[str, State] = field(init=False)
    by_name: dict[str, Transition] = field(init=False)

    def __post_init__(self):
        self.by_state = {s.name: s for s in self.states}
        self.by_name = {t.name: t for t in self.transitions}
        if self.initial not in self.by_state:
            raise ValueError(f"{self.kind}: unknown initial state {self.initial!r}")
        for t in self.by_name.values():
            for s in (*t.sources, t.target):
                if s is not None and s not in self.by_state:
                    raise ValueError(f"{self.kind}.{t.name}: unknown state {s!r}")
        if self.kind in WORKFLOWS:
            raise ValueError(f"workflow {self.kind!r} declared twice")
        WORKFLOWS[self.kind] = self
        for t in self.by_name.values():
            acts.register(
                acts.Act(
                    code=self.act_code(t),
                    label=f"{self.label}：{t.label}",
                    roles=t.roles,
                    model=f"workflows.{self.kind}",
                    func=Workflow.transition,
                    reason=t.comment_required,
                    channels=frozenset({"page"}),
                    duty=self.duty_of(t),
                )
            )

    def duty_of(self, t: Transition) -> str:
        """The duty a transition needs: a bureau's is a review (审核); a school's is
        its workflow's (招生 for enrolment plans and brochures), if any."""
        if t.roles and t.roles <= acts.BUREAUS:
            return Duty.REVIEW
        return SCHOOL_DUTY.get(self.kind, "")

    def act_code(self, t: Transition) -> str:
        """The transition's act in the registry (jigong.core.acts)."""
        return f"workflow.{self.kind}.{t.name}"

    def state(self, name: str) -> State:
        return self.by_state[name]

    def label_of(self, name: str) -> str:
        s = self.by_state.get(name)
        return str(s.label) if s else name

    def transition(self, name: str) -> Transition:
        try:
            return self.by_name[name]
        except KeyError:
            raise ValueError(_("未知的操作“%(a)s”") % {"a": name}) from None

    def role_may(self, user, t: Transition) -> bool:
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return user.is_superuser or user.role in t.roles

    def available(self, item, user) -> list[Transition]:
        """Transitions the user may take on the item now (state, role and scope)."""
        from jigong.core.permissions import may

        if not may(user, "change", item):
            return []
        return [
            t
            for t in self.by_name.values()
            if item.state in t.sources
            and self.role_may(user, t)
            and (t.applies is None or t.applies(item))
        ]

    def states_for(self, role: str) -> list[str]:
        """States in which ``role`` must act next."""
        return [s.name for s in self.by_state.values() if role in s.actors]

    def choices(self) -> list[tuple[str, str]]:
        return [(s.name, s.label) for s in self.by_state.values()]


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


MUNICIPAL, DISTRICT, SCHOOL = Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL
