"""Roster and actuals files: a site's participants and the visits they have had.

Both are CSV with a header, with Windows or Unix line endings, the way Excel saves them: UTF-8
with or without a BOM, UTF-16 with a BOM or GB18030 (see `inputs.open_input`); dates year first,
2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日 (`parse.parse_file_date`). Or a sheet of an
.xlsx workbook, whose rows `sheets` reads as the same text cells, through the same row checks.
Rows are read one at a time (a roster may hold 100,000 participants); a bad row becomes a
`RowError` naming the file, line and reason, so a caller can report every bad row at once.

Roster: `participant,arm,start` required; `escalate_at`, `window`, `amended_on` (the day the
participant re-consented to a protocol amendment) and the start of each later period of the
protocol's journeys, `<period>_start` (`olp_start` for MIL62-CT303's OLP), optional;
a column `..._start` that names no later period is refused (a start the site typed must not be
dropped while the period starts on an assumed day); other columns are kept by the spreadsheet
and ignored here.
Actuals: `participant,code,date` required; `status` optional, `done` (default) or `missed`
(a missed visit may leave `date` empty).
"""

from __future__ import annotations

import csv
import functools
import operator
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, NamedTuple

from mil62sched.engine import later_period
from mil62sched.errors import FILE_LINE, Mil62schedError, UsageError
from mil62sched.inputs import (
    Reading,
    cannot_read,
    input_lines,
    not_in_forced_encoding,
    open_input,
)
from mil62sched.messages import N_, Keyword, Listing, Localized, Message, Text, keywords, msg
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Records, VisitKey
from mil62sched.model.protocol import Protocol, Window, period_start_column
from mil62sched.parse import (
    check_participant,
    column_date,
    not_csv,
    parse_file_date,
    parse_visit_key,
    parse_window,
    runaway,
    runaway_quote,
)
from mil62sched.roster.participants import Participants
from mil62sched.sheets import CellError, RowReader, is_workbook, open_sheet

ROSTER_REQUIRED = ("participant", "arm", "start")
# and each later period's `<period>_start`
ROSTER_OPTIONAL = ("escalate_at", "window", "amended_on")
ACTUALS_REQUIRED = ("participant", "code", "date")
ACTUALS_OPTIONAL = ("status",)
STATUSES = ("done", "missed")


@dataclass(frozen=True)
class RowError:
    """One bad row: where it is and what is wrong with it."""

    file: str
    line: int
    reason: Text
    participant: str | None = None  # as typed on the row, when it had one

    def message(self) -> Message:
        """`roster.csv line 3: what is wrong`."""
        return msg(N_("{where}: {problem}"), where=msg(FILE_LINE, file=self.file, line=self.line),
                   problem=self.reason)  # fmt: skip

    def __str__(self) -> str:
        return str(self.message())


class Enrolment(NamedTuple):
    """One roster row: a participant, their arm and W1D1, and their own options (a NamedTuple,
    like the model's values: cheaper to build, once a row)."""

    line: int
    participant: str
    arm: str  # canonical arm name
    start: date
    escalate_at: VisitCode | None = None
    period_starts: tuple[tuple[str, date], ...] = ()
    window: Window | None = None
    amended_on: date | None = None  # the day they re-consented to an amendment


def open_csv(path: Path, reading: Reading) -> IO[str]:
    """Open a CSV file as Excel writes it: in the run's encoding (auto: UTF-8 with or without
    BOM, UTF-16 with BOM, else GB18030), any line ending."""
    try:
        return open_input(path, reading)
    except OSError as exc:
        raise cannot_read(path, exc) from None


@contextmanager
def open_table(path: Path, columns: Collection[str], reading: Reading) -> Iterator[RowReader]:
    """A roster or actuals file's rows as lists of text cells: a CSV file's as `csv.reader`
    reads them, an .xlsx workbook's chosen sheet's as `sheets.SheetRows` reads them (the
    `columns` that are read; a number in the participant column is warned about)."""
    if is_workbook(path):
        with open_sheet(path, reading, columns=columns, ids=("participant",)) as sheet:
            yield sheet
        return
    with open_csv(path, reading) as stream:
        yield csv.reader(input_lines(stream, path.name))


