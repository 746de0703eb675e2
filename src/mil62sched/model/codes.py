"""Visit codes: `WnDm` is week n, day m of a participant's own timeline; `Dn` is study day n.

W1D1 = D1 is study day 1, the day of the first infusion. There is no day 0: D-1 is the day
before D1, so screening from D-28 to D-1 is the four weeks before it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import ClassVar, NamedTuple

from mil62sched.errors import UsageError
from mil62sched.messages import N_, msg

# Weeks up to 6 digits: far past any trial, and int() of a long digit string is refused by Python.
_CODE = re.compile(r"W([1-9][0-9]{0,5})D([1-7])", re.IGNORECASE)
ACCEPTED_FORM = N_("WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, W3D1, W25D1")
# Study days up to 6 digits either side of D1, as for weeks.
_DAY_CODE = re.compile(r"D(-?[1-9][0-9]{0,5})", re.IGNORECASE)
DAY_FORM = N_("Dn with study day n other than 0 (there is no day 0), e.g. D1, D15, D-28")
# A code that is neither: both forms.
ANY_FORM = N_(
    "WnDm with week n >= 1 and day m from 1 to 7 (e.g. W1D1, W25D1), or Dn with study day n "
    "other than 0 (e.g. D15, D-28)"
)
_INVALID = N_("invalid visit code")
_USE = N_("use {form}")


class _WeekDay(NamedTuple):
    week: int
    day: int


class VisitCode(_WeekDay):
    """A visit code such as W3D1 or D-28, ordered by study day (a (week, day) tuple: immutable,
    and cheaper to define at start-up than a dataclass).

    A code is the day it names, however it is written: D15 == W3D1 (same study day), and each
    prints as written. Days before D1 have weeks < 1: D-1 is week 0, day 7. A code written as a
    study day is a `_DayCode`, the same (week, day) tuple: equality, hashing and order are the
    tuple's own, in C (a roster compares and hashes codes millions of times).

    >>> VisitCode.parse("w3d1")
    VisitCode(week=3, day=1)
    >>> VisitCode.parse("W25D1").study_day
    169
    >>> VisitCode.parse("D15") == VisitCode.parse("W3D1"), str(VisitCode.parse("d-28"))
    (True, 'D-28')
    """

    __slots__ = ()
    by_day: ClassVar[bool] = False  # written as a study day (D15), not as week and day (W3D1)

    def __new__(cls, week: int, day: int, by_day: bool = False) -> VisitCode:
        by_day = by_day or cls.by_day
        if (week < 1 and not by_day) or not 1 <= day <= 7:
            raise UsageError(
                msg(_INVALID), value=f"W{week}D{day}", accepted=msg(_USE, form=msg(ACCEPTED_FORM))
            )
        return super().__new__(_DayCode if by_day else VisitCode, week, day)

    @classmethod
    def parse(cls, text: str) -> VisitCode:
        """Parse `WnDm` or `Dn` case-insensitively; refuse anything else with the accepted
        form."""
        match = _CODE.fullmatch(text.strip()) if len(text) <= 64 else None
        if match is None:
            day = _DAY_CODE.fullmatch(text.strip()) if len(text) <= 64 else None
            if day is not None:
                return cls.on_day(int(day[1]))
            shown = text if len(text) <= 64 else f"{text[:20]}...({len(text)} characters)"
            first = text.strip()[:1].upper()
            accepted = {"W": ACCEPTED_FORM, "D": DAY_FORM}.get(first, ANY_FORM)
            raise UsageError(msg(_INVALID), value=shown, accepted=msg(_USE, form=msg(accepted)))
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def on_day(cls, study_day: int) -> VisitCode:
        """The code `Dn` of study day n (n != 0; D-1 is the day before D1).

        >>> VisitCode.on_day(-1)
        VisitCode(week=0, day=7, by_day=True)
        """
        if study_day == 0:
            raise UsageError(msg(_INVALID), value="D0", accepted=msg(_USE, form=msg(DAY_FORM)))
        week, day = divmod(study_day - 1 if study_day > 0 else study_day, 7)
        return cls(week + 1, day + 1, True)

    @classmethod
    def from_study_day(cls, study_day: int) -> VisitCode:
        """The code of a study day (>= 1).

        >>> str(VisitCode.from_study_day(169))
        'W25D1'
        """
        if study_day < 1:
            raise UsageError(
                msg(
                    N_("study day {day} is before W1D1: study days start at 1"),
                    day=study_day,
                )
            )
        week, day = divmod(study_day - 1, 7)
        return cls(week + 1, day + 1)

    @property
    def offset(self) -> int:
        """Days from D1 (W1D1): study day - 1 from D1 on, the study day itself before it."""
        return 7 * (self.week - 1) + self.day - 1

    @property
    def study_day(self) -> int:
        """Study day = 7(n-1) + m; before D1 the negative day (there is no day 0)."""
        offset = self.offset
        return offset + 1 if offset >= 0 else offset

    def date_from(self, start: date) -> date:
        """The date of this visit for a participant whose W1D1 is `start`.

        >>> VisitCode.parse("W3D1").date_from(date(2024, 1, 1))
        datetime.date(2024, 1, 15)
        >>> VisitCode.parse("D-1").date_from(date(2024, 1, 1))
        datetime.date(2023, 12, 31)
        """
        return start + timedelta(days=self.offset)

    def __repr__(self) -> str:
        if self.by_day:
            return f"VisitCode(week={self.week}, day={self.day}, by_day=True)"
        return f"VisitCode(week={self.week}, day={self.day})"

    def __str__(self) -> str:
        if self.by_day:
            return f"D{self.study_day}"
        return f"W{self.week}D{self.day}"


class _DayCode(VisitCode):
    """A visit code written as a study day (D15, D-28): equal to the week-and-day code of the
    same day (D15 == W3D1), printed as written."""

    __slots__ = ()
    by_day: ClassVar[bool] = True


W1D1 = VisitCode(1, 1)  # study day 1: the day a period's timeline starts
