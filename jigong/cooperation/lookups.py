"""Look-ups by natural key for the spreadsheet imports: ``ctx.enterprises()``
(``Context.lookup``; imported by ``CooperationConfig.ready``)."""

from jigong.cooperation.models import Enterprise
from jigong.core.imports.base import Context


@Context.lookup
def enterprises(ctx: Context) -> dict:
    """unified social credit code → Enterprise (an import adds the ones it creates)."""
    if "enterprises" not in ctx.cache:
        ctx.cache["enterprises"] = {e.credit_code: e for e in Enterprise.objects.all()}
    return ctx.cache["enterprises"]
