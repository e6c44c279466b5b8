"""Spreadsheet bytes from (headers, rows): CSV that Excel opens in Chinese, and .xlsx; text a
spreadsheet would run as a formula stays text (CSV injection). Used by every export and download."""

import csv
import io
from collections.abc import Iterable
from typing import Any


def safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(title: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """One sheet, bold frozen header row; text starting with "=" stays text."""
    return xlsx_workbook_bytes([(title, headers, rows)])


def xlsx_workbook_bytes(sheets: Iterable[tuple[str, list[str], Iterable[Iterable[Any]]]]) -> bytes:
    """A workbook of several sheets (title, headers, rows), each as ``xlsx_bytes`` makes one."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        for char in "[]:*?/\\":
            title = str(title).replace(char, " ")
        sheet = workbook.create_sheet((title or "export")[:31])
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
            )
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # user text starting with "=": keep it text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
