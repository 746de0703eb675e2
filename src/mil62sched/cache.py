"""The per-user cache: where it lives, and reading and writing its entries safely.

The folder is `$MIL62SCHED_CACHE_DIR`, else the platform's user cache folder for `mil62sched`
(platformdirs: `$XDG_CACHE_HOME/mil62sched` or `~/.cache/mil62sched` on Linux). Entries are named
by what they were computed from (a hash of a file's bytes, a package's version), so an edit is
never served stale. The cache only saves time: an entry that is missing, unreadable, too large,
not a regular file or damaged reads as absent and is rebuilt; a failure to write is ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

# No entry of ours is near this; a larger file is not ours, or damaged: never read it whole.
MAX_ENTRY_BYTES = 4 * 1024 * 1024


def folder() -> Path | None:
    """$MIL62SCHED_CACHE_DIR, else the user cache folder; None when there is no usable one."""
    explicit = os.environ.get("MIL62SCHED_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs  # only when no folder is given explicitly

    try:
        found = Path(platformdirs.user_cache_dir("mil62sched", appauthor=False))
        if not found.is_absolute():
            # A relative $XDG_CACHE_HOME, which the XDG spec says to ignore: the default then.
            found = Path.home() / ".cache" / "mil62sched"
    except (RuntimeError, KeyError, OSError):  # no home directory at all
        return None
    return found if found.is_absolute() else None


def read(name: str) -> bytes | None:
    """The bytes of entry `name`, or None when it is absent or not a small regular file (a FIFO
    or device put in its place can neither hang a run nor fill its memory)."""
    from mil62sched.inputs import read_regular

    place = folder()
    if place is None:
        return None
    return read_regular(place / name, MAX_ENTRY_BYTES, follow_links=False)


def write(name: str, content: bytes) -> bool:
    """Store entry `name` atomically (readers see the old or the new one, never half of one).
    Returns False when it could not be written; the caller then simply stops caching."""
    from mil62sched.outputs import replace_atomically

    place = folder()
    if place is None or len(content) > MAX_ENTRY_BYTES:
        return False
    try:
        place.mkdir(parents=True, exist_ok=True)
        replace_atomically(place / name, content)
    except OSError:
        return False
    return True
