"""Every file received, kept (content-addressed) and recorded in SQLite (store); receiving a batch
from the inbox (receive); units whose file arrived but did not read (returned); the per-unit report
of a check (check_report, .xlsx).

May import: parxl.core … parxl.intake. Never a later stage (see parxl/__init__.py for the
order).
"""
