"""Values at their limits (each case an attack found, as a test): "today" is the site's day,
--tz takes IANA names only, visit codes too long for int(), bounds on windows, durations and
reminders, the end of the calendar, and clock times. Never a wrong answer, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mil62sched import protocol
from mil62sched.commands.options import site_today
from tests.conftest import Run, error_line

PLAN = ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17")

# --- "today" is the site's day -------------------------------------------------------------------


def test_today_is_the_date_in_beijing_whatever_the_machine_zone() -> None:
    # 06:55 in Beijing on 1 December is 22:55 UTC on 30 November.
    at = datetime(2026, 11, 30, 22, 55, tzinfo=UTC)
    assert site_today(protocol.load(), now=at).isoformat() == "2026-12-01"
    assert site_today(protocol.load(), "Europe/London", now=at).isoformat() == "2026-11-30"


# --- --tz takes IANA zone names only ------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Asia", "", "localtime", "posixrules", "right/UTC", "posix/UTC", "Factory", "../etc"]
)
def test_only_iana_zone_names_are_accepted(run: Run, zone: str) -> None:
    line = error_line(run(*PLAN, "--time", "09:00", "--tz", zone, "--format", "ics"))
    assert line == (
        f"unknown time zone {zone!r}: use an IANA name such as Asia/Shanghai or America/New_York"
    )


def test_an_iana_zone_is_accepted(run: Run) -> None:
    result = run(*PLAN, "--time", "09:00", "--tz", "America/New_York", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert "TZID:America/New_York" in result.stdout


# --- visit codes too long for int() --------------------------------------------------------------

LONG_CODE = "W" + "9" * 4301 + "D1"


@pytest.mark.parametrize(
    "args",
    [
        ("day", LONG_CODE, "--start", "2025-01-01"),
        ("plan", "--arm", "phase1b-500", "--start", "2025-01-01", "--escalate-at", LONG_CODE),
        (*PLAN, "--actual", f"{LONG_CODE}=2025-09-18"),
        (*PLAN, "--missed", LONG_CODE),
    ],
)
def test_a_visit_code_of_thousands_of_digits_is_one_line(run: Run, args: tuple[str, ...]) -> None:
    line = error_line(run(*args))
    assert "invalid visit code" in line
    assert len(line) < 300


def test_a_roster_row_with_a_huge_code_is_one_bad_row(run: Run, tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(
        "participant,arm,start,escalate_at\n"
        f"P1,phase1b-500,2025-01-06,{LONG_CODE}\nP2,phase3-rcp,2025-01-06,\n",
        encoding="utf-8",
    )
    result = run("roster", str(roster), "--format", "csv", "--skip-bad")
    assert result.exit_code == 1
    assert "r.csv line 2: invalid visit code" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("\nMIL62-CT303,phase3-rcp,") == 4  # P2 planned


# --- bounds on what a visit can be ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--window", "400"), "whole numbers from 0 to 60"),
        (("--window", "3,61"), "whole numbers from 0 to 60"),
        (("--time", "09:00", "--duration", "3d"), "invalid --duration '3d': at most 12h"),
        (("--time", "09:00", "--duration", "13h"), "invalid --duration '13h': at most 12h"),
        (("--time", "09:00", "--remind", "30d"), "invalid --remind '30d': at most 28d"),
    ],
)
def test_windows_durations_and_reminders_are_bounded(
    run: Run, args: tuple[str, ...], expected: str
) -> None:
    assert expected in error_line(run(*PLAN, *args, "--format", "ics"))


def test_the_longest_window_and_infusion_are_accepted(run: Run) -> None:
    result = run(*PLAN, "--window", "60", "--time", "09:00", "--duration", "12h", "--format", "ics")
    assert result.exit_code == 0, result.stderr


# --- the end of the calendar ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (("--from", "9999-12-20", "--today", "2025-01-06"), "9999-12-20"),
        (("--today", "9999-12-30"), "9999-12-30"),  # --from defaults to today
    ],
)
def test_an_agenda_past_the_last_day_is_one_line(
    run: Run, tmp_path: Path, args: tuple[str, ...], first: str
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("participant,arm,start\nP1,phase3-rcp,2025-01-06\n", encoding="utf-8")
    assert error_line(run("agenda", str(roster), *args)) == (
        f"an agenda of 14 days from {first} would end after 9999-12-31: "
        "start earlier or cover fewer days"
    )


def test_a_one_digit_hour_is_a_clock_time(run: Run) -> None:
    result = run(*PLAN, "--time", "9:00", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    assert "DTSTART;TZID=Asia/Shanghai:20250917T090000" in result.stdout.replace("\r", "")
