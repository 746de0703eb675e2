"""The site's working days: weekends, public holidays and official adjusted working days.

Public holidays come from the `holidays` package for the site's country. In mainland China the
State Council also turns some weekend days into working days (adjusted working days, 调休); the
package records them and `SiteCalendar` honours them. A site can add to or override the package's
data with a CSV file (`load_overrides`), e.g. the day the next year's notice is published.

`SiteCalendar(None)` switches the check off completely (the CLI's `--no-holidays`): every day is
a working day and nothing is provisional.

>>> SiteCalendar(None).status(date(2025, 10, 1))
DayStatus(working=True, reason=None, provisional=False)

`import holidays` costs ~80 ms, most of the CLI's start-up budget, and every `plan` asks about the
default country. So what the package says about a country's years (which days are worked, the
names of the days off, whether the year is provisional) is kept in a per-user cache file keyed by
the installed package version, and a run that finds its years there never imports `holidays`.
On a miss the package is asked about several years at once. The site's overrides are applied on
top at run time, never cached. `_CountryDays` describes the file and where it lives.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from datetime import MAXYEAR, MINYEAR, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from mil62sched.cache import folder as _cache_folder
from mil62sched.errors import UsageError
from mil62sched.model.plan import DayStatus, search_order
from mil62sched.parse import parse_date

if TYPE_CHECKING:
    from holidays.holiday_base import HolidayBase

Kind = Literal["holiday", "workday"]
_KINDS: dict[str, Kind] = {"holiday": "holiday", "workday": "workday"}
OVERRIDE_COLUMNS = ("date", "name", "kind")

# The package's US-English names write dates as MM/DD/YYYY ("Day off (substituted from
# 09/28/2025)"); the site reads ISO dates only, and 09/10/2025 is ambiguous to them.
_US_DATE = r"\b([0-9]{2})/([0-9]{2})/([0-9]{4})\b"


class Override(NamedTuple):
    """One row of a site's override file: a day off or a working day, with its name."""

    name: str
    kind: Kind


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
        # A roster asks about the same few thousand days again and again: answer each once.
        self._days: dict[date, DayStatus] = {}
        self._years: dict[int, bool] = {}

    def status(self, day: date) -> DayStatus:
        """Whether the site works on `day`; an adjusted working Sunday is working, reason None."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._status(day)
        return known

    def _status(self, day: date) -> DayStatus:
        if self.country is None:
            return DayStatus(working=True, reason=None, provisional=False)
        provisional = self.provisional(day.year)
        override = self.overrides.get(day)
        if override is not None:
            if override.kind == "workday":
                return DayStatus(working=True, reason=None, provisional=provisional)
            return DayStatus(working=False, reason=override.name, provisional=provisional)
        year = _country_days(self.country).year(day.year)
        if year.is_working_day(day):
            return DayStatus(working=True, reason=None, provisional=provisional)
        return DayStatus(working=False, reason=year.day_off_name(day), provisional=provisional)

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
        known = self._years.get(year)
        if known is None:
            known = self._years[year] = self._provisional(year)
        return known

    def _provisional(self, year: int) -> bool:
        if self.country is None or year in self._override_years:
            return False
        return _country_days(self.country).year(year).provisional

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


def load_overrides(path: Path) -> dict[date, Override]:
    """Read a site's override file: CSV with header date,name,kind; UTF-8 with or without BOM.

    Any bad row is a UsageError naming the file, the line and the reason.
    """
    import csv  # only for a site's override file

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
    import csv  # only for a site's override file

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


def _check_country(country: str) -> str:
    """Return the normalised alpha-2 code, or refuse a code the holidays package lacks.

    A code with cached years was checked when they were computed, so the package stays unloaded.
    """
    code = country.strip().upper()
    if len(code) == 2 and code.isascii() and code.isalpha() and _country_days(code).cached:
        return code
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


# --- what the package says, year by year, and its cache on disk -----------------------------

_WORKING, _OFF = "W", "-"
# On a miss the package is asked about this many years before and after the year wanted: a plan
# runs forward from its start for two to three years, and a later start should still hit.
_YEARS_BEFORE, _YEARS_AFTER = 2, 6
# Every run reads the whole file (~0.05 ms a year): the years nearest the last miss are kept.
_MOST_YEARS_CACHED = 40
# Bump when the file's layout changes or _compute_years derives anything differently (language,
# names, provisional rule): files are keyed by the package's version only, not by this code's.
_CACHE_FORMAT = 1
# Start-up counts here: no regular expression is compiled on the way to a cached answer.
_VERSION_CHARACTERS = frozenset(
    "0123456789.!+_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


class _Year:
    """What the package says about one year of one country, before the site's overrides."""

    # Not a dataclass: making one costs ~0.5 ms at import, and this module is on every plan's path.
    __slots__ = ("names", "provisional", "working")

    def __init__(self, provisional: bool, working: str, names: Mapping[str, str]) -> None:
        self.provisional = provisional  # see SiteCalendar.provisional
        self.working = working  # a character per day from 1 January: "W" worked, "-" a day off
        self.names = names  # ISO date -> holiday name(s), for each day off that is a holiday

    def is_working_day(self, day: date) -> bool:
        """Not a weekend day nor a holiday, or a weekend day made a working day."""
        return self.working[day.toordinal() - date(day.year, 1, 1).toordinal()] == _WORKING

    def day_off_name(self, day: date) -> str:
        """The holiday's name(s), "; "-joined, or "weekend"; for a day that is not worked."""
        return self.names.get(day.isoformat(), "weekend")

    def to_json(self) -> dict[str, Any]:
        """The year as stored in the cache file."""
        return {"provisional": self.provisional, "working": self.working, "names": self.names}

    @classmethod
    def from_json(cls, key: str, value: object) -> _Year | None:
        """The year as read back from the cache file; None when anything about it is off."""
        if not (isinstance(value, dict) and key.isascii() and key.isdigit()):
            return None
        year = int(key)
        provisional, working, names = (value.get(k) for k in ("provisional", "working", "names"))
        if not (
            MINYEAR <= year <= MAXYEAR
            and isinstance(provisional, bool)
            and isinstance(working, str)
            and len(working) == date(year, 12, 31).timetuple().tm_yday
            and set(working) <= {_WORKING, _OFF}
            and isinstance(names, dict)
            and all(isinstance(v, str) and v for v in names.values())
        ):
            return None
        return cls(provisional=provisional, working=working, names=names)


