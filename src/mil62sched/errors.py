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
