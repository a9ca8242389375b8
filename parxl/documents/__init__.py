"""The Word documents of a campaign, rendered from ``Results`` through docxtpl templates.

- ``render_decision``: Quyết định công bố Chỉ số CCHC with its ranking appendix;
- ``render_notices``: one Thông báo kết quả per ranked unit;
- ``render_report``: Báo cáo kết quả to the higher level.

The commands draft from the results saved with the latest master (``source.followed_master``)
and warn about placeholders left in campaign.yaml (``placeholders.draft_warnings``).

May import: parxl.core … parxl.council. Never a later stage (see parxl/__init__.py for the order).
"""
from .decision import decision_context, render_decision
from .notices import notice_context, render_notices
from .render import DocumentError, UnknownVariablesError, check_template
from .report import render_report, report_context

__all__ = ["DocumentError", "UnknownVariablesError", "check_template", "decision_context", "notice_context",
           "render_decision", "render_notices", "render_report", "report_context"]
