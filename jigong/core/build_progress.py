"""Progress of the demo world's build while the platform already serves (`jigong up`),
published in the shared cache by the building process and shown on the home page."""

from django.core.cache import cache

KEY = "jigong:demo:progress"


def publish(*, scale: str, done: int, total: int, step: str, steps: int) -> None:
    cache.set(
        KEY,
        {"scale": scale, "done": done, "total": total, "step": step, "steps": steps},
        timeout=600,  # a build that died stops showing within ten minutes
    )


def clear() -> None:
    cache.delete(KEY)


def current() -> dict | None:
    """{"step", "percent", "steps", …} of a running build, or None."""
    value = cache.get(KEY)
    if not value or not value.get("total"):
        return None
    return {**value, "percent": min(100, round(100 * value["done"] / value["total"]))}
