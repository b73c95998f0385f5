"""`jigong apikey create|revoke|list`: department API keys, issued by the municipal bureau.

The key is printed once, on creation; only its digest is stored. Run by an operator of
the municipal bureau: the audit row names ``--by`` (a municipal user name) when given.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.core.errors import messages_of
from jigong.core.models import ApiKey, ApiKeyScope, User
from jigong.public import services


class Command(BaseCommand):
    help = "部门接口密钥：create 签发（密钥只显示一次）、revoke 撤销、list 列出"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="签发密钥")
        create.add_argument("--name", required=True, help="使用部门")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            help="授权范围，可重复：" + "、".join(f"{k}（{v}）" for k, v in ApiKeyScope.choices),
        )
        create.add_argument("--rate", type=int, default=600, help="每分钟限额，默认600")
        create.add_argument("--note", default="", help="备注")
        create.add_argument("--holder", default="", help="持有密钥的部门接口用户账号（用户名）")
        create.add_argument("--by", default="", help="签发人（市人社局用户名）")
        revoke = sub.add_parser("revoke", help="撤销密钥")
        revoke.add_argument("prefix", help="密钥前缀（list 中显示）")
        revoke.add_argument("--by", default="", help="操作人（市人社局用户名）")
        sub.add_parser("list", help="列出密钥")

    def _actor(self, username: str):
        """The operator named by ``--by`` (None: the system); whether that user may
        issue or revoke keys is the act's to say (the same refusal as on the page)."""
        return self._user(username)

    def _user(self, username: str):
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”：不存在")
        return user

    def handle(self, *args, action, **opts):
        try:
            if action == "create":
                issued = services.api_key_create(
                    actor=self._actor(opts["by"]),
                    name=opts["name"],
                    scopes=opts["scopes"],
                    rate_per_minute=opts["rate"],
                    note=opts["note"],
                    holder=self._user(opts["holder"]),
                )
                k = issued.api_key
                self.stdout.write(
                    f"已签发：{k.name}（前缀 {k.prefix}），授权范围：{'、'.join(k.scopes)}"
                )
                self.stdout.write("密钥（只显示这一次，请妥善交付）：")
                self.stdout.write(issued.key)
            elif action == "revoke":
                key = ApiKey.objects.filter(prefix=opts["prefix"].strip()).first()
                if key is None:
                    raise CommandError(f"密钥前缀“{opts['prefix']}”：未找到")
                services.api_key_revoke(actor=self._actor(opts["by"]), api_key=key)
                self.stdout.write(f"已撤销：{key}")
            else:
                for k in ApiKey.objects.order_by("created_at"):
                    state = "已撤销" if k.revoked_at else "有效"
                    self.stdout.write(
                        f"{k.prefix}  {state}  {k.name}  {'、'.join(k.scopes)}  "
                        f"{k.rate_per_minute}次/分钟  {k.created_at:%Y-%m-%d}"
                    )
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
