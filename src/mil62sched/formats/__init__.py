"""The output formats: one module per format, each declaring its `FORMAT`; this is the registry.

Adding a format is one module (with a `FORMAT = Format(...)`) and one line in `MODULES`. The
command line, `-o` extension detection, `--help` texts and the README's list come from here.
Format modules import their heavy libraries (rich, icalendar) inside their functions, so that
listing the formats costs nothing at start-up.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from mil62sched.errors import UsageError
from mil62sched.formats.presentation import Presentation
from mil62sched.messages import N_, msg
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from mil62sched.model.agenda import Agenda
    from mil62sched.outputs import Stdout

# In the order `--help` lists them; the first is the default.
MODULES = (
    "table",
    "csv_rows",
    "json_document",
    "markdown",
    "ics",
    "calendar",
    "xlsx",
    "html",
    "pdf",
)


class Format(NamedTuple):
    """What a format module declares: its name, its file extensions, and what it can write."""

    name: str
    extensions: tuple[str, ...]  # for -o FILE; the first also names --split files
    # One participant's plan: text, or bytes for a `binary` format.
    render: Callable[[Plan, Presentation], str | bytes]
    # A roster's plans into one stream (a text stream, or a byte stream for a `binary` format);
    # None when the format has no roster form.
    write_roster: Callable[[Iterable[Plan], Presentation, IO[Any]], None] | None = None
    render_agenda: Callable[[Agenda, Presentation], str | bytes] | None = None
    # A roster's participants one file each (--split), as `render` makes them, given and
    # yielded with their file names (in any order), when the format does better than `render`
    # one by one (pdf: one browser for the whole roster, many cards printed to a document).
    render_each: (
        Callable[[Iterable[tuple[str, Plan]], Presentation], Iterator[tuple[str, str | bytes]]]
        | None
    ) = None
    terminal: bool = False  # made for a terminal: styled when standard output is one
    named: bool = False  # a roster output carries a name (Presentation.heading), e.g. a calendar's
    binary: bool = False  # writes bytes (a workbook, a PDF), never to a terminal
    timed: bool = False  # uses --time, --duration and --remind (Presentation.timing, reminders)
    printed: bool = False  # a printed page: uses --paper (and --browser, when also binary: pdf)


@functools.cache
def all_formats() -> tuple[Format, ...]:
    """Every format, in `MODULES` order."""
    found = []
    for module in MODULES:
        declared = importlib.import_module(f"mil62sched.formats.{module}").FORMAT
        assert isinstance(declared, Format), module
        found.append(declared)
    return tuple(found)


def offered(*, roster: bool = False, agenda: bool = False) -> list[Format]:
    """The formats a command accepts: all, or those with a roster or an agenda form."""
    return [
        f
        for f in all_formats()
        if (not roster or f.write_roster is not None)
        and (not agenda or f.render_agenda is not None)
    ]


def names(*, roster: bool = False, agenda: bool = False) -> list[str]:
    """The names of the formats a command accepts."""
    return [f.name for f in offered(roster=roster, agenda=agenda)]


def named(name: str, *, roster: bool = False, agenda: bool = False) -> Format:
    """The format called `name`, refused with the accepted names when unknown or not available
    for a roster or agenda."""
    usable = offered(roster=roster, agenda=agenda)
    key = name.strip().lower()
    for found in usable:
        if found.name == key:
            return found
    accepted = msg(N_("accepted: {names}"), names=[f.name for f in usable])
    if key in names():
        said = (
            N_("format {name!r} is not available for a roster")
            if roster
            else N_("format {name!r} is not available for the agenda")
        )
        raise UsageError(msg(said, name=key), accepted=accepted)
    raise UsageError(msg(N_("unknown format")), value=name, accepted=accepted)


def choose(
    fmt: str | None,
    output: Path | None,
    stdout: Stdout,
    *,
    roster: bool = False,
    agenda: bool = False,
    default: str = "table",
) -> Format:
    """The format to write: `--format` when given, else from the output's extension, else the
    default. A binary format (a workbook, a PDF) bound for `stdout` when it is a terminal is
    refused here, before any work is done."""
    chosen = _choose(fmt, output, roster=roster, agenda=agenda, default=default)
    if chosen.binary and output is None:
        from mil62sched.outputs import refuse_binary_terminal

        refuse_binary_terminal(stdout, msg(N_("format {name!r}"), name=chosen.name))
    return chosen


def _choose(
    fmt: str | None,
    output: Path | None,
    *,
    roster: bool = False,
    agenda: bool = False,
    default: str = "table",
) -> Format:
    if output is not None and output.is_dir():  # the same refusal with or without --format
        raise output_is_folder(output)
    if fmt is not None:
        return named(fmt, roster=roster, agenda=agenda)
    if output is None:
        return named(default, roster=roster, agenda=agenda)
    from mil62sched.outputs import is_stream

    if is_stream(output):  # /dev/stdout, a FIFO: no extension to go by
        return named(default, roster=roster, agenda=agenda)
    suffix = output.suffix.lower()
    usable = offered(roster=roster, agenda=agenda)
    for found in usable:
        if suffix in found.extensions:
            return found
    extensions = [extension for f in usable for extension in f.extensions]
    raise unknown_extension(output, extensions, [f.name for f in usable])


def output_is_folder(output: Path) -> UsageError:
    """-o naming a folder, where a file is written."""
    return UsageError(
        msg(N_("output {path!r} is a folder"), path=str(output)),
        accepted=msg(N_("give a file name")),
    )


def unknown_extension(output: Path, extensions: list[str], names: list[str]) -> UsageError:
    """-o whose extension names no format, without --format."""
    return UsageError(
        msg(N_("cannot tell the format of {path!r} from its extension"), path=str(output)),
        accepted=msg(
            N_("use one of {extensions} or give --format ({names})"),
            extensions=extensions,
            names=names,
        ),
    )
