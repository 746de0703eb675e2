"""What a roster's outputs say (issue 9): the roster calendar's name, the pharmacist's split
files, and chairs in every roster format.

(The agenda's 'due today' is in roster/test_agenda.py, the OLP's own W1D1 and its assumed start
in engine/test_journey.py, overdue planned visits in engine/test_records.py.)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import vobject

from tests.conftest import EXAMPLES, Run, without_study_dates

ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")


def _agenda(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("agenda", ROSTER, "--actuals", ACTUALS, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items: list[dict[str, Any]] = json.loads(result.stdout)["items"]
    return items


# --- #10: the roster calendar's name -----------------------------------------------------------


def test_roster_calendar_name_does_not_repeat_roster(run: Run) -> None:
    result = run("roster", ROSTER, "--format", "ics")
    assert result.exit_code == 0, result.stderr
    calendar = vobject.readOne(result.stdout)
    assert calendar.x_wr_calname.value == "MIL62-CT303 roster"


# --- #8: the pharmacist's split files cannot be mistaken for the coordinators' ---------------

MIXED = """\
participant,arm,start
CT303-0001,phase3-rcp,2025-09-17
CT303-0002,phase3-rcp-placebo,2025-09-17
CT303-0003,phase1b-500,2025-09-15
"""
MIXED_WARNING = (
    "mil62sched: warning: the roster mixes blinded and unblinded arms (unblinded: "
    "phase3-rcp-placebo); unblinded outputs are for the unblinded pharmacist only\n"
)


def test_split_names_unblinded_files_unblinded(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED, encoding="utf-8")
    folder = tmp_path / "calendars"
    result = run("roster", str(roster), "--today", "2025-09-01", "--split", str(folder))
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in folder.iterdir()) == [
        "CT303-0001.ics", "CT303-0003.ics", "UNBLINDED-CT303-0002.ics",
    ]  # fmt: skip
    assert "UNBLINDED" in (folder / "UNBLINDED-CT303-0002.ics").read_text(encoding="utf-8")
    assert "UNBLINDED" not in (folder / "CT303-0001.ics").read_text(encoding="utf-8")
    assert without_study_dates(result.stderr) == MIXED_WARNING


def test_a_mixed_roster_says_so_before_writing_in_every_format(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED, encoding="utf-8")
    for fmt in ("table", "csv", "json", "ics"):
        result = run("roster", str(roster), "--today", "2025-09-01", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert without_study_dates(result.stderr) == MIXED_WARNING, fmt


def test_a_roster_of_one_masking_gives_no_mixing_warning(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED.replace("phase3-rcp-placebo", "phase3-rcp"), encoding="utf-8")
    result = run("roster", str(roster), "--today", "2025-09-01", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == ""


# --- #3: --chairs without --adjust flags over-full days in every roster format ----------------
# tests/site/test_chairs.py's A (from Friday 2025-01-10) and B (from Friday 2025-06-13): A's W25D1
# (+168 days) and B's W3D1 (+14 days) are both Friday 2025-06-27, the only shared day.

CHAIRS_ROSTER = "participant,arm,start\nA,phase3-rcp,2025-01-10\nB,phase3-rcp,2025-06-13\n"
CHAIRS_WARNING = "mil62sched: warning: 2025-06-27: 2 infusions for 1 chair(s)\n"


def _chairs_run(run: Run, tmp_path: Path, fmt: str, *options: str) -> Any:
    roster = tmp_path / "site.csv"
    roster.write_text(CHAIRS_ROSTER, encoding="utf-8")
    return run("roster", str(roster), "--today", "2025-01-10", "--format", fmt, *options)


def test_chairs_warn_for_each_over_full_day_in_every_format(run: Run, tmp_path: Path) -> None:
    for fmt in ("table", "csv", "json", "ics"):
        result = _chairs_run(run, tmp_path, fmt, "--chairs", "1")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == CHAIRS_WARNING, fmt
        assert _chairs_run(run, tmp_path, fmt, "--chairs", "2").stderr == "", fmt


def test_chairs_flag_the_visits_on_an_over_full_day_in_csv_and_json(
    run: Run, tmp_path: Path
) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_chairs_run(run, tmp_path, "csv", "--chairs", "1").stdout))
    )
    full = {(r["participant"], r["code"]) for r in rows if r["over_capacity"] == "true"}
    assert full == {("A", "W25D1"), ("B", "W3D1")}
    assert {r["over_capacity"] for r in rows} == {"true", "false"}
    documents = json.loads(_chairs_run(run, tmp_path, "json", "--chairs", "1").stdout)
    flagged = {
        (d["participant"], v["code"], v["date"])
        for d in documents
        for v in d["visits"]
        if v["over_capacity"]
    }
    assert flagged == {("A", "W25D1", "2025-06-27"), ("B", "W3D1", "2025-06-27")}
    # Without chairs nothing is counted: the field is empty (null), not false.
    plain = _chairs_run(run, tmp_path, "csv")
    assert plain.stderr == ""
    assert {r["over_capacity"] for r in csv.DictReader(io.StringIO(plain.stdout))} == {""}
