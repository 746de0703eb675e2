"""Writing files and standard output: atomically, and never clobbering by accident. The one
writer every output and every cache entry goes through.

Everything is first written to a temporary file (or folder) beside the target and moved into
place only when complete, so a failure or a refusal leaves no partial file and an existing file
untouched. Standard output is staged the same way when the caller may still decide to discard
what it wrote (a roster with bad rows).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from mil62sched.errors import OutputError, UsageError


class Stage:
    """An output being written; set `keep = False` to discard it instead of publishing it."""

    def __init__(self, stream: IO[str]) -> None:
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


def readable_twice(path: Path) -> Path:
    """`path` itself when it is a regular file; otherwise (standard output's twin `-`, a pipe
    such as /dev/stdin or `<(...)`, a FIFO) its content copied once into a temporary file of the
    same name, removed at exit, so that it can be read more than once (counted, pre-read,
    planned) and its errors still name it."""
    if str(path) != "-" and not is_stream(path):
        return path
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mil62sched-input-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / ("stdin" if str(path) == "-" else path.name)
    try:
        with copy.open("wb") as target:
            if str(path) == "-":
                shutil.copyfileobj(sys.stdin.buffer, target)
            else:
                with path.open("rb") as source:
                    shutil.copyfileobj(source, target)
    except OSError as exc:
        raise UsageError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    return copy


def write_text(text: str, path: Path | None, *, force: bool = False) -> None:
    """Write `text` to `path` (standard output when None), atomically."""
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with staged(path, force=force) as stage:
        stage.stream.write(text)


@contextmanager
def staged(path: Path | None, *, force: bool = False) -> Iterator[Stage]:
    """A stream whose content reaches `path` (or standard output) only if the block succeeds
    and `keep` is still true. A FIFO or device gets the content written into it at the end."""
    if path is None or is_stream(path):
        import tempfile  # only when staging: keeps start-up lean

        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            stage = Stage(spool)
            yield stage
            if stage.keep:
                spool.seek(0)
                if path is None:
                    shutil.copyfileobj(spool, sys.stdout)
                    sys.stdout.flush()
                else:
                    _write_into(spool, path)
        return
    _check_target(path, force)
    try:
        temporary = _temporary_file(path)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as stream:
            stage = Stage(stream)
            yield stage
        if stage.keep:
            _publish(temporary, path, force)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def staged_folder(folder: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary folder whose files are moved into `folder` only if the block succeeds.

    Existing files in `folder` with the same names are refused, before any file is moved,
    unless `force`.
    """
    import tempfile

    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--split {str(folder)!r} is a file, not a folder")
    parent = folder.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write into {str(folder)!r}: {str(parent)!r} does not exist")
    try:
        work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    except OSError as exc:
        raise OutputError(f"cannot write into {str(folder)!r}: {exc.strerror}") from None
    try:
        yield work
        names = sorted(entry.name for entry in work.iterdir())
        clashes = [name for name in names if (folder / name).exists()]
        if clashes and not force:
            raise OutputError(
                f"{len(clashes)} file(s) exist in {str(folder)!r}, e.g. {clashes[0]!r}: "
                "use --force to overwrite them"
            )
        folder.mkdir(exist_ok=True)
        for name in names:
            os.chmod(work / name, 0o666 & ~_umask())
            os.replace(work / name, folder / name)
    except OSError as exc:
        raise OutputError(f"cannot write into {str(folder)!r}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_into(spool: IO[str], path: Path) -> None:
    """Copy what was staged into a FIFO or device, as UTF-8 with the format's line endings."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            shutil.copyfileobj(spool, stream)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None


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


def _check_target(path: Path, force: bool) -> None:
    if path.is_dir():
        raise OutputError(f"output {str(path)!r} is a folder: give a file name")
    if path.exists() and not force:
        raise OutputError(f"output {str(path)!r} exists: use --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist")


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
        raise OutputError(f"output {str(path)!r} exists: use --force to overwrite it") from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise OutputError(f"output {str(path)!r} exists: use --force to overwrite it") from None
        os.replace(temporary, path)


def _umask() -> int:
    # mkstemp creates files 0600; give the result the permissions a plain open() would.
    mask = os.umask(0)
    os.umask(mask)
    return mask
