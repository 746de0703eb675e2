"""Write what the tool makes of the benchmark's large inputs into a folder, so that two trees
can be shown to write the same bytes: run it before a change and after, then compare.

    python benchmarks/same_outputs.py OUT [--participants 20000] [--calendar 2000]
    diff -r BEFORE AFTER && echo same

OUT gets the roster to CSV, JSON, and .ics and a table (the first --calendar participants), the
roster with its actuals to CSV and JSON, the agenda with and without actuals to CSV, JSON and a
table, and what the tool says when it refuses a bad roster and bad actuals (stderr and exit
status). The inputs are inputs.py's (seeded), written into OUT/inputs; each run's environment
is the benchmark's (English, SOURCE_DATE_EPOCH fixed, a cache folder of its own).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from measure import base_environment

HERE = Path(__file__).resolve().parent
DAY = "2025-05-12"  # the agenda's --from and --today, and the day the actuals are taken


def main() -> None:
    """Write the inputs, then every output, each with its stderr and exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--calendar", type=int, default=2_000)
    arguments = parser.parse_args()
    out: Path = arguments.out
    inputs = out / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    n, c = arguments.participants, arguments.calendar

    def write(kind: str, name: str, *argv: object) -> str:
        path = inputs / name
        if not path.exists():
            line = [sys.executable, str(HERE / "inputs.py"), kind, str(path), *map(str, argv)]
            subprocess.run(line, check=True)
        return str(path)

    roster = write("roster", "roster.csv", n)
    head = write("roster", "head.csv", c)
    actuals = write("actuals", "actuals.csv", roster, DAY)
    bad_actuals = write("bad-actuals", "bad-actuals.csv", actuals, max(1, n // 40))
    bad_roster = write("bad-roster", "bad-roster.csv", n)
    agenda = ("agenda", roster, "--from", DAY, "--today", DAY, "--days", "14")
    with_actuals = ("--actuals", actuals, "--today", DAY)
    jobs: dict[str, tuple[str, ...]] = {
        "roster.csv": ("roster", roster, "--format", "csv"),
        "roster.json": ("roster", roster, "--format", "json"),
        "roster.txt": ("roster", head, "--format", "table"),
        "roster.ics": ("roster", head, "--format", "ics"),
        "roster-actuals.csv": ("roster", roster, *with_actuals, "--format", "csv"),
        "roster-actuals.json": ("roster", roster, *with_actuals, "--format", "json"),
        "agenda.csv": (*agenda, "--format", "csv"),
        "agenda-actuals.csv": (*agenda, "--actuals", actuals, "--format", "csv"),
        "agenda-actuals.json": (*agenda, "--actuals", actuals, "--format", "json"),
        "agenda-actuals.txt": (*agenda, "--actuals", actuals, "--format", "table"),
        "bad-roster.csv": ("roster", bad_roster, "--format", "csv"),
        "bad-actuals.csv": (*agenda, "--actuals", bad_actuals, "--format", "csv"),
    }
    tool = str(Path(sys.executable).parent / "mil62sched")
    env = base_environment(out / "cache")
    for name, argv in jobs.items():
        print(name, file=sys.stderr, flush=True)
        target = out / name
        done = subprocess.run(
            [tool, *argv, "-o", str(target), "--force"], env=env, capture_output=True, text=True
        )
        said = done.stderr.replace(str(out), "OUT")
        (out / f"{name}.said").write_text(f"exit {done.returncode}\n{said}", encoding="utf-8")


if __name__ == "__main__":
    main()
