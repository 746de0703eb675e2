"""The site's working days: weekends, public holidays and official adjusted working days.

Public holidays come from the `holidays` package for the site's country. In mainland China the
State Council also turns some weekend days into working days (adjusted working days, 调休); the
package records them and `SiteCalendar` honours them. A site can add to or override the package's
data with a CSV file (`load_overrides`), e.g. the day the next year's notice is published.

`SiteCalendar(None)` switches the check off completely (the CLI's `--no-holidays`): every day is
a working day and nothing is provisional.

>>> SiteCalendar(None).status(date(2025, 10, 1))
DayStatus(working=True, reason=None, provisional=False)

`import holidays` costs ~100 ms at every start of the CLI, so the package is imported only when a
country's calendar is first asked something, and each country is built once per process.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mil62sched.errors import UsageError
from mil62sched.inputs import parse_date

if TYPE_CHECKING:
    from holidays.holiday_base import HolidayBase

Kind = Literal["holiday", "workday"]
_KINDS: dict[str, Kind] = {"holiday": "holiday", "workday": "workday"}
OVERRIDE_COLUMNS = ("date", "name", "kind")

# The package's US-English names write dates as MM/DD/YYYY ("Day off (substituted from
# 09/28/2025)"); the site reads ISO dates only, and 09/10/2025 is ambiguous to them.
_US_DATE = re.compile(r"\b([0-9]{2})/([0-9]{2})/([0-9]{4})\b")


@dataclass(frozen=True)
class Override:
    """One row of a site's override file: a day off or a working day, with its name."""

    name: str
    kind: Kind


@dataclass(frozen=True)
class DayStatus:
    """Whether the site works on a day, why not, and whether that rests on published data."""

    working: bool
    reason: str | None  # None when working; "weekend" or the holiday's name(s), "; "-joined
    provisional: bool  # the year's official schedule is in neither the package nor the file


class SiteCalendar:
    """The working days of a site in one country, with the site's overrides on top.

    `country` is an ISO 3166-1 alpha-2 code known to the `holidays` package ("CN"), or None for
    no check at all. An override decides its day outright: `holiday` makes it a day off with the
    file's name (replacing the package's name), `workday` makes it a working day. The weekend is
    the country's weekend as the package defines it (Saturday and Sunday for China).
    """

    def __init__(
        self, country: str | None, overrides: Mapping[date, Override] | None = None
    ) -> None:
        if country is None and overrides:
            raise UsageError(
                "a holiday override file needs the working-day check, which is off (--no-holidays)"
            )
        self.country = None if country is None else _check_country(country)
        self.overrides: dict[date, Override] = dict(overrides or {})
        self._override_years = {day.year for day in self.overrides}

    def status(self, day: date) -> DayStatus:
        """Whether the site works on `day`; an adjusted working Sunday is working, reason None."""
        if self.country is None:
            return DayStatus(working=True, reason=None, provisional=False)
        provisional = self.provisional(day.year)
        override = self.overrides.get(day)
        if override is not None:
            if override.kind == "workday":
                return DayStatus(working=True, reason=None, provisional=provisional)
            return DayStatus(working=False, reason=override.name, provisional=provisional)
        country = _country_holidays(self.country)
        if country.is_working_day(day):
            return DayStatus(working=True, reason=None, provisional=provisional)
        return DayStatus(
            working=False, reason=country.holiday_name(day) or "weekend", provisional=provisional
        )

    def provisional(self, year: int) -> bool:
        """Whether `year`'s working days may still change because its official list is missing.

        A year is official when the installed package lists adjusted working days (days off
        moved from weekends) for it or for years on both sides of it: for China 2001 up to the
        last year published in the package. A country that never moves working days ("DE") is
        provisional only outside the years the package computes. A year with at least one row in
        the override file is not provisional: the file is taken as the site's word on that year.
        With the check off (country None) nothing is provisional.

        Caveat: a late-December day can still change with the next year's notice (China's 2002
        notice made Saturday 2001-12-29 a working day); such days are not flagged.
        """
        if self.country is None or year in self._override_years:
            return False
        return _country_holidays(self.country).provisional(year)

    def nearest_working_day(self, target: date, before: int, after: int) -> date | None:
        """Search target, target+1, target-1, target+2, target-2, ... staying within
        [target-before, target+after]; None when no working day fits.

        >>> SiteCalendar(None).nearest_working_day(date(2025, 10, 3), 3, 3)
        datetime.date(2025, 10, 3)
        """
        if before < 0 or after < 0:
            raise ValueError(f"window must not be negative: before={before}, after={after}")
        for day in _search_order(target, before, after):
            if self.status(day).working:
                return day
        return None


