"""Roster, actuals and holiday tables kept in an Excel workbook (.xlsx), read as the rows a CSV
reader gives, so that the files' row checks stay in one place (`roster.files`, `site.workdays`).

A workbook is told from CSV text by its content: an .xlsx file is a zip, which starts with `PK`.
One sheet is read: the one `--sheet` names (`inputs.Reading`; its exact name, else the one sheet
equal to it ignoring case), else the active sheet when it is visible, else the first visible
one; a hidden sheet only when `--sheet` names it. Which sheet was read is said once when the
workbook has more. Each cell becomes the text a CSV file would hold: a date cell its ISO date
(`2025-08-18`; in a Chinese built-in date format too), a whole number its digits, a formula its
saved value. A number in an ID column is read as its digits, with a warning: the leading zeros
of `0042` typed into a number cell are gone and cannot be told back; a date there refuses its
row. An old binary workbook (.xls), a password-protected one, or a damaged one is refused in
one line.

The workbook is opened once and each part it needs read once, as a stream (`xml.etree` over the
zip): the rows and cells the sheet holds, never the range it claims (its recorded dimension may
say A1:XFD1048576 over three rows, or A1:C2 over ten). What a workbook may unpack to is bounded
before any of it is read, as a CSV input is (`inputs.MOST_INPUT_BYTES`), and so are its shared
strings (`_most_strings`).

openpyxl (its number formats and Excel's day count) is imported when a workbook is opened, never
at start-up.
"""

from __future__ import annotations

import functools
import posixpath
import unicodedata
import zipfile
from collections.abc import Collection, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, NamedTuple, Protocol

from mil62sched.errors import FILE_LINE, UsageError
from mil62sched.inputs import MOST_INPUT_BYTES, Reading, cannot_read
from mil62sched.messages import N_, Localized, Message, Text, msg

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
# An OLE2 compound file: an Excel 97-2003 workbook (.xls), or an .xlsx encrypted with a password
# (its zip is kept in an OLE2 stream called EncryptedPackage).
OLE2_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm")
SAVE_AGAIN = msg(N_("save it again from Excel or WPS as Excel Workbook (.xlsx), or as CSV UTF-8"))
# Rows named in a warning; the count says how many more there are.
SHOWN_ROWS = 10
# Excel's last row and column (XFD): a cell past them is in no workbook Excel or WPS saves.
MOST_SHEET_ROWS = 1_048_576
MOST_SHEET_COLUMNS = 16_384
# Shared strings (the text of cells, kept once per workbook): each is the text of a cell that
# refers to it, and such a cell takes at least this many bytes of a sheet's XML
# (`<c t="s"><v>0</v></c>`), so a workbook holds at most its sheets' bytes over this, and a few
# spare for a writer that keeps some no cell uses; and at most one a row of a sheet.
SMALLEST_CELL_BYTES = 20
SPARE_SHARED_STRINGS = 1_000
MOST_SHARED_STRINGS = MOST_SHEET_ROWS
# Sheet names in a message: at most this many, each cut as `_shown` cuts it.
SHOWN_NAMES = 20


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

    def __init__(self, reason: Message, *, where: Message) -> None:
        self.reason = reason
        super().__init__(reason, where=where)


