"""Roster, actuals and holiday tables kept in an Excel workbook (.xlsx), read as the rows a CSV
reader gives, so that the files' row checks stay in one place (`roster.files`, `site.workdays`).

A workbook is told from CSV text by its content: an .xlsx file is a zip, which starts with `PK`.
One sheet is read: the first, or the one `--sheet` names (`files.reading`). Each cell becomes the
text a CSV file would hold: a date cell its ISO date (`2025-08-18`; in a Chinese built-in date
format too, which openpyxl alone reads as a number), a whole number its digits, a formula its
saved value. A number in an ID column is read as its digits, with a warning: the leading zeros
of `0042` typed into a number cell are gone and cannot be told back; a date there refuses its
row. An old binary workbook (.xls), a password-protected one, or a damaged one is refused in
one line.

openpyxl is imported when a workbook is opened, never at start-up.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from mil62sched.errors import UsageError
from mil62sched.files import chosen_sheet, note_once

ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
# An OLE2 compound file: an Excel 97-2003 workbook (.xls), or an .xlsx encrypted with a password
# (its zip is kept in an OLE2 stream called EncryptedPackage).
OLE2_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm")
SAVE_AGAIN = "save it again from Excel or WPS as Excel Workbook (.xlsx), or as CSV UTF-8"
# Rows named in a warning; the count says how many more there are.
SHOWN_ROWS = 10


class RowReader(Protocol):
    """What `csv.reader` gives and `SheetRows` imitates: lists of cells, and the line (sheet row)
    of the last one."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class CellError(UsageError):
    """A cell that cannot be read (a formula with no saved value): the row is refused, as a
    broken CSV row is. `reason` words it without the file and row, for a row's report."""

    def __init__(self, reason: str, *, where: str) -> None:
        self.reason = reason
        super().__init__(reason, where=where)


def sniff(path: Path) -> Literal["zip", "ole2", "text"]:
    """What a file holds by its first bytes: a zip (an .xlsx), an OLE2 file (an .xls or an
    encrypted workbook), else text; an unreadable file is left to the reader, as text."""
    try:
        with path.open("rb") as stream:
            start = stream.read(8)
    except OSError:
        return "text"
    if start.startswith(ZIP_STARTS):
        return "zip"
    return "ole2" if start == OLE2_START else "text"


def is_workbook(path: Path) -> bool:
    """Whether `path` is an .xlsx workbook to read with `open_sheet` (else CSV text). An .xls,
    a password-protected workbook, or a file named .xlsx that is no zip is refused."""
    kind = sniff(path)
    if kind == "zip":
        return True
    if kind == "ole2":
        if _holds(path, ENCRYPTED_PACKAGE):
            raise UsageError(
                "the workbook is protected with a password, so it cannot be read",
                accepted="save a copy without the password (File > Info > Protect Workbook), "
                "or save it as CSV UTF-8",
                where=path.name,
            )
        raise UsageError(
            "an Excel 97-2003 workbook (.xls), which is not read",
            accepted="save it as Excel Workbook (.xlsx) or as CSV UTF-8",
            where=path.name,
        )
    if path.suffix.lower() in WORKBOOK_EXTENSIONS:
        raise UsageError(
            "not an .xlsx workbook (not a zip file)", accepted=SAVE_AGAIN, where=path.name
        )
    return False


def _holds(path: Path, marker: bytes) -> bool:
    """Whether the file's bytes hold `marker` (an OLE2 directory entry's name)."""
    try:
        return marker in path.read_bytes()
    except OSError:
        return False


