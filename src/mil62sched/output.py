"""Writing results: to standard output, or to a file atomically and never clobbering by accident."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mil62sched.errors import OutputError


def write_text(text: str, path: Path | None, *, force: bool = False) -> None:
    """Write `text` to `path` (standard output when None).

    A file is written to a temporary file in the same folder and renamed into place, so a
    failure leaves no partial file; an existing file is kept unless `force`.
    """
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if path.is_dir():
        raise OutputError(f"output {str(path)!r} is a folder: give a file name")
    if path.exists() and not force:
        raise OutputError(f"output {str(path)!r} exists: use --force to overwrite it")
    import tempfile  # only when writing a file: keeps start-up lean

    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, path)
        else:
            _link_without_clobbering(Path(temporary), path)
    except FileExistsError:
        raise OutputError(f"output {str(path)!r} exists: use --force to overwrite it") from None
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def _link_without_clobbering(temporary: Path, path: Path) -> None:
    """Put `temporary` at `path` unless something is there, even if it appeared a moment ago."""
    try:
        os.link(temporary, path)  # fails with FileExistsError: no window between check and write
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temporary, path)


def _umask() -> int:
    # mkstemp creates files 0600; give the result the permissions a plain open() would.
    mask = os.umask(0)
    os.umask(mask)
    return mask
