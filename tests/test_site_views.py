"""Site views (issue 9): the agenda's 'due today', chairs in every roster format, the CSV's
period starts, overdue planned visits, the pharmacist's split files, calendar names and the
OLP's own W1D1 in calendar events.

Reference dates worked by hand: 2025-09-17 is a Wednesday; W53D1 = study day 365 = start + 364
days, so the RCP's W53D1 from 2025-09-17 is 2026-09-16 (2025-09-17 + 52 weeks), which is where a
`phase3` journey assumes the OLP starts without --olp-start. 2025-10-13 is a Monday;
examples/roster.csv's CT303-0005 starts Monday 2025-09-29, so its W3D1 (+14 days) is 2025-10-13.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vobject

from tests.conftest import Run

EXAMPLES = Path(__file__).parent.parent / "examples"
ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")


def _agenda(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("agenda", ROSTER, "--actuals", ACTUALS, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items: list[dict[str, Any]] = json.loads(result.stdout)["items"]
    return items


# --- #2: 'due today' is --today, not --from ---------------------------------------------------


def test_due_today_is_the_sites_today_not_the_first_day(run: Run) -> None:
    items = _agenda(run, "--from", "2025-10-13", "--days", "1", "--today", "2025-10-01")
    on_13 = [item for item in items if item["date"] == "2025-10-13"]
    assert [(i["participant"], i["code"]) for i in on_13] == [("CT303-0005", "W3D1")]
    assert "due today" not in on_13[0]["flags"]


def test_due_today_flags_the_visit_on_today_inside_the_range(run: Run) -> None:
    # From 2025-10-10 for 7 days with today 2025-10-13: CT303-0005's W3D1 is due today.
    items = _agenda(run, "--from", "2025-10-10", "--days", "7", "--today", "2025-10-13")
    due = [(i["participant"], i["code"]) for i in items if "due today" in i["flags"]]
    assert due == [("CT303-0005", "W3D1")]


# --- #6: each period's own W1D1 in calendar events --------------------------------------------


def _descriptions(ics: str) -> list[str]:
    calendar = vobject.readOne(ics)
    return [str(event.description.value) for event in calendar.vevent_list]


def test_olp_events_name_the_olp_w1d1_not_the_rcp_start(run: Run) -> None:
    result = run("plan", "--arm", "phase3", "--start", "2025-09-17", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    descriptions = _descriptions(result.stdout)
    olp = [d for d in descriptions if d.splitlines()[0].endswith(", OLP")]
    rcp = [d for d in descriptions if d.splitlines()[0].endswith(", RCP")]
    assert len(olp) == 7
    assert len(rcp) == 4
    assert all("OLP W1D1: 2026-09-16" in d.splitlines() for d in olp)
    assert all("RCP W1D1: 2025-09-17" in d.splitlines() for d in rcp)
    assert not any("2025-09-17" in d for d in olp)


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
    assert result.stderr == MIXED_WARNING


def test_a_mixed_roster_says_so_before_writing_in_every_format(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED, encoding="utf-8")
    for fmt in ("table", "csv", "json", "ics"):
        result = run("roster", str(roster), "--today", "2025-09-01", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == MIXED_WARNING, fmt


def test_a_roster_of_one_masking_gives_no_mixing_warning(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(MIXED.replace("phase3-rcp-placebo", "phase3-rcp"), encoding="utf-8")
    result = run("roster", str(roster), "--today", "2025-09-01", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
