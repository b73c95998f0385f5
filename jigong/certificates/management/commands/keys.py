"""`jigong keys create|rotate|list|export-public`: the QR credentials' signing keys."""

import json

from django.core.management.base import BaseCommand, CommandError

from jigong.certificates import signing


class Command(BaseCommand):
    help = "管理证书二维码签名密钥：create 创建、rotate 更换、list 列出、export-public 导出公钥"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="操作")
        create = sub.add_parser("create", help="创建第一把签名密钥")
        rotate = sub.add_parser("rotate", help="停用当前密钥（仍公布用于核验）并启用新密钥")
        for p in (create, rotate):
            p.add_argument(
                "--scheme",
                choices=sorted(signing.SCHEMES),
                default=None,
                help="签名算法：sm2（SM2/SM3，默认）或 ed25519",
            )
        sub.add_parser("list", help="列出全部密钥")
        export = sub.add_parser(
            "export-public", help="导出已公布的公钥（JSON，同 /verify/keys.json）"
        )
        export.add_argument("--out", help="写入文件；不给则输出到终端")

    def handle(self, *args, **opts):
        action = opts["action"]
        store = signing.store()
        try:
            if action == "create":
                key = signing.key_create(
                    actor=None, scheme_name=opts["scheme"] or signing.DEFAULT_SCHEME
                )
                self.stdout.write(
                    f"已创建签名密钥 {key.kid}（{key.scheme}），保存在 {store.folder}"
                )
            elif action == "rotate":
                old, new = signing.key_rotate(actor=None, scheme_name=opts["scheme"])
                retired = f"；{old.kid} 已停用，仍公布用于核验" if old else ""
                self.stdout.write(f"已启用新签名密钥 {new.kid}（{new.scheme}）{retired}")
            elif action == "list":
                keys = store.keys()
                if not keys:
                    self.stdout.write("尚无签名密钥：请运行 jigong keys create")
                active = store.published()["active"]
                for k in keys:
                    state = "启用" if k.kid == active else ("已停用 " + (k.retired or ""))
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
