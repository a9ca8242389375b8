"""The Excel button and the launchers: the xlwings adapter (xl, also importable as parxl.xl), the
control workbook built around the installed xlwings' VBA project (control), the clerk's tasks
(tasks) and the .cmd launchers (launchers).

May import: parxl.core … parxl.documents. Never a later stage (see parxl/__init__.py for the
order).
"""
