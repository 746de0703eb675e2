"""Values typed by people: ISO dates and participant IDs, refused with the reason when malformed."""

from __future__ import annotations

import re
from datetime import date

from mil62sched.errors import UsageError

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A leading '-' or '.' would make a file name that looks like an option or is hidden.
_PARTICIPANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PARTICIPANT_FORM = "1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"


def parse_date(text: str, what: str = "date") -> date:
    """Parse an ISO 8601 calendar date (YYYY-MM-DD) and nothing else.

    >>> parse_date("2024-01-01")
    datetime.date(2024, 1, 1)
    """
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        hint = ""
        if re.fullmatch(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}", value):
            hint = " (day/month order is ambiguous)"
        raise UsageError(f"invalid {what} {text!r}{hint}: use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"invalid {what} {text!r}: no such day; use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31"
        ) from None


def check_participant(text: str) -> str:
    """Return a participant ID that is safe inside calendars and file names, or refuse it.

    >>> check_participant("CT303-0042")
    'CT303-0042'
    """
    if not _PARTICIPANT.fullmatch(text):
        raise UsageError(f"invalid participant ID {text!r}: use {PARTICIPANT_FORM}")
    return text
