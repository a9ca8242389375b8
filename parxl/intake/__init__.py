"""One returned file: what it says (submission), the checks/ of it, and validation into a report of
findings.

May import: parxl.core, parxl.criteria, parxl.campaign, parxl.workbook, parxl.xlsx. Never a
later stage (see parxl/__init__.py for the order).
"""
