"""The site's working days: weekends, public holidays and official adjusted working days.

Public holidays come from the `holidays` package for the site's country. In mainland China the
State Council also turns some weekend days into working days (adjusted working days, 调休); the
package records them and `SiteCalendar` honours them. A site can add to or override the package's
data with a CSV file (`load_overrides`), e.g. the day the next year's notice is published.

`SiteCalendar(None)` switches the check off completely (the CLI's `--no-holidays`): every day is
a working day and nothing is provisional.

>>> SiteCalendar(None).status(date(2025, 10, 1))
DayStatus(working=True, reason=None, provisional=False, make_up=False)

What the package says about a country's years is kept in a per-user cache entry, so that a
run that finds its years there never imports `holidays` (see `holiday_data`). The site's
overrides are applied on top at run time, never cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple

from mil62sched.errors import FILE_LINE, UsageError, os_problem
from mil62sched.inputs import Reading, input_lines, not_in_forced_encoding, open_input
from mil62sched.messages import N_, Keyword, Localized, Message, Text, lines, msg
from mil62sched.model.plan import DayStatus, search_order
from mil62sched.parse import (
    CONTROL_CHARACTER,
    UNKNOWN_COUNTRY,
    more_bad_rows,
    not_csv,
    parse_file_date,
    runaway,
    runaway_quote,
)
from mil62sched.site.holiday_data import PackageYear, country_years, is_supported

Kind = Literal["holiday", "workday"]
_KINDS: dict[str, Kind] = {"holiday": "holiday", "workday": "workday"}
OVERRIDE_COLUMNS = ("date", "name", "kind")


class Override(NamedTuple):
    """One row of a site's override file: a day off or a working day, with its name."""

    name: str
    kind: Kind


