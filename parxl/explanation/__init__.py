"""The explanation round (giải trình): after an appraisal round, each unit's preliminary result and its explanation.

- ``layout``: the giải trình workbook's contract (sheets, columns, hidden identity, file names);
- ``contested``: from the ledger, per unit, the items it may explain after a round (appraised below
  self-assessed, or flagged «Cần giải trình») and its points per field;
- ``build``: the giải trình workbook of one unit, protected, into ``output/so-bo/``;
- ``read``: a returned giải trình workbook read and checked, findings as data;
- ``record``: returned workbooks found in inbox/ recorded in the ledger as round ``explanation-N``.

May import: parxl.core … parxl.appraisal. Never a later stage (see parxl/__init__.py for the order).
"""
