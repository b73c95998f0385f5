"""`jigong pii check` / `jigong pii rotate`: the sealed ID numbers (jigong.core.pii)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jigong.core import pii


class Command(BaseCommand):
    help = _("身份证号加密：check 逐行核对可解密且散列一致；rotate 换用新密钥重新加密")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("check", "rotate"))

    def handle(self, *args, **options):
        try:
            if options["action"] == "rotate":
                kid, counts = pii.rotate()
                for label, n in counts.items():
                    self.stdout.write(_("%(label)s：重新加密 %(n)s 行") % {"label": label, "n": n})
                self.stdout.write(
                    _(
                        "已换用新密钥（编号 %(kid)s），原密钥仍保留在 %(path)s 中用于解密旧备份；"
                        "请备份该文件并重启应用进程"
                    )
                    % {"kid": kid, "path": pii.key_file()}
                )
                return
            counts = pii.check()
        except pii.PIIError as exc:
            raise CommandError(str(exc)) from None
        failed = 0
        for c in counts:
            self.stdout.write(
                _("%(label)s：%(rows)s 行，通过 %(ok)s 行，旧密钥 %(old)s 行，失败 %(bad)s 行")
                % {
                    "label": c.label,
                    "rows": c.rows,
                    "ok": c.ok,
                    "old": c.old_key,
                    "bad": c.rows - c.ok,
                }
            )
            for pk, reason in c.failed:
                self.stdout.write(f"  id={pk}: {reason}")
            failed += c.rows - c.ok
        if failed:
            raise CommandError(_("有 %d 行身份证号无法核对通过") % failed)
        self.stdout.write(_("全部身份证号可解密，散列值一致"))
