"""Look-ups by natural key for the spreadsheet imports: ``ctx.schools()`` and
``ctx.school(row, column, code)`` (``Context.lookup``; imported by ``SchoolsConfig.ready``)."""

from jigong.core.imports.base import Column, Context, Row
from jigong.schools.models import School

OUT_OF_REACH = "学校代码不存在或不在您的数据范围内：只能导入本人有权管理的学校的数据"


@Context.lookup
def schools(ctx: Context) -> dict:
    """school code → School (every school: scope is checked by ``school``)."""
    if "schools" not in ctx.cache:
        ctx.cache["schools"] = {s.code: s for s in School.objects.select_related("district").all()}
    return ctx.cache["schools"]


@Context.lookup
def school(ctx: Context, row: Row, column: Column, code: str | None):
    """The school with this code that the user may act on, or a row error.
    Unknown and out-of-scope codes get the same message: no existence leaks."""
    if code is None:
        return None
    found = ctx.schools().get(code)
    if found is None or not ctx.school_in_scope(found):
        row.error(column, code, OUT_OF_REACH)
        return None
    return found