def load_overrides(path: Path) -> dict[date, Override]:
    """Read a site's override file: CSV with header date,name,kind; UTF-8 with or without BOM.

    Any bad row is a UsageError naming the file, the line and the reason.
    """
    try:
        # newline="" lets csv handle CRLF and LF alike (and newlines inside quoted names).
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _parse_overrides(path.name, csv.reader(stream))
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path.name}: not UTF-8 text (byte {error.start}); save the file as UTF-8 CSV"
        ) from None
    except OSError as error:
        raise UsageError(f"cannot read override file {path}: {error.strerror or error}") from None


def _parse_overrides(file_name: str, reader: Any) -> dict[date, Override]:
    """Check the header and every row of an override file (`reader` is a csv.reader)."""

    def fail(reason: str) -> UsageError:
        return UsageError(f"{file_name} line {reader.line_num}: {reason}")

    expected = ",".join(OVERRIDE_COLUMNS)
    try:
        header = next(reader, None)
        if header is None:
            raise UsageError(f"{file_name} line 1: empty file: the first line must be {expected}")
        columns = [cell.strip() for cell in header]
        if sorted(columns) != sorted(OVERRIDE_COLUMNS):
            missing = [name for name in OVERRIDE_COLUMNS if name not in columns]
            what = f"missing column {missing[0]!r}" if missing else "unexpected columns"
            raise fail(f"header {','.join(columns)!r}: {what}; use {expected}")
        position = {name: columns.index(name) for name in OVERRIDE_COLUMNS}

        overrides: dict[date, Override] = {}
        first_line: dict[date, int] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines, and the ",," rows spreadsheets leave at the end
            if len(row) < len(columns):
                raise fail(f"missing column {columns[len(row)]!r}; use {expected}")
            if len(row) > len(columns):
                raise fail(
                    f"{len(row)} columns, expected {len(columns)} ({expected}); "
                    "quote a name that contains a comma"
                )
            date_text, name, kind = (row[position[column]].strip() for column in OVERRIDE_COLUMNS)
            try:
                day = parse_date(date_text)
            except UsageError as error:
                raise fail(str(error)) from None
            if not name:
                raise fail("empty name")
            if kind not in _KINDS:
                raise fail(f"invalid kind {kind!r}: use holiday or workday")
            if day in first_line:
                raise fail(f"duplicate date {day.isoformat()} (first on line {first_line[day]})")
            first_line[day] = reader.line_num
            overrides[day] = Override(name=name, kind=_KINDS[kind])
    except csv.Error as error:
        raise fail(f"not valid CSV: {error}") from None
    return overrides


def _search_order(target: date, before: int, after: int) -> Iterator[date]:
    """target, +1, -1, +2, -2, ... within the window; later wins a tie so as not to dose early."""
    yield target
    for distance in range(1, max(before, after) + 1):
        for offset in (distance, -distance):
            if -before <= offset <= after:
                try:
                    day = target + timedelta(days=offset)
                except OverflowError:
                    continue  # beyond date.min/date.max: nothing to search there
                yield day


def _check_country(country: str) -> str:
    """Return the normalised alpha-2 code, or refuse a code the holidays package lacks."""
    code = country.strip().upper()
    if code not in _registry():
        raise UsageError(
            f"unknown country {country!r}: use an ISO 3166-1 alpha-2 code supported by the "
            "holidays package, e.g. CN or DE"
        )
    return code


