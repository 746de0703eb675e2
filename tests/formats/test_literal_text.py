"""Text that came from a file is shown literally in every format (issue: rich markup in holiday
names). A holiday named `[/]` used to crash the terminal tables with rich's MarkupError, and
`[red]X[/red] [link=http://evil]click[/link]` was silently restyled and, on a terminal, made a
hyperlink. Control characters are refused when the override file is read; Markdown escapes what
would break its table.

Dates are worked out by hand: 2025-10-01 is a Wednesday (the State Council's 2025 notice), so
2025-09-24 is a Wednesday too and W3D1 = 2025-09-24 + 14 days = Wednesday 2025-10-08, the day
every holiday file below renames.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from mil62sched import engine, protocol
from mil62sched.formats import calendar_grid, markdown, table
from mil62sched.formats.presentation import Presentation
from mil62sched.model.plan import Plan, Policy
from mil62sched.roster import agenda as site_agenda
from mil62sched.site.workdays import Override, SiteCalendar
from tests.conftest import Run, error_line

TRIAL = protocol.load()
D = date.fromisoformat
START = "2025-09-24"
W3D1 = "2025-10-08"
PLAN = ("plan", "--arm", "phase3-rcp", "--start", START)

CLOSING_TAG = "[/]"
RESTYLED = "[red]X[/red] [link=http://evil]click[/link]"
EMOJI = ":smiley:"  # rich's emoji code: printed as a str it would become a smiley
NAMES = [CLOSING_TAG, RESTYLED, EMOJI]

ANSI_SGR = re.compile(r"\x1b\[[0-9;]*m")
HYPERLINK = "\x1b]8;"  # OSC 8, the escape that makes a terminal hyperlink


def holidays_file(tmp_path: Path, name: str, file_name: str = "site.csv") -> str:
    """An override file closing W3D1's day under `name` (quoted: names may hold , " and |)."""
    path = tmp_path / file_name
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["date", "name", "kind"])
        writer.writerow([W3D1, name, "holiday"])
    return str(path)


def roster_file(tmp_path: Path) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(f"participant,arm,start\nP001,phase3-rcp,{START}\n", encoding="utf-8")
    return str(path)


def words(text: str) -> str:
    """`text` with every run of whitespace as one space: notes wrap at the console's width."""
    return " ".join(text.split())


def w3d1_row(text: str) -> str:
    """The one table line that shows W3D1 (not the note about it)."""
    rows = [
        line
        for line in text.splitlines()
        if "W3D1" in line and W3D1 in line and not line.startswith(("* ", "- "))
    ]
    assert len(rows) == 1, text
    return rows[0]


def ok(result: object) -> str:

    assert isinstance(result, Result)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout


# --- the terminal table, month grids, roster and agenda: literal, exit 0 ------------------------


@pytest.mark.parametrize("name", NAMES)
def test_plan_table_shows_a_holiday_name_literally(run: Run, tmp_path: Path, name: str) -> None:
    text = ok(run(*PLAN, "--holidays", holidays_file(tmp_path, name)))
    # The Day column of W3D1, and the note under the table naming why it is not a working day.
    assert w3d1_row(text).rstrip().endswith(f"   {name}")
    assert f"W3D1 ({W3D1}): not a working day ({name})" in words(text)


@pytest.mark.parametrize("name", NAMES)
def test_plan_calendar_shows_a_holiday_name_literally(run: Run, tmp_path: Path, name: str) -> None:
    text = ok(run(*PLAN, "--format", "calendar", "--holidays", holidays_file(tmp_path, name)))
    # The October grid's footnote for the renamed day.
    assert f"Oct 8: {name}" in words(text)


@pytest.mark.parametrize("name", NAMES)
def test_roster_table_shows_a_holiday_name_literally(run: Run, tmp_path: Path, name: str) -> None:
    holidays = holidays_file(tmp_path, name)
    text = ok(run("roster", roster_file(tmp_path), "--holidays", holidays, "--today", START))
    row = w3d1_row(text)
    assert row.split()[0] == "P001"
    assert f"  {name}  " in row  # the Day column, before Record
    assert f"P001: W3D1 ({W3D1}): not a working day ({name})" in words(text)


@pytest.mark.parametrize("name", NAMES)
def test_agenda_table_shows_a_holiday_name_literally(run: Run, tmp_path: Path, name: str) -> None:
    # From Monday 2025-10-06 for 7 days: 10-06 .. 10-12 holds W3D1 on Wednesday 10-08.
    args = ("--holidays", holidays_file(tmp_path, name), "--today", "2025-10-06")
    text = ok(run("agenda", roster_file(tmp_path), "--from", "2025-10-06", "--days", "7", *args))
    assert f"Wed {name}" in w3d1_row(text)