class _Damaged(ValueError):
    """A part of the workbook that is not what Excel writes; `said` words it."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


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
                msg(N_("the workbook is protected with a password, so it cannot be read")),
                accepted=msg(
                    N_(
                        "save a copy without the password (File > Info > Protect Workbook), or "
                        "save it as CSV UTF-8"
                    )
                ),
                where=path.name,
            )
        raise UsageError(
            msg(N_("an Excel 97-2003 workbook (.xls), which is not read")),
            accepted=msg(N_("save it as Excel Workbook (.xlsx) or as CSV UTF-8")),
            where=path.name,
        )
    if path.suffix.lower() in WORKBOOK_EXTENSIONS:
        raise UsageError(
            msg(N_("not an .xlsx workbook (not a zip file)")), accepted=SAVE_AGAIN, where=path.name
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
    path: Path, reading: Reading, *, columns: Collection[str] = (), ids: Collection[str] = ()
) -> Iterator[SheetRows]:
    """The rows of the workbook's chosen sheet (see the module; `reading.sheet`) as
    `SheetRows`. `columns`: the columns that are read (a formula with no saved value is refused
    in them, ignored elsewhere); `ids`: the ID columns, where a number draws a warning."""
    with _open(path) as stream, _archive(stream, path.name) as archive:
        try:
            book = _book(archive)
            sheet = _chosen(book, path, reading)
            dates = _date_styles(archive, book.styles)
            strings = _shared_strings(archive, book, path.name)
        except UsageError:
            raise
        except Exception as exc:  # a part missing or not well-formed, a number that is none
            raise _unreadable(path.name, exc) from None
        cells = _sheet_rows(archive, sheet.part, strings, dates, book.epoch)
        try:
            yield SheetRows(path.name, cells, reading, columns=columns, ids=ids, key=str(path))
        finally:
            cells.close()  # its part, left open by a reader that stops early


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None


def _archive(stream: IO[bytes], name: str) -> zipfile.ZipFile:
    """The workbook's zip, refused when its directory says it unpacks to more than an input
    file may hold. The directory's sizes bind: a part is read no further than its size says
    (and one that holds more fails its checksum)."""
    try:
        archive = zipfile.ZipFile(stream)
    except Exception as exc:  # not a zip, or a broken one
        raise _unreadable(name, exc) from None
    if sum(entry.file_size for entry in archive.infolist()) > MOST_INPUT_BYTES:
        archive.close()
        raise UsageError(
            msg(
                N_("unpacks to more than {size} MiB, so not a roster, actuals or holiday file"),
                size=MOST_INPUT_BYTES // (1024 * 1024),
            ),
            where=name,
        )
    return archive


def _unreadable(name: str, exc: BaseException) -> UsageError:
    if isinstance(exc, zipfile.BadZipFile):
        return UsageError(
            msg(N_("a damaged workbook (its zip is broken)")), accepted=SAVE_AGAIN, where=name
        )
    detail: object
    if isinstance(exc, _Damaged):
        detail = exc.said
    else:  # the reader's own words (the zip's, the XML parser's)
        text = (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:120]
        detail = Localized(text, {"zh": msg(N_("the reader says {said!r}"), said=text)})
    return UsageError(
        msg(N_("not a readable .xlsx workbook ({detail})"), detail=detail),
        accepted=SAVE_AGAIN,
        where=name,
    )


class _Sheet(NamedTuple):
    """A sheet of the workbook: its name, its state (`visible`, `hidden`, `veryHidden`) and
    its part in the zip; `part` is None for a sheet that holds no cells (a chart sheet)."""

    name: str
    state: str
    part: str | None


@dataclass(frozen=True)
class _Book:
    """What the workbook part says: its sheets in tab order, the active tab's index, day 0 of
    its dates, and its styles and shared-strings parts (None when it has none)."""

    sheets: list[_Sheet]
    active: int
    epoch: datetime
    styles: str | None
    strings: str | None

    @property
    def worksheets(self) -> list[_Sheet]:
        return [sheet for sheet in self.sheets if sheet.part is not None]


@functools.cache  # a part has a few names, met millions of times
def _local(tag: str) -> str:
    """An XML name without its namespace: a workbook's parts come in more than one
    (transitional and strict Open XML)."""
    return tag.rpartition("}")[2]


def _elements(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, Element]]:
    """(event, element) of a part, as `xml.etree` parses it: 'start' and 'end' events."""
    from xml.etree.ElementTree import iterparse

    with archive.open(part) as source:
        yield from iterparse(source, ("start", "end"))


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of `part`: Id -> (its type's last word, the target's part)."""
    folder, _, name = part.rpartition("/")
    listing = posixpath.join(folder, "_rels", f"{name}.rels")
    if listing not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for event, element in _elements(archive, listing):
        if event != "end" or _local(element.tag) != "Relationship":
            continue
        target = element.get("Target", "")
        if element.get("TargetMode") == "External" or not target:
            continue
        # A target is relative to the part's folder, or from the package's root when it
        # starts with a slash.
        where = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        kind = element.get("Type", "").rpartition("/")[2]
        found[element.get("Id", "")] = (kind, posixpath.normpath(where))
    return found


