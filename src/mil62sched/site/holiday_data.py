"""What the `holidays` package says about a country's years, kept in the per-user cache.

`import holidays` and loading its countries cost more than the rest of the CLI's start-up, and
every `plan` asks about the default country. So what the package says about a country's years
(which days are worked, the names of the days off, whether the year is provisional) is kept in a
cache entry (`mil62sched.cache`), and a run that finds its years there never imports `holidays`.
On a miss the package is asked about several years at once, through its public API only.

The entry is `holidays-<CC>-<key>.json`, the key a hash of the installer's record of the
installed package (see `record_key`), so any other installation of it, of any version, gets
entries of its own. It holds the years computed so far (at most MOST_YEARS_CACHED, those
nearest the last miss):

    {"format": 2, "key": "<key>", "country": "CN", "years":
     {"2025": {"provisional": false, "working": "-WWW...+...", "names": {"2025-01-01": ...},
               "names_zh": {"2025-01-01": "元旦", ...}}}}

`working` has a mark per day from 1 January: `W` worked, `-` a day off, `+` a weekend day
worked (an adjusted working day, 调休上班日: the package's `weekend_workdays`).
`names` are the package's US-English names (the contracts' `non_working_reason`), `names_zh`
its Chinese (zh_CN) names of the same days, for `--lang zh`; empty for a country the package
has no Chinese names for.

An entry that is missing, unreadable, too large, not a regular file or damaged in any way
counts as empty and is rewritten on the next miss; a failure to write is ignored (the cache only
saves time). Without a key (no installer's record beside the package, e.g. an editable install)
nothing is read or written: the package answers every run, for the years asked only.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from datetime import MAXYEAR, MINYEAR, date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mil62sched import cache
from mil62sched.inputs import read_regular

if TYPE_CHECKING:
    from holidays import HolidayBase

WORKING, OFF, MAKE_UP = "W", "-", "+"  # MAKE_UP: a weekend day worked (调休上班日)
# On a miss the package is asked about this many years before and after the year wanted: a plan
# runs forward from its start for two to three years, and a later start should still hit.
_YEARS_BEFORE, _YEARS_AFTER = 2, 6
# Every run reads the whole entry: the years nearest the last miss are kept.
MOST_YEARS_CACHED = 40
# Bump when the entry's layout changes or compute_years derives anything differently (language,
# names, provisional rule): the key follows the package's files, not this code.
CACHE_FORMAT = 4
# A holiday's name is a few words; anything longer in an entry is damage.
_LONGEST_NAME = 1000
# An installer's record of a package is a line per file; one far larger is not a record.
_LARGEST_RECORD = 16 * 1024 * 1024
# The package's US-English names write dates as MM/DD/YYYY ("Day off (substituted from
# 09/28/2025)"); the site reads ISO dates only, and 09/10/2025 is ambiguous to them.
_US_DATE = r"\b([0-9]{2})/([0-9]{2})/([0-9]{4})\b"


class PackageYear:
    """What the package says about one year of one country, before the site's overrides."""

    # Not a dataclass: making one costs time at import, and this module is on every plan's path.
    __slots__ = ("names", "names_zh", "provisional", "working")

    def __init__(
        self,
        provisional: bool,
        working: str,
        names: Mapping[str, str],
        names_zh: Mapping[str, str] | None = None,
    ) -> None:
        self.provisional = provisional  # see SiteCalendar.provisional
        # A character per day from 1 January: "W" worked, "-" a day off, "+" a weekend day
        # worked (an adjusted working day).
        self.working = working
        self.names = names  # ISO date -> holiday name(s), for each day off that is a holiday
        self.names_zh = names_zh or {}  # the same in Chinese (zh_CN), when the package has it

    def is_working_day(self, day: date) -> bool:
        """Not a weekend day nor a holiday, or a weekend day made a working day."""
        return self.working[day.toordinal() - date(day.year, 1, 1).toordinal()] != OFF

    def is_make_up_day(self, day: date) -> bool:
        """A weekend day made a working day by the official schedule (调休上班日)."""
        return self.working[day.toordinal() - date(day.year, 1, 1).toordinal()] == MAKE_UP

    def day_off_name(self, day: date) -> str:
        """The holiday's name(s), "; "-joined, or "weekend"; for a day that is not worked."""
        return self.names.get(day.isoformat(), "weekend")

    def to_json(self) -> dict[str, Any]:
        """The year as stored in the cache entry."""
        return {
            "provisional": self.provisional,
            "working": self.working,
            "names": self.names,
            "names_zh": self.names_zh,
        }

    @classmethod
    def from_json(cls, key: str, value: object) -> tuple[int, PackageYear] | None:
        """The year and its days as read back from a cache entry; None when anything is off.

        >>> PackageYear.from_json("1" * 4301, {}) is None  # checked before any int() of it
        True
        """
        if not (len(key) <= 4 and key.isascii() and key.isdigit() and isinstance(value, dict)):
            return None
        year = int(key)
        if not (MINYEAR <= year <= MAXYEAR and key == str(year)):
            return None
        provisional, working, names, names_zh = (
            value.get(k) for k in ("provisional", "working", "names", "names_zh")
        )
        if not (
            isinstance(provisional, bool)
            and isinstance(working, str)
            and len(working) == date(year, 12, 31).timetuple().tm_yday
            and set(working) <= {WORKING, OFF, MAKE_UP}
            and isinstance(names, dict)
            and all(_is_name_of_a_day_off(year, working, *item) for item in names.items())
            and isinstance(names_zh, dict)
            and all(_is_name_of_a_day_off(year, working, *item) for item in names_zh.items())
        ):
            return None
        return year, cls(provisional, working, names, names_zh)


