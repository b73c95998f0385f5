"""`jigong targets [--year Y] [--as USERNAME]`: the targets table in the terminal."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from jigong.indicators import selectors as S
from jigong.indicators.formatting import show_target, show_value

STYLES = {"met": "green", "not_met": "red", "in_progress": "yellow", "ended": "dim"}


class Command(BaseCommand):
    help = "打印政策目标完成情况表（指标、条款、目标、实际、状态），默认全市、最近有数据的年度"

    def add_arguments(self, parser):
        parser.add_argument("--year", help="统计年度，如 2025")
        parser.add_argument(
            "--as",
            dest="username",
            help="按该用户的数据范围统计（默认全市，即市人社局范围）",
        )

    def handle(self, *args, year=None, username=None, **opts):
        user = self._user(username)
        try:
            y = S.parse_year(year, default=S.latest_year(user=user))
            rows = S.targets_table(user=user, year=y)
        except S.IndicatorError as exc:
            raise CommandError(exc.message) from exc
        table = Table(
            title=f"{S.scope_label(user)} · {y}年政策目标完成情况（渝人社发〔2022〕32号）",
            header_style="bold",
        )
        for heading in ("指标", "条款", "目标类型", "目标", "实际", "状态"):
            table.add_column(
                heading,
                justify="right" if heading in ("目标", "实际") else "left",
                overflow="fold",  # the verdict after the period is long: wrap, never cut
            )
        for r in rows:
            ind = r.indicator
            label = r.status_label if r.citation else "—"
            style = STYLES.get(r.status, "dim")
            table.add_row(
                str(ind.name),
                r.citation.clause if r.citation else ind.clause,
                r.kind_label,
                show_target(ind, r.target),
                show_value(ind, r.actual),
                f"[{style}]{label}[/]",
            )
        Console(file=self.stdout, width=160, force_terminal=False).print(table)

    def _user(self, username):
        from jigong.core.models import Role, User

        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"用户“{username}”不存在：请检查 --as 参数") from None
        # A municipal view of the city without a stored account.
        return User(username="jigong-targets", role=Role.MUNICIPAL, is_active=True)
