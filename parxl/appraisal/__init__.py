"""The appraisal rounds (thẩm định): workbooks per field for the appraisers, read back, recorded.

- ``layout``: what both sides agree on (sheet names, columns, metadata keys,
  round names, file names);
- ``build``: one workbook per field (and one for bonus/penalty items) showing
  every unit side by side, written into ``output/tham-dinh/<round>/``;
- ``read``: a filled appraisal workbook read with parxl's safe reader and
  checked, findings as data;
- ``record``: a batch of filled workbooks imported into the ledger as the round.

``parxl consolidate`` then applies the round (every round other than ``self``
and ``survey`` is an appraisal round, see ``parxl.master.consolidation``).

May import: parxl.core … parxl.master. Never a later stage (see parxl/__init__.py for the order).
"""
