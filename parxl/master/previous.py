"""Read a previous campaign's master (its ranking sheet, by headers) to compare ranks and indexes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..core.errors import ParxlError
from ..core.numbers import quantize, to_decimal
from ..core.texts import fold, normalize_text
from ..xlsx.filekind import identify
from .names import H_CODE, H_INDEX, H_RANK, SHEET_RANKING

MASTER_PREFIX = "tong-hop-chi-so-cchc-"


class PreviousError(ParxlError):
    """The previous master cannot be read."""


@dataclass(frozen=True)
class PreviousEntry:
    """A unit's line in a previous master: its rank (None when blank or not whole) and index in %
    (rounded to 2 places; None when blank or not a number).
    """

    rank: int | None
    index: Decimal | None


def latest_master(output_dir: Path) -> Path | None:
    """The newest master in a campaign's output folder (by modification time, then name)."""
    found = [p for p in output_dir.glob(f"{MASTER_PREFIX}*.xlsx") if not p.name.startswith((".", "~$"))]
    return max(found, key=lambda p: (p.stat().st_mtime_ns, p.name)) if found else None


def resolve_previous(path: Path) -> Path:
    """A master file, or a campaign folder whose output/ holds one."""
    if path.is_dir():
        master = latest_master(path / "output") or latest_master(path)
        if master is None:
            raise PreviousError(f"«{path}» chưa có bảng tổng hợp ({MASTER_PREFIX}….xlsx) để so sánh.")
        return master
    if not path.is_file():
        raise PreviousError(f"Không tìm thấy «{path}».")
    return path


_EXPECTED = (f"«--previous» cần bảng tổng hợp năm trước do parxl tạo ({MASTER_PREFIX}<năm>….xlsx, trong thư mục "
             "output/ của đợt đánh giá năm trước) hoặc chính thư mục đợt đánh giá đó.")
_KIND_VI = {
    "empty": "tệp rỗng (0 byte)",
    "pdf": "tệp PDF",
    "csv": "tệp văn bản/CSV",
    "xlsb": "sổ làm việc nhị phân của Excel (.xlsb)",
    "encrypted": "tệp Excel có đặt mật khẩu",
    "docx": "văn bản Word (.docx)",
    "doc": "văn bản Word (.doc)",
}
_READABLE = ("xlsx", "xls", "ods")  # what calamine reads; the sheet and headers are checked after


def _check_kind(path: Path) -> None:
    """Refuse, saying what it is, a file that is not a spreadsheet (a PDF, a CSV, a Word document…)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PreviousError(f"Không mở được «{path}» ({exc.strerror or 'lỗi đọc tệp'}).") from exc
    kind = identify(data)
    if kind.kind in _READABLE:
        return
    what = _KIND_VI.get(kind.kind) or kind.detail or "tệp không nhận dạng được"
    if kind.kind == "encrypted":
        raise PreviousError(f"«{path.name}» là {what}: hãy mở bằng Excel, bỏ mật khẩu, lưu lại rồi chạy lại. "
                            + _EXPECTED)
    raise PreviousError(f"«{path.name}» là {what}, không phải bảng tổng hợp của parxl. {_EXPECTED}")


def read_previous(path: Path) -> dict[str, PreviousEntry]:
    """Unit code -> rank and index, from the «Xếp hạng» sheet of a previous master (a file, or a
    campaign folder whose output/ holds one).

    Raises PreviousError, in Vietnamese and naming the file: not found; not a spreadsheet (saying
    what it is instead: a PDF, a CSV…); broken; no «Xếp hạng» sheet or not its headers.
    """
    from python_calamine import CalamineWorkbook

    path = resolve_previous(path)
    _check_kind(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = {normalize_text(n): n for n in book.sheet_names}
        if SHEET_RANKING not in names:
            raise PreviousError(f"«{path.name}» không có trang «{SHEET_RANKING}»: không phải bảng tổng hợp của parxl. "
                                f"{_EXPECTED}")
        rows = book.get_sheet_by_name(names[SHEET_RANKING]).to_python(skip_empty_area=False)
    except PreviousError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise PreviousError(f"«{path.name}» bị hỏng hoặc không trọn vẹn nên không đọc được. {_EXPECTED}") from exc
    wanted = {fold(H_CODE): "code", fold(H_RANK): "rank", fold(H_INDEX): "index"}
    for at, row in enumerate(rows):
        heads = [fold(normalize_text(str(v))) for v in row]
        cols = {wanted[h]: i for i, h in enumerate(heads) if h in wanted}
        if len(cols) == 3:
            break
    else:
        raise PreviousError(f"«{path.name}», trang «{SHEET_RANKING}»: không thấy các cột "
                            f"«{H_CODE}», «{H_INDEX}», «{H_RANK}».")
    out: dict[str, PreviousEntry] = {}
    for row in rows[at + 1:]:
        code = _code(row[cols["code"]]) if cols["code"] < len(row) else ""
        if code:
            out[code] = PreviousEntry(_int(row[cols["rank"]]), _decimal(row[cols["index"]]))
    return out


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(str(value)).strip()


def _decimal(value: object) -> Decimal | None:
    try:
        return quantize(to_decimal(value), 2)
    except ValueError:
        return None


def _int(value: object) -> int | None:
    d = _decimal(value)
    return int(d) if d is not None and d == d.to_integral_value() else None