def read_roster(
    path: Path, protocol: Protocol, reading: Reading, participants: Participants | None = None
) -> Iterator[Enrolment | RowError]:
    """Each roster row as an Enrolment, or a RowError; duplicates are errors too. Every ID
    named (on good rows and bad) is added to `participants`."""
    participants = Participants() if participants is None else participants
    starts = period_start_columns(protocol)
    columns = roster_columns(protocol)

    def check(header: list[str]) -> None:
        for name in header:
            if name.endswith("_start") and name not in starts:
                raise UsageError(
                    msg(
                        N_(
                            "column {name!r} names no later period of {protocol}: accepted: {names}"
                        ),
                        name=name,
                        protocol=protocol.id,
                        names=keywords(columns),
                    ),
                    where=msg(FILE_LINE, file=path.name, line=1),
                )

    with open_table(path, columns, reading) as reader:
        for line, row in table_rows(path, reader, reading, columns, ROSTER_REQUIRED, check):
            if isinstance(row, RowError):
                if row.participant:
                    participants.add(row.participant, line)
                yield row
                continue
            try:
                enrolment = _enrolment(line, row, protocol, starts)
            except Mil62schedError as exc:
                named = row[0].strip()  # the participant column comes first (`roster_columns`)
                participants.add(named, line)
                yield RowError(path.name, line, exc.message(), named)
                continue
            earlier = participants.add(enrolment.participant, line)
            if earlier is not None:
                first, spelling = earlier
                again = msg(
                    N_("duplicate participant {participant!r} (first on line {line})"),
                    participant=enrolment.participant,
                    line=first,
                )
                if spelling != enrolment.participant:
                    again = msg(
                        N_(
                            "duplicate participant {participant!r} (first on line {line}, as "
                            "{spelling!r}: IDs are compared ignoring case)"
                        ),
                        participant=enrolment.participant,
                        line=first,
                        spelling=spelling,
                    )
                yield RowError(path.name, line, again, enrolment.participant)
                continue
            yield enrolment


# Each participant's recorded visits (keyed as typed) and the line each was read from, in file
# order: a refusal of one of them names its line without searching the file for it.
ActualLines = dict[str, dict[VisitKey, int]]


def read_actuals(
    path: Path, reading: Reading
) -> tuple[dict[str, Records], ActualLines, list[RowError]]:
    """Recorded visits per participant, the line of each (per participant), and the bad rows.

    Participants are keyed by their first spelling in the file; the caller matches them to the
    roster ignoring case, and checks that each participant and code exist.
    """
    actual: dict[str, dict[VisitKey, date]] = {}
    missed: dict[str, set[VisitKey]] = {}
    seen: ActualLines = {}
    errors: list[RowError] = []
    # IDs are compared ignoring case and spaces around them, as on the roster: each participant
    # is kept under the first spelling met.
    spelling: dict[str, str] = {}
    # Each ID as typed -> its participant: a participant's rows repeat it, checked once.
    known: dict[str, str] = {}
    # Each date as typed -> the day: a file repeats a few thousand days, parsed once each.
    dates: dict[str, date] = {}
    columns = ACTUALS_REQUIRED + ACTUALS_OPTIONAL
    with open_table(path, columns, reading) as reader:
        for line, row in table_rows(path, reader, reading, columns, ACTUALS_REQUIRED):
            if isinstance(row, RowError):
                errors.append(row)
                continue
            named, code, day, status_cell = row
            try:
                typed = named.strip()
                participant = known.get(typed)
                if participant is None:
                    check_participant(typed)
                    participant = spelling.setdefault(typed.casefold(), typed)
                    known[typed] = participant
                key = _visit_key(code)
                status = (status_cell or "done").strip().lower()
                if status not in STATUSES:
                    raise UsageError(
                        msg(
                            N_("invalid {what} {value!r}: use {names}"),
                            what=Keyword("status"),
                            value=status_cell,
                            names=Listing(keywords(STATUSES), "or"),
                        )
                    )
                when = None
                if status == "done" or day.strip():
                    when = dates.get(day)
                    if when is None:
                        when = dates[day] = parse_file_date(day)
            except UsageError as exc:
                errors.append(RowError(path.name, line, exc.message()))
                continue
            lines = seen.setdefault(participant, {})
            if key in lines:
                errors.append(
                    RowError(
                        path.name,
                        line,
                        msg(
                            N_("{participant} {visit} is recorded twice (first on line {line})"),
                            participant=participant,
                            visit=str(key),
                            line=lines[key],
                        ),
                    )
                )
                continue
            lines[key] = line
            if status == "missed":
                missed.setdefault(participant, set()).add(key)
            else:
                assert when is not None
                actual.setdefault(participant, {})[key] = when
    none: frozenset[VisitKey] = frozenset()
    records = {
        who: Records(actual.get(who, {}), frozenset(missed[who]) if who in missed else none)
        for who in actual.keys() | missed.keys()
    }
    return records, seen, errors


