"""Background jobs as users see them: an import or a report build, its state and outcome.

The queue itself is django-tasks' (``django_tasks_db.DBTaskResult`` rows, run by
``jigong worker``); these rows are what pages read, through ``restrict()``, and what
survives a worker restart. State changes are audited; progress counters (``done``,
``total``) are telemetry and are written without an audit row.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jigong.core.models import Role, ScopedManager
from jigong.core.permissions import STAFF_ROLES


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


PENDING = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    state = models.CharField(
        _("状态"), max_length=8, choices=JobState.choices, default=JobState.QUEUED
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Set when a worker put the job back in the queue after the one running it was gone
    # (services.recover / adopt_orphans); kept after the job ends, shown on its page.
    requeued_by = models.CharField(_("重新排队的工作进程"), max_length=64, blank=True)
    requeued_from = models.CharField(_("中断的工作进程"), max_length=64, blank=True)
    requeued_at = models.DateTimeField(_("重新排队时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    @property
    def requeued_note(self) -> str:
        """The line about a re-queue after an interrupted worker ("" if none)."""
        if not self.requeued_by:
            return ""
        at = timezone.localtime(self.requeued_at) if self.requeued_at else None
        return _("任务因处理进程中断，已由 %(by)s 重新排队（原进程 %(dead)s，%(at)s）") % {
            "by": self.requeued_by,
            "dead": self.requeued_from,
            "at": at.strftime("%Y-%m-%d %H:%M:%S") if at else "",
        }


class ImportJob(Job):
    """One uploaded file imported in the background (jigong.core.imports.runner)."""

    kind = models.CharField(_("数据类型"), max_length=32)
    mode = models.CharField(_("导入方式"), max_length=12)
    filename = models.CharField(_("文件名"), max_length=255)
    file = models.CharField(_("存储文件"), max_length=128, help_text=_("MEDIA_ROOT 下的相对路径"))
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    refused = models.PositiveIntegerField(_("拒绝"), default=0)
    committed = models.BooleanField(_("已写入"), default=False)
    summary = models.TextField(_("结果"), blank=True)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误条数"), default=0)
    report_path = models.CharField(_("错误报告"), max_length=128, blank=True)

    objects = ScopedManager()

    class Scope:
        # School/district of the submitting user; selectors further narrow non-municipal
        # users to their own jobs (only the submitter and the municipal bureau see one).
        school = "school"
        district = "district"
        roles = {
            "view": STAFF_ROLES,
            "add": STAFF_ROLES,
            "change": STAFF_ROLES,
            "delete": frozenset({Role.MUNICIPAL}),
        }

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_state_display()}）"


class ReportJob(Job):
    """One annual quality report built in the background (jigong.quality.report)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report = models.ForeignKey(
        "quality.AnnualReport",
        verbose_name=_("生成的报告"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Scope:
        # Reports are generated by the municipal bureau only (quality.AnnualReport).
        school = "school"
        district = "school__district"
        roles = {a: frozenset({Role.MUNICIPAL}) for a in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("报告生成任务")
        verbose_name_plural = _("报告生成任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        where = self.school.name if self.school_id else _("全市")
        return f"{self.year}年度质量报告（{where}，{self.get_state_display()}）"


class FileJob(Job):
    """One file built in the background for the user who asked (a school's quality report
    PDF, a batch of certificate PDFs): progress while it runs, the file when done. The
    task belongs to the domain app (``kind``: jigong.quality.jobs, jigong.certificates
    .jobs); this row and its file are the platform's. The file may carry personal data
    (whole ID numbers on certificates): only the submitter downloads it."""

    kind = models.CharField(_("任务类型"), max_length=32)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = models.PositiveIntegerField(_("总步数"), default=0)
    done = models.PositiveIntegerField(_("已完成步数"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=200, blank=True)
    file = models.CharField(
        _("生成的文件"), max_length=128, blank=True, help_text=_("MEDIA_ROOT 下的相对路径")
    )
    filename = models.CharField(_("下载文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)

    objects = ScopedManager()

    class Scope:
        # The school/district of the file's subject; selectors further narrow
        # non-municipal users to their own jobs, and only the submitter downloads.
        school = "school"
        district = "district"
        roles = {
            "view": STAFF_ROLES,
            "add": STAFF_ROLES,
            "change": STAFF_ROLES,
            "delete": frozenset({Role.MUNICIPAL}),
        }

    class Meta:
        verbose_name = _("文件生成任务")
        verbose_name_plural = _("文件生成任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_state_display()}）"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one ``jigong worker --worker-id`` (telemetry, not
    audited): written at start and every ``JIGONG_WORKER_HEARTBEAT_SECONDS``. A task
    marked running under an id whose heartbeat is older than
    ``JIGONG_WORKER_STALE_SECONDS`` — or whose process is seen gone on this machine —
    is put back in the queue by any live worker (services.adopt_orphans)."""

    worker_id = models.CharField(_("工作进程编号"), max_length=64, primary_key=True)
    seen_at = models.DateTimeField(_("最近心跳"))
    started_at = models.DateTimeField(_("启动时间"))
    machine = models.CharField(
        _("主机"), max_length=255, blank=True, help_text=_("主机名|boot_id|PID 命名空间")
    )
    process = models.CharField(
        _("进程"),
        max_length=64,
        blank=True,
        help_text=_("PID:启动时刻（/proc），用于同机判断进程是否仍在"),
    )

    class Meta:
        verbose_name = _("工作进程心跳")
        verbose_name_plural = _("工作进程心跳")
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id
