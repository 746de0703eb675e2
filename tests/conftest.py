"""Shared test fixtures: a CLI runner with a fixed terminal width, golden-file helpers, and a
fresh holiday cache folder for the session."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

# rich reads these when typer formats help; fixed so output is the same on every machine.
os.environ["TERMINAL_WIDTH"] = "100"
os.environ["COLUMNS"] = "100"
os.environ.pop("FORCE_COLOR", None)
# Calendars carry their export instant (DTSTAMP, SEQUENCE): one fixed instant, 2026-01-01T00:00Z,
# so that two exports in a test compare equal whatever second each ran in. Tests of the clock
# itself set or clear it.
os.environ["SOURCE_DATE_EPOCH"] = "1767225600"
# The language of what people read follows the locale (issue 9 #13): the tests expect English
# wherever they run, unless they ask for another (tests/i18n/test_i18n.py).
os.environ["MIL62SCHED_LANG"] = "en"
# openpyxl writes its XML with lxml when lxml is installed, and caldav (a test tool, for the
# CalDAV test of amended calendars) brings it: the workbook tests edit the XML that openpyxl's
# own writer makes, so every test run uses that writer, whatever else is installed. Set before
# openpyxl is imported (it reads this once).
os.environ["OPENPYXL_LXML"] = "False"

# sitecal caches holiday data per user. Set here, at import, so that the whole session (and every
# subprocess it starts) starts cold in a folder of its own and never writes to the user's home.
# The folder is removed when the session's interpreter exits.
_HOLIDAY_CACHE = tempfile.TemporaryDirectory(prefix="mil62sched-tests-cache-")
os.environ["MIL62SCHED_CACHE_DIR"] = _HOLIDAY_CACHE.name

# Where the shared data is, for a test in any folder under tests/ (never Path(__file__) there).
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
PACKAGE = ROOT / "src" / "mil62sched"
GOLDEN = TESTS / "golden"
REFERENCE = TESTS / "reference"
WORKBOOKS = TESTS / "workbooks"
_DTSTAMP = re.compile(r"^DTSTAMP:\d{8}T\d{6}Z(?=\r?$)", re.MULTILINE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ drives a real Chromium: mark it `browser`, so that
    `-m "not browser"` leaves them all out without a marker in each file."""
    browser = TESTS / "browser"
    for item in items:
        if item.path.is_relative_to(browser):
            item.add_marker(pytest.mark.browser)


def normalise_dtstamp(ics: str) -> str:
    """Replace every DTSTAMP value, the only field that changes between two exports."""
    return _DTSTAMP.sub("DTSTAMP:19700101T000000Z", ics)


Run = Callable[..., Result]


def _build_each_command_once() -> None:
    """Make typer's CliRunner build the click command of an app once per test process, not at
    every invocation.

    `CliRunner.invoke(app, ...)` rebuilds the command tree from the app's functions each time
    (typer.main.get_command), and a new tree builds its parameters' converters anew at their
    first use: together a third of the CPU time of an in-process run, paid about 2,000 times a
    session. The tree and its converters do not depend on the invocation (a run's state is in its
    click context and its `Environment`), so one tree serves every run. typer.testing looks the
    builder up by a private name: the assertion fails loudly if a typer release renames it,
    rather than letting the suite quietly slow down."""
    import typer.main
    import typer.testing

    builder = typer.testing._get_command
    if getattr(builder, "__wrapped__", None) is typer.main.get_command:
        return  # done already (this module imported a second time)
    assert builder is typer.main.get_command, "typer.testing changed: update tests/conftest.py"
    typer.testing._get_command = functools.cache(typer.main.get_command)


_build_each_command_once()


@pytest.fixture
def run() -> Run:
    """Run `mil62sched ARGS...` in-process; the result has exit_code, stdout and stderr."""
    from mil62sched.cli import app

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), prog_name="mil62sched")

    return invoke


PREFIX = "mil62sched: error: "


def error_line(result: Result, code: int = 2) -> str:
    """The one stderr line of a refused run, without its prefix."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.endswith("\n"), result.stderr
    assert result.stderr.startswith(PREFIX), result.stderr
    return result.stderr[len(PREFIX) : -1]


def cn_last_official_year() -> int:
    """The last year for which the installed holidays package lists China's adjusted working days
    (its official schedule): read from the package, never hard-coded, so tests hold when a new
    release adds a year."""
    return _cn_last_official_year()


@functools.cache
def _cn_last_official_year() -> int:
    import holidays

    whole = holidays.country_holidays("CN", years=range(2000, 2101))
    return max(day.year for day in whole.weekend_workdays)


def workbook_text(content: bytes) -> str:
    """All a person can read in an .xlsx workbook, as text: its properties, each sheet's name,
    and every cell (dates as ISO dates, booleans as true/false, as in the CSV), one row a line.
    What blinding and golden checks look at in a binary format."""
    import io
    from datetime import date, datetime

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    properties = book.properties
    lines = [
        f"{name}: {value}"
        for name in ("title", "subject", "description", "keywords", "category", "creator",
                     "lastModifiedBy", "identifier", "language", "version", "contentStatus")
        if (value := getattr(properties, name)) is not None
    ]  # fmt: skip

    def shown(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    for sheet in book.worksheets:
        lines.append(f"sheet: {sheet.title}")
        lines += [",".join(map(shown, row)) for row in sheet.iter_rows(values_only=True)]
    return "\n".join(lines) + "\n"


def without_study_dates(stderr: str) -> str:
    """stderr without the warnings on the registry's study dates (issue 9 #12: a plan or roster
    running past the study completion date, 2027-03-31, says so once on stderr)."""
    return "".join(
        line
        for line in stderr.splitlines(keepends=True)
        if not (
            line.startswith("mil62sched: warning: ")
            and ("after the study completion date" in line or "before the study start" in line)
        )
    )


def renamed_period_protocol(folder: Path, old: str = "OLP", new: str = "OLE") -> Path:
    """A copy of the built-in protocol file whose later period `old` is called `new` (its
    schedules' `period`, the journeys' `starts`, the design's epoch), written into `folder`: a
    protocol whose journeys have a later period of another name (issue 15 #5)."""
    from mil62sched import protocol

    text = protocol.BUILTIN.read_text(encoding="utf-8")
    renamed = (
        text.replace(f'period = "{old}"', f'period = "{new}"')
        .replace(f"starts = {{ {old} = ", f"starts = {{ {new} = ")
        .replace(f'\n{old} = "OPEN LABEL TREATMENT"', f'\n{new} = "OPEN LABEL TREATMENT"')
    )
    # three schedules, three journeys, one epoch
    assert renamed.count(f'"{new}"') == 3, "the built-in file changed: update the replacements"
    assert renamed.count(f"starts = {{ {new} = ") == 3
    assert renamed.count(f'\n{new} = "OPEN LABEL') == 1
    path = folder / f"{new.lower()}.toml"
    path.write_text(renamed, encoding="utf-8")
    return path


def without_no_phone(stderr: str) -> str:
    """stderr without the warning that a printed card (html, pdf) shows no phone number (issue
    16 #6: a card without --site, or a site file without `phone`, says so once on stderr)."""
    return "".join(
        line
        for line in stderr.splitlines(keepends=True)
        if not line.startswith("mil62sched: warning: the card shows no phone number")
    )
