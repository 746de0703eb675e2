"""How to show a plan beyond its content: terminal styling and width, timed calendar events,
reminders and the calendar stamp. Every format takes one and uses what applies to it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from mil62sched.errors import UsageError
from mil62sched.messages import N_, msg
from mil62sched.model.contact import SiteContact

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
    stamp: datetime | None = None  # export instant (DTSTAMP, SEQUENCE); None: now
    heading: str | None = None  # a roster output's name (its calendar name), when it has one
    lang: str = "en"  # the language of what people read (i18n.LANGUAGES); never of a contract
    # The printed visit card (html, pdf): the site's contact (None: the protocol's site), the
    # paper, the languages it is written in, and the browser that prints a PDF (None: look for one).
    contact: SiteContact | None = None
    paper: str = "a4"
    languages: tuple[str, ...] = ("en", "zh")
    browser: str | None = None


PLAIN = Presentation()


def export_instant(source_date_epoch: str | None, now: datetime | None = None) -> datetime:
    """The export instant in UTC, to the second: SOURCE_DATE_EPOCH when set (a reproducible
    build, https://reproducible-builds.org/specs/source-date-epoch/), else `now` or the clock.

    >>> export_instant("1767225600")
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if source_date_epoch is None:
        return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    refusal = UsageError(
        msg(
            N_(
                "invalid {what} {value!r}: use a whole number of seconds since "
                "1970-01-01T00:00:00Z, e.g. 1767225600"
            ),
            what="SOURCE_DATE_EPOCH",
            value=source_date_epoch,
        )
    )
    # The specification allows ASCII digits only: no sign, no fraction, no spaces.
    if not (source_date_epoch.isascii() and source_date_epoch.isdigit()):
        raise refusal
    try:
        return datetime.fromtimestamp(int(source_date_epoch), UTC)
    except (OverflowError, OSError, ValueError):
        raise refusal from None
