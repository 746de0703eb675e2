"""Visit codes: `WnDm` is week n, day m of a participant's own timeline.

W1D1 is study day 1, the day of the first infusion. There is no day 0.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from mil62sched.errors import UsageError

_CODE = re.compile(r"W([1-9][0-9]*)D([1-7])", re.IGNORECASE)
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
            raise UsageError(f"invalid visit code 'W{week}D{day}': use {ACCEPTED_FORM}")
        return super().__new__(cls, week, day)

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


W1D1 = VisitCode(1, 1)  # study day 1: the day a period's timeline starts


def describe_day(what: str, start: date) -> str:
    """Study day and date of a visit code or a study day number, or study day and code of a
    date, as one line.

    >>> describe_day("W25D1", date(2024, 1, 1))
    'W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01'
    >>> describe_day("2024-06-17", date(2024, 1, 1))
    '2024-06-17 (Monday) = study day 169 = W25D1, for W1D1 2024-01-01'
    """
    from mil62sched.inputs import parse_date  # inputs builds on codes, not the other way round

    anchor = f", for W1D1 {start.isoformat()}"
    if re.fullmatch(r"\s*[Ww].*", what):
        code = VisitCode.parse(what)
        try:
            when = code.date_from(start)
        except OverflowError:
            raise UsageError(f"{code} from {start.isoformat()} falls after 9999-12-31") from None
        return f"{code} = study day {code.study_day} = {when.isoformat()} ({when:%A}){anchor}"
    if re.fullmatch(r"\s*[0-9]{1,7}\s*", what):
        code = VisitCode.from_study_day(int(what))
        return describe_day(str(code), start)
    when = parse_date(what, "date (or visit code, or study day number)")
    study_day = (when - start).days + 1
    if study_day < 1:
        raise UsageError(
            f"{when.isoformat()} is before W1D1 {start.isoformat()}: study days start at 1 "
            "(there is no day 0)"
        )
    code = VisitCode.from_study_day(study_day)
    return f"{when.isoformat()} ({when:%A}) = study day {study_day} = {code}{anchor}"
