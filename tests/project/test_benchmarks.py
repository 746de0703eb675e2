"""The benchmark keeps working: `benchmarks/run.py --quick` runs the agenda and roster-to-CSV jobs
against their floors, which must still write byte for byte what the tool writes (a floor that
drifted from the tool would flatter it, and the benchmark stops before timing anything). Times
are printed by the benchmark, never asserted here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

RUN = ROOT / "benchmarks" / "run.py"


# Runs the tool and its floors as processes on small inputs, seconds of CPU: a slow test.
@pytest.mark.slow
def test_quick_run_checks_the_floors_and_reports_every_row() -> None:
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--markdown", "--only", "agenda,roster-csv"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    first = lines.index("") + 1  # the wall-time table, in Markdown
    header = [cell.strip() for cell in lines[first].strip("|").split("|")]
    rows = []
    for line in lines[first + 2 :]:
        if not line.startswith("| "):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    assert [(row["job"].split(",")[0], row["goal"]) for row in rows] == [
        ("agenda", "≤3x"),
        ("agenda", "≤2.5x"),
        ("roster --format csv", "≤3x"),  # against csv.writer of the tool's rows
        ("roster --format csv", ""),  # against planning them in plain Python
    ]
    # Each floor wrote what the tool wrote, before timing and in the timed round.
    assert [row["same output"] for row in rows] == ["yes"] * 4
    assert "peak RSS of roster --format csv, 300 participants (realistic)" in done.stdout
