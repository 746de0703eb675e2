"""Floor of `mil62sched roster ROSTER --format xlsx -o OUT`: openpyxl's write-only workbook of
the same rows (text, numbers, dates), one sheet of the same name.

The rows are the tool's own, read back from its workbook (REFERENCE) with openpyxl, untimed;
only building and saving the workbook is timed, and reported as `<wall s> <CPU s>` on the last
line of stdout.

    python floors/xlsx_rows.py REFERENCE OUT
"""

import sys
import time
from datetime import datetime

from openpyxl import Workbook, load_workbook


def main(reference: str, out: str) -> None:
    source = load_workbook(reference, read_only=True)
    sheets = []
    for sheet in source.worksheets:
        rows = [
            [value.date() if isinstance(value, datetime) else value for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]  # the tool writes dates, which openpyxl reads back as midnight
        sheets.append((sheet.title, rows))
    source.close()
    wall_began, cpu_began = time.perf_counter(), time.process_time()
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(out)
    print(f"{time.perf_counter() - wall_began:.6f} {time.process_time() - cpu_began:.6f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
