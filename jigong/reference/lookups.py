"""Reference look-ups by natural key, refusing unknown keys with a Chinese message: for
the services (``district_by_code``) and for the spreadsheet imports (``ctx.districts()``,
``ctx.district(…)``, ``ctx.majors()``, ``ctx.major(…)``, ``ctx.chains()``: ``Context.lookup``,
imported by ``ReferenceConfig.ready``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.core.imports.base import Column, Context, Row
from jigong.reference.models import District, IndustryChain, Major


def district_by_code(code: str, *, field: str = "district") -> District:
    code = (code or "").strip()
    district = District.objects.filter(code=code).first()
    if district is None:
        raise ValidationError(
            {
                field: [
                    _("区县代码“%(c)s”：不是重庆市现行区县（GB/T 2260）或功能区代码") % {"c": code}
                ]
            }
        )
    return district


@Context.lookup
def districts(ctx: Context) -> dict:
    if "districts" not in ctx.cache:
        ctx.cache["districts"] = {d.code: d for d in District.objects.all()}
    return ctx.cache["districts"]


@Context.lookup
def district(ctx: Context, row: Row, column: Column, code: str | None):
    if code is None:
        return None
    d = ctx.districts().get(code)
    if d is None:
        row.error(column, code, "不是重庆市现行区县（GB/T 2260）或功能区代码")
    return d


@Context.lookup
def majors(ctx: Context) -> dict:
    """major code → list of Major, newest catalogue edition first."""
    if "majors" not in ctx.cache:
        by_code: dict[str, list] = {}
        for m in Major.objects.select_related("edition").order_by(
            "-edition__effective_from", "code"
        ):
            by_code.setdefault(m.code, []).append(m)
        ctx.cache["majors"] = by_code
    return ctx.cache["majors"]


@Context.lookup
def major(ctx: Context, row: Row, column: Column, code, edition_column=None, edition=None):
    if code is None:
        return None
    memo = ctx.cache.setdefault("major_by_key", {})
    try:
        found = memo[code, edition or None]
    except KeyError:
        candidates = ctx.majors().get(code, [])
        if edition:
            candidates = [m for m in candidates if m.edition.code == edition]
        found = memo[code, edition or None] = candidates[0] if candidates else None
    if found is None:
        where = f"专业目录“{edition}”" if edition else "专业目录"
        row.error(column, code, f"不在{where}中")
    return found


@Context.lookup
def chains(ctx: Context) -> dict:
    """chain code → IndustryChain of the newest year."""
    if "chains" not in ctx.cache:
        by_code: dict = {}
        for c in IndustryChain.objects.order_by("year"):
            by_code[c.code] = c  # newest year wins
        ctx.cache["chains"] = by_code
    return ctx.cache["chains"]
