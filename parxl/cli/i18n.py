"""Vietnamese for click's own words (help headings, usage errors).

click marks its messages with gettext's ``_``; we swap that function in the
click modules for a dictionary look-up, so ``--help`` and usage errors read in
Vietnamese like the rest of parxl. What click builds without gettext is
replaced at the same time (``install``): the «Did you mean …?» hint, number
ranges («2000<=x<=2100» → «từ 2000 đến 2100»), the type names shown as
metavars (TEXT, INTEGER) and the '…' quoting of parameter names in errors.
"""
from __future__ import annotations

import re

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Arguments": "Tham số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Gõ «{command} {option}» để xem hướng dẫn.",
    "No such option {name!r}.": "Không có tùy chọn «{name}».",
    "No such command {name!r}.": "Không có lệnh «{name}».",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tùy lúc)",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có 1.",
    "Takes {nargs} values but {len} were given.": "Cần {nargs} giá trị nhưng có {len}.",
    "Option {name!r} requires an argument.": "Tùy chọn «{name}» cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn «{name}» cần {nargs} giá trị.",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị nhưng có {len_value}.",
    "{len_type} values are required, but {len_value} were given.": "Cần {len_type} giá trị nhưng có {len_value}.",
    "{value!r} does not match the format {format}.": "«{value}» không đúng dạng {format}.",
    "{value!r} does not match the formats {formats}.": "«{value}» không đúng dạng nào trong {formats}.",
    "{value!r} is not a valid UUID.": "«{value}» không phải là UUID hợp lệ.",
    "{name} {filename!r} is not readable.": "Không đọc được «{filename}» (không có quyền đọc).",
    "{name} {filename!r} is not writable.": "Không ghi được vào «{filename}» (không có quyền ghi).",
    "{name} {filename!r} is not executable.": "«{filename}» không chạy được.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp «{filename}»: {message}",
    "unknown error": "lỗi không rõ",
    "Invalid start character for option ({option})": "Tùy chọn ({option}) bắt đầu bằng ký tự không hợp lệ",
    "Do you want to continue?": "Bạn có muốn tiếp tục không?",
    "Confirm the action without prompting.": "Xác nhận luôn, không hỏi lại.",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai giá trị đã nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "deprecated": "không còn dùng",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing command.": "Thiếu lệnh.",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn «{name}» không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số «{name}» cần {nargs} giá trị.",
    "Aborted!": "Đã hủy!",
    "default: {default}": "mặc định: {default}",
    "{value!r} is not a valid {number_type}.": "«{value}» không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép ({range}).",
    # click passes {name} through str.title() («Thư Mục»), so these name the path without it.
    "{name} {filename!r} does not exist.": "Không tìm thấy «{filename}».",
    "{name} {filename!r} is a directory.": "«{filename}» là một thư mục, ở đây cần một tệp.",
    "{name} {filename!r} is a file.": "«{filename}» là một tệp, ở đây cần một thư mục.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not one of {choices}.": "«{value}» không hợp lệ; chọn một trong: {choices}.",
    "{value!r} is not {choice}.": "«{value}» không hợp lệ; chỉ được là {choice}.",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Got unexpected extra arguments ({args})": "Thừa các tham số ({args})",
}


def _vi(message: str) -> str:
    return VI.get(message, message)


def _vi_n(singular: str, plural: str, n: int) -> str:
    return _vi(singular if n == 1 else plural)


def _quoted(values) -> str:
    return ", ".join(f"«{v}»" for v in values)


def _format_possibilities(possibilities: list[str]) -> str:
    """click's «Did you mean 'x'?» with «x» quoted the Vietnamese way."""
    if len(possibilities) == 1:
        return f"Có phải ý bạn là «{possibilities[0]}»?"
    return f"(Có phải ý bạn là một trong: {_quoted(sorted(possibilities))}?)"


def _describe_range(self) -> str:
    """A number range in words (click writes «2000<=x<=2100»): «từ 2000 đến 2100»."""
    low = None if self.min is None else ("lớn hơn " if self.min_open else "từ ") + str(self.min)
    high = None if self.max is None else ("nhỏ hơn " if self.max_open else "đến ") + str(self.max)
    if low is None:
        return "nhỏ hơn " + str(self.max) if self.max_open else "tối đa " + str(self.max)
    if high is None:
        return low if self.min_open else "từ " + str(self.min) + " trở lên"
    return f"{low} {high}"


# Type names click prints as metavars in ``--help`` (upper-cased: «VĂN_BẢN», «SỐ_NGUYÊN»).
_TYPE_NAMES = {
    click.types.StringParamType: "văn_bản",
    click.types.UnprocessedParamType: "văn_bản",
    click.types.IntParamType: "số_nguyên",
    click.types.IntRange: "số_nguyên",
    click.types.FloatParamType: "số",
    click.types.FloatRange: "số",
    click.types.BoolParamType: "có_không",
    click.types.DateTime: "ngày_giờ",
    click.types.File: "tệp",
}
_QUOTED = re.compile(r"'([^']*)'")
_ORIGINAL_HINTS: dict[type, object] = {}


def _vi_hint(original):
    """Wrap a ``get_error_hint``: «--year» for click's '--year'."""
    def hint(self, ctx):
        text = original(self, ctx)
        return _QUOTED.sub(r"«\1»", text).replace("(env var: ", "(biến môi trường: ")
    return hint


def install() -> None:
    """Make click speak Vietnamese: its modules' gettext functions (``_``, ``ngettext``) are replaced
    by lookups in ``VI``; a message missing from ``VI`` stays as click wrote it. The two phrases
    click builds without gettext are replaced too: the «Did you mean …?» hint (names in «»), and
    number ranges in ``--help`` and errors («từ 2000 đến 2100» for «2000<=x<=2100»). Idempotent.
    """
    click.exceptions._format_possibilities = _format_possibilities  # type: ignore[attr-defined]
    click.types._NumberRangeBase._describe_range = _describe_range  # type: ignore[attr-defined]
    for kind, name in _TYPE_NAMES.items():
        kind.name = name
    for cls in (click.core.Parameter, click.core.Option, click.core.Argument):
        if "get_error_hint" in vars(cls) and cls not in _ORIGINAL_HINTS:
            _ORIGINAL_HINTS[cls] = vars(cls)["get_error_hint"]
            cls.get_error_hint = _vi_hint(vars(cls)["get_error_hint"])  # type: ignore[method-assign]
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types,
                   click.termui):
        if hasattr(module, "_"):
            module._ = _vi  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _vi_n  # type: ignore[attr-defined]
