"""A school's one-time invitation for a graduate to open their account (issue 15)."""

import hashlib
import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.models import ScopedManager

LINK = re.compile(r"/graduates/invitation/([A-Za-z0-9_-]{20,})/")


def token_digest(token: str) -> str:
    """Only the SHA-256 of a link's token is stored (256 random bits: no slow hash)."""
    return hashlib.sha256((token or "").encode()).hexdigest()


class GraduateInvitation(models.Model):
    person = models.ForeignKey(
        "students.Person", verbose_name=_("学生"), on_delete=models.CASCADE, related_name="+"
    )
    registration = models.ForeignKey(
        "students.Registration",
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="graduate_invitations",
    )
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    digest = models.CharField(_("链接摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("毕业生账号邀请")
        verbose_name_plural = _("毕业生账号邀请")

    def __str__(self) -> str:
        return str(_("毕业生账号邀请（学籍 %(r)s）") % {"r": self.registration_id})

    @staticmethod
    def link_in(text: str) -> str | None:
        """The invitation address shown in ``text`` (a page), or None."""
        m = LINK.search(text or "")
        return m.group(0) if m else None
