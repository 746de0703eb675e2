"""Visit codes: `WnDm` is week n, day m of a participant's own timeline.

W1D1 is study day 1, the day of the first infusion. There is no day 0.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from mil62sched.errors import UsageError

# Weeks up to 6 digits: far past any trial, and int() of a long digit string is refused by Python.
_CODE = re.compile(r"W([1-9][0-9]{0,5})D([1-7])", re.IGNORECASE)
ACCEPTED_FORM = "WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, W3D1, W25D1"


class _WeekDay(NamedTuple):
    week: int
    day: int


class VisitCode(_WeekDay):
    """A visit code such as W3D1, ordered by study day (a (week, day) tuple: immutable, and
    cheaper to define at start-up than a dataclass).

    >>> VisitCode.parse("w3d1")
    VisitCode(week=3, day=1)
    >>> VisitCode.parse("W25D1").study_day
    169
    """

    __slots__ = ()

    def __new__(cls, week: int, day: int) -> VisitCode:
        if week < 1 or not 1 <= day <= 7:
            raise UsageError(
                "invalid visit code", value=f"W{week}D{day}", accepted=f"use {ACCEPTED_FORM}"
            )
        return super().__new__(cls, week, day)

    @classmethod
    def parse(cls, text: str) -> VisitCode:
        """Parse `WnDm` case-insensitively; refuse anything else with the accepted form."""
        match = _CODE.fullmatch(text.strip()) if len(text) <= 64 else None
        if match is None:
            shown = text if len(text) <= 64 else f"{text[:20]}...({len(text)} characters)"
            raise UsageError("invalid visit code", value=shown, accepted=f"use {ACCEPTED_FORM}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def from_study_day(cls, study_day: int) -> VisitCode:
        """The code of a study day (>= 1).

        >>> str(VisitCode.from_study_day(169))
        'W25D1'
        """
        if study_day < 1:
            raise UsageError(f"study day {study_day} is before W1D1: study days start at 1")
        week, day = divmod(study_day - 1, 7)
        return cls(week + 1, day + 1)

    @property
    def study_day(self) -> int:
        """Study day = 7(n-1) + m."""
        return 7 * (self.week - 1) + self.day

    def date_from(self, start: date) -> date:
        """The date of this visit for a participant whose W1D1 is `start`.

        >>> VisitCode.parse("W3D1").date_from(date(2024, 1, 1))
        datetime.date(2024, 1, 15)
        """
        return start + timedelta(days=self.study_day - 1)

    def __str__(self) -> str:
        return f"W{self.week}D{self.day}"


W1D1 = VisitCode(1, 1)  # study day 1: the day a period's timeline starts