class SiteCalendar:
    """The working days of a site in one country, with the site's overrides on top.

    `country` is an ISO 3166-1 alpha-2 code known to the `holidays` package ("CN"), or None for
    no check at all. An override decides its day outright: `holiday` makes it a day off with the
    file's name (replacing the package's name), `workday` makes it a working day (a make-up
    working day when the package has it as a plain weekend day). The weekend is the country's
    weekend as the package defines it (Saturday and Sunday for China).
    """

    def __init__(
        self, country: str | None, overrides: Mapping[date, Override] | None = None
    ) -> None:
        if country is None and overrides:
            raise UsageError(
                msg(
                    N_(
                        "a holiday override file needs the working-day check, which is off "
                        "(--no-holidays)"
                    )
                )
            )
        self.country = None if country is None else _check_country(country)
        self.overrides: dict[date, Override] = dict(overrides or {})
        self._override_years = {day.year for day in self.overrides}
        # A roster asks about the same few thousand days again and again: answer each once.
        self._days: dict[date, DayStatus] = {}
        self._years: dict[int, bool] = {}

    def status(self, day: date) -> DayStatus:
        """Whether the site works on `day`; an adjusted working Sunday is working, reason None,
        and a make-up working day (`DayStatus.make_up`)."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._status(day)
        return known

    def _status(self, day: date) -> DayStatus:
        if self.country is None:
            return DayStatus(working=True, reason=None, provisional=False)
        provisional = self.provisional(day.year)
        override = self.overrides.get(day)
        if override is not None and override.kind == "holiday":
            # The site file's own name, as written, in every language.
            named = Localized(override.name, {"zh": override.name})
            return DayStatus(working=False, reason=named, provisional=provisional)
        year = country_years(self.country).year(day.year)
        if override is not None:  # a workday
            # A make-up working day when the package has it as one, or as a plain weekend day;
            # not a holiday the site works (a weekday has no "weekend" name).
            make_up = year.is_make_up_day(day) or (
                not year.is_working_day(day) and year.day_off_name(day) == "weekend"
            )
            return DayStatus(True, None, provisional, make_up)
        if year.is_working_day(day):
            return DayStatus(True, None, provisional, year.is_make_up_day(day))
        return DayStatus(working=False, reason=_day_off(year, day), provisional=provisional)

    def provisional(self, year: int) -> bool:
        """Whether `year`'s working days may still change because its official list is missing.

        A year is official when the installed package lists adjusted working days (weekend days
        made working days) for it or for years on both sides of it: for China 2001 up to the
        last year published in the package. A country that never moves working days ("DE") is
        provisional only outside the years the package computes (`holiday_data.official_years`).
        A year with at least one row in the override file is not provisional: the file is taken
        as the site's word on that year. With the check off (country None) nothing is
        provisional.

        Caveat: a late-December day can still change with the next year's notice (China's 2002
        notice made Saturday 2001-12-29 a working day); such days are not flagged.
        """
        known = self._years.get(year)
        if known is None:
            known = self._years[year] = self._provisional(year)
        return known

    def _provisional(self, year: int) -> bool:
        if self.country is None or year in self._override_years:
            return False
        return country_years(self.country).year(year).provisional

    def nearest_working_day(self, target: date, before: int, after: int) -> date | None:
        """Search target, target+1, target-1, target+2, target-2, ... staying within
        [target-before, target+after]; None when no working day fits.

        >>> SiteCalendar(None).nearest_working_day(date(2025, 10, 3), 3, 3)
        datetime.date(2025, 10, 3)
        """
        if before < 0 or after < 0:
            raise ValueError(f"window must not be negative: before={before}, after={after}")
        for day in search_order(target, before, after):
            if self.status(day).working:
                return day
        return None


# A plain weekend day's reason: "weekend" in the contracts, and said in the reader's language.
WEEKEND = Localized(N_("weekend"))


# The package's English name of a day off given in exchange for a weekend day worked (its dates
# made ISO by `holiday_data`): said as a Chinese site says it, 调休放假（2月28日上班）.
_SUBSTITUTED = re.compile(r"Day off \(substituted from ([0-9]{4})-([0-9]{2})-([0-9]{2})\)")


def _day_off(year: PackageYear, day: date) -> Localized:
    """Why the package has `day` off: its holiday's name(s) in English, with the package's
    Chinese name of the day (a day off in exchange for a working weekend day: ours, naming the
    day worked); or the weekend."""
    english = year.day_off_name(day)
    if english == "weekend":
        return WEEKEND
    worked = _SUBSTITUTED.fullmatch(english)
    if worked is not None:
        said = msg(
            N_("day off in exchange for the weekend day worked on {month}/{day}"),
            month=int(worked[2]),
            day=int(worked[3]),
        )
        return Localized(english, {"zh": said})
    chinese = year.names_zh.get(day.isoformat())
    return Localized(english, {"zh": chinese} if chinese else None)


def load_overrides(path: Path, reading: Reading) -> dict[date, Override]:
    """Read a site's override file: CSV with header date,name,kind, in the run's encoding (see
    `inputs.open_input`: UTF-8 with or without BOM, UTF-16 with BOM or GB18030), or a sheet of an
    .xlsx workbook with those columns (`sheets`; its lines are the sheet's rows).

    Any bad row is a UsageError naming the file, the line and the reason.
    """
    import csv  # only for a site's override file

    from mil62sched.sheets import is_workbook, open_sheet

    if is_workbook(path):
        with open_sheet(path, reading, columns=OVERRIDE_COLUMNS) as sheet:
            return _parse_overrides(path.name, sheet)
    try:
        # Opened with newline="": csv handles CRLF and LF alike (and newlines in quoted names).
        with open_input(path, reading) as stream:
            return _parse_overrides(path.name, csv.reader(input_lines(stream, path.name)))
    except UnicodeDecodeError as error:
        forced = not_in_forced_encoding(path.name, reading)
        if forced is not None:
            raise forced from None
        raise UsageError(
            msg(N_("not UTF-8 text (byte {byte}); save the file as UTF-8 CSV"), byte=error.start),
            where=path.name,
        ) from None
    except OSError as error:
        raise UsageError(
            msg(
                N_("cannot read override file {path}: {problem}"),
                path=str(path),
                problem=os_problem(error),
            )
        ) from None


def _parse_overrides(file_name: str, reader: Any) -> dict[date, Override]:
    """Check the header and every row of an override file (`reader` is a csv.reader, or a
    workbook's `sheets.SheetRows`)."""
    import csv  # only for a site's override file

    from mil62sched.parse import control_character
    from mil62sched.sheets import CellError

    def control_in(name: str) -> str | None:
        # Tabs and line breaks are white space (a quoted name may span lines).
        return control_character(name, line_breaks=True)

    def fail(reason: Text) -> UsageError:
        return UsageError(reason, where=msg(FILE_LINE, file=file_name, line=reader.line_num))

    expected = ",".join(OVERRIDE_COLUMNS)
    overrides: dict[date, Override] = {}
    said: Text
    first_line: dict[date, int] = {}
    problems: list[UsageError] = []  # every bad row, reported together (as a roster's)
    try:
        header = next(reader, None)
        if header is None:
            raise UsageError(
                msg(N_("empty file: the first line must be {columns}"), columns=Keyword(expected)),
                where=msg(FILE_LINE, file=file_name, line=1),
            )
        columns = [cell.strip() for cell in header]
        if sorted(columns) != sorted(OVERRIDE_COLUMNS):
            missing = [name for name in OVERRIDE_COLUMNS if name not in columns]
            header_is = ",".join(columns)
            if missing:
                said = msg(
                    N_("header {header!r}: missing column {name!r}; use {columns}"),
                    header=header_is,
                    name=missing[0],
                    columns=Keyword(expected),
                )
            else:
                said = msg(
                    N_("header {header!r}: unexpected columns; use {columns}"),
                    header=header_is,
                    columns=Keyword(expected),
                )
            raise fail(said)
        position = {name: columns.index(name) for name in OVERRIDE_COLUMNS}
        started = reader.line_num + 1  # the line the next row starts on
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except CellError as error:  # a workbook's cell that cannot be read: a bad row
                problems.append(fail(error.reason))
                started = reader.line_num + 1
                continue
            opened, started = started, reader.line_num + 1
            swallowed = runaway_quote(row, len(columns)) if reader.line_num > opened else None
            if swallowed is not None:
                problems.append(
                    UsageError(
                        runaway(reader.line_num, swallowed),
                        where=msg(FILE_LINE, file=file_name, line=opened),
                    )
                )
                continue
            if not any(cell.strip() for cell in row):
                continue  # blank lines, and the ",," rows spreadsheets leave at the end
            problem = _row_problem(row, columns, position, first_line, control_in)
            if isinstance(problem, Message | str):
                problems.append(fail(problem))
                continue
            day, override = problem
            first_line[day] = reader.line_num
            overrides[day] = override
    except csv.Error as error:
        problems.append(fail(not_csv(error)))
    _raise_bad_rows(file_name, problems)
    return overrides


def _row_problem(
    row: list[str],
    columns: list[str],
    position: dict[str, int],
    first_line: dict[date, int],
    control_in: Callable[[str], str | None],
) -> Text | tuple[date, Override]:
    """What is wrong with one row of an override file, or its date and override."""
    expected = ",".join(OVERRIDE_COLUMNS)
    if len(row) < len(columns):
        return msg(
            N_("missing column {name!r}; use {columns}"),
            name=columns[len(row)],
            columns=Keyword(expected),
        )
    if len(row) > len(columns):
        return msg(
            N_("{count} columns, expected {columns} ({names}); quote a name that contains a comma"),
            count=len(row),
            columns=len(columns),
            names=Keyword(expected),
        )
    date_text, name, kind = (row[position[column]].strip() for column in OVERRIDE_COLUMNS)
    try:
        day = parse_file_date(date_text)
    except UsageError as error:
        return error.message()
    if not name:
        return msg(N_("empty name"))
    if kind not in _KINDS:
        return msg(
            N_("invalid {what} {value!r}: use holiday or workday"), what=msg(N_("kind")), value=kind
        )
    if (control := control_in(name)) is not None:
        return msg(
            N_("{kind} name {problem}"),
            kind=Keyword(kind),
            problem=msg(CONTROL_CHARACTER, code=f"U+{ord(control):04X}"),
        )
    if day in first_line:
        return msg(
            N_("duplicate date {date} (first on line {line})"), date=day, line=first_line[day]
        )
    return day, Override(name=name, kind=_KINDS[kind])


# Enough to see what is wrong, as for a roster's bad rows.
SHOWN_BAD_ROWS = 100


def _raise_bad_rows(file_name: str, problems: list[UsageError]) -> None:
    """One bad row: its error as it is; several: one line each (the first SHOWN_BAD_ROWS), then
    how many, in one UsageError (exit 2)."""
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    said: list[Text] = [problem.message() for problem in problems[:SHOWN_BAD_ROWS]]
    if len(problems) > SHOWN_BAD_ROWS:
        said.append(more_bad_rows(len(problems) - SHOWN_BAD_ROWS))
    said.append(
        msg(
            N_("{file}: {count} bad rows; nothing written (fix them all)"),
            file=file_name,
            count=len(problems),
        )
    )
    raise UsageError(lines(said))


def _check_country(country: str) -> str:
    """Return the normalised alpha-2 code, or refuse a code the holidays package lacks.

    A code with cached years was checked when they were computed, so the package stays unloaded.
    """
    code = country.strip().upper()
    is_code = len(code) == 2 and code.isascii() and code.isalpha()
    if is_code and (country_years(code).cached or is_supported(code)):
        return code
    raise UsageError(msg(UNKNOWN_COUNTRY, value=country))
