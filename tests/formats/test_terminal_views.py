"""How the terminal views read (issue 9): wording, widths that never cut a code, a date or a
dose, and marks that do not depend on colour."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from datetime import date

import pytest

from mil62sched import engine, protocol
from mil62sched.environment import Environment, styled_output
from mil62sched.formats import table
from mil62sched.formats.presentation import Presentation
from tests.conftest import EXAMPLES, Run

README_ROSTER = EXAMPLES / "roster.csv"
README_ACTUALS = EXAMPLES / "actuals.csv"
AGENDA = (
    "agenda", str(README_ROSTER), "--actuals", str(README_ACTUALS), "--from", "2025-09-29",
    "--days", "14", "--today", "2025-09-29",
)  # fmt: skip


def test_one_chair_is_singular(run: Run) -> None:
    # The README's site: two infusions on 2025-09-29 (CT303-0004 and CT303-0005), one chair.
    result = run(*AGENDA, "--chairs", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Due 2025-09-29 to 2025-10-12, 1 chair a day"
    assert lines[-1] == "* 2025-09-29: 2 infusions for 1 chair"


def test_two_chairs_stay_plural(run: Run) -> None:
    result = run(*AGENDA, "--chairs", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Due 2025-09-29 to 2025-10-12, 2 chairs a day"


# --- colour: information never depends on it ----------------------------------------------------

CALENDAR = (
    "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3", "--format", "calendar",
)  # fmt: skip
ANSI = "\x1b["


@pytest.mark.parametrize(
    ("isatty", "environ", "expected"),
    [
        pytest.param(True, {}, True, id="terminal"),
        pytest.param(False, {}, False, id="pipe"),
        pytest.param(True, {"NO_COLOR": "1"}, False, id="NO_COLOR"),
        pytest.param(True, {"NO_COLOR": ""}, True, id="empty-NO_COLOR-is-unset"),
        pytest.param(True, {"TERM": "dumb"}, False, id="TERM=dumb"),
        pytest.param(True, {"TERM": "xterm-256color"}, True, id="TERM=xterm"),
        pytest.param(False, {"FORCE_COLOR": "1"}, True, id="FORCE_COLOR-piped"),
        pytest.param(False, {"FORCE_COLOR": "0"}, True, id="FORCE_COLOR-any-value"),
        pytest.param(False, {"FORCE_COLOR": ""}, False, id="empty-FORCE_COLOR-is-unset"),
        pytest.param(True, {"TERM": "dumb", "FORCE_COLOR": "1"}, True, id="FORCE_COLOR-dumb"),
        pytest.param(False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, id="NO_COLOR-wins"),
    ],
)
def test_styled_output_follows_the_conventions(
    isatty: bool, environ: dict[str, str], expected: bool
) -> None:
    assert styled_output(isatty, environ) is expected
    # The run's Environment decides by its own streams and variables, not the process's.
    env = Environment(io.StringIO(), io.StringIO(), stdout_isatty=isatty, environ=environ)
    assert env.styled() is expected


def in_a_terminal(*args: str, **environ: str) -> str:
    """What the CLI prints to a real (pseudo-)terminal, 100 columns wide."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(environ, COLUMNS="100", LINES="50")
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "mil62sched", *args], stdout=follower, env=env
    ) as child:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the child exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        child.wait()
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_in_a_terminal_keeps_the_weekend_marks() -> None:
    # 2025-09-17 is a Wednesday: Saturday 20 and Sunday 21 September are off.
    text = in_a_terminal(*CALENDAR, NO_COLOR="1", TERM="xterm")
    assert ANSI not in text
    assert "20░░░ 21░░░" in text
    assert "░░░░ weekend" in " ".join(text.split())
    assert "grey" not in text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_dumb_terminal_gets_no_ansi_codes() -> None:
    text = in_a_terminal(*CALENDAR, TERM="dumb")
    assert ANSI not in text
    assert "20░░░ 21░░░" in text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_colour_terminal_is_styled() -> None:
    assert ANSI in in_a_terminal(*CALENDAR, TERM="xterm")


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(CALENDAR, id="calendar"),
        pytest.param(("plan", "--arm", "phase3-rcp", "--start", "2025-09-17"), id="plan"),
        pytest.param(("roster", str(README_ROSTER), "--today", "2025-09-29"), id="roster"),
        pytest.param((*AGENDA, "--chairs", "1"), id="agenda"),
    ],
)
def test_force_color_is_honoured_when_piped(
    run: Run, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ANSI not in run(*command).stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run(*command)
    assert result.exit_code == 0, result.stderr
    assert ANSI in result.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in run(*command).stdout


# --- width: a code, a date or a dose is never cut -------------------------------------------------

WIDTHS = (80, 100, 120, 160)
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRIAL = protocol.load()


@pytest.mark.parametrize("width", WIDTHS)
def test_render_and_render_many_fit_the_width(width: int) -> None:
    plans = [
        engine.plan(TRIAL, "phase3", date(2025, 9, 17)),
        engine.plan(TRIAL, "phase3-olp-from-placebo", date(2024, 2, 29)),
    ]
    shown = [(table.render(plan, Presentation(width=width)), [plan]) for plan in plans]
    shown.append((table.render_many(plans, Presentation(width=width)), plans))
    for text, included in shown:
        assert all(len(line) <= width for line in text.splitlines()), width
        for plan in included:
            for visit in plan.visits:
                assert visit.date.isoformat() in text
                assert re.search(rf"\b{visit.code}\b", text)


def dates_of(text: str) -> set[str]:
    return set(ISO_DATE.findall(text))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(
            ("plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--window", "3"), id="rcp"
        ),
        pytest.param(
            (
                "plan",
                "--arm",
                "phase3",
                "--start",
                "2025-09-17",
                "--window",
                "3",
                "--actual",
                "RCP:W3D1=2025-09-30",
                "--today",
                "2025-10-10",
            ),
            id="phase3-actual",
        ),  # fmt: skip
        pytest.param(("roster", str(README_ROSTER), "--today", "2025-09-29"), id="roster"),
        pytest.param((*AGENDA, "--chairs", "1"), id="agenda"),
    ],
)
def test_a_terminal_table_fits_and_keeps_every_date_and_code(
    run: Run, monkeypatch: pytest.MonkeyPatch, width: int, command: tuple[str, ...]
) -> None:
    # The same command piped (200 columns, the natural width) is the reference: every date and
    # code it shows must be in the terminal's table too, whole.
    wide = run(*command)
    assert wide.exit_code == 0, wide.stderr
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    result = run(*command)
    assert result.exit_code == 0, result.stderr
    text = ANSI_CODE.sub("", result.stdout)
    assert all(len(line) <= width for line in text.splitlines()), width
    assert dates_of(text) == dates_of(wide.stdout)
    codes = re.compile(r"\bW\d+D\d+\b")
    assert set(codes.findall(text)) == set(codes.findall(wide.stdout))
    for line in text.splitlines():
        assert len(re.findall(r"\bmg\b", line)) == len(re.findall(r"\b\d+ mg\b", line)), line