def _plan(name: str) -> Plan:
    site = SiteCalendar("CN", {D(W3D1): Override(name=name, kind="holiday")})
    return engine.plan(TRIAL, "phase3-rcp", D(START), participant="P001", policy=Policy(site=site))


STYLED = Presentation(styled=True, width=200)


@pytest.mark.parametrize("name", NAMES)
def test_styled_table_roster_and_agenda_show_markup_literally_and_link_nothing(
    name: str,
) -> None:
    plan = _plan(name)
    due = site_agenda.agenda([plan], D("2025-10-06"), 7)
    outputs = {
        "plan": table.render(plan, STYLED),
        "roster": table.render_many([plan], STYLED),
        "agenda": table.render_agenda(due, STYLED),
        "calendar": calendar_grid.render(plan, STYLED),
    }
    for what, styled in outputs.items():
        assert HYPERLINK not in styled, what
        assert name in ANSI_SGR.sub("", styled), what
    # Our own styling still reaches the terminal: the bold title and the red row of W3D1.
    assert "\x1b[1m" in outputs["plan"]
    assert "\x1b[31m" in outputs["plan"]


# --- Markdown: a | or a line break in a name keeps the table's shape ----------------------------


def cells(line: str) -> list[str]:
    """A pipe-table row's cells as GitHub reads them: a backslash escapes the next character."""
    found: list[str] = []
    cell = ""
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            cell += line[index : index + 2]
            index += 2
            continue
        if char == "|":
            found.append(cell)
            cell = ""
        else:
            cell += char
        index += 1
    found.append(cell)
    # | a | b |: nothing before the first pipe or after the last
    assert found[0].strip() == "", line
    assert found[-1].strip() == "", line
    return [c.strip() for c in found[1:-1]]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Site | closed\nall day", r"Site \| closed all day"),
        ("Site\r\nclosed", "Site closed"),
        ("back\\|slash", r"back\\\|slash"),
        (RESTYLED, r"\[red\]X\[/red\] \[link=http://evil\]click\[/link\]"),
    ],
)
def test_markdown_escapes_pipes_and_turns_line_breaks_into_spaces(
    run: Run, tmp_path: Path, name: str, shown: str
) -> None:
    text = ok(run(*PLAN, "--format", "md", "--holidays", holidays_file(tmp_path, name)))
    lines = text.splitlines()
    table_lines = [line for line in lines if line.startswith("|")]
    header = cells(table_lines[0])
    assert header[-1] == "Day"
    assert len(table_lines) == 2 + 4  # heading, delimiter and the 4 RCP infusions
    for line in table_lines:
        assert len(cells(line)) == len(header), line
    assert cells(w3d1_row(text))[-1] == shown
    # The note stays one list item on one line.
    notes = [line for line in lines if line.startswith(f"- W3D1 ({W3D1})")]
    assert notes == [
        f"- W3D1 ({W3D1}): not a working day ({shown}) and no window is set to move it in."
    ]
    # Every line is ours: a heading, a paragraph (the arm, the holidays), a table row, a list
    # item or blank.
    assert all(re.match(r"(## |\| |\|-|- |Phase 3 |Holidays: |$)", line) for line in lines), text


def test_markdown_of_plain_names_is_unchanged() -> None:
    # Nothing to escape: the cell is the name as it is (golden files check the rest).
    text = markdown.render(_plan("Site closure"))
    assert "| Site closure |" in text


# --- control characters are refused when the file is read -------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("a\x1b[31mb", "U+001B"),  # ESC: an ANSI colour
        ("a\x1b]8;;http://evil\x1b\\click", "U+001B"),  # ESC: an OSC 8 hyperlink
        ("a\x00b", "U+0000"),  # NUL
        ("a\x07b", "U+0007"),  # BEL
        ("a\x7fb", "U+007F"),  # DEL
        ("a\x9b31mb", "U+009B"),  # C1 CSI
    ],
)
def test_control_characters_in_a_holiday_name_are_refused(
    run: Run, tmp_path: Path, name: str, code: str
) -> None:
    result = run(*PLAN, "--holidays", holidays_file(tmp_path, name))
    assert error_line(result) == (
        f"site.csv line 2: holiday name contains a control character ({code}): use plain text"
    )


def test_control_characters_in_a_workday_name_are_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "site.csv"
    path.write_text(
        "date,name,kind\n2025-10-11,Saturday clinic,workday\n2025-10-12,x\x1by,workday\n",
        encoding="utf-8",
    )
    assert error_line(run(*PLAN, "--holidays", str(path))) == (
        "site.csv line 3: workday name contains a control character (U+001B): use plain text"
    )
