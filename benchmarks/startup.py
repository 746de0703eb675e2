"""Start-up cost of the CLI against the framework's floor, measured side by side in one run.

The floor is a minimal typer app with one command taking one option (typer's own cost).
Runs are interleaved round-robin so machine noise hits every command alike; medians are compared.

    python benchmarks/startup.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_APP = """\
import typer

app = typer.Typer()


@app.command()
def main(name: str = "x") -> None:
    print(name)


app()
"""


def _median_times(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            began = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Print median start-up times and the ratios the issue sets goals for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    script = shutil.which("mil62sched")
    if script is None:
        sys.exit("mil62sched is not on PATH: install the project first (pip install .)")
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder, "floor.py")
        floor.write_text(FLOOR_APP)
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "floor: typer app, one command": [python, str(floor), "--name", "y"],
            "floor --help": [python, str(floor), "--help"],
            "plan --format json": [
                python, script, "plan", "--arm", "phase3-olp",
                "--start", "2024-01-01", "--format", "json",
            ],
            "mil62sched --help": [python, script, "--help"],
            "plan --help": [python, script, "plan", "--help"],
        }  # fmt: skip
        _median_times(commands, 2)  # warm the file cache and .pyc files
        medians = _median_times(commands, rounds)
    bare = medians["python -c pass"]
    floor_run = medians["floor: typer app, one command"]
    floor_help = medians["floor --help"]
    print(f"median of {rounds} interleaved rounds (Python {sys.version.split()[0]})")
    print(f"{'command':<32}{'ms':>8}{'x floor':>10}{'x python':>10}")
    for name, seconds in medians.items():
        reference = floor_help if "help" in name else floor_run
        ms, ratio, to_python = seconds * 1000, seconds / reference, seconds / bare
        print(f"{name:<32}{ms:>8.1f}{ratio:>10.2f}{to_python:>10.2f}")
    print()
    plan_ratio = medians["plan --format json"] / floor_run
    help_ratio = medians["mil62sched --help"] / floor_help
    print(f"plan --format json / floor:       {plan_ratio:.2f} (goal 1.25)")
    print(f"mil62sched --help / floor --help: {help_ratio:.2f} (goal 1.25)")


if __name__ == "__main__":
    main()
