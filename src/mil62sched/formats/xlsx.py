"""Excel workbook (.xlsx): the CSV's columns and values, as typed cells a spreadsheet keeps.

One sheet, one header row and one row per infusion (per agenda line), the columns and values of
the CSV format (`csv_rows.HEADER`, `contract.AGENDA_COLUMNS`), but typed: participant IDs and
every other text as text cells (`0042` stays `0042`; text starting with `=`, `+`, `-` or `@` is
text, never a formula), dates as date cells shown yyyy-mm-dd, booleans as booleans, numbers as
numbers. The header is frozen, the table has an autofilter, the columns a width for their
content. The sheet's name and the workbook's title say whether it is UNBLINDED (for the
unblinded pharmacist), Blinded or Open-label, so that nobody takes one for the other.

The bytes are reproducible: the workbook's created and modified times and its zip entries'
times are the export instant (`Presentation.stamp`, SOURCE_DATE_EPOCH), where openpyxl would
write the clock's time.

openpyxl is imported inside the functions that write a workbook, never at start-up.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from mil62sched import i18n
from mil62sched.errors import UsageError
from mil62sched.formats import Format
from mil62sched.formats.contract import AGENDA_COLUMNS, agenda_lines, plan_fields, plan_visits
from mil62sched.formats.csv_rows import HEADER
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import UNBLINDED_NOTICE
from mil62sched.messages import N_, Message, msg
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from mil62sched.model.agenda import Agenda

# The columns that hold a date (an ISO date in the CSV): date cells here, which openpyxl shows
# yyyy-mm-dd (its format for a date).
DATE_COLUMNS = frozenset(
    {"start", "date", "protocol_date", "window_start", "window_end", "proposed_date",
     "actual_date", "period_start"}
)  # fmt: skip
# Characters wide enough for each column's usual content; others get their header's width.
WIDTHS = {
    "protocol": 12, "arm": 24, "masking": 11, "participant": 14, "code": 10, "weekday": 10,
    "treatment": 34, "period": 9, "non_working_reason": 20, "status": 9, "note": 48,
    "flags": 36,
} | dict.fromkeys(DATE_COLUMNS, 11)  # fmt: skip
# What a spreadsheet would run as a formula (the CSV format quotes the same with an apostrophe).
FORMULA_LIKE = ("=", "+", "-", "@")
# Characters no .xlsx cell may hold (XML 1.0 forbids them): shown as U+FFFD.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MOST_ROWS = 1_048_576  # a worksheet's rows, the header's included (Excel's limit)
# A cell's text, in UTF-16 units as Excel counts them (Excel's limit). openpyxl cuts longer text
# without a word; a cut name or note would be a wrong answer, so such an output is refused.
MOST_CELL_CHARACTERS = 32_767
UNBLINDED_COLOUR = "C00000"  # the sheet's tab: red, as the terminal's UNBLINDED banner

# How each masking is named on the sheet and in the title (before the name of what the sheet
# holds), and what the workbook says of it.
LABELS = {"unblinded": "UNBLINDED", "blinded": "Blinded", "open-label": "Open-label"}
LABELLED = {
    "unblinded": N_("UNBLINDED {name}"),
    "blinded": N_("Blinded {name}"),
    "open-label": N_("Open-label {name}"),
}
SUBJECTS = {
    "unblinded": UNBLINDED_NOTICE,
    "blinded": N_("Blinded: reveals no treatment assignment."),
    "open-label": N_("Open-label: no assignment to hide."),
}


def _masking(found: Iterable[str]) -> str:
    """The masking a whole output has: unblinded if any part is, else blinded if any part is
    (open-label parts hide nothing either), else open-label."""
    seen = set(found)
    for masking in ("unblinded", "blinded"):
        if masking in seen:
            return masking
    return "open-label" if seen else "blinded"


def plan_rows(plan: Plan, over_full: Container[date] | None = None) -> Iterator[list[object]]:
    """One row per infusion in `csv_rows.HEADER`'s order: the contract's values (the plan's,
    then the visit's, which win where both have a field, as in the CSV), typed (dates as
    dates, booleans, numbers; None for an empty cell)."""
    head = plan_fields(plan)
    for visit in plan_visits(plan, over_full):
        fields = {**head, **visit}
        yield [_typed(name, fields[name]) for name in HEADER]


def agenda_rows(agenda: Agenda) -> Iterator[list[object]]:
    """One row per agenda line in `contract.AGENDA_COLUMNS`' order, typed; flags joined by
    '; ' as in the CSV (the participants with no recorded visit first, as there)."""
    for fields in agenda_lines(agenda):
        fields["flags"] = "; ".join(fields["flags"])
        yield [_typed(name, fields[name]) for name in AGENDA_COLUMNS]


def _typed(column: str, value: object) -> object:
    if column in DATE_COLUMNS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


class Naming(NamedTuple):
    """What a workbook is called: its masking (`LABELS`), title and keywords."""

    masking: str
    title: Message | str
    keywords: tuple[str, ...] = ()


def render(
    plan: Plan, presentation: Presentation = PLAIN, over_full: Container[date] | None = None
) -> bytes:
    """One participant's plan as a workbook."""
    who = plan.participant or plan.arm.name
    naming = Naming(
        plan.arm.masking,
        f"{plan.protocol.id} schedule {who}",
        (plan.protocol.id, plan.protocol.registry),
    )
    return _workbook(
        HEADER,
        plan_rows(plan, over_full),
        "schedule",
        lambda: naming,
        _stamp(presentation),
        loud=plan.unblinded,
    )


