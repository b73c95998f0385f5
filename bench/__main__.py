"""Dispatch ``python -m bench NAME [options]`` to ``bench.<name>.run(argv)``."""

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name != "__main__"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench NAME [options]\nbenchmarks: {', '.join(names)}")
        return 0 if argv else 2
    name = argv[0]
    if name not in names:
        print(f"unknown benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{name}")
    result = module.run(argv[1:])
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