@contextmanager
def open_sheet(
    path: Path, *, columns: Collection[str] = (), ids: Collection[str] = ()
) -> Iterator[SheetRows]:
    """The rows of the workbook's chosen sheet (`--sheet`, else the first) as `SheetRows`.
    `columns`: the columns that are read (a formula with no saved value is refused in them,
    ignored elsewhere); `ids`: the ID columns, where a number draws a warning."""
    with _open(path) as stream:
        values = _load(stream, path.name, data_only=True)
        try:
            with _open(path) as stream_again:
                formulas = _load(stream_again, path.name, data_only=False)
                try:
                    # Worksheets only: a chart sheet has no cells.
                    names = [sheet.title for sheet in values.worksheets]
                    chosen = _sheet_name(names, path.name)
                    yield SheetRows(
                        path.name, values[chosen], formulas[chosen], columns=columns, ids=ids,
                        key=str(path),
                    )  # fmt: skip
                finally:
                    formulas.close()
        finally:
            values.close()


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None


def _load(stream: IO[bytes], name: str, *, data_only: bool) -> Any:
    """The workbook in openpyxl's read-only mode: saved values (`data_only`), or formulas."""
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(stream, read_only=True, data_only=data_only)
    except zipfile.BadZipFile:
        raise UsageError(
            "a damaged workbook (its zip is broken)", accepted=SAVE_AGAIN, where=name
        ) from None
    except Exception as exc:  # openpyxl's many ways of failing on a file that is not a workbook
        raise _unreadable(name, exc) from None


def _unreadable(name: str, exc: BaseException) -> UsageError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return UsageError(
        f"not a readable .xlsx workbook ({detail[:120]})", accepted=SAVE_AGAIN, where=name
    )


def _sheet_name(names: list[str], file_name: str) -> str:
    """The sheet `--sheet` names (compared ignoring case, as Excel does), else the first."""
    wanted = chosen_sheet()
    if not names:
        raise UsageError("the workbook has no sheet", accepted=SAVE_AGAIN, where=file_name)
    if wanted is None:
        return names[0]
    for name in names:
        if name.casefold() == wanted.strip().casefold():
            return name
    raise UsageError(
        "is not a sheet of this workbook",
        value=wanted,
        accepted=f"use one of {', '.join(repr(name) for name in names)}",
        where=file_name,
        field="sheet",
    )


