"""Simulated returned files (simulate) and the whole-campaign demo (run).

May import: every stage above except cli (excel for the control workbook). Never a later stage (see parxl/__init__.py
for the order).
"""
