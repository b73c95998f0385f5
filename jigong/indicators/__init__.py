"""Indicators of 渝人社发〔2022〕32号: the catalogue, breakdowns and the targets dashboard.

Public API (for the quality evaluation and the annual report):

    from jigong.indicators import catalogue, selectors
    catalogue.CATALOGUE["employment_rate"]            # Indicator: name, definition, target …
    selectors.compute("employment_rate", user=u, year=2025, by="district")  # list[Row]
    selectors.targets_table(user=u, year=2025)        # list[TargetRow]
"""
