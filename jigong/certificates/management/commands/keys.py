"""`jigong keys create|rotate|revoke|list|export-public`: the QR credentials' signing keys.

create, rotate and revoke are acts of the municipal bureau (``key_acts``); the audit row
names ``--by`` (a municipal user name) when given, else the system (the operator at the
console).
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.certificates import key_acts, signing
from jigong.core.errors import messages_of
from jigong.core.models import User


class Command(BaseCommand):
    help = (
        "管理证书二维码签名密钥：create 创建、rotate 更换、revoke 撤销、list 列出、"
        "export-public 导出公钥"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="操作")
        create = sub.add_parser("create", help="创建第一把签名密钥")
        rotate = sub.add_parser(
            "rotate",
            help="停用当前密钥（销毁私钥；公钥仍公布，只核验发证日期不晚于停用当日的证书）"
            "并启用新密钥",
        )
        for p in (create, rotate):
            p.add_argument(
                "--scheme",
                choices=sorted(signing.SCHEMES),
                default=None,
                help="签名算法：sm2（SM2/SM3，默认）或 ed25519",
            )
        revoke = sub.add_parser(
            "revoke",
            help="撤销密钥（如私钥泄露）：销毁私钥，撤回公钥，用它签名的二维码一律无效",
        )
        revoke.add_argument("kid", metavar="KID", help="密钥编号（list 中显示），如 S1")
        revoke.add_argument(
            "--reason", required=True, help="撤销原因（必填，写入审计日志和公钥文件）"
        )
        for p in (create, rotate, revoke):
            p.add_argument("--by", default="", help="操作人（市人社局用户名）")
        sub.add_parser("list", help="列出全部密钥")
        export = sub.add_parser(
            "export-public", help="导出已公布的公钥（JSON，同 /verify/keys.json）"
        )
        export.add_argument("--out", help="写入文件；不给则输出到终端")

    def _actor(self, username: str):
        """The operator named by ``--by`` (None: the system); whether that user may act
        is the act's to say."""
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”：不存在")
        return user

    def handle(self, *args, **opts):
        action = opts["action"]
        store = signing.store()
        try:
            if action == "create":
                key = key_acts.key_create(
                    actor=self._actor(opts["by"]),
                    scheme_name=opts["scheme"] or signing.DEFAULT_SCHEME,
                )
                self.stdout.write(
                    f"已创建签名密钥 {key.kid}（{key.scheme}），保存在 {store.folder}"
                )
            elif action == "rotate":
                old, new = key_acts.key_rotate(
                    actor=self._actor(opts["by"]), scheme_name=opts["scheme"]
                )
                retired = (
                    f"；{old.kid} 已停用（私钥已销毁），公钥仍公布，只核验发证日期不晚于今天的证书"
                    if old
                    else ""
                )
                self.stdout.write(f"已启用新签名密钥 {new.kid}（{new.scheme}）{retired}")
            elif action == "revoke":
                key = key_acts.key_revoke(
                    actor=self._actor(opts["by"]), kid=opts["kid"].strip(), reason=opts["reason"]
                )
                self.stdout.write(
                    f"已撤销签名密钥 {key.kid}（{key.revoked}）：用它签名的证书二维码一律无效，"
                    "相关证书须用新密钥重新打印"
                )
                if store.published()["active"] is None:
                    self.stdout.write(
                        "当前没有启用中的签名密钥：请运行 jigong keys rotate 启用新密钥"
                    )
            elif action == "list":
                keys = store.keys()
                if not keys:
                    self.stdout.write("尚无签名密钥：请运行 jigong keys create")
                active = store.published()["active"]
                for k in keys:
                    if k.revoked:
                        state = f"已撤销 {k.revoked}（{k.revoked_reason}）"
                    elif k.kid == active:
                        state = "启用"
                    else:
                        state = f"已停用 {k.retired}（核验发证日期不晚于 {k.issued_until} 的证书）"
                    self.stdout.write(f"{k.kid}\t{k.scheme}\t创建 {k.created}\t{state}")
            else:
                text = json.dumps(store.published(), ensure_ascii=False, indent=1)
                if opts.get("out"):
                    with open(opts["out"], "w", encoding="utf-8") as f:
                        f.write(text + "\n")
                    self.stdout.write(f"已导出公钥：{opts['out']}")
                else:
                    self.stdout.write(text)
        except signing.SigningError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
