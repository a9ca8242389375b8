"""Importing the survey (điều tra xã hội học) results table.

May import: parxl.core, parxl.campaign. Never a later stage (see parxl/__init__.py for the
order).
"""
