"""The campaign folder (campaign.yaml, work folders, state folder) and its list of units.

May import: parxl.core, parxl.criteria. Never a later stage (see parxl/__init__.py for the
order).
"""
