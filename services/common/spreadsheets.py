"""CSV for spreadsheets: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese right), and no cell a
spreadsheet would run as a formula (CSV injection)."""

import csv
import io


def spreadsheet_safe(value: str) -> str:
    """Keep a cell from being run as a formula when the file is opened in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_bytes(*, header: list[str], rows: list[list[str]]) -> bytes:
    """Return ``header`` and ``rows`` as UTF-8 CSV with a byte-order mark, every cell made formula-safe."""
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([[spreadsheet_safe(value) for value in row] for row in rows])
    return text.getvalue().encode()
