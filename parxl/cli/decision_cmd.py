"""``parxl decision``: the Quyết định công bố Chỉ số CCHC with its ranking appendix.

The three document commands (decision, notices, report) draft from the results
saved with the latest master (``documents.source.followed_master``): they refuse,
with exit 1 and nothing written, when there is no master yet, when the data
changed since it was made, or when it ranks no unit. There is deliberately no
option to draft anyway: a document that contradicts the reviewed master must
not reach a signer. Each placeholder left in campaign.yaml that the document
shows, and a SAMPLE criteria set, get one warning line on stderr.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign.folder import load_campaign
from ..master.snapshot import Snapshot
from .console import console, err_console
from .progress_bar import steps

TEMPLATE_HELP = ("Mẫu .docx đã sửa (sao chép mẫu gốc trong templates/docx của parxl rồi sửa bằng Word; "
                 "chỉ dùng các biến có trong mẫu gốc).")


def campaign_argument(f):
    """Decorator adding the ``THƯ_MỤC_ĐỢT`` argument: an existing folder, passed as ``campaign_dir`` (a
    Path); click refuses (exit 2) a path that does not exist or is a file.
    """
    return click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT",
                          type=click.Path(exists=True, file_okay=False, path_type=Path))(f)


def template_option(f):
    """``--template``: an edited copy of the bundled .docx template."""
    return click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help=TEMPLATE_HELP)(f)


def warn(message: str) -> None:
    """One warning line on stderr, never hard-wrapped."""
    err_console.print(f"[yellow]Lưu ý:[/] {message}", soft_wrap=True, highlight=False)


def prepare(campaign_dir: Path, document: str, template: Path | None, bundled: str) -> Snapshot:
    """The checked snapshot a document follows, after warning about what would make the draft look final.

    ``document`` is ``decision``, ``notices`` or ``report``; ``bundled`` the name of
    its bundled template. Raises MasterNeededError / NothingRankedError (exit 1).
    """
    from ..documents.placeholders import draft_warnings
    from ..documents.render import DocumentError, campaign_template, template_origin, template_variables
    from ..documents.source import followed_master, master_edited, require_ranked

    snapshot = followed_master(load_campaign(campaign_dir))
    require_ranked(snapshot, document)
    from ..documents.blocks import template_used

    campaign = snapshot.results.campaign
    chosen = Path(template) if template else campaign_template(campaign.root, template_used(campaign, bundled))
    console.print(template_origin(chosen), soft_wrap=True, highlight=False)
    try:
        used = template_variables(chosen)
    except DocumentError:
        used = set()  # the render says what is wrong with the template
    for line in draft_warnings(snapshot.results.campaign, document, used):
        warn(line)
    edited = master_edited(snapshot)
    if edited:
        warn(edited)
    return snapshot


def follows_line(snapshot: Snapshot) -> str:
    """«Theo bảng tổng hợp <master> …»: the line telling which master (name and creation time) a
    drafted document follows.
    """
    from ..documents.source import master_label

    return f"Theo bảng tổng hợp {master_label(snapshot.master, snapshot.made_at)}."


@click.command("decision")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn Quyết định công bố Chỉ số CCHC (kèm Phụ lục xếp hạng) vào THƯ_MỤC_ĐỢT/output.

    Văn bản được soạn theo kết quả lưu kèm bảng tổng hợp mới nhất (lập bằng «parxl
    consolidate») và ghi tên bảng đó trong một ghi chú của văn bản. Thoát với mã 1,
    không tạo tệp nào, khi chưa có bảng tổng hợp, khi dữ liệu đã thay đổi sau khi
    lập bảng, hoặc khi chưa có đơn vị nào được xếp hạng.
    """
    from ..documents import render_decision
    from ..documents.decision import TEMPLATE

    snapshot = prepare(campaign_dir, "decision", template, TEMPLATE)
    with steps(err_console, err_console.writes_to_terminal()) as bars, bars.phase("Đang soạn quyết định"):
        path = render_decision(snapshot.results, template, master=snapshot.master)
    console.print(f"[green]Đã soạn quyết định công bố:[/] {path}", soft_wrap=True)
    console.print(follows_line(snapshot), soft_wrap=True)