class _CountryDays:
    """One country's years: from the cache file when it has them, else from the package.

    The file is `holidays-<package version>-<CC>.json` in `$MIL62SCHED_CACHE_DIR`, else
    `$XDG_CACHE_HOME/mil62sched`, else `~/.cache/mil62sched`. It holds the years computed so far
    (at most _MOST_YEARS_CACHED, those nearest the last miss):

        {"format": 1, "package": "holidays", "version": "0.109", "country": "CN", "years":
         {"2025": {"provisional": false, "working": "-WWW...", "names": {"2025-01-01": ...}}}}

    A missing, unreadable or corrupt file counts as empty and is rewritten on the next miss; a
    failure to write is ignored: the cache only saves time. Without a known package version or a
    folder (no home), nothing is read or written: the package answers every run, for the years
    asked only.
    """

    def __init__(self, code: str, version: str | None, folder: Path | None) -> None:
        self.code = code
        self._version = version
        self._file = None if version is None or folder is None else folder / self.file_name
        self._years = self._read()

    @property
    def file_name(self) -> str:
        """The cache file's name, without its folder."""
        return f"holidays-{self._version}-{self.code}.json"

    @property
    def cached(self) -> bool:
        """Whether any year is known without asking the package."""
        return bool(self._years)

    def year(self, year: int) -> _Year:
        """One year; on a miss the package computes the years around it, and the file is updated."""
        known = self._years.get(year)
        if known is None:
            if self._file is not None and not _can_write_in(self._file.parent):
                self._file = None
            first, last = max(MINYEAR, year - _YEARS_BEFORE), min(MAXYEAR, year + _YEARS_AFTER)
            if self._file is None:  # nothing is kept for the next run: compute only what is asked
                first = last = year
            for computed_year, computed in _compute_years(self.code, first, last).items():
                # A year already answered keeps its answer for the rest of the run.
                self._years.setdefault(computed_year, computed)
            self._write(around=year)
            known = self._years[year]
        return known

    def _read(self) -> dict[int, _Year]:
        """The file's years; {} when it is missing, unreadable, corrupt or for another version."""
        if self._file is None:
            return {}
        try:
            document = json.loads(self._file.read_bytes())
        except (OSError, ValueError, RecursionError):  # ValueError: not JSON, not UTF-8
            return {}
        if not (
            isinstance(document, dict)
            and document.get("format") == _CACHE_FORMAT
            and document.get("package") == "holidays"
            and document.get("version") == self._version
            and document.get("country") == self.code
            and isinstance(document.get("years"), dict)
        ):
            return {}
        years: dict[int, _Year] = {}
        for key, value in document["years"].items():
            year = _Year.from_json(key, value)
            if year is None:
                return {}  # one damaged year: trust nothing in the file
            years[int(key)] = year
        return years

    def _write(self, around: int) -> None:
        """Merge the years known here into the file (another run may have added some), keeping
        at most _MOST_YEARS_CACHED of them, the nearest to `around`."""
        if self._file is None:
            return
        self._years = {**self._read(), **self._years}
        kept = sorted(self._years, key=lambda year: (abs(year - around), year))
        document = {
            "format": _CACHE_FORMAT,
            "package": "holidays",
            "version": self._version,
            "country": self.code,
            "years": {
                str(year): self._years[year].to_json() for year in sorted(kept[:_MOST_YEARS_CACHED])
            },
        }
        folder = self._file.parent
        try:
            # A temporary file in the same folder, then a rename: a run reading the file at the
            # same moment sees the old or the new one, never half of one.
            import tempfile  # ~4 ms to import, needed on a miss only

            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self._file.name}.")
            try:
                with os.fdopen(handle, "w", encoding="ascii") as stream:
                    json.dump(document, stream, separators=(",", ":"))
                os.replace(temporary, self._file)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            # Read-only or full disk, a file in the way: the next run asks the package again, and
            # this one stops trying (and stops computing years it was not asked about).
            self._file = None


