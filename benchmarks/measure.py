"""The benchmarks' one way of timing: every measured run is a child process, reaped with
`os.wait4`, which gives its wall time, its CPU time (user + system, its own and that of the
children it waited for) and its peak RSS. Commands run in rounds: every round runs every command
once, in a new order (shuffled, seeded), so that the machine's noise falls on all of them alike.

A floor whose input must be read first (the tool's own output, parsed) times only its work: it
prints `<wall seconds> <CPU seconds>` of that part as the last line of its stdout, which
replaces the process's own figures (its peak RSS stays the process's).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One command line to time, and what a run of it must show to count."""

    argv: tuple[str, ...]
    status: int = 0  # the exit status it must end with
    shows: str = ""  # text its stdout or stderr must hold (checked on every run)
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the run's environment
    fresh_cache: bool = False  # a new, empty MIL62SCHED_CACHE_DIR for each run
    self_timed: bool = False  # the child reports the time of its work (see the module's doc)
    # What the run produced, as a string to compare between runs and with the floor's (a
    # digest of the file written, a count of pages ...); None: nothing to compare.
    fingerprint: Callable[[], str] | None = None
    warm_up: bool = False  # run in the untimed warm-up rounds (cheap commands only)


@dataclass(frozen=True)
class Sample:
    """One timed run."""

    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_kib: int  # peak resident set size
    fingerprint: str | None = None


@dataclass(frozen=True)
class Summary:
    """Median and spread (min-max) of the samples of one command."""

    wall: float
    wall_min: float
    wall_max: float
    cpu: float
    cpu_min: float
    cpu_max: float
    rss_mib: float  # the largest peak of the runs
    runs: int
    fingerprints: frozenset[str | None]

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Summary:
        """The summary of `samples` (at least one)."""
        walls = [sample.wall for sample in samples]
        cpus = [sample.cpu for sample in samples]
        return cls(
            statistics.median(walls),
            min(walls),
            max(walls),
            statistics.median(cpus),
            min(cpus),
            max(cpus),
            max(sample.rss_kib for sample in samples) / 1024,
            len(samples),
            frozenset(sample.fingerprint for sample in samples),
        )


class Failed(Exception):
    """A run ended with another exit status than expected, or did not show what it must."""


def base_environment(cache: Path) -> dict[str, str]:
    """The children's environment: this one with a cache folder of the run's own, English
    messages, and bytecode allowed (as after `pip install .`, which compiles the package: a
    machine that sets PYTHONDONTWRITEBYTECODE would otherwise recompile it at every run)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "PYTHONDONTWRITEBYTECODE" and not name.startswith("MIL62SCHED_")
    }
    env["MIL62SCHED_CACHE_DIR"] = str(cache)
    env["MIL62SCHED_LANG"] = "en"
    env["SOURCE_DATE_EPOCH"] = "1764547200"  # 2025-12-01: workbooks' times stay the same
    return env


def run(command: Command, env: Mapping[str, str], scratch: Path) -> Sample:
    """Run `command` once and measure it; Failed if it ends or speaks otherwise than it must."""
    env = {**env, **command.env}
    fresh = None
    if command.fresh_cache:
        fresh = tempfile.mkdtemp(prefix="cache-", dir=scratch)
        env["MIL62SCHED_CACHE_DIR"] = fresh
    out_path, err_path = scratch / "stdout.txt", scratch / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        began = time.perf_counter()
        child = subprocess.Popen(command.argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if fresh is not None:
        shutil.rmtree(fresh, ignore_errors=True)
    said = out_path.read_bytes()
    if child.returncode != command.status or command.shows.encode() not in said + b"\n" + (
        err_text := err_path.read_bytes()
    ):
        raise Failed(
            f"{' '.join(command.argv)}\nended {child.returncode} (expected {command.status})"
            + (f", expected {command.shows!r} in its output" if command.shows else "")
            + f":\n{(said[-1500:] + err_text[-1500:]).decode(errors='replace').strip()}"
        )
    cpu = usage.ru_utime + usage.ru_stime
    if command.self_timed:
        wall, cpu = (float(part) for part in said.decode().strip().splitlines()[-1].split())
    peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes there
    fingerprint = command.fingerprint() if command.fingerprint is not None else None
    return Sample(wall, cpu, peak, fingerprint)


def rounds(
    commands: Mapping[str, Command],
    count: int,
    env: Mapping[str, str],
    scratch: Path,
    *,
    warm_ups: int = 0,
    seed: int = 62,
    progress: Callable[[str], None] = lambda line: None,
) -> dict[str, list[Sample]]:
    """`count` timed rounds, after `warm_ups` untimed rounds of the commands marked `warm_up`:
    every round runs every command once, in a new shuffled order."""
    order = sorted(commands)
    shuffle = random.Random(seed).shuffle
    for number in range(warm_ups):
        progress(f"warm-up round {number + 1}/{warm_ups}")
        for name in order:
            if commands[name].warm_up:
                run(commands[name], env, scratch)
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for number in range(count):
        shuffle(order)
        began = time.perf_counter()
        for index, name in enumerate(order, 1):
            progress(f"round {number + 1}/{count}, {index}/{len(order)}: {name}")
            samples[name].append(run(commands[name], env, scratch))
        progress(f"round {number + 1}/{count} took {time.perf_counter() - began:.0f} s")
    return samples


def digest(path: Path) -> str:
    """The SHA-256 of a file (a few hundred MB a second)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()[:16]


@dataclass(frozen=True)
class Row:
    """A line of the report: a tool command against its floor (both by name), and the goal."""

    label: str  # the job, as the table names it
    command: str
    floor: str
    floor_label: str  # what the floor does, in a few words
    goal: float | None = None  # at most this many times the floor (median wall time)
    same_output: bool = False  # the two must have written the same (fingerprints equal)
    rss_goal_mib: float | None = None  # the command's peak RSS at most this
