"""Password complexity (等保 2.0 三级: 口令具有复杂度要求; OWASP ASVS V2.1)."""

import itertools
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CLASSES = (
    (gettext_lazy("大写字母"), frozenset(string.ascii_uppercase)),
    (gettext_lazy("小写字母"), frozenset(string.ascii_lowercase)),
    (gettext_lazy("数字"), frozenset(string.digits)),
)


def _classes(password: str) -> list[str]:
    found = [str(name) for name, chars in CLASSES if any(c in chars for c in password)]
    if any(not c.isalnum() or not c.isascii() for c in password):
        found.append(_("符号"))
    return found


class ComplexityValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits,
    symbols (anything else, including spaces and Chinese characters); and no character
    repeated ``max_repeat`` times or more in a row."""

    def __init__(self, min_classes: int = 3, max_repeat: int = 4):
        self.min_classes = min_classes
        self.max_repeat = max_repeat

    def validate(self, password, user=None):
        found = _classes(password)
        if len(found) < self.min_classes:
            raise ValidationError(
                _(
                    "密码须至少包含大写字母、小写字母、数字、符号中的 %(min)s 类，"
                    "当前只包含 %(n)s 类（%(found)s）。"
                )
                % {
                    "min": self.min_classes,
                    "n": len(found),
                    "found": "、".join(found) or _("无"),
                },
                code="password_too_simple",
            )
        run = 1
        for a, b in itertools.pairwise(password):
            run = run + 1 if a == b else 1
            if run >= self.max_repeat:
                raise ValidationError(
                    _("密码中同一字符“%(char)s”连续出现了 %(n)s 次或更多，请避免连续重复字符。")
                    % {"char": a, "n": self.max_repeat},
                    code="password_repeats",
                )

    def get_help_text(self):
        return _(
            "密码须至少包含大写字母、小写字母、数字、符号中的 %(min)s 类，"
            "且同一字符不得连续出现 %(n)s 次。"
        ) % {"min": self.min_classes, "n": self.max_repeat}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message that states the length found
    (Django 5.2's zh-hans catalogue lacks this message)."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短：当前 %(n)s 个字符，至少需要 %(min)s 个字符。")
                % {"n": len(password), "min": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("密码至少 %(min)s 个字符。") % {"min": self.min_length}
