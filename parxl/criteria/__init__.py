"""The criteria set (Bộ chỉ số): the YAML model (model), its loader (loader) and Vietnamese checks
(messages), gathered by the façade ``framework``; the rule types (rules/: one module per type, each
one definition for the Python score *and* the Excel formula, and the registry every other part
reads); band words (intervals); and scoring a unit's answers with those rules (scoring).

May import: parxl.core. Never a later stage (see parxl/__init__.py for the order).
"""
