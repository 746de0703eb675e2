"""Where this tool keeps per-user caches (holiday answers, the parsed protocol file)."""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path | None:
    """$MIL62SCHED_CACHE_DIR, else $XDG_CACHE_HOME/mil62sched, else ~/.cache/mil62sched."""
    explicit = os.environ.get("MIL62SCHED_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        return Path(xdg, "mil62sched")
    home = os.environ.get("HOME")
    if home is None:
        try:
            home = str(Path.home())  # from the password database
        except (RuntimeError, KeyError):
            return None
    # An empty or relative HOME would put the cache in "/" or the working folder: none then.
    return Path(home, ".cache", "mil62sched") if os.path.isabs(home) else None
