"""`jigong warm [--year Y] [--city-only]`: compute the dashboards' figures into the shared
cache — the city's, every district's and every school's default view.

`jigong serve` starts it in the background and `jigong up` after building the demo, so
the first person to open /dashboard/ after a deployment, a restart or a build does not
wait for every indicator to be computed (5–8 s for the city on the full demo world);
later requests find the figures and have them refreshed by a worker job after a write
(jigong/indicators/cache.py, tasks.py).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from jigong.indicators import selectors as S
from jigong.indicators import tasks


class Command(BaseCommand):
    help = (
        "预先计算目标看板的指标并写入缓存：全市、各区县、各学校的默认页面"
        "（jigong serve 启动时在后台运行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help="统计年度，如 2025（默认最近有数据的年度）")
        parser.add_argument("--city-only", action="store_true", help="只计算全市的看板")

    def handle(self, *args, year=None, city_only=False, **opts):
        view = ""
        if year:
            try:
                S.parse_year(year, default=None)
            except S.IndicatorError as exc:
                raise CommandError(exc.message) from exc
            view = f"year={year}"
        started = time.perf_counter()
        context = tasks.compute_view("city", view)
        self.stdout.write(
            f"已缓存全市 {context['year']} 年目标看板："
            f"{len(context['catalogue'])} 项指标，用时 {time.perf_counter() - started:.1f} 秒"
        )
        if city_only:
            return
        scopes = tasks.all_scopes()[1:]
        started = time.perf_counter()
        for scope in scopes:
            tasks.compute_view(scope, view)
        districts = sum(1 for s in scopes if s.startswith("d"))
        self.stdout.write(
            f"已缓存 {districts} 个区县、{len(scopes) - districts} 所学校的目标看板，"
            f"用时 {time.perf_counter() - started:.1f} 秒"
        )