def write_many(
    plans: Iterable[Plan],
    presentation: Presentation,
    stream: IO[bytes],
    over_full: Container[date] | None = None,
) -> None:
    """Every plan's rows under one header, in one workbook written to `stream` when all are in
    (a workbook is a zip, written whole); the sheet says UNBLINDED if any plan is. The roster's
    name (`Presentation.heading`, read ahead of the plans) titles it, and its tab is red when
    that name says UNBLINDED."""
    maskings: set[str] = set()
    protocols: dict[str, str] = {}  # id -> registry

    def rows() -> Iterator[list[object]]:
        for plan in plans:
            maskings.add(plan.arm.masking)
            protocols.setdefault(plan.protocol.id, plan.protocol.registry)
            yield from plan_rows(plan, over_full)

    heading = presentation.heading or ""
    # The roster's name says UNBLINDED in the run's language ("非盲 UNBLINDED ..." in Chinese).
    loud_prefix = i18n.words(presentation.lang)(LABELLED["unblinded"], name="")
    loud = heading.startswith(loud_prefix)

    def naming() -> Naming:  # known once every plan has been read
        keywords = tuple(name for pair in protocols.items() for name in pair)
        title = heading.removeprefix(loud_prefix) or " ".join([*protocols, "roster"])
        return Naming(_masking(maskings), title, keywords)

    stream.write(_workbook(HEADER, rows(), "roster", naming, _stamp(presentation), loud=loud))


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> bytes:
    """The agenda as a workbook, one row per visit."""
    masking = "unblinded" if agenda.unblinded else _masking(i.masking for i in agenda.items)
    title = msg(N_("agenda {start} to {end}"), start=agenda.start, end=agenda.end)
    return _workbook(
        AGENDA_COLUMNS,
        agenda_rows(agenda),
        msg(N_("agenda")),
        lambda: Naming(masking, title),
        _stamp(presentation),
        loud=masking == "unblinded",
        lang=presentation.lang,
    )


def workbook(
    columns: Sequence[str],
    rows: Iterator[list[object]],
    what: str,
    naming: Naming,
    stamp: datetime,
) -> bytes:
    """A workbook of one sheet of `rows` under `columns` (values already typed), named as
    `naming` says (its sheet `<masking> <what>`), its times `stamp`: another output's table
    (`formats.changes`) written as the plans' are."""
    loud = naming.masking == "unblinded"
    return _workbook(columns, rows, what, lambda: naming, stamp, loud=loud)


def _stamp(presentation: Presentation) -> datetime:
    """The export instant in UTC, whole seconds: the presentation's, else now."""
    stamp = presentation.stamp or datetime.now(UTC)
    return stamp.astimezone(UTC).replace(microsecond=0)


