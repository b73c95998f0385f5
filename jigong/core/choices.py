"""Enumerations shared across apps. Codes match jigong.policy's codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    TECHNICIAN_COLLEGE = "technician_college", _("技师学院")
    SENIOR_SCHOOL = "senior_school", _("高级技校")
    SCHOOL = "school", _("技工学校")


class Level(models.TextChoices):
    INTERMEDIATE = "intermediate", _("中级工班")
    ADVANCED = "advanced", _("高级工班")
    TECHNICIAN = "technician", _("预备技师（技师）班")


class RegionGroup(models.TextChoices):
    MAIN_METRO = "main_metro", _("主城都市区")
    NORTHEAST = "northeast", _("渝东北三峡库区城镇群")
    SOUTHEAST = "southeast", _("渝东南武陵山区城镇群")
