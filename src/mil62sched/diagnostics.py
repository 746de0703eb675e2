"""The one writer of a run's standard error: warnings, notes and errors, one line each
(`mil62sched: warning: ...`), in the run's language, each warning and note said once a run.

The run's `Environment` holds one, over its standard error and its render function; everything
that has something to say to the person running the command says it here, as a message (or an
error, whose parts are messages), never by writing to standard error itself. Said, a warning or
a note never changes the exit status; an error line is written by the command line's one place
that turns errors into lines (`cli`).

>>> import io
>>> said = Diagnostics(io.StringIO())
>>> said.note("{file} read as GB18030 (not UTF-8)", file="roster.csv")
>>> said.note("{file} read as GB18030 (not UTF-8)", file="roster.csv")  # once a run
>>> print(said.stream.getvalue(), end="")
mil62sched: note: roster.csv read as GB18030 (not UTF-8)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from mil62sched.errors import Mil62schedError
from mil62sched.messages import Message

PROGRAM = "mil62sched"

# What is said (a message, or an error whose parts are messages) as the reader reads it: the
# run's language is the render function's business (`Environment.render`).
Said = Message | Mil62schedError
Render = Callable[[Said], str]


def as_written(said: Said) -> str:
    """What is said, in English."""
    return said.line() if isinstance(said, Mil62schedError) else str(said)


class Diagnostics:
    """Warnings, notes and errors on `stream`, each rendered by `render` when it is said."""

    def __init__(self, stream: IO[str], render: Render = as_written) -> None:
        self.stream = stream
        self.render = render
        self._said: set[str] = set()

    def warning(self, said: Message | str, /, *, key: str | None = None, **values: object) -> None:
        """A warning: what was done may not be what was meant (said once a run; `key`: what
        makes two warnings one, by default their text). A message, or a msgid with its
        `values`."""
        self._once("warning", _message(said, values), key)

    def note(self, said: Message | str, /, *, key: str | None = None, **values: object) -> None:
        """A note: what the run assumed or chose, worth knowing (said once a run, as
        `warning`)."""
        self._once("note", _message(said, values), key)

    def error(self, said: Said | str, /, **values: object) -> None:
        """An error: one line per line of its text (several only for a file with several bad
        rows)."""
        shown = said if isinstance(said, Mil62schedError) else _message(said, values)
        self._write("error", self.render(shown))

    def traceback(self, error: BaseException) -> None:
        """The traceback of an unexpected error, as Python prints it (`--debug`)."""
        import traceback

        self.stream.write("".join(traceback.format_exception(error)))

    def _once(self, kind: str, said: Message, key: str | None) -> None:
        text = self.render(said)
        seen = f"{kind}:{text if key is None else key}"
        if seen in self._said:
            return
        self._said.add(seen)
        self._write(kind, text)

    def _write(self, kind: str, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.stream.write(f"{PROGRAM}: {kind}: {line}\n")


def _message(said: Message | str, values: dict[str, object]) -> Message:
    """A message, or the msgid `said` with its values."""
    return said if isinstance(said, Message) else Message(said, values)
