"""The one error hierarchy. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations


class Mil62schedError(Exception):
    """Base of every error a user can meet; the message names the value and what is accepted."""

    exit_code = 1


class UsageError(Mil62schedError):
    """A bad option value: an unknown arm, a malformed date, code or participant ID."""

    exit_code = 2


class ProtocolError(Mil62schedError):
    """A protocol file that cannot be read or does not validate."""


class OutputError(Mil62schedError):
    """An output file that may not be written (it exists, or its folder does not)."""


class RecordError(UsageError):
    """A recorded (actual or missed) visit that does not fit the plan; names the visit."""

    def __init__(self, message: str, code: str, period: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.period = period


class RecordErrors(UsageError):
    """Every recorded visit that does not fit the plan, one line each."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class BadRowsError(Mil62schedError):
    """Bad rows in input files: one line each, then a summary line."""

    def __init__(self, lines: list[str], summary: str) -> None:
        super().__init__("\n".join([*lines, summary]))
        self.lines = [*lines, summary]
