"""Roster speed and memory at scale, measured side by side in one run.

Generates rosters of 1,000 and 100,000 participants (mixed arms, start dates over several years),
runs `mil62sched roster ROSTER --format csv|ics -o FILE` on each, and prints rows per second,
the ratio to the floor and peak memory (RSS). The floor is a plain Python script that writes the
same CSV rows with the csv module from precomputed values (read from the tool's own output before
its clock starts). Goals: CSV within 3x of the floor; peak RSS for 100,000 participants within
1.5x of that for 1,000.

    python benchmarks/roster.py [--participants 100000] [--small 1000]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ARMS = (
    "phase1b-500", "phase1b-1000", "phase3-rcp", "phase3-olp", "phase3",
    "phase3-rcp-mil62", "phase3-rcp-placebo", "phase3-olp-from-mil62", "phase3-olp-from-placebo",
)  # fmt: skip

# Runs a command and prints its wall time and the peak RSS of that one child, in KiB.
MEASURE = """
import resource, subprocess, sys, time
began = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - began
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

FLOOR = """
import csv, sys, time
with open(sys.argv[1], newline="", encoding="utf-8") as stream:
    rows = list(csv.reader(stream))
began = time.perf_counter()
with open(sys.argv[2], "w", newline="", encoding="utf-8") as stream:
    csv.writer(stream, lineterminator="\\n").writerows(rows)
print(time.perf_counter() - began)
"""


def make_roster(path: Path, participants: int, seed: int = 62) -> None:
    """A roster of `participants` rows with mixed arms and starts over 2022-2026."""
    chance = random.Random(seed)
    first = date(2022, 1, 3)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["participant", "arm", "start", "escalate_at", "window"])
        for number in range(participants):
            arm = chance.choice(ARMS)
            start = first + timedelta(days=chance.randrange(5 * 365))
            escalate = chance.choice(["", "W25D1", "W53D1"]) if arm == "phase1b-500" else ""
            window = chance.choice(["", "3", "2,4"])
            writer.writerow([f"P{number:06d}", arm, start.isoformat(), escalate, window])


def measure(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of `argv`."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], check=True, capture_output=True, text=True
    )
    seconds, rss = done.stdout.split()
    return float(seconds), int(rss)


def count_rows(path: Path, fmt: str) -> int:
    """Infusion rows (CSV data lines) or events (VEVENTs) in an output file."""
    with path.open(encoding="utf-8") as stream:
        if fmt == "csv":
            return sum(1 for _ in stream) - 1
        return sum(1 for line in stream if line.startswith("BEGIN:VEVENT"))


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,ics", help="comma-separated: csv, ics")
    arguments = parser.parse_args()
    formats = [fmt for fmt in ("csv", "ics") if fmt in arguments.formats.split(",")]
    tool = shutil.which("mil62sched")
    if tool is None:
        sys.exit("mil62sched is not on PATH: install the project first (pip install .)")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        sizes = (arguments.small, arguments.participants)
        print(f"roster benchmark, Python {sys.version.split()[0]}; sizes {sizes}")
        print(f"{'format':<6}{'participants':>13}{'rows':>10}{'seconds':>9}{'rows/s':>10}"
              f"{'x floor':>9}{'peak MiB':>10}")  # fmt: skip
        peaks: dict[str, dict[int, int]] = {fmt: {} for fmt in formats}
        ratio = 0.0
        for size in sizes:
            roster = folder / f"roster-{size}.csv"
            make_roster(roster, size)
            for fmt in formats:
                out = folder / f"out-{size}.{fmt}"
                seconds, rss = measure([tool, "roster", str(roster), "-o", str(out), "--force"])
                rows = count_rows(out, fmt)
                floor_text = "-"
                if fmt == "csv":
                    floor = float(
                        subprocess.run(
                            [sys.executable, "-c", FLOOR, str(out), str(folder / "floor.csv")],
                            check=True,
                            capture_output=True,
                            text=True,
                        ).stdout  # fmt: skip
                    )
                    ratio = seconds / floor
                    floor_text = f"{ratio:.2f}"
                peaks[fmt][size] = rss
                print(f"{fmt:<6}{size:>13,}{rows:>10,}{seconds:>9.2f}{rows / seconds:>10,.0f}"
                      f"{floor_text:>9}{rss / 1024:>10.1f}")  # fmt: skip
        print()
        if "csv" in formats:
            print(f"CSV, {sizes[1]:,} participants, ratio to floor: {ratio:.2f} (goal 3)")
        for fmt in formats:
            growth = peaks[fmt][sizes[1]] / peaks[fmt][sizes[0]]
            print(
                f"{fmt} peak RSS {sizes[1]:,} / {sizes[0]:,} participants: {growth:.2f} (goal 1.5)"
            )


if __name__ == "__main__":
    main()
