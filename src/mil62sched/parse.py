"""Text typed by people -> values: dates, visit codes and keys, participant IDs, windows, clock
times, durations and time zones; each refused with the reason when malformed."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from mil62sched.errors import UsageError
from mil62sched.messages import N_, Keyword, Listing, Localized, Message, Text, msg
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import VisitKey
from mil62sched.model.protocol import Window
from mil62sched.outputs import file_name_key

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A leading '-' or '.' would make a file name that looks like an option or is hidden.
_PARTICIPANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Windows refuses these as file names, with any extension (`CON.txt`), whatever their case.
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)]
)
PARTICIPANT_FORM = N_("1-64 letters, digits, '-', '_' or '.', starting with a letter or digit")
# --split names the unblinded pharmacist's files UNBLINDED-<ID>: an ID of that form could take
# the place of another participant's file, so none may begin with it, in any letter case.
UNBLINDED_PREFIX = "UNBLINDED-"


def excerpt(text: str) -> str:
    """Text as a message quotes it: whole when short, else its start and its length.

    >>> excerpt("W" + "9" * 4301 + "D1")
    'W9999999999999999999999999999999... (4304 characters)'
    """
    return text if len(text) <= 80 else f"{text[:32]}... ({len(text)} characters)"


DATE = msg(N_("date"))


def option_date(option: str) -> Message:
    """What a date given with `option` is called in a refusal: '--start date'."""
    return msg(N_("{option} date"), option=option)


@functools.cache  # a roster asks it for each row; a Message is a value
def column_date(column: str) -> Message:
    """What a date in a file's `column` is called in a refusal: 'start date'."""
    return msg(N_("{column} date"), column=Keyword(column))


def runaway_quote(cells: Sequence[str], columns: int) -> str | None:
    r"""The first line that a quoted cell swallowed although it reads as a row of its own (as
    many commas as a row of `columns` columns has), or None. A stray quote makes a CSV reader
    run on to the next closing quote, taking whole rows into one cell; a note written over
    several lines (Excel's Alt+Enter) has no such line.

    >>> runaway_quote(["CT-1", "a", "latex allergy\nCT-2,phase3-rcp,2024-01-02,"], 4)
    'CT-2,phase3-rcp,2024-01-02,'
    >>> runaway_quote(["CT-1", "a", "line one\nline two, with a comma"], 4) is None
    True
    """
    for cell in cells:
        for line in cell.splitlines()[1:]:
            if columns > 1 and line.count(",") >= columns - 1:
                return line
    return None


def parse_date(text: str, what: Text = DATE) -> date:
    """Parse an ISO 8601 calendar date (YYYY-MM-DD) and nothing else.

    >>> parse_date("2024-01-01")
    datetime.date(2024, 1, 1)
    """
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        said = N_("invalid {what} {value!r}: use ISO 8601 YYYY-MM-DD, e.g. 2024-01-31")
        if re.fullmatch(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}", value):
            said = N_(
                "invalid {what} {value!r} (day/month order is ambiguous): use ISO 8601 "
                "YYYY-MM-DD, e.g. 2024-01-31"
            )
        raise UsageError(msg(said, what=what, value=excerpt(text)))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            msg(
                N_(
                    "invalid {what} {value!r}: no such day; use ISO 8601 YYYY-MM-DD, e.g. "
                    "2024-01-31"
                ),
                what=what,
                value=excerpt(text),
            )
        ) from None


# Dates as a spreadsheet saves them, year first: with '-', '/' or '.' and a month and day of one
# or two digits (Excel on a Chinese Windows writes 2025/8/18), or 2025年8月18日; a datetime cell
# saved as text adds its time, 0:00 or 00:00:00, after a space (or an ISO 'T').
FILE_DATE_FORMS = Listing(["2025-08-18", "2025/8/18", "2025.8.18", "2025年8月18日"], "or")
_FILE_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?P<mark>[/.-])(?P<month>[0-9]{1,2})(?P=mark)(?P<day>[0-9]{1,2})"
    r"|(?P<year_zh>[0-9]{4})\s*年\s*(?P<month_zh>[0-9]{1,2})\s*月\s*(?P<day_zh>[0-9]{1,2})\s*日"
)
# Only where a run of spaces starts: a cell of many spaces is searched in linear time.
_TIME_AT_END = re.compile(
    r"(?<!\s)(?:\s+|T)((?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?)\Z"
)
_NOT_YEAR_FIRST = re.compile(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}")


