"""`python -m bench import`: see bench/import_bench.py."""

from bench.import_bench import run

__all__ = ["run"]
