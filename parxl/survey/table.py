"""Survey results (điều tra xã hội học): the table the clerk imports with ``parxl survey``.

Three shapes, recognised by the header row (headers matched ignoring case and diacritics):

    Mã   | Tên đơn vị      | 8.1.1 | 8.1.2 | …         points or % of the max per unit and item
    KM01 | Phường An Lưu   | 3,5   | 85%   | …

    Mã   | Câu hỏi | Phương án | Số phiếu [| Nhóm]      answer counts per unit, question, option

    Mã   | Nhóm | Phiếu | C1 | C2 | 8.1.2 | …          one row per respondent, one letter per question

In the points shape an .xlsx cell formatted as a percentage is a percentage (0,85 shown as 85% is
85 % of the max), and a bare fraction (0 < x < 1, no «%» or «điểm») is refused, never guessed. The
answer shapes are turned into points by ``parxl.survey.answers``. The imported table is kept in the
campaign as ``survey.csv``/``survey.xlsx``; a table imported earlier is kept by content hash in the
state folder, never lost. An import checks the whole table before anything changes and never removes
its own source.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple


from ..campaign.folder import STATE_DIR, Campaign
from ..campaign.units import read_rows
from ..core.errors import ParxlError
from ..core.files import write_atomic
from ..core.numbers import HUNDRED, ZERO, parse_text_number, quantize, to_decimal, vi_number
from ..core.texts import fold, normalize_text
from ..xlsx.safety import HostileFile, check_size, check_zip, sniff
from ..xlsx.sheet import col_letters
from . import design
from .answers import Tally, item_points

SURVEY_STEM = "survey"

Scores = dict[str, dict[str, Decimal]]  # unit code -> survey item code -> points


class SurveyError(ParxlError):
    """A survey table with problems; ``problems`` lists every one."""

    def __init__(self, source: Path, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  • {p}" for p in problems[:20])
        more = f"\n  … và {len(problems) - 20} lỗi khác" if len(problems) > 20 else ""
        super().__init__(f"Bảng kết quả điều tra «{source.name}» có {len(problems)} lỗi:\n{shown}{more}")


class TwoSurveyTablesError(SurveyError):
    """Both ``survey.csv`` and ``survey.xlsx`` are in the campaign folder: parxl will not guess which one holds."""

    def __init__(self, tables: list[Path], message: str):
        self.problems = [message]
        self.tables = tables
        ParxlError.__init__(self, message)


def survey_file(campaign: Campaign) -> Path | None:
    """The campaign's imported survey table (``survey.csv`` or ``survey.xlsx``), or None.

    Raises ``TwoSurveyTablesError`` (a ``SurveyError``, exit 1) when both are there: the message
    names both, the one ``parxl survey`` imported last when that is known from ``.parxl/survey/``,
    and what to do (delete the one not wanted, or import the right table again).
    """
    tables = _tables(campaign)
    if len(tables) > 1:
        raise TwoSurveyTablesError(tables, _two_tables_text(campaign, tables))
    return tables[0] if tables else None


def last_imported(campaign: Campaign, tables: list[Path]) -> Path | None:
    """Which of ``tables`` (paths of the campaign's survey tables) ``parxl survey`` imported last, by
    comparing their contents with the tables kept in ``.parxl/survey/`` (the newest kept first);
    None when no kept table matches any of them or a table cannot be read."""
    try:
        digests = {hashlib.sha256(t.read_bytes()).hexdigest() + t.suffix.lower(): t for t in tables}
    except OSError:
        return None
    for kept in kept_tables(campaign):
        if kept.name in digests:
            return digests[kept.name]
    return None


def _two_tables_text(campaign: Campaign, tables: list[Path]) -> str:
    names = " và ".join(f"«{t.name}»" for t in tables)
    last = last_imported(campaign, tables)
    if last is not None:
        other = next(t for t in tables if t != last)
        which = (f"Lần nhập gần nhất bằng «parxl survey» là bảng «{last.name}»; «{other.name}» có thể đã được "
                 f"chép vào sau. Nếu «{last.name}» là bảng đúng, hãy xóa «{other}»; nếu không, ")
    else:
        which = "Không rõ bảng nào được nhập sau cùng. "
    return (f"Thư mục đợt đánh giá «{campaign.root}» có cùng lúc hai bảng kết quả điều tra xã hội học {names}; "
            f"parxl không tự chọn một trong hai vì điểm điều tra của các đơn vị có thể khác nhau. {which}"
            f"hãy nhập lại bảng đúng bằng «parxl survey \"{campaign.root}\" TỆP_BẢNG» (lệnh này giữ một bảng "
            f"và cất bảng kia vào «{campaign.root / STATE_DIR / 'survey'}»), hoặc xóa bảng không dùng, "
            "rồi chạy lại lệnh.")


def read_survey(campaign: Campaign, path: Path) -> Scores:
    """Every unit's survey points from the table (any of the three shapes, see ``read_survey_table``);
    raises SurveyError listing every problem."""
    return read_survey_table(campaign, path).scores


@dataclass
class SurveyTable:
    """A survey table read whole: its ``shape`` («points», «counts» or «respondents»), the ``scores``
    ({unit code: {item code: points}}), and for the answer shapes the ``tally`` of answers (counts per
    unit, group, question, letter; forms received per unit and group); ``tally`` is None for points."""

    shape: str
    scores: Scores
    tally: Tally | None = None


class TableCell(NamedTuple):
    """A table cell: its text as typed or shown, and for an .xlsx number cell its exact value and
    whether the cell is formatted as a percentage (0,85 shown as 85%)."""

    text: str
    number: Decimal | None = None
    percent: bool = False


HEADER_SEARCH = 10  # the header row is looked for among the first non-blank rows (a title may stand above it)
CODE_HEADERS = {"madonvi": "ma", "madv": "ma"}  # «Mã đơn vị», «Mã ĐV» mean the unit code column «Mã»


def read_survey_table(campaign: Campaign, path: Path) -> SurveyTable:
    """Read a survey table of any shape, recognised by its header row (the first of the first non-blank
    rows with a «Mã» column, so title rows above it are skipped; headers matched ignoring case, diacritics
    and spaces):

    - points: ``Mã | 8.1.1 | 8.1.2 | …`` (points, «85%», or an .xlsx cell formatted as a percentage);
    - counts: ``Mã | Câu hỏi | Phương án | Số phiếu [| Nhóm]`` (one row per unit, question, letter);
    - respondents: ``Mã | Nhóm | Phiếu | <question or item code> | …`` (one row per form).

    Raises SurveyError listing every problem with its row and column (nothing is kept from a table
    with problems), SurveyDesignError when the campaign's survey design itself is wrong.
    """
    rows = read_cells(path)
    filled = [n for n, r in enumerate(rows) if any(c.text.strip() for c in r)]
    if not filled:
        raise SurveyError(path, ["bảng trống: cần dòng tiêu đề có cột «Mã» và mã các tiêu chí điều tra"])
    folded_rows = {n: [CODE_HEADERS.get(fold(normalize_text(c.text).strip()), fold(normalize_text(c.text).strip()))
                       for c in rows[n]] for n in filled[:HEADER_SEARCH]}
    header_at = next((n for n, f in folded_rows.items() if "ma" in f), None)  # title rows above it are skipped
    if header_at is None:
        raise SurveyError(path, [f"thiếu cột «Mã» (mã đơn vị): không thấy dòng tiêu đề có cột này trong {HEADER_SEARCH} dòng đầu; "
                                 "dòng tiêu đề là một dòng (không gộp hai dòng), có cột «Mã» và mã các tiêu chí "
                                 "điều tra, hoặc các cột «Câu hỏi», «Phương án», «Số phiếu»"])
    header = [normalize_text(c.text).strip() for c in rows[header_at]]
    folded = folded_rows[header_at]
    body = list(enumerate(rows[header_at + 1:], start=header_at + 2))
    if {"cauhoi", "phuongan", "sophieu"} <= set(folded):
        return _read_counts(campaign, path, header, folded, body)
    if {"nhom", "phieu"} <= set(folded):
        return _read_respondents(campaign, path, header, folded, body)
    return SurveyTable("points", _read_points(campaign, path, header, folded, body))


def _read_points(campaign: Campaign, path: Path, header: list[str], folded: list[str], body) -> Scores:
    items = {i.code: i for i in campaign.framework.regular_items if i.rule.type == "survey"}
    problems: list[str] = []
    code_col = folded.index("ma")
    columns: dict[int, str] = {}
    for col, title in enumerate(header):
        if col == code_col or folded[col] in ("tendonvi", "stt", "loai", ""):
            continue
        if title in items:
            columns[col] = title
        else:
            problems.append(f"cột «{title}» không phải mã tiêu chí điều tra xã hội học của bộ chỉ số "
                            f"(các mã hợp lệ: {', '.join(items)})")
    for code in items:
        if code not in columns.values():
            problems.append(f"thiếu cột của tiêu chí điều tra «{code}»")
    scores: Scores = {}
    for n, row in body:
        cells = [TableCell(normalize_text(c.text).strip(), c.number, c.percent) for c in row]
        unit_code = cells[code_col].text if code_col < len(cells) else ""
        if not any(c.text for c in cells):
            continue
        if campaign.unit(unit_code) is None:
            problems.append(f"dòng {n}: mã đơn vị «{unit_code}» không có trong danh sách đơn vị của đợt đánh giá")
            continue
        if unit_code in scores:
            problems.append(f"dòng {n}: đơn vị «{unit_code}» xuất hiện lần thứ hai")
            continue
        unit_scores: dict[str, Decimal] = {}
        for col, item_code in columns.items():
            cell = cells[col] if col < len(cells) else TableCell("")
            where = f"dòng {n}, cột {col_letters(col + 1)} «{item_code}»"
            points, fraction = _points(cell, items[item_code].max)
            if fraction:
                problems.append(f"{where}: «{cell.text}» là số thập phân nhỏ hơn 1 không kèm đơn vị nên không rõ là "
                                f"điểm hay tỷ lệ; nếu là tỷ lệ, hãy ghi «{vi_number(points * HUNDRED)}%» (hoặc định "
                                f"dạng ô là Phần trăm), nếu là điểm, hãy ghi «{cell.text} điểm», rồi nhập lại")
            elif points is None:
                problems.append(f"{where}: «{cell.text}» không phải số điểm hay tỷ lệ %")
            elif not 0 <= points <= items[item_code].max:
                problems.append(f"{where}: {vi_number(points)} điểm nằm ngoài "
                                f"khoảng 0–{vi_number(items[item_code].max)}")
            else:
                unit_scores[item_code] = quantize(points, campaign.framework.decimals)
        scores[unit_code] = unit_scores
    if problems:
        raise SurveyError(path, problems)
    return scores


_POINTS_UNIT = re.compile(r"\s*(điểm|đ)\.?$", re.IGNORECASE)


def _points(cell: TableCell, max_points: Decimal) -> tuple[Decimal | None, bool]:
    """(points, whether the value is a bare fraction 0 < x < 1 with no unit, which is refused)."""
    if cell.number is not None:
        if cell.percent:
            return max_points * cell.number, False
        return cell.number, ZERO < cell.number < 1 and cell.number != cell.number.to_integral_value()
    text = cell.text
    if not text:
        return None, False
    if text.endswith("%"):
        share = parse_text_number(text[:-1])
        return (None if share is None else max_points * share / HUNDRED), False
    stripped = _POINTS_UNIT.sub("", text)
    value = parse_text_number(stripped) if stripped else None
    if value is None:
        return None, False
    return value, stripped == text and ZERO < value < 1


def _column_of(folded: list[str], key: str) -> int | None:
    return folded.index(key) if key in folded else None


def option_key(question, written: str) -> str | None:
    """The option of ``question`` (a key of its ``weights``) that ``written`` names: the same text, else the same
    ignoring case («a» for «A», «RẤT TỐT» for «Rất tốt»), else the same ignoring diacritics and spaces when only
    one option folds to it; None when none does. An option with a text (``question.option_texts``) is also
    named by its text («Rất hài lòng») or by letter and text («A. Rất hài lòng»), matched the same way."""
    written = normalize_text(written).strip()
    if written in question.weights:
        return written
    for key in question.weights:
        if key.casefold() == written.casefold():
            return key
    texts = getattr(question, "option_texts", None) or {}
    names = {key: [key] + ([t, f"{key}. {t}", f"{key} {t}", f"{key}) {t}"] if (t := normalize_text(
        texts.get(key) or "").strip()) else []) for key in question.weights}
    for key, spelled in names.items():
        if any(n.casefold() == written.casefold() for n in spelled[1:]):
            return key
    folded = [key for key, spelled in names.items() if any(fold(n) == fold(written) for n in spelled)]
    return folded[0] if len(folded) == 1 else None


def _whole_count(cell: TableCell) -> int | None:
    value = cell.number if cell.number is not None else parse_text_number(cell.text) if cell.text else None
    if value is None or cell.percent or cell.text.endswith("%") or value < 0 or value != value.to_integral_value():
        return None
    return int(value)


def _group_of(campaign: Campaign, text: str, problems: list[str], where: str) -> tuple[bool, str | None]:
    """(ok, group key): a declared group's code, or the text itself when campaign.yaml lists none."""
    if not design.groups(campaign):
        return True, text or None
    group = design.find_group(campaign, text)
    if group is None and not text:
        problems.append(f"{where}: thiếu nhóm đối tượng (mã hoặc tên nhóm trong «survey_groups» của campaign.yaml)")
        return False, None
    if group is None:
        names = ", ".join(f"«{g.code}» ({g.name})" for g in design.groups(campaign))
        problems.append(f"{where}: nhóm «{text}» không có trong «survey_groups» của campaign.yaml "
                        f"(các nhóm: {names})")
        return False, None
    return True, group.code


def _check_unit(campaign: Campaign, code: str, problems: list[str], where: str) -> bool:
    if not code:
        problems.append(f"{where}: thiếu mã đơn vị")
        return False
    if campaign.unit(code) is None:
        problems.append(f"{where}: mã đơn vị «{code}» không có trong danh sách đơn vị của đợt đánh giá")
        return False
    return True


def _weights_need_groups(campaign: Campaign, has_group: bool, problems: list[str]) -> None:
    if design.weighted_groups(campaign) and not has_group:
        problems.append("bảng không có cột «Nhóm» nhưng các nhóm đối tượng trong campaign.yaml có trọng số "
                        "(weight): hãy thêm cột «Nhóm» ghi mã hoặc tên nhóm của từng dòng")


def _read_counts(campaign: Campaign, path: Path, header, folded, body) -> SurveyTable:
    index = design.question_index(campaign)
    cols = {k: _column_of(folded, k) for k in ("ma", "cauhoi", "phuongan", "sophieu", "nhom")}
    problems: list[str] = []
    _weights_need_groups(campaign, cols["nhom"] is not None, problems)
    tally = Tally()
    seen: dict[tuple, int] = {}
    letter_col = col_letters(cols["phuongan"] + 1)
    for n, row in body:
        cell = lambda key: (TableCell(normalize_text(row[cols[key]].text).strip(), row[cols[key]].number,  # noqa: E731
                                 row[cols[key]].percent) if cols[key] is not None and cols[key] < len(row) else TableCell(""))
        if not any(c.text.strip() for c in row):
            continue
        unit_ok = _check_unit(campaign, cell("ma").text, problems, f"dòng {n}, cột {col_letters(cols['ma'] + 1)}")
        group_ok, group = (True, None)
        if cols["nhom"] is not None:
            group_ok, group = _group_of(campaign, cell("nhom").text, problems,
                                        f"dòng {n}, cột {col_letters(cols['nhom'] + 1)}")
        qtext = cell("cauhoi").text
        q = index.get(design.code_key(qtext))
        if q is None:
            problems.append(f"dòng {n}, cột {col_letters(cols['cauhoi'] + 1)}: «{qtext}» không phải mã câu hỏi "
                            f"hay tiêu chí điều tra của bộ chỉ số (các mã: {', '.join(sorted({x.code for x in index.values()}))})")
        letter = option_key(q, cell("phuongan").text) if q is not None else ""
        if q is not None and letter is None:
            letter = cell("phuongan").text
            problems.append(f"dòng {n}, cột {letter_col}: phương án «{letter}» không có ở câu hỏi «{q.code}» "
                            f"(các phương án: {', '.join(q.letters)})")
            q = None
        count = _whole_count(cell("sophieu"))
        if count is None:
            problems.append(f"dòng {n}, cột {col_letters(cols['sophieu'] + 1)}: số phiếu «{cell('sophieu').text}» "
                            "phải là số nguyên ≥ 0")
        if not (unit_ok and group_ok and q is not None and count is not None):
            continue
        key = (cell("ma").text, group, q.code, letter)
        if key in seen:
            problems.append(f"dòng {n}: trùng với dòng {seen[key]} (cùng đơn vị, nhóm, câu hỏi và phương án)")
            continue
        seen[key] = n
        tally.add(cell("ma").text, group, q.code, letter, count)
    if problems:
        raise SurveyError(path, problems)
    per_question: dict[tuple, int] = defaultdict(int)
    for (unit, group, qcode), letters in tally.counts.items():
        per_question[(unit, group, qcode)] += sum(letters.values())
    for (unit, group, _q), total in per_question.items():
        tally.responses[(unit, group)] = max(tally.responses[(unit, group)], total)
    return SurveyTable("counts", item_points(campaign, tally, index), tally)


def _read_respondents(campaign: Campaign, path: Path, header, folded, body) -> SurveyTable:
    index = design.question_index(campaign)
    cols = {k: _column_of(folded, k) for k in ("ma", "nhom", "phieu")}
    problems: list[str] = []
    questions: dict[int, design.Question] = {}
    for col, title in enumerate(header):
        if col in cols.values() or folded[col] in ("tendonvi", "stt", "loai", "ghichu", ""):
            continue
        q = index.get(design.code_key(title))
        if q is None:
            problems.append(f"cột {col_letters(col + 1)} «{title}» không phải mã câu hỏi hay tiêu chí điều tra "
                            f"của bộ chỉ số (các mã: {', '.join(sorted({x.code for x in index.values()}))})")
        else:
            questions[col] = q
    tally = Tally()
    forms: dict[tuple[str, str | None, str], int] = {}
    for n, row in body:
        text = lambda col: normalize_text(row[col].text).strip() if col is not None and col < len(row) else ""  # noqa: E731
        if not any(c.text.strip() for c in row):
            continue
        unit = text(cols["ma"])
        unit_ok = _check_unit(campaign, unit, problems, f"dòng {n}, cột {col_letters(cols['ma'] + 1)}")
        group_ok, group = _group_of(campaign, text(cols["nhom"]), problems,
                                    f"dòng {n}, cột {col_letters(cols['nhom'] + 1)}")
        form = text(cols["phieu"])
        if unit_ok and group_ok and form:
            if (unit, group, form) in forms:
                problems.append(f"dòng {n}, cột {col_letters(cols['phieu'] + 1)}: phiếu «{form}» của đơn vị «{unit}» "
                                f"(nhóm «{text(cols['nhom'])}») đã có ở dòng {forms[(unit, group, form)]}")
            forms.setdefault((unit, group, form), n)
        answers = []
        for col, q in questions.items():
            written = text(col)
            if not written.strip():
                continue  # not answered
            letter = option_key(q, written)
            if letter is None:
                letter = written
                problems.append(f"dòng {n}, cột {col_letters(col + 1)} «{q.code}»: phương án «{letter}» không có "
                                f"(các phương án: {', '.join(q.letters)})")
                continue
            answers.append((q.code, letter))
        if unit_ok and group_ok:
            tally.responses[(unit, group)] += 1
            for qcode, letter in answers:
                tally.add(unit, group, qcode, letter)
    if problems:
        raise SurveyError(path, problems)
    return SurveyTable("respondents", item_points(campaign, tally, index), tally)


def read_cells(path: Path) -> list[list[TableCell]]:
    """The cells of a survey table: a UTF-8 .csv (text only) or an .xlsx's first sheet (numbers exact,
    with their percent format); raises ParxlError naming a file that cannot be read."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return [[TableCell(c) for c in row] for row in read_rows(path)]
    _check_table_file(path, path.read_bytes())
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _refuse(path, "tệp Excel bị hỏng hoặc không đúng cấu trúc .xlsx; hãy mở bằng Excel, "
                            "lưu lại thành .xlsx rồi nhập lại") from exc
    try:
        ws = wb.worksheets[0]
        return [[_cell(c) for c in row] for row in ws.iter_rows(max_row=100_000)]
    except Exception as exc:  # a sheet part missing or not XML: the file, not parxl
        raise _refuse(path, "tệp Excel bị hỏng, không đọc được trang đầu; hãy mở bằng Excel, "
                            "lưu lại thành .xlsx rồi nhập lại") from exc
    finally:
        wb.close()


def _cell(c) -> TableCell:
    value = getattr(c, "value", None)
    if value is None:
        return TableCell("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = to_decimal(value)
        percent = "%" in str(getattr(c, "number_format", "") or "").replace("\\%", "")
        return TableCell(vi_number(number * HUNDRED) + "%" if percent else vi_number(number), number, percent)
    return TableCell(str(value))


def load_survey(campaign: Campaign) -> Scores:
    """The imported survey results of the campaign ({} when none was imported); raises SurveyError."""
    path = survey_file(campaign)
    return read_survey(campaign, path) if path else {}


def load_survey_table(campaign: Campaign) -> SurveyTable | None:
    """The campaign's imported survey table read whole (``read_survey_table``), or None when none was
    imported; raises SurveyError as ``load_survey``."""
    path = survey_file(campaign)
    return read_survey_table(campaign, path) if path else None


def _refuse(source: Path, reason: str) -> SurveyError:
    return SurveyError(source, [reason])


def _check_table_file(source: Path, data: bytes) -> None:
    """Refuse, with the file's name and the reason, a table parxl cannot read; raises SurveyError."""
    suffix = source.suffix.lower()
    kind = sniff(data)
    if not data:
        raise _refuse(source, "tệp rỗng (0 byte); hãy lấy lại bảng kết quả từ nơi tổ chức điều tra")
    if suffix in (".xls", ".xlsx", ".xlsm") and kind.kind == "ole-encrypted":
        raise _refuse(source, "tệp được đặt mật khẩu mở tệp nên không đọc được; hãy gỡ mật khẩu (Tệp › Thông tin › "
                              "Bảo vệ sổ làm việc › Mã hóa bằng mật khẩu, xóa mật khẩu, lưu) rồi nhập lại")
    if suffix == ".xls" or (suffix == ".xlsx" and kind.kind == "ole-xls"):
        raise _refuse(source, "định dạng Excel 97–2003 (.xls) cũ; hãy mở bằng Excel, «Lưu thành» "
                              "Excel Workbook (.xlsx) hoặc CSV UTF-8 rồi nhập lại")
    if suffix == ".ods":
        raise _refuse(source, "định dạng OpenDocument (.ods); hãy mở bằng LibreOffice, «Lưu thành» "
                              "Excel 2007-365 (.xlsx) hoặc CSV UTF-8 rồi nhập lại")
    if suffix not in (".csv", ".xlsx"):
        raise _refuse(source, "bảng kết quả điều tra phải là tệp .csv (UTF-8) hoặc .xlsx")
    if suffix == ".xlsx":
        if kind.kind != "zip":
            raise _refuse(source, f"không phải tệp Excel .xlsx ({kind.detail or 'tệp OLE của Office cũ'}); "
                                  "hãy lưu lại bảng thành .xlsx hoặc CSV UTF-8 rồi nhập lại")
        try:
            check_size(len(data))
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                check_zip(zf)
        except HostileFile as exc:
            raise _refuse(source, f"tệp Excel bất thường ({exc.detail}); hãy lưu lại bảng thành .xlsx hoặc "
                                  "CSV UTF-8 rồi nhập lại") from exc
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _refuse(source, "tệp Excel bị hỏng hoặc không trọn vẹn (có thể do tải về bị ngắt); "
                                  "hãy lấy lại bảng kết quả rồi nhập lại") from exc


def _read_table(campaign: Campaign, source: Path, data: bytes) -> Scores:
    _check_table_file(source, data)
    try:
        return read_survey(campaign, source)
    except SurveyError:
        raise
    except ParxlError as exc:
        if source.suffix.lower() != ".xlsx":
            raise  # the CSV reader's own message says what to do (encoding, …)
        raise _refuse(source, "tệp Excel bị hỏng hoặc không đúng cấu trúc .xlsx; hãy mở bằng Excel, "
                              "lưu lại thành .xlsx rồi nhập lại") from exc


def import_survey(campaign: Campaign, source: Path) -> tuple[Path, Scores]:
    """Check ``source`` (.csv or .xlsx) whole and make it the campaign's survey table.

    Returns (the campaign's table, ``CAMPAIGN/survey.csv`` or ``survey.xlsx``; unit code -> item
    code -> points). The table is checked before anything changes: a table with problems raises
    ``SurveyError`` listing them all (and an unreadable, encrypted or old-format file raises it
    with the reason), and the campaign is left exactly as it was. Every table imported (and the
    one it replaces) is kept by content hash in ``.parxl/survey/``; the new table is written
    atomically over it, so the campaign always holds one whole table. ``source`` itself is never
    moved or removed, even when it is the campaign's own table (re-importing ``survey.csv`` is a
    no-op that checks it again). When both ``survey.csv`` and ``survey.xlsx`` are there, the import
    is how the clerk settles which one holds: the other is kept and removed as above.
    """
    source = Path(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise _refuse(source, f"không đọc được tệp ({exc.strerror or 'lỗi đọc tệp'})") from exc
    scores = _read_table(campaign, source, data)
    target = campaign.root / f"{survey_stem(campaign)}{source.suffix.lower()}"
    for previous in _tables(campaign):  # both, when someone put a second table beside the first
        _keep(campaign, previous.read_bytes(), previous.suffix)
    kept = _keep(campaign, data, target.suffix)  # so that a table deleted by hand can be imported again
    try:
        os.utime(kept)  # the kept copy's time is when it was last imported (``last_imported``)
    except OSError:
        pass
    if not (target.exists() and target.read_bytes() == data):
        write_atomic(target, data)
    for other in _tables(campaign):
        # A table of the other format would shadow or confuse the new one; it is kept above.
        if other != target and not _same_file(other, source):
            other.unlink()
    return target, scores


def _keep(campaign: Campaign, data: bytes, suffix: str) -> Path:
    kept = campaign.root / STATE_DIR / "survey" / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    if not kept.exists():
        write_atomic(kept, data)
    return kept


def survey_stem(campaign: Campaign) -> str:
    """«survey», or «survey-<block id>» for a block of a campaign with ``blocks:`` (one table per block)."""
    return f"{SURVEY_STEM}-{campaign.block_id}" if campaign.block_id else SURVEY_STEM


def _tables(campaign: Campaign) -> list[Path]:
    return [p for p in (campaign.root / f"{survey_stem(campaign)}{s}" for s in (".csv", ".xlsx")) if p.is_file()]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def kept_tables(campaign: Campaign) -> list[Path]:
    """Survey tables imported earlier and kept in ``.parxl/survey/``, the one imported last first."""
    folder = campaign.root / STATE_DIR / "survey"
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx") and p.is_file()),
                  key=lambda p: p.stat().st_mtime, reverse=True)


def missing_table_warning(campaign: Campaign) -> str | None:
    """A Vietnamese warning when the criteria set has survey items, the survey is held and no table is in
    the campaign (every survey item then scores 0); None otherwise.

    Names the survey items and their total max points, and the newest table kept from an earlier import,
    if any, with the command that brings it back. For a block's view of a campaign with ``blocks:`` it
    names the block and its own table («survey-<id>.csv»), and only a kept table that reads as the block's.
    """
    if not campaign.config.survey_held or survey_file(campaign) is not None:
        return None
    items = [i for i in campaign.framework.regular_items if i.rule.type == "survey"]
    if not items:
        return None
    total = sum((i.max for i in items), Decimal(0))
    stem = survey_stem(campaign)
    block = f" của «{campaign.blocks[0].title}»" if campaign.block_id else ""
    text = (f"Không tìm thấy bảng kết quả điều tra xã hội học{block} ({stem}.csv hoặc {stem}.xlsx) trong "
            f"«{campaign.root}»: {vi_number(len(items))} tiêu chí điều tra "
            f"({', '.join(i.code for i in items)}; tối đa {vi_number(total)} điểm) tính 0 điểm cho mọi đơn vị"
            f"{block}. ")
    kept = kept_tables(campaign)
    if campaign.block_id:  # the kept tables of every block are in one folder: only this block's own
        kept = [k for k in [next((k for k in kept if _reads_for(campaign, k)), None)] if k is not None]
    if kept:
        text += (f"Bảng nhập lần trước vẫn được giữ tại «{kept[0]}»; nhập lại bằng "
                 f"«parxl survey \"{campaign.root}\" \"{kept[0]}\"».")
    else:
        text += f"Hãy nhập bảng{block} bằng «parxl survey» rồi tổng hợp lại."
    return text


def _reads_for(campaign: Campaign, table: Path) -> bool:
    """Whether the kept ``table`` reads as a survey table of ``campaign`` (a block's view: its units, its items)."""
    try:
        read_survey_table(campaign, table)
    except (ParxlError, OSError):
        return False
    return True


def units_without_survey(campaign: Campaign, among: Iterable[str] | None = None) -> list[str]:
    """Codes of the listed units (in the list's order; only those in ``among`` when given, e.g. the
    ranked ones) that have no row in the imported survey table, when the survey is held, the criteria
    set has survey items and a table is there; [] otherwise.

    Raises ``SurveyError`` when the table does not read (or is there twice).
    """
    if not campaign.config.survey_held or survey_file(campaign) is None:
        return []
    if not any(i.rule.type == "survey" for i in campaign.framework.regular_items):
        return []
    scores = load_survey(campaign)
    wanted = None if among is None else set(among)
    return [u.code for u in campaign.units if u.code not in scores and (wanted is None or u.code in wanted)]


def units_without_survey_warning(campaign: Campaign, ranked: Iterable[str], shown: int = 15) -> str | None:
    """A Vietnamese warning naming the ranked units (codes in ``ranked``) that have no row in the survey
    table, so are ranked with 0 survey points: at most ``shown`` of them, then «và N đơn vị khác»; None
    when there are none (see ``units_without_survey``). Raises ``SurveyError`` as ``load_survey``.
    """
    codes = units_without_survey(campaign, ranked)
    if not codes:
        return None
    path = survey_file(campaign)
    items = [i for i in campaign.framework.regular_items if i.rule.type == "survey"]
    total = sum((i.max for i in items), Decimal(0))
    named = ", ".join(f"{c} {campaign.unit(c).name}" for c in codes[:shown])
    more = f" và {vi_number(len(codes) - shown)} đơn vị khác" if len(codes) > shown else ""
    return (f"Bảng kết quả điều tra xã hội học «{path.name}» không có dòng của {vi_number(len(codes))} đơn vị "
            f"được xếp hạng ({named}{more}): các đơn vị này được xếp hạng với 0 điểm điều tra (tối đa "
            f"{vi_number(total)} điểm). Nếu thiếu sót, hãy bổ sung các dòng này vào bảng, nhập lại bằng "
            "«parxl survey» rồi tổng hợp lại.")


def items_without_answers(campaign: Campaign, scores: Scores) -> dict[str, list[str]]:
    """Unit code → the survey items (codes, tree order) the imported table gives no answer for, for each
    unit the table lists (units-list order; units with every item answered are left out). Such an item
    scores 0 for the unit, so ``parxl survey`` warns about it. Never raises."""
    codes = [i.code for i in design.survey_items(campaign)]
    out: dict[str, list[str]] = {}
    for unit in campaign.units:
        got = scores.get(unit.code)
        if got is None:
            continue
        lacking = [c for c in codes if c not in got]
        if lacking:
            out[unit.code] = lacking
    return out


def table_block(campaign: Campaign, table: Path) -> Campaign:
    """The view (``Campaign.for_block``) of the one block of a campaign with ``blocks:`` whose units the survey
    table ``table`` lists (what ``parxl survey`` and the control workbook import it into).

    Raises SurveyError when the table names no unit of any block, or units of several blocks (each
    block has its own survey items: one table per block).
    """
    rows = read_rows(table, ParxlError)  # the file's own problem, in Vietnamese
    header_at = next((n for n, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    folded = [fold(normalize_text(str(c))) for c in rows[header_at]] if header_at is not None else []
    if "ma" not in folded:
        return campaign.for_block(campaign.blocks[0])  # the import says what is missing
    col = folded.index("ma")
    found: dict[str, list[str]] = {}
    for row in rows[header_at + 1:]:  # type: ignore[operator]
        code = normalize_text(str(row[col])).strip() if col < len(row) else ""
        block = campaign.block_of(code) if code else None
        if block is not None:
            found.setdefault(block.id, []).append(code)
    if len(found) > 1:
        listed = "; ".join(f"khối «{b}»: {', '.join(codes[:3])}{'…' if len(codes) > 3 else ''}"
                           for b, codes in found.items())
        raise SurveyError(table, [f"bảng có đơn vị của {len(found)} khối ({listed}); mỗi khối có tiêu chí điều tra "
                                  "riêng: hãy tách mỗi khối một bảng rồi nhập từng bảng"])
    block_id = next(iter(found), campaign.blocks[0].id)
    return next(v for v in campaign.views() if v.block_id == block_id)