def parse_file_date(text: str, what: Text = DATE) -> date:
    """A date in a roster, actuals or holiday file, year first: 2025-08-18, 2025/8/18,
    2025.8.18 or 2025年8月18日 (a month and day of one or two digits; full-width digits too).
    A time of 0:00, which Excel adds when it saves a datetime cell as text, is ignored; any
    other time is refused, as are day-first and month-first forms.

    >>> parse_file_date("2025/8/18"), parse_file_date("2025-8-1"), parse_file_date("2025.8.18")
    (datetime.date(2025, 8, 18), datetime.date(2025, 8, 1), datetime.date(2025, 8, 18))
    >>> parse_file_date("2026年11月23日"), parse_file_date("２０２５年８月１８日")
    (datetime.date(2026, 11, 23), datetime.date(2025, 8, 18))
    >>> parse_file_date("2025/8/18 0:00"), parse_file_date("2025-08-18 00:00:00")
    (datetime.date(2025, 8, 18), datetime.date(2025, 8, 18))
    >>> parse_file_date("2025/8/18 9:30")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    mil62sched.errors.UsageError: invalid date '2025/8/18 9:30': a date with a time (9:30) is ...
    """
    value = text.strip()
    if _ISO_DATE.fullmatch(value):  # the usual form, quickly
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _no_such_file_date(text, what) from None
    if not value.isascii():  # full-width digits and punctuation (２０２５／８／１８) as ASCII
        value = unicodedata.normalize("NFKC", value).strip()
    day, clock = value, None
    if (timed := _TIME_AT_END.search(value)) is not None:
        day, clock = value[: timed.start()], timed[1]
    found = _FILE_DATE.fullmatch(day)
    if found is None:
        said = N_("invalid {what} {value!r}: use year first: {forms}")
        if _NOT_YEAR_FIRST.fullmatch(day):
            said = N_("invalid {what} {value!r}: day-first or month-first: use year first: {forms}")
        raise UsageError(msg(said, what=what, value=excerpt(text), forms=FILE_DATE_FORMS))
    year, month, day_of_month = (
        int(found[part] or found[f"{part}_zh"]) for part in ("year", "month", "day")
    )
    try:
        parsed = date(year, month, day_of_month)
    except ValueError:
        raise _no_such_file_date(text, what) from None
    if clock is not None and any(digit != "0" for digit in clock if digit.isdigit()):
        raise UsageError(
            msg(
                N_(
                    "invalid {what} {value!r}: a date with a time ({time}) is not a date: give "
                    "the day alone, year first: {forms}"
                ),
                what=what,
                value=excerpt(text),
                time=clock,
                forms=FILE_DATE_FORMS,
            )
        )
    return parsed


def _no_such_file_date(text: str, what: Text) -> UsageError:
    return UsageError(
        msg(
            N_("invalid {what} {value!r}: no such day; use year first: {forms}"),
            what=what,
            value=excerpt(text),
            forms=FILE_DATE_FORMS,
        )
    )


_UNBLINDED_KEY = file_name_key(UNBLINDED_PREFIX)


def check_participant(text: str) -> str:
    """Return a participant ID that is safe inside calendars and file names, or refuse it.

    >>> check_participant("CT303-0042")
    'CT303-0042'
    """
    if not _PARTICIPANT.fullmatch(text):
        raise UsageError(
            msg(
                N_("invalid participant ID {value!r}: use {form}"),
                value=excerpt(text),
                form=msg(PARTICIPANT_FORM),
            )
        )
    if file_name_key(text).startswith(_UNBLINDED_KEY):
        raise UsageError(
            msg(
                N_(
                    "invalid participant ID {value!r}: no ID may begin with {prefix}, which "
                    "names the unblinded pharmacist's files"
                ),
                value=text,
                prefix=UNBLINDED_PREFIX,
            )
        )
    if text.split(".")[0].upper() in _RESERVED_NAMES:
        raise UsageError(
            msg(
                N_(
                    "invalid participant ID {value!r}: a name Windows keeps for a device "
                    "({device}); it cannot name a file there: add a prefix, e.g. P-{value}"
                ),
                value=text,
                device=text.split(".")[0].upper(),
            )
        )
    return text


