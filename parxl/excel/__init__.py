"""The Excel buttons: the xlwings adapter (xl, also importable as parxl.xl for the VBA of existing
workbooks) and the control workbook.

May import: parxl.core … parxl.documents. Never a later stage (see parxl/__init__.py for the
order).
"""
