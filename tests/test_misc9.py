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

import pytest

from tests.conftest import Run

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
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
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
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    result = run("roster", "examples/roster.csv", "--format", "csv", "--time", "09:00")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("--time applies to .ics calendars only; ignored for csv") == 1


def test_tz_without_time_is_still_an_error(run: Run) -> None:
    result = run(*PLAN, "--format", "csv", "--tz", "Asia/Shanghai")
    assert result.exit_code == 2
    assert "give --time HH:MM too" in result.stderr
