"""The units list of a campaign: ``units.csv`` (UTF-8, BOM or not) or ``units.xlsx``.

Headers are matched ignoring case, diacritics and spaces, so «Mã», «MÃ»,
«ma» and «Mã » all find the code column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ParxlError, UnitsError
from ..core.texts import fold, normalize_text

REQUIRED = {"ma": "Mã", "tendonvi": "Tên đơn vị", "loai": "Loại"}
OPTIONAL = {"xephang": "Xếp hạng"}  # Có (default) / Không: a unit evaluated but not ranked
RANKED_WORDS = {"": True, "co": True, "x": True, "khong": False}  # «Xếp hạng» values, folded


@dataclass(frozen=True)
class Unit:
    """One unit of the campaign: its code («Mã», unique in the list), name, and kind («Loại»: Xã,
    Phường, Sở…).
    """

    code: str
    name: str
    kind: str  # Loại: Xã, Phường, Đặc khu, Sở…
    ranked: bool = True  # «Xếp hạng» Không: evaluated (index and band) but not ranked


def load_units(path: str | Path) -> list[Unit]:
    """The units of a ``units.csv`` (UTF-8 with or without BOM; separator , ; or tab) or ``units.xlsx``
    (first sheet), in file order.

    The header row is the first non-blank row and must have the columns Mã, Tên đơn vị, Loại (matched
    ignoring case, diacritics and spaces), and may have «Xếp hạng» (Có, or blank: ranked; Không: evaluated,
    not ranked; anything else raises UnitsError); blank rows are skipped; text is NFC-normalised. Raises
    UnitsError for a missing file, another extension, a file that cannot be decoded or opened, a
    missing column, a row without code or name, a duplicate code, or no unit at all.
    """
    path = Path(path)
    if not path.is_file():
        raise UnitsError(f"Không tìm thấy danh sách đơn vị «{path}».")
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise UnitsError(f"«{path.name}»: danh sách đơn vị phải là tệp .csv (UTF-8) hoặc .xlsx.")
    return _units_from_rows(path, read_rows(path, UnitsError))


def read_rows(path: Path, error: type[ParxlError] = ParxlError) -> list[list[str]]:
    """The rows of a small table a clerk keeps: a UTF-8 .csv (any of , ; tab) or an .xlsx's first sheet."""
    path = Path(path)
    if not path.is_file():
        raise error(f"Không tìm thấy tệp «{path}».")
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, error)
    return _xlsx_rows(path, error)


def _csv_rows(path: Path, error: type[ParxlError]) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"«{path.name}» không phải UTF-8 (byte {exc.start}). Hãy lưu lại bằng Excel với "
            "«CSV UTF-8 (Comma delimited)» hoặc dùng tệp .xlsx.") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(path: Path, error: type[ParxlError]) -> list[list[str]]:
    """The first sheet's rows; a file openpyxl cannot open or read through raises ``error`` naming it."""
    from openpyxl import load_workbook

    what_to_do = ("Hãy mở tệp bằng Excel, lưu lại thành .xlsx (Tệp › Lưu thành › Excel Workbook) rồi chạy lại; "
                  "hoặc lưu danh sách thành CSV UTF-8 (.csv) và dùng tệp đó.")
    _refuse_hostile_xml(path, error)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise error(f"«{path.name}»: không mở được như tệp Excel .xlsx: tệp bị hỏng, hoặc thực ra là loại tệp "
                    f"khác mang đuôi .xlsx (đổi đuôi tên tệp không đổi được loại tệp). {what_to_do}") from exc
    try:
        if not wb.worksheets:
            raise error(f"«{path.name}» không có trang tính nào. {what_to_do}")
        ws = wb.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True, max_row=100_000)]
    except ParxlError:
        raise
    except Exception as exc:  # a sheet part missing, truncated or not XML: the file, not parxl
        raise error(f"«{path.name}»: tệp Excel bị hỏng, không đọc được trang đầu. {what_to_do}") from exc
    finally:
        wb.close()


_XML_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SCAN_LIMIT = 64 * 1024 * 1024  # bytes of XML parts looked at; a units list is far smaller


def _refuse_hostile_xml(path: Path, error: type[ParxlError]) -> None:
    """Refuse an .xlsx whose XML declares a DTD or an entity (Excel never writes one; it is how XML
    attacks start), naming the part; a file that is not a zip is left to openpyxl's error."""
    try:
        with zipfile.ZipFile(path) as zf:
            seen = 0
            for info in zf.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                seen += info.file_size
                if seen > _XML_SCAN_LIMIT:
                    raise error(f"«{path.name}» quá lớn cho một danh sách đơn vị. Hãy lưu danh sách thành "
                                "tệp .xlsx mới chỉ gồm các cột Mã, Tên đơn vị, Loại, hoặc thành CSV UTF-8 (.csv).")
                found = _XML_DECLARATION.search(zf.read(info))
                if found:
                    raise error(
                        f"«{path.name}» chứa khai báo DTD/thực thể XML (khai báo {found.group(1).decode().upper()} "
                        f"trong phần «{info.filename}») mà Excel không bao giờ tạo ra; tệp có thể đã bị chỉnh sửa "
                        "bằng công cụ khác hoặc có mã độc, nên parxl không đọc. Hãy lập lại danh sách đơn vị "
                        "trong một tệp Excel mới và lưu thành .xlsx, hoặc lưu thành CSV UTF-8 (.csv).")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return  # not a readable zip: load_workbook fails and says so


def _units_from_rows(path: Path, rows: list[list[str]]) -> list[Unit]:
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise UnitsError(f"«{path.name}» trống: cần dòng tiêu đề có các cột Mã, Tên đơn vị, Loại.")
    header = [fold(normalize_text(c)) for c in rows[header_at]]
    columns = {}
    for key, title in REQUIRED.items():
        if key not in header:
            raise UnitsError(
                f"«{path.name}» thiếu cột «{title}». Dòng tiêu đề phải có các cột: "
                + ", ".join(REQUIRED.values()) + ".")
        columns[key] = header.index(key)
    ranked_at = header.index("xephang") if "xephang" in header else None
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        cell = lambda k: normalize_text(row[columns[k]].strip()) if columns[k] < len(row) else ""  # noqa: E731
        code, name, kind = cell("ma"), cell("tendonvi"), cell("loai")
        if not (code or name or kind):
            continue
        if not code:
            raise UnitsError(f"«{path.name}», dòng {n}: thiếu Mã đơn vị cho «{name}».")
        if not name:
            raise UnitsError(f"«{path.name}», dòng {n}: thiếu Tên đơn vị cho mã «{code}».")
        if code in seen:
            raise UnitsError(f"«{path.name}», dòng {n}: mã «{code}» trùng với dòng {seen[code]}.")
        seen[code] = n
        ranked = True
        if ranked_at is not None:
            word = normalize_text(row[ranked_at].strip()) if ranked_at < len(row) else ""
            if fold(word) not in RANKED_WORDS:
                raise UnitsError(f"«{path.name}», dòng {n}: cột «Xếp hạng» ghi «{word}»; hãy ghi «Có» (được xếp hạng, "
                                 "cũng là khi để trống) hoặc «Không» (chỉ đánh giá, không xếp hạng).")
            ranked = RANKED_WORDS[fold(word)]
        units.append(Unit(code, name, kind, ranked))
    if not units:
        raise UnitsError(f"«{path.name}» chưa có đơn vị nào dưới dòng tiêu đề.")
    return units
