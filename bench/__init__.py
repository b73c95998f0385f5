"""Benchmarks: ``python -m bench NAME``. Each module ``bench/<name>.py`` exposes ``run(argv)``
and ends its output with one line ``BENCH <name> ratio=… <figure>=<value> …``."""
