"""``parxl.xl`` is ``parxl.excel.xl``: the VBA of control workbooks already in use runs
``RunPython "import parxl.xl; parxl.xl.generate()"`` (see macros/parxl.bas), so this name stays.

The module object itself is replaced, so ``parxl.xl`` and ``parxl.excel.xl`` are one module
(attributes set on one, e.g. by a test's monkeypatch, are seen through the other).
"""
import sys

from .excel import xl as _xl

sys.modules[__name__] = _xl
