"""A progress bar on stderr for long runs: only on a terminal, and only after two seconds."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from mil62sched.environment import Environment

T = TypeVar("T")
DELAY = 2.0  # seconds before a bar appears: short runs stay quiet


def track(items: Iterable[T], total: int | None, label: str, env: Environment) -> Iterator[T]:
    """Yield `items`; after DELAY seconds, when the run's standard error is a terminal, show a
    transient bar there."""
    if not env.stderr_isatty:
        yield from items
        return
    began = time.monotonic()
    bar = None
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            if bar is None and done % 256 == 0 and time.monotonic() - began > DELAY:
                bar = _start(total, label, env.stderr)
            if bar is not None and done % 256 == 0:
                bar[0].update(bar[1], completed=done)
    finally:
        if bar is not None:
            bar[0].stop()


def _start(total: int | None, label: str, stderr: IO[str]) -> tuple[Progress, TaskID]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=stderr),
        transient=True,
    )
    task = progress.add_task(label, total=total)
    progress.start()
    return progress, task


def count_rows(path: object) -> int | None:
    """Data rows in a CSV file, by counting line ends (fast, approximate with quoted newlines);
    None for a workbook, whose rows are not lines."""
    from pathlib import Path

    from mil62sched.sheets import sniff

    if sniff(Path(str(path))) != "text":
        return None
    try:
        with Path(str(path)).open("rb") as stream:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 0)
