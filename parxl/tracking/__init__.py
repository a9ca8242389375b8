"""Progress against the schedule: per unit when its self-assessment arrived (on time or late) and where it
stands, per appraisal round the offices that have not returned their workbooks, per task of the schedule
whether it is done or overdue (``status``); the status workbook (``status_xlsx``).

May import: parxl.core … parxl.council. Never a later stage (see parxl/__init__.py for the order).
"""
