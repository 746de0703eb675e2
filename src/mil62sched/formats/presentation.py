"""How to show a plan beyond its content: terminal styling and width, timed calendar events,
reminders and the calendar stamp. Every format takes one and uses what applies to it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple

# The registry gives no infusion length: this default only sizes calendar events.
DEFAULT_DURATION = timedelta(hours=3)


class Timing(NamedTuple):
    """Timed calendar events: local start time in an IANA zone, and their length."""

    start: time
    zone: str
    duration: timedelta = DEFAULT_DURATION


class Presentation(NamedTuple):
    """How to show a plan, beyond its content; each format uses what applies to it."""

    styled: bool = False  # ANSI styles for a terminal
    width: int | None = None  # terminal width for table and calendar
    timing: Timing | None = None  # None: all-day events
    reminders: tuple[timedelta, ...] = ()  # display alarms this long before each event
    stamp: datetime | None = None  # DTSTAMP; None: now
    heading: str | None = None  # a roster output's name (its calendar name), when it has one


PLAIN = Presentation()