def _is_name_of_a_day_off(year: int, working: str, day_text: object, name: object) -> bool:
    """Whether a cached name is a short text for a day of `year` that `working` marks off."""
    if not (isinstance(day_text, str) and len(day_text) == 10 and isinstance(name, str)):
        return False
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return False
    return (
        day.isoformat() == day_text
        and day.year == year
        and working[day.timetuple().tm_yday - 1] == OFF
        and 0 < len(name) <= _LONGEST_NAME
    )


class CountryYears:
    """One country's years: from the cache entry when it has them, else from the package."""

    def __init__(self, code: str, key: str | None) -> None:
        self.code = code
        self._key = key
        self._entry = None if key is None else f"holidays-{code}-{key}.json"
        self._years = self._read()

    @property
    def entry(self) -> str | None:
        """The cache entry's name; None when nothing is cached (no key, or it cannot be written)."""
        return self._entry

    @property
    def cached(self) -> bool:
        """Whether any year is known without asking the package."""
        return bool(self._years)

    def year(self, year: int) -> PackageYear:
        """One year; on a miss the package computes the years around it and the entry is updated."""
        known = self._years.get(year)
        if known is None:
            first, last = max(MINYEAR, year - _YEARS_BEFORE), min(MAXYEAR, year + _YEARS_AFTER)
            if self._entry is None:  # nothing is kept for the next run: compute only what is asked
                first = last = year
            for computed_year, computed in compute_years(self.code, first, last).items():
                # A year already answered keeps its answer for the rest of the run.
                self._years.setdefault(computed_year, computed)
            self._write(around=year)
            known = self._years[year]
        return known

    def _read(self) -> dict[int, PackageYear]:
        """The entry's years; {} when it is absent, damaged or not for this key and country."""
        stored = None if self._entry is None else cache.read(self._entry)
        if stored is None:
            return {}
        try:
            document = json.loads(stored)
        except (ValueError, RecursionError):  # ValueError: not JSON, not UTF-8, a huge number
            return {}
        if not (
            isinstance(document, dict)
            and type(document.get("format")) is int  # not True, which equals 1
            and document["format"] == CACHE_FORMAT
            and document.get("key") == self._key
            and document.get("country") == self.code
            and isinstance(document.get("years"), dict)
            and len(document["years"]) <= MOST_YEARS_CACHED
        ):
            return {}
        years: dict[int, PackageYear] = {}
        for key, value in document["years"].items():
            found = PackageYear.from_json(key, value)
            if found is None:
                return {}  # one damaged year: trust nothing in the entry
            years[found[0]] = found[1]
        return years

    def _write(self, around: int) -> None:
        """Merge the years known here into the entry (another run may have added some), keeping
        at most MOST_YEARS_CACHED of them, the nearest to `around`."""
        if self._entry is None:
            return
        self._years = {**self._read(), **self._years}
        kept = sorted(self._years, key=lambda year: (abs(year - around), year))
        document = {
            "format": CACHE_FORMAT,
            "key": self._key,
            "country": self.code,
            "years": {
                str(year): self._years[year].to_json() for year in sorted(kept[:MOST_YEARS_CACHED])
            },
        }
        content = json.dumps(document, separators=(",", ":")).encode("ascii")
        if not cache.write(self._entry, content):
            # Read-only or full disk, a folder in the way: the next run asks the package again,
            # and this one stops trying (and stops computing years it was not asked about).
            self._entry = None


@functools.cache
def country_years(code: str) -> CountryYears:
    """Each country's cache entry is read at most once per process."""
    return CountryYears(code, package_key())


