"""Start-up cost of the CLI against floors of the same stack, side by side in one run.

Times, as subprocesses of the installed `mil62sched` (found beside this interpreter), `plan` in
table (the default), json and ics, `--help`, and a first run with an empty cache. Each is set
against a floor: a one-command typer app with one option written to a temporary folder and run
by the same interpreter, hence on the same installed typer, rich and icalendar:

    json floor   prints json.dumps of a small dict
    table floor  the same app, printing a rich Table of seven rows
    ics floor    the same app, printing a Calendar with one Event (icalendar's to_ical)

Every round runs every command once, in a shuffled order, so machine noise hits every command
alike; medians are compared. Warm runs use a dedicated cache folder, warmed before timing; the
first run gets a new empty cache folder each round. The user's cache is never touched.
Nothing is asserted: the figures are printed. Goal: each command at most 1.25x its floor.

    python benchmarks/startup.py [--rounds 20] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GOAL = 1.25
PLAN = ["plan", "--arm", "phase3-ocp", "--start", "2024-01-01"]
VERSIONED = ("typer", "rich", "icalendar", "holidays", "pydantic", "mil62sched")

FLOOR_JSON = """\
import json

import typer

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    print(json.dumps({"arm": "phase3-olp", "start": start, "visits": ["W1D1", "W3D1"]}))


app()
"""

FLOOR_TABLE = """\
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    table = Table(title=f"phase3-olp from {start}")
    for column in ("visit", "study day", "date"):
        table.add_column(column)
    for week in (1, 3, 25, 27, 49, 51, 53):
        table.add_row(f"W{week}D1", str(7 * week - 6), start)
    Console().print(table)


app()
"""

FLOOR_ICS = """\
from datetime import date

import icalendar
import typer

app = typer.Typer()


@app.command()
def main(start: str = "2024-01-01") -> None:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//floor//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "W1D1@floor")
    event.add("summary", "W1D1 infusion")
    event.add("dtstamp", date.fromisoformat(start))
    event.add("dtstart", date.fromisoformat(start))
    calendar.add_component(event)
    print(calendar.to_ical().decode())


