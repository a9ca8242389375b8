"""Every file received, kept (content-addressed) and recorded in SQLite (store: the ``Ledger``; schema:
the SQL schema, its version and migrations; rows: what the ledger hands back); scanning and keeping
the inbox (inbox); checking and recording a batch from it in worker processes (receive); units whose file arrived but did not read (returned); the per-unit report
of a check (check_report, .xlsx).

May import: parxl.core … parxl.intake. Never a later stage (see parxl/__init__.py for the
order).
"""
