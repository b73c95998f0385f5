"""jigong — the information platform of Chongqing's technical education (技工教育)."""

__version__ = "0.1.0"