FOLDER_FORM = N_("give a folder (. for the current one)")
FILE_FORM = N_("give a file name, or - for standard output")


def check_path(text: str, field: str, accepted: str) -> Path:
    """A file or folder named on the command line; an empty one is refused rather than taken
    for the current folder (which `Path("")` is).

    >>> check_path("out", "split", FOLDER_FORM).name
    'out'
    """
    if not text:
        raise UsageError(
            msg(N_("is an empty path")), value=text, accepted=msg(accepted), field=field
        )
    return Path(text)


# The widest window a visit may have on either side: half the shortest gap between two
# infusions of the trial (W1D1 -> W3D1, 14 days) would be 7; protocols of other trials allow
# more for visits months apart, so the bound only catches typing slips (400 for 4).
MOST_WINDOW_DAYS = 60


def parse_window(text: str) -> Window:
    """`N` (N days either side) or `B,A` (B days before, A after), each 0 to MOST_WINDOW_DAYS.

    >>> parse_window("3"), parse_window("1,2")
    (Window(before=3, after=3), Window(before=1, after=2))
    """
    parts = [part.strip() for part in text.split(",")]
    if len(parts) in (1, 2) and all(re.fullmatch(r"[0-9]{1,2}", part) for part in parts):
        before, after = int(parts[0]), int(parts[-1])
        if before <= MOST_WINDOW_DAYS and after <= MOST_WINDOW_DAYS:
            return Window(before, after)
    raise UsageError(
        msg(
            N_(
                "invalid window {value!r}: use N (days either side, e.g. 3) or B,A (days before "
                "and after, e.g. 1,3), whole numbers from 0 to {most}"
            ),
            value=excerpt(text),
            most=MOST_WINDOW_DAYS,
        )
    )


def parse_count(text: str | int, option: str, least: int, most: int | None = None) -> int:
    """A whole number given with `option`, from `least` (to `most`, when there is a limit).

    >>> parse_count("14", "--days", 1, 3660), parse_count(" 2 ", "--chairs", 1)
    (14, 2)
    """
    value = str(text).strip()
    if value.isascii() and value.isdigit() and len(value) <= 9:
        number = int(value)
        if number >= least and (most is None or number <= most):
            return number
    said = (
        msg(N_("invalid {what} {value!r}: use a whole number, {least} or more"), least=least)
        if most is None
        else msg(
            N_("invalid {what} {value!r}: use a whole number from {least} to {most}"),
            least=least,
            most=most,
        )
    )
    raise UsageError(said.filled(what=option, value=excerpt(str(text))))


def parse_visit_key(text: str, option: Text, typed: str | None = None) -> VisitKey:
    """A visit code, optionally with its period: `W3D1` or `OLP:W3D1`. A refusal quotes
    `typed` (the whole value people typed, e.g. `W3D1=2024-01-17`) when given, else `text`."""
    period, _, code = text.strip().rpartition(":")
    period = period.strip().upper()
    if period and not re.fullmatch(r"[A-Z0-9 ]+", period):
        raise UsageError(
            msg(
                N_("invalid {what} {value!r}: use CODE or PERIOD:CODE, e.g. OLP:W3D1"),
                what=option,
                value=excerpt(typed or text),
            )
        )
    try:
        return VisitKey(VisitCode.parse(code), period or None)
    except UsageError as exc:
        raise UsageError(
            msg(
                N_("invalid {what} {value!r}: {problem}"),
                what=option,
                value=excerpt(typed or text),
                problem=exc.message(),
            )
        ) from None


def parse_actual(text: str) -> tuple[VisitKey, date]:
    """`CODE=DATE` (or `PERIOD:CODE=DATE`): when a visit really happened.

    >>> parse_actual("w3d1=2024-01-17")
    (VisitKey(code=VisitCode(week=3, day=1), period=None), datetime.date(2024, 1, 17))
    """
    code, equals, when = text.partition("=")
    if not equals or not code.strip():
        raise UsageError(
            msg(
                N_("invalid {what} {value!r}: use CODE=YYYY-MM-DD, e.g. W3D1=2024-01-17"),
                what="--actual",
                value=excerpt(text),
            )
        )
    key = parse_visit_key(code, "--actual", typed=text)
    what = msg(N_("{option} date for {code}"), option="--actual", code=excerpt(code.strip()))
    return key, parse_date(when, what)


