"""From units' scores to index, rank and band of all units (pure functions).

May import: parxl.core, parxl.criteria, parxl.campaign. Never a later stage (see
parxl/__init__.py for the order).
"""
