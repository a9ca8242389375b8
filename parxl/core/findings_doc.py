"""The catalogue of every finding, ``docs/findings.md``, generated from the registry.

``python3 -m parxl.core.findings_doc > docs/findings.md`` rewrites it;
``tests/test_findings_registry.py`` fails when the committed file differs from
``catalogue_markdown()``. Nothing here is hand-written per finding: codes,
severities, titles, templates and advice all come from ``parxl.core.findings``.
"""
from __future__ import annotations

import sys

from .findings import _TYPES, RESERVED, SEVERITY_TITLES
from .texts import normalize_text


_FAMILIES = [
    ("file-", "Tệp nhận được"), ("sheet-", "Tệp nhận được"), ("identity-", "Nhận dạng biểu mẫu"),
    ("columns-", "Cấu trúc bảng"), ("row", "Cấu trúc bảng"), ("formula-", "Cấu trúc bảng"),
    ("locked-", "Cấu trúc bảng"), ("input-", "Số liệu, lựa chọn, điểm tự chấm"),
    ("ratio-", "Số liệu, lựa chọn, điểm tự chấm"), ("score-", "Số liệu, lựa chọn, điểm tự chấm"),
    ("number-", "Số liệu, lựa chọn, điểm tự chấm"), ("evidence-", "Tài liệu kiểm chứng"),
    ("cached-", "Giá trị lưu sẵn và ô dành riêng"), ("appraisal-filled", "Giá trị lưu sẵn và ô dành riêng"),
    ("survey-", "Giá trị lưu sẵn và ô dành riêng"), ("appraisal-", "Biểu mẫu thẩm định (parxl appraise --import)"),
    ("explanation-", "Phiếu giải trình kết quả sơ bộ (parxl check)"),
]


def _family(code: str) -> str:
    return next(title for prefix, title in _FAMILIES if code.startswith(prefix))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue_markdown() -> str:
    """``docs/findings.md``: every registered finding, grouped, in Vietnamese (a Markdown text, NFC).

    Columns: code, severity, title, message template (``{…}`` are filled in
    each message), what to do (``FindingType.advice``). Deterministic: the same
    registry gives the same bytes, so a test can compare it with the committed file.
    """
    lines = [
        "# Danh mục phát hiện (finding) của parxl",
        "",
        "<!-- Tệp này được sinh từ parxl/core/findings.py; không sửa tay. Sinh lại bằng:",
        "     python3 -m parxl.core.findings_doc > docs/findings.md -->",
        "",
        "Mỗi vấn đề parxl thấy trong một tệp gửi về là một *phát hiện* có mã cố định (dùng trong sổ theo dõi,",
        "`--json` và tệp kết quả kiểm tra), mức độ và thông báo tiếng Việt. Mức độ:",
        "",
        "- **Lỗi**: đơn vị phải sửa tệp rồi gửi lại (lệnh thoát với mã 1);",
        "- **Cảnh báo**: để cán bộ thẩm định xem xét, đơn vị không phải gửi lại;",
        "- **Thông tin**: parxl đã tự xử lý, chỉ ghi lại để biết.",
        "",
        "Trong mẫu thông báo, `{file}` là tên tệp, `{cell}` là ô, `{item}` là mã tiêu chí; các `{…}` khác",
        "được điền theo từng trường hợp. Lỗi của chính parxl (mã thoát 3) không phải là phát hiện: xem",
        "`THƯ_MỤC_ĐỢT/.parxl/errors/`.",
        "",
        f"Tổng cộng {len(_TYPES)} loại phát hiện.",
    ]
    family = None
    for t in _TYPES:
        if _family(t.code) != family:
            family = _family(t.code)
            lines += ["", f"## {family}", "", "| Mã | Mức độ | Tên | Mẫu thông báo | Cần làm gì |", "|---|---|---|---|---|"]
        title = t.title + (" *(dự phòng, hiện không dùng)*" if t.code in RESERVED else "")
        lines.append(f"| `{t.code}` | {SEVERITY_TITLES[t.severity]} | {_cell(title)} | {_cell(t.template)} "
                     f"| {_cell(t.advice)} |")
    return normalize_text("\n".join(lines) + "\n")


def main() -> int:
    """``python3 -m parxl.core.findings_doc > docs/findings.md``: print the catalogue (UTF-8)."""
    sys.stdout.buffer.write(catalogue_markdown().encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