def period_start_columns(protocol: Protocol) -> dict[str, str]:
    """The roster column of each later period of the protocol's journeys, with its period."""
    return {period_start_column(period): period for period in protocol.later_periods}


def roster_columns(protocol: Protocol) -> tuple[str, ...]:
    """Every column a roster of `protocol` may have, the required ones first."""
    return (
        *ROSTER_REQUIRED, "escalate_at", *period_start_columns(protocol), "window", "amended_on",
    )  # fmt: skip


def _enrolment(
    line: int, row: tuple[str, ...], protocol: Protocol, starts: dict[str, str]
) -> Enrolment:
    """A roster row's cells, in the order of `roster_columns`, as an Enrolment."""
    participant, arm_name, start, escalate, *period_cells, window, amended_on = row
    arm = protocol.arm(arm_name)
    period_starts = []
    for (column, period), cell in zip(starts.items(), period_cells, strict=True):
        given = cell.strip()
        if given:
            named = later_period(protocol, arm, period, field=column)
            period_starts.append((named, parse_file_date(given, column_date(column))))
    escalate, window, amended_on = escalate.strip(), window.strip(), amended_on.strip()
    return Enrolment(
        line=line,
        participant=check_participant(participant.strip()),
        arm=arm.name,
        start=parse_file_date(start, column_date("start")),
        escalate_at=VisitCode.parse(escalate) if escalate else None,
        period_starts=tuple(period_starts),
        window=_window(window) if window else None,
        amended_on=parse_file_date(amended_on, "amended_on date") if amended_on else None,
    )


@functools.lru_cache(maxsize=256)
def _visit_key(text: str) -> VisitKey:
    """`parse_visit_key` of an actuals file's code, once for each spelling (a file repeats a
    few dozen, such as W3D1 and RCP:W3D1)."""
    return parse_visit_key(text, Keyword("code"))


@functools.lru_cache(maxsize=64)
def _window(text: str) -> Window:
    """`parse_window`, once for each spelling (a roster repeats a few, such as 3 and 2,4)."""
    return parse_window(text)


