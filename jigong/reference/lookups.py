"""Reference look-ups by natural key, refusing unknown keys with a Chinese message."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.reference.models import District


def district_by_code(code: str, *, field: str = "district") -> District:
    code = (code or "").strip()
    district = District.objects.filter(code=code).first()
    if district is None:
        raise ValidationError(
            {
                field: [
                    _("区县代码“%(c)s”：不是重庆市现行区县（GB/T 2260）或功能区代码") % {"c": code}
                ]
            }
        )
    return district