class SheetRows:
    """One sheet's rows as lists of text cells, as `csv.reader` gives a CSV file's: the first
    row with anything in it is the header; `line_num` is the sheet row of the last row given.
    Trailing empty cells are dropped (each data row is then as long as the header, at least);
    a formula with no saved value in a column that is read raises `CellError` for its row, and
    the reader goes on with the next row. When the rows are exhausted, numbers met in an ID
    column are said in one warning."""

    def __init__(
        self,
        file_name: str,
        values: Any,  # openpyxl's read-only worksheets (whose stubs type iter_rows wrongly)
        formulas: Any,
        *,
        columns: Collection[str] = (),
        ids: Collection[str] = (),
        key: str | None = None,
    ) -> None:
        self.file_name = file_name
        self._key = key or file_name  # the file, for a warning said once a run
        self.line_num = 0
        self._rows = zip(values.iter_rows(), formulas.iter_rows(), strict=False)
        self._epoch = values.parent.epoch  # day 0 of the workbook's dates (1900 or 1904)
        self._columns = {name.lower() for name in columns}
        self._ids = {name.lower() for name in ids}
        self._header: list[str] | None = None
        self._numbers: dict[str, list[tuple[int, str]]] = {}  # ID column -> (row, text)

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> list[str]:
        while True:
            try:
                found = next(self._rows, None)
            except Exception as exc:  # a sheet whose XML breaks off midway
                raise _unreadable(self.file_name, exc) from None
            if found is None:
                self._warn_numbers()
                raise StopIteration
            values, formulas = found
            self.line_num += 1
            shown = [_value(cell, self._epoch) for cell in values]
            cells = [_text(value) for value in shown]
            while cells and not cells[-1].strip():
                cells.pop()
            if cells or self._header is not None:
                break  # leading empty rows are skipped: the header is the first one filled
        if self._header is None:
            self._check_formulas(values, formulas, None)
            self._header = [cell.strip().lower() for cell in cells]
            return cells
        self._check_formulas(values, formulas, self._header)
        for index, name in enumerate(self._header[: len(cells)]):
            if name not in self._ids:
                continue
            value = shown[index]
            if _is_number(value):
                self._numbers.setdefault(name, []).append((self.line_num, cells[index]))
            elif isinstance(value, date | time):
                # Excel turns some IDs into dates as they are typed (1-2 becomes 2 January):
                # what was typed cannot be told back, so the row is refused.
                raise CellError(
                    f"column {name!r}, cell {_column_letter(index)}{self.line_num}: a date "
                    f"({cells[index]}), not an ID: Excel turned what was typed into a date; "
                    "format the column as Text and retype it",
                    where=f"{self.file_name} line {self.line_num}",
                )
        return cells + [""] * (len(self._header) - len(cells))

    def _check_formulas(self, values: Any, formulas: Any, header: list[str] | None) -> None:
        """Refuse a formula cell with no saved value in a column that is read (every header
        cell is read)."""
        for index, (value, formula) in enumerate(zip(values, formulas, strict=False)):
            if value.value is not None or getattr(formula, "data_type", None) != "f":
                continue
            name = None if header is None else (header[index] if index < len(header) else "")
            if header is not None and name not in self._columns:
                continue
            where = f"{self.file_name} line {self.line_num}"
            column = "" if not name else f"column {name!r}, "
            raise CellError(
                f"{column}cell {_column_letter(index)}{self.line_num}: a formula with no saved "
                "value; open the workbook in Excel or WPS and save it, or type the value",
                where=where,
            )

    def _warn_numbers(self) -> None:
        """One warning for the numbers met in ID columns: read as their digits, but an ID's
        leading zeros cannot be recovered from a number."""
        for name, found in self._numbers.items():
            shown = ", ".join(str(row) for row, _ in found[:SHOWN_ROWS])
            more = "" if len(found) <= SHOWN_ROWS else f" and {len(found) - SHOWN_ROWS} more"
            first = found[0][1]
            note_once(
                f"{self._key}:numbers:{name}",
                f"mil62sched: warning: {self.file_name} column {name!r} holds numbers, not "
                f"text, on row(s) {shown}{more}, read as their digits (e.g. {first!r}); a "
                "number keeps no leading zeros (0042 is stored as 42): check those IDs, format "
                "the column as Text and retype them",
            )
        self._numbers = {}


# Excel's built-in date formats of East Asian locales (ECMA-376 part 1, 18.8.30; in zh-CN
# 31 is yyyy"年"m"月"d"日", 57 yyyy"年"m"月", 58 m"月"d"日"), which a Chinese Excel or WPS saves by
# number alone. openpyxl knows the built-in formats 0-49 without these, and reads such a date
# as its serial number.
EAST_ASIAN_DATE_FORMATS = frozenset({27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})


def _value(cell: Any, epoch: datetime) -> object:
    """A cell's value, a number in one of EAST_ASIAN_DATE_FORMATS as the date it shows."""
    value = cell.value
    if not _is_number(value):
        return value
    style = getattr(cell, "style_array", None)  # openpyxl's read-only cell: its style
    if style is None or style.numFmtId not in EAST_ASIAN_DATE_FORMATS:
        return value
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(value, epoch)
    except (OverflowError, ValueError):
        return value  # not a day Python can hold: refused as a date, showing the number


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    """A cell's value as the text a CSV file would hold.

    >>> [_text(None), _text(42), _text(42.0), _text(2.5), _text(True)]
    ['', '42', '42', '2.5', 'true']
    >>> _text(datetime(2025, 8, 18)), _text(datetime(2025, 8, 18, 9, 30))
    ('2025-08-18', '2025-08-18 09:30:00')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):  # before date: a datetime is a date too
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    """A 0-based column index as Excel's letters.

    >>> _column_letter(0), _column_letter(25), _column_letter(26)
    ('A', 'Z', 'AA')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
