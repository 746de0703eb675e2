"""The one error hierarchy. Errors are data: what was wrong, the value, what is accepted, and
where (an option, or a file and line), each part a `Message` made where the problem was found
(or a literal, said as it is). Each front end words them: the CLI turns each into one line on
stderr, in the run's language, and an exit code in one place; a roster run words them as rows of
its files. `str(error)` and `line()` are English.
"""

from __future__ import annotations

from collections.abc import Sequence

from mil62sched.messages import N_, Localized, Message, Text, as_message, lines, msg

# Where in an input file: `roster.csv line 3`.
FILE_LINE = N_("{file} line {line}")
# How an error's parts are put together, in every language.
_SUBJECT_VALUE = N_("{subject} {value!r} {what}")
_SUBJECT = N_("{subject} {what}")
_VALUE = N_("{what} {value!r}")
_ACCEPTED = N_("{problem}: {accepted}")
_WHERE = N_("{where}: {problem}")
# A recorded visit's problem, and the input that would fix it.
_OPTION_FIX = N_("{problem} ({option})")
_COLUMN_FIX = N_("{problem} (the roster's {column})")
_ROW = N_("{participant}: {problem}")


# What the system says of a failed file operation, by errno: in English its own words (strerror),
# in another language ours.
_OS_PROBLEMS = {
    "ENOENT": N_("no such file or folder"),
    "EACCES": N_("permission denied"),
    "EPERM": N_("operation not permitted"),
    "EISDIR": N_("it is a folder"),
    "ENOTDIR": N_("a part of the path is not a folder"),
    "ENOSPC": N_("no space left on the disk"),
    "EDQUOT": N_("disk quota exceeded"),
    "EROFS": N_("the file system is read-only"),
    "EEXIST": N_("it exists already"),
    "ENAMETOOLONG": N_("the name is too long"),
    "ELOOP": N_("too many symbolic links"),
    "EIO": N_("input/output error"),
    "EPIPE": N_("the reading end of the pipe is closed"),
    "EBADF": N_("it is closed"),
    "EFBIG": N_("the file is too large"),
    "EBUSY": N_("it is busy"),
    "ETXTBSY": N_("it is busy"),
    "EINVAL": N_("invalid argument"),
    "ENXIO": N_("no such device"),
    "ENODEV": N_("no such device"),
}


def os_problem(error: OSError) -> Localized:
    """What went wrong with a file, as the system says it (`strerror`), said in another language
    by our words for its errno.

    >>> import errno, os
    >>> str(os_problem(OSError(errno.ENOENT, os.strerror(errno.ENOENT))))
    'No such file or directory'
    """
    import errno

    english = error.strerror or str(error)
    name = errno.errorcode.get(error.errno or 0, "")
    known = _OS_PROBLEMS.get(name)
    said = msg(known) if known is not None else msg(N_("the system says {said!r}"), said=english)
    return Localized(english, {"zh": said})


class Mil62schedError(Exception):
    """Base of every error a user can meet.

    `what` says what was wrong, `value` the value as given (quoted in the message), `accepted`
    what would have been accepted, `where` the file and line or the option it came from.
    `field` names the input (`start`, `escalate_at`, `olp_start`) when the code that found the
    problem does not know how it was given. Unnamed, the message calls it by the field's own
    name, which is the roster's column; the CLI names its option instead with `named()`.

    >>> str(UsageError(msg("unknown arm"), value="x", accepted=msg("accepted: {names}",
    ...                names=["a", "b"])))
    "unknown arm 'x': accepted: a, b"
    >>> str(UsageError(msg("empty file"), where="r.csv line 1"))
    'r.csv line 1: empty file'
    """

    exit_code = 1

    def __init__(
        self,
        what: Text,
        *,
        value: str | None = None,
        accepted: Text | None = None,
        where: Text | None = None,
        field: str | None = None,
    ) -> None:
        self.what = what
        self.value = value
        self.accepted = accepted
        self.where = where
        self.field = field  # the input it is about ("escalate_at"), for a front end to name
        self.subject: str | None = None  # that input as the front end calls it (`named`)
        super().__init__(what)

    def message(self) -> Message:
        """The standard wording: `[where: ]what[ 'value'][: accepted]`, or with a subject named
        by the front end, `[where: ]subject[ 'value'] what[: accepted]`."""
        subject = self.subject or self.field
        if subject is not None:
            if self.value is None:
                said = msg(_SUBJECT, subject=subject, what=self.what)
            else:
                said = msg(_SUBJECT_VALUE, subject=subject, value=self.value, what=self.what)
        elif self.value is not None:
            said = msg(_VALUE, what=self.what, value=self.value)
        else:
            said = as_message(self.what)
        if self.accepted:
            said = msg(_ACCEPTED, problem=said, accepted=self.accepted)
        return said if self.where is None else msg(_WHERE, where=self.where, problem=said)

    def line(self) -> str:
        """The message in English."""
        return str(self.message())

    def __str__(self) -> str:
        return self.line()

    def named(self, subject: str) -> Mil62schedError:
        """The same error, with its `field` named as the front end calls it (`--escalate-at`,
        or a roster's `escalate_at` column)."""
        self.subject = subject
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
    given (`actual` or `missed`; None for a rule about the plan itself), `reason` what is wrong
    (a message with a `{record}` placeholder when there is a record, filled as each front end
    shows the record), `code` and `period` the visit. `line()` words it for the command line
    (`--actual ...`); `as_row(participant)` for a line of an actuals file. `field` names the
    input that would fix it (`start`), worded by each.
    """

    def __init__(
        self,
        reason: Message | str,
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

    def _said(self, record: str | None) -> Message:
        reason = self.reason
        if isinstance(reason, str):  # until every reason is a message: record, then reason
            joiner = "" if reason.startswith(":") or record is None else " "
            return as_message(reason if record is None else f"{record}{joiner}{reason}")
        return reason if record is None else reason.filled(record=record)

    def message(self) -> Message:
        """As a command-line option: `--actual W3D1=2024-01-17 is in the future ...`."""
        record = self.record
        if record is not None and self.source:
            record = f"--{self.source} {record}"
        said = self._said(record)
        if self.field is None:
            return said
        return msg(_OPTION_FIX, problem=said, option="--" + self.field.replace("_", "-"))

    def as_row(self, participant: str) -> Message:
        """As a row of an actuals file: `CT-1: W3D1=2024-01-17 is in the future ...`."""
        said = self._said(self.record)
        if self.field is not None:
            said = msg(_COLUMN_FIX, problem=said, column=self.field)
        return msg(_ROW, participant=participant, problem=said)


class RecordErrors(UsageError):
    """Every recorded visit that does not fit the plan, one line each."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__(self.message())

    def message(self) -> Message:
        """One line per recorded visit."""
        return lines([error.message() for error in self.errors])


class BadRowsError(Mil62schedError):
    """Bad rows in input files: one line each, then a summary line."""

    def __init__(self, lines: Sequence[Text], summary: Text) -> None:
        self.lines = [*lines, summary]
        super().__init__(self.message())

    def message(self) -> Message:
        """One line per bad row, then the summary."""
        return lines(self.lines)