def _can_write_in(folder: Path) -> bool:
    """Whether the cache folder exists, or can be made, and looks writable (checked on a miss)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


@functools.cache
def _country_days(code: str) -> _CountryDays:
    """Each country's cache file is read at most once per process."""
    return _CountryDays(code, _package_version(), _cache_folder())


@functools.cache
def _package_version() -> str | None:
    """The installed holidays version, from the dist-info folder beside it, without importing it.

    `holidays.version` asks `importlib.metadata`, which alone costs ~40 ms to import; this reads
    the METADATA file's headers (~0.3 ms). None when the package is missing or installed some
    other way (editable, egg-info, two dist-info folders): the cache is then bypassed.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    try:
        found = [entry.path for entry in os.scandir(site) if _is_dist_info(entry.name)]
        if len(found) != 1:
            return None
        headers: dict[str, str] = {}
        with open(os.path.join(found[0], "METADATA"), encoding="utf-8") as stream:
            for line in stream:
                if not line.strip():
                    break  # the headers end at the first blank line; the long description follows
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), value.strip())
    except (OSError, ValueError):
        return None
    version = headers.get("version", "")
    # The version goes into a file name: PEP 440 characters only, a sane length.
    if not 0 < len(version) <= 64 or not set(version) <= _VERSION_CHARACTERS:
        return None
    return version if headers.get("name", "").lower() == "holidays" else None


def _is_dist_info(name: str) -> bool:
    """Whether a folder name is the holidays package's dist-info ("holidays-0.109.dist-info")."""
    prefix, suffix = "holidays-", ".dist-info"
    return (
        name.lower().startswith(prefix)
        and name.endswith(suffix)
        and "-" not in name[len(prefix) : -len(suffix)]  # not "holidays-extra-1.0.dist-info"
    )


def _compute_years(code: str, first: int, last: int) -> dict[int, _Year]:
    """Ask the package about every day of the years `first` to `last`.

    The years on either side are computed too, in case the package needs them for a day near
    New Year (a move such as China's 2002 notice making Saturday 2001-12-29 a working day, an
    observed holiday): a cached answer must not depend on what a run happened to ask first. With
    holidays 0.109 it makes no difference for CN, DE, US, GB, JP, KR, TW, SA, 1995-2030 (checked
    day by day), so this is a guard, at ~1 ms a year, on a miss only.
    """
    entity = _entity_class(code)
    # US English when the package has it, else the entity's own language, named explicitly:
    # left unset, the package would follow LANG/LANGUAGE and names would vary by machine.
    language = "en_US" if "en_US" in entity.supported_languages else entity.default_language
    years = range(max(MINYEAR, first - 1), min(MAXYEAR, last + 1) + 1)
    package = entity(language=language, years=years)
    computed = (entity.start_year, entity.end_year)
    official = _adjusted_years(package) or computed
    official_first, official_last = max(official[0], computed[0]), min(official[1], computed[1])

    answers: dict[int, _Year] = {}
    for year in range(first, last + 1):
        working: list[str] = []
        names: dict[str, str] = {}
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            if package.is_working_day(day):
                working.append(_WORKING)
                continue
            working.append(_OFF)
            name = "; ".join(package.get_list(day))
            if name:
                names[day.isoformat()] = (
                    re.sub(_US_DATE, r"\3-\1-\2", name) if language == "en_US" else name
                )
        answers[year] = _Year(
            provisional=not official_first <= year <= official_last,
            working="".join(working),
            names=names,
        )
    return answers


@functools.cache
def _entity_class(code: str) -> type[HolidayBase]:
    """The package's class for a country, loaded once per process."""
    return _load_entity_class(*_registry()[code])


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