def parse_clock(text: str) -> time:
    """A clock time H:MM or HH:MM (24-hour).

    >>> parse_clock("09:30"), parse_clock("9:30")
    (datetime.time(9, 30), datetime.time(9, 30))
    """
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", text.strip())
    if match is None:
        raise UsageError(
            msg(
                N_("invalid {what} {value!r}: use HH:MM on the 24-hour clock, e.g. 09:00"),
                what="--time",
                value=excerpt(text),
            )
        )
    return time(int(match[1]), int(match[2]))


def parse_duration(text: str, option: Text, longest: timedelta | None = None) -> timedelta:
    """A length such as 90m, 2h, 1d or 1h30m, longer than zero and at most `longest`.

    >>> parse_duration("1h30m", "--duration")
    datetime.timedelta(seconds=5400)
    """
    match = re.fullmatch(r"(?:([0-9]{1,3})d)?(?:([0-9]{1,3})h)?(?:([0-9]{1,4})m)?", text.strip())
    if match is None or not any(match.groups()):
        raise UsageError(
            msg(
                N_(
                    "invalid {what} {value!r}: use a number of days, hours and minutes such as "
                    "1d, 2h, 90m or 1h30m"
                ),
                what=option,
                value=excerpt(text),
            )
        )
    days, hours, minutes = (int(group or 0) for group in match.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes)
    if not length:
        raise UsageError(
            msg(N_("invalid {what} {value!r}: must be longer than zero"), what=option,
                value=excerpt(text))
        )  # fmt: skip
    if longest is not None and length > longest:
        raise UsageError(
            msg(N_("invalid {what} {value!r}: at most {length}"), what=option,
                value=excerpt(text), length=_length(longest))
        )  # fmt: skip
    return length


def _length(length: timedelta) -> str:
    """'12h' or '28d'."""
    return f"{length.days}d" if length.days else f"{length.seconds // 3600}h"


# An IANA zone name: Area/Location, or a single name such as UTC. The zone database's other
# files (localtime, posixrules, Factory, the right/ and posix/ variants) are not zones to plan in.
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")
_NOT_ZONES = ("localtime", "posixrules", "Factory")


def check_timezone(name: str) -> str:
    """An IANA time zone name such as Asia/Shanghai or America/New_York.

    >>> check_timezone("Asia/Shanghai")
    'Asia/Shanghai'
    """
    from zoneinfo import ZoneInfo  # only when a time zone is given

    usable = (
        _ZONE.fullmatch(name) is not None
        and name not in _NOT_ZONES
        and not name.startswith(("right/", "posix/"))
    )
    if usable:
        try:
            ZoneInfo(name)
        except (KeyError, ValueError, OSError):  # not found, malformed, a folder, unreadable
            usable = False
    if not usable:
        raise UsageError(
            msg(N_("unknown time zone")),
            value=name,
            accepted=msg(N_("use an IANA name such as Asia/Shanghai or America/New_York")),
        )
    return name


# Unicode's control characters (category Cc, 65 code points): C0, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character(text: str, *, line_breaks: bool = False) -> str | None:
    r"""The first control character in `text` (C0, DEL or C1: ESC restyles a terminal or sets
    its title, BEL rings it, NUL ends a C string), or None. With `line_breaks`, tabs and line
    breaks are white space (text that may span lines: a citation, a quoted holiday name).

    The one rule for text a file supplies, refused when the file is read.

    >>> control_character("MIL62\x1b]0;title\x07"), control_character("a\nb", line_breaks=True)
    ('\x1b', None)
    """
    allowed = "\t\n\r" if line_breaks else ""
    return next((c[0] for c in _CONTROL.finditer(text) if c[0] not in allowed), None)


