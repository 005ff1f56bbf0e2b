"""Read .csv and .xlsx uploads into rows of dicts, with spreadsheet row numbers.

Japanese offices save CSV three ways: UTF-8 with a BOM (Excel's "CSV UTF-8"),
UTF-8 without one (most other tools) and Shift_JIS – in practice Microsoft's
cp932 superset, which is what Excel's plain "CSV" writes on Japanese Windows.
This module reads uploads and makes text safe to write into a spreadsheet; it
knows no business rules.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.utils.translation import gettext as _

# A cell starting with one of these is read as a formula by Excel, LibreOffice
# and Google Sheets (OWASP "CSV injection"); a tab or CR can hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """Text that a spreadsheet will show, never run: a leading quote before a
    formula start (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``), so the name stays
    readable. Numbers and other values pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Excel holds at most this many characters in a cell; a longer cell comes from
# a broken or hostile file, never from a real sheet.
MAX_CELL_CHARS = 32_767
BOM = "\ufeff"


class SpreadsheetError(ValueError):
    """The file itself cannot be read (wrong type, encoding, missing columns)."""


@dataclass(frozen=True)
class Row:
    number: int  # 1-based, as the spreadsheet shows it; the header is row 1
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            # The mark promises UTF-8 but the text is not (e.g. a BOM pasted
            # in front of Shift_JIS): guessing could garble names silently.
            raise SpreadsheetError(
                _(
                    "ファイルの先頭に UTF-8 の印（BOM）がありますが、中身は UTF-8 ではありません。"
                    "UTF-8 または Shift_JIS のどちらかで保存し直してください。"
                )
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("文字コードを判別できません。UTF-8 または Shift_JIS で保存してください。")
        ) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


@dataclass(frozen=True)
class Sheet:
    columns: list[str]
    rows: list[Row]
    # Rows that cannot be checked at all (a NUL byte, an over-long cell), as
    # (row number, message); they are left out of ``rows``.
    problems: list[tuple[int, str]] = field(default_factory=list)

    def require(self, columns: list[str]) -> None:
        """Raise when the header lacks any of ``columns``."""
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise SpreadsheetError(
                _("1行目（見出し）に次の列がありません: %(columns)s")
                % {"columns": ", ".join(missing)}
            )


def _clean_cell(value: str) -> str:
    # A byte-order mark inside a cell (files glued together, text copied from
    # one) is invisible but would make "P001" and "\ufeffP001" differ.
    return value.replace(BOM, "").strip()


def _cell_problems(cells: list[str], header: list[str]) -> list[str]:
    problems = []
    for i, cell in enumerate(cells):
        column = header[i] if i < len(header) and header[i] else str(i + 1)
        if "\x00" in cell:
            problems.append(
                _(
                    "%(column)s に NUL 文字（0x00）が含まれています。ファイルが壊れていないか確かめてください。"
                )
                % {"column": column}
            )
        elif len(cell) > MAX_CELL_CHARS:
            problems.append(
                _("%(column)s が長すぎます（1つのセルは%(limit)s文字まで）。")
                % {"column": column, "limit": f"{MAX_CELL_CHARS:,}"}
            )
    return problems


def _rows_from_table(table: list[list[str]]) -> Sheet:
    if not table:
        raise SpreadsheetError(_("ファイルが空です。"))
    header = [_clean_cell(h).lower() for h in table[0]]
    if _cell_problems(header, header):
        raise SpreadsheetError(
            _("1行目（見出し）を読めません。ファイルが壊れていないか確かめてください。")
        )
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for index, cells in enumerate(table[1:], start=2):
        cells = [_clean_cell(c) for c in cells]
        if not any(cells):
            continue  # blank lines at the end of a sheet are common
        bad = _cell_problems(cells, header)
        if bad:
            problems.extend((index, message) for message in bad)
            continue
        values = {
            name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name
        }
        rows.append(Row(number=index, values=values))
    return Sheet(columns=[h for h in header if h], rows=rows, problems=problems)


def read_csv(data: bytes) -> Sheet:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        table = [list(r) for r in reader]
    except csv.Error as exc:
        # The csv module refuses a cell over 131,072 characters (and a few
        # other broken shapes) before any row reaches the checks.
        if "field larger than field limit" in str(exc):
            message = _(
                "%(line)s行目付近に長すぎるセルがあります（1つのセルは%(limit)s文字まで）。"
            )
        else:
            message = _(
                "%(line)s行目付近を CSV として読めません。ファイルが壊れていないか確かめてください。"
            )
        raise SpreadsheetError(
            message % {"line": reader.line_num, "limit": f"{MAX_CELL_CHARS:,}"}
        ) from None
    return _rows_from_table(table)


def read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise SpreadsheetError(_("Excel ファイルを読み込めません。")) from exc
    try:
        # In read-only mode openpyxl parses the sheet while iterating, so a
        # broken sheet fails here rather than in load_workbook.
        ws = wb.worksheets[0]
        table = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception as exc:
        raise SpreadsheetError(_("Excel ファイルを読み込めません。")) from exc
    finally:
        wb.close()
    return _rows_from_table(table)


def read_rows(data: bytes, filename: str) -> Sheet:
    """Rows of a .csv or .xlsx file, chosen by the file name's extension."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return read_csv(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    raise SpreadsheetError(_("対応しているのは .csv と .xlsx のファイルです。"))


def read_path(path: str | Path) -> Sheet:
    path = Path(path)
    return read_rows(path.read_bytes(), path.name)
