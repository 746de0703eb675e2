"""What the floors that plan a roster share: the built-in protocol's arms written out as a table,
the site's working days from the `holidays` package, and one participant's visits.

The least code that does the tool's work for the benchmark's inputs (no --adjust, no chairs,
anchored to W1D1): study day of WnDm = 7(n-1)+m, date = start + day - 1, a window around each
date, the nearest working day in it when the date is not one, and a journey's RCP visits on or
after its OLP start not given. The benchmark checks that the floors write what the tool writes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

PROTOCOL = "MIL62-CT303"
STUDY_START, STUDY_COMPLETION = date(2022, 8, 18), date(2027, 3, 31)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

EVERY_TWO_YEARS = (
    "W1D1",
    "W3D1",
    "W25D1",
    "W27D1",
    "W53D1",
    "W79D1",
    "W105D1",
    "W131D1",
    "W157D1",
    "W183D1",
    "W209D1",
)
MIL62_500 = ("MIL62 500 mg", "500", "false")  # treatment label, dose_mg, blinded
MIL62_1000 = ("MIL62 1000 mg", "1000", "false")
BLINDED = ("MIL62 1000 mg or matching placebo", "", "true")
OLP_AT = 365  # a journey's OLP starts at study day 365 (RCP W53D1) unless given


def study_day(code: str) -> int:
    """7(n-1)+m for WnDm."""
    week, day = code[1:].split("D")
    return 7 * (int(week) - 1) + int(day)


class Step(NamedTuple):
    """A visit of a schedule, worked out once."""

    code: str
    study_day: int
    offset: timedelta  # from the period's W1D1
    treatment: tuple[str, str, str]


def schedule(period: str, treatments: dict[str, tuple[str, str, str]]) -> tuple[str, list[Step]]:
    """A period's name and its visits."""
    return period, [
        Step(code, study_day(code), timedelta(study_day(code) - 1), treatment)
        for code, treatment in treatments.items()
    ]


RCP = schedule("RCP", {code: BLINDED for code in ("W1D1", "W3D1", "W25D1", "W27D1")})
OLP = schedule(
    "OLP",
    {
        code: BLINDED if code == "W3D1" else MIL62_1000
        for code in ("W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1")
    },
)
# arm: (masking, its schedules in order)
ARMS = {
    "phase1b-500": (
        "open-label",
        (schedule("Phase 1b", dict.fromkeys(EVERY_TWO_YEARS, MIL62_500)),),
    ),
    "phase1b-1000": (
        "open-label",
        (schedule("Phase 1b", dict.fromkeys(EVERY_TWO_YEARS, MIL62_1000)),),
    ),
    "phase3-rcp": ("blinded", (RCP,)),
    "phase3-olp": ("blinded", (OLP,)),
    "phase3": ("blinded", (RCP, OLP)),
}


class Visit(NamedTuple):
    """One visit of a participant, as the CSV and the agenda write it."""

    period: str
    period_start: date
    assumed: bool  # the period's start is the protocol's default, not given
    step: Step
    day: date
    treatment: tuple[str, str, str]
    dropped: date | None  # the next period's start, when the visit falls on or after it


def visits(arm: str, start: date, olp_start: str, escalate_at: str) -> list[Visit]:
    """The visits of one roster row."""
    schedules = ARMS[arm][1]
    starts = [start]
    if len(schedules) > 1:
        starts.append(date.fromisoformat(olp_start) if olp_start else start + timedelta(OLP_AT - 1))
    found = []
    for number, ((period, steps), first) in enumerate(zip(schedules, starts, strict=True)):
        following = starts[number + 1] if number + 1 < len(starts) else None
        assumed = number > 0 and not olp_start
        escalated = False
        for step in steps:
            escalated = escalated or step.code == escalate_at
            when = first + step.offset
            dropped = following if following is not None and when >= following else None
            treatment = MIL62_1000 if escalated else step.treatment
            found.append(Visit(period, first, assumed, step, when, treatment, dropped))
    return found


class Workdays:
    """The site's working days (China's, with its adjusted working days) from `holidays`."""

    def __init__(self, first: int, last: int) -> None:
        import holidays

        known = holidays.country_holidays("CN", years=range(first, last + 1), language="en_US")
        self.known = known
        moved = {day.year for day in known.weekend_workdays}
        self.official = range(min(moved), max(moved) + 1)
        self.reasons: dict[date, str | None] = {}

    def reason(self, day: date) -> str | None:
        """Why the site is closed on `day` (a holiday's name, or weekend); None when open."""
        if day in self.reasons:
            return self.reasons[day]
        reason = None
        if not self.known.is_working_day(day):
            names = "; ".join(self.known.get_list(day))
            reason = re.sub(r"\b([0-9]{2})/([0-9]{2})/([0-9]{4})\b", r"\3-\1-\2", names)
            reason = reason or "weekend"
        self.reasons[day] = reason
        return reason

    def provisional(self, first: date, last: date) -> bool:
        """Whether a year from `first`'s to `last`'s has no official list yet."""
        official = self.official
        return first.year not in official or last.year not in official

    def nearest(self, target: date, before: int, after: int) -> date | None:
        """The working day nearest `target` in its window: +1, -1, +2, -2 ... later first."""
        for distance in range(max(before, after) + 1):
            for offset in (distance, -distance) if distance else (0,):
                if -before <= offset <= after:
                    day = target + timedelta(offset)
                    if self.reason(day) is None:
                        return day
        return None


def window(text: str) -> tuple[int, int] | None:
    """A roster's window cell, `3` or `2,4`, as (before, after) days."""
    if not text:
        return None
    before, _, after = text.partition(",")
    return int(before), int(after or before)


def shown(window: tuple[int, int]) -> str:
    """A window as the tool names it: ±3 d, or -2/+4 d."""
    before, after = window
    return f"±{before} d" if before == after else f"-{before}/+{after} d"
