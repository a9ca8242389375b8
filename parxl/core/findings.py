"""Findings: every problem found in a returned workbook, as data.

Each kind of problem is a ``FindingType`` with a stable ``code`` (what tests,
the ledger and machines rely on), a severity, a short Vietnamese title and a
message template saying what is wrong and what to do. ``make(code, **params)``
builds a ``Finding``; the table of every type is ``FINDING_TYPES``.

Codes are checked statically: ``FindingCode`` is the ``Literal`` of every
registered code, the type of ``make``'s and ``FindingList.add``'s ``code``, so a
type checker flags a mistyped code at its call site; the module refuses to
import when ``FindingCode`` and the registry disagree, and
``tests/test_findings_registry.py`` checks every code literal in ``parxl/``
against the registry. A new kind of finding is one ``_T(...)`` line below plus
its code in ``FindingCode``; then regenerate the catalogue ``docs/findings.md``
with ``python3 -m parxl.core.findings_doc > docs/findings.md``.

Severity:
- ``error``: the unit must fix the file and send it again (wrong identity,
  tampering, an input outside its domain, a scored item with neither evidence
  nor explanation, an unreadable or hostile file);
- ``warning``: for the appraiser to look at (cached value differs, evidence on
  an unusual host, rows moved but still readable…);
- ``info``: a tolerated conversion (a number typed as text, an .ods converted).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from .texts import normalize_text

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_TITLES = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}

# Every finding code, in registry order. Keep it equal to the codes of ``_TYPES`` (checked at import).
FindingCode = Literal[
    "file-empty", "file-too-large", "file-xls", "file-encrypted", "file-ods-converted", "file-ods-unsupported",
    "file-ods-conversion-failed", "file-corrupt", "file-not-workbook", "file-zip-bomb", "file-xml-forbidden",
    "file-archive-no-workbook", "file-xlsb", "file-pdf", "file-word", "file-image", "file-archive", "file-csv",
    "file-html", "file-opendocument", "file-ambiguous", "file-part-missing", "file-part-oversized",
    "file-number-out-of-range", "file-duplicate", "sheet-oversized", "identity-missing",
    "identity-other-campaign", "identity-other-criteria", "identity-layout-version", "identity-unknown-unit",
    "identity-header-mismatch", "identity-filename-mismatch", "identity-swapped", "identity-unit-renamed",
    "identity-kind-changed",
    "sheet-missing", "columns-changed", "row-missing", "rows-not-read", "rows-shifted", "rows-reordered",
    "formula-altered", "locked-cell-changed", "input-not-option", "input-not-number", "input-negative",
    "input-too-large", "input-not-whole", "input-too-many-decimals", "input-option-variant", "ratio-numerator-exceeds", "score-out-of-range", "score-off-step",
    "input-blank", "input-blank-line", "input-not-applicable-unexplained", "input-scored-by-appraisers", "number-as-text", "evidence-missing", "evidence-explanation-only", "evidence-bad-link",
    "evidence-file-missing", "evidence-text-only", "evidence-unusual-host", "evidence-picture",
    "evidence-ref-bad-date", "cached-value-differs", "appraisal-filled", "survey-filled",
    "appraisal-not-appraisal-file", "appraisal-unit-workbook", "appraisal-other-campaign",
    "appraisal-other-criteria", "appraisal-other-layout", "appraisal-other-round", "appraisal-unknown-row", "appraisal-duplicate-row",
    "appraisal-score-not-number", "appraisal-score-negative", "appraisal-score-above-max",
    "appraisal-score-formula",
    "appraisal-score-off-grid", "appraisal-number-as-text", "appraisal-note-without-score",
    "identity-other-block",
    "explanation-identity", "explanation-wrong-unit", "explanation-other-round", "explanation-unknown-row",
    "explanation-proposed-invalid", "explanation-missing", "explanation-empty",
    "file-too-slow",
]


@dataclass(frozen=True)
class FindingType:
    """One kind of finding: its stable ``code``, ``severity``, Vietnamese ``title`` and message ``template``.

    ``template`` is a ``str.format`` template; every finding also knows
    ``{file}``, ``{sheet}``, ``{cell}`` and ``{item}``. ``advice`` is what to do,
    as the catalogue shows it (taken from the template's own words).
    """

    code: FindingCode
    severity: Severity
    title: str
    template: str
    action: str = ""  # what to do, when the template's own words do not say it well enough

    @property
    def advice(self) -> str:
        """What to do about it, in Vietnamese: the template's sentences that say it, or who looks at it.

        The sentences from the first one that asks for something («Hãy …»,
        «Không sửa …», «cần thẩm định …», «Lần sau …»); when none does, a line by
        severity (an info finding needs nothing; a warning is for the appraisers).
        ``action``, when given, is used instead.
        """
        if self.action:
            return self.action
        sentences = re.split(r"(?<=[.!?])\s+", self.template.strip())
        for i, sentence in enumerate(sentences):
            asked = _ASKS.search(sentence)
            if asked:
                clause = max(sentence.rfind(mark, 0, asked.start()) for mark in ";:") + 1
                first = sentence[clause:].strip()
                return " ".join([first[:1].upper() + first[1:], *sentences[i + 1:]])
        return _DEFAULT_ADVICE[self.severity]


_ASKS = re.compile(r"\b(Hãy|hãy|Không (sửa|chụp|chèn)|cần thẩm định|Lần sau|lần sau|Mỗi đơn vị|nên mở lại)\b")
_DEFAULT_ADVICE = {
    "error": "Sửa tệp theo nội dung thông báo rồi gửi lại.",
    "warning": "Cán bộ thẩm định xem xét; đơn vị không phải gửi lại tệp.",
    "info": "Không cần làm gì: parxl đã xử lý và chỉ ghi lại để biết.",
}


@dataclass(frozen=True)
class Finding:
    """One problem found in one file: ``code`` (a ``FindingCode``), its type's ``severity``, the filled
    Vietnamese ``message``, and where: ``sheet``, ``cell`` (A1 style), ``item`` (criteria code such as
    1.1.2 or T1) and ``file`` (the file's name as received), each None when it does not apply."""

    code: FindingCode
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    item: str | None = None
    file: str | None = None

    @property
    def title(self) -> str:
        """The Vietnamese title of the finding's type; raises KeyError for a code no longer registered."""
        return FINDING_TYPES[self.code].title

    def as_dict(self) -> dict:
        """``{"code", "severity", "sheet", "cell", "item", "message"}``: the finding in every JSON report."""
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "item": self.item, "message": self.message}


_T = FindingType
_TYPES = [
    # The file itself -------------------------------------------------------
    _T("file-empty", "error", "Tệp rỗng",
       "Tệp «{file}» rỗng (0 byte). Hãy gửi lại tệp Excel đã điền."),
    _T("file-too-large", "error", "Tệp quá lớn",
       "Tệp «{file}» nặng {detail}, vượt giới hạn {limit}. Biểu mẫu chỉ cần vài chục KB: "
       "hãy gửi lại đúng tệp biểu mẫu, tài liệu kiểm chứng gửi riêng hoặc bằng liên kết."),
    _T("file-xls", "error", "Định dạng Excel cũ (.xls)",
       "Tệp «{file}» là định dạng Excel 97–2003 (.xls), không phải biểu mẫu .xlsx đã gửi. "
       "Hãy điền vào đúng tệp biểu mẫu .xlsx (không «Lưu thành» .xls) rồi gửi lại."),
    _T("file-encrypted", "error", "Tệp có mật khẩu",
       "Tệp «{file}» được đặt mật khẩu mở tệp nên không đọc được. Hãy gỡ mật khẩu "
       "(Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hóa bằng mật khẩu, xóa mật khẩu, lưu) rồi gửi lại."),
    _T("file-ods-converted", "info", "Đã chuyển từ .ods",
       "Tệp «{file}» là định dạng OpenDocument (.ods); parxl đã chuyển sang .xlsx bằng LibreOffice để đọc. "
       "Lần sau hãy lưu đúng định dạng .xlsx của biểu mẫu."),
    _T("file-ods-unsupported", "error", "Không đọc được tệp .ods",
       "Tệp «{file}» là định dạng OpenDocument (.ods) nhưng máy này không có LibreOffice để chuyển đổi ({detail}). "
       "Hãy đề nghị đơn vị lưu lại dạng .xlsx (Tệp › Lưu thành › Excel 2007-365) rồi gửi lại."),
    _T("file-ods-conversion-failed", "error", "Không chuyển được tệp .ods",
       "Tệp «{file}» là định dạng OpenDocument (.ods); LibreOffice trên máy này không chuyển được tệp sang .xlsx "
       "({detail}), có thể tệp bị hỏng. Hãy đề nghị đơn vị mở tệp, lưu lại dạng .xlsx "
       "(Tệp › Lưu thành › Excel 2007-365) rồi gửi lại."),
    _T("file-corrupt", "error", "Tệp hỏng",
       "Tệp «{file}» bị hỏng hoặc không trọn vẹn ({detail}), có thể do tải về hoặc sao chép bị ngắt. "
       "Hãy đề nghị đơn vị gửi lại tệp."),
    _T("file-not-workbook", "error", "Không phải tệp Excel",
       "Tệp «{file}» không phải tệp Excel .xlsx ({detail}). Hãy gửi lại đúng tệp biểu mẫu đã điền."),
    _T("file-zip-bomb", "error", "Tệp nén bất thường",
       "Tệp «{file}» giải nén ra dung lượng bất thường ({detail}); parxl không mở để bảo vệ máy. "
       "Hãy đề nghị đơn vị gửi lại đúng tệp biểu mẫu."),
    _T("file-xml-forbidden", "error", "Tệp chứa khai báo XML không được phép",
       "Tệp «{file}» chứa khai báo DTD/thực thể XML ({detail}) mà Excel không bao giờ tạo ra; "
       "tệp có thể đã bị chỉnh sửa bằng công cụ khác hoặc có mã độc. parxl không đọc tệp này; "
       "hãy đề nghị đơn vị gửi lại từ biểu mẫu gốc."),
    _T("file-archive-no-workbook", "error", "Tệp nén không có biểu mẫu",
       "Tệp nén «{file}» không chứa tệp biểu mẫu .xlsx nào. Hãy gửi kèm tệp biểu mẫu đã điền."),
    _T("file-xlsb", "error", "Định dạng Excel nhị phân (.xlsb)",
       "Tệp «{file}» là sổ làm việc nhị phân của Excel (.xlsb), không phải biểu mẫu .xlsx. "
       "Hãy mở tệp bằng Excel, chọn Tệp › Lưu thành › Excel Workbook (.xlsx) rồi gửi lại."),
    _T("file-pdf", "error", "Tệp PDF thay cho biểu mẫu",
       "Tệp «{file}» là tệp PDF, không phải biểu mẫu Excel. Tệp PDF chỉ dùng làm tài liệu kiểm chứng; "
       "hãy gửi kèm biểu mẫu Excel (.xlsx) đã điền."),
    _T("file-word", "error", "Tệp Word thay cho biểu mẫu",
       "Tệp «{file}» là văn bản Word ({detail}), không phải biểu mẫu Excel. Hãy gửi biểu mẫu Excel (.xlsx) đã điền; "
       "văn bản Word chỉ dùng làm tài liệu kiểm chứng."),
    _T("file-image", "error", "Tệp ảnh thay cho biểu mẫu",
       "Tệp «{file}» là ảnh ({detail}), không phải biểu mẫu Excel. Không chụp hay quét biểu mẫu: "
       "hãy gửi chính tệp Excel (.xlsx) đã điền."),
    _T("file-archive", "error", "Tệp nén thay cho biểu mẫu",
       "Tệp «{file}» là tệp nén ({detail}), không phải biểu mẫu Excel. Hãy gửi riêng tệp biểu mẫu .xlsx, "
       "hoặc gửi tệp .zip có đúng một biểu mẫu .xlsx kèm tài liệu kiểm chứng."),
    _T("file-csv", "error", "Tệp văn bản CSV thay cho biểu mẫu",
       "Tệp «{file}» là tệp văn bản/CSV, mất hết công thức và thông tin nhận dạng của biểu mẫu. "
       "Hãy điền vào đúng tệp biểu mẫu, Lưu lại thành Excel Workbook (.xlsx) rồi gửi lại."),
    _T("file-html", "error", "Trang web hoặc XML Spreadsheet 2003",
       "Tệp «{file}» là {detail}, không phải biểu mẫu .xlsx. "
       "Hãy mở bằng Excel, Lưu lại thành Excel Workbook (.xlsx) rồi gửi lại."),
    _T("file-opendocument", "error", "Văn bản OpenDocument thay cho biểu mẫu",
       "Tệp «{file}» là {detail}, không phải bảng tính. Hãy gửi biểu mẫu Excel (.xlsx) đã điền."),
    _T("file-ambiguous", "error", "Tệp có nội dung mập mờ",
       "Tệp «{file}» có nội dung trùng lặp ({detail}) mà Excel không bao giờ tạo ra, nên không biết phần nào là thật. "
       "Hãy mở tệp bằng Excel, Lưu lại thành Excel Workbook (.xlsx) rồi gửi lại."),
    _T("file-part-missing", "error", "Tệp thiếu một phần",
       "Tệp «{file}» thiếu một phần mà chính nó tham chiếu ({detail}), nên không đọc đủ được biểu mẫu. "
       "Hãy mở tệp bằng Excel, Lưu lại thành Excel Workbook (.xlsx) rồi gửi lại; nếu không mở được, hãy điền lại biểu mẫu gốc."),
    _T("file-part-oversized", "error", "Tệp có nội dung bất thường",
       "Tệp «{file}» chứa lượng dữ liệu bất thường ({detail}) mà biểu mẫu không cần; parxl không đọc tiếp để bảo vệ máy. "
       "Hãy điền vào đúng tệp biểu mẫu gốc rồi gửi lại."),
    _T("file-number-out-of-range", "error", "Số vượt quá giới hạn của Excel",
       "Tệp «{file}» chứa số vượt quá giới hạn Excel lưu được ({detail}); tệp không do Excel tạo ra hoặc đã bị sửa. "
       "Hãy mở tệp bằng Excel, kiểm tra lại số liệu, Lưu lại thành Excel Workbook (.xlsx) rồi gửi lại."),
    _T("file-duplicate", "info", "Tệp đã nhận trước đó",
       "Tệp «{file}» có nội dung trùng hoàn toàn với «{first}» đã nhận; parxl chỉ lưu một bản."),
    _T("sheet-oversized", "warning", "Trang tính có quá nhiều dòng",
       "Trang «{sheet}» có dữ liệu tới quá dòng {limit} trong khi biểu mẫu chỉ có {expected} dòng; "
       "parxl chỉ đọc đến dòng {limit}. Hãy xóa các dòng thừa phía dưới bảng."),
    # Identity --------------------------------------------------------------
    _T("identity-missing", "error", "Không phải biểu mẫu của parxl",
       "Tệp «{file}» không có thông tin nhận dạng của biểu mẫu (trang ẩn «{meta}» hoặc tên vùng bị mất). "
       "Hãy điền vào đúng tệp biểu mẫu đã được gửi, không chép sang tệp mới."),
    _T("identity-other-campaign", "error", "Biểu mẫu của đợt đánh giá khác",
       "Tệp «{file}» là biểu mẫu của đợt đánh giá «{found}», không phải đợt «{expected}». "
       "Hãy điền vào biểu mẫu của đợt này rồi gửi lại."),
    _T("identity-other-criteria", "error", "Biểu mẫu theo bộ chỉ số khác",
       "Tệp «{file}» được tạo theo bộ chỉ số «{found}» (phiên bản {found_fp}), khác bộ chỉ số của đợt này "
       "«{expected}» (phiên bản {expected_fp}). Hãy điền vào biểu mẫu mới nhất đã được gửi."),
    _T("identity-layout-version", "error", "Phiên bản biểu mẫu khác",
       "Tệp «{file}» là biểu mẫu phiên bản {found}, khác phiên bản {expected} mà parxl của đợt này đọc "
       "(biểu mẫu được tạo bằng một phiên bản parxl khác), nên số liệu trong tệp không được đọc. "
       "Hãy chép số liệu, giải trình và tài liệu kiểm chứng sang biểu mẫu mới nhất do cơ quan tổ chức đánh giá "
       "gửi (hoặc đề nghị gửi lại biểu mẫu) rồi gửi lại."),
    _T("identity-unknown-unit", "error", "Đơn vị không có trong danh sách",
       "Tệp «{file}» ghi mã đơn vị «{unit}» không có trong danh sách đơn vị của đợt đánh giá. "
       "Hãy kiểm tra lại tệp (có thể là biểu mẫu của địa phương khác)."),
    _T("identity-header-mismatch", "error", "Tên đơn vị ở đầu bảng bị sửa",
       "Ô {cell} ghi «{found}» nhưng biểu mẫu được tạo cho «{expected}» (mã {unit}). "
       "Mỗi đơn vị phải điền vào biểu mẫu mang tên mình; không sửa tên đơn vị trong biểu mẫu."),
    _T("identity-filename-mismatch", "error", "Tên tệp là của đơn vị khác",
       "Tên tệp «{file}» chỉ đơn vị «{named}» nhưng bên trong là biểu mẫu của «{expected}» (mã {unit}). "
       "Có thể đã gửi nhầm tệp của đơn vị khác: hãy kiểm tra và gửi lại đúng tệp."),
    _T("identity-swapped", "error", "Hai đơn vị gửi nhầm tệp của nhau",
       "Tệp «{file}» (biểu mẫu của {unit}) và tệp «{other}» (biểu mẫu của {other_unit}) mang tên của nhau: "
       "hai đơn vị có thể đã điền nhầm biểu mẫu của nhau. Mỗi đơn vị hãy điền lại vào đúng biểu mẫu của mình."),
    _T("identity-unit-renamed", "info", "Tên đơn vị đã đổi",
       "Biểu mẫu ghi tên «{found}», danh sách đơn vị hiện ghi «{expected}» (mã {unit}); parxl nhận theo mã."),
    _T("identity-kind-changed", "error", "Loại đơn vị đã đổi sau khi tạo biểu mẫu",
       "Biểu mẫu được tạo cho loại đơn vị «{found}» nhưng danh sách đơn vị nay ghi {unit} là «{expected}»; bộ chỉ số "
       "có tiêu chí chỉ áp dụng cho một số loại, nên biểu mẫu này không có đúng các tiêu chí của đơn vị và không được "
       "đọc. Đây không phải lỗi của đơn vị: nếu cột «Loại» đúng, tạo lại biểu mẫu («parxl generate») và gửi lại cho "
       "đơn vị; nếu sai, sửa cột «Loại» trong danh sách đơn vị rồi kiểm tra lại."),
    # Structure -------------------------------------------------------------
    _T("sheet-missing", "error", "Thiếu trang tính",
       "Không tìm thấy trang «{sheet}» trong tệp «{file}»: trang đã bị xóa hoặc đổi tên. "
       "Hãy điền vào đúng tệp biểu mẫu (không xóa, không đổi tên trang) rồi gửi lại."),
    _T("columns-changed", "error", "Cột của bảng bị thay đổi",
       "Tiêu đề cột ở ô {cell} là «{found}», lẽ ra là «{expected}»: có cột đã bị chèn, xóa hoặc di chuyển. "
       "Hãy điền lại vào biểu mẫu gốc, không chèn hay xóa cột."),
    _T("row-missing", "error", "Mất dòng tiêu chí",
       "Không tìm thấy dòng có mã «{item}» (cả mã ở cột A lẫn tên vùng đều mất): dòng đã bị xóa. "
       "parxl không đọc được số liệu của tiêu chí này; hãy điền lại vào biểu mẫu gốc."),
    _T("rows-not-read", "error", "Không đọc đủ các dòng tiêu chí",
       "parxl không tìm thấy hoặc không chấm được {count} dòng của bộ chỉ số trong tệp «{file}» ({missing}); "
       "kết quả tự đánh giá không đầy đủ nên không được nhận. Hãy điền vào đúng tệp biểu mẫu gốc "
       "(không xóa dòng, không chép sang tệp khác) rồi gửi lại."),
    _T("rows-shifted", "warning", "Dòng bị chèn, xóa hoặc di chuyển",
       "Các dòng của bảng đã bị dịch chuyển ({count} tiêu chí, ví dụ mã «{example}» ở dòng {found} thay vì dòng {expected}). "
       "parxl đã tìm theo mã ở cột A và tên vùng nên vẫn đọc được; lần sau không chèn, xóa dòng."),
    _T("rows-reordered", "error", "Dòng bị sắp xếp lại",
       "Dòng có mã «{item}» (dòng {found}) không khớp với tên vùng của nó (dòng {expected}): bảng đã bị sắp xếp "
       "hoặc cắt dán lại. parxl đọc theo mã ở cột A; hãy điền lại vào biểu mẫu gốc để công thức đúng dòng."),
    _T("formula-altered", "error", "Công thức bị sửa",
       "Ô {cell} ({item}) lẽ ra có công thức «{expected}» nhưng {found}. Công thức tính điểm đã bị ghi đè "
       "hoặc sửa; hãy nhập số liệu vào các ô được phép, không gõ vào ô công thức, rồi gửi lại."),
    _T("locked-cell-changed", "error", "Ô cố định bị sửa",
       "Ô {cell} ({what}) lẽ ra là «{expected}» nhưng đang là «{found}». Không sửa mã, tên tiêu chí, "
       "điểm tối đa hay danh sách lựa chọn; hãy trả lại như biểu mẫu gốc rồi gửi lại."),
    # Inputs ----------------------------------------------------------------
    _T("input-not-option", "error", "Lựa chọn không hợp lệ",
       "Ô {cell} ({item}) ghi «{found}», không phải một trong các lựa chọn: {options}. "
       "Hãy chọn từ danh sách thả xuống."),
    _T("input-not-number", "error", "Không phải là số",
       "Ô {cell} ({item}, {label}) ghi «{found}», không đọc được thành số. Hãy nhập một số, ví dụ 12 hoặc 0,5."),
    _T("input-negative", "error", "Số âm",
       "Ô {cell} ({item}, {label}) là {found}, không được âm. Hãy nhập lại số liệu đúng."),
    _T("input-too-large", "error", "Số liệu lớn bất thường",
       "Ô {cell} ({item}, {label}) là {found}, lớn hơn mức tối đa hợp lý {max} của số liệu này. "
       "Hãy kiểm tra và nhập lại số liệu đúng."),
    _T("input-not-whole", "error", "Không phải số nguyên",
       "Ô {cell} ({item}, {label}) là {found}, phải là số nguyên (số hồ sơ, số văn bản…). Hãy nhập lại."),
    _T("input-too-many-decimals", "error", "Số liệu nhiều chữ số thập phân hơn quy định",
       "Ô {cell} ({item}, {label}) là {found}, nhiều hơn {decimals} chữ số thập phân mà Bộ chỉ số quy định "
       "(Excel và parxl có thể làm tròn khác nhau). Hãy nhập số đã làm tròn, ví dụ {rounded}, rồi gửi lại."),
    _T("input-option-variant", "error", "Lựa chọn gõ tay khác danh sách",
       "Ô {cell} ({item}) ghi «{found}», trông giống «{option}» nhưng có dấu cách thừa hoặc gõ bằng bảng mã "
       "«Unicode tổ hợp» nên công thức của biểu mẫu không nhận (điểm trong tệp khác điểm dự kiến). "
       "Hãy xóa ô rồi chọn «{option}» từ danh sách thả xuống."),
    _T("ratio-numerator-exceeds", "error", "Tử số lớn hơn mẫu số",
       "{item}: «{numerator}» ({n}) lớn hơn «{denominator}» ({d}) nên tỷ lệ vượt 100%. Hãy kiểm tra lại số liệu."),
    _T("score-out-of-range", "error", "Điểm ngoài khoảng cho phép",
       "Ô {cell} ({item}) tự chấm {found} điểm, ngoài khoảng 0 – {max}. Hãy chấm lại trong khoảng này."),
    _T("score-off-step", "error", "Điểm không đúng bước",
       "Ô {cell} ({item}) tự chấm {found} điểm; điểm phải là bội số của {step}. Hãy chấm lại."),
    _T("input-blank", "warning", "Chưa nhập",
       "Ô {cell} ({item}, {label}) còn trống nên tiêu chí được tính 0 điểm.",
       action="Nếu đơn vị có số liệu, hãy nhập vào ô này rồi gửi lại; nếu không, tiêu chí giữ 0 điểm."),
    _T("input-blank-line", "warning", "Nội dung chưa chọn",
       "Ô {cell} ({item}, nội dung «{label}») còn trống nên nội dung này được tính như chọn «Không» (không được "
       "cộng, không bị trừ điểm); các nội dung khác của tiêu chí vẫn được tính.",
       action="Hãy chọn «Có» hoặc «Không» ở ô này rồi gửi lại."),
    _T("input-not-applicable-unexplained", "error", "«Không phát sinh» chưa có giải trình",
       "{item} được chọn «{mark}» nhưng ô giải trình {cell} còn trống. Hãy ghi vì sao nhiệm vụ không phát sinh "
       "trong năm (ví dụ: trong năm không có hồ sơ nào) rồi gửi lại tệp."),
    _T("input-scored-by-appraisers", "error", "Đơn vị điền điểm vào tiêu chí do thẩm định chấm",
       "Ô {cell} ({item}) thuộc tiêu chí do cơ quan thẩm định chấm điểm; đơn vị chỉ cung cấp tài liệu kiểm chứng "
       "và giải trình, nhưng ô đã có «{found}». Hãy xóa nội dung ô này rồi gửi lại."),
    _T("number-as-text", "info", "Số nhập dạng chữ",
       "Ô {cell} ({item}) chứa «{found}» dạng văn bản; parxl đọc là {value}."),
    # Evidence --------------------------------------------------------------
    _T("evidence-missing", "error", "Thiếu tài liệu kiểm chứng",
       "{item} tự chấm {score} điểm nhưng không có tài liệu kiểm chứng (ô {cell}) và không có giải trình. "
       "Điểm không có tài liệu kiểm chứng sẽ không được công nhận: hãy dán liên kết hoặc ghi tên tệp gửi kèm."),
    _T("evidence-explanation-only", "warning", "Chỉ có giải trình",
       "{item} tự chấm {score} điểm, không có tài liệu kiểm chứng mà chỉ có giải trình; cần thẩm định xem xét."),
    _T("evidence-bad-link", "error", "Liên kết không hợp lệ",
       "Ô {cell} ({item}): «{found}» không phải liên kết hợp lệ ({detail}). "
       "Hãy dán liên kết đầy đủ bắt đầu bằng https:// hoặc ghi đúng tên tệp gửi kèm."),
    _T("evidence-file-missing", "error", "Không thấy tệp kiểm chứng",
       "Ô {cell} ({item}) ghi tệp «{found}» nhưng không có tệp này gửi kèm (cùng thư mục hoặc cùng tệp nén "
       "với biểu mẫu). Hãy gửi kèm tệp đó hoặc dán liên kết."),
    _T("evidence-text-only", "warning", "Tài liệu kiểm chứng chỉ là mô tả",
       "Ô {cell} ({item}): «{found}» không phải liên kết hay tên tệp gửi kèm; cần thẩm định đối chiếu "
       "văn bản (bản giấy hoặc bản scan)."),
    _T("evidence-unusual-host", "warning", "Liên kết đến trang lạ",
       "Ô {cell} ({item}): liên kết «{found}» trỏ đến «{host}», không phải trang của cơ quan nhà nước "
       "hay dịch vụ lưu trữ thông dụng; cần thẩm định kiểm tra."),
    _T("evidence-picture", "error", "Ảnh dán vào ô tài liệu kiểm chứng",
       "Ô {cell} ({item}) chứa một ảnh dán vào ô ({found}), không phải liên kết hay tên tệp: ảnh dán trong ô "
       "không chuyển được sang biểu mẫu thẩm định và Excel không hiển thị. Hãy lưu ảnh thành tệp (.jpg, .png "
       "hoặc .pdf) gửi kèm biểu mẫu và ghi tên tệp vào ô, hoặc dán liên kết đến ảnh, rồi gửi lại."),
    _T("evidence-ref-bad-date", "warning", "Ngày văn bản không có thật",
       "Ô {cell} ({item}): «{found}» ghi ngày «{date}», không phải ngày có thật; cần thẩm định đối chiếu "
       "văn bản và đơn vị ghi lại đúng ngày ban hành."),
    # Cached values and reserved cells ----------------------------------------
    _T("cached-value-differs", "warning", "Giá trị trong tệp khác parxl tính",
       "Ô {cell} ({what}) hiển thị {found} nhưng theo số liệu đã nhập parxl tính được {expected}. "
       "parxl dùng kết quả của mình; nên mở lại tệp để Excel tính lại."),
    _T("appraisal-filled", "error", "Đơn vị điền vào cột thẩm định",
       "Ô {cell} thuộc cột «{column}» dành cho Hội đồng thẩm định nhưng đã có nội dung «{found}». "
       "Hãy xóa nội dung ở cột này rồi gửi lại."),
    _T("survey-filled", "error", "Đơn vị điền vào tiêu chí điều tra XHH",
       "Ô {cell} ({item}) thuộc tiêu chí chấm bằng điều tra xã hội học, đơn vị không tự chấm, "
       "nhưng đã có nội dung «{found}». Hãy xóa rồi gửi lại."),
    # Appraisal workbooks (parxl appraise --import) ----------------------------
    _T("appraisal-not-appraisal-file", "error", "Không phải biểu mẫu thẩm định",
       "Tệp «{file}» không phải biểu mẫu thẩm định do parxl tạo ({detail}). Hãy nhập điểm vào đúng tệp "
       "«Thẩm định lĩnh vực …» đã được gửi, không chép sang tệp mới."),
    _T("appraisal-unit-workbook", "error", "Nhầm biểu mẫu tự đánh giá của đơn vị",
       "Tệp «{file}» là biểu mẫu tự đánh giá của đơn vị {unit}, không phải biểu mẫu thẩm định. "
       "Tệp của đơn vị đặt vào inbox/ và chạy «parxl check»; ở đây chỉ nhập tệp «Thẩm định lĩnh vực …».",
       action="Đặt tệp của đơn vị vào inbox/ rồi chạy «parxl check»; với «--import» chỉ chọn các tệp "
              "«Thẩm định lĩnh vực …»."),
    _T("appraisal-other-campaign", "error", "Biểu mẫu thẩm định của đợt khác",
       "Tệp «{file}» là biểu mẫu thẩm định của đợt «{found}», không phải đợt «{expected}». "
       "Hãy nhập điểm vào biểu mẫu thẩm định của đợt này."),
    _T("appraisal-other-criteria", "error", "Biểu mẫu thẩm định theo bộ chỉ số khác",
       "Tệp «{file}» được tạo theo phiên bản bộ chỉ số {found}, khác phiên bản của đợt này ({expected}). "
       "Hãy tạo lại biểu mẫu thẩm định («parxl appraise») và nhập điểm vào biểu mẫu mới."),
    _T("appraisal-other-layout", "error", "Biểu mẫu thẩm định phiên bản khác",
       "Tệp «{file}» là biểu mẫu thẩm định phiên bản {found}, khác phiên bản {expected} mà parxl này đọc "
       "(biểu mẫu được tạo bằng một phiên bản parxl khác), nên điểm trong tệp không được nhập. Hãy tạo lại "
       "biểu mẫu thẩm định của vòng này («parxl appraise») và nhập điểm vào biểu mẫu mới."),
    _T("appraisal-other-round", "error", "Biểu mẫu của vòng thẩm định khác",
       "Tệp «{file}» là biểu mẫu của vòng «{found}», không phải vòng «{expected}» đang nhập. "
       "Hãy nhập tệp này với «--round {found}» hoặc dùng biểu mẫu của vòng «{expected}»."),
    _T("appraisal-unknown-row", "error", "Dòng không có trong biểu mẫu thẩm định",
       "Dòng {row} ghi đơn vị «{unit}», tiêu chí «{found}»: {detail}. Không sửa mã đơn vị, mã tiêu chí; "
       "hãy nhập điểm vào biểu mẫu gốc."),
    _T("appraisal-duplicate-row", "error", "Dòng thẩm định bị lặp",
       "Đơn vị «{unit}», tiêu chí «{item}» có ở cả dòng {first} và dòng {row}. Hãy giữ một dòng rồi nhập lại."),
    _T("appraisal-score-not-number", "error", "Điểm thẩm định không phải là số",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) ghi «{found}», không đọc được thành số. "
       "Hãy nhập một số từ 0 đến {max}, ví dụ 0,5; để trống nếu giữ điểm tự chấm."),
    _T("appraisal-score-negative", "error", "Điểm thẩm định âm",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) là {found}, không được âm. Hãy nhập từ 0 đến {max}."),
    _T("appraisal-score-above-max", "error", "Điểm thẩm định vượt điểm tối đa",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) là {found}, vượt điểm tối đa {max}. Hãy nhập từ 0 đến {max}."),
    _T("appraisal-score-formula", "error", "Ô điểm thẩm định là công thức không có giá trị",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) là công thức «={found}» {detail}; parxl không tính lại công thức. "
       "Hãy nhập số từ 0 đến {max}, ví dụ 0,5 (không dùng công thức); để trống nếu giữ điểm tự chấm."),
    _T("appraisal-score-off-grid", "error", "Điểm thẩm định quá số chữ số thập phân",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) là {found}; điểm chỉ được có tối đa {decimals} chữ số thập phân. "
       "Hãy nhập lại, ví dụ {example}."),
    _T("appraisal-number-as-text", "info", "Điểm thẩm định nhập dạng chữ",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) chứa «{found}» dạng văn bản; parxl đọc là {value}."),
    _T("appraisal-note-without-score", "info", "Có ý kiến nhưng không có điểm thẩm định",
       "Ô {cell} (đơn vị {unit}, tiêu chí {item}) có ý kiến thẩm định nhưng ô điểm để trống: điểm tự chấm "
       "được giữ nguyên; ý kiến vẫn lưu trong tệp đã nhận.",
       action="Nếu muốn thay điểm tự chấm, nhập điểm thẩm định vào ô điểm rồi nhập lại tệp; nếu không, không cần làm gì."),
    _T("identity-other-block", "error", "Biểu mẫu của khối khác",
       "Tệp «{file}» là biểu mẫu của «{form_block}» (bộ chỉ số «{form_criteria}») nhưng đơn vị «{unit} – {name}» "
       "thuộc «{unit_block}» (bộ chỉ số «{unit_criteria}»); mỗi khối chấm theo bộ chỉ số và biểu mẫu riêng, nên "
       "số liệu trong tệp không được đọc. Hãy điền vào biểu mẫu của «{unit_block}» đã gửi cho đơn vị rồi gửi lại."),
    # Giải trình workbooks returned by the units (parxl check) ----------------
    _T("explanation-identity", "error", "Phiếu giải trình không dùng được",
       "Tệp «{file}» là phiếu giải trình nhưng không dùng được: {detail}. Hãy điền vào đúng phiếu giải trình "
       "đã được gửi cho đơn vị (không chép sang tệp mới) rồi gửi lại."),
    _T("explanation-wrong-unit", "error", "Phiếu giải trình gửi nhầm đơn vị",
       "Tệp «{file}» là phiếu giải trình của {unit} nhưng được gửi trong thư mục, tệp nén hoặc tên tệp của "
       "{other}. Hãy kiểm tra lại: mỗi đơn vị gửi đúng phiếu giải trình của mình."),
    _T("explanation-other-round", "error", "Phiếu giải trình của vòng khác",
       "Tệp «{file}» giải trình kết quả {found}, nhưng vòng đang nhận giải trình là {expected}. Hãy điền phiếu "
       "giải trình của vòng đang nhận rồi gửi lại."),
    _T("explanation-unknown-row", "error", "Dòng không có trong phiếu giải trình",
       "Ô {cell}: tiêu chí «{item}» không phải tiêu chí cần giải trình của đơn vị trong vòng này; nội dung "
       "dòng này không được ghi nhận. Hãy ghi giải trình vào đúng dòng tiêu chí rồi gửi lại."),
    _T("explanation-proposed-invalid", "error", "Điểm đề nghị không hợp lệ",
       "Ô {cell} ({item}): điểm đề nghị «{found}» phải là số từ {low} đến {high} (đúng số chữ số thập phân "
       "của bộ chỉ số). Hãy sửa rồi gửi lại."),
    _T("explanation-missing", "error", "Đề nghị điểm nhưng không giải trình",
       "{item}: đơn vị đề nghị {proposed} điểm (điểm thẩm định {appraised}) nhưng ô {cell} chưa có giải trình. "
       "Đề nghị thay đổi điểm thì bắt buộc giải trình: hãy ghi giải trình rồi gửi lại."),
    _T("explanation-empty", "warning", "Phiếu giải trình để trống",
       "Tệp «{file}» không có giải trình, tài liệu bổ sung hay điểm đề nghị nào: kết quả thẩm định sơ bộ "
       "được giữ nguyên. Nếu đơn vị muốn giải trình, hãy điền phiếu rồi gửi lại."),
    _T("file-too-slow", "error", "Tệp đọc quá lâu",
       "Tệp «{file}» đọc quá lâu nên parxl đã dừng đọc tệp này ({detail}); các tệp khác vẫn được kiểm tra và "
       "tệp này vẫn được lưu giữ. Hãy đề nghị đơn vị mở tệp bằng Excel, lưu lại dạng .xlsx "
       "(Tệp › Lưu thành › Excel 2007-365) rồi gửi lại; nếu vẫn vậy, gửi tệp cho người phụ trách parxl xem."),
]

