"""The first working-day question in a fresh process, with the holiday cache warm, cold or absent.

Each run is a new interpreter that asks the public `SiteCalendar("CN")` about one day, as
`mil62sched plan` does. Runs are interleaved round-robin so machine noise hits every case alike;
medians are compared. The cache folder is a temporary one: the user's cache is not touched.

    python benchmarks/holidays.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROBE = """\
import sys, time
from datetime import date
from mil62sched.site.workdays import SiteCalendar
began = time.perf_counter()
SiteCalendar("CN").status(date(2025, 10, 1))
print(time.perf_counter() - began, "holidays" in sys.modules)
"""


def main() -> None:
    """Print median wall times per case, the in-process time to the answer, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a-file").write_text("")
        warm = root / "warm"
        cases: dict[str, tuple[str, Callable[[int], Path]]] = {
            "import workdays only": ("import mil62sched.site.workdays", lambda n: warm),
            "warm cache": (PROBE, lambda n: warm),
            "cold cache (fills it)": (PROBE, lambda n: root / f"cold-{n}"),
            "no cache (unwritable)": (PROBE, lambda n: root / "a-file" / "cache"),
        }
        wall: dict[str, list[float]] = {name: [] for name in cases}
        answer: dict[str, list[float]] = {name: [] for name in cases}
        imported: dict[str, set[str]] = {name: set() for name in cases}
        for n in range(-2, rounds):  # two warm-up rounds: file cache, .pyc files, the warm folder
            for name, (code, folder_for) in cases.items():
                env = {**os.environ, "MIL62SCHED_CACHE_DIR": str(folder_for(n))}
                began = time.perf_counter()
                run = [sys.executable, "-c", code]
                result = subprocess.run(run, env=env, check=True, capture_output=True, text=True)
                took = time.perf_counter() - began
                if n < 0:
                    continue
                wall[name].append(took)
                if result.stdout:
                    answer_s, holidays = result.stdout.split()
                    answer[name].append(float(answer_s))
                    imported[name].add(holidays)
    floor = statistics.median(wall["warm cache"])
    print(f"median of {rounds} interleaved rounds (Python {sys.version.split()[0]})")
    print(f"{'case':<24}{'wall ms':>9}{'x warm':>8}{'answer ms':>11}  holidays imported")
    for name, times in wall.items():
        seconds = statistics.median(times)
        line = f"{name:<24}{seconds * 1000:>9.1f}{seconds / floor:>8.2f}"
        if answer[name]:
            line += f"{statistics.median(answer[name]) * 1000:>11.2f}"
            line += f"  {'/'.join(sorted(imported[name]))}"
        print(line)
    print()
    print("answer ms: from `import workdays` done to the first status() answered, in-process.")


if __name__ == "__main__":
    main()
