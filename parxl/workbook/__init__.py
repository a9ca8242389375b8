"""The self-assessment workbook: the layout contract the builder and the reader share (layout), the
wording the reader matches (texts), styles, the builder (build, assess) and fast per-unit
stamping.

May import: parxl.core, parxl.criteria, parxl.campaign. Never a later stage (see
parxl/__init__.py for the order).
"""
