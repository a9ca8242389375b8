"""Simulated returned files (simulate) and the whole-campaign demo (run).

May import: every stage above except excel and cli. Never a later stage (see parxl/__init__.py
for the order).
"""