@functools.cache
def package_key() -> str | None:
    """A hash that changes whenever the installed holidays package's files can have changed,
    found without importing it or `importlib.metadata`, both slow to import (benchmarks/README.md).
    None when there is none (see `record_key`): the cache is then bypassed."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")  # finds it; runs none of its code
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return record_key(Path(spec.origin).parent.parent)


def record_key(site: Path) -> str | None:
    """A hash of the installer's record of the holidays package installed in folder `site`.

    The record is the RECORD file in the `holidays-<version>.dist-info` folder beside the
    package (the Python Packaging Authority's "Recording installed projects"): a line per
    installed file with a hash of that file's content, in a folder named by the version. So
    installing any other version, build or copy of the package changes the key. (A file of the
    package edited by hand, behind the installer's back, is not seen: reinstall it.) The bytes
    are hashed, never parsed; our CACHE_FORMAT is hashed with them. None when `site` has no
    such folder (an editable install, a zip) or its record is not a regular file of a sane size.

    Not `holidays/version.py`: it reads the version from the metadata at import, so its bytes
    are the same in every release.
    """
    import hashlib  # already loaded by the protocol cache on a plan's path

    try:
        folders = sorted(entry.name for entry in os.scandir(site) if _is_dist_info(entry.name))
    except OSError:
        return None
    digest = hashlib.sha256(f"mil62sched holidays cache {CACHE_FORMAT}\n".encode())
    for name in folders:
        record = read_regular(site / name / "RECORD", _LARGEST_RECORD)
        if record is None:
            return None
        digest.update(f"{name}\n{len(record)}\n".encode())
        digest.update(record)
    return digest.hexdigest()[:32] if folders else None


def _is_dist_info(name: str) -> bool:
    """Whether a folder name is the holidays package's ("holidays-0.109.dist-info").

    Installers name it by the project's normalised name, in which "-" never occurs, so
    "holidays-extra-1.0.dist-info" (project holidays-extra) is another project's.
    """
    prefix, suffix = "holidays-", ".dist-info"
    return (
        name.lower().startswith(prefix)
        and name.endswith(suffix)
        and "-" not in name[len(prefix) : -len(suffix)]
    )


def is_supported(code: str) -> bool:
    """Whether the package knows the alpha-2 code `code` ("CN"); its aliases ("UK") are not codes.

    Loads the package and all its countries (slow): asked only for a code with nothing cached.
    """
    import holidays

    return code in holidays.list_supported_countries(include_aliases=False)


def compute_years(code: str, first: int, last: int) -> dict[int, PackageYear]:
    """Ask the package about every day of the years `first` to `last`.

    The years on either side are computed too, in case the package needs them for a day near
    New Year (a move such as China's 2002 notice making Saturday 2001-12-29 a working day, an
    observed holiday): a cached answer must not depend on what a run happened to ask first.
    """
    import re

    import holidays

    # US English when the package has it, else the country's own language, named explicitly:
    # left unset, the package would follow LANG/LANGUAGE and names would vary by machine.
    probe = holidays.country_holidays(code, language="en_US")  # no year computed yet
    language = "en_US" if "en_US" in probe.supported_languages else probe.default_language
    years = range(max(MINYEAR, first - 1), min(MAXYEAR, last + 1) + 1)
    package = holidays.country_holidays(code, years=years, language=language)
    # The same days in Chinese, for --lang zh (the package's zh_CN names: 国庆节, 春节).
    chinese = (
        holidays.country_holidays(code, years=years, language="zh_CN")
        if "zh_CN" in probe.supported_languages
        else None
    )
    official_first, official_last = official_years(code)

    answers: dict[int, PackageYear] = {}
    for year in range(first, last + 1):
        working: list[str] = []
        names: dict[str, str] = {}
        names_zh: dict[str, str] = {}
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            if package.is_working_day(day):
                working.append(MAKE_UP if day in package.weekend_workdays else WORKING)
                continue
            working.append(OFF)
            name = "; ".join(package.get_list(day))
            if name:
                names[day.isoformat()] = (
                    re.sub(_US_DATE, r"\3-\1-\2", name) if language == "en_US" else name
                )
            local = "; ".join(chinese.get_list(day)) if chinese is not None else ""
            if local:
                names_zh[day.isoformat()] = local
        answers[year] = PackageYear(
            provisional=not official_first <= year <= official_last,
            working="".join(working),
            names=names,
            names_zh=names_zh,
        )
    return answers


@functools.cache
def official_years(code: str) -> tuple[int, int]:
    """First and last year whose working days the package gives as published, not projected.

    For a country that moves working days onto weekends (China's adjusted working days), the
    first and last year in which the package lists at least one such weekend working day
    (`weekend_workdays`), over every year it computes (`start_year` to `end_year`); for one that
    never does ("DE"), those computed years. Computed on a miss only.
    """
    import holidays

    # The language changes names only; named so that LANG plays no part.
    known: HolidayBase = holidays.country_holidays(code, language="en_US")
    computed = range(known.start_year, known.end_year + 1)
    whole = holidays.country_holidays(code, years=computed, language="en_US")
    moved = {day.year for day in whole.weekend_workdays}
    if not moved:
        return computed[0], computed[-1]
    return max(min(moved), computed[0]), min(max(moved), computed[-1])
