"""The exporters: one module per format, each with `render(plan, presentation) -> str`.

Modules are imported only when their format is used, so `plan --format json` never pays for
rich or icalendar.
"""

from __future__ import annotations

import importlib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple
from typing import Protocol as Interface

from mil62sched.engine import Plan
from mil62sched.errors import UsageError

FORMATS = ("table", "csv", "json", "md", "ics", "calendar")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".md": "md", ".ics": "ics", ".txt": "table"}

# The registry gives no infusion length: this default only sizes calendar events.
DEFAULT_DURATION = timedelta(hours=3)


class Timing(NamedTuple):
    """Timed calendar events: local start time in an IANA zone, and their length."""

    start: time
    zone: str
    duration: timedelta = DEFAULT_DURATION


class Presentation(NamedTuple):
    """How to show a plan, beyond its content; each exporter uses what applies to it."""

    styled: bool = False  # ANSI styles for a terminal
    width: int | None = None  # terminal width for table and calendar
    timing: Timing | None = None  # None: all-day events
    reminders: tuple[timedelta, ...] = ()  # display alarms this long before each event
    stamp: datetime | None = None  # DTSTAMP; None: now


PLAIN = Presentation()


class Exporter(Interface):
    """What every exporter module provides."""

    def render(self, plan: Plan, presentation: Presentation = PLAIN) -> str: ...


def check_format(fmt: str) -> str:
    """Return `fmt` if it is a known format, else refuse it with the accepted ones."""
    if fmt.lower() not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: accepted: {', '.join(FORMATS)}")
    return fmt.lower()


def exporter(fmt: str) -> Exporter:
    """The exporter module for `fmt`, imported on first use."""
    module: Exporter = importlib.import_module(f"mil62sched.export.{check_format(fmt)}")
    return module


def format_for(fmt: str | None, output: Path | None) -> str:
    """The format to write: `--format` when given, else from the output's extension, else table."""
    if fmt is not None:
        return check_format(fmt)
    if output is None:
        return "table"
    if output.is_dir():
        raise UsageError(f"output {str(output)!r} is a folder: give a file name")
    found = _EXTENSIONS.get(output.suffix.lower())
    if found is None:
        raise UsageError(
            f"cannot tell the format of {str(output)!r} from its extension: "
            f"use one of {', '.join(_EXTENSIONS)} or give --format ({', '.join(FORMATS)})"
        )
    return found
