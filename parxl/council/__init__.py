"""For the council (Hội đồng thẩm định): what changed from self-assessment to round 1 to after explanation, and
finalising the agreed results.

- ``workbook``: the council's workbook (per unit: totals and indexes by stage, rank change, items still
  contested; a sheet per field item by item);
- ``final``: ``parxl finalize`` (the results of that moment frozen with the master that shows them) and
  ``--reopen`` (who, when, why recorded in the ledger).

May import: parxl.core … parxl.explanation. Never a later stage (see parxl/__init__.py for the order).
"""
