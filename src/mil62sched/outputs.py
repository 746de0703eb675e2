"""Writing files and standard output: atomically, and never clobbering by accident. The one
writer every output and every cache entry goes through (reading is `inputs`).

Everything is first written to a temporary file (or folder) beside the target and moved into
place only when complete, so a failure or a refusal leaves no partial file and an existing file
untouched. Standard output is staged the same way when the caller may still decide to discard
what it wrote (a roster with bad rows).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from mil62sched.errors import OutputError, UsageError, os_problem
from mil62sched.messages import N_, Message, Text, msg

THIS_FORMAT = msg(N_("this format"))
_FILE = msg(N_("file"))


class Stage:
    """An output being written; set `keep = False` to discard it instead of publishing it."""

    def __init__(self, stream: IO[Any]) -> None:
        self.stream = stream
        self.keep = True


def output_path(path: Path | None) -> Path | None:
    """`-o -` means standard output (None), as in most command-line tools."""
    return None if path is None or str(path) == "-" else path


def is_stream(path: Path) -> bool:
    """Whether `path` is a FIFO, a device or a socket (e.g. /dev/stdout): written into, never
    replaced by a renamed file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


def file_name_key(name: str) -> str:
    """`name` folded as a file system that ignores letter case or Unicode form may fold it
    (Windows, macOS): NFKC, then case folding. Two names with one key may be one file there.

    >>> file_name_key("Straße.ics") == file_name_key("STRASSE.ICS")
    True
    >>> file_name_key("ＣＴ303-0001") == file_name_key("ct303-0001")
    True
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


# A spreadsheet opening a CSV file runs a cell that starts with one of these as a formula
# (=HYPERLINK(...) can send what the sheet holds away).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as the text of a CSV cell, the one rule of every CSV the tool writes (plans,
    rosters, the agenda, the SDTM datasets): booleans as true/false, None as empty.

    Text a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
    return) gets a leading apostrophe; numbers are left alone.

    >>> [csv_cell(True), csv_cell(None), csv_cell(-3), csv_cell("=HYPERLINK()")]
    ['true', '', '-3', "'=HYPERLINK()"]
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class Stdout(NamedTuple):
    """A run's standard output and whether it is a terminal (from the run's `Environment`)."""

    stream: IO[str]
    is_terminal: bool = False


def write_text(
    text: str | bytes,
    path: Path | None,
    stdout: Stdout,
    *,
    force: bool = False,
    terminal: bool = False,
) -> None:
    """Write `text` to `path` (`stdout` when None), atomically. A file is always UTF-8 with the
    text's own line endings; see `to_stdout` for standard output and `terminal`. Bytes (a
    workbook, a PDF) are written as they are, and never to a terminal."""
    if isinstance(text, bytes):
        if path is None:
            bytes_to_stdout(text, stdout)
            return
        with staged(path, stdout, force=force, binary=True) as stage:
            stage.stream.write(text)
        return
    if path is None:
        to_stdout(text, stdout, terminal=terminal)
        return
    with staged(path, stdout, force=force) as stage:
        stage.stream.write(text)


def refuse_binary_terminal(stdout: Stdout, what: Text = THIS_FORMAT) -> None:
    """A binary output (a workbook, a PDF) is refused on a terminal, where it would be noise."""
    if stdout.is_terminal:
        raise UsageError(
            msg(N_("{what} is a binary file and standard output is a terminal"), what=what),
            accepted=msg(N_("give -o FILE, or redirect standard output to a file")),
        )


def bytes_to_stdout(content: bytes, stdout: Stdout) -> None:
    """Write a binary output to standard output (a pipe or a file, never a terminal)."""
    refuse_binary_terminal(stdout)
    raw = getattr(stdout.stream, "buffer", None)
    if raw is None:
        raise UsageError(
            msg(N_("standard output takes only text here")), accepted=msg(N_("give -o FILE"))
        )
    stdout.stream.flush()
    raw.write(content)
    raw.flush()


def to_stdout(text: str, stdout: Stdout, *, terminal: bool = False) -> None:
    """Write `text` to standard output. A machine format (`terminal` false: CSV, JSON, Markdown,
    iCalendar) goes out as the bytes of its file, UTF-8 with exactly its own line endings,
    whatever the console's encoding or newline translation; a terminal format (the table, the
    month view) in the console's encoding, any character it cannot show degraded to `?`.
    """
    stream = stdout.stream
    if terminal:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            shown = text.encode(encoding, errors="replace").decode(encoding, errors="replace")
        except LookupError:  # an encoding Python does not know: keep what was asked for
            shown = text
        stream.write(shown)
        stream.flush()
        return
    raw = getattr(stream, "buffer", None)
    if raw is None:  # a text-only stream (an embedding program's): it takes text
        stream.write(text)
        stream.flush()
        return
    stream.flush()  # whatever was written as text goes first
    raw.write(text.encode("utf-8"))
    raw.flush()


@contextmanager
def staged(
    path: Path | None,
    stdout: Stdout,
    *,
    force: bool = False,
    terminal: bool = False,
    binary: bool = False,
) -> Iterator[Stage]:
    """A stream whose content reaches `path` (or `stdout`) only if the block succeeds
    and `keep` is still true. A FIFO or device gets the content written into it at the end;
    standard output gets it as `to_stdout` writes it (`terminal`: a format for the terminal).
    `binary`: the stream takes bytes (a workbook, a PDF); standard output gets them through
    `bytes_to_stdout`, which refuses a terminal (`formats.choose` has refused one before any
    work)."""
    if path is None or is_stream(path):
        import tempfile  # only when staging: keeps start-up lean

        with tempfile.TemporaryFile(**_modes("w+", binary)) as spool:
            stage = Stage(spool)
            yield stage
            if stage.keep:
                spool.seek(0)
                if path is None and binary:
                    bytes_to_stdout(spool.read(), stdout)
                elif path is None:
                    for chunk in iter(lambda: spool.read(1 << 16), ""):
                        to_stdout(chunk, stdout, terminal=terminal)
                else:
                    _write_into(spool, path, binary=binary)
        return
    check_target(path, force)
    try:
        temporary = _temporary_file(path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with open(temporary, **_modes("w", binary)) as stream:
            stage = Stage(stream)
            yield stage
        if stage.keep:
            _publish(temporary, path, force)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        temporary.unlink(missing_ok=True)


def _modes(mode: str, binary: bool) -> dict[str, Any]:
    """open()'s arguments for an output: bytes as they are, or UTF-8 text with the format's own
    line endings."""
    if binary:
        return {"mode": mode + "b"}
    return {"mode": mode, "encoding": "utf-8", "newline": ""}


@contextmanager
def staged_folder(folder: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary folder whose files are moved into `folder` only if the block succeeds: all of
    them, or none.

    Existing files in `folder` with the same names are refused, before any file is moved,
    unless `force`; anything there that is not a regular file (a folder) is refused even then.
    If a move still fails midway, the files already moved are taken back out and the files
    they replaced put back.
    """
    import tempfile

    if folder.exists() and not folder.is_dir():
        raise OutputError(msg(N_("--split {path!r} is a file, not a folder"), path=str(folder)))
    parent = folder.parent
    if not parent.is_dir():
        raise OutputError(
            msg(
                N_("cannot write into {path!r}: {parent!r} does not exist"),
                path=str(folder),
                parent=str(parent),
            )
        )
    try:
        work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as exc:
        raise cannot_write_into(folder, exc) from None
    try:
        yield work
        names = sorted(entry.name for entry in work.iterdir())
        for name in names:
            os.chmod(work / name, 0o666 & ~_umask())
        with _publishing(folder) as created:
            try:
                _check_existing(folder, names, force)
                _move_all(work, names, folder)
            except BaseException:
                if created:  # leave no empty folder behind, as if the run had not been
                    with contextlib.suppress(OSError):
                        folder.rmdir()
                raise
    except OSError as exc:
        raise cannot_write_into(folder, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_existing(folder: Path, names: list[str], force: bool) -> None:
    """Refuse to replace anything in `folder` that is not a regular file, and any file at all
    unless `force`."""
    kinds = {name: _kind(folder / name) for name in names}
    existing = [name for name, kind in kinds.items() if kind is not None]
    for name in existing:
        if (kind := kinds[name]) != _FILE:
            raise OutputError(
                msg(
                    N_(
                        "cannot write {path!r}: it is {kind}; only a regular file there can be "
                        "replaced (with --force)"
                    ),
                    path=str(folder / name),
                    kind=kind,
                )
            )
    if existing and not force:
        raise OutputError(
            msg(
                N_(
                    "{count} file(s) exist in {path!r}, e.g. {name!r}: use --force to overwrite "
                    "them"
                ),
                count=len(existing),
                path=str(folder),
                name=existing[0],
            )
        )


@contextmanager
def _publishing(folder: Path) -> Iterator[bool]:
    """`folder`, made if missing, held by this run alone while it checks and moves its files:
    two runs into one folder (two `sdtm -o DIR --force`) publish one after the other, each
    whole, never their files interleaved. Yields whether this run made the folder.

    The lock is an exclusive `flock` on the folder itself, which the system releases however
    the run ends; where folders cannot be locked so (Windows, some network file systems), a
    lock folder beside it (`_lock_folder`)."""
    handle, created = _flock(folder)
    if handle is None:
        with _lock_folder(folder):
            yield _made(folder) or created
        return
    try:
        yield created
    finally:
        os.close(handle)  # releases the lock


def _made(folder: Path) -> bool:
    """Make `folder` if it is missing; whether this call made it."""
    try:
        folder.mkdir()
    except FileExistsError:
        return False
    return True


def _flock(folder: Path) -> tuple[int | None, bool]:
    """`folder` (made if missing) opened and locked exclusively, waiting for any other run that
    holds it, and whether this call made it; no handle where a folder cannot be locked so."""
    try:
        import fcntl
    except ImportError:  # Windows
        return None, False
    while True:
        created = _made(folder)
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            # The run that held it may have removed the folder it had made, failing: make it anew.
            if os.path.samestat(os.fstat(handle), os.stat(folder)):
                return handle, created
        except FileNotFoundError:
            pass
        except OSError:  # no flock on folders here (NFS)
            os.close(handle)
            return None, created
        except BaseException:  # SIGTERM or Ctrl-C while waiting
            os.close(handle)
            raise
        os.close(handle)


# How long a run waits for a lock folder before saying another run holds it: far longer than a
# run takes to move its files, short enough to end a wait for a lock an ended run left behind.
LOCK_WAIT_SECONDS = 60


@contextmanager
def _lock_folder(folder: Path) -> Iterator[None]:
    """Hold `folder` for this run alone where it cannot be locked: by making a lock folder
    beside it (making a folder is atomic on every system), removed when done."""
    import time

    lock = folder.parent / f".{folder.name}.lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not _made(lock):
        if time.monotonic() > deadline:
            raise OutputError(
                msg(
                    N_(
                        "another run is writing into {path!r}: try again when it is done, or "
                        "remove {name!r} if no run is"
                    ),
                    path=str(folder),
                    name=str(lock),
                )
            )
        time.sleep(0.05)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.rmdir()


def _kind(path: Path) -> Message | None:
    """What is at `path` (not following a link): None when nothing, "file" for a regular file,
    else a description for a refusal."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return _FILE
    if stat.S_ISDIR(mode):
        return msg(N_("a folder"))
    if stat.S_ISLNK(mode):
        return msg(N_("a symbolic link"))
    return msg(N_("not a regular file"))


def _move_all(work: Path, names: list[str], folder: Path) -> None:
    """Move each of `names` from `work` into `folder`, all or none: a file about to be replaced
    is first linked (or copied) into a backup folder in `work`, and a failure, or a signal
    (SIGTERM, Ctrl-C), undoes every earlier move."""
    import tempfile

    backups = Path(tempfile.mkdtemp(dir=work, prefix=".replaced."))
    done: list[tuple[str, bool]] = []  # (name, whether it replaced a file)
    try:
        for name in names:
            target = folder / name
            replaced = _kind(target) is not None
            if replaced:
                _keep_copy(target, backups / name)
            os.replace(work / name, target)
            done.append((name, replaced))
    except BaseException as exc:
        lost = _undo(done, backups, folder)
        if not isinstance(exc, OSError):
            raise
        where = cannot_write(folder / names[len(done)], exc).message()
        if lost:
            raise OutputError(
                msg(
                    N_("{problem}; {count} file(s) could not be restored, e.g. {name!r}"),
                    problem=where,
                    count=len(lost),
                    name=lost[0],
                )
            ) from None
        raise OutputError(
            msg(N_("{problem}; nothing in {path!r} was changed"), problem=where, path=str(folder))
        ) from None


def _keep_copy(path: Path, backup: Path) -> None:
    """A copy of `path` at `backup`: a hard link when the file system has them."""
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)


def _undo(done: list[tuple[str, bool]], backups: Path, folder: Path) -> list[str]:
    """Put back what `_move_all` replaced and remove what it added; the names it could not."""
    lost = []
    for name, replaced in reversed(done):
        try:
            if replaced:
                os.replace(backups / name, folder / name)
            else:
                (folder / name).unlink()
        except OSError:
            lost.append(name)
    return lost


def _write_into(spool: IO[Any], path: Path, *, binary: bool = False) -> None:
    """Copy what was staged into a FIFO or device, as UTF-8 with the format's line endings (or
    as the bytes they are)."""
    try:
        with open(path, **_modes("w", binary)) as stream:
            shutil.copyfileobj(spool, stream)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def replace_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` through a temporary file and a rename (a cache entry: replacing
    is expected). Raises OSError; the temporary file never survives a failure."""
    temporary = _temporary_file(path)
    try:
        with open(temporary, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def check_target(path: Path | None, force: bool) -> None:
    """Refuse to write `path` (a folder; a file that exists, unless `force`; a missing folder):
    a command asks first, before its work, and writing asks again. Standard output (None), a
    FIFO or a device (/dev/stdout) is written into, never refused for being there."""
    if path is None or is_stream(path):
        return
    if path.is_dir():
        raise OutputError(msg(N_("output {path!r} is a folder: give a file name"), path=str(path)))
    if path.exists() and not force:
        raise _exists(path)
    if not path.parent.is_dir():
        raise OutputError(
            msg(
                N_("cannot write {path!r}: folder {folder!r} does not exist"),
                path=str(path),
                folder=str(path.parent),
            )
        )


def _temporary_file(path: Path) -> Path:
    """A new empty file beside `path`, hidden, for content that is renamed into place."""
    import tempfile

    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    return Path(name)


def _publish(temporary: Path, path: Path, force: bool) -> None:
    os.chmod(temporary, 0o666 & ~_umask())
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # fails if `path` appeared meanwhile: no window to clobber it
    except FileExistsError:
        raise _exists(path) from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise _exists(path) from None
        os.replace(temporary, path)


def _exists(path: Path) -> OutputError:
    return OutputError(
        msg(N_("output {path!r} exists: use --force to overwrite it"), path=str(path))
    )


def cannot_write(path: Path, error: OSError) -> OutputError:
    """The refusal of an output the system could not write."""
    return OutputError(
        msg(N_("cannot write {path!r}: {problem}"), path=str(path), problem=os_problem(error))
    )


def cannot_write_into(folder: Path, error: OSError) -> OutputError:
    """The refusal of a folder of outputs the system could not write into."""
    return OutputError(
        msg(
            N_("cannot write into {path!r}: {problem}"), path=str(folder), problem=os_problem(error)
        )
    )


def _umask() -> int:
    # mkstemp creates files 0600; give the result the permissions a plain open() would.
    mask = os.umask(0)
    os.umask(mask)
    return mask
