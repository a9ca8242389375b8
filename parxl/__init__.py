"""parxl: the yearly Administrative Reform Index (Chỉ số CCHC) campaign, run through Excel.

One folder per stage, in pipeline order; a stage imports only itself and the stages above it:

- ``core/``: errors, atomic writer, texts, numbers, resources, findings registry
- ``criteria/``: criteria set model and loader, rule types, band words, scoring of answers
- ``campaign/``: the campaign folder and its units
- ``workbook/``: the self-assessment workbook: layout contract, texts, styles, builder, stamping
- ``xlsx/``: safe reading of spreadsheet files
- ``intake/``: one returned file: submission, checks, validation into findings
- ``ledger/``: every file received and recorded (SQLite); the check of a batch and its report
- ``results/``: index, rank and band of all units
- ``survey/``: the survey: design and sample sizes, questionnaires, the results table in three shapes
- ``master/``: consolidation and the master ranking workbook
- ``appraisal/``: appraisal rounds
- ``explanation/``: preliminary results and the units' explanations (giải trình) after a round
- ``council/``: the council's workbook, finalising the results (chốt kết quả)
- ``tracking/``: progress against the schedule (who is late, which tasks are done)
- ``documents/``: decision, notices, report, plan, reminders, preliminary notices, Tờ trình, improvement plans (DOCX)
- ``excel/``: xlwings adapter and control workbook
- ``demo/``: simulated returns and the demo
- ``cli/``: the parxl command

``parxl.xl`` is kept as an alias of ``parxl.excel.xl``: the module written beside the control
workbook (``parxl_dieu_khien.py``) runs ``import parxl.xl; parxl.xl.main()``.
"""

__version__ = "0.1.0"