def _workbook(
    columns: Sequence[str],
    rows: Iterator[list[object]],
    what: Message | str,
    naming: Callable[[], Naming],
    stamp: datetime,
    *,
    loud: bool = False,
    lang: str = "en",
) -> bytes:
    """A workbook of one sheet: the header, then `rows`; named `naming()` once the rows are
    written (a roster's masking is known when every plan has been read). `loud`: known to be
    unblinded before the rows, so the tab is red (openpyxl writes it before the first row).
    `lang`: the language of its names (sheet, title, subject); never of its columns."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.freeze_panes = "A2"
    if loud:
        sheet.sheet_properties.tabColor = UNBLINDED_COLOUR
    for number, name in enumerate(columns, 1):
        width = max(WIDTHS.get(name, 0), len(name)) + 2
        sheet.column_dimensions[get_column_letter(number)].width = width
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 1
    try:
        for row in rows:
            count += 1
            if count > MOST_ROWS:
                raise UsageError(
                    msg(
                        N_("a worksheet holds at most {most:,} rows, and this output has more"),
                        most=MOST_ROWS,
                    ),
                    accepted=msg(
                        N_("use --format csv, or --split for one workbook per participant")
                    ),
                )
            _check_lengths(columns, row)
            sheet.append(_row(sheet, row))
    except BaseException:
        # A write-only sheet left open complains on stderr when it is collected: close it.
        with contextlib.suppress(Exception):
            book.save(io.BytesIO())
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"

    named = naming()
    labelled = LABELLED[named.masking]
    sheet.title = i18n.render(msg(labelled, name=what), lang)
    properties = book.properties
    properties.title = i18n.render(msg(labelled, name=named.title), lang)
    properties.subject = properties.description = i18n.render(msg(SUBJECTS[named.masking]), lang)
    properties.keywords = ", ".join(named.keywords)
    properties.creator = properties.lastModifiedBy = "mil62sched"
    properties.created = properties.modified = stamp.replace(tzinfo=None)  # naive UTC
    out = io.BytesIO()
    book.save(out)
    return _reproducible(out.getvalue(), stamp)


def _check_lengths(columns: Sequence[str], values: list[object]) -> None:
    """Refuse a row with text longer than a cell holds, naming its participant (else its arm),
    visit and column."""
    for name, value in zip(columns, values, strict=False):
        # A character is one or two UTF-16 units: only text of more than half the limit can be
        # too long, and only that is measured.
        if not isinstance(value, str) or len(value) <= MOST_CELL_CHARACTERS // 2:
            continue
        units = len(value.encode("utf-16-le")) // 2
        if units <= MOST_CELL_CHARACTERS:
            continue
        fields = dict(zip(columns, values, strict=False))
        who = fields.get("participant") or fields.get("arm")
        visit = " ".join(str(part) for part in (who, fields.get("code")) if part)
        raise UsageError(
            msg(
                N_(
                    "column {name!r} holds {count:,} characters, and a workbook cell holds at most "
                    "{most:,}"
                ),
                name=name,
                count=units,
                most=MOST_CELL_CHARACTERS,
            ),
            accepted=msg(N_("use --format csv or json, which keep text of any length")),
            where=visit or None,
        )


def _row(sheet: Any, values: list[object]) -> list[object]:
    """A row as appended to a write-only sheet: text as text cells, never formulas."""
    return [_cell(sheet, value) for value in values]


def _cell(sheet: Any, value: object) -> object:
    if not isinstance(value, str):
        return value
    text = _NOT_IN_XML.sub("\ufffd", value)
    if not text.startswith(FORMULA_LIKE):
        return text  # openpyxl keeps any other text as text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would take '=...' for a formula
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _reproducible(content: bytes, stamp: datetime) -> bytes:
    """The workbook with every zip entry dated `stamp` and its modified time `stamp`: openpyxl
    writes the clock's time into both when it saves."""
    import zipfile

    when = max(stamp, datetime(1980, 1, 1, tzinfo=UTC))  # the earliest time a zip can hold
    moment = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    written = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            copy = zipfile.ZipInfo(entry.filename, date_time=moment)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = entry.external_attr
            if entry.filename == "docProps/core.xml":
                part = source.read(entry).decode()
                target.writestr(copy, _MODIFIED.sub(rf"\g<1>{written}\g<2>", part).encode())
                continue
            # A roster's sheet may be hundreds of megabytes unpacked: copied, never held.
            with source.open(entry) as unpacked, target.open(copy, "w") as packed:
                shutil.copyfileobj(unpacked, packed, 1 << 20)
    return out.getvalue()


_MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


FORMAT = Format(
    name="xlsx",
    extensions=(".xlsx",),
    render=render,
    write_roster=write_many,
    render_agenda=render_agenda,
    named=True,  # the roster's name titles the workbook
    binary=True,
)