FINDING_TYPES: dict[str, FindingType] = {t.code: t for t in _TYPES}

# Registered but not raised by parxl today, kept so that old ledgers and reports still have a title for them.
RESERVED: dict[str, str] = {
    "file-duplicate": "a re-sent identical file is shown through the receipt's duplicate_of, not as a finding",
}


def _check_registry() -> None:
    """Refuse to import a registry whose codes differ from ``FindingCode`` or repeat (a developer's slip)."""
    listed = get_args(FindingCode)
    registered = [t.code for t in _TYPES]
    twice = sorted({c for c in registered if registered.count(c) > 1})
    if twice or set(listed) != set(registered) or not set(RESERVED) <= set(registered):
        raise RuntimeError(f"finding registry out of step: registered twice {twice}, "
                           f"not in FindingCode {sorted(set(registered) - set(listed))}, "
                           f"in FindingCode only {sorted(set(listed) - set(registered))}, "
                           f"reserved but unknown {sorted(set(RESERVED) - set(registered))}")


_check_registry()


MAX_QUOTE_CHARS = 300  # the most of one parameter (mostly the file's own text) quoted in a message


def _excerpt(text: str) -> str:
    return text if len(text) <= MAX_QUOTE_CHARS else text[:MAX_QUOTE_CHARS] + "…"


