"""The first working-day question in a fresh process, with the holiday cache warm, cold or absent.

Each run is a new interpreter that imports sitecal and asks SiteCalendar("CN") about one day, as
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
from pathlib import Path

PROBE = """\
import sys, time
began = time.perf_counter()
from datetime import date
from mil62sched import sitecal
asked = time.perf_counter()
sitecal._package_version()
versioned = time.perf_counter()
sitecal.SiteCalendar("CN").status(date(2025, 10, 1))
done = time.perf_counter()
print(versioned - asked, done - asked, "holidays" in sys.modules)
"""


def main() -> None:
    """Print median wall times per case, the in-process times, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a-file").write_text("")
        warm = root / "warm"
        cases = {
            "import sitecal only": (["-c", "import mil62sched.sitecal"], lambda n: warm),
            "warm cache": (["-c", PROBE], lambda n: warm),
            "cold cache (fills it)": (["-c", PROBE], lambda n: root / f"cold-{n}"),
            "no cache (unwritable)": (["-c", PROBE], lambda n: root / "a-file" / "cache"),
        }
        wall: dict[str, list[float]] = {name: [] for name in cases}
        version: dict[str, list[float]] = {name: [] for name in cases}
        answer: dict[str, list[float]] = {name: [] for name in cases}
        imported: dict[str, set[str]] = {name: set() for name in cases}
        for n in range(-2, rounds):  # two warm-up rounds: file cache, .pyc files, the warm folder
            for name, (arguments, cache) in cases.items():
                env = {**os.environ, "MIL62SCHED_CACHE_DIR": str(cache(n))}
                began = time.perf_counter()
                result = subprocess.run(
                    [python, *arguments], env=env, check=True, capture_output=True, text=True
                )
                took = time.perf_counter() - began
                if n < 0:
                    continue
                wall[name].append(took)
                if result.stdout:
                    version_s, answer_s, holidays = result.stdout.split()
                    version[name].append(float(version_s))
                    answer[name].append(float(answer_s))
                    imported[name].add(holidays)
    floor = statistics.median(wall["warm cache"])
    print(f"median of {rounds} interleaved rounds (Python {sys.version.split()[0]})")
    header = f"{'case':<24}{'wall ms':>9}{'x warm':>8}{'answer ms':>11}{'version ms':>12}"
    print(f"{header}  holidays imported")
    for name, times in wall.items():
        ms = statistics.median(times) * 1000
        line = f"{name:<24}{ms:>9.1f}{ms / 1000 / floor:>8.2f}"
        if answer[name]:
            line += f"{statistics.median(answer[name]) * 1000:>11.2f}"
            line += f"{statistics.median(version[name]) * 1000:>12.3f}"
            line += f"  {'/'.join(sorted(imported[name]))}"
        print(line)
    print()
    print("answer ms: from `import sitecal` done to the first status() answered, in-process;")
    print("version ms: _package_version(), which reads the dist-info without importing holidays.")


if __name__ == "__main__":
    main()
