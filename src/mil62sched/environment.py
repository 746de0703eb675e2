"""One run's context, as httpie passes its `Environment`: the standard streams and whether they
are terminals, the terminal's width, the colour choice, the language, how input files are read,
and the one writer of standard error (`Diagnostics`).

`Environment.of_process()` reads the real process once, in `cli`; everything below is handed
what it needs of it (a `Stdout`, a `Reading`, a language), and nothing reads the process's
streams, their terminals or the language on its own. Tests build their own:

>>> import io
>>> env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), lang="zh")
>>> from mil62sched.messages import msg
>>> env.diagnostics.warning(msg("{option} applies to .ics calendars only; ignored for {format}",
...                             option="--time", format="csv"))
>>> print(env.stderr.getvalue(), end="")
mil62sched: warning: --time 只用于 .ics 日历；csv 格式忽略此选项
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

from mil62sched import i18n
from mil62sched.diagnostics import Diagnostics, Said
from mil62sched.errors import Mil62schedError
from mil62sched.inputs import Reading
from mil62sched.outputs import Stdout


def styled_output(isatty: bool, environ: Mapping[str, str]) -> bool:
    """Whether terminal output gets ANSI styles: a terminal does, unless NO_COLOR is set
    (https://no-color.org) or TERM is dumb; FORCE_COLOR (https://force-color.org) styles a pipe
    too, though never against NO_COLOR. Set means present and not empty.

    >>> styled_output(True, {}), styled_output(True, {"NO_COLOR": "1"})
    (True, False)
    >>> styled_output(False, {"FORCE_COLOR": "1"}), styled_output(True, {"TERM": "dumb"})
    (True, False)
    """
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


@dataclass(eq=False)
class Environment:
    """A run's streams, terminal, language, reading choices and diagnostics."""

    stdout: IO[str]
    stderr: IO[str]
    stdin: IO[str] | None = None
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    width: int = 80  # the terminal's columns
    environ: Mapping[str, str] = field(default_factory=dict)
    lang: str = "en"  # the language of what people read (i18n.LANGUAGES)
    asked_lang: str | None = None  # --lang as given on the command line, else None
    debug: bool = False  # show the traceback of an unexpected error (--debug)
    encoding: str = "auto"  # how input files are read (--encoding, --sheet)
    sheet: str | None = None
    diagnostics: Diagnostics = field(init=False)

    def __post_init__(self) -> None:
        self.diagnostics = Diagnostics(self.stderr, self.render)

    @classmethod
    def of_process(cls) -> Environment:
        """The real process's streams, terminal and environment variables; the language the
        environment chooses (until --lang)."""
        import os
        import shutil
        import sys

        stdout = sys.stdout
        if stdout is None:  # started with standard output closed (`>&-`): nothing to write to
            stdout = open(os.devnull, "w")  # noqa: SIM115 - the process's, open until it ends
        return cls(
            stdout=stdout,
            stderr=sys.stderr,
            stdin=sys.stdin,
            stdout_isatty=stdout.isatty(),
            stderr_isatty=sys.stderr.isatty(),
            width=shutil.get_terminal_size().columns,
            environ=os.environ,
            lang=i18n.default_language(os.environ),
        )

    def choose_language(self, option: str | None) -> None:
        """`--lang`: the language of what people read, refused unless en or zh; without it, the
        environment's (MIL62SCHED_LANG, the locale)."""
        if option is None:
            self.asked_lang = None
            return
        self.lang = self.asked_lang = i18n.chosen_language(option)

    def read_inputs(self, encoding: str, sheet: str | None) -> None:
        """`--encoding` and `--sheet`: how this run reads its input files (checked)."""
        chosen = Reading.chosen(encoding, sheet)
        self.encoding, self.sheet = chosen.encoding, chosen.sheet

    @property
    def reading(self) -> Reading:
        """How input files are read, with where their notes go."""
        return Reading(self.encoding, self.sheet, self.stdin, self.diagnostics)

    @property
    def output(self) -> Stdout:
        """Standard output, for the writer."""
        return Stdout(self.stdout, self.stdout_isatty)

    def styled(self) -> bool:
        """Whether a format made for the terminal is styled on standard output."""
        return styled_output(self.stdout_isatty, self.environ)

    def render(self, said: Said) -> str:
        """What is said on standard error, in the run's language: a message, or an error in its
        parts."""
        message = said.message() if isinstance(said, Mil62schedError) else said
        return i18n.render(message, self.lang)
