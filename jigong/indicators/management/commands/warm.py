"""`jigong warm [--year Y]`: compute the city dashboard's figures into the shared cache.

`jigong serve` starts it in the background, so the first person to open /dashboard/
after a deployment or a restart does not wait for every indicator to be computed
(5–8 s on the full demo world); later requests find the figures and refresh them as
usual (jigong/indicators/cache.py).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from jigong.indicators import selectors as S
from jigong.indicators.views import _dashboard_context


class _Request:
    """The dashboard's default page: no query parameters."""

    GET = QueryDict("")


class Command(BaseCommand):
    help = "预先计算全市目标看板的指标并写入缓存（jigong serve 启动时在后台运行）"

    def add_arguments(self, parser):
        parser.add_argument("--year", help="统计年度，如 2025（默认最近有数据的年度）")

    def handle(self, *args, year=None, **opts):
        from jigong.core.models import Role, User

        user = User(username="jigong-warm", role=Role.MUNICIPAL, is_active=True)
        request = _Request()
        if year:
            try:
                S.parse_year(year, default=None)
            except S.IndicatorError as exc:
                raise CommandError(exc.message) from exc
            request.GET = QueryDict(f"year={year}")
        started = time.perf_counter()
        context = _dashboard_context(request, user)
        self.stdout.write(
            f"已缓存全市 {context['year']} 年目标看板："
            f"{len(context['catalogue'])} 项指标，用时 {time.perf_counter() - started:.1f} 秒"
        )