@functools.cache
def _registry() -> dict[str, tuple[str, str]]:
    """Map each alpha-2 code to its module and class name in the holidays package."""
    from holidays.registry import COUNTRIES

    # Each entry is (class name, alpha-2, alpha-3, aliases...); only ISO alpha-2 codes count,
    # so the alias "UK" is refused in favour of "GB".
    return {
        codes[1]: (module, codes[0]) for module, codes in COUNTRIES.items() if len(codes[1]) == 2
    }


class _CountryHolidays:
    """One country's holidays from the installed package; each year is computed once, on use."""

    def __init__(self, code: str) -> None:
        entity = _load_entity_class(*_registry()[code])
        # US English when the package has it, else the entity's own language, named explicitly:
        # left unset, the package would follow LANG/LANGUAGE and names would vary by machine.
        language = "en_US" if "en_US" in entity.supported_languages else entity.default_language
        self._holidays = entity(language=language)
        self._iso_dates = language == "en_US"
        self._computed = (entity.start_year, entity.end_year)
        self._official = _adjusted_years(self._holidays)

    def is_working_day(self, day: date) -> bool:
        """Not a weekend nor a holiday, or a weekend day made a working day."""
        # The package computes `day.year` (expand=True) before it answers, and keeps it.
        return self._holidays.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The day's holiday names joined with "; ", or None."""
        names = self._holidays.get_list(day)
        if not names:
            return None
        joined = "; ".join(names)
        return _US_DATE.sub(r"\3-\1-\2", joined) if self._iso_dates else joined

    def provisional(self, year: int) -> bool:
        """See SiteCalendar.provisional."""
        first, last = self._official or self._computed
        return not (max(first, self._computed[0]) <= year <= min(last, self._computed[1]))


@functools.cache
def _country_holidays(code: str) -> _CountryHolidays:
    return _CountryHolidays(code)


def _adjusted_years(entity: HolidayBase) -> tuple[int, int] | None:
    """First and last year for which the package lists days off moved from a weekend day.

    The package keeps them in `special_public_holidays` as (to_month, to_day, from_month,
    from_day[, from_year]) under the year of the day off; the weekend day it comes from becomes a
    working day (`weekend_workdays`). A 3-tuple is a one-off holiday, not a move. None when the
    country never moves working days.
    """
    special: Mapping[int, Any] = getattr(entity, "special_public_holidays", None) or {}
    years = []
    for year, entries in special.items():
        rows = entries if entries and isinstance(entries[0], tuple) else (entries,)
        if any(len(row) >= 4 for row in rows):
            years.append(year)
    return (min(years), max(years)) if years else None


def _load_entity_class(module: str, class_name: str) -> type[HolidayBase]:
    """The holidays class for one country, without importing all ~250 country modules."""
    import importlib
    import importlib.util
    import sys

    import holidays
    from holidays.holiday_base import HolidayBase

    # `holidays.countries/__init__.py` imports every country (~110 ms on top of `import holidays`,
    # measured with -X importtime); loading the one file costs ~5 ms. Its imports are absolute
    # (holidays.groups, holidays.calendars...), so it needs only the `holidays` package. If the
    # package's layout ever changes, the ordinary import below still works, only slower.
    if "holidays.countries" not in sys.modules and holidays.__file__ is not None:
        path = Path(holidays.__file__).with_name("countries") / f"{module}.py"
        spec = importlib.util.spec_from_file_location(f"_mil62sched_holidays_{module}", path)
        if spec is not None and spec.loader is not None:
            loaded = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(loaded)
                entity = getattr(loaded, class_name)
            except (OSError, ImportError, AttributeError):
                pass
            else:
                if isinstance(entity, type) and issubclass(entity, HolidayBase):
                    return entity
    entity = getattr(importlib.import_module(f"holidays.countries.{module}"), class_name)
    if not (isinstance(entity, type) and issubclass(entity, HolidayBase)):
        raise TypeError(f"holidays.countries.{module}.{class_name} is not a holidays class")
    return entity