def table_rows(
    path: Path,
    reader: RowReader,
    reading: Reading,
    wanted: tuple[str, ...],
    required: tuple[str, ...],
    check: Callable[[list[str]], None] | None = None,
) -> Iterator[tuple[int, tuple[str, ...] | RowError]]:
    """(line, the cells of the `wanted` columns, in that order, "" where the file has no such
    column) for each data row, or a RowError; blank rows are skipped. The lines of a workbook
    are its sheet's rows. The `required` columns are among the `wanted` ones. `check` may
    refuse the header's column names."""
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise _not_utf8(path, reading) from None
    except csv.Error as exc:
        raise UsageError(
            Localized(f"not a CSV file ({exc})", {"zh": msg(N_("not a CSV file ({said!r})"),
                                                             said=str(exc))}),
            where=msg(FILE_LINE, file=path.name, line=1),
        ) from None  # fmt: skip
    first_line = msg(FILE_LINE, file=path.name, line=1)
    if header is None:
        raise UsageError(
            msg(N_("empty file: the first line must name the columns")), where=first_line
        )
    columns = [cell.strip().lower() for cell in header]
    twice = sorted({name for name in columns if name and columns.count(name) > 1})
    if twice:
        raise UsageError(
            msg(N_("column {name!r} is named twice: which one holds the value?"), name=twice[0]),
            where=first_line,
        )
    missing = [name for name in required if name not in columns]
    if missing:
        raise missing_column(path.name, missing[0], required)
    if check is not None:
        check(columns)
    width = len(columns)
    # A row's cells are picked by position, cheaper than a dict a row (an actuals file has
    # hundreds of thousands): a column the file lacks is an empty cell put after the last one.
    assert len(wanted) > 1  # itemgetter of one position gives the cell itself, not a tuple
    pick = operator.itemgetter(*[columns.index(n) if n in columns else width for n in wanted])
    # A missed visit may have no date.
    filled = [(at, name) for at, name in enumerate(wanted) if name in required and name != "date"]
    while True:
        # A quoted cell may hold line breaks: a row is reported at the line it starts on.
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield first, RowError(path.name, first, not_csv(exc))
            continue
        except CellError as exc:
            yield first, RowError(path.name, first, exc.reason)
            continue
        except UnicodeDecodeError:
            raise _not_utf8(path, reading) from None
        if not "".join(cells).strip():
            continue
        if reader.line_num > first:  # a quoted cell ran over several lines
            swallowed = runaway_quote(cells, len(columns))
            if swallowed is not None:
                reason = runaway(reader.line_num, swallowed)
                yield first, RowError(path.name, first, reason, _who(columns, cells))
                continue
        if len(cells) < width:
            absent = columns[len(cells)]
            if absent in required:
                yield (
                    first,
                    RowError(path.name, first, msg(N_("missing {name!r}"), name=absent),
                             _who(columns, cells)),
                )  # fmt: skip
                continue
            cells = cells + [""] * (width - len(cells))
        row: tuple[str, ...] = pick([*cells, ""])
        for at, name in filled:
            if not row[at].strip():
                yield (
                    first,
                    RowError(path.name, first, msg(N_("empty {name!r}"), name=name),
                             _who(columns, cells)),
                )  # fmt: skip
                break
        else:
            yield first, row


def _not_utf8(path: Path, reading: Reading) -> UsageError:
    """The refusal of a file that is not UTF-8, naming the line and byte of the first bad byte
    in the file (a decoding error gives its place only within the chunk being decoded)."""
    forced = not_in_forced_encoding(path.name, reading)
    if forced is not None:
        return forced
    content = path.read_bytes()
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if content.startswith(b"\xef\xbb\xbf") else 0)
        line = content.count(b"\n", 0, start) + 1
        column = start - (content.rfind(b"\n", 0, start) + 1) + 1
        return UsageError(
            msg(
                N_(
                    "not UTF-8 text (byte {byte} of the file, {column} of the line: {hex}); save "
                    "it as UTF-8 CSV"
                ),
                byte=start + 1,
                column=column,
                hex=content[start : start + 1].hex(),
            ),
            where=msg(FILE_LINE, file=path.name, line=line),
        )
    return UsageError(msg(N_("not UTF-8 text; save it as UTF-8 CSV")), where=path.name)


def missing_column(file: str, name: str, required: Sequence[str]) -> UsageError:
    """A file whose header lacks the column `name` of the `required` ones."""
    return UsageError(
        msg(
            N_("missing column {name!r}: the header needs {names}"),
            name=name,
            names=keywords(required),
        ),
        where=msg(FILE_LINE, file=file, line=1),
    )


def _who(columns: list[str], cells: list[str]) -> str | None:
    """The participant a row names, if it has one."""
    if "participant" not in columns:
        return None
    index = columns.index("participant")
    return cells[index].strip() or None if index < len(cells) else None
