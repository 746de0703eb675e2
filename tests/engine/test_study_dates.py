"""The smaller items of issue 9: a moved visit's working-day fields (#4), every bad --holidays
row (#11), study dates (#12), --time/--remind outside calendars (#10), the month view's marks
when styled (#9) and the agenda's width (#1, agenda).

Dates worked by hand: 2025-10-01..07 is the 2025 National Day holiday (with Mid-Autumn on
10-06 and the substituted day off on 10-07, 10-08), 2025-09-30 a Tuesday, a working day.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run

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


# --- #10: --time and --remind outside calendars -------------------------------------------------

PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2024-03-04")


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "table", "calendar"])
def test_time_and_remind_say_they_are_ignored_outside_calendars(run: Run, fmt: str) -> None:
    plain = run(*PLAN, "--format", fmt)
    result = run(*PLAN, "--format", fmt, "--time", "9:00", "--remind", "1d")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == plain.stdout
    assert result.stderr == (
        "mil62sched: warning: --time and --remind apply to .ics calendars only; "
        f"ignored for {fmt}\n"
    )
    only = run(*PLAN, "--format", fmt, "--remind", "2h")
    assert only.stderr == (
        f"mil62sched: warning: --remind applies to .ics calendars only; ignored for {fmt}\n"
    )


def test_a_calendar_uses_time_and_remind_without_a_warning(run: Run) -> None:
    result = run(*PLAN, "--format", "ics", "--time", "09:00", "--remind", "1d")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "TRIGGER:-P1D" in result.stdout


def test_roster_time_outside_calendars_is_said_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = run("roster", "examples/roster.csv", "--format", "csv", "--time", "09:00")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("--time applies to .ics calendars only; ignored for csv") == 1


def test_tz_without_time_is_still_an_error(run: Run) -> None:
    result = run(*PLAN, "--format", "csv", "--tz", "Asia/Shanghai")
    assert result.exit_code == 2
    assert "give --time HH:MM too" in result.stderr


# --- #4: a moved visit's working-day fields describe its planned date ---------------------------
# phase3-rcp from Wed 2025-09-17, window +-3: W3D1 = 09-17 + 14 = Wed 2025-10-01 (National Day);
# 10-01 and 10-02 are off, 09-30 (Tue) works, so --adjust plans W3D1 on 2025-09-30.

MOVED = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3", "--adjust")


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_a_moved_visits_fields_describe_the_planned_date_in_csv(run: Run) -> None:
    from mil62sched.formats.csv_rows import HEADER

    result = run(*MOVED, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    w3d1 = next(row for row in _csv(result.stdout) if row["code"] == "W3D1")
    assert (w3d1["date"], w3d1["weekday"], w3d1["protocol_date"]) == (
        "2025-09-30", "Tuesday", "2025-10-01",
    )  # fmt: skip
    assert (w3d1["working_day"], w3d1["non_working_reason"]) == ("true", "")
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        "false", "National Day",
    )  # fmt: skip
    # Added at the end: the columns before them keep their places.
    at = HEADER.index("over_capacity")
    assert HEADER[at + 1 : at + 3] == (
        "protocol_date_working_day", "protocol_date_non_working_reason",
    )  # fmt: skip


def test_a_moved_visits_fields_describe_the_planned_date_in_json(run: Run) -> None:
    import json

    result = run(*MOVED, "--format", "json")
    visits = {v["code"]: v for v in json.loads(result.stdout)["visits"]}
    w3d1 = visits["W3D1"]
    assert (w3d1["date"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "2025-09-30", True, None,
    )  # fmt: skip
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        False, "National Day",
    )  # fmt: skip
    # An unmoved visit: both describe the same day.
    w1d1 = visits["W1D1"]
    assert (w1d1["working_day"], w1d1["protocol_date_working_day"]) == (True, True)


def test_without_adjust_both_describe_the_protocol_date(run: Run) -> None:
    import json

    result = run(*MOVED[:-1], "--format", "json")
    w3d1 = next(v for v in json.loads(result.stdout)["visits"] if v["code"] == "W3D1")
    assert (w3d1["date"], w3d1["working_day"], w3d1["non_working_reason"]) == (
        "2025-10-01", False, "National Day",
    )  # fmt: skip
    assert (w3d1["protocol_date_working_day"], w3d1["protocol_date_non_working_reason"]) == (
        False, "National Day",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_a_moved_visits_row_does_not_carry_the_old_days_holiday(run: Run, fmt: str) -> None:
    result = run(*MOVED, "--format", fmt)
    row = next(line for line in result.stdout.splitlines() if "W3D1" in line and "2025-09" in line)
    assert "2025-09-30" in row
    assert "National Day" not in row
    assert "working" in row
    # The note says why it moved.
    assert "W3D1 moved from 2025-10-01 (National Day) to 2025-09-30." in result.stdout


def test_a_moved_visits_calendar_event_names_the_protocol_dates_holiday(run: Run) -> None:
    result = run(*MOVED, "--format", "ics")
    unfolded = re.sub(r"\r?\n ", "", result.stdout)  # RFC 5545 folding
    event = next(e for e in unfolded.split("BEGIN:VEVENT") if "DTSTART;VALUE=DATE:20250930" in e)
    assert "Protocol date: 2025-10-01" in event
    assert "Not a working day on 2025-10-01: National Day" in event


def test_the_agenda_row_of_a_moved_visit(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # examples/roster.csv: CT303-0002 (phase3, window 3) starts Wed 2025-09-17, so its RCP W3D1
    # is 2025-10-01, moved by --adjust to Tue 2025-09-30.
    monkeypatch.chdir(ROOT)
    result = run(*AGENDA, "--adjust", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in _csv(result.stdout) if r["participant"] == "CT303-0002")
    assert (row["date"], row["weekday"], row["working_day"], row["non_working_reason"]) == (
        "2025-09-30", "Tuesday", "true", "",
    )  # fmt: skip
    assert (
        row["protocol_date"], row["protocol_date_working_day"],
        row["protocol_date_non_working_reason"],
    ) == ("2025-10-01", "false", "National Day")  # fmt: skip
    table = run(*AGENDA, "--adjust")
    line = next(x for x in table.stdout.splitlines() if "CT303-0002" in x)
    assert "National Day" not in line
    assert "non-working" not in line


# --- #11: every bad row of a --holidays file, and what ends "provisional" -----------------------


def test_every_bad_holidays_row_is_reported_and_nothing_written(run: Run, tmp_path: Path) -> None:
    folder = tmp_path
    site = folder / "site.csv"
    site.write_text(
        "date,name,kind\n"
        "2024-01-15,Site closure,holiday\n"  # good
        "2024-13-01,Bad month,holiday\n"  # line 3
        "2024-01-16,Closed,off\n"  # line 4
        "2024-01-17,,holiday\n"  # line 5
        "2024-01-15,Again,workday\n",  # line 6
        encoding="utf-8",
    )
    out = folder / "plan.csv"
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--holidays", str(site),
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "mil62sched: error: site.csv line 3: invalid date '2024-13-01': no such day; use year "
        "first: 2025-08-18, 2025/8/18, 2025.8.18 or 2025年8月18日",
        "mil62sched: error: site.csv line 4: invalid kind 'off': use holiday or workday",
        "mil62sched: error: site.csv line 5: empty name",
        "mil62sched: error: site.csv line 6: duplicate date 2024-01-15 (first on line 2)",
        "mil62sched: error: site.csv: 4 bad rows; nothing written (fix them all)",
    ]
    assert not out.exists()


# The installed holidays package has China's adjusted working days up to 2026 (README): a plan
# from 2026-09-07 reaches W25D1 = 2026-09-07 + 168 days = 2027-02-22, a provisional year.
ENDS_PROVISIONAL = (
    "A year stops being provisional once the installed holidays package carries that year's "
    "State Council notice (its adjusted working days: a newer release of the package), or once "
    "a --holidays file has a row dated in that year (the file is then taken as the site's word "
    "for the whole year)."
)


@pytest.mark.parametrize("fmt", ["table", "md", "calendar"])
def test_the_provisional_notice_says_what_ends_it(run: Run, fmt: str) -> None:
    result = run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    flat = " ".join(line.strip(" *-") for line in result.stdout.splitlines())
    assert ENDS_PROVISIONAL in re.sub(r"\s+", " ", flat)


def test_the_calendar_says_what_ends_provisional(run: Run) -> None:
    result = run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", "ics")
    unfolded = re.sub(r"\r?\n ", "", result.stdout)
    assert "until the package carries the year's State Council notice or --holidays " in unfolded


def test_a_holidays_row_in_the_year_ends_provisional(run: Run, tmp_path: Path) -> None:
    # What the notice promises, checked: one row dated 2027 and 2027 is no longer provisional.
    import json

    site = tmp_path / "h.csv"
    site.write_text("date,name,kind\n2027-10-01,National Day,holiday\n", encoding="utf-8")
    before = json.loads(
        run("plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--format", "json").stdout
    )
    after = json.loads(
        run(
            "plan", "--arm", "phase3-rcp", "--start", "2026-09-07", "--holidays", str(site),
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert before["holidays_provisional"] is True
    assert after["holidays_provisional"] is False


# --- #9: the month view's marks do not depend on colour ----------------------------------------


def test_styled_month_view_keeps_the_text_marks_of_the_plain_one() -> None:
    from datetime import date

    from mil62sched import engine, protocol
    from mil62sched.formats import calendar_grid
    from mil62sched.formats.presentation import Presentation
    from mil62sched.model.plan import Policy
    from mil62sched.model.protocol import Window
    from mil62sched.site.workdays import SiteCalendar

    # W3D1 from Wed 2025-09-17 is 2025-10-01: September and October 2025, with weekends, the
    # National Day week (10-01..10-08) and the worked Sundays 09-28 and Saturday 10-11.
    plan = engine.plan(
        protocol.load(),
        "phase3-rcp",
        date(2025, 9, 17),
        window=Window(3, 3),
        policy=Policy(site=SiteCalendar("CN")),
    )
    plain = calendar_grid.render(plan, Presentation(width=100))
    styled = calendar_grid.render(plan, Presentation(styled=True, width=100))
    assert ANSI_CODE.search(styled)
    stripped = [line.rstrip() for line in ANSI_CODE.sub("", styled).splitlines()]
    plain_lines = plain.splitlines()
    # Every line up to the key is the same text: shading, '+', codes and the window band.
    key = next(i for i, line in enumerate(plain_lines) if line.lstrip().startswith("Key:"))
    assert stripped[:key] == plain_lines[:key]
    assert "░" in "\n".join(stripped[:key])
    # Saturday 2025-09-06 and National Day 2025-10-01 are shaded in text in both.
    assert any(" 6░░░" in line for line in stripped[:key])
    assert any(" 1░░░" in line for line in stripped[:key])
    # The key explains the text marks, and colour as an addition.
    styled_key = " ".join(stripped[key:])
    assert "░░░░ weekend or public holiday" in styled_key


# --- #12: study dates (registry: start 2022-08-18, completion 2027-03-31) ----------------------
# phase1b-500 from Mon 2024-01-01 (2024 a leap year: 2025-01-01 = +366, 2026-01-01 = +731,
# 2027-01-01 = +1096, 2028-01-01 = +1461): W157D1 = +1092 = 2026-12-28 (before completion);
# W183D1 = +1274 = 2027-01-01 + 178 = 2027-06-28; W209D1 = +1456 = 2028-01-01 - 5 = 2027-12-27.
# Both after 2027-03-31.

LATE = ("plan", "--arm", "phase1b-500", "--start", "2024-01-01")
AFTER_NOTE = (
    "2 visits after the study completion date 2027-03-31 (NCT05314010 registry), from W183D1 "
    "(2027-06-28): dates move by amendment; check the protocol's current dates."
)
EARLY = ("plan", "--arm", "phase3-rcp", "--start", "2022-08-17")  # a day before the study start
BEFORE_NOTE = (
    "W1D1 2022-08-17 is before the study start 2022-08-18 (NCT05314010 registry): check the "
    "start date, or the protocol's current dates."
)


def test_visits_after_completion_in_csv_and_json(run: Run) -> None:
    import json

    rows = _csv(run(*LATE, "--format", "csv").stdout)
    after = {r["code"]: r["after_study_completion"] for r in rows}
    assert after["W157D1"] == "false"
    assert (after["W183D1"], after["W209D1"]) == ("true", "true")
    assert {r["date"] for r in rows if r["after_study_completion"] == "true"} == {
        "2027-06-28", "2027-12-27",
    }  # fmt: skip
    assert {r["before_study_start"] for r in rows} == {"false"}
    document = json.loads(run(*LATE, "--format", "json").stdout)
    assert (document["study_start"], document["study_completion"]) == ("2022-08-18", "2027-03-31")
    assert document["before_study_start"] is False
    assert document["study_dates_note"] == AFTER_NOTE
    late = [v["code"] for v in document["visits"] if v["after_study_completion"]]
    assert late == ["W183D1", "W209D1"]


def test_the_last_day_of_the_study_is_not_after_it(run: Run) -> None:
    import json

    # W27D1 = start + 182 days; 2026-09-30 + 182 = 2027-03-31 (Oct 31 +31, Nov 30 +61, Dec 31
    # +92, Jan 31 +123, Feb 28 +151, Mar 31 +182); a day later it is 2027-04-01.
    on = json.loads(run("plan", "--arm", "phase3-rcp", "--start", "2026-09-30", "--format",
                        "json").stdout)  # fmt: skip
    assert on["visits"][-1]["date"] == "2027-03-31"
    assert [v["after_study_completion"] for v in on["visits"]] == [False] * 4
    assert on["study_dates_note"] is None
    past = run("plan", "--arm", "phase3-rcp", "--start", "2026-10-01", "--format", "json")
    visits = json.loads(past.stdout)["visits"]
    assert [v["after_study_completion"] for v in visits] == [False, False, False, True]
    assert visits[-1]["date"] == "2027-04-01"


@pytest.mark.parametrize("fmt", ["table", "md", "calendar"])
def test_study_dates_note_in_the_human_formats(run: Run, fmt: str) -> None:
    for command, note in ((LATE, AFTER_NOTE), (EARLY, BEFORE_NOTE)):
        result = run(*command, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        flat = " ".join(line.strip(" *-") for line in result.stdout.splitlines())
        assert note in re.sub(r"\s+", " ", flat)


def test_study_dates_in_calendar_events(run: Run) -> None:
    import vobject

    calendar = vobject.readOne(run(*LATE, "--format", "ics").stdout)
    flagged = [
        event.dtstart.value.isoformat()
        for event in calendar.vevent_list
        if "After the study completion date 2027-03-31" in event.description.value
    ]
    assert flagged == ["2027-06-28", "2027-12-27"]
    early = vobject.readOne(run(*EARLY, "--format", "ics").stdout)
    first = [e for e in early.vevent_list if "Before the study start" in e.description.value]
    assert [e.dtstart.value.isoformat() for e in first] == ["2022-08-17"]


def test_study_dates_warn_once_on_stderr_and_exit_0(run: Run) -> None:
    result = run(*LATE, "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == f"mil62sched: warning: {AFTER_NOTE}\n"
    early = run(*EARLY)
    assert early.exit_code == 0
    assert early.stderr == f"mil62sched: warning: {BEFORE_NOTE}\n"
    inside = run("plan", "--arm", "phase3-rcp", "--start", "2024-01-01", "--format", "csv")
    assert inside.stderr == ""
    assert {r["after_study_completion"] for r in _csv(inside.stdout)} == {"false"}


def test_a_roster_warns_once_for_all_its_participants(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "site.csv"
    roster.write_text(
        "participant,arm,start\n"
        "A1,phase1b-500,2024-01-01\n"  # W183D1, W209D1 after completion
        "A2,phase1b-1000,2024-01-01\n"  # the same visits
        "B1,phase3-rcp,2022-08-17\n"  # before the start
        "C1,phase3-rcp,2024-01-01\n",  # inside: W27D1 2024-07-01
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "mil62sched: warning: 2 participant(s) with visits after the study completion date "
        "2027-03-31 and 1 with W1D1 before the study start 2022-08-18 (NCT05314010 registry): "
        "dates move by amendment; check the protocol's current dates.\n"
    )
    rows = _csv(result.stdout)
    assert sum(r["after_study_completion"] == "true" for r in rows) == 4
    assert {r["participant"] for r in rows if r["before_study_start"] == "true"} == {"B1"}
