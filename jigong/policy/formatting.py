"""Numbers as the pages show them; the one place percentages are formatted (the policy
layer, so rules, pages, exports and reports can all use it)."""

from decimal import ROUND_HALF_UP, Decimal


def percent(ratio, *, places: int = 2, fixed: bool = False) -> str:
    """A ratio (0.491869…) as a percentage rounded half-up to ``places`` decimals:
    "49.19%". Trailing zeros are dropped ("30%", "12.5%") unless ``fixed`` ("30.00%",
    for columns of figures)."""
    value = (Decimal(str(ratio)) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if not fixed:
        value = value.normalize()
        if value == value.to_integral():
            value = value.quantize(Decimal(1))
    return f"{format(value, 'f')}%"
