"""``parxl.xl`` is ``parxl.excel.xl``: the module ``parxl_dieu_khien.py`` beside the control workbook
runs ``import parxl.xl; parxl.xl.main()``, so this name stays.

The module object itself is replaced, so ``parxl.xl`` and ``parxl.excel.xl`` are one module
(attributes set on one, e.g. by a test's monkeypatch, are seen through the other).
"""
import sys

from .excel import xl as _xl

sys.modules[__name__] = _xl
