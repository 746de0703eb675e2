"""Reading the site's input files (rosters, actuals, holiday files, and what the cache and the
site file read): bounded, in the encoding a site saves them in, and from standard input or a pipe
as well as from a file. How a run reads them (`Reading`: --encoding, --sheet, its standard input
and its diagnostics) is passed to every reader, from the run's `Environment`. Writing is
`outputs`.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mil62sched.diagnostics import Diagnostics
from mil62sched.errors import FILE_LINE, UsageError, os_problem
from mil62sched.messages import N_, Message, msg
from mil62sched.outputs import is_stream

# Inputs (rosters, actuals, holiday files) are text a site keeps: far below these. A larger
# file, or a longer line, is not one of them (a device such as /dev/zero, a binary file).
MOST_INPUT_BYTES = 256 * 1024 * 1024
MOST_LINE_CHARACTERS = 1024 * 1024


def readable_twice(path: Path, reading: Reading) -> Path:
    """`path` itself when it is a regular file; otherwise (`-` for the run's standard input, a
    pipe such as /dev/stdin or `<(...)`, a FIFO, a device) its content copied once into a
    temporary file of the same name, removed at exit, so that it can be read more than once
    (counted, pre-read, planned) and its errors still name it. Either way at most
    MOST_INPUT_BYTES."""
    too_large = UsageError(
        msg(
            N_(
                "cannot read {path!r}: larger than {size} MiB, so not a roster, actuals or "
                "holiday file"
            ),
            path=str(path),
            size=MOST_INPUT_BYTES // (1024 * 1024),
        )
    )
    if str(path) != "-" and not is_stream(path):
        try:
            if path.stat().st_size > MOST_INPUT_BYTES:
                raise too_large
        except OSError:
            pass  # left to the reader, which words it
        return path
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mil62sched-input-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / ("stdin" if str(path) == "-" else path.name)
    try:
        with copy.open("wb") as target, _input_stream(path, reading) as source:
            copied = 0
            while chunk := source.read(1 << 20):
                copied += len(chunk)
                if copied > MOST_INPUT_BYTES:
                    raise too_large
                target.write(chunk)
    except OSError as exc:
        raise cannot_read(path, exc) from None
    return copy


def cannot_read(path: Path, error: OSError) -> UsageError:
    """The refusal of an input file the system could not read."""
    return UsageError(
        msg(N_("cannot read {path!r}: {problem}"), path=str(path), problem=os_problem(error))
    )


def _input_stream(path: Path, reading: Reading) -> IO[bytes]:
    """Standard input for `-`, else the file, as bytes; standard input is left open."""
    if str(path) == "-":
        if reading.stdin is None:
            raise OSError(errno.EBADF, "no standard input")
        return open(reading.stdin.fileno(), "rb", closefd=False)
    return path.open("rb")


def input_lines(stream: IO[str], name: str) -> Iterator[str]:
    """The lines of an input file, for a CSV reader; a line longer than MOST_LINE_CHARACTERS
    (a binary file, /dev/zero) is refused with its number instead of filling memory."""
    number = 0
    while line := stream.readline(MOST_LINE_CHARACTERS + 1):
        number += 1
        if len(line) > MOST_LINE_CHARACTERS:
            raise UsageError(
                msg(
                    N_(
                        "longer than {most:,} characters, so not a line of a roster, actuals or "
                        "holiday file"
                    ),
                    most=MOST_LINE_CHARACTERS,
                ),
                where=msg(FILE_LINE, file=name, line=number),
            )
        yield line


# The encodings an input file may be read in: `auto` tries UTF-8 (with or without a BOM), then
# UTF-16 when the file starts with its BOM, else GB18030 (what Excel's "CSV (逗号分隔)" saves on
# a Chinese Windows; a superset of GBK).
INPUT_ENCODINGS = ("auto", "utf-8", "gb18030", "utf-16")
_CODECS = {"utf-8": "utf-8-sig", "gb18030": "gb18030", "utf-16": "utf-16"}
_SHOWN = {"utf-8-sig": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}


@dataclass(frozen=True)
class Reading:
    """How a run reads its input files: the encoding asked for (one of INPUT_ENCODINGS), the
    sheet of a workbook input (`--sheet`; None for the active one), standard input (for `-`),
    and where what is noticed on the way is said (None: nowhere, as in a library call)."""

    encoding: str = "auto"
    sheet: str | None = None
    stdin: IO[str] | None = None
    diagnostics: Diagnostics | None = None

    @classmethod
    def chosen(cls, encoding: str, sheet: str | None = None) -> Reading:
        """`--encoding` (checked; utf8, gbk and utf16 taken for their names) and `--sheet`."""
        chosen = encoding.strip().lower().replace("_", "-")
        chosen = {"utf8": "utf-8", "gbk": "gb18030", "utf16": "utf-16"}.get(chosen, chosen)
        if chosen not in INPUT_ENCODINGS:
            raise UsageError(
                msg(N_("invalid --encoding")),
                value=encoding,
                accepted=msg(N_("use {names}"), names=list(INPUT_ENCODINGS)),
            )
        return cls(chosen, sheet)

    def note(self, said: Message, /, *, key: str) -> None:
        """A note on standard error, once a run for each `key` (an input read twice says it
        once)."""
        if self.diagnostics is not None:
            self.diagnostics.note(said, key=key)

    def warning(self, said: Message, /, *, key: str) -> None:
        """A warning on standard error, once a run for each `key`."""
        if self.diagnostics is not None:
            self.diagnostics.warning(said, key=key)


def open_input(path: Path, reading: Reading) -> IO[str]:
    """Open a roster, actuals or holiday file as text, in the run's encoding, with its line
    endings untouched for a CSV reader. A file read as anything but UTF-8 is said once in a
    note. Raises OSError; a file no encoding fits is opened as UTF-8, so that reading it reports
    its first bad byte. Reads the file once more to detect: callers pass a regular file
    (`readable_twice`)."""
    codec = _CODECS.get(reading.encoding) or _detect(path)
    if codec != "utf-8-sig" and reading.encoding == "auto":
        reading.note(
            msg(
                N_("{file} read as {encoding} (not UTF-8)"), file=path.name, encoding=_SHOWN[codec]
            ),
            key=f"{path}:encoding",
        )
    return path.open(encoding=codec, newline="")


def not_in_forced_encoding(name: str, reading: Reading) -> UsageError | None:
    """The refusal of an input file that does not decode in the encoding --encoding forced,
    when that is not UTF-8 (whose refusal names the first bad byte); else None."""
    if reading.encoding in ("auto", "utf-8"):
        return None
    return UsageError(
        msg(
            N_("not {encoding} text, as --encoding says"),
            encoding=_SHOWN[_CODECS[reading.encoding]],
        ),
        accepted=msg(
            N_("leave --encoding out to detect the encoding, or save the file as UTF-8 CSV")
        ),
        where=name,
    )


def _detect(path: Path) -> str:
    """The codec that decodes the whole file: UTF-8, UTF-16 (with a BOM), else GB18030."""
    import codecs

    with path.open("rb") as stream:
        start = stream.read(2)
        if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        for codec in ("utf-8-sig", "gb18030"):
            stream.seek(0)
            decoder = codecs.getincrementaldecoder(codec)()
            try:
                while chunk := stream.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return codec
    return "utf-8-sig"


def read_regular(path: Path, most_bytes: int, *, follow_links: bool = True) -> bytes | None:
    """The bytes of `path` when it is a regular file of at most `most_bytes`, else None.

    Opened without blocking and checked before reading, so a FIFO or device in its place can
    neither hang the run nor fill its memory; any error reads as None.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > most_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= most_bytes:  # the file may have grown since fstat
            chunk = os.read(handle, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= most_bytes else None
    except OSError:
        return None
    finally:
        os.close(handle)
