"""`mil62sched agenda` and `agenda.agenda` (issue 4): what is due across the site, by date.

Every date and flag is worked out by hand in the comments. Reference points: 2025-09-01,
2025-09-15 and 2025-09-29 are Mondays; W3D1 = start + 14 days, W25D1 = start + 168 (24 weeks),
W27D1 = start + 182 (26 weeks); 2024 is a leap year, so from Monday 2024-01-01 W25D1 is
2024-06-17 and W27D1 2024-07-01. Mainland China 2025 (State Council notice): National Day and
Mid-Autumn 1-8 October are days off; Sunday 28 September and Saturday 11 October are worked.

The agenda from Monday 2025-09-29 for 14 days covers 2025-09-29 .. 2025-10-12 (29 + 13 days).
`--today` is always given, so nothing depends on the real date.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mil62sched import engine, protocol
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.roster import agenda as site_agenda
from mil62sched.site.workdays import SiteCalendar
from tests.conftest import EXAMPLES, ROOT, Run, workbook_text

PREFIX = "mil62sched: error: "
TRIAL = protocol.load()
D = date.fromisoformat
BLINDED = "MIL62 1000 mg or matching placebo"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# The site on Monday 2025-09-29, one infusion chair, windows of 2 days either side.
# Listed out of name order on purpose: the agenda sorts, the roster order does not matter.
SITE_ROSTER = """\
participant,arm,start
NEW,phase3-rcp,2025-09-29
OV1,phase3-rcp,2025-09-01
DT,phase1b-1000,2025-09-15
NW,phase3-rcp,2025-09-17
LATE,phase1b-500,2025-09-25
OV2,phase3-rcp,2024-01-01
"""
SITE_ACTUALS = """\
participant,code,date,status
OV2,W1D1,2024-01-01,done
OV2,W3D1,2024-01-15,done
OV2,W25D1,,missed
OV1,W1D1,2025-09-01,done
DT,W1D1,2025-09-15,done
NW,W1D1,2025-09-17,done
LATE,W1D1,2025-09-25,done
"""
SITE_OPTIONS = ["--window", "2", "--today", "2025-09-29", "--chairs", "1"]

# Worked out by hand: (participant, arm, period, code, date, weekday, window start, window end,
# treatment, working day, reason, flags).
EXPECTED: list[tuple[Any, ...]] = [
    # OV2 from Monday 2024-01-01: W1D1 and W3D1 done, W25D1 missed (never overdue), W27D1
    # 2024-07-01 (+182), window 2024-06-29..2024-07-03, closed long before 2025-09-29 and
    # nothing recorded: overdue, and listed first because its window closed first.
    ("OV2", "phase3-rcp", "RCP", "W27D1", "2024-07-01", "Monday", "2024-06-29", "2024-07-03",
     BLINDED, True, None, ["overdue"]),
    # OV1 from Monday 2025-09-01: W3D1 2025-09-15, window 09-13..09-17, closed: overdue.
    ("OV1", "phase3-rcp", "RCP", "W3D1", "2025-09-15", "Monday", "2025-09-13", "2025-09-17",
     BLINDED, True, None, ["overdue"]),
    # DT from Monday 2025-09-15: W3D1 2025-09-29 = --from: due today. NEW starts on it (W1D1).
    # Two infusions on 09-29 for one chair: both over capacity. Same day: by participant.
    ("DT", "phase1b-1000", "Phase 1b", "W3D1", "2025-09-29", "Monday", "2025-09-27",
     "2025-10-01", "MIL62 1000 mg", True, None, ["due today", "over capacity"]),
    ("NEW", "phase3-rcp", "RCP", "W1D1", "2025-09-29", "Monday", "2025-09-27", "2025-10-01",
     BLINDED, True, None, ["due today", "over capacity"]),
    # NW from Wednesday 2025-09-17: W3D1 2025-10-01, National Day: a non-working day (kept
    # there without --adjust); window 09-29..10-03.
    ("NW", "phase3-rcp", "RCP", "W3D1", "2025-10-01", "Wednesday", "2025-09-29", "2025-10-03",
     BLINDED, False, "National Day", ["non-working day"]),
    # LATE from Thursday 2025-09-25: W3D1 2025-10-09, a Thursday after the holiday week.
    ("LATE", "phase1b-500", "Phase 1b", "W3D1", "2025-10-09", "Thursday", "2025-10-07",
     "2025-10-11", "MIL62 500 mg", True, None, []),
    # Not listed: NEW's W3D1 2025-10-13 is after 2025-10-12; OV1's W25D1 is 2026-02-16.
]  # fmt: skip
KEYS = (
    "participant", "arm", "period", "code", "date", "weekday", "window_start", "window_end",
    "treatment", "working_day", "non_working_reason", "flags",
)  # fmt: skip


def site(tmp_path: Path) -> tuple[str, str]:
    roster = write(tmp_path / "roster.csv", SITE_ROSTER)
    actuals = write(tmp_path / "actuals.csv", SITE_ACTUALS)
    return str(roster), str(actuals)


def agenda_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("agenda", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_agenda_json_lists_overdue_first_then_by_date_with_flags(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    document = agenda_json(
        run, roster, "--actuals", actuals, *SITE_OPTIONS, "--from", "2025-09-29", "--days", "14"
    )
    assert (document["from"], document["to"], document["chairs"]) == ("2025-09-29", "2025-10-12", 1)
    assert document["notice"] is None
    assert document["over_capacity"] == {"2025-09-29": 2}
    got = [tuple(item[key] for key in KEYS) for item in document["items"]]
    assert got == EXPECTED
    assert {item["masking"] for item in document["items"]} == {"blinded", "open-label"}


def test_agenda_defaults_to_today_and_fourteen_days(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    explicit = run(
        "agenda", roster, "--actuals", actuals, *SITE_OPTIONS, "--from", "2025-09-29",
        "--days", "14",
    )  # fmt: skip
    default = run("agenda", roster, "--actuals", actuals, *SITE_OPTIONS)
    assert explicit.exit_code == default.exit_code == 0
    assert default.stdout == explicit.stdout
    assert default.stdout.splitlines()[0] == "Due 2025-09-29 to 2025-10-12, 1 chair a day"


def test_agenda_table_shows_the_same_lines_in_order(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    result = run("agenda", roster, "--actuals", actuals, *SITE_OPTIONS, "--from", "2025-09-29")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Due 2025-09-29 to 2025-10-12, 1 chair a day"
    rows = [line for line in lines if line.startswith("  20")]
    # Date, participant, visit and flags of each line, in the order of EXPECTED.
    assert [row.split()[0] for row in rows] == [
        "2024-07-01", "2025-09-15", "2025-09-29", "2025-09-29", "2025-10-01", "2025-10-09",
    ]  # fmt: skip
    assert [next(w for w in row.split() if w in ("OV2", "OV1", "DT", "NEW", "NW", "LATE"))
            for row in rows] == ["OV2", "OV1", "DT", "NEW", "NW", "LATE"]  # fmt: skip
    assert rows[0].rstrip().endswith("overdue")
    assert rows[2].rstrip().endswith("due today, over capacity")
    assert "Wed National Day" in rows[4]
    assert rows[4].rstrip().endswith("non-working day")
    assert "2025-10-07..2025-10-11   MIL62 500 mg" in rows[5]
    assert lines[-1] == "* 2025-09-29: 2 infusions for 1 chair"


def test_agenda_csv_has_one_row_per_line_with_flags_joined(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    result = run(
        "agenda", roster, "--actuals", actuals, *SITE_OPTIONS, "--from", "2025-09-29",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "participant", "arm", "masking", "period", "code", "date", "weekday", "window_start",
        "window_end", "treatment", "working_day", "non_working_reason", "flags",
        "protocol_date", "protocol_date_working_day", "protocol_date_non_working_reason",
    ]  # fmt: skip
    assert [(r["participant"], r["code"], r["date"], r["flags"]) for r in rows] == [
        ("NEW", "", "", "untracked"),  # no record (issue 16 #2): a row of its own, first
        ("OV2", "W27D1", "2024-07-01", "overdue"),
        ("OV1", "W3D1", "2025-09-15", "overdue"),
        ("DT", "W3D1", "2025-09-29", "due today; over capacity"),
        ("NEW", "W1D1", "2025-09-29", "due today; over capacity"),
        ("NW", "W3D1", "2025-10-01", "non-working day"),
        ("LATE", "W3D1", "2025-10-09", ""),
    ]
    assert (rows[5]["working_day"], rows[5]["non_working_reason"]) == ("false", "National Day")


def test_without_chairs_nothing_is_over_capacity(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    document = agenda_json(
        run, roster, "--actuals", actuals, "--window", "2", "--today", "2025-09-29"
    )
    assert document["chairs"] is None
    assert document["over_capacity"] == {}
    assert [item["flags"] for item in document["items"]][2:4] == [["due today"], ["due today"]]


def test_two_chairs_make_room_for_two(run: Run, tmp_path: Path) -> None:
    roster, actuals = site(tmp_path)
    document = agenda_json(
        run, roster, "--actuals", actuals, "--window", "2", "--today", "2025-09-29",
        "--chairs", "2",
    )  # fmt: skip
    assert document["over_capacity"] == {}
    assert not any("over capacity" in item["flags"] for item in document["items"])


def test_adjust_moves_the_holiday_visit_and_drops_the_non_working_flag(
    run: Run, tmp_path: Path
) -> None:
    roster, actuals = site(tmp_path)
    # No chairs here, so only the working-day adjustment applies. NW's W3D1 on National Day
    # 2025-10-01, window 09-29..10-03: 10-01 off, +1 10-02 off, -1 Tuesday 09-30 working.
    document = agenda_json(
        run, roster, "--actuals", actuals, "--window", "2", "--today", "2025-09-29", "--adjust"
    )
    nw = [item for item in document["items"] if item["participant"] == "NW"]
    assert [(i["code"], i["date"], i["weekday"], i["flags"]) for i in nw] == [
        ("W3D1", "2025-09-30", "Tuesday", [])
    ]


def test_overdue_without_a_window_is_the_date_itself(run: Run, tmp_path: Path) -> None:
    # No window: a visit is overdue once its own date is before --from.
    # A from Friday 2025-09-12: W3D1 Friday 2025-09-26 < 2025-09-29: overdue.
    # B from Sunday 2025-09-14 (an adjusted working day, W1D1 recorded): W3D1 Sunday 2025-09-28,
    #   the day before --from: overdue too.
    # C from Monday 2025-09-15: W3D1 2025-09-29 = --from: due today, not overdue.
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nA,phase1b-1000,2025-09-12\nB,phase1b-1000,2025-09-14\n"
        "C,phase1b-1000,2025-09-15\n",
    )
    actuals = write(
        tmp_path / "actuals.csv",
        "participant,code,date\nA,W1D1,2025-09-12\nB,W1D1,2025-09-14\nC,W1D1,2025-09-15\n",
    )
    document = agenda_json(
        run, str(roster), "--actuals", str(actuals), "--today", "2025-09-29", "--days", "7"
    )
    assert [
        (i["participant"], i["date"], i["window_end"], i["flags"]) for i in document["items"]
    ] == [
        ("A", "2025-09-26", None, ["overdue"]),
        ("B", "2025-09-28", None, ["overdue"]),
        ("C", "2025-09-29", None, ["due today"]),
    ]


def test_visit_planned_yesterday_with_its_window_still_open_is_on_the_agenda(
    run: Run, tmp_path: Path
) -> None:
    # Monday 2025-09-15 + 14 = W3D1 Monday 2025-09-29, window 09-27..10-01, not done. On
    # Tuesday 2025-09-30 it is a day late but may still happen until 10-01.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nA,phase1b-1000,2025-09-15\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date\nA,W1D1,2025-09-15\n")
    document = agenda_json(
        run, str(roster), "--actuals", str(actuals), "--window", "2", "--today", "2025-09-30",
        "--days", "7",
    )  # fmt: skip
    # Listed (it is still due), not overdue (the window has not closed), not due today.
    assert [(i["code"], i["date"], i["window_end"], i["flags"]) for i in document["items"]] == [
        ("W3D1", "2025-09-29", "2025-10-01", ["window still open"])
    ]


def test_visit_whose_window_closed_yesterday_is_overdue_not_open(run: Run, tmp_path: Path) -> None:
    # The boundary of the test above: the same W3D1 (window 09-27..10-01) seen from Thursday
    # 2025-10-02, the day after its window closed: overdue.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nA,phase1b-1000,2025-09-15\n")
    actuals = write(tmp_path / "actuals.csv", "participant,code,date\nA,W1D1,2025-09-15\n")
    document = agenda_json(
        run, str(roster), "--actuals", str(actuals), "--window", "2", "--today", "2025-10-02",
        "--days", "7",
    )  # fmt: skip
    assert [(i["code"], i["date"], i["flags"]) for i in document["items"]] == [
        ("W3D1", "2025-09-29", ["overdue"])
    ]


def test_a_visit_done_today_takes_a_chair_on_the_agenda(run: Run, tmp_path: Path) -> None:
    # A from Monday 2025-09-15: W3D1 2025-09-29, done today. B starts today (W1D1 2025-09-29).
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nA,phase1b-1000,2025-09-15\nB,phase1b-1000,2025-09-29\n",
    )
    actuals = write(
        tmp_path / "actuals.csv", "participant,code,date\nA,W1D1,2025-09-15\nA,W3D1,2025-09-29\n"
    )
    document = agenda_json(
        run, str(roster), "--actuals", str(actuals), "--today", "2025-09-29", "--days", "1",
        "--chairs", "1",
    )  # fmt: skip
    assert document["over_capacity"] == {"2025-09-29": 2}
    # A's W3D1 is done, so only B's W1D1 is listed; it shares the day with the done infusion.
    assert [(i["participant"], i["code"], i["flags"]) for i in document["items"]] == [
        ("B", "W1D1", ["due today", "over capacity"])
    ]


def test_agenda_csv_neutralises_a_formula_holiday_name(run: Run, tmp_path: Path) -> None:
    # LATE's W3D1 Thursday 2025-10-09 made a holiday by an override whose name is a formula.
    roster, actuals = site(tmp_path)
    holidays = write(
        tmp_path / "holidays.csv", 'date,name,kind\n2025-10-09,"=HYPERLINK(""http://x"")",holiday\n'
    )
    args = ["agenda", roster, "--actuals", actuals, *SITE_OPTIONS, "--holidays", str(holidays)]
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    late = [
        row for row in csv.DictReader(io.StringIO(result.stdout)) if row["participant"] == "LATE"
    ]
    assert [(r["working_day"], r["non_working_reason"], r["flags"]) for r in late] == [
        ("false", '\'=HYPERLINK("http://x")', "non-working day")
    ]
    # JSON keeps the name as written.
    as_json = json.loads(run(*args, "--format", "json").stdout)
    [item] = [i for i in as_json["items"] if i["participant"] == "LATE"]
    assert item["non_working_reason"] == '=HYPERLINK("http://x")'


def test_empty_agenda_says_so(run: Run, tmp_path: Path) -> None:
    # W1D1 2025-12-01 is after the 7 days from 2025-09-29 (to 2025-10-05): nothing due.
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nA,phase3-rcp,2025-12-01\n")
    result = run("agenda", str(roster), "--today", "2025-09-29", "--days", "7")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Due 2025-09-29 to 2025-10-05",
        "1 participant has no recorded visits: their past visits are not flagged: A.",
        "Nothing due and nothing overdue.",
    ]


def test_agenda_with_bad_rows_prints_nothing_unless_skip_bad(run: Run, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "participant,arm,start\nA,phase3-rcp,2025-09-29\nB,phase3-rcx,2025-09-29\n",
    )
    result = run("agenda", str(roster), "--today", "2025-09-29", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(PREFIX + "roster.csv line 3: unknown arm 'phase3-rcx'")
    assert lines[-1] == PREFIX + (
        "1 bad row(s); nothing written (fix them, or use --skip-bad to write the 1 valid "
        "participant(s))"
    )
    skipped = run("agenda", str(roster), "--today", "2025-09-29", "--format", "json", "--skip-bad")
    assert skipped.exit_code == 1
    assert [(i["participant"], i["flags"]) for i in json.loads(skipped.stdout)["items"]] == [
        ("A", ["due today"])
    ]


@pytest.mark.parametrize("fmt", ["md", "ics", "calendar"])
def test_agenda_refuses_formats_it_has_not(run: Run, tmp_path: Path, fmt: str) -> None:
    roster = write(tmp_path / "roster.csv", "participant,arm,start\nA,phase3-rcp,2025-09-29\n")
    result = run("agenda", str(roster), "--today", "2025-09-29", "--format", fmt)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{PREFIX}format {fmt!r} is not available for the agenda: "
        "accepted: table, csv, json, xlsx, html, pdf\n"
    )


# --- agenda.agenda, the pure function -----------------------------------------------------------

SITE = SiteCalendar("CN", None)


def plan(
    participant: str, arm: str, start: str, done: tuple[str, ...] = (), **policy: Any
) -> engine.Plan:
    pairs = (item.split("=") for item in done)
    records = Records({VisitKey(VisitCode.parse(code)): D(day) for code, day in pairs})
    policy.setdefault("site", SITE)
    policy.setdefault("window", Window(2, 2))
    policy.setdefault("today", D("2025-09-29"))
    return engine.plan(
        TRIAL, arm, D(start), participant=participant, records=records, policy=Policy(**policy)
    )


def test_agenda_function_items_flags_and_capacity() -> None:
    plans = [
        plan("NW", "phase3-rcp", "2025-09-17", ("W1D1=2025-09-17",)),
        plan("DT", "phase1b-1000", "2025-09-15", ("W1D1=2025-09-15",)),
        plan("NEW", "phase3-rcp", "2025-09-29"),
        plan("OV1", "phase3-rcp", "2025-09-01", ("W1D1=2025-09-01",)),
    ]
    due = site_agenda.agenda(iter(plans), D("2025-09-29"), 14, chairs=1)
    assert (due.start, due.end, due.days, due.chairs) == (D("2025-09-29"), D("2025-10-12"), 14, 1)
    assert due.unblinded is False
    assert due.over_capacity == {D("2025-09-29"): 2}
    assert [(i.participant, i.code, i.visit.date, i.flags) for i in due.items] == [
        ("OV1", "W3D1", D("2025-09-15"), ("overdue",)),
        ("DT", "W3D1", D("2025-09-29"), ("due today", "over capacity")),
        ("NEW", "W1D1", D("2025-09-29"), ("due today", "over capacity")),
        ("NW", "W3D1", D("2025-10-01"), ("non-working day",)),
    ]
    # closes: the window's last day (09-13..09-17 for OV1's W3D1).
    assert due.items[0].closes == D("2025-09-17")


def test_agenda_function_one_day_and_no_chairs() -> None:
    plans = [plan("DT", "phase1b-1000", "2025-09-15", ("W1D1=2025-09-15",))]
    due = site_agenda.agenda(plans, D("2025-09-29"), 1)
    assert due.end == D("2025-09-29")
    assert due.over_capacity == {}
    assert [(i.code, i.flags) for i in due.items] == [("W3D1", ("due today",))]


def test_agenda_function_names_the_period_of_a_journey_and_flags_unblinded() -> None:
    # phase3-placebo from Monday 2024-01-01, OLP entered Monday 2025-09-15: OLP W3D1 = 09-29.
    journey = engine.plan(
        TRIAL, "phase3-placebo", D("2024-01-01"), participant="J",
        period_starts={"OLP": D("2025-09-15")},
        records=Records({
            VisitKey(VisitCode(1, 1), "RCP"): D("2024-01-01"),
            VisitKey(VisitCode(3, 1), "RCP"): D("2024-01-15"),
            VisitKey(VisitCode(25, 1), "RCP"): D("2024-06-17"),
            VisitKey(VisitCode(27, 1), "RCP"): D("2024-07-01"),
            VisitKey(VisitCode(1, 1), "OLP"): D("2025-09-15"),
        }),
        policy=Policy(today=D("2025-09-29")),
    )  # fmt: skip
    due = site_agenda.agenda([journey], D("2025-09-29"), 7)
    assert due.unblinded is True
    # Came from placebo: OLP W3D1 is the second MIL62 loading dose (registry text).
    assert [(i.code, i.visit.treatment.label, i.masking) for i in due.items] == [
        ("OLP W3D1", "MIL62 1000 mg", "unblinded")
    ]


# --- participants without records (issue 16 #2) ------------------------------------------------
# An untracked plan cannot be told from a late one: a participant with no recorded visit (done
# or missed) is untracked, and their visits before the agenda's first day are not listed, as
# overdue or as still in their window; the agenda names them once, at the top. One with any
# record is judged as before.


def test_agenda_function_does_not_flag_the_past_of_a_participant_without_records() -> None:
    plans = [
        # U from Monday 2025-09-01, nothing recorded: W3D1 2025-09-15 (window 09-13..09-17)
        # closed before 2025-09-29: not listed.
        plan("U", "phase3-rcp", "2025-09-01"),
        # T, the same with W1D1 recorded: its W3D1 is overdue.
        plan("T", "phase3-rcp", "2025-09-01", ("W1D1=2025-09-01",)),
        # V from Monday 2025-09-15, nothing recorded: W3D1 2025-09-29, due today: listed.
        plan("V", "phase1b-1000", "2025-09-15"),
        # Y from Sunday 2025-09-28 (a worked Sunday), nothing recorded: W1D1 09-28, window
        # 09-26..09-30 still open, not listed; W3D1 Sunday 2025-10-12 (the 14th day): listed.
        plan("Y", "phase3-rcp", "2025-09-28"),
    ]
    due = site_agenda.agenda(iter(plans), D("2025-09-29"), 14)
    assert [(i.participant, i.code, i.visit.date, i.flags) for i in due.items] == [
        ("T", "W3D1", D("2025-09-15"), ("overdue",)),
        ("V", "W3D1", D("2025-09-29"), ("due today",)),
        ("Y", "W3D1", D("2025-10-12"), ("non-working day",)),
    ]
    assert [(u.participant, u.arm, u.masking) for u in due.untracked] == [
        ("U", "phase3-rcp", "blinded"),
        ("V", "phase1b-1000", "open-label"),
        ("Y", "phase3-rcp", "blinded"),
    ]


EXAMPLE_ROSTER = str(EXAMPLES / "roster.csv")
EXAMPLE_ACTUALS = str(EXAMPLES / "actuals.csv")
# examples/roster.csv: who, arm and masking (phase3 and phase3-olp are blinded, the OLP's
# W3D1 keeping the RCP's blind; phase1b is open-label).
EXAMPLE_PARTICIPANTS = [
    ("CT303-0001", "phase3", "blinded"),
    ("CT303-0002", "phase3", "blinded"),
    ("CT303-0003", "phase3-olp", "blinded"),
    ("CT303-0004", "phase1b-500", "open-label"),
    ("CT303-0005", "phase1b-1000", "open-label"),
]
UNTRACKED_ALL = (
    "5 participants have no recorded visits: their past visits are not flagged: CT303-0001, "
    "CT303-0002, CT303-0003, CT303-0004, CT303-0005."
)


def test_an_agenda_without_records_flags_nothing_overdue_and_names_everyone(run: Run) -> None:
    # Every participant of the example roster started on or before 2025-09-29: without an
    # actuals file, none has a record, so none of their past visits is overdue (CT303-0003's
    # W3D1, 2025-09-08, is with its record: the README's agenda).
    result = run("agenda", EXAMPLE_ROSTER, "--today", "2025-09-29")
    assert result.exit_code == 0, result.stderr
    assert "overdue" not in result.stdout
    assert "2025-09-08" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Due 2025-09-29 to 2025-10-12"
    # Said once, right under the heading, naming all of them.
    assert " ".join(result.stdout.split()).count(UNTRACKED_ALL) == 1
    assert " ".join(lines[1:3]).startswith("5 participants have no recorded visits")


def test_an_agenda_names_its_untracked_participants_in_json_csv_and_xlsx(
    run: Run, tmp_path: Path
) -> None:
    args = ("agenda", EXAMPLE_ROSTER, "--today", "2025-09-29")
    document = json.loads(run(*args, "--format", "json").stdout)
    assert document["untracked"] == [
        {"participant": who, "arm": arm, "masking": masking}
        for who, arm, masking in EXAMPLE_PARTICIPANTS
    ]
    assert not any("overdue" in item["flags"] for item in document["items"])
    # CSV: one row per untracked participant first, flagged `untracked`, its visit columns empty.
    text = run(*args, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    head = rows[: len(EXAMPLE_PARTICIPANTS)]
    assert [(r["participant"], r["arm"], r["masking"], r["flags"]) for r in head] == [
        (*who, "untracked") for who in EXAMPLE_PARTICIPANTS
    ]
    visit_columns = [name for name in rows[0] if name not in ("participant", "arm", "masking")]
    assert all(r[name] == "" for r in head for name in visit_columns if name != "flags")
    assert all(r["flags"] != "untracked" and r["date"] for r in rows[len(head) :])
    # The workbook has the CSV's rows.
    target = tmp_path / "agenda.xlsx"
    assert run(*args, "--format", "xlsx", "-o", str(target)).exit_code == 0
    book = workbook_text(target.read_bytes()).splitlines()
    assert "CT303-0001,phase3,blinded,,,,,,,,,,untracked,,," in book


def test_an_agenda_with_records_names_only_those_without(run: Run) -> None:
    # The README's agenda: CT303-0005 (W1D1 2025-09-29) has no record, the others have some.
    args = ("agenda", EXAMPLE_ROSTER, "--actuals", EXAMPLE_ACTUALS, "--from", "2025-09-29",
            "--days", "14", "--today", "2025-09-29", "--chairs", "1")  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "1 participant has no recorded visits: their past visits are not flagged: CT303-0005."
    )
    document = json.loads(run(*args, "--format", "json").stdout)
    assert [u["participant"] for u in document["untracked"]] == ["CT303-0005"]
    # CT303-0003's W3D1 has a record before it (W1D1): still overdue.
    assert [(i["participant"], i["flags"]) for i in document["items"]][0] == (
        "CT303-0003",
        ["overdue"],
    )


def test_the_agenda_sheet_names_its_untracked_participants_in_both_languages(run: Run) -> None:
    result = run("agenda", EXAMPLE_ROSTER, "--today", "2025-09-29", "--format", "html")
    assert result.exit_code == 0, result.stderr
    text = " ".join(re.sub(r"<[^>]+>", " ", result.stdout).split())
    assert UNTRACKED_ALL in text
    assert "5 名受试者没有访视记录，其既往访视不予标记：CT303-0001、CT303-0002、" in text
    assert "Overdue" not in text  # no overdue section


ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
AGENDA = (
    "agenda", "examples/roster.csv", "--actuals", "examples/actuals.csv", "--from",
    "2025-09-29", "--today", "2025-09-29",
)  # fmt: skip


# --- agenda width: the terminal's width, as plan and roster get it ------------------------------


@pytest.mark.parametrize("width", [80, 130])
def test_the_agenda_follows_the_width_the_cli_measures(
    run: Run, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    # No COLUMNS: only the width the command measures (shutil) can tell the table how wide it is.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a: os.terminal_size((width, 40)))
    result = run(*AGENDA, "--chairs", "1")
    assert result.exit_code == 0, result.stderr
    lines = ANSI_CODE.sub("", result.stdout).splitlines()
    assert all(len(line) <= width for line in lines), width
    rule = next(line for line in lines if "━" in line)
    assert len(rule.rstrip()) == width - 1  # the table spans the measured width
    text = "\n".join(lines)
    for whole in ("2025-09-08", "2025-09-29", "2025-10-01", "CT303-0002", "RCP W3D1"):
        assert whole in text


def _agenda(run: Run, *args: str) -> list[dict[str, Any]]:
    arguments = ("agenda", EXAMPLE_ROSTER, "--actuals", EXAMPLE_ACTUALS, *args, "--format", "json")
    result = run(*arguments)
    assert result.exit_code == 0, result.stderr
    items: list[dict[str, Any]] = json.loads(result.stdout)["items"]
    return items


# --- issue 9 #2: 'due today' is --today, not --from ----------------------------------------


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