def _book(archive: zipfile.ZipFile) -> _Book:
    """The workbook part's sheets, active tab and date system, and its related parts."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    office = [
        target for kind, target in _relations(archive, "").values() if kind == "officeDocument"
    ]
    if not office:
        raise _Damaged(msg(N_("no workbook part in the zip")))
    part = office[0]
    related = _relations(archive, part)
    by_kind = {kind: target for kind, target in related.values()}
    sheets: list[_Sheet] = []
    active: int | None = None
    epoch = CALENDAR_WINDOWS_1900
    for event, element in _elements(archive, part):
        name = _local(element.tag)
        if event == "end":
            if name == "sheets":
                break  # what follows (defined names, calculation) is not needed
            continue
        if name == "workbookPr" and element.get("date1904", "").lower() in ("1", "true"):
            epoch = CALENDAR_MAC_1904
        elif name == "workbookView" and active is None:
            active = int(element.get("activeTab", "0"))
        elif name == "sheet":
            key = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            kind, target = related.get(key, ("", ""))
            # A sheet whose part the zip lacks is left out, as openpyxl leaves it.
            cells = kind == "worksheet" and target in archive.NameToInfo
            sheets.append(
                _Sheet(
                    element.get("name", ""),
                    element.get("state", "visible"),
                    target if cells else None,
                )
            )
    return _Book(sheets, active or 0, epoch, by_kind.get("styles"), by_kind.get("sharedStrings"))


def _chosen(book: _Book, path: Path, reading: Reading) -> _Sheet:
    """The sheet `--sheet` names, else the active sheet when it is visible, else the first
    visible one; said in a note when the workbook has more than one."""
    worksheets = book.worksheets
    if not worksheets:
        raise UsageError(msg(N_("the workbook has no sheet")), accepted=SAVE_AGAIN, where=path.name)
    wanted = reading.sheet
    if wanted is not None:
        return _named(worksheets, wanted, path.name)
    visible = [sheet for sheet in worksheets if sheet.state == "visible"]
    if not visible:
        raise UsageError(
            msg(N_("the workbook has no visible sheet")),
            accepted=msg(N_("name a hidden one with --sheet: {names}"), names=_names(worksheets)),
            where=path.name,
        )
    active = book.sheets[book.active] if 0 <= book.active < len(book.sheets) else None
    if active is not None and active.part is not None and active.state == "visible":
        chosen, why = active, msg(N_("the active sheet"))
    else:  # hidden, a chart sheet, or no tab at all
        chosen, why = visible[0], msg(N_("the first visible sheet"))
    if len(worksheets) > 1:
        reading.note(
            msg(
                N_("{file} has {count} sheets: read {sheet} ({why}); --sheet reads another"),
                file=path.name,
                count=len(worksheets),
                sheet=repr(_shown(chosen.name)),
                why=why,
            ),
            key=f"{path}:sheet",
        )
    return chosen


def _named(worksheets: list[_Sheet], wanted: str, file_name: str) -> _Sheet:
    """The sheet called `wanted` exactly, else the one sheet equal to it ignoring case, width
    and the spaces around it (as Excel compares sheet names); several such are refused."""
    for sheet in worksheets:
        if sheet.name == wanted:
            return sheet
    folded = [sheet for sheet in worksheets if _folded(sheet.name) == _folded(wanted)]
    if len(folded) == 1:
        return folded[0]
    if folded:
        raise UsageError(
            msg(N_("matches several sheets when case is ignored")),
            value=_shown(wanted),
            accepted=msg(N_("type one of {names} exactly"), names=_names(folded)),
            where=file_name,
            field="sheet",
        )
    raise UsageError(
        msg(N_("is not a sheet of this workbook")),
        value=_shown(wanted),
        accepted=msg(N_("use one of {names}"), names=_names(worksheets)),
        where=file_name,
        field="sheet",
    )


def _folded(name: str) -> str:
    """A sheet name compared ignoring case and width (Ｒoster, STRASSE and Straße).

    >>> _folded(" Ｒoster ") == _folded("roster"), _folded("STRASSE") == _folded("Straße")
    (True, True)
    """
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _names(sheets: list[_Sheet]) -> Text:
    """Sheet names for a message, quoted and cut, at most SHOWN_NAMES of them."""
    shown = ", ".join(repr(_shown(sheet.name)) for sheet in sheets[:SHOWN_NAMES])
    more = len(sheets) - SHOWN_NAMES
    return shown if more <= 0 else msg(N_("{names} and {count} more"), names=shown, count=more)


def _shown(text: str) -> str:
    """Text as a message quotes it, as `parse.excerpt` words it (this layer is below parse):
    whole when short, else its start and its length.

    >>> _shown("x" * 100)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (100 characters)'
    """
    return text if len(text) <= 80 else f"{text[:32]}... ({len(text)} characters)"


# Excel's built-in date formats of East Asian locales (ECMA-376 part 1, 18.8.30; in zh-CN
# 31 is yyyy"年"m"月"d"日", 57 yyyy"年"m"月", 58 m"月"d"日"), which a Chinese Excel or WPS saves by
# number alone: openpyxl's built-in formats (0-49) lack them.
EAST_ASIAN_DATE_FORMATS = frozenset({27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})


class _DateStyles(NamedTuple):
    """The cell styles (indices) whose numbers are dates, and those of them that are
    durations ([h]:mm)."""

    dates: frozenset[int]
    durations: frozenset[int]


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> _DateStyles:
    """Which cell styles show a number as a date: by their number format, built in (Excel's,
    and the East Asian ones) or the workbook's own."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    if part is None:
        return _DateStyles(frozenset(), frozenset())
    custom: dict[int, str] = {}
    formats: list[int] = []  # each cell style's number format, by style index
    within = False  # inside cellXfs (the cell styles; cellStyleXfs holds named styles)
    for event, element in _elements(archive, part):
        name = _local(element.tag)
        if name == "cellXfs":
            within = event == "start"
        elif event == "end" and name == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif event == "end" and name == "xf" and within:
            formats.append(int(element.get("numFmtId", "0")))
    dates, durations = set(), set()
    for index, number in enumerate(formats):
        code = custom.get(number, BUILTIN_FORMATS.get(number))
        if is_date_format(code) or (number not in custom and number in EAST_ASIAN_DATE_FORMATS):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return _DateStyles(frozenset(dates), frozenset(durations))


