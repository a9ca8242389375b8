"""The criteria set (Bộ chỉ số): the model and YAML loader (framework), the rule types (rules: one
definition each for the Python score and the Excel formula), band words (intervals), and scoring
a unit's answers with those rules (scoring).

May import: parxl.core. Never a later stage (see parxl/__init__.py for the order).
"""
