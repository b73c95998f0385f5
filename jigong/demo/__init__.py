"""A deterministic synthetic Chongqing for 2021–2025 (``jigong demo``)."""