app()
"""


@dataclass(frozen=True)
class Command:
    """One timed command line, what its output must show, and whether its cache starts empty."""

    argv: list[str]
    output: str = ""  # "json", or text the output must contain; "" checks nothing
    fresh_cache: bool = False


@dataclass(frozen=True)
class Comparison:
    """A row of the report: a command of the tool against its floor."""

    label: str
    command: str
    floor: str


COMPARISONS = (
    Comparison("plan (table)", "plan table", "floor table"),
    Comparison("plan --format json", "plan json", "floor json"),
    Comparison("plan --format ics", "plan ics", "floor ics"),
    Comparison("mil62sched --help", "help", "floor json --help"),
    Comparison("plan json, empty cache", "plan json, empty cache", "floor json"),
)


def find_tool() -> Path:
    """The `mil62sched` script installed beside this interpreter."""
    name = "mil62sched.exe" if os.name == "nt" else "mil62sched"
    tool = Path(sys.executable).parent / name
    if not tool.exists():
        sys.exit(f"{tool} not found: install the project in this environment (pip install -e .)")
    return tool


def versions() -> str:
    """The interpreter's and the stack's installed versions, on one line."""
    found = [f"python {platform.python_version()}"]
    for name in VERSIONED:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def run(command: Command, env: dict[str, str], cache_root: Path) -> float:
    """Wall seconds of one run, output discarded; exits with the child's stderr if it fails."""
    if command.fresh_cache:
        env = {**env, "MIL62SCHED_CACHE_DIR": tempfile.mkdtemp(dir=cache_root)}
    began = time.perf_counter()
    done = subprocess.run(command.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        sys.exit(f"failed ({done.returncode}): {' '.join(command.argv)}\n{message}")
    return seconds


def check_outputs(commands: dict[str, Command], env: dict[str, str]) -> None:
    """Run each command once and check it printed what it should, so only working runs count."""
    for name, command in commands.items():
        done = subprocess.run(command.argv, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{name} failed ({done.returncode}):\n{done.stderr.strip()}")
        if command.output == "json":
            json.loads(done.stdout)
        elif command.output not in done.stdout:
            sys.exit(f"{name} printed no {command.output!r}:\n{done.stdout[:500]}")


def time_rounds(
    commands: dict[str, Command], rounds: int, env: dict[str, str], cache_root: Path
) -> dict[str, list[float]]:
    """Seconds per command; each round runs every command once, in a new shuffled order."""
    order = list(commands)
    shuffle = random.Random(62).shuffle
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        shuffle(order)
        for name in order:
            times[name].append(run(commands[name], env, cache_root))
    return times


def main() -> None:
    """Time the commands and their floors, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds (default 20)")
    parser.add_argument("--quick", action="store_true", help="5 rounds, 1 warm-up round")
    arguments = parser.parse_args()
    rounds, warmups = (5, 1) if arguments.quick else (arguments.rounds, 2)
    tool, python = str(find_tool()), sys.executable
    with tempfile.TemporaryDirectory(prefix="mil62sched-startup-") as folder_name:
        folder = Path(folder_name)
        floors = {"json": FLOOR_JSON, "table": FLOOR_TABLE, "ics": FLOOR_ICS}
        for kind, source in floors.items():
            (folder / f"floor_{kind}.py").write_text(source, encoding="utf-8")
        cache_root = folder / "empty-caches"
        cache_root.mkdir()
        # As after `pip install .`, which compiles the package's bytecode: a machine that sets
        # PYTHONDONTWRITEBYTECODE would otherwise recompile the tool's modules at every run.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["MIL62SCHED_CACHE_DIR"] = str(folder / "warm-cache")
        json_floor = str(folder / "floor_json.py")
        commands = {
            "plan table": Command([tool, *PLAN], "W1D1"),
            "plan json": Command([tool, *PLAN, "--format", "json"], "json"),
            "plan ics": Command([tool, *PLAN, "--format", "ics"], "BEGIN:VEVENT"),
            "help": Command([tool, "--help"], "Usage"),
            "plan json, empty cache": Command(
                [tool, *PLAN, "--format", "json"], "json", fresh_cache=True
            ),
            "floor table": Command([python, str(folder / "floor_table.py")], "W1D1"),
            "floor json": Command([python, json_floor], "json"),
            "floor ics": Command([python, str(folder / "floor_ics.py")], "BEGIN:VEVENT"),
            "floor json --help": Command([python, json_floor, "--help"], "Usage"),
            "python -c pass": Command([python, "-c", "pass"]),
        }
        check_outputs(commands, env)  # also fills the warm cache folder
        time_rounds(commands, warmups, env, cache_root)  # file cache, .pyc files
        times = time_rounds(commands, rounds, env, cache_root)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}

    print(versions())
    print(f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; tool: {tool}")
    print(f"median wall ms of {rounds} interleaved rounds (after {warmups} warm-up round(s))")
    print()
    header = f"{'command':<24}{'ms':>8}  {'floor':<18}{'floor ms':>9}{'ratio':>7}{'goal':>7}  met"
    print(header)
    print("-" * len(header))
    for row in COMPARISONS:
        ms, floor_ms = medians[row.command], medians[row.floor]
        ratio = ms / floor_ms
        met = "yes" if ratio <= GOAL else "no"
        print(
            f"{row.label:<24}{ms:>8.1f}  {row.floor:<18}{floor_ms:>9.1f}"
            f"{ratio:>7.2f}{GOAL:>6.2f}x  {met}"
        )
    print()
    print(f"for reference, python -c pass: {medians['python -c pass']:.1f} ms")


if __name__ == "__main__":
    main()
