"""`jigong verify NUMBER NAME`: the public verification result, in the terminal."""

from django.core.management.base import BaseCommand

from jigong.public import verification
from jigong.public.selectors import any_verify


class Command(BaseCommand):
    help = "按证书编号和持证人姓名查询毕业证书（结果与 /verify/ 页面相同，姓名和身份证号部分隐藏）"

    def create_parser(self, prog_name, subcommand, **kwargs):
        from jigong.public.offline import EXIT_HELP

        return super().create_parser(prog_name, subcommand, epilog=f"--qr 的{EXIT_HELP}", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("number", nargs="?", help="证书编号")
        parser.add_argument("name", nargs="?", help="持证人完整姓名")
        parser.add_argument(
            "--qr",
            metavar="PAYLOAD",
            help="核验证书二维码内容：用公钥核对签名，并与平台记录核对（退出码见下）",
        )
        parser.add_argument(
            "--keys",
            metavar="FILE",
            help="与 --qr 同用：只信任该公钥文件（/verify/keys.json），不查平台记录（离线核验）",
        )

    def handle(self, *args, **opts):
        if opts["qr"]:
            from jigong.public.offline import check_in_terminal

            code = check_in_terminal(self.stdout, opts["qr"], keys_file=opts["keys"])
            raise SystemExit(code)
        if not opts["number"] or not opts["name"]:
            from django.core.management.base import CommandError

            raise CommandError("请给出证书编号和持证人姓名，或用 --qr 核验二维码内容", returncode=2)
        r = any_verify(number=opts["number"], name=opts["name"])
        verification.log(
            channel="terminal",
            ip="",
            number=opts["number"],
            name=opts["name"],
            answer=verification.Answer("found" if r is not None else "miss", r),
        )
        if r is None:
            self.stdout.write(str(verification.MISS_MESSAGE))
            raise SystemExit(1)
        if r.kind == "skill":
            self._skill(r)
            return
        lines = [
            ("证书编号", r.number),
            ("状态", r.status_label),
        ]
        if not r.valid:
            lines.append(("状态日期", r.ended_on.isoformat() if r.ended_on else ""))
            lines.append(("原因", r.ended_reason))
        lines += [
            ("持证人", r.holder),
            ("身份证号", r.id_number),
            ("发证学校", f"{r.school}（{r.school_tier}）"),
            ("专业", r.major),
            ("班级层次", r.level_label),
            ("证书类别", r.outcome_label),
            ("学习形式", r.track_label),
            ("入学日期/学制", f"{r.study_from.isoformat()} / {r.study_months}个月"),
            ("发证日期", r.issued_on.isoformat()),
            ("对应学历", r.equivalence or "不适用"),
        ]
        if r.equivalence_uses:
            lines.append(("可用于", "、".join(r.equivalence_uses)))
        if r.skill_certificates:
            lines.append(
                (
                    "职业技能等级证书",
                    "、".join(
                        f"{s['number']} {s['occupation_name']} {s['level_label']}"
                        for s in r.skill_certificates
                    ),
                )
            )
        self._write(lines)

    def _skill(self, r):
        lines = [
            ("证书编号", r.number),
            ("证书类型", "职业技能等级证书"),
            ("持证人", r.holder),
            ("身份证号", r.id_number),
            ("职业（工种）", f"{r.occupation_code} {r.occupation_name}"),
            ("等级", r.level_label),
            ("评价机构", r.evaluator),
            ("发证日期", r.issued_on.isoformat()),
        ]
        if r.graduation_certificates:
            lines.append(
                (
                    "毕业证书",
                    "、".join(
                        f"{g['number']} {g['school']} {g['level_label']}"
                        for g in r.graduation_certificates
                    ),
                )
            )
        self._write(lines)

    def _write(self, lines):
        width = max(len(k) for k, _ in lines)
        for k, v in lines:
            self.stdout.write(f"{k.ljust(width, '　')}  {v}")
