"""The one error hierarchy. Errors are data: what was wrong, the value, what is accepted, and
where (an option, or a file and line). Each front end words them: the CLI turns each into one
line on stderr and an exit code in one place; a roster run words them as rows of its files.
"""

from __future__ import annotations


class Mil62schedError(Exception):
    """Base of every error a user can meet.

    `what` says what was wrong, `value` the value as given (quoted in the message), `accepted`
    what would have been accepted, `where` the file and line or the option it came from.
    `field` names the input (`start`, `escalate_at`, `olp_start`) when the code that found the
    problem does not know how it was given. Unnamed, the message calls it by the field's own
    name, which is the roster's column; the CLI names its option instead with `named()`.

    >>> str(UsageError("unknown arm", value="x", accepted="accepted: a, b"))
    "unknown arm 'x': accepted: a, b"
    >>> str(UsageError("empty file", where="r.csv line 1"))
    'r.csv line 1: empty file'
    """

    exit_code = 1

    def __init__(
        self,
        what: str,
        *,
        value: str | None = None,
        accepted: str | None = None,
        where: str | None = None,
        field: str | None = None,
    ) -> None:
        self.what = what
        self.value = value
        self.accepted = accepted
        self.where = where
        self.field = field  # the input it is about ("escalate_at"), for a front end to name
        self.subject: str | None = None  # that input as the front end calls it (`named`)
        super().__init__(self.line())

    def line(self) -> str:
        """The standard wording: `[where: ]what[ 'value'][: accepted]`, or with a subject named
        by the front end, `[where: ]subject[ 'value'] what[: accepted]`."""
        subject = self.subject or self.field
        if subject is not None:
            shown = "" if self.value is None else f" {self.value!r}"
            text = f"{subject}{shown} {self.what}"
        else:
            text = self.what if self.value is None else f"{self.what} {self.value!r}"
        if self.accepted:
            text = f"{text}: {self.accepted}"
        return text if self.where is None else f"{self.where}: {text}"

    def __str__(self) -> str:
        return self.line()

    def named(self, subject: str) -> Mil62schedError:
        """The same error, with its `field` named as the front end calls it (`--escalate-at`,
        or a roster's `escalate_at` column)."""
        self.subject = subject
        self.args = (self.line(),)
        return self


class UsageError(Mil62schedError):
    """A bad option value: an unknown arm, a malformed date, code or participant ID."""

    exit_code = 2


class ProtocolError(Mil62schedError):
    """A protocol file that cannot be read or does not validate; `where` names the file."""


class OutputError(Mil62schedError):
    """An output that may not be written (it exists, its folder does not, the disk is full)."""


class RecordError(UsageError):
    """A recorded visit (actual or missed) that does not fit the plan.

    Fields: `record` the record as typed (`W3D1=2024-01-17`, `OLP:W3D1`), `source` how it was
    given (`actual` or `missed`; None for a rule about the plan itself), `reason` what is wrong,
    `code` and `period` the visit. `line()` words it for the command line (`--actual ...`);
    `as_row(participant)` for a line of an actuals file. `field` names the input that would
    fix it (`start`), worded by each.
    """

    def __init__(
        self,
        reason: str,
        *,
        code: str,
        period: str | None = None,
        record: str | None = None,
        source: str | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.code = code
        self.period = period
        self.record = record
        self.source = source
        super().__init__(reason, field=field)

    def _subject(self, prefix: str) -> str:
        if self.record is None:
            return self.reason
        # A reason either continues the sentence ("is in the future") or follows a colon.
        joiner = " " if not self.reason.startswith(":") else ""
        return f"{prefix}{self.record}{joiner}{self.reason}"

    def line(self) -> str:
        """As a command-line option: `--actual W3D1=2024-01-17 is in the future ...`."""
        fix = "" if self.field is None else f" (--{self.field.replace('_', '-')})"
        if self.record is None:
            return self.reason + fix
        return self._subject(f"--{self.source} " if self.source else "") + fix

    def as_row(self, participant: str) -> str:
        """As a row of an actuals file: `CT-1: W3D1=2024-01-17 is in the future ...`."""
        fix = "" if self.field is None else f" (the roster's {self.field})"
        return f"{participant}: {self._subject('')}{fix}"


class RecordErrors(UsageError):
    """Every recorded visit that does not fit the plan, one line each."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__("\n".join(error.line() for error in errors))


class BadRowsError(Mil62schedError):
    """Bad rows in input files: one line each, then a summary line."""

    def __init__(self, lines: list[str], summary: str) -> None:
        self.lines = [*lines, summary]
        super().__init__("\n".join(self.lines))
