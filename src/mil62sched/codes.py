"""Visit codes: `WnDm` is week n, day m of a participant's own timeline.

W1D1 is study day 1, the day of the first infusion. There is no day 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from mil62sched.errors import UsageError

_CODE = re.compile(r"W([1-9][0-9]*)D([1-7])", re.IGNORECASE)
ACCEPTED_FORM = "WnDm with week n >= 1 and day m from 1 to 7, e.g. W1D1, W3D1, W25D1"


@dataclass(frozen=True, order=True)
class VisitCode:
    """A visit code such as W3D1, ordered by study day.

    >>> VisitCode.parse("w3d1")
    VisitCode(week=3, day=1)
    >>> VisitCode.parse("W25D1").study_day
    169
    """

    week: int
    day: int

    def __post_init__(self) -> None:
        if self.week < 1 or not 1 <= self.day <= 7:
            raise UsageError(f"invalid visit code 'W{self.week}D{self.day}': use {ACCEPTED_FORM}")

    @classmethod
    def parse(cls, text: str) -> VisitCode:
        """Parse `WnDm` case-insensitively; refuse anything else with the accepted form."""
        match = _CODE.fullmatch(text.strip())
        if match is None:
            raise UsageError(f"invalid visit code {text!r}: use {ACCEPTED_FORM}")
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