# Text a file supplies with a control character in it, and a country the holidays package lacks.
CONTROL_CHARACTER = N_("contains a control character ({code}): use plain text")
UNKNOWN_COUNTRY = N_(
    "unknown country {value!r}: use an ISO 3166-1 alpha-2 code supported by the holidays "
    "package, e.g. CN or DE"
)


def runaway(line: int, swallowed: str) -> Message:
    """A quote opened on a row that ran on to `line`, taking in `swallowed` (`runaway_quote`)."""
    return msg(
        N_(
            "a quote opened on this line runs on to line {line}, taking in what reads as a row "
            "of its own ({row!r}): close the quote or remove it"
        ),
        line=line,
        row=excerpt(swallowed),
    )


def not_csv(error: Exception) -> Localized:
    """A row the CSV reader refused, in its words (English) or ours."""
    english = f"not valid CSV: {error}"
    return Localized(english, {"zh": msg(N_("not valid CSV: {said!r}"), said=str(error))})


def more_bad_rows(count: int) -> Message:
    """The line after the bad rows shown: how many more there are."""
    return msg(N_("... and {count} more bad row(s)"), count=count)


def escaped(said: Text) -> Text:
    """`said` with every control character in its text values shown as an escape (see
    `escape_controls`): a message that quotes a file's text."""
    if isinstance(said, str):
        return escape_controls(said)
    values = {
        name: escaped(value) if isinstance(value, Message) or type(value) is str else value
        for name, value in said.values.items()
    }
    return Message(said.id, values)


def escape_controls(text: str) -> str:
    r"""`text` with each control character shown as an escape, for a message that quotes a
    file's text: the terminal is told about it, never sent it.

    >>> escape_controls("placebo\x1b[2J")
    'placebo\\x1b[2J'
    """
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


# Arrays and tables in one another: a protocol file nests 6 deep (schedules[0].visits[0].window),
# a site file 2. Deeper nesting is no file of ours, and would exhaust the stack of the TOML
# parser or of what reads the table (RecursionError).
MOST_NESTING = 32


class NestingError(ValueError):
    """TOML nested deeper than MOST_NESTING; `said` words it."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


def toml_problem(error: ValueError) -> Localized:
    """Why a TOML file could not be read (not UTF-8, not TOML, nested too deep), as the reader
    said it in English (tomllib's or the codec's words), and in our words in another language.
    """
    import tomllib

    english = str(error)
    if isinstance(error, NestingError):
        return Localized(english, {"zh": error.said})
    if isinstance(error, UnicodeDecodeError):
        return Localized(
            english, {"zh": msg(N_("not UTF-8 text (byte {byte})"), byte=error.start + 1)}
        )
    if isinstance(error, tomllib.TOMLDecodeError):
        found = re.search(r"\(at line (\d+), column (\d+)\)", english)
        if found:
            said = msg(N_("not TOML (line {line}, column {column})"), line=int(found[1]),
                       column=int(found[2]))  # fmt: skip
            return Localized(english, {"zh": said})
    return Localized(english, {"zh": msg(N_("not TOML: {said!r}"), said=english)})


def read_toml(text: str) -> dict[str, Any]:
    """The table of TOML `text`; raises tomllib.TOMLDecodeError when it is not TOML and
    NestingError when its arrays and tables are nested deeper than MOST_NESTING.

    >>> read_toml("a = [[[1]]]")
    {'a': [[[1]]]}
    >>> read_toml("a = " + "[" * 40 + "]" * 40)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mil62sched.parse.NestingError: arrays and tables nested more than 32 levels deep (at a[0]...)
    """
    import tomllib

    problem = N_("arrays and tables nested more than {most} levels deep")
    try:
        table = tomllib.loads(text)
    except RecursionError:  # the parser recurses per level: caught before it returns
        raise NestingError(msg(problem, most=MOST_NESTING)) from None
    # Iteratively, so that checking cannot recurse either: (value, its key path, its depth).
    pending: list[tuple[object, str, int]] = [(table, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MOST_NESTING:
            raise NestingError(
                msg(N_("{problem} (at {path}...)"), problem=msg(problem, most=MOST_NESTING),
                    path=path[:24])
            )  # fmt: skip
        if isinstance(value, dict):
            pending += [(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            pending += [(v, f"{path}[{n}]", depth + 1) for n, v in enumerate(value)]
    return table
