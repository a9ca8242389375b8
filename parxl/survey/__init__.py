"""The survey (điều tra xã hội học): its design (``design.py``: questions from the criteria set,
respondent groups from campaign.yaml, sample sizes), its plan and coverage (``plan.py``), its forms
(``forms.py``: questionnaires and the data-entry workbook), and importing its results table in any
of three shapes (``table.py``; points from answers in ``answers.py``).

May import: parxl.core, parxl.campaign, parxl.xlsx. Never a later stage (see parxl/__init__.py for the
order).
"""