def _most_strings(archive: zipfile.ZipFile, book: _Book) -> int:
    """How many shared strings the workbook may hold: as many as the cells its sheets could
    hold refer to (SMALLEST_CELL_BYTES), and a few spare; at most MOST_SHARED_STRINGS."""
    sheets = sum(archive.getinfo(sheet.part).file_size for sheet in book.worksheets if sheet.part)
    return min(MOST_SHARED_STRINGS, sheets // SMALLEST_CELL_BYTES + SPARE_SHARED_STRINGS)


def _shared_strings(archive: zipfile.ZipFile, book: _Book, file_name: str) -> list[str]:
    """The workbook's shared strings, each its text (rich text runs joined, phonetic guides
    left out); refused past `_most_strings`, before the rest is read."""
    if book.strings is None:
        return []
    most = _most_strings(archive, book)
    strings: list[str] = []
    root: Element | None = None
    for event, element in _elements(archive, book.strings):
        if root is None:
            root = element
        if event != "end" or _local(element.tag) != "si":
            continue
        if len(strings) == most:
            raise UsageError(
                msg(
                    N_(
                        "holds more than {count:,} shared strings, more than the cells of its "
                        "sheets could use, so not a roster, actuals or holiday file"
                    ),
                    count=most,
                ),
                accepted=SAVE_AGAIN,
                where=file_name,
            )
        # openpyxl's reading of an escaped underscore (_x005F_), kept so that text reads as
        # it did.
        strings.append(_rich_text(element).replace("x005F_", ""))
        root.clear()  # the strings read so far: kept as text, not as elements
    return strings


def _rich_text(element: Element) -> str:
    """The text of a string item (`si`, `is`): its `t`, or its runs' `t` joined; a phonetic
    guide (`rPh`) is not text of the cell."""
    pieces = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            pieces.append(child.text or "")
        elif name == "r":
            pieces.extend(part.text or "" for part in child if _local(part.tag) == "t")
    return "".join(pieces)


class _Cell(NamedTuple):
    """A cell the sheet holds: its 0-based column, its value (None when empty) and whether it
    is a formula with no saved value."""

    column: int
    value: object
    unsaved: bool


def _sheet_rows(
    archive: zipfile.ZipFile,
    part: str | None,
    strings: list[str],
    styles: _DateStyles,
    epoch: datetime,
) -> Generator[tuple[int, list[_Cell]]]:
    """(sheet row, its cells) for each row the sheet's XML holds, in order: rows and cells it
    does not hold are not made up, whatever range its dimension claims."""
    assert part is not None
    data: Element | None = None
    number = 0
    for event, element in _elements(archive, part):
        name = _local(element.tag)
        if event == "start":
            if name == "sheetData":
                data = element
            continue
        if name == "row":
            reference = element.get("r")
            number = int(reference) if reference else number + 1
            if not 1 <= number <= MOST_SHEET_ROWS:
                raise _Damaged(
                    msg(
                        N_("row {number} is not within Excel's rows 1 to {most:,}"),
                        number=number,
                        most=MOST_SHEET_ROWS,
                    )
                )
            yield number, _row_cells(element, strings, styles, epoch)
            if data is not None:
                data.clear()  # the rows read so far
        elif name == "sheetData":
            return  # what follows the cells (merged ranges, page set-up) is not read


def _row_cells(
    row: Element, strings: list[str], styles: _DateStyles, epoch: datetime
) -> list[_Cell]:
    cells = []
    column = -1
    for cell in row:
        if _local(cell.tag) != "c":
            continue
        reference = cell.get("r")
        column = _column_index(reference) if reference else column + 1
        cells.append(_cell(cell, column, strings, styles, epoch))
    return cells


def _column_index(reference: str) -> int:
    """The 0-based column of a cell reference.

    >>> _column_index("A1"), _column_index("Z1048576"), _column_index("XFD1")
    (0, 25, 16383)
    """
    index = 0
    for letter in reference:
        if not "A" <= letter <= "Z":
            break
        index = index * 26 + ord(letter) - ord("A") + 1
    if not 1 <= index <= MOST_SHEET_COLUMNS:
        raise _Damaged(
            msg(N_("cell {cell!r} is not within Excel's columns A to XFD"), cell=reference[:20])
        )
    return index - 1


def _cell(
    cell: Element, column: int, strings: list[str], styles: _DateStyles, epoch: datetime
) -> _Cell:
    """A cell's value as openpyxl reads it with its saved values (data_only), and whether it
    is a formula with none; a number in a date style is the date it shows."""
    kind = cell.get("t", "n")
    saved: str | None = None
    formula = False
    inline: str | None = None
    for child in cell:
        name = _local(child.tag)
        if name == "v":
            saved = child.text
        elif name == "f":
            formula = True
        elif name == "is":
            inline = _rich_text(child)
    value: object = None
    if kind == "inlineStr":
        value = inline
    elif not saved:
        value = None
    elif kind == "s":
        index = int(saved)
        if not 0 <= index < len(strings):
            raise _Damaged(
                msg(
                    N_("a cell refers to shared string {index}, which the workbook lacks"),
                    index=index,
                )
            )
        value = strings[index]
    elif kind == "b":
        value = saved.strip() in ("1", "true")
    elif kind in ("str", "e"):
        value = saved  # a formula's text, or an error such as #N/A
    elif kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        value = from_ISO8601(saved)  # type: ignore[no-untyped-call]  # untyped in its stubs
    else:
        value = _number(saved, int(cell.get("s", "0")), styles, epoch)
    return _Cell(column, value, formula and value is None)


def _number(saved: str, style: int, styles: _DateStyles, epoch: datetime) -> object:
    """A number cell's value: an int or a float, or in a date style the date it shows (a
    number that is no day Python can hold stays a number, and is refused as a date)."""
    number: float = float(saved) if any(c in saved for c in ".Ee") else int(saved)
    if style not in styles.dates:
        return number
    from openpyxl.utils.datetime import from_excel

    try:
        shown: object = from_excel(number, epoch, timedelta=style in styles.durations)
    except (OverflowError, ValueError):
        return number
    return shown


class SheetRows:
    """One sheet's rows as lists of text cells, as `csv.reader` gives a CSV file's: the first
    row with anything in it is the header; `line_num` is the sheet row of the last row given.

    Rows with nothing in them are not given, nor are any after the last filled one; a run of
    them between two filled rows is given as one empty row whose `line_num` is the run's last
    row, so that a reader that counts a row's line from the one before (`line_num + 1`) still
    counts right. The header is its filled cells (an empty column is no column); each data row
    has the cells under them, then the filled cells under no name, in sheet order, with
    trailing empty cells dropped past the header's width. So a row costs the cells it holds,
    whatever column they are in (a value in XFD does not make a row 16,384 cells long).

    A formula with no saved value in a column that is read raises `CellError` for its row, and
    the reader goes on with the next row. When the rows are exhausted, numbers met in an ID
    column are said in one warning."""

    def __init__(
        self,
        file_name: str,
        rows: Iterator[tuple[int, list[_Cell]]],
        reading: Reading,
        *,
        columns: Collection[str] = (),
        ids: Collection[str] = (),
        key: str | None = None,
    ) -> None:
        self.file_name = file_name
        self._key = key or file_name  # the file, for a warning said once a run
        self._reading = reading  # where the warning is said
        self.line_num = 0
        self._rows = rows
        self._columns = {name.lower() for name in columns}
        self._ids = {name.lower() for name in ids}
        self._names: dict[int, str] | None = None  # the header: sheet column -> its name
        self._held: tuple[int, list[str] | CellError] | None = None  # given after a gap
        self._numbers: dict[str, list[tuple[int, str]]] = {}  # ID column -> (row, text)

    def __iter__(self) -> SheetRows:
        return self

    def __next__(self) -> list[str]:
        if self._held is not None:
            number, found = self._held
            self._held = None
        else:
            after_header = self._names is not None
            while True:
                try:
                    read = next(self._rows, None)
                except Exception as exc:  # a sheet whose XML breaks off midway
                    raise _unreadable(self.file_name, exc) from None
                if read is None:
                    self._warn_numbers()
                    raise StopIteration
                number, cells = read
                outcome = self._row(number, cells)
                if outcome is not None:
                    found = outcome
                    break
            if after_header and number > self.line_num + 1:
                # The rows between were empty: one empty row stands for them all.
                self._held = (number, found)
                self.line_num = number - 1
                return [""] * len(self._names or ())
        self.line_num = number
        if isinstance(found, CellError):
            raise found
        return found

    def _row(self, number: int, cells: list[_Cell]) -> list[str] | CellError | None:
        """Row `number`'s text cells, its error, or None for a row with nothing in it (and
        every row before the header that has nothing in it)."""
        texts = {cell.column: _text(cell.value) for cell in cells}
        filled = sorted(column for column, text in texts.items() if text.strip())
        names = self._names
        if names is None:
            if not filled:
                return None  # leading empty rows are skipped: the header is the first filled
            unsaved = next((cell for cell in cells if cell.unsaved), None)
            if unsaved is not None:  # every header cell is read
                return self._unsaved(number, unsaved.column, None)
            self._names = {column: texts[column].strip().lower() for column in filled}
            return [texts[column] for column in filled]
        for cell in cells:
            if cell.unsaved and names.get(cell.column, "") in self._columns:
                return self._unsaved(number, cell.column, names[cell.column])
        if not filled:
            return None
        row = [texts.get(column, "") for column in names]
        row += [texts[column] for column in filled if column not in names]
        while row and not row[-1].strip():
            row.pop()
        values = {cell.column: cell.value for cell in cells}
        for column, name in names.items():
            if name not in self._ids or column not in values:
                continue
            value = values[column]
            if _is_number(value):
                self._numbers.setdefault(name, []).append((number, texts[column]))
            elif isinstance(value, date | time):
                # Excel turns some IDs into dates as they are typed (1-2 becomes 2 January):
                # what was typed cannot be told back, so the row is refused.
                return CellError(
                    msg(
                        N_(
                            "column {name!r}, cell {cell}: a date ({date}), not an ID: Excel "
                            "turned what was typed into a date; format the column as Text and "
                            "retype it"
                        ),
                        name=name,
                        cell=f"{_column_letter(column)}{number}",
                        date=texts[column],
                    ),
                    where=msg(FILE_LINE, file=self.file_name, line=number),
                )
        return row + [""] * (len(names) - len(row))

    def _unsaved(self, number: int, column: int, name: str | None) -> CellError:
        """The refusal of a formula cell with no saved value."""
        cell = f"{_column_letter(column)}{number}"
        said = msg(
            N_(
                "cell {cell}: a formula with no saved value; open the workbook in Excel or WPS "
                "and save it, or type the value"
            ),
            cell=cell,
        )
        if name:
            said = msg(
                N_(
                    "column {name!r}, cell {cell}: a formula with no saved value; open the "
                    "workbook in Excel or WPS and save it, or type the value"
                ),
                name=name,
                cell=cell,
            )
        return CellError(said, where=msg(FILE_LINE, file=self.file_name, line=number))

    def _warn_numbers(self) -> None:
        """One warning for the numbers met in ID columns: read as their digits, but an ID's
        leading zeros cannot be recovered from a number."""
        for name, found in self._numbers.items():
            shown = ", ".join(str(row) for row, _ in found[:SHOWN_ROWS])
            more = len(found) - SHOWN_ROWS
            rows: Text = (
                shown if more <= 0 else msg(N_("{names} and {count} more"), names=shown, count=more)
            )
            first = found[0][1]
            self._reading.warning(
                msg(
                    N_(
                        "{file} column {name} holds numbers, not text, on row(s) {rows}, read as "
                        "their digits (e.g. {first}); a number keeps no leading zeros (0042 is "
                        "stored as 42): check those IDs, format the column as Text and retype them"
                    ),
                    file=self.file_name,
                    name=repr(name),
                    rows=rows,
                    first=repr(first),
                ),
                key=f"{self._key}:numbers:{name}",
            )
        self._numbers = {}


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
