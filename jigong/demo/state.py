"""Where the demo world stands: built, being built (or interrupted), and whether users
have changed data since — read from the audit log, so it holds on every database.

A build writes a start marker and, when it completes, an end marker (``AuditLog`` rows
of object type ``demo``). Everything the build writes in bulk is audited as the system
(``actor_name`` = 系统); its online enrolment (``demo.admissions``) runs through the acts
as the demo's users, between the markers; every change made by a person is audited with
their name. So a database "holds rows not made by the demo" exactly when the audit log
has a write by a named actor outside a completed build — that is what ``jigong demo
--reset`` refuses to wipe without ``--force``.
"""

from __future__ import annotations

from dataclasses import dataclass

from jigong.core import build_progress

MARKER_TYPE = "demo"
WRITE_ACTIONS = ("create", "update", "delete", "bulk_create")


@dataclass(frozen=True)
class DemoState:
    scale: str = ""
    seed: int | None = None
    started: bool = False
    done: bool = False

    @property
    def interrupted(self) -> bool:
        """Started and never completed (a build that is running right now looks the same)."""
        return self.started and not self.done


def demo_state() -> DemoState:
    from jigong.core.models import AuditLog

    last = (
        AuditLog.objects.filter(object_type=MARKER_TYPE)
        .order_by("-id")
        .values_list("after", flat=True)
        .first()
    )
    if not last:
        return DemoState()
    return DemoState(
        scale=last.get("scale", ""),
        seed=last.get("seed"),
        started=True,
        done=last.get("state") == "done",
    )


def mark(state: str, *, scale: str, seed: int) -> None:
    """Record that a build ``started`` or is ``done`` (one audit row, by the system)."""
    from jigong.core.models import AuditLog
    from jigong.core.services import audit

    label = {"started": "演示数据开始生成", "done": "演示数据生成完成"}[state]
    audit(
        None,
        AuditLog.Action.OTHER,
        object_type=MARKER_TYPE,
        after={"state": state, "scale": scale, "seed": seed},
        message=f"{label}（scale={scale}, seed={seed}）",
    )
    if state == "done":
        build_progress.clear()


def _builds():
    """Q of the audit rows written by completed builds: between a start marker and the
    end marker that follows it."""
    from django.db.models import Q

    from jigong.core.models import AuditLog

    within, started = Q(pk__in=[]), None
    for pk, after in (
        AuditLog.objects.filter(object_type=MARKER_TYPE).order_by("id").values_list("id", "after")
    ):
        state = (after or {}).get("state")
        if state == "started":
            started = pk
        elif state == "done" and started is not None:
            within |= Q(pk__gt=started, pk__lt=pk)
            started = None
    return within


def user_changes() -> int:
    """How many audited writes were made by a named actor (a person, not the system)
    outside the builds (the demo's enrolment runs through the acts as its users)."""
    from jigong.core.models import AuditLog
    from jigong.core.services import SYSTEM_NAME

    return (
        AuditLog.objects.filter(action__in=WRITE_ACTIONS)
        .exclude(actor_name=SYSTEM_NAME)
        .exclude(_builds())
        .count()
    )


def reset_blocker() -> str:
    """Why a reset must not run without --force ('' when it may)."""
    n = user_changes()
    if not n:
        return ""
    return (
        f"数据库中有用户录入或修改的数据（审计日志中 {n} 条由用户执行的写操作），"
        "重新生成演示数据会清空这些数据。确需清空，请加参数 --force。"
    )


def demo_credentials() -> list[tuple[str, str, str, str]]:
    """The demo accounts to show on the console: (user name, initial password, role,
    scope), one of each kind plus a summary line for the districts and schools."""
    from django.db.models.functions import Coalesce

    from jigong.core.models import Duty, Role, User
    from jigong.demo.generate import PASSWORDS

    fixed = {"admin": "admin", "city": "municipal", "dept": "department", "grad": "graduate"}
    users = User.objects.filter(username__in=fixed) | User.objects.filter(
        username__regex=r"^(district|school)-"
    )
    rows = list(
        users.order_by("username").values_list(
            "username", "role", Coalesce("school__name", "district__name")
        )
    )
    if not rows:
        return []
    clerks = list(
        User.objects.filter(username__startswith="clerk-")
        .order_by("username")
        .values_list("username", "school__name", "duties")
    )
    schools = [r for r in rows if r[0].startswith("school-")]
    districts = [r for r in rows if r[0].startswith("district-")]
    out = []
    for username, key in fixed.items():
        match = next((r for r in rows if r[0] == username), None)
        if match:
            out.append((username, PASSWORDS[key], str(Role(match[1]).label), ""))
    for username, role, district in districts[:1] + schools[:1]:
        out.append((username, PASSWORDS[role], str(Role(role).label), district or ""))
    for username, school, duties in clerks:  # narrower duties than the school's 管理员
        labels = "、".join(str(Duty(d).label) for d in duties or ())
        out.append((username, PASSWORDS["school"], f"学校职员（{labels}）", school or ""))
    if len(districts) + len(schools) > 2:
        out.append(
            (
                "…",
                "",
                "",
                f"另有区县用户 {max(len(districts) - 1, 0)} 个、学校用户 "
                f"{max(len(schools) - 1, 0)} 个（district-<区划代码>、school-<学校代码>）",
            )
        )
    return out


class SharedProgress:
    """A rich ``Progress`` stand-in for ``generate.build``: passes every call on and
    publishes the current step (its label and share done) to the shared cache at most
    twice a second, for the home page of the platform serving beside the build."""

    def __init__(self, progress, *, scale: str):
        self.progress, self.scale = progress, scale
        self.tasks: dict = {}  # task id → [label, done, total]
        self.steps = 0
        self.last = 0.0

    def add_task(self, description: str, total: float = 1, **kw):
        task = self.progress.add_task(description, total=total, **kw)
        self.tasks[task] = [description, 0, total or 1]
        self.steps += 1
        self._publish(task, force=True)
        return task

    def advance(self, task, advance: float = 1) -> None:
        self.progress.advance(task, advance)
        self.tasks[task][1] += advance
        self._publish(task)

    def _publish(self, task, force: bool = False) -> None:
        import time

        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        label, done, total = self.tasks[task]
        build_progress.publish(
            scale=self.scale, done=int(done), total=int(total), step=label, steps=self.steps
        )

    def __getattr__(self, name):
        return getattr(self.progress, name)