def make(code: FindingCode, *, sheet: str | None = None, cell: str | None = None, item: str | None = None,
         file: str | None = None, **params: object) -> Finding:
    """A finding of type ``code``, its message filled from ``params`` (NFC, each text cut to 300 characters).

    Raises KeyError for an unregistered code, and KeyError/IndexError when the
    template names a parameter that was not given: both are parxl's own bugs.
    """
    try:
        kind = FINDING_TYPES[code]
    except KeyError:
        raise KeyError(f"unknown finding code {code!r} (see parxl/core/findings.py)") from None
    params = {k: _excerpt(v) if isinstance(v, str) else v for k, v in params.items()}
    values = {"file": file or "", "sheet": sheet or "", "cell": cell or "", "item": item or "", **params}
    message = normalize_text(kind.template.format(**values))
    return Finding(code, kind.severity, message, sheet, cell, item, file)


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``: how many of ``findings`` have each severity."""
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.severity] += 1
    return out


def sort_key(f: Finding) -> tuple:
    """Order of findings in every report: errors first, then by sheet, row (numerically), cell, code."""
    return (SEVERITIES.index(f.severity), f.sheet or "", _cell_order(f.cell), f.code)


@functools.lru_cache(maxsize=65536)  # the same few hundred cells recur across every unit's findings
def _cell_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    digits = "".join(c for c in cell if c.isdigit())
    return (int(digits) if digits else 0, cell)


@dataclass
class FindingList:
    """Collects findings with a default file, sheet and item."""

    file: str | None = None
    items: list[Finding] = field(default_factory=list)

    def add(self, code: FindingCode, **kw: object) -> Finding:
        """``make(code, file=self.file, **kw)``, kept in ``items`` and returned; raises as ``make`` does."""
        kw.setdefault("file", self.file)
        finding = make(code, **kw)  # type: ignore[arg-type]
        self.items.append(finding)
        return finding
